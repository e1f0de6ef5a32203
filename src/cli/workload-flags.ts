/** Flags that override workload fields, shared by `run` and `suite`. */

import { UsageError } from '../errors.js';
import { parseDecimal, parseWholeNumber } from '../workloads/size.js';
import { MAX_RATE, MIN_RATE, type WorkloadInput } from '../workloads/spec.js';

export const workloadFlagOptions = {
  duration: { type: 'string' },
  ops: { type: 'string' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  size: { type: 'string' },
  objects: { type: 'string' },
  seed: { type: 'string' },
  warmup: { type: 'string' },
  threads: { type: 'string' },
  keys: { type: 'string' },
  'range-size': { type: 'string' },
  dataset: { type: 'string' },
  'large-files': { type: 'string' },
  verify: { type: 'boolean' },
  durable: { type: 'boolean' },
  'no-cleanup': { type: 'boolean' },
  'drop-caches': { type: 'boolean' },
  'max-error-rate': { type: 'string' },
} as const;

export const workloadFlagUsage = `workload flags (override the preset or file):
  --duration 30s        measured time (after --warmup)        --ops N          stop after N operations
  --concurrency N       operations in flight (closed loop)    --rate N         target ops/s (open loop)
  --size S              4KiB | 1KiB-1MiB | 4KiB:70,1MiB:30    --objects N      dataset size
  --keys D              uniform | zipfian | sequential | latest
  --range-size S        read S bytes at a random offset       --warmup 5s      excluded from figures
  --seed N              same seed, same keys and sizes        --threads N|auto worker threads (auto: fan out
                                                                               when one event loop saturates)
  --dataset NAME        reuse a named dataset across runs     --verify         self-checking content
  --durable             ask for durable writes (fsync...)     --no-cleanup     keep the run's objects
  --drop-caches         empty the client page cache before measuring (file://, needs root)
  --large-files M       per-worker | shared: one object per operation, or segments of one shared object (IOR)
  --max-error-rate R    failed operations allowed before the run is degraded, 0-1 or a percentage (default 50%)`;

function int(value: string | undefined, flag: string, min: number, max: number, or = ''): number | undefined {
  if (value === undefined) return undefined;
  const n = parseWholeNumber(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}${or}, got "${value}"`);
  return n;
}

/** A fraction from 0 to 1, given as one (`0.05`) or as a percentage (`5%`). */
function fraction(value: string, flag: string): number {
  const percent = value.endsWith('%');
  const n = parseDecimal(percent ? value.slice(0, -1) : value) / (percent ? 100 : 1);
  if (!(n >= 0 && n <= 1)) throw new UsageError(`${flag}: expected a fraction from 0 to 1 or a percentage (5%), got "${value}"`);
  return n;
}

/** Turn parsed flags into workload overrides (validated again with the whole spec). */
export function workloadOverrides(v: Readonly<Record<string, string | boolean | readonly string[] | undefined>>): Partial<WorkloadInput> {
  const o: Record<string, unknown> = {};
  const put = (field: string, value: unknown) => {
    if (value !== undefined) o[field] = value;
  };
  put('duration', v.duration);
  put('ops', int(v.ops as string | undefined, '--ops', 1, 1e12));
  put('concurrency', int(v.concurrency as string | undefined, '--concurrency', 1, 10_000));
  if (v.rate !== undefined) {
    const r = parseDecimal(v.rate as string);
    if (!(r >= MIN_RATE && r <= MAX_RATE)) throw new UsageError(`--rate: expected ops per second from ${MIN_RATE} to ${MAX_RATE}, got "${String(v.rate)}"`);
    o.rate = r;
  }
  put('size', v.size);
  put('objects', int(v.objects as string | undefined, '--objects', 0, 100_000_000));
  put('seed', int(v.seed as string | undefined, '--seed', 0, 2 ** 31 - 1));
  put('warmup', v.warmup);
  put('threads', v.threads === 'auto' ? 'auto' : int(v.threads as string | undefined, '--threads', 1, 64, ' or "auto"'));
  put('keys', v.keys);
  put('rangeSize', v['range-size']);
  put('dataset', v.dataset);
  put('largeFiles', v['large-files']);
  if (v.verify) o.verify = true;
  if (v.durable) o.durable = true;
  if (v['no-cleanup']) o.cleanup = false;
  if (v['drop-caches']) o.dropCaches = true;
  if (v['max-error-rate'] !== undefined) o.maxErrorRate = fraction(String(v['max-error-rate']), '--max-error-rate');
  return o as Partial<WorkloadInput>;
}
