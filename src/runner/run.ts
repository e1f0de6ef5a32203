/**
 * One benchmark run, start to finish: open the driver, check capabilities, record the run, prepare the
 * dataset, release all workers together, measure (storing the figures so far every second), drain, store
 * the results, clean up (recorded apart: a run killed during its cleanup keeps its figures and status).
 * Problems found before the run is recorded (bad target, unreachable endpoint, missing capability) are
 * thrown and nothing is written; anything after that ends as a stored run record.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism, hostname } from 'node:os';
import { createDriver } from '../drivers/registry.js';
import { redactString, type Target } from '../drivers/target.js';
import type { Driver, Environment, Warning } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import type { CleanupState, OpResult, ResultsStore, RunClient, RunOutcome, RunStatus } from '../results/types.js';
import { threadpoolInfo } from '../threadpool/threadpool.js';
import { STORBENCH_VERSION } from '../version.js';
import { PayloadSource } from '../workloads/payload.js';
import { parseSizeDistribution, type SizeDistribution } from '../workloads/sizes.js';
import { MIX_OPS, type WorkloadSpec, writesIn } from '../workloads/spec.js';
import { aggregate, perThread } from './aggregate.js';
import { assertCapabilities } from './capabilities.js';
import { type ClientCpu, clientCpuOf, cpuNow } from './client-cpu.js';
import { datasetBase, writeDatasetMarker } from './dataset.js';
import { chooseLargeFiles } from './large-files.js';
import { measure } from './measure.js';
import { openCreated } from './open-driver.js';
import { FailedWithFigures, type Figures, type Placement } from './placement/placement.js';
import { prepare } from './prepare.js';
import { type Progress, progressOf } from './progress.js';
import { newRunId } from './run-id.js';
import { assertThreading, choosePlacement } from './threading.js';
import { judgeRun } from './verdict.js';

export interface RunRequest {
  readonly target: Target;
  readonly spec: WorkloadSpec;
  /** The store, or a function opening it: called only once the target is open and the workload accepted. */
  readonly store: ResultsStore | (() => ResultsStore);
  readonly suiteId?: string;
  readonly scheduleId?: string;
  /** The baseline target of the suite this run belongs to, stored with the run. */
  readonly suiteBaseline?: string;
  /** Abort: stop gracefully, keep what was measured, status `interrupted`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Called between prepare and measure (dropping caches, for example). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that adds nothing returns nothing
  readonly beforeMeasure?: (driver: Driver) => Promise<Readonly<Record<string, string | number | boolean>> | void>;
  /** Measure on other processes (a multi-client run): they prepare and measure, this process records. */
  readonly fleet?: (driver: Driver, spec: WorkloadSpec) => Fleet;
}

/**
 * The clients of a multi-client run (src/distributed/coordinator.ts): agent processes placed by an engine,
 * each preparing and measuring its share while this process coordinates and is the only writer of the store.
 */
export interface Fleet {
  /**
   * Before the run is recorded: launch the agents and wait for them to register. Throws UsageError (nothing
   * is written) when they cannot take part (another storbench version); a registration that timed out is
   * thrown by `prepare`, once the run is recorded.
   */
  admit(runId: string, base: string, signal: AbortSignal, onProgress?: (progress: Progress) => void): Promise<void>;
  /** Instead of prepare: each agent writes its share; resolves once all wait at the barrier. */
  prepare(signal: AbortSignal, onProgress?: (progress: Progress) => void): Promise<void>;
  /** Where the run measures: the agents, released together. */
  readonly placement: Placement;
  /** Facts for the run's environment (engine, clients, start skew...). */
  environment(): Environment;
  /** Caveats found while running (a start skew past its limit). */
  warnings(): Warning[];
  /** Each client's own figures and facts, once measured. */
  clients(measuredSeconds: number): RunClient[];
  /** Stop the agents and their launcher, whatever state the run is in; called once the run has ended. */
  close(): Promise<void>;
}

/** A finished run: its outcome and figures (the CLI prints them; src/cli/json-result.ts is its `--json` shape). */
export interface RunResult {
  readonly runId: string;
  readonly status: Exclude<RunStatus, 'running'>;
  readonly target: string;
  readonly workload: string;
  readonly system: string;
  readonly measuredSeconds: number;
  readonly error?: string;
  /** What became of the run's objects: `pending` or `failed` when some were left behind. */
  readonly cleanup: CleanupState;
  /** Set when the results could not be stored (a full disk): only this result holds them. */
  readonly storeError?: string;
  readonly ops: readonly OpResult[];
  /** What storbench itself cost while measuring (src/runner/client-cpu.ts). */
  readonly clientCpu?: ClientCpu;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The facts of the measuring host every run stores (a multi-client run's agents store their own). */
export function hostFacts(): Environment {
  return {
    host: hostname(),
    nodeVersion: process.version,
    storbenchVersion: STORBENCH_VERSION,
    // libuv's threadpool as this process has it (bin/storbench.cjs sizes it first, by src/threadpool's one rule)
    threadpoolSize: threadpoolInfo().size,
    cpus: availableParallelism(),
  };
}

/** Run one workload against one target. */
export async function runBenchmark(request: RunRequest): Promise<RunResult> {
  const { target, spec } = request;
  const sizes = parseSizeDistribution(spec.size);
  const driver = await createDriver({ target, concurrency: spec.concurrency, durable: spec.durable, threads: spec.threads });
  let fleet: Fleet | undefined;
  try {
    // Refused before open, which creates things: file:// its root, WebHDFS its directory, S3 its bucket...
    assertCapabilities(spec, sizes, driver.capabilities, driver.name);
    assertThreading(spec, driver);
    await openCreated(driver, target);
    // once open, the target's own default may choose a shared file, which needs capabilities of its own
    const largeFiles = chooseLargeFiles(spec, sizes, driver);
    assertCapabilities(largeFiles.spec, sizes, driver.capabilities, driver.name);
    const runId = newRunId();
    // the agents of a multi-client run register before anything is written: one that cannot take part is bad input
    fleet = request.fleet?.(driver, largeFiles.spec);
    if (fleet) await fleet.admit(runId, datasetBase(largeFiles.spec, runId), request.signal ?? new AbortController().signal, request.onProgress);
    const store = typeof request.store === 'function' ? request.store() : request.store;
    return await execute({ ...request, spec: largeFiles.spec, store }, driver, sizes, largeFiles.environment, runId, fleet);
  } finally {
    await fleet?.close();
    await driver.close().catch(() => undefined);
  }
}

type OpenRequest = RunRequest & { readonly store: ResultsStore };

async function execute(
  request: OpenRequest,
  driver: Driver,
  sizes: SizeDistribution,
  largeFiles: Environment,
  runId: string,
  fleet: Fleet | undefined,
): Promise<RunResult> {
  const { target, spec, store } = request;
  const base = datasetBase(spec, runId);
  const environment: Record<string, string | number | boolean> = {
    ...driver.environment(),
    ...hostFacts(),
    keyPrefix: `${base}/`,
    ...largeFiles,
  };
  const cleans = spec.cleanup && !spec.dataset;
  // objects of mem:// and null:// cannot outlive this process: none can be left behind
  const outlives = driver.capabilities.persistent && !driver.processLocal;
  let cleanup: CleanupState = !cleans ? 'kept' : outlives ? 'pending' : 'done';
  const warnings = driver.warnings?.() ?? [];
  try {
    store.createRun({
      id: runId,
      target: target.redacted,
      targetName: target.name,
      scheme: target.scheme,
      system: driver.system(),
      workload: spec.name,
      spec: spec as unknown as Record<string, unknown>,
      loadModel: spec.rate ? 'open' : 'closed',
      concurrency: spec.concurrency,
      ...(spec.rate ? { rate: spec.rate } : {}),
      seed: spec.seed,
      semantics: driver.semantics(),
      capabilities: driver.capabilities,
      environment,
      warnings,
      ...(spec.dataset ? { dataset: spec.dataset } : {}),
      ...(request.suiteId ? { suiteId: request.suiteId } : {}),
      ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
      ...(request.suiteBaseline !== undefined ? { suiteBaseline: request.suiteBaseline } : {}),
      startedAt: new Date().toISOString(),
      cleanup,
    });
  } catch (e) {
    throw new UsageError(`--db ${store.path}: cannot record the run (${messageOf(e)})`, 'STORBENCH_ERR_DATABASE');
  }

  const stop = new AbortController();
  const cancel = new AbortController();
  // every in-flight operation may listen on the cancel signal: as many listeners as workers
  setMaxListeners(spec.concurrency + 16, stop.signal, cancel.signal);
  const onAbort = () => stop.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  if (request.signal?.aborted) stop.abort();

  let status: Exclude<RunStatus, 'running'> = 'completed';
  let error: string | undefined;
  /** The host that wrote the dataset this read-only run reads (cache honesty). */
  let readOnlyFrom: string | undefined;
  let sets: Figures['sets'] = [];
  let measuredSeconds = 0;
  /** Process CPU (every thread) at the start and end of the measured window, µs; 0: not reached. */
  let cpuAtStart = 0;
  let cpuAtEnd = 0;
  try {
    // write bodies for prepare and measure alike (filling a 1 MiB block takes milliseconds)
    const payloads = new PayloadSource(spec.seed, spec.blockSize, spec.verify);
    if (fleet) await fleet.prepare(stop.signal, request.onProgress);
    const prepared = fleet
      ? { objects: spec.objects }
      : await prepare({ spec, driver, sizes, payloads, base, runId, stop: stop.signal, onProgress: request.onProgress });
    const objects = prepared.objects;
    readOnlyFrom = prepared.writtenBy !== undefined && !writesIn(spec) ? prepared.writtenBy : undefined;
    if (prepared.writtenBy) environment.datasetWrittenBy = prepared.writtenBy;
    if (stop.signal.aborted) throw new Interrupted();
    if (spec.dropCaches) {
      const drop = driver.dropCaches ? await driver.dropCaches() : { dropped: false, detail: `${driver.name}:// has no client cache to drop` };
      environment.cachesDropped = drop.dropped;
      environment.cacheDrop = drop.detail;
    }
    const extra = await request.beforeMeasure?.(driver);
    if (extra) Object.assign(environment, extra);
    const placement: Placement =
      fleet?.placement ??
      choosePlacement({ target, driver, spec, sizes, payloads, base, objects, stop: stop.signal, cancel: cancel.signal }, (facts) =>
        Object.assign(environment, facts),
      );
    // from the gate's opening: worker threads starting up (their drivers opening) are not measured work
    ({
      sets,
      measuredSeconds,
      cpuAtStartUs: cpuAtStart,
    } = await measure({
      runId,
      spec,
      store,
      placement,
      stop: stop.signal,
      cancel,
      onProgress: request.onProgress,
      environment,
    }));
    cpuAtEnd = cpuNow();
    if (spec.dataset && spec.writes === 'create' && spec.mix.write) await writeDatasetMarker(driver, spec, sets, objects);
    if (request.signal?.aborted) status = 'interrupted';
  } catch (e) {
    if (e instanceof Interrupted) {
      status = 'interrupted';
    } else {
      if (e instanceof FailedWithFigures) ({ sets, measuredSeconds } = e.figures);
      status = 'failed';
      error = redactString(e instanceof Error ? e.message : String(e), target.secrets);
    }
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
  if (status === 'interrupted') error ??= 'interrupted before the planned end; figures cover what was measured';

  // counters the driver kept while running (retries, failovers...) belong to the run, as `counters.<name>`
  for (const [name, n] of Object.entries(driver.counters?.() ?? {})) environment[`counters.${name}`] = n;
  let finalWarnings: readonly Warning[] = [...(driver.warnings?.() ?? []), ...(fleet?.warnings() ?? [])];
  if (fleet) Object.assign(environment, fleet.environment());
  if (readOnlyFrom !== undefined && readOnlyFrom !== hostname() && finalWarnings.some((w) => w.code === 'page-cache')) {
    // Reading with another client than the one that wrote: this host's page cache never held the data.
    finalWarnings = finalWarnings.filter((w) => w.code !== 'page-cache');
    environment.cacheHonesty = `read by another client: dataset ${spec.dataset} was written by host ${readOnlyFrom}, so this host's page cache never held it`;
  }
  const result = aggregate(sets, measuredSeconds, MIX_OPS);
  // the CPU is counted from the gate's opening, the operations from the warm-up's end: the warm-up's share goes
  const warmupShare = spec.ops === undefined && measuredSeconds > 0 ? measuredSeconds / (measuredSeconds + spec.warmup / 1000) : 1;
  // a multi-client run's clients report their own CPU (their environment); this process only coordinates
  const clientCpu = !fleet && cpuAtEnd > cpuAtStart ? clientCpuOf((cpuAtEnd - cpuAtStart) * warmupShare, measuredSeconds, result.ops) : undefined;
  if (clientCpu) Object.assign(environment, { clientCpuUsPerOp: clientCpu.usPerOp, clientCpuCores: clientCpu.cores });
  if (status === 'completed') ({ status, error } = judgeRun(result.ops, result.errors, measuredSeconds, spec.maxErrorRate));
  // The figures are stored before the cleanup, which can take long: a kill or a second Ctrl-C then leaves
  // the run with its figures and status, and only its cleanup `pending`.
  const storeError = storeOutcome(store, runId, {
    status,
    endedAt: new Date().toISOString(),
    measuredSeconds: Math.round(measuredSeconds * 1000) / 1000,
    ...(error ? { error } : {}),
    ops: result.ops,
    segments: result.segments,
    errors: result.errors,
    environment,
    warnings: finalWarnings,
    // a multi-client run's sets are its clients' threads: its breakdown is by client
    ...(fleet ? {} : { threads: perThread(sets, measuredSeconds, MIX_OPS) }),
  });
  if (fleet && !storeError) {
    try {
      store.recordClients(runId, fleet.clients(measuredSeconds));
    } catch {
      // the run and its merged figures are stored; only the per-client breakdown is missing
    }
  }
  if (cleans) {
    request.onProgress?.(progressOf(runId, 'cleanup', 0, 0, 0, 0));
    let cleanupError: string | undefined;
    try {
      await driver.deletePrefix(`${base}/`);
      cleanup = 'done';
    } catch (e) {
      cleanup = 'failed';
      cleanupError = `cleanup of ${base}/ failed: ${redactString(messageOf(e), target.secrets)}`;
      error = error ? `${error}; ${cleanupError}` : cleanupError;
    }
    try {
      store.setCleanup(runId, cleanup, cleanupError);
    } catch {
      // the store already failed (storeError says so), or the objects are gone and only the record says pending
    }
  }
  return {
    runId,
    status,
    target: target.redacted,
    workload: spec.name,
    system: driver.system(),
    measuredSeconds,
    ...(error ? { error } : {}),
    cleanup,
    ...(storeError ? { storeError } : {}),
    ops: result.ops,
    ...(clientCpu ? { clientCpu } : {}),
  };
}

/**
 * Store a run's outcome. When that fails (a full disk), try to record at least that it failed, which needs
 * less room (its figures then exist only in the returned result); returns why the figures were not stored.
 */
function storeOutcome(store: ResultsStore, runId: string, outcome: RunOutcome): string | undefined {
  try {
    store.finishRun(runId, outcome);
    return undefined;
  } catch (e) {
    const why = messageOf(e);
    try {
      store.finishRun(runId, {
        status: 'failed',
        endedAt: outcome.endedAt,
        measuredSeconds: outcome.measuredSeconds,
        ops: [],
        segments: [],
        errors: [],
        error: `its figures could not be stored (${why})${outcome.error ? `; ${outcome.error}` : ''}`,
      });
    } catch {
      // nothing more can be written: the next open marks the run interrupted, with the figures flushed while it ran
    }
    return why;
  }
}

class Interrupted extends Error {}
