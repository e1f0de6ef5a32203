/** The results store on SQLite (better-sqlite3 12): WAL mode, numbered migrations, batched writes. */

import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Warning } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import { migrations } from './migrations.js';
import type {
  CleanupState,
  ClientStatus,
  ErrorSample,
  JobRecord,
  LatencySummary,
  NewJob,
  NewRun,
  NewSchedule,
  OpResult,
  PartialResults,
  ResultsStore,
  RunClient,
  RunDetail,
  RunFilter,
  RunOutcome,
  RunRecord,
  RunSort,
  RunSummary,
  ScheduleRecord,
  Segment,
} from './types.js';

/** The ORDER BY of each runs-list sort (figures over a run's operations: one indexed lookup per run). */
const SORT_SQL: Readonly<Record<RunSort, string>> = {
  started: 'started_at',
  target: 'target_name COLLATE NOCASE',
  system: 'system',
  workload: 'workload',
  status: 'status',
  opsPerSec: '(SELECT sum(ops_per_sec) FROM run_ops o WHERE o.run_id = runs.id)',
  p99Us: "(SELECT max(json_extract(latency_json, '$.p99')) FROM run_ops o WHERE o.run_id = runs.id)",
  measured: 'measured_seconds',
};

/** Default location of the results database. */
export const DEFAULT_DB_PATH = 'results/storbench.db';

/** The ids of runs starting with a prefix (the two bounds of {@link idPrefixRange}, then a limit): an index range search. */
export const RUN_ID_PREFIX_SQL = 'SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT ?';

/** Every id starting with `prefix` sorts in [prefix, prefix + U+10FFFF): SQLite compares TEXT bytewise, ids are ASCII. */
const idPrefixRange = (prefix: string): [string, string] => [prefix, `${prefix}\u{10FFFF}`];

type Row = Record<string, unknown>;

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(v: unknown): T | undefined => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined);
const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

function rowToRun(r: Row): RunRecord {
  return {
    id: r.id as string,
    status: r.status as RunRecord['status'],
    cleanup: r.cleanup as CleanupState,
    target: r.target as string,
    targetName: r.target_name as string,
    scheme: r.scheme as string,
    system: r.system as string,
    workload: r.workload as string,
    spec: parse(r.spec_json) ?? {},
    loadModel: r.load_model as 'closed' | 'open',
    concurrency: r.concurrency as number,
    ...opt('rate', r.rate as number | null),
    seed: r.seed as number,
    semantics: parse(r.semantics_json)!,
    capabilities: parse(r.capabilities_json)!,
    environment: parse(r.environment_json) ?? {},
    warnings: parse<Warning[]>(r.warnings_json) ?? [],
    ...opt('dataset', r.dataset as string | null),
    ...opt('suiteId', r.suite_id as string | null),
    ...opt('suiteBaseline', r.suite_baseline as string | null),
    ...opt('scheduleId', r.schedule_id as string | null),
    startedAt: r.started_at as string,
    ...opt('endedAt', r.ended_at as string | null),
    ...opt('measuredSeconds', r.measured_seconds as number | null),
    ...opt('error', r.error as string | null),
    host: r.host as string,
    pid: r.pid as number,
    ...opt('progress', parse<Record<string, number>>(r.progress_json)),
    ...opt('regression', parse<Record<string, unknown>>(r.regression_json)),
  };
}

function rowToOp(r: Row, withHistograms: boolean): OpResult {
  return {
    op: r.op as string,
    count: r.count as number,
    errors: r.errors as number,
    errorsByKind: parse(r.errors_json) ?? {},
    bytes: r.bytes as number,
    items: r.items as number,
    opsPerSec: r.ops_per_sec as number,
    mibPerSec: r.mib_per_sec as number,
    latencyUs: parse(r.latency_json)!,
    ...opt('serviceUs', parse<LatencySummary>(r.service_json)),
    ...opt('ttfbUs', parse<LatencySummary>(r.ttfb_json)),
    ...opt('meanIoRateMibPerSec', r.mean_io_rate as number | null),
    histogram: withHistograms ? (r.histogram as string) : '',
    ...(withHistograms ? opt('serviceHistogram', r.service_histogram as string | null) : {}),
    ...(withHistograms ? opt('ttfbHistogram', r.ttfb_histogram as string | null) : {}),
  };
}

function rowToSchedule(r: Row): ScheduleRecord {
  return {
    id: r.id as string,
    cron: r.cron as string,
    suite: parse(r.suite_json)!,
    enabled: r.enabled === 1,
    missed: r.missed as ScheduleRecord['missed'],
    thresholds: parse(r.thresholds_json)!,
    ...opt('webhook', r.webhook as string | null),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    ...opt('lastDueAt', r.last_due_at as string | null),
  };
}

function rowToJob(r: Row): JobRecord {
  return {
    id: r.id as number,
    scheduleId: r.schedule_id as string,
    trigger: r.trigger as JobRecord['trigger'],
    dueAt: r.due_at as string,
    startedAt: r.started_at as string,
    ...opt('endedAt', r.ended_at as string | null),
    status: r.status as JobRecord['status'],
    ...opt('reason', r.reason as string | null),
    targets: parse(r.targets_json) ?? [],
    ...opt('suiteId', r.suite_id as string | null),
    host: r.host as string,
    pid: r.pid as number,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How a command opens the results database. */
export interface OpenOptions {
  /**
   * `create`: create the database (and its directory) when missing. `existing`: it must exist. `read`: it
   * must exist, and the command only reads it; where it cannot be opened for writing (read-only media, no
   * write permission), an in-memory copy of the file is read instead.
   * @default 'create'
   */
  readonly mode?: 'create' | 'existing' | 'read';
}

/**
 * Open (creating and migrating when needed) the results database at `path` (`:memory:` for tests).
 * @throws UsageError (`--db PATH: reason`) when the path cannot hold a database, or (mode `existing` or
 * `read`) when there is no database there: a read never creates one.
 */
export function openStore(path: string = DEFAULT_DB_PATH, options: OpenOptions = {}): ResultsStore {
  if (path === ':memory:') return open(new Database(path), path, true);
  const mode = options.mode ?? 'create';
  const found = checkPath(path, mode);
  const madeDir = found ? undefined : makeDirectory(path);
  try {
    return retryWhileBusy(() => open(new Database(path), path, true));
  } catch (e) {
    if (!found) removeEmptyDatabase(path, madeDir);
    if (mode === 'read' && isWriteRefused(e)) {
      try {
        return open(readCopy(path), path, false);
      } catch (copyError) {
        throw databaseError(path, copyError);
      }
    }
    throw databaseError(path, e);
  }
}

/** Whether a database is at `path` (a missing one is allowed in `create` mode only). */
function checkPath(path: string, mode: NonNullable<OpenOptions['mode']>): boolean {
  let stat;
  try {
    stat = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw databaseError(path, e);
  }
  if (stat?.isDirectory()) throw new UsageError(`--db ${path}: is a directory`, 'STORBENCH_ERR_DATABASE');
  if (stat && !stat.isFile()) throw new UsageError(`--db ${path}: not a regular file`, 'STORBENCH_ERR_DATABASE');
  if (!stat && mode !== 'create') throw new UsageError(`--db ${path}: no database there (no runs yet)`, 'STORBENCH_ERR_NOT_FOUND');
  return stat !== undefined;
}

/** Create the database's directory; returns the first directory created, if any. */
function makeDirectory(path: string): string | undefined {
  try {
    return mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new UsageError(`--db ${path}: cannot create its directory (${(e as Error).message})`, 'STORBENCH_ERR_DATABASE');
  }
}

/**
 * A database this process failed to create leaves nothing behind: an empty file (a full disk) and the
 * directories made for it. A file with content may be another process's new database: it stays.
 */
function removeEmptyDatabase(path: string, madeDir: string | undefined): void {
  try {
    if (statSync(path).size > 0) return;
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  } catch {
    // no file was created
  }
  if (!madeDir) return;
  const top = resolve(madeDir);
  for (let dir = resolve(dirname(path)); ; dir = dirname(dir)) {
    try {
      rmdirSync(dir); // only when empty
    } catch {
      return;
    }
    if (dir === top) return;
  }
}

const WRITE_REFUSED = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_PERM', 'SQLITE_AUTH']);
const isWriteRefused = (e: unknown): boolean => WRITE_REFUSED.has((e as { code?: string }).code ?? '');

/**
 * The database file as an in-memory database. A WAL database cannot be opened where its `-shm` file
 * cannot be created (read-only media), even read-only; in rollback mode (header bytes 18-19) the same
 * pages read fine. Commits still only in a `-wal` file beside it are not seen.
 */
function readCopy(path: string): Database.Database {
  const image = readFileSync(path);
  if (image.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') throw new Error('file is not a database');
  image[18] = 1;
  image[19] = 1;
  return new Database(image);
}

/** How many times opening is tried while other processes set up the same new database. */
const BUSY_ATTEMPTS = 10;

/** Retry on SQLITE_BUSY (the busy timeout does not cover every lock taken while a database is set up). */
function retryWhileBusy<T>(f: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return f();
    } catch (e) {
      if (!String((e as { code?: string }).code).startsWith('SQLITE_BUSY') || attempt === BUSY_ATTEMPTS) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 * attempt + Math.random() * 20);
    }
  }
}

const FS_REASONS: Readonly<Record<string, string>> = { EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'not permitted' };

/** A one-line `--db` error; "unable to open" gets the file system's reason when it has one. */
function databaseError(path: string, e: unknown): UsageError {
  let reason = e instanceof Error ? e.message : String(e);
  if ((e as { code?: string }).code === 'SQLITE_CANTOPEN') {
    try {
      accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
    } catch (denied) {
      const code = (denied as NodeJS.ErrnoException).code ?? '';
      reason += ` (${FS_REASONS[code] ?? code})`;
    }
  }
  return new UsageError(`--db ${path}: ${reason}`, 'STORBENCH_ERR_DATABASE');
}

/**
 * Bring the schema up to date in one write transaction. BEGIN IMMEDIATE takes the write lock first, and
 * the version is read again under it: processes opening a new database at once migrate it once.
 */
function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() >= migrations.length) return;
  db.pragma('foreign_keys = OFF'); // a no-op inside a transaction: see migrations.ts
  try {
    db.transaction(() => {
      for (let i = version(); i < migrations.length; i++) {
        db.exec(migrations[i]!);
        db.pragma(`user_version = ${i + 1}`);
      }
      if ((db.pragma('foreign_key_check') as unknown[]).length) throw new Error('a migration broke a foreign key');
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

/** Set up `db` (closed again when that fails) and build the store on it. `wal`: false for an in-memory copy. */
function open(db: Database.Database, path: string, wal: boolean): ResultsStore {
  try {
    db.pragma('busy_timeout = 5000');
    if (wal) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    const store = storeOn(db, path);
    store.recoverInterrupted();
    return store;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** A row of run_segments as `getSegments` reads it: the columns of a {@link Segment}, in its order. */
type SegmentRow = [number, string, number, number, number, number, number, number | null, number | null];

function storeOn(db: Database.Database, path: string): ResultsStore {
  const host = hostname();
  // PRAGMA data_version changes on commits by OTHER connections only; writes through this one are counted here.
  let localWrites = 0;
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const insertRun = db.prepare(`INSERT INTO runs (id, status, target, target_name, scheme, system, workload, spec_json,
    load_model, concurrency, rate, seed, semantics_json, capabilities_json, environment_json, warnings_json, dataset,
    suite_id, suite_baseline, schedule_id, started_at, host, pid, cleanup) VALUES (@id, 'running', @target, @targetName,
    @scheme, @system, @workload, @spec, @loadModel, @concurrency, @rate, @seed, @semantics, @capabilities, @environment,
    @warnings, @dataset, @suiteId, @suiteBaseline, @scheduleId, @startedAt, @host, @pid, @cleanup)`);
  const upsertSegment = db.prepare(`INSERT INTO run_segments (run_id, second, op, ops, bytes, errors, latency_sum_us,
    latency_max_us, latency_p50_us, latency_p99_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, second, op)
    DO UPDATE SET ops = excluded.ops, bytes = excluded.bytes, errors = excluded.errors, latency_sum_us = excluded.latency_sum_us,
    latency_max_us = excluded.latency_max_us, latency_p50_us = excluded.latency_p50_us, latency_p99_us = excluded.latency_p99_us`);
  const setProgress = db.prepare(`UPDATE runs SET progress_json = ?, measured_seconds = coalesce(?, measured_seconds) WHERE id = ?`);
  const setOutcome = db.prepare(`UPDATE runs SET status = ?, ended_at = ?, measured_seconds = ?, error = ?,
    environment_json = coalesce(?, environment_json), warnings_json = coalesce(?, warnings_json), progress_json = NULL
    WHERE id = ?`);
  const insertOp = db.prepare(`INSERT OR REPLACE INTO run_ops (run_id, op, count, errors, errors_json, bytes, items,
    ops_per_sec, mib_per_sec, latency_json, service_json, ttfb_json, mean_io_rate, histogram, service_histogram,
    ttfb_histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertError = db.prepare(`INSERT OR REPLACE INTO run_errors (run_id, op, kind, count, message) VALUES (?, ?, ?, ?, ?)`);
  const deleteOps = db.prepare(`DELETE FROM run_ops WHERE run_id = ?`);
  const deleteErrors = db.prepare(`DELETE FROM run_errors WHERE run_id = ?`);
  const deleteSegments = db.prepare(`DELETE FROM run_segments WHERE run_id = ?`);
  const updateCleanup = db.prepare(`UPDATE runs SET cleanup = ?,
    error = CASE WHEN ? IS NULL THEN error WHEN error IS NULL THEN ? ELSE error || '; ' || ? END WHERE id = ?`);
  const getRunRow = db.prepare(`SELECT * FROM runs WHERE id = ?`);
  const findIds = db.prepare(RUN_ID_PREFIX_SQL).pluck();
  const getOps = db.prepare(`SELECT * FROM run_ops WHERE run_id = ? ORDER BY rowid`);
  // rows as arrays: a one-hour run has 3,600 seconds × its op types of them, and objects per row cost a third of the read
  const getSegments = db
    .prepare(`SELECT second, op, ops, bytes, errors, latency_sum_us, latency_max_us, latency_p50_us, latency_p99_us FROM run_segments
      WHERE run_id = ? ORDER BY second, op`)
    .raw();
  const getErrors = db.prepare(`SELECT * FROM run_errors WHERE run_id = ? ORDER BY count DESC`);
  const deleteClients = db.prepare(`DELETE FROM run_clients WHERE run_id = ?`);
  const insertClient = db.prepare(`INSERT INTO run_clients (run_id, rank, status, error, host, pid, engine_task, clock_offset_ms,
    rtt_ms, start_skew_ms, measured_seconds, environment_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertClientOp = db.prepare(`INSERT INTO run_client_ops (run_id, rank, op, count, errors, errors_json, bytes, items,
    ops_per_sec, mib_per_sec, latency_json, service_json, ttfb_json, mean_io_rate, histogram, service_histogram, ttfb_histogram)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const deleteThreads = db.prepare(`DELETE FROM run_threads WHERE run_id = ?`);
  const insertThread = db.prepare(`INSERT INTO run_threads (run_id, thread, op, count, errors, ops_per_sec, p99_us) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const getThreads = db.prepare(`SELECT * FROM run_threads WHERE run_id = ? ORDER BY thread, rowid`);
  const getClients = db.prepare(`SELECT * FROM run_clients WHERE run_id = ? ORDER BY rank`);
  const getClientOps = db.prepare(`SELECT * FROM run_client_ops WHERE run_id = ? ORDER BY rank, rowid`);
  const summaryOps = db.prepare(`SELECT run_id, op, count, errors, errors_json, bytes, items, ops_per_sec, mib_per_sec,
    latency_json, service_json, ttfb_json, mean_io_rate FROM run_ops WHERE run_id IN (SELECT value FROM json_each(?))
    ORDER BY rowid`);

  const insertJob = db.prepare(`INSERT INTO schedule_jobs (schedule_id, trigger, due_at, started_at, ended_at, status,
    reason, targets_json, suite_id, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const getJobRow = db.prepare(`SELECT * FROM schedule_jobs WHERE id = ?`);
  // A running job holding one of the given targets (a JSON array of redacted URLs).
  const holder = db.prepare(`SELECT * FROM schedule_jobs j WHERE status = 'running' AND EXISTS (SELECT 1 FROM
    json_each(j.targets_json) a WHERE a.value IN (SELECT value FROM json_each(?))) ORDER BY id LIMIT 1`);

  const writeSegments = (runId: string, segments: readonly Segment[]): void => {
    for (const s of segments) {
      upsertSegment.run(runId, s.second, s.op, s.ops, s.bytes, s.errors, s.latencySumUs, s.latencyMaxUs, s.latencyP50Us ?? null, s.latencyP99Us ?? null);
    }
  };
  /** The columns of one operation's figures, in run_ops' (and run_client_ops') order after the keys. */
  const opColumns = (r: OpResult): unknown[] => [
    r.op,
    r.count,
    r.errors,
    JSON.stringify(r.errorsByKind),
    r.bytes,
    r.items,
    r.opsPerSec,
    r.mibPerSec,
    JSON.stringify(r.latencyUs),
    json(r.serviceUs),
    json(r.ttfbUs),
    r.meanIoRateMibPerSec ?? null,
    r.histogram,
    r.serviceHistogram ?? null,
    r.ttfbHistogram ?? null,
  ];
  /** Replace the run's per-operation figures and error samples. */
  const writeFigures = (runId: string, ops: readonly OpResult[], errors: readonly ErrorSample[]): void => {
    deleteOps.run(runId);
    deleteErrors.run(runId);
    for (const r of ops) insertOp.run(runId, ...opColumns(r));
    for (const e of errors) insertError.run(runId, e.op, e.kind, e.count, e.message);
  };

  function clientsOf(runId: string): RunClient[] {
    const ops = new Map<number, OpResult[]>();
    for (const r of getClientOps.all(runId) as Row[]) {
      const list = ops.get(r.rank as number) ?? [];
      list.push(rowToOp(r, true));
      ops.set(r.rank as number, list);
    }
    return (getClients.all(runId) as Row[]).map((r) => ({
      rank: r.rank as number,
      status: r.status as ClientStatus,
      ...opt('error', r.error as string | null),
      ...opt('host', r.host as string | null),
      ...opt('pid', r.pid as number | null),
      ...opt('engineTask', r.engine_task as string | null),
      ...opt('clockOffsetMs', r.clock_offset_ms as number | null),
      ...opt('rttMs', r.rtt_ms as number | null),
      ...opt('startSkewMs', r.start_skew_ms as number | null),
      ...opt('measuredSeconds', r.measured_seconds as number | null),
      ops: ops.get(r.rank as number) ?? [],
      environment: parse(r.environment_json) ?? {},
    }));
  }

  function summaries(rows: Row[]): RunSummary[] {
    const runs = rows.map(rowToRun);
    const byRun = new Map<string, OpResult[]>();
    for (const r of summaryOps.all(JSON.stringify(runs.map((x) => x.id))) as Row[]) {
      const list = byRun.get(r.run_id as string) ?? [];
      list.push(rowToOp(r, false));
      byRun.set(r.run_id as string, list);
    }
    return runs.map((run) => ({
      ...run,
      ops: (byRun.get(run.id) ?? []).map(({ histogram: _h, serviceHistogram: _s, ttfbHistogram: _t, ...rest }) => rest),
    }));
  }

  const store: ResultsStore = {
    path,
    createRun(run: NewRun) {
      localWrites++;
      insertRun.run({
        ...run,
        spec: JSON.stringify(run.spec),
        rate: run.rate ?? null,
        semantics: JSON.stringify(run.semantics),
        capabilities: JSON.stringify(run.capabilities),
        environment: JSON.stringify(run.environment),
        warnings: JSON.stringify(run.warnings ?? []),
        dataset: run.dataset ?? null,
        suiteId: run.suiteId ?? null,
        suiteBaseline: run.suiteBaseline ?? null,
        scheduleId: run.scheduleId ?? null,
        host,
        pid: process.pid,
        cleanup: run.cleanup ?? 'pending',
      });
    },
    recordProgress: db.transaction((runId: string, segments: readonly Segment[], progress: Readonly<Record<string, number>>, partial?: PartialResults) => {
      localWrites++;
      writeSegments(runId, segments);
      if (partial) writeFigures(runId, partial.ops, partial.errors);
      setProgress.run(JSON.stringify(progress), partial?.measuredSeconds ?? null, runId);
    }),
    finishRun: db.transaction((runId: string, o: RunOutcome) => {
      localWrites++;
      writeFigures(runId, o.ops, o.errors);
      // segments flushed while the run went on may include some the final figures do not (a probe's, say)
      deleteSegments.run(runId);
      writeSegments(runId, o.segments);
      deleteThreads.run(runId);
      for (const t of o.threads ?? []) insertThread.run(runId, t.thread, t.op, t.count, t.errors, t.opsPerSec, t.p99Us);
      setOutcome.run(o.status, o.endedAt, o.measuredSeconds, o.error ?? null, json(o.environment), json(o.warnings), runId);
    }),
    recordClients: db.transaction((runId: string, clients: readonly RunClient[]) => {
      localWrites++;
      deleteClients.run(runId); // cascades to run_client_ops
      for (const c of clients) {
        insertClient.run(
          runId,
          c.rank,
          c.status,
          c.error ?? null,
          c.host ?? null,
          c.pid ?? null,
          c.engineTask ?? null,
          c.clockOffsetMs ?? null,
          c.rttMs ?? null,
          c.startSkewMs ?? null,
          c.measuredSeconds ?? null,
          JSON.stringify(c.environment),
        );
        for (const o of c.ops) insertClientOp.run(runId, c.rank, ...opColumns(o));
      }
    }),
    setCleanup(runId: string, state: CleanupState, error?: string) {
      localWrites++;
      const note = error ?? null;
      updateCleanup.run(state, note, note, note, runId);
    },
    listLeftovers() {
      return (db.prepare(`SELECT * FROM runs WHERE cleanup <> 'done' AND status <> 'running' ORDER BY started_at, id`).all() as Row[]).map(rowToRun);
    },
    findRunIds(prefix: string, limit: number): string[] {
      return prefix === '' ? [] : (findIds.all(...idPrefixRange(prefix), limit) as string[]);
    },
    getRun(id: string, options: { readonly segments?: boolean } = {}): RunDetail | undefined {
      const row = getRunRow.get(id) as Row | undefined;
      if (!row) return undefined;
      return {
        ...rowToRun(row),
        ops: (getOps.all(id) as Row[]).map((r) => rowToOp(r, true)),
        segments: (options.segments === false ? [] : (getSegments.all(id) as SegmentRow[])).map(
          ([second, op, ops, bytes, errors, latencySumUs, latencyMaxUs, latencyP50Us, latencyP99Us]): Segment =>
            latencyP99Us === null
              ? { second, op, ops, bytes, errors, latencySumUs, latencyMaxUs }
              : { second, op, ops, bytes, errors, latencySumUs, latencyMaxUs, latencyP50Us: latencyP50Us!, latencyP99Us },
        ),
        errors: (getErrors.all(id) as Row[]).map((r) => ({
          op: r.op as string,
          kind: r.kind as ErrorSample['kind'],
          count: r.count as number,
          message: r.message as string,
        })),
        clients: clientsOf(id),
        threads: (getThreads.all(id) as Row[]).map((r) => ({
          thread: r.thread as number,
          op: r.op as string,
          count: r.count as number,
          errors: r.errors as number,
          opsPerSec: r.ops_per_sec as number,
          p99Us: r.p99_us as number,
        })),
      };
    },
    listRuns(filter: RunFilter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      const eq = (column: string, value: unknown) => {
        if (value !== undefined) {
          where.push(`${column} = ?`);
          args.push(value);
        }
      };
      eq('target_name', filter.target);
      eq('system', filter.system);
      eq('workload', filter.workload);
      const contains = (column: string, part: string | undefined) => {
        if (part !== undefined) {
          where.push(`${column} LIKE ? ESCAPE '\\'`);
          args.push(`%${part.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        }
      };
      if (filter.idPrefix !== undefined) {
        where.push('id >= ? AND id < ?'); // a range on the primary key: an index seek, no scan
        args.push(...idPrefixRange(filter.idPrefix));
      }
      contains('target_name', filter.targetContains);
      contains('workload', filter.workloadContains);
      eq('status', filter.status);
      eq('suite_id', filter.suiteId);
      eq('schedule_id', filter.scheduleId);
      if (filter.since !== undefined) {
        where.push('started_at >= ?');
        args.push(filter.since);
      }
      if (filter.until !== undefined) {
        where.push('started_at <= ?');
        args.push(filter.until);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT count(*) AS n FROM runs ${clause}`).get(...args) as { n: number }).n;
      const rows = db
        .prepare(`SELECT * FROM runs ${clause} ORDER BY ${SORT_SQL[filter.sort ?? 'started']} ${filter.order === 'asc' ? 'ASC' : 'DESC'},
          started_at DESC, id DESC LIMIT ? OFFSET ?`)
        .all(...args, filter.limit ?? 50, filter.offset ?? 0) as Row[];
      return { runs: summaries(rows), total };
    },
    completedSetups(scope = {}) {
      const where = [`status = 'completed'`];
      const args: unknown[] = [];
      if (scope.suiteId !== undefined) {
        where.push('suite_id = ?');
        args.push(scope.suiteId);
      }
      if (scope.asOf !== undefined) {
        where.push('coalesce(ended_at, started_at) <= ?');
        args.push(scope.asOf);
      }
      // only the columns a fingerprint needs: no figures, no semantics, two facts of the environment
      const rows = db
        .prepare(`SELECT id, target_name, workload, started_at, load_model, concurrency, rate, spec_json,
          json_extract(environment_json, '$.threads') AS threads, json_extract(environment_json, '$.clients') AS clients
          FROM runs WHERE ${where.join(' AND ')} ORDER BY started_at, id`)
        .all(...args) as Row[];
      return rows.map((r) => {
        const environment: Record<string, number> = {};
        if (typeof r.threads === 'number') environment.threads = r.threads;
        if (typeof r.clients === 'number') environment.clients = r.clients;
        return {
          id: r.id as string,
          targetName: r.target_name as string,
          workload: r.workload as string,
          startedAt: r.started_at as string,
          loadModel: r.load_model as 'closed' | 'open',
          concurrency: r.concurrency as number,
          ...opt('rate', r.rate as number | null),
          spec: parse<Record<string, unknown>>(r.spec_json) ?? {},
          environment,
        };
      });
    },
    summariesOf(ids) {
      const rows = db.prepare(`SELECT * FROM runs WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Row[];
      const byId = new Map(summaries(rows).map((r) => [r.id, r]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
    listSuites(limit = 50) {
      return db
        .prepare(`SELECT suite_id AS id, min(started_at) AS startedAt, count(*) AS runs FROM runs WHERE suite_id IS NOT NULL
          GROUP BY suite_id ORDER BY startedAt DESC LIMIT ?`)
        .all(limit) as { id: string; startedAt: string; runs: number }[];
    },
    setRegression(runId, regression) {
      localWrites++;
      db.prepare(`UPDATE runs SET regression_json = ? WHERE id = ?`).run(json(regression), runId);
    },
    deleteRun(id: string) {
      localWrites++;
      return db.prepare(`DELETE FROM runs WHERE id = ?`).run(id).changes > 0;
    },
    recoverInterrupted() {
      const stale = (db.prepare(`SELECT id, pid FROM runs WHERE status = 'running' AND host = ?`).all(host) as Row[])
        .filter((r) => r.pid !== process.pid && !isAlive(r.pid as number))
        .map((r) => r.id as string);
      const mark = db.prepare(`UPDATE runs SET status = 'interrupted', ended_at = coalesce(ended_at, ?),
        error = coalesce(error, 'the process running it ended before it finished'), progress_json = NULL WHERE id = ?`);
      const staleJobs = (db.prepare(`SELECT id, pid FROM schedule_jobs WHERE status = 'running' AND host = ?`).all(host) as Row[])
        .filter((r) => r.pid !== process.pid && !isAlive(r.pid as number))
        .map((r) => r.id as number);
      const markJob = db.prepare(`UPDATE schedule_jobs SET status = 'interrupted', ended_at = coalesce(ended_at, ?),
        reason = coalesce(reason, 'the process running it ended before it finished') WHERE id = ?`);
      if (!stale.length && !staleJobs.length) return stale; // no write: a read-only copy stays untouched
      localWrites++;
      db.transaction(() => {
        const now = new Date().toISOString();
        for (const id of stale) mark.run(now, id);
        for (const id of staleJobs) markJob.run(now, id);
      }).immediate();
      return stale;
    },
    createSchedule(s: NewSchedule) {
      localWrites++;
      const now = new Date().toISOString();
      db.prepare(`INSERT INTO schedules (id, cron, suite_json, enabled, missed, thresholds_json, webhook, created_at,
        updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        s.id,
        s.cron,
        JSON.stringify(s.suite),
        s.enabled ? 1 : 0,
        s.missed,
        JSON.stringify(s.thresholds),
        s.webhook ?? null,
        now,
        now,
      );
      return store.getSchedule(s.id)!;
    },
    getSchedule(id: string) {
      const row = db.prepare(`SELECT * FROM schedules WHERE id = ?`).get(id) as Row | undefined;
      return row ? rowToSchedule(row) : undefined;
    },
    listSchedules() {
      return (db.prepare(`SELECT * FROM schedules ORDER BY id`).all() as Row[]).map(rowToSchedule);
    },
    setScheduleEnabled(id: string, enabled: boolean) {
      localWrites++;
      return db.prepare(`UPDATE schedules SET enabled = ?, updated_at = ? WHERE id = ?`).run(enabled ? 1 : 0, new Date().toISOString(), id).changes > 0;
    },
    setScheduleDue(id: string, dueAt: string) {
      localWrites++;
      db.prepare(`UPDATE schedules SET last_due_at = ? WHERE id = ?`).run(dueAt, id);
    },
    deleteSchedule(id: string) {
      localWrites++;
      return db.prepare(`DELETE FROM schedules WHERE id = ?`).run(id).changes > 0;
    },
    startJob: (job: NewJob) =>
      db
        .transaction((j: NewJob): JobRecord => {
          localWrites++;
          const now = new Date().toISOString();
          let outcome = j.outcome;
          if (!outcome) {
            const busy = holder.get(JSON.stringify(j.targets)) as Row | undefined;
            if (busy) {
              const shared = (parse<string[]>(busy.targets_json) ?? []).filter((t) => j.targets.includes(t));
              outcome = {
                status: 'skipped',
                reason: `target ${shared.join(', ')} is still in use by job ${busy.id as number} of schedule ${busy.schedule_id as string} (started ${busy.started_at as string})`,
              };
            }
          }
          const id = insertJob.run(
            j.scheduleId,
            j.trigger,
            j.dueAt,
            now,
            outcome ? now : null,
            outcome?.status ?? 'running',
            outcome?.reason ?? null,
            JSON.stringify(j.targets),
            j.suiteId ?? null,
            host,
            process.pid,
          ).lastInsertRowid;
          return rowToJob(getJobRow.get(id) as Row);
        })
        .immediate(job),
    finishJob(id, outcome) {
      localWrites++;
      db.prepare(`UPDATE schedule_jobs SET status = ?, reason = ?, ended_at = ? WHERE id = ?`).run(
        outcome.status,
        outcome.reason ?? null,
        new Date().toISOString(),
        id,
      );
      const row = getJobRow.get(id) as Row | undefined;
      return row ? rowToJob(row) : undefined;
    },
    getJob(id: number) {
      const row = getJobRow.get(id) as Row | undefined;
      return row ? rowToJob(row) : undefined;
    },
    listJobs(scheduleId: string, limit = 50) {
      return (db.prepare(`SELECT * FROM schedule_jobs WHERE schedule_id = ? ORDER BY id DESC LIMIT ?`).all(scheduleId, limit) as Row[]).map(rowToJob);
    },
    revision() {
      return `${dataVersion.get() as number}.${localWrites}`;
    },
    close() {
      if (db.open) db.close();
    },
  };
  return store;
}
