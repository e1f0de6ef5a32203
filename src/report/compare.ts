/**
 * Side-by-side comparison, shared by the CLI and the HTTP API. Pure functions over stored runs.
 * Ratios are to the first run (compare) or to the baseline target (matrix): throughput ratio > 1 is
 * faster, latency ratio < 1 is faster. Ratios keep full precision; printers round them (3 significant digits).
 * A data rate of an operation that moved no bytes (null:// reads, stat, list) is `null` (n/a), never 0.
 */
import type { RunRecord, RunSummary } from '../results/types.js';
import { dataRate } from './format.js';
import { type RunHealth, runHealth } from './health.js';
import { describeSettings, type RunSettings, runSettings, settingsDifferences, settingsFingerprint } from './settings.js';

type OpFigures = RunSummary['ops'][number];

export interface CompareCell {
  readonly runId: string;
  /** Successful operations (errors not included). */
  readonly count: number;
  readonly errors: number;
  readonly opsPerSec: number;
  /** null when the operation moved no bytes. */
  readonly mibPerSec: number | null;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Ratios to the first run; undefined when the first run lacks this op, has 0, or (MiB/s) either moved no bytes. */
  readonly opsRatio?: number;
  readonly mibRatio?: number;
  readonly p50Ratio?: number;
  readonly p99Ratio?: number;
}

export interface CompareRow {
  readonly op: string;
  /** One cell per run, in the order given; undefined where the run has no such op. */
  readonly cells: readonly (CompareCell | undefined)[];
}

/** A run as compare shows it: who, when, what was run, and a label that tells it from the others. */
export type ComparedRun = Pick<RunSummary, 'id' | 'targetName' | 'system' | 'workload' | 'status' | 'startedAt' | 'concurrency' | 'semantics'> &
  RunClients & {
    /** The target name, with the run's short id when another run of the same target is compared too. */
    readonly label: string;
    readonly settings: RunSettings;
    readonly settingsText: string;
    readonly fingerprint: string;
    readonly health: RunHealth;
  };

export interface Comparison {
  readonly runs: readonly ComparedRun[];
  readonly rows: readonly CompareRow[];
  /**
   * What may make the figures lie, one line each: first the settings the runs differ in (one line for all),
   * then each caveat (page cache, saturated client) once, naming the runs it applies to.
   */
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

/** value / base, full precision; undefined without a usable base. */
const ratio = (value: number | null | undefined, base: number | null | undefined): number | undefined =>
  base === undefined || base === null || base === 0 || value === null || value === undefined ? undefined : value / base;

/** The entries whose value is defined, for spreading optional fields (a ratio without a base is absent, not undefined). */
const defined = <K extends string>(fields: Record<K, number | undefined>): Partial<Record<K, number>> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<Record<K, number>>;

function cell(runId: string, o: OpFigures, first: OpFigures | undefined): CompareCell {
  const mibPerSec = dataRate(o);
  return {
    runId,
    count: o.count,
    errors: o.errors,
    opsPerSec: o.opsPerSec,
    mibPerSec,
    p50Us: o.latencyUs.p50,
    p99Us: o.latencyUs.p99,
    ...defined({
      opsRatio: ratio(o.opsPerSec, first?.opsPerSec),
      mibRatio: ratio(mibPerSec, first && dataRate(first)),
      p50Ratio: ratio(o.latencyUs.p50, first?.latencyUs.p50),
      p99Ratio: ratio(o.latencyUs.p99, first?.latencyUs.p99),
    }),
  };
}

/** The last 4 characters of a run id (`20261126-081502-3fa9` → `3fa9`): what tells runs of one target apart. */
export const shortRunId = (id: string): string => id.slice(-4);

/**
 * One label per run, distinct: the target name, and `target · 3fa9` (the short id) for every run of a target
 * that appears more than once; the full id where short ids collide.
 */
export function runLabels(runs: readonly Pick<RunRecord, 'id' | 'targetName'>[]): string[] {
  const count = (f: (r: Pick<RunRecord, 'id' | 'targetName'>) => string, v: string) => runs.filter((r) => f(r) === v).length;
  return runs.map((r) => {
    if (count((x) => x.targetName, r.targetName) === 1) return r.targetName;
    const short = shortRunId(r.id);
    const clash = count((x) => `${x.targetName} · ${shortRunId(x.id)}`, `${r.targetName} · ${short}`) > 1;
    return `${r.targetName} · ${clash ? r.id : short}`;
  });
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
  const labels = runLabels(runs);
  const warnings: string[] = [];
  const differences = settingsDifferences(runs, labels);
  if (differences.length) {
    const clients = new Set(runs.map((r) => runClients(r).clients)).size > 1 ? ": each run's figures are the total of its clients" : '';
    warnings.push(`the runs were not set up alike, so their ratios compare different tests: they differ in ${differences.join('; ')}${clients}`);
  }
  // a caveat shared by several runs is said once, naming them all
  const byText = new Map<string, string[]>();
  runs.forEach((r, i) => {
    for (const w of runWarnings(r)) byText.set(w, [...(byText.get(w) ?? []), `${r.id} (${labels[i]})`]);
  });
  for (const [w, named] of byText) warnings.push(`${named.join(', ')}: ${w}`);
  return {
    runs: runs.map((r, i) => {
      const settings = runSettings(r);
      return {
        id: r.id,
        targetName: r.targetName,
        system: r.system,
        workload: r.workload,
        status: r.status,
        startedAt: r.startedAt,
        concurrency: r.concurrency,
        semantics: r.semantics,
        ...runClients(r),
        label: labels[i]!,
        settings,
        settingsText: describeSettings(settings),
        fingerprint: settingsFingerprint(r),
        health: runHealth(r),
      };
    }),
    rows,
    warnings,
  };
}

/** One run reduced to the figures a matrix cell shows: all its operations together. */
export interface MatrixCell {
  readonly runId: string;
  readonly startedAt: string;
  readonly opsPerSec: number;
  /** null when none of its operations moved bytes. */
  readonly mibPerSec: number | null;
  /** The worst p99 among the run's operations. */
  readonly p99Us: number;
  readonly errors: number;
  readonly regressed: boolean;
  /** What was run (load model and rate, concurrency, threads, clients, verify, duration). */
  readonly settingsText: string;
  readonly health: RunHealth;
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

/** A run left out of a matrix column because it was set up differently from the column's runs. */
export interface LeftOutRun {
  readonly target: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly settingsText: string;
}

/** The settings every cell of a workload column shares. */
export interface MatrixColumn {
  readonly workload: string;
  readonly fingerprint: string;
  readonly settingsText: string;
  /**
   * Per target, its newest run of this workload when that run had other settings (newer than the target's
   * cell, or the target has no run with the column's settings): what a "latest run" matrix would have mixed in.
   */
  readonly leftOut: readonly LeftOutRun[];
}

export interface Matrix {
  readonly baseline: string | undefined;
  readonly workloads: readonly string[];
  /** One per workload, in the order of `workloads`. */
  readonly columns: readonly MatrixColumn[];
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
  const t = opTotals(run.ops);
  return {
    runId: run.id,
    startedAt: run.startedAt,
    ...t,
    mibPerSec: run.ops.some((o) => o.bytes > 0) ? t.mibPerSec : null,
    regressed: Boolean(run.regression && (run.regression as { regressed?: boolean }).regressed),
    settingsText: describeSettings(runSettings(run)),
    health: runHealth(run),
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

type Candidate = Pick<RunRecord, 'id' | 'targetName' | 'workload' | 'startedAt' | 'loadModel' | 'rate' | 'concurrency' | 'spec' | 'environment'>;

const newer = (a: Candidate, b: Candidate | undefined): boolean => !b || a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id > b.id);

/**
 * Like-for-like runs for a matrix. Per workload, the column's settings are the fingerprint
 * ({@link settingsFingerprint}) shared by the most targets, ties to the one with the newest run; a cell is
 * the newest run of its target with that fingerprint. Returns the runs chosen and each column's settings
 * with the runs of other settings it left out.
 */
export function pickLikeForLike<R extends Candidate>(candidates: readonly R[]): { runs: R[]; columns: MatrixColumn[] } {
  const runs: R[] = [];
  const columns: MatrixColumn[] = [];
  for (const workload of [...new Set(candidates.map((r) => r.workload))].sort()) {
    const mine = candidates.filter((r) => r.workload === workload).map((r) => ({ run: r, fp: settingsFingerprint(r) }));
    const byFp = new Map<string, { targets: Set<string>; newest: R }>();
    for (const { run, fp } of mine) {
      const g = byFp.get(fp);
      if (!g) byFp.set(fp, { targets: new Set([run.targetName]), newest: run });
      else {
        g.targets.add(run.targetName);
        if (newer(run, g.newest)) g.newest = run;
      }
    }
    const [fingerprint, chosen] = [...byFp].reduce((best, next) =>
      next[1].targets.size > best[1].targets.size || (next[1].targets.size === best[1].targets.size && newer(next[1].newest, best[1].newest)) ? next : best,
    );
    const cellOf = new Map<string, R>();
    const otherOf = new Map<string, R>();
    for (const { run, fp } of mine) {
      const into = fp === fingerprint ? cellOf : otherOf;
      if (newer(run, into.get(run.targetName))) into.set(run.targetName, run);
    }
    runs.push(...cellOf.values());
    const leftOut = [...otherOf.values()]
      .filter((r) => newer(r, cellOf.get(r.targetName)))
      .sort((a, b) => a.targetName.localeCompare(b.targetName))
      .map((r) => ({ target: r.targetName, runId: r.id, startedAt: r.startedAt, settingsText: describeSettings(runSettings(r)) }));
    columns.push({ workload, fingerprint, settingsText: describeSettings(runSettings(chosen.newest)), leftOut });
  }
  return { runs, columns };
}

/**
 * Systems × workloads from completed runs, like for like ({@link pickLikeForLike}), with ratios to
 * `baseline` (default: {@link defaultBaseline}). `columns` is given when `runs` were picked already (the
 * API picks from runs without their figures, then loads the figures of the chosen ones only).
 */
export function buildMatrix(runs: readonly RunSummary[], baseline?: string, columns?: readonly MatrixColumn[]): Matrix {
  const picked = columns ? { runs: [...runs], columns } : pickLikeForLike(runs);
  const chosen = picked.runs;
  const base = baseline ?? defaultBaseline(chosen);
  const workloads = picked.columns.map((c) => c.workload);
  const byTarget = new Map<string, RunSummary[]>();
  for (const r of chosen) byTarget.set(r.targetName, [...(byTarget.get(r.targetName) ?? []), r]);
  const baseCells = new Map((byTarget.get(base ?? '') ?? []).map((r) => [r.workload, totals(r)]));
  const rows: MatrixRow[] = [...byTarget].map(([target, mine]) => {
    const cells: Record<string, MatrixCell> = {};
    for (const r of mine) {
      const t = totals(r);
      const b = baseCells.get(r.workload);
      cells[r.workload] = {
        ...t,
        ...defined({ opsRatio: ratio(t.opsPerSec, b?.opsPerSec), mibRatio: ratio(t.mibPerSec, b?.mibPerSec), p99Ratio: ratio(t.p99Us, b?.p99Us) }),
      };
    }
    return { target, scheme: mine[0]!.scheme, system: mine[0]!.system, ceiling: mine[0]!.scheme === 'null', cells };
  });
  rows.sort((a, b) => Number(a.ceiling) - Number(b.ceiling) || Number(b.target === base) - Number(a.target === base) || a.target.localeCompare(b.target));
  return { baseline: base, workloads, columns: picked.columns, rows };
}
