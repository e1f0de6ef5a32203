/**
 * The measured phase: start the placement at the start gate, report progress and store the figures so far
 * every second, and drain: operations still in flight DRAIN_TIMEOUT_MS after the end (or after Ctrl-C) are
 * cancelled and abandoned, so a hung server cannot hang the run.
 */
import { performance } from 'node:perf_hooks';
import type { ResultsStore } from '../results/types.js';
import { MIX_OPS, type WorkloadSpec } from '../workloads/spec.js';
import { aggregate } from './aggregate.js';
import type { Figures, Placement, Running, Totals } from './placement/placement.js';
import { type Clock, StartGate } from './placement/start-gate.js';
import type { Progress } from './progress.js';

const DRAIN_TIMEOUT_MS = 30_000;

export interface MeasureRequest {
  readonly runId: string;
  readonly spec: WorkloadSpec;
  readonly store: ResultsStore;
  readonly placement: Placement;
  /** The run's stop (Ctrl-C): the drain starts; cancel: aborted when the drain times out. */
  readonly stop: AbortSignal;
  readonly cancel: AbortController;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** Facts learned while measuring (event loop utilization, a drain that timed out). */
  readonly environment: Record<string, string | number | boolean>;
}

/** The figures, and the process's CPU time (µs) when the measured window opened. */
export type Measured = Figures & { readonly cpuAtStartUs: number };

export async function measure(request: MeasureRequest): Promise<Measured> {
  const { runId, spec, store, stop, cancel, environment } = request;
  const gate = new StartGate(spec);
  const totalS = spec.ops !== undefined ? 0 : (spec.warmup + spec.duration) / 1000;
  const elu0 = performance.eventLoopUtilization();
  const running: Running = request.placement.start(gate);

  let last = { ops: 0, bytes: 0, at: gate.clock.startMs };
  // Segments are stored from the latest second stored before on (it may have grown): a flush stays small
  // however long the run. A new window (threads after the probe) counts its seconds from 0 again.
  let flushed: { window: Clock | undefined; second: number } = { window: undefined, second: 0 };
  /** Store the figures so far, so that a run killed now keeps them. */
  const flush = (now: number, t: Totals) => {
    const window = gate.clock;
    const { sets, measuredSeconds } = running.partial();
    // Threads that have just taken over from the probe (threads: auto) have sent no records yet: what is stored
    // (the probe's figures) stays until they have, so a run killed in between still has figures.
    if (sets.length === 0) return;
    const from = flushed.window === window ? flushed.second : 0;
    // only the seconds to store are merged (each second's latencies are merged bucket by bucket)
    const recent = sets.map((set) => ({ ...set, segments: set.segments.filter((x) => x.second >= from) }));
    const figures = aggregate(recent, measuredSeconds, MIX_OPS);
    const segments = figures.segments;
    store.recordProgress(
      runId,
      segments,
      { elapsedS: Math.round((now - window.startMs) / 100) / 10, totalS, ops: t.ops, errors: t.errors, p99Us: t.p99Us, ...running.facts?.() },
      {
        measuredSeconds: Math.round(measuredSeconds * 1000) / 1000,
        ops: figures.ops,
        errors: figures.errors,
      },
    );
    flushed = { window, second: Math.max(from, ...segments.map((x) => x.second)) };
  };
  const tick = () => {
    const now = performance.now();
    const t = running.live();
    const { startMs, stopMs } = gate.clock;
    const dt = (now - last.at) / 1000 || 1;
    request.onProgress?.({
      runId,
      phase: stopMs !== Infinity && now >= stopMs ? 'drain' : 'measure',
      elapsedS: (now - startMs) / 1000,
      totalS,
      done: t.ops,
      planned: spec.ops ?? 0,
      opsPerSec: (t.ops - last.ops) / dt,
      mibPerSec: (t.bytes - last.bytes) / 1048576 / dt,
      errors: t.errors,
      p99Us: t.p99Us,
    });
    try {
      flush(now, t);
    } catch {
      // The database cannot take it now (a full disk): the run goes on, and its end is stored if it can be.
    }
    last = { ops: t.ops, bytes: t.bytes, at: now };
  };
  const timer = setInterval(tick, 1000);
  try {
    const outcome = await drained(running, gate, spec.ops === undefined, stop, cancel);
    const elu = performance.eventLoopUtilization(elu0);
    environment.eventLoopUtilization = Math.round(elu.utilization * 1000) / 1000;
    if (outcome !== 'timeout') return { ...outcome, cpuAtStartUs: gate.clock.cpuUs };
    environment.drainTimedOut = true;
    const snapshot = running.snapshot();
    // not awaited: a thread blocked in a system call exits only when the call returns
    running.abandon().catch(() => undefined);
    if (!snapshot) throw new Error(`operations still in flight ${DRAIN_TIMEOUT_MS / 1000}s after the end were abandoned`);
    return { ...snapshot, cpuAtStartUs: gate.clock.cpuUs };
  } finally {
    clearInterval(timer);
  }
}

/**
 * What the placement measured, or `timeout`: operations still in flight DRAIN_TIMEOUT_MS after the planned end
 * (`timed` runs: from the window the workers were released into, so after threads: auto's probe) or after a
 * stop were cancelled. Shared by this process's runs and a multi-client run's agents.
 */
export async function drained(running: Running, gate: StartGate, timed: boolean, stop: AbortSignal, cancel: AbortController): Promise<Figures | 'timeout'> {
  let deadline: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    const arm = () => {
      drainTimer ??= setTimeout(() => {
        cancel.abort();
        resolve('timeout');
      }, DRAIN_TIMEOUT_MS);
    };
    if (stop.aborted) arm();
    else stop.addEventListener('abort', arm, { once: true });
    if (timed) {
      running.released.then(
        () => {
          deadline = setTimeout(arm, Math.max(0, gate.clock.stopMs - performance.now()));
        },
        () => undefined,
      );
    }
  });
  try {
    return await Promise.race([running.done, timeout]);
  } finally {
    if (deadline) clearTimeout(deadline);
    if (drainTimer) clearTimeout(drainTimer);
  }
}
