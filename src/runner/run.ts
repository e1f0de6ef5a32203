/**
 * One benchmark run, start to finish: open the driver, check capabilities, record the run, prepare the
 * dataset, release all workers together, measure (storing the figures so far every second), drain, store
 * the results, clean up (recorded apart: a run killed during its cleanup keeps its figures and status).
 * Problems found before the run is recorded (bad target, unreachable endpoint, missing capability) are
 * thrown and nothing is written; anything after that ends as a stored run record.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism, hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { collect } from '../drivers/keys.js';
import { createDriver } from '../drivers/registry.js';
import { redactString, type Target } from '../drivers/target.js';
import { isStorageError, type Driver, type Environment } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import type { CleanupState, OpResult, ResultsStore, RunOutcome, RunStatus } from '../results/types.js';
import { STORBENCH_VERSION } from '../version.js';
import { parseSizeDistribution, type SizeDistribution } from '../workloads/sizes.js';
import { MIX_OPS, needsObjects, writesIn, type WorkloadSpec } from '../workloads/spec.js';
import { aggregate } from './aggregate.js';
import { assertCapabilities } from './capabilities.js';
import { KeySpace, loopKeySpace } from './keyspace.js';
import { chooseLargeFiles, sharedFileKey } from './large-files.js';
import { Recorder, type RecordSet } from './recorder.js';
import { runThreads } from './threads.js';
import { judgeRun } from './verdict.js';
import { runLoop, saltOf } from './workers.js';
import { PayloadSource } from '../workloads/payload.js';

export type Phase = 'prepare' | 'measure' | 'drain' | 'cleanup';

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
  readonly beforeMeasure?: (driver: Driver) => Promise<Readonly<Record<string, string | number | boolean>> | void>;
}

/** The result in the CLI's `--json` shape, plus the full per-operation results. */
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
  readonly results: readonly JsonOpResult[];
  readonly ops: readonly OpResult[];
}

export interface JsonOpResult {
  readonly op: string;
  readonly count: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly ttfbUs?: { readonly p50: number; readonly p99: number };
  readonly meanIoRateMibPerSec?: number;
}

/** What {@link newRunId} makes: a run's objects live under `storbench/<run id>/`, a single folder. */
export const RUN_ID_FORMAT = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A run id that sorts by time and reads well: `20261126-081502-3fa9`. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

const DRAIN_TIMEOUT_MS = 30_000;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function toJsonResult(r: OpResult): JsonOpResult {
  const { p50, p90, p99, p999, max } = r.latencyUs;
  return {
    op: r.op, count: r.count, errors: r.errors, opsPerSec: r.opsPerSec, mibPerSec: r.mibPerSec,
    latencyUs: { p50, p90, p99, p999, max },
    ...(r.ttfbUs ? { ttfbUs: { p50: r.ttfbUs.p50, p99: r.ttfbUs.p99 } } : {}),
    ...(r.meanIoRateMibPerSec !== undefined ? { meanIoRateMibPerSec: r.meanIoRateMibPerSec } : {}),
  };
}

/** Open the driver of `target`, mapping a failure to a clear "unreachable" error. */
export async function openDriver(target: Target, concurrency: number, durable = false): Promise<Driver> {
  return openCreated(await createDriver({ target, concurrency, durable }), target);
}

async function openCreated(driver: Driver, target: Target): Promise<Driver> {
  try {
    await driver.open();
  } catch (e) {
    await driver.close().catch(() => undefined);
    // one line, whatever the driver's error says (an SDK's message may embed a stack trace)
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
    throw new UsageError(`target ${target.redacted}: cannot open it (${redactString(why, target.secrets)})`, 'STORBENCH_ERR_UNREACHABLE');
  }
  return driver;
}

/** Run one workload against one target. */
export async function runBenchmark(request: RunRequest): Promise<RunResult> {
  const { target, spec } = request;
  const sizes = parseSizeDistribution(spec.size);
  const driver = await createDriver({ target, concurrency: spec.concurrency, durable: spec.durable });
  try {
    // Refused before open, which creates things: file:// its root, WebHDFS its directory, S3 its bucket...
    assertCapabilities(spec, sizes, driver.capabilities, driver.name);
    assertThreading(spec, driver);
    await openCreated(driver, target);
    // once open, the target's own default may choose a shared file, which needs capabilities of its own
    const largeFiles = chooseLargeFiles(spec, sizes, driver);
    assertCapabilities(largeFiles.spec, sizes, driver.capabilities, driver.name);
    const store = typeof request.store === 'function' ? request.store() : request.store;
    return await execute({ ...request, spec: largeFiles.spec, store }, driver, sizes, largeFiles.environment);
  } finally {
    await driver.close().catch(() => undefined);
  }
}

type OpenRequest = RunRequest & { readonly store: ResultsStore };

async function execute(request: OpenRequest, driver: Driver, sizes: SizeDistribution, largeFiles: Environment): Promise<RunResult> {
  const { target, spec, store } = request;
  const runId = newRunId();
  const base = spec.dataset ? `storbench/datasets/${spec.dataset}` : `storbench/${runId}`;
  const environment: Record<string, string | number | boolean> = {
    ...driver.environment(),
    host: hostname(),
    nodeVersion: process.version,
    storbenchVersion: STORBENCH_VERSION,
    threadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    cpus: availableParallelism(),
    keyPrefix: `${base}/`,
    ...largeFiles,
  };
  const cleans = spec.cleanup && !spec.dataset;
  // objects of mem:// and null:// cannot outlive this process: none can be left behind
  const outlives = driver.capabilities.persistent && !driver.processLocal;
  let cleanup: CleanupState = !cleans ? 'kept' : outlives ? 'pending' : 'done';
  try {
    store.createRun({
      id: runId, target: target.redacted, targetName: target.name, scheme: target.scheme, system: driver.system(),
      workload: spec.name, spec: spec as unknown as Record<string, unknown>, loadModel: spec.rate ? 'open' : 'closed',
      concurrency: spec.concurrency, ...(spec.rate ? { rate: spec.rate } : {}), seed: spec.seed,
      semantics: driver.semantics(), capabilities: driver.capabilities, environment,
      ...(spec.dataset ? { dataset: spec.dataset } : {}),
      ...(request.suiteId ? { suiteId: request.suiteId } : {}),
      ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
      ...(request.suiteBaseline !== undefined ? { suiteBaseline: request.suiteBaseline } : {}),
      startedAt: new Date().toISOString(), cleanup,
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
  let sets: RecordSet[] = [];
  let measuredSeconds = 0;
  try {
    // write bodies for prepare and measure alike (filling a 1 MiB block takes milliseconds)
    const payloads = new PayloadSource(spec.seed, spec.blockSize, spec.verify);
    const prepared = await prepare(request, driver, sizes, payloads, base, runId, stop.signal);
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
    ({ sets, measuredSeconds } = await measure(request, driver, sizes, payloads, base, objects, runId, stop, cancel, environment));
    if (spec.dataset && spec.writes === 'create' && spec.mix.write) await writeDatasetMarker(driver, spec, sets, objects);
    if (request.signal?.aborted) status = 'interrupted';
  } catch (e) {
    if (e instanceof Interrupted) {
      status = 'interrupted';
    } else {
      status = 'failed';
      error = redactString(e instanceof Error ? e.message : String(e), target.secrets);
    }
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
  if (status === 'interrupted') error ??= 'interrupted before the planned end; figures cover what was measured';

  // counters the driver kept while running (retries, failovers...) belong to the run
  Object.assign(environment, driver.environment());
  if (readOnlyFrom !== undefined && readOnlyFrom !== hostname() && environment.cacheWarning) {
    // Reading with another client than the one that wrote: this host's page cache never held the data.
    delete environment.cacheWarning;
    environment.cacheHonesty = `read by another client: dataset ${spec.dataset} was written by host ${readOnlyFrom}, so this host's page cache never held it`;
  }
  const result = aggregate(sets, measuredSeconds, MIX_OPS);
  if (status === 'completed') ({ status, error } = judgeRun(result.ops, result.errors, measuredSeconds, spec.maxErrorRate));
  // The figures are stored before the cleanup, which can take long: a kill or a second Ctrl-C then leaves
  // the run with its figures and status, and only its cleanup `pending`.
  const storeError = storeOutcome(store, runId, {
    status, endedAt: new Date().toISOString(), measuredSeconds: Math.round(measuredSeconds * 1000) / 1000,
    ...(error ? { error } : {}), ops: result.ops, segments: result.segments, errors: result.errors, environment,
  });
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
    runId, status, target: target.redacted, workload: spec.name, system: driver.system(), measuredSeconds,
    ...(error ? { error } : {}), cleanup, ...(storeError ? { storeError } : {}), results: result.ops.map(toJsonResult), ops: result.ops,
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
        status: 'failed', endedAt: outcome.endedAt, measuredSeconds: outcome.measuredSeconds, ops: [], segments: [], errors: [],
        error: `its figures could not be stored (${why})${outcome.error ? `; ${outcome.error}` : ''}`,
      });
    } catch {
      // nothing more can be written: the next open marks the run interrupted, with the figures flushed while it ran
    }
    return why;
  }
}

class Interrupted extends Error {}

function progressOf(runId: string, phase: Phase, elapsedS: number, totalS: number, done: number, planned: number): Progress {
  return { runId, phase, elapsedS, totalS, done, planned, opsPerSec: 0, mibPerSec: 0, errors: 0, p99Us: 0 };
}

interface DatasetMarker {
  objects: number; size: string; seed: number; groupSize: number; largeFiles?: WorkloadSpec['largeFiles'];
  /** Host that wrote the objects: a run on another host reads them past its own page cache. */
  writtenBy?: string;
}

/** The marker of a dataset of `objects` objects written by this host with `spec`. */
function markerOf(spec: WorkloadSpec, objects: number): DatasetMarker {
  return { objects, size: spec.size, seed: spec.seed, groupSize: spec.groupSize, largeFiles: spec.largeFiles, writtenBy: hostname() };
}

/**
 * The marker lives inside the dataset's own prefix, so a run writes nothing outside it. No generated key is
 * `_dataset.json` (groups and indices are numbers, the shared file is `shared-file`), and every system takes
 * the name unescaped (`#` would need escaping on file:// and in WebHDFS URLs); its leading `_` makes Hadoop and
 * Spark input formats skip it, as they skip `_SUCCESS`. A `list` or `scan` of the dataset sees one more object.
 */
const markerKey = (name: string) => `storbench/datasets/${name}/_dataset.json`;
/** The marker's old place, beside the dataset (where a user's file may be): read for datasets prepared there, never written. */
const oldMarkerKey = (name: string) => `storbench/datasets/${name}.json`;

/** The dataset's marker; for a dataset prepared by an older storbench, the one it left beside the dataset. */
async function readMarker(driver: Driver, name: string): Promise<DatasetMarker | undefined> {
  return await readMarkerAt(driver, markerKey(name)) ?? readMarkerAt(driver, oldMarkerKey(name));
}

async function readMarkerAt(driver: Driver, key: string): Promise<DatasetMarker | undefined> {
  try {
    const { body } = await driver.read(key);
    return JSON.parse((await collect(body)).toString('utf8')) as DatasetMarker;
  } catch (e) {
    if (isStorageError(e, 'NotFound') || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

async function writeDatasetMarker(driver: Driver, spec: WorkloadSpec, sets: readonly RecordSet[], objects: number): Promise<void> {
  const created = sets.flatMap((s) => s.ops).filter((o) => o.op === 'write').reduce((n, o) => n + o.count, 0);
  await driver.write(markerKey(spec.dataset!), Buffer.from(JSON.stringify(markerOf(spec, objects + created))));
}

/**
 * Write the objects the measured phase reads, unless a matching named dataset is already there.
 * `writtenBy`: the host that wrote a dataset found in place (absent when this run wrote it, or unknown).
 */
async function prepare(
  request: OpenRequest, driver: Driver, sizes: SizeDistribution, payloads: PayloadSource, base: string, runId: string, stop: AbortSignal,
): Promise<{ objects: number; writtenBy?: string }> {
  const { spec } = request;
  if (!needsObjects(spec) || spec.objects === 0) return { objects: 0 };
  if (spec.dataset) {
    const marker = await readMarker(driver, spec.dataset);
    if (marker && marker.objects >= spec.objects && marker.size === spec.size && marker.seed === spec.seed && marker.groupSize === spec.groupSize
      && (marker.largeFiles ?? 'per-worker') === spec.largeFiles) {
      return { objects: spec.objects, ...(marker.writtenBy ? { writtenBy: marker.writtenBy } : {}) };
    }
  }
  if (!spec.prepare) {
    throw new UsageError(`workload ${spec.name}: prepare is off but ${base}/ holds no matching dataset of ${spec.objects} objects`);
  }
  const keys = new KeySpace(base, spec.objects, 0, 1, spec.groupSize, 0);
  const shared = spec.largeFiles === 'shared' ? sharedFileKey(base) : undefined;
  let next = 0;
  let done = 0;
  let firstError: unknown;
  const t0 = performance.now();
  const timer = setInterval(() => {
    request.onProgress?.({ ...progressOf(runId, 'prepare', (performance.now() - t0) / 1000, 0, done, spec.objects) });
  }, 1000);
  try {
    await Promise.all(Array.from({ length: Math.min(spec.concurrency, spec.objects) }, async () => {
      while (next < spec.objects && firstError === undefined && !stop.aborted) {
        const i = next++;
        const size = sizes.sizeOf(spec.seed, i);
        try {
          const body = payloads.body(saltOf(spec.seed, i), size);
          await (shared ? driver.writeAt!(shared, i * size, body, { size }) : driver.write(keys.key(i), body, { size }));
          done++;
        } catch (e) {
          firstError ??= e;
        }
      }
    }));
  } finally {
    clearInterval(timer);
  }
  if (firstError !== undefined) {
    throw new Error(`prepare: writing the dataset failed: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  }
  if (spec.dataset && !stop.aborted) {
    await driver.write(markerKey(spec.dataset), Buffer.from(JSON.stringify(markerOf(spec, spec.objects))));
  }
  return { objects: spec.objects };
}

/** Probe length and threshold of `threads: auto`. */
const PROBE_MS = 1000;
const SATURATED_UTILIZATION = 0.9;
/** Shorter runs stay on one event loop: after a probe and a fan-out too little would be left to measure. */
const AUTO_MIN_DURATION_MS = 5000;

/** A measuring loop being run, on the main thread or on worker threads. */
interface Running {
  readonly live: () => { ops: number; bytes: number; errors: number; p99Us: number };
  readonly done: Promise<{ sets: RecordSet[]; measuredSeconds: number }>;
  /** Resolves once all workers were released together. */
  readonly released: Promise<unknown>;
  /** What was measured so far (threads: up to a second old), stored every second. */
  readonly partial: () => { sets: RecordSet[]; measuredSeconds: number };
  /** Main thread only: what was measured, exactly (after a drain timeout). */
  readonly snapshot?: () => { sets: RecordSet[]; measuredSeconds: number };
  /** Threads only: terminate them (operations hung past the drain). */
  readonly abandon?: () => Promise<void>;
}

/** Most threads a run may use (the workload schema's limit). */
const MAX_THREADS = 64;

/** A blocking driver holds its thread for each call: it needs one worker per thread, or its concurrency is fake. */
function assertThreading(spec: WorkloadSpec, driver: Driver): void {
  if (!driver.blocking) return;
  if (spec.concurrency > MAX_THREADS) {
    throw new UsageError(`concurrency: ${driver.name}:// with blocking calls runs one worker per thread, at most ${MAX_THREADS} (asked for ${spec.concurrency})`);
  }
  if (spec.threads !== 'auto' && spec.threads < spec.concurrency) {
    throw new UsageError(`threads: ${driver.name}:// with blocking calls runs one worker per thread: give --threads ${spec.concurrency} (or auto) for --concurrency ${spec.concurrency}`);
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

async function measure(
  request: OpenRequest, driver: Driver, sizes: SizeDistribution, payloads: PayloadSource, base: string, objects: number, runId: string,
  stop: AbortController, cancel: AbortController, environment: Record<string, string | number | boolean>,
): Promise<{ sets: RecordSet[]; measuredSeconds: number }> {
  const { spec, store, target } = request;
  // The run's clock. A run that measures on threads from the start restarts it as their gate opens, so the
  // threads' start-up (each loads its modules and opens its driver) is not taken out of --duration.
  let start = 0, warmupEndMs = 0, stopMs = 0;
  const startClock = () => {
    start = performance.now();
    warmupEndMs = start + spec.warmup;
    stopMs = spec.ops !== undefined ? Infinity : warmupEndMs + spec.duration;
  };
  startClock();
  /** Seconds the main thread's loop has measured: from the warm-up's end to now, or to the planned stop. */
  const measuredOnMainThread = () => Math.max(0, Math.min(performance.now(), stopMs) - Math.max(start, warmupEndMs)) / 1000;
  const totalS = spec.ops !== undefined ? 0 : (spec.warmup + spec.duration) / 1000;
  const elu0 = performance.eventLoopUtilization();

  /** The measuring loop on this thread. */
  const onMainThread = (loopStop: AbortSignal): Running => {
    const recorder = new Recorder(target.secrets);
    const keys = loopKeySpace(base, objects, spec, 0, 1, spec.concurrency);
    const soFar = () => ({ sets: [recorder.snapshot()], measuredSeconds: measuredOnMainThread() });
    return {
      live: () => recorder.totals(),
      partial: soFar,
      snapshot: soFar,
      released: Promise.resolve(),
      done: runLoop({
        driver, spec, sizes, keys, recorder, workers: spec.concurrency, stream: 0,
        ...(spec.rate ? { rate: spec.rate } : {}), ...(spec.ops !== undefined ? { opsBudget: spec.ops } : {}),
        warmupEndMs, stopMs, stop: loopStop, cancel: cancel.signal, payloads,
      }).then(soFar),
    };
  };
  /** `n` worker threads, started (their drivers opened) but waiting at the gate until `go`. */
  const startThreads = (n: number) => {
    const threads = runThreads({ target, spec, base, objects, threads: n, stop: stop.signal });
    let release!: () => void;
    let measuring = false;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const running: Running = {
      live: threads.totals, done: threads.done, released: Promise.race([released, threads.done]), abandon: threads.abandon,
      partial: () => (measuring ? { sets: threads.partial(), measuredSeconds: measuredOnMainThread() } : { sets: [], measuredSeconds: 0 }),
    };
    // observed through `running` when the threads measure; dropped when the run stays on one event loop
    threads.done.catch(() => undefined);
    running.released.catch(() => undefined);
    /** Open the gate: the threads measure from now until the run's end (the clock restarted just before). */
    const go = (): Running => {
      measuring = true;
      const now = performance.now();
      threads.start({ warmupMs: Math.max(0, warmupEndMs - now), stopMs: stopMs === Infinity ? undefined : Math.max(0, stopMs - now) });
      release();
      return running;
    };
    return { ready: threads.ready, go, running };
  };
  /** The measuring loop on `n` worker threads, released as soon as they are ready. */
  const onThreads = (n: number): Running => {
    const fan = startThreads(n);
    fan.ready.then(() => { startClock(); fan.go(); }, () => undefined); // a thread that fails to start fails `done`
    return fan.running;
  };

  /** Where the run measures: decided at once, or after the probe of `threads: auto`. */
  const choose = async (): Promise<Running> => {
    if (spec.threads !== 'auto') {
      environment.threads = Math.min(spec.threads, spec.concurrency);
      return (current = spec.threads > 1 ? onThreads(spec.threads) : onMainThread(stop.signal));
    }
    if (driver.blocking) {
      const n = spec.concurrency;
      environment.threads = n;
      environment.threadsChoice = `auto: ${driver.name}:// makes blocking calls, so one thread per worker (${n}), like fio's jobs`;
      return (current = n > 1 ? onThreads(n) : onMainThread(stop.signal));
    }
    const cores = availableParallelism();
    const refusal = autoThreadsRefusal(spec, driver, cores);
    environment.threads = 1;
    environment.threadsChoice = `auto: one event loop (${refusal ?? 'not saturated'})`;
    if (refusal) return (current = onMainThread(stop.signal));
    // Probe: the first second runs on this event loop. When it saturates, its operations become warm-up, the
    // loop stops, and worker threads (one per core) measure the rest of the run.
    const probeStop = new AbortController();
    const forwardStop = () => probeStop.abort();
    stop.signal.addEventListener('abort', forwardStop, { once: true });
    const probe = (current = onMainThread(probeStop.signal));
    const probeElu0 = performance.eventLoopUtilization();
    let probeTimer: NodeJS.Timeout | undefined;
    const utilization = await Promise.race([probe.done.then(() => undefined), new Promise<number>((resolve) => {
      probeTimer = setTimeout(() => resolve(performance.eventLoopUtilization(probeElu0).utilization), PROBE_MS);
    })]);
    clearTimeout(probeTimer);
    if (utilization === undefined || stop.signal.aborted) return probe; // ended (or stopped) within the probe
    const saturated = `utilization ${utilization.toFixed(2)} in a ${PROBE_MS / 1000}s probe`;
    if (utilization < SATURATED_UTILIZATION) {
      environment.threadsChoice = `auto: one event loop (${saturated})`;
      return probe;
    }
    // The probe goes on measuring while the threads start; it stops only once they all have their drivers
    // open. If one cannot start (the storage went away, say), the run simply stays on this event loop.
    const n = Math.min(cores, spec.concurrency);
    const fan = startThreads(n);
    const failure = await fan.ready.then(() => undefined, (e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (failure !== undefined || stop.signal.aborted) {
      if (failure !== undefined) {
        environment.threadsChoice = `auto: the event loop saturated (${saturated}), but threads could not start `
          + `(${redactString(failure, target.secrets)}): stayed on one event loop`;
      }
      return probe;
    }
    probeStop.abort();
    await probe.done;
    stop.signal.removeEventListener('abort', forwardStop);
    environment.threads = n;
    environment.threadsChoice = `auto: the event loop saturated (${saturated}): ${n} threads measured the whole run from `
      + 'their start; the operations of one event loop until then were not counted';
    // The clock restarts as the threads start, as with --threads N: the probe and the threads' start-up (seconds
    // on a loaded machine) are not taken out of --duration.
    startClock();
    return (current = fan.go());
  };
  let current: Running | undefined;
  const chosen = choose();
  const live = () => current?.live() ?? { ops: 0, bytes: 0, errors: 0, p99Us: 0 };
  const done = chosen.then((r) => r.done);
  const released = chosen.then((r) => r.released);

  let last = { ops: 0, bytes: 0, at: start };
  // Segments are stored from the latest second stored before on (it may have grown): a flush stays small
  // however long the run. A new loop (threads after the probe) counts its seconds from 0 again.
  let flushed: { running: Running | undefined; second: number } = { running: undefined, second: 0 };
  /** Store the figures so far, so that a run killed now keeps them. */
  const flush = (now: number, t: ReturnType<typeof live>) => {
    const { sets, measuredSeconds } = current?.partial() ?? { sets: [], measuredSeconds: 0 };
    const figures = aggregate(sets, measuredSeconds, MIX_OPS);
    const from = flushed.running === current ? flushed.second : 0;
    const segments = figures.segments.filter((x) => x.second >= from);
    store.recordProgress(runId, segments, { elapsedS: Math.round((now - start) / 100) / 10, totalS, ops: t.ops, errors: t.errors, p99Us: t.p99Us }, {
      measuredSeconds: Math.round(measuredSeconds * 1000) / 1000, ops: figures.ops, errors: figures.errors,
    });
    flushed = { running: current, second: Math.max(from, ...segments.map((x) => x.second)) };
  };
  const tick = () => {
    const now = performance.now();
    const t = live();
    const dt = (now - last.at) / 1000 || 1;
    request.onProgress?.({
      runId, phase: stopMs !== Infinity && now >= stopMs ? 'drain' : 'measure', elapsedS: (now - start) / 1000, totalS,
      done: t.ops, planned: spec.ops ?? 0, opsPerSec: (t.ops - last.ops) / dt, mibPerSec: (t.bytes - last.bytes) / 1048576 / dt,
      errors: t.errors, p99Us: t.p99Us,
    });
    try {
      flush(now, t);
    } catch {
      // The database cannot take it now (a full disk): the run goes on, and its end is stored if it can be.
    }
    last = { ops: t.ops, bytes: t.bytes, at: now };
  };
  const timer = setInterval(tick, 1000);
  // Operations still in flight DRAIN_TIMEOUT_MS after the end (or after Ctrl-C) are cancelled and abandoned,
  // so a hung server cannot hang the run.
  let deadline: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  const drained = new Promise<'timeout'>((resolve) => {
    const arm = () => { drainTimer ??= setTimeout(() => { cancel.abort(); resolve('timeout'); }, DRAIN_TIMEOUT_MS); };
    if (stop.signal.aborted) arm();
    else stop.signal.addEventListener('abort', arm, { once: true });
    if (stopMs !== Infinity) {
      released.then(() => { deadline = setTimeout(arm, Math.max(0, stopMs - performance.now())); }, () => undefined);
    }
  });
  try {
    const outcome = await Promise.race([done, drained]);
    const elu = performance.eventLoopUtilization(elu0);
    environment.eventLoopUtilization = Math.round(elu.utilization * 1000) / 1000;
    if (outcome !== 'timeout') return outcome;
    environment.drainTimedOut = true;
    const snapshot = current?.snapshot;
    // not awaited: a thread blocked in a system call exits only when the call returns
    current?.abandon?.().catch(() => undefined);
    if (!snapshot) throw new Error(`operations still in flight ${DRAIN_TIMEOUT_MS / 1000}s after the end were abandoned`);
    return snapshot();
  } finally {
    clearInterval(timer);
    if (deadline) clearTimeout(deadline);
    if (drainTimer) clearTimeout(drainTimer);
  }
}
