/**
 * libuv's threadpool runs every node:fs call (and dns.lookup, zlib, crypto.pbkdf2). Its default of 4
 * threads silently caps file-system concurrency at 4, whatever `--concurrency` says. The size is read
 * ONCE, when the pool first starts. The rule that sizes it is ./threadpool-size.cjs, shared with
 * bin/storbench.cjs, which applies it before anything else runs (from --concurrency, else 64). An embedder that
 * does not start through bin calls {@link configureThreadpool} before any fs work; calling it later changes
 * nothing in this process. {@link threadpoolInfo} is what a run records.
 */
import { createRequire } from 'node:module';
import type * as Rule from './threadpool-size.cjs';

const rule = createRequire(import.meta.url)('./threadpool-size.cjs') as typeof Rule;

/** The pool's size and where it came from, kept for `environment()` and the run's record. */
export interface ThreadpoolInfo {
  /** Threads libuv uses (the env var's value as libuv reads it, or libuv's default 4). */
  readonly size: number;
  /** `set`: storbench set UV_THREADPOOL_SIZE (bin or configureThreadpool); `preset`: the user did; `default`: nobody. */
  readonly source: 'set' | 'preset' | 'default';
}

let decided: ThreadpoolInfo | undefined;

/**
 * Size the pool for `concurrency` operations in flight, by the one rule (./threadpool-size.cjs), unless the
 * user or bin/storbench.cjs already set UV_THREADPOOL_SIZE. Works only before the first threadpool use in this
 * process; the first call wins.
 * @returns the size libuv will use and where it came from.
 */
export function configureThreadpool(concurrency: number): ThreadpoolInfo {
  decided ??= rule.applyThreadpool(process.env, concurrency);
  return decided;
}

/** The threadpool as it is now: what was decided, or the env var as libuv reads it, or libuv's default 4. */
export function threadpoolInfo(): ThreadpoolInfo {
  if (decided) return decided;
  const v = process.env.UV_THREADPOOL_SIZE;
  return v === undefined || v === '' ? { size: rule.MIN, source: 'default' } : rule.decideThreadpool(process.env);
}
