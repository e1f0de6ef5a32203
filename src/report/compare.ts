/**
 * Side-by-side comparison, shared by the CLI and the HTTP API. Pure functions over stored runs.
 * Ratios are to the first run (compare) or to the baseline target (matrix): throughput ratio > 1 is
 * faster, latency ratio < 1 is faster.
 */
import type { RunSummary } from '../results/types.js';

type OpFigures = RunSummary['ops'][number];

export interface CompareCell {
  readonly runId: string;
  readonly count: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Ratios to the first run; undefined when the first run lacks this op or has 0. */
  readonly opsRatio?: number;
  readonly mibRatio?: number;
  readonly p99Ratio?: number;
}

export interface CompareRow {
  readonly op: string;
  /** One cell per run, in the order given; undefined where the run has no such op. */
  readonly cells: readonly (CompareCell | undefined)[];
}

export interface Comparison {
  readonly runs: readonly (Pick<RunSummary, 'id' | 'targetName' | 'system' | 'workload' | 'status' | 'startedAt' | 'concurrency' | 'semantics'> & RunClients)[];
  readonly rows: readonly CompareRow[];
  /** What may make a run's figures lie (page cache, saturated client), one line each, naming the run. */
  readonly warnings: readonly string[];
}

/** How many clients (agent processes) measured a run, and under which engine (`slurm`, `mpi`...). */
export interface RunClients {
  /** 1 for a run of one process. */
  readonly clients: number;
  readonly engine?: string;
}

/** A run's clients as its environment records them (`run --engine E --clients N`). */
export function runClients(run: Pick<RunSummary, 'environment'>): RunClients {
  const { clients, engine } = run.environment;
  return { clients: typeof clients === 'number' ? clients : 1, ...(typeof engine === 'string' && { engine }) };
}

/**
 * Why a run's figures may not be the storage's: read from what the run recorded, the driver's caveats by
 * their codes (`run.warnings`) and the runner's own facts (`run.environment`).
 */
export function runWarnings(run: Pick<RunSummary, 'environment' | 'ops' | 'warnings'>): string[] {
  const env = run.environment;
  const warnings: string[] = [];
  const caveat = (code: string) => run.warnings.find((w) => w.code === code);
  const reads = run.ops.some((o) => (o.op === 'read' || o.op === 'scan' || o.op === 'readModifyWrite') && o.count > 0);
  const pageCache = caveat('page-cache');
  if (reads && pageCache) {
    warnings.push(
      `reads may have been served from the client's page cache (${pageCache.text}): ` + "use ?direct=true or --drop-caches for the storage's own figures",
    );
  }
  if (typeof env.eventLoopUtilization === 'number' && env.eventLoopUtilization > 0.9) {
    warnings.push(
      `the client's event loop was saturated (utilization ${env.eventLoopUtilization}): the client may have limited these figures` +
        (env.threadsChoice ? ` (threads ${String(env.threadsChoice)})` : '; try --threads N'),
    );
  }
  const moved = run.ops.filter((o) => (o.op === 'write' || o.op === 'read') && o.count > 0);
  const meanSize = moved.reduce((n, o) => n + o.bytes, 0) / (moved.reduce((n, o) => n + o.count, 0) || 1);
  if (caveat('threadpool-handoff') && moved.length && meanSize <= SMALL_OBJECT) {
    warnings.push(
      `small files on a local file system through the async engine: every call is a threadpool hand-off, which ` +
        'can cost more than the call itself; compare with ?io=sync (blocking calls, one thread per worker, like fio psync)',
    );
  }
  const skew = caveat('start-skew');
  if (skew) {
    warnings.push(`the clients did not start together (${skew.text}): part of the measured window ran with fewer clients than the rest`);
  }
  return warnings;
}

/** Objects up to this size (mean) are "small" for the async-engine warning. */
const SMALL_OBJECT = 64 * 1024;

const ratio = (value: number, base: number | undefined): number | undefined =>
  base === undefined || base === 0 ? undefined : Math.round((value / base) * 1000) / 1000;

function cell(runId: string, o: OpFigures, first: OpFigures | undefined): CompareCell {
  const c = {
    runId,
    count: o.count,
    errors: o.errors,
    opsPerSec: o.opsPerSec,
    mibPerSec: o.mibPerSec,
    p50Us: o.latencyUs.p50,
    p99Us: o.latencyUs.p99,
  };
  const opsRatio = ratio(o.opsPerSec, first?.opsPerSec);
  const mibRatio = ratio(o.mibPerSec, first?.mibPerSec);
  const p99Ratio = ratio(o.latencyUs.p99, first?.latencyUs.p99);
  return {
    ...c,
    ...(opsRatio !== undefined ? { opsRatio } : {}),
    ...(mibRatio !== undefined ? { mibRatio } : {}),
    ...(p99Ratio !== undefined ? { p99Ratio } : {}),
  };
}

/** Compare runs operation by operation, with ratios to the first run. */
export function compareRuns(runs: readonly RunSummary[]): Comparison {
  const ops = [...new Set(runs.flatMap((r) => r.ops.map((o) => o.op)))];
  const rows = ops.map((op) => {
    const first = runs[0]?.ops.find((o) => o.op === op);
    return {
      op,
      cells: runs.map((r) => {
        const o = r.ops.find((x) => x.op === op);
        return o ? cell(r.id, o, first) : undefined;
      }),
    };
  });
  const clients = runs.map(runClients);
  const warnings = runs.flatMap((r) => runWarnings(r).map((w) => `${r.id} (${r.targetName}): ${w}`));
  if (new Set(clients.map((c) => c.clients)).size > 1) {
    const counts = runs.map((r, i) => `${r.id}: ${clients[i]!.clients}`).join(', ');
    warnings.push(`the runs differ in client count (${counts}): each run's figures are the total of its clients`);
  }
  return {
    runs: runs.map(({ id, targetName, system, workload, status, startedAt, concurrency, semantics }, i) => ({
      id,
      targetName,
      system,
      workload,
      status,
      startedAt,
      concurrency,
      semantics,
      ...clients[i]!,
    })),
    rows,
    warnings,
  };
}

/** One run reduced to the figures a matrix cell shows: all its operations together. */
export interface MatrixCell {
  readonly runId: string;
  readonly startedAt: string;
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  /** The worst p99 among the run's operations. */
  readonly p99Us: number;
  readonly errors: number;
  readonly regressed: boolean;
  readonly opsRatio?: number;
  readonly mibRatio?: number;
  readonly p99Ratio?: number;
}

export interface MatrixRow {
  readonly target: string;
  readonly scheme: string;
  readonly system: string;
  /** null:// rows: the harness's own ceiling, for reference. */
  readonly ceiling: boolean;
  readonly cells: Readonly<Record<string, MatrixCell>>;
}

export interface Matrix {
  readonly baseline: string | undefined;
  readonly workloads: readonly string[];
  readonly rows: readonly MatrixRow[];
}

/**
 * All operation types of a run (or of one client) together: ops/s and MiB/s added (rounded to 2 and 3
 * decimals), errors added, and the worst p99.
 */
export function opTotals(ops: readonly Pick<OpFigures, 'opsPerSec' | 'mibPerSec' | 'latencyUs' | 'errors'>[]) {
  return {
    opsPerSec: Math.round(ops.reduce((s, o) => s + o.opsPerSec, 0) * 100) / 100,
    mibPerSec: Math.round(ops.reduce((s, o) => s + o.mibPerSec, 0) * 1000) / 1000,
    p99Us: Math.max(0, ...ops.map((o) => o.latencyUs.p99)),
    errors: ops.reduce((s, o) => s + o.errors, 0),
  };
}

function totals(run: RunSummary) {
  return {
    runId: run.id,
    startedAt: run.startedAt,
    ...opTotals(run.ops),
    regressed: Boolean(run.regression && (run.regression as { regressed?: boolean }).regressed),
  };
}

/**
 * The default baseline of a matrix of these runs: the baseline their suite stored (a targets file's
 * `baseline`; of the newest run that has one whose target is among the runs), otherwise the first target
 * in the matrix's order (by name). Never a null:// target: it measures the harness itself.
 */
export function defaultBaseline(runs: readonly RunSummary[]): string | undefined {
  const storage = new Set(runs.filter((r) => r.scheme !== 'null').map((r) => r.targetName));
  const stored = runs
    .filter((r) => r.suiteBaseline !== undefined && storage.has(r.suiteBaseline))
    .reduce<RunSummary | undefined>((newest, r) => (!newest || r.startedAt > newest.startedAt ? r : newest), undefined);
  return stored?.suiteBaseline ?? [...storage].sort((a, b) => a.localeCompare(b))[0];
}

/**
 * Systems × workloads from the latest completed run of each pair, with ratios to `baseline`
 * (default: {@link defaultBaseline}).
 */
export function buildMatrix(latest: readonly RunSummary[], baseline: string | undefined = defaultBaseline(latest)): Matrix {
  const workloads = [...new Set(latest.map((r) => r.workload))].sort();
  const byTarget = new Map<string, RunSummary[]>();
  for (const r of latest) byTarget.set(r.targetName, [...(byTarget.get(r.targetName) ?? []), r]);
  const base = new Map((byTarget.get(baseline ?? '') ?? []).map((r) => [r.workload, totals(r)]));
  const rows: MatrixRow[] = [...byTarget].map(([target, runs]) => {
    const cells: Record<string, MatrixCell> = {};
    for (const r of runs) {
      const t = totals(r);
      const b = base.get(r.workload);
      const opsRatio = ratio(t.opsPerSec, b?.opsPerSec);
      const mibRatio = ratio(t.mibPerSec, b?.mibPerSec);
      const p99Ratio = ratio(t.p99Us, b?.p99Us);
      cells[r.workload] = {
        ...t,
        ...(opsRatio !== undefined ? { opsRatio } : {}),
        ...(mibRatio !== undefined ? { mibRatio } : {}),
        ...(p99Ratio !== undefined ? { p99Ratio } : {}),
      };
    }
    return { target, scheme: runs[0]!.scheme, system: runs[0]!.system, ceiling: runs[0]!.scheme === 'null', cells };
  });
  rows.sort(
    (a, b) => Number(a.ceiling) - Number(b.ceiling) || Number(b.target === baseline) - Number(a.target === baseline) || a.target.localeCompare(b.target),
  );
  return { baseline, workloads, rows };
}
