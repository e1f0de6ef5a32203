/** What a run reports of itself while it runs. */

/** `register` and `barrier`: the clients of a multi-client run registering, then preparing until all are ready. */
export type Phase = 'register' | 'barrier' | 'prepare' | 'measure' | 'drain' | 'cleanup';

/** Live state, once a second: for progress lines, the dashboard and /metrics. */
export interface Progress {
  readonly runId: string;
  readonly phase: Phase;
  /** Seconds since the phase started, and its planned length (0 when bounded by an op count). */
  readonly elapsedS: number;
  readonly totalS: number;
  /** Operations done in the phase (prepare: objects written). */
  readonly done: number;
  /** Planned operations, when known. */
  readonly planned: number;
  /** Rates over the last second. */
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  readonly errors: number;
  readonly p99Us: number;
}

/** A progress report with no rates (prepare, cleanup). */
export function progressOf(runId: string, phase: Phase, elapsedS: number, totalS: number, done: number, planned: number): Progress {
  return { runId, phase, elapsedS, totalS, done, planned, opsPerSec: 0, mibPerSec: 0, errors: 0, p99Us: 0 };
}
