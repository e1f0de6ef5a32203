/**
 * What a run leaves behind. The store keeps everything needed to compare runs later: redacted target,
 * semantics, environment, per-operation figures with their encoded HDR histograms (mergeable again),
 * per-second segments and error samples.
 */
import type { Capabilities, Environment, ErrorKind, Semantics } from '../drivers/types.js';

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'interrupted'];

export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Figures of one operation type over the measured window. Latencies in microseconds. */
export interface OpResult {
  readonly op: string;
  /** Successful operations. */
  readonly count: number;
  readonly errors: number;
  readonly errorsByKind: Partial<Record<ErrorKind, number>>;
  /** Bytes moved by successful operations. */
  readonly bytes: number;
  /** Objects handled by list/scan operations (entries listed, objects scanned). */
  readonly items: number;
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  /** Latency from the intended start (open loop) or from the actual start (closed loop). */
  readonly latencyUs: LatencySummary;
  /** Service time (actual start to end); differs from latency only in open-loop runs. */
  readonly serviceUs?: LatencySummary;
  /** Time to first byte of reads. */
  readonly ttfbUs?: LatencySummary;
  /** Mean of per-operation throughput (TestDFSIO's "average IO rate"), MiB/s. */
  readonly meanIoRateMibPerSec?: number;
  /** HDR histograms, compressed base64 (hdr-histogram-js encoding). */
  readonly histogram: string;
  readonly serviceHistogram?: string;
  readonly ttfbHistogram?: string;
}

/** One second of one operation type. */
export interface Segment {
  /** Seconds since the start of the measured window (warm-up excluded). */
  readonly second: number;
  readonly op: string;
  readonly ops: number;
  readonly bytes: number;
  readonly errors: number;
  readonly latencySumUs: number;
  readonly latencyMaxUs: number;
}

export interface ErrorSample {
  readonly op: string;
  readonly kind: ErrorKind;
  readonly count: number;
  /** The first message seen, secrets scrubbed. */
  readonly message: string;
}

/** Everything known when a run starts. */
export interface NewRun {
  readonly id: string;
  /** Redacted target URL. */
  readonly target: string;
  /** Name from the targets file, or the redacted URL. */
  readonly targetName: string;
  readonly scheme: string;
  readonly system: string;
  readonly workload: string;
  /** The resolved workload spec (no secrets). */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly loadModel: 'closed' | 'open';
  readonly concurrency: number;
  readonly rate?: number;
  readonly seed: number;
  readonly semantics: Semantics;
  readonly capabilities: Capabilities;
  /** Driver environment plus host facts: fsType, threadpoolSize, host, nodeVersion, storbenchVersion... */
  readonly environment: Environment;
  readonly dataset?: string;
  readonly suiteId?: string;
  readonly scheduleId?: string;
  readonly startedAt: string;
}

export interface RunRecord extends NewRun {
  readonly status: RunStatus;
  readonly endedAt?: string;
  /** Seconds of the measured window. */
  readonly measuredSeconds?: number;
  readonly error?: string;
  readonly host: string;
  readonly pid: number;
  /** Live progress of a running run (elapsed, ops so far...). */
  readonly progress?: Readonly<Record<string, number>>;
  /** Regression findings, set by the scheduler. */
  readonly regression?: Readonly<Record<string, unknown>>;
}

export interface RunDetail extends RunRecord {
  readonly ops: readonly OpResult[];
  readonly segments: readonly Segment[];
  readonly errors: readonly ErrorSample[];
}

export interface RunSummary extends RunRecord {
  readonly ops: readonly Omit<OpResult, 'histogram' | 'serviceHistogram' | 'ttfbHistogram'>[];
}

export interface RunFilter {
  readonly target?: string;
  readonly system?: string;
  readonly workload?: string;
  readonly status?: RunStatus;
  readonly suiteId?: string;
  readonly scheduleId?: string;
  /** ISO date-times, inclusive. */
  readonly since?: string;
  readonly until?: string;
  /** @default 50 */
  readonly limit?: number;
  /** @default 0 */
  readonly offset?: number;
}

export interface RunOutcome {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly endedAt: string;
  readonly measuredSeconds: number;
  readonly error?: string;
  readonly ops: readonly OpResult[];
  readonly segments: readonly Segment[];
  readonly errors: readonly ErrorSample[];
  /** The environment again, with what was learned while running (event loop utilization, cache policy). */
  readonly environment?: Environment;
}

/** The results store: the only thing reports, the API and the scheduler read. */
export interface ResultsStore {
  readonly path: string;
  createRun(run: NewRun): void;
  /** Flush segments measured so far and the live progress of a running run. */
  recordProgress(runId: string, segments: readonly Segment[], progress: Readonly<Record<string, number>>): void;
  finishRun(runId: string, outcome: RunOutcome): void;
  getRun(id: string): RunDetail | undefined;
  listRuns(filter?: RunFilter): { runs: RunSummary[]; total: number };
  /** The latest completed run of every (target name, workload) pair. */
  latestCompleted(): RunSummary[];
  setRegression(runId: string, regression: Readonly<Record<string, unknown>> | null): void;
  deleteRun(id: string): boolean;
  /**
   * A token that changes whenever the stored data may have changed, through this store or any other
   * connection to the same database (a run written by another process). Readers use it to cache answers.
   */
  revision(): string;
  /** Mark runs left `running` by a dead process on this host as `interrupted`; returns their ids. */
  recoverInterrupted(): string[];
  close(): void;
}
