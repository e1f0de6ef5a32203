/**
 * The threading policy: how many threads a run may use, what a blocking driver needs, and where a run
 * measures (`threads: N`, or `threads: auto`'s choice).
 */
import { availableParallelism } from 'node:os';
import type { Driver } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import { AutoProbe } from './placement/auto-probe.js';
import type { MeasureContext } from './placement/context.js';
import { MainLoop } from './placement/main-loop.js';
import type { NotePlacement, Placement } from './placement/placement.js';
import { Threads } from './placement/threads.js';

/** Most threads a run may use (the workload schema's limit). */
const MAX_THREADS = 64;

/** Probe length and threshold of `threads: auto`. */
export const PROBE_MS = 1000;
export const SATURATED_UTILIZATION = 0.9;
/** Shorter runs stay on one event loop: after a probe and a fan-out too little would be left to measure. */
const AUTO_MIN_DURATION_MS = 5000;

/** A blocking driver holds its thread for each call: it needs one worker per thread, or its concurrency is fake. */
export function assertThreading(spec: WorkloadSpec, driver: Driver): void {
  if (!driver.blocking) return;
  if (spec.concurrency > MAX_THREADS) {
    throw new UsageError(
      `concurrency: ${driver.name}:// with blocking calls runs one worker per thread, at most ${MAX_THREADS} (asked for ${spec.concurrency})`,
    );
  }
  if (spec.threads !== 'auto' && spec.threads < spec.concurrency) {
    throw new UsageError(
      `threads: ${driver.name}:// with blocking calls runs one worker per thread: give --threads ${spec.concurrency} (or auto) for --concurrency ${spec.concurrency}`,
    );
  }
}

/** Why `threads: auto` may not fan this run out (undefined: it may). */
export function autoThreadsRefusal(spec: WorkloadSpec, driver: Driver, cores: number): string | undefined {
  if (cores < 2) return 'one CPU';
  if (spec.concurrency < 2) return 'concurrency 1';
  if (driver.processLocal) return `${driver.name}:// objects live in one thread's memory`;
  if (spec.ops !== undefined) return 'runs bounded by an op count stay on one event loop';
  if (spec.duration < AUTO_MIN_DURATION_MS) return `runs shorter than ${AUTO_MIN_DURATION_MS / 1000}s stay on one event loop`;
  if (spec.mix.delete || spec.mix.rename) return 'deletes and renames in the probe would change the objects the threads expect';
  return undefined;
}

/** Where the run measures; `note` records the choice (and, for `threads: auto`, its reason) in the environment. */
export function choosePlacement(run: MeasureContext, note: NotePlacement): Placement {
  const { spec, driver } = run;
  const on = (n: number): Placement => (n > 1 ? new Threads(run, n) : new MainLoop(run));
  if (spec.threads !== 'auto') {
    note({ threads: Math.min(spec.threads, spec.concurrency) });
    return on(spec.threads);
  }
  if (driver.blocking) {
    const n = spec.concurrency;
    note({ threads: n, threadsChoice: `auto: ${driver.name}:// makes blocking calls, so one thread per worker (${n}), like fio's jobs` });
    return on(n);
  }
  const cores = availableParallelism();
  const refusal = autoThreadsRefusal(spec, driver, cores);
  note({ threads: 1, threadsChoice: `auto: one event loop (${refusal ?? 'not saturated'})` });
  if (refusal) return new MainLoop(run);
  return new AutoProbe(run, Math.min(cores, spec.concurrency), note, { probeMs: PROBE_MS, saturated: SATURATED_UTILIZATION });
}
