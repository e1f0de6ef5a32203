/**
 * libuv's threadpool runs every node:fs call (and dns.lookup, zlib, crypto.pbkdf2). Its default of 4
 * threads silently caps file-system concurrency at 4, whatever `--concurrency` says. The size is read
 * ONCE, when the pool first starts, so this module must be called before any of those run: the CLI calls
 * {@link configureThreadpool} at startup. Calling it later changes nothing in this process (and says so).
 */

/** Smallest and largest sizes we ask for (libuv itself caps the pool at 1024). */
const MIN = 4;
const MAX = 1024;

/** What {@link configureThreadpool} decided, kept for `environment()`. */
export interface ThreadpoolInfo {
  /** Threads libuv will use (the env var's value, or libuv's default 4). */
  readonly size: number;
  /** `set`: this call set UV_THREADPOOL_SIZE; `preset`: the user had set it; `default`: never configured. */
  readonly source: 'set' | 'preset' | 'default';
}

let decided: ThreadpoolInfo | undefined;

/** The user's UV_THREADPOOL_SIZE as libuv will clamp it, or `undefined` when unset. */
function preset(): ThreadpoolInfo | undefined {
  const v = process.env.UV_THREADPOOL_SIZE;
  if (v === undefined || v === '') return undefined;
  return { size: Math.min(Math.max(1, Number.parseInt(v, 10) || MIN), MAX), source: 'preset' };
}

/**
 * Set `UV_THREADPOOL_SIZE` to `min(max(4, concurrency), 1024)` unless the user already set it.
 * Works only before the first threadpool use in this process; the first call wins.
 * @returns the size libuv will use and where it came from.
 */
export function configureThreadpool(concurrency: number): ThreadpoolInfo {
  if (decided) return decided;
  decided = preset();
  if (!decided) {
    const size = Math.min(Math.max(MIN, Math.floor(concurrency) || MIN), MAX);
    process.env.UV_THREADPOOL_SIZE = String(size);
    decided = { size, source: 'set' };
  }
  return decided;
}

/** The threadpool as it is now: what configureThreadpool decided, or the env var / libuv default. */
export function threadpoolInfo(): ThreadpoolInfo {
  return decided ?? preset() ?? { size: MIN, source: 'default' };
}
