/**
 * What a run leaves behind. The store keeps everything needed to compare runs later: redacted target,
 * semantics, environment, per-operation figures with their encoded HDR histograms (mergeable again),
 * per-second segments and error samples.
 */
import type { Capabilities, Environment, ErrorKind, Semantics, Warning } from '../drivers/types.js';

/**
 * `completed`: measured as planned. `degraded`: measured, but more operations failed than the workload's
 * `maxErrorRate` allows. `failed`: an error ended it, every operation failed, or it measured nothing.
 * `interrupted`: stopped early (Ctrl-C), or its process died while it measured.
 */
export type RunStatus = 'running' | 'completed' | 'degraded' | 'failed' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'degraded', 'failed', 'interrupted'];

/**
 * What became of the objects a run wrote under its prefix (`storbench/<run-id>/`). `pending`: they may
 * still be there (cleanup has not finished: the run is going on, or its process died first). `done`:
 * removed (or there was nothing that could outlive the process). `failed`: removing them failed. `kept`:
 * kept on purpose (`--no-cleanup`, or a named dataset). `storbench clean` removes what pending and failed runs left.
 */
export type CleanupState = 'pending' | 'done' | 'failed' | 'kept';
export const CLEANUP_STATES: readonly CleanupState[] = ['pending', 'done', 'failed', 'kept'];

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
  /** The second's p50 and p99 latency, at most 3.1% high (src/runner/second-latency.ts); absent in runs before they were kept. */
  readonly latencyP50Us?: number;
  readonly latencyP99Us?: number;
  /** The second's latencies as log buckets, to merge threads and clients: in transit only, not stored. */
  readonly latencyBuckets?: string;
}

export interface ErrorSample {
  readonly op: string;
  readonly kind: ErrorKind;
  readonly count: number;
  /** The first message seen, secrets scrubbed. */
  readonly message: string;
}

/** What became of one client (agent) of a multi-client run. */
export type ClientStatus = 'completed' | 'failed' | 'lost' | 'never-registered';
export const CLIENT_STATUSES: readonly ClientStatus[] = ['completed', 'failed', 'lost', 'never-registered'];

/**
 * One client (agent process) of a multi-client run: who it was, how well its clock and start were
 * synchronized, and its own figures (per-client breakdown; the run's figures are all clients merged exactly).
 */
export interface RunClient {
  readonly rank: number;
  readonly status: ClientStatus;
  /** Why it failed, was lost or never came (secrets scrubbed). */
  readonly error?: string;
  readonly host?: string;
  readonly pid?: number;
  /** The engine's id for this task: a YARN container id, `<job>.<step>` of Slurm, an MPI job id and rank... */
  readonly engineTask?: string;
  /** Agent clock minus coordinator clock (ms), estimated by the minimum-RTT ping. */
  readonly clockOffsetMs?: number;
  /** The round-trip time of that ping (ms). */
  readonly rttMs?: number;
  /** When this client actually started measuring, minus the planned common start, in coordinator time (ms). */
  readonly startSkewMs?: number;
  /** Seconds this client measured, from the common start to its last operation (first-done / last-done). */
  readonly measuredSeconds?: number;
  /** This client's own figures (histograms included). */
  readonly ops: readonly OpResult[];
  /** Facts about the agent: storbenchVersion, nodeVersion, cpus, threads, clientCpuUsPerOp... */
  readonly environment: Environment;
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
  /** The driver's caveats about what this run's figures mean (`driver.warnings()`), known at open. @default [] */
  readonly warnings?: readonly Warning[];
  readonly dataset?: string;
  readonly suiteId?: string;
  /**
   * The baseline of the suite this run belongs to (a targets file's `baseline`: a target name), what a
   * matrix of these runs compares against when no baseline is asked for.
   */
  readonly suiteBaseline?: string;
  readonly scheduleId?: string;
  readonly startedAt: string;
  /** @default 'pending' */
  readonly cleanup?: CleanupState;
}

export interface RunRecord extends NewRun {
  readonly status: RunStatus;
  readonly cleanup: CleanupState;
  /** The driver's caveats as stored at the end of the run (at its start while it runs); `[]` when none. */
  readonly warnings: readonly Warning[];
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
  /** The clients of a multi-client run (`run --engine ... --clients N`), by rank; `[]` for a run of one process. */
  readonly clients: readonly RunClient[];
  /** Each worker thread's own figures (a run of one process on more than one thread); `[]` otherwise. */
  readonly threads?: readonly ThreadFigures[];
}

/** One worker thread's figures for one operation type; the run's own figures are all threads merged. */
export interface ThreadFigures {
  /** 0-based, in the order the threads were started. */
  readonly thread: number;
  readonly op: string;
  readonly count: number;
  readonly errors: number;
  /** Over the run's measured window. */
  readonly opsPerSec: number;
  readonly p99Us: number;
}

export interface RunSummary extends RunRecord {
  readonly ops: readonly Omit<OpResult, 'histogram' | 'serviceHistogram' | 'ttfbHistogram'>[];
}

/** What a run ran, as a matrix chooses its cells by (`environment` holds only `threads` and `clients`). */
export type RunSetup = Pick<RunRecord, 'id' | 'targetName' | 'workload' | 'startedAt' | 'loadModel' | 'rate' | 'concurrency' | 'spec' | 'environment'>;

export interface RunFilter {
  readonly target?: string;
  /** Runs whose id starts with this (the dashboard's "add a run by id prefix"). */
  readonly idPrefix?: string;
  /** Part of the target name, of the workload (any case): the dashboard's filters. */
  readonly targetContains?: string;
  readonly workloadContains?: string;
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
  /** The order of the list (ties newest first). @default 'started' */
  readonly sort?: RunSort;
  /** @default 'desc' */
  readonly order?: 'asc' | 'desc';
}

/** What a runs list can be sorted by: a column, or a figure of all its operations (total ops/s, slowest p99). */
export const RUN_SORTS = ['started', 'target', 'system', 'workload', 'status', 'opsPerSec', 'p99Us', 'measured'] as const;
export type RunSort = (typeof RUN_SORTS)[number];

/** The figures of a running run so far, flushed with its progress so that a killed run keeps them. */
export interface PartialResults {
  readonly measuredSeconds: number;
  readonly ops: readonly OpResult[];
  readonly errors: readonly ErrorSample[];
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
  /** The caveats again, as they stand at the end of the run (the runner may drop or add some). */
  readonly warnings?: readonly Warning[];
  /** Each worker thread's figures, when the run had more than one. */
  readonly threads?: readonly ThreadFigures[];
}

/** What to do about due times that passed while no scheduler was running. */
export type MissedPolicy = 'skip' | 'run-once';
export const MISSED_POLICIES: readonly MissedPolicy[] = ['skip', 'run-once'];

/** When a scheduled run counts as regressed, in percent of the median of the recent runs. */
export interface Thresholds {
  /** Ops/s of an operation type down by more than this. @default 10 */
  readonly throughputDropPct: number;
  /** p99 latency of an operation type up by more than this. @default 20 */
  readonly p99RisePct: number;
}

/** A target of a schedule, as in a targets file: secrets only as `env` references (option → variable name). */
export interface ScheduleTarget {
  readonly name?: string;
  readonly url: string;
  readonly options: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A workload of a schedule: a preset name, or an inline spec (the fields of a workload file). Never a file
 * path: the process that runs the job (`serve`) reads no workload file.
 */
export type ScheduleWorkload = string | Readonly<Record<string, unknown>>;

/** What a schedule runs: every workload on every target, with workload overrides. */
export interface ScheduleSuite {
  readonly targets: readonly ScheduleTarget[];
  readonly workloads: readonly ScheduleWorkload[];
  /** Workload fields applied over every workload (duration, size, objects...). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** The target (a name) the matrix compares the others to, as a targets file's `baseline`; stored with every run. */
  readonly baseline?: string;
  /** Run each workload on many clients placed by an engine (`--engine E --clients N`). @default one process */
  readonly distributed?: ScheduleDistributed;
}

/** The multi-client settings of a schedule (the flags of `run --engine`; src/distributed/fleet.ts). */
export interface ScheduleDistributed {
  readonly engine: string;
  readonly clients: number;
  readonly coordinatorBind?: string;
  readonly coordinatorHost?: string;
  readonly registrationTimeout?: string;
  readonly launcherArgs?: readonly string[];
  readonly agentCommand?: string;
}

export interface NewSchedule {
  /** A short name chosen by the user: `nightly-hdfs`. */
  readonly id: string;
  /** Cron expression (5 fields, or 6 with seconds first), evaluated in UTC. */
  readonly cron: string;
  readonly suite: ScheduleSuite;
  readonly enabled: boolean;
  readonly missed: MissedPolicy;
  readonly thresholds: Thresholds;
  /** `http(s)://...` or `env:VARIABLE` (a URL carrying a token stays out of the database). */
  readonly webhook?: string;
}

export interface ScheduleRecord extends NewSchedule {
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The latest due time the scheduler handled (ran or skipped): what missed runs are counted from. */
  readonly lastDueAt?: string;
}

export type JobStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'interrupted';
export const JOB_STATUSES: readonly JobStatus[] = ['running', 'completed', 'failed', 'skipped', 'interrupted'];
/** `cron`: came due; `missed`: run once at start for due times missed while down; `manual`: run-now. */
export type JobTrigger = 'cron' | 'missed' | 'manual';

/** One firing of a schedule and its outcome. */
export interface JobRecord {
  readonly id: number;
  readonly scheduleId: string;
  readonly trigger: JobTrigger;
  readonly dueAt: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly status: JobStatus;
  /** Why it was skipped or failed; errors of the runs that failed. */
  readonly reason?: string;
  /** Redacted URLs of the targets it runs against (the unit of "never two runs at once"). */
  readonly targets: readonly string[];
  /** The suite id of its runs. */
  readonly suiteId?: string;
  readonly host: string;
  readonly pid: number;
}

export interface NewJob {
  readonly scheduleId: string;
  readonly trigger: JobTrigger;
  readonly dueAt: string;
  readonly targets: readonly string[];
  readonly suiteId?: string;
  /** When given, the job is recorded already ended with this outcome (a skipped or failed firing). */
  readonly outcome?: { readonly status: Exclude<JobStatus, 'running'>; readonly reason: string };
}

/** The results store: the only thing reports, the API and the scheduler read. */
export interface ResultsStore {
  readonly path: string;
  createRun(run: NewRun): void;
  /**
   * Flush the live progress of a running run, segments measured so far (upserted by second and op), and,
   * when given, its figures so far (replacing the previous ones).
   */
  recordProgress(runId: string, segments: readonly Segment[], progress: Readonly<Record<string, number>>, partial?: PartialResults): void;
  /** Store the outcome; its ops, segments and errors replace everything flushed while the run was going on. */
  finishRun(runId: string, outcome: RunOutcome): void;
  /** Store the clients of a multi-client run (replacing any stored before for it). */
  recordClients(runId: string, clients: readonly RunClient[]): void;
  /** Record what became of the run's objects; `error` (a failed cleanup) is added to the run's error. */
  setCleanup(runId: string, state: CleanupState, error?: string): void;
  /** Runs no longer running whose objects may still be there: cleanup `pending`, `failed` or `kept`; oldest first. */
  listLeftovers(): RunRecord[];
  /** A run in full; `segments: false` leaves its per-second segments out (`[]`), for readers of its figures only. */
  getRun(id: string, options?: { readonly segments?: boolean }): RunDetail | undefined;
  /**
   * The ids that start with `prefix` (git-style short ids), in id order (so an exact id comes first), at most
   * `limit`; a range over the primary key's index, never a scan.
   */
  findRunIds(prefix: string, limit: number): string[];
  listRuns(filter?: RunFilter): { runs: RunSummary[]; total: number };
  /**
   * What the completed runs ran, without their figures (for choosing like-for-like matrix cells): of one
   * suite, and only those ended by `asOf` (an ISO instant) when given.
   */
  completedSetups(scope?: { readonly suiteId?: string; readonly asOf?: string }): RunSetup[];
  /** The summaries of these runs, in the order given (ids not there are left out). */
  summariesOf(ids: readonly string[]): RunSummary[];
  /** The suites (and schedule jobs) that stored runs: id, first start, runs; newest first. */
  listSuites(limit?: number): { id: string; startedAt: string; runs: number }[];
  setRegression(runId: string, regression: Readonly<Record<string, unknown>> | null): void;
  deleteRun(id: string): boolean;
  /**
   * A token that changes whenever the stored data may have changed, through this store or any other
   * connection to the same database (a run written by another process). Readers use it to cache answers.
   */
  revision(): string;
  /**
   * Mark runs (and schedule jobs) left `running` by a dead process on this host as `interrupted`;
   * returns the run ids.
   */
  recoverInterrupted(): string[];

  /** @throws Error when a schedule with that id exists */
  createSchedule(schedule: NewSchedule): ScheduleRecord;
  getSchedule(id: string): ScheduleRecord | undefined;
  listSchedules(): ScheduleRecord[];
  setScheduleEnabled(id: string, enabled: boolean): boolean;
  /** Remember the latest due time handled. */
  setScheduleDue(id: string, dueAt: string): void;
  /** Delete a schedule and its jobs; its runs stay (with their schedule id). */
  deleteSchedule(id: string): boolean;
  /**
   * Record a job. Without `outcome`, atomically (one immediate transaction, so across processes too):
   * when another job still running uses one of its targets, the job is recorded `skipped` with the reason;
   * otherwise it is recorded `running`.
   */
  startJob(job: NewJob): JobRecord;
  /** The job as finished; undefined when it is gone (its schedule was removed while it ran). */
  finishJob(id: number, outcome: { readonly status: Exclude<JobStatus, 'running' | 'skipped'>; readonly reason?: string }): JobRecord | undefined;
  getJob(id: number): JobRecord | undefined;
  /** Newest first. */
  listJobs(scheduleId: string, limit?: number): JobRecord[];
  close(): void;
}
