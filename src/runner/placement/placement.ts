/**
 * Where a run measures: the main thread's event loop, worker threads, or `threads: auto`'s probe that may
 * fan out. Each is a {@link Placement}: started with the run's start gate, it opens the gate when its
 * workers are released and reports through {@link Running}.
 */
import type { RecordSet } from '../recorder.js';
import type { StartGate } from './start-gate.js';

/** Live totals of a measuring loop. */
export interface Totals {
  readonly ops: number;
  readonly bytes: number;
  readonly errors: number;
  readonly p99Us: number;
}

export const NO_TOTALS: Totals = { ops: 0, bytes: 0, errors: 0, p99Us: 0 };

/** Live totals of two loops together (the p99 shown is the worse one: percentiles do not add). */
export const addTotals = (a: Totals, b: Totals): Totals => ({
  ops: a.ops + b.ops,
  bytes: a.bytes + b.bytes,
  errors: a.errors + b.errors,
  p99Us: Math.max(a.p99Us, b.p99Us),
});

/** What a measuring loop recorded, and over how long. */
export interface Figures {
  readonly sets: RecordSet[];
  readonly measuredSeconds: number;
}

/** A measuring loop being run, on the main thread or on worker threads. */
export interface Running {
  readonly live: () => Totals;
  readonly done: Promise<Figures>;
  /** Resolves once all workers were released together, in the window they measure. */
  readonly released: Promise<unknown>;
  /** What was measured so far (threads: up to a second old), stored every second. */
  readonly partial: () => Figures;
  /** What was measured, exactly, after a drain timeout; undefined when it cannot be known (threads). */
  readonly snapshot: () => Figures | undefined;
  /** Stop what still runs (operations hung past the drain); not awaited by the run. */
  readonly abandon: () => Promise<void>;
  /** More live figures for the run's progress record (/metrics, the live view): a multi-client run's clients. */
  readonly facts?: () => Readonly<Record<string, number>>;
}

/** A measuring loop that failed, with what it measured until then (kept with the failed run). */
export class FailedWithFigures extends Error {
  constructor(
    message: string,
    readonly figures: Figures,
  ) {
    super(message);
  }
}

export interface Placement {
  /** Start measuring; the placement opens `gate` as its workers are released. */
  start(gate: StartGate): Running;
}

/** Facts about the placement chosen, stored in the run's environment (`threads`, `threadsChoice`). */
export type NotePlacement = (facts: { threads: number; threadsChoice?: string }) => void;
