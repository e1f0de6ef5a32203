/**
 * Pure comparison logic shared by `storbench compare` and the HTTP API: several runs side by side with
 * ratios to the first, and the systems × workloads matrix with ratios to a baseline target.
 * Nothing here reads the store or decodes histograms; it works on run summaries only.
 */
import type { RunSummary } from '../results/types.js';

/** The figures compared for one operation type of one run. Latencies in microseconds. */
export interface OpFigures {
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Each figure divided by the same figure of the reference; `null` where the reference is 0. */
export type Ratios = { readonly [K in keyof OpFigures]: number | null };

export interface ComparedRun {
  readonly id: string;
  readonly targetName: string;
  readonly system: string;
  readonly scheme: string;
  readonly workload: string;
  readonly status: string;
  readonly startedAt: string;
  readonly concurrency: number;
}

export interface ComparedCell extends OpFigures {
  readonly runId: string;
  /** Ratios to the first run's figures for the same op; `null` when the first run lacks that op. */
  readonly ratio: Ratios | null;
}

export interface ComparisonRow {
  readonly op: string;
  /** One entry per run, in the order of `Comparison.runs`; `null` when that run has no such op. */
  readonly values: readonly (ComparedCell | null)[];
}

export interface Comparison {
  readonly runs: readonly ComparedRun[];
  /** Operation types in order of first appearance across the runs. */
  readonly rows: readonly ComparisonRow[];
}

const FIGURES: readonly (keyof OpFigures)[] = ['opsPerSec', 'mibPerSec', 'p50Us', 'p99Us'];

function ratios(value: OpFigures, reference: OpFigures): Ratios {
  const r = {} as Record<keyof OpFigures, number | null>;
  for (const k of FIGURES) r[k] = reference[k] > 0 ? value[k] / reference[k] : null;
  return r;
}

type SummaryOp = RunSummary['ops'][number];

function figures(op: SummaryOp): OpFigures {
  return { opsPerSec: op.opsPerSec, mibPerSec: op.mibPerSec, p50Us: op.latencyUs.p50, p99Us: op.latencyUs.p99 };
}

/** The identifying fields of a run shown next to its figures (no spec, no environment). */
export function comparedRun(r: RunSummary): ComparedRun {
  return {
    id: r.id, targetName: r.targetName, system: r.system, scheme: r.scheme, workload: r.workload,
    status: r.status, startedAt: r.startedAt, concurrency: r.concurrency,
  };
}

/** Several runs side by side, per operation type, with every figure's ratio to the first run's. */
export function compareRuns(runs: readonly RunSummary[]): Comparison {
  const ops: string[] = [];
  for (const run of runs) for (const o of run.ops) if (!ops.includes(o.op)) ops.push(o.op);
  const rows = ops.map((op): ComparisonRow => {
    const first = runs[0]?.ops.find((o) => o.op === op);
    return {
      op,
      values: runs.map((run) => {
        const o = run.ops.find((x) => x.op === op);
        if (!o) return null;
        const f = figures(o);
        return { runId: run.id, ...f, ratio: first ? ratios(f, figures(first)) : null };
      }),
    };
  });
  return { runs: runs.map(comparedRun), rows };
}

/** One cell of the matrix: the latest completed run of a target for a workload. */
export interface MatrixCell {
  readonly runId: string;
  readonly startedAt: string;
  /** Sum over the run's operation types. */
  readonly opsPerSec: number;
  /** Sum over the run's operation types. */
  readonly mibPerSec: number;
  /** p99 of the slowest operation type (the figure a user waits on). */
  readonly p99Us: number;
  readonly errors: number;
  /** Ratios to the baseline target's cell for the same workload; `null` without one. */
  readonly ratio: { readonly opsPerSec: number | null; readonly mibPerSec: number | null; readonly p99Us: number | null } | null;
}

export interface MatrixRow {
  readonly target: string;
  readonly system: string;
  readonly scheme: string;
  /** `null://`: the harness's own ceiling, shown for reference and never a baseline. */
  readonly ceiling: boolean;
  /** One entry per workload of `Matrix.workloads`; `null` where the target has no completed run of it. */
  readonly cells: readonly (MatrixCell | null)[];
}

export interface Matrix {
  /** Target name the ratios are relative to, or `null` when there is none. */
  readonly baseline: string | null;
  readonly workloads: readonly string[];
  /** The baseline first, then the other storage targets by name, harness-ceiling rows last. */
  readonly rows: readonly MatrixRow[];
}

/** Whether a run measured the harness itself (null://) rather than a storage system. */
export const isCeiling = (r: Pick<RunSummary, 'scheme'>): boolean => r.scheme === 'null';

function cellFigures(run: RunSummary) {
  let opsPerSec = 0;
  let mibPerSec = 0;
  let p99Us = 0;
  let errors = 0;
  for (const o of run.ops) {
    opsPerSec += o.opsPerSec;
    mibPerSec += o.mibPerSec;
    p99Us = Math.max(p99Us, o.latencyUs.p99);
    errors += o.errors;
  }
  return { opsPerSec, mibPerSec, p99Us, errors };
}

const divide = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/**
 * The default baseline: the first HDFS target (by name) when one is present, the question users come with
 * being "what should replace our HDFS".
 */
export function defaultBaseline(latest: readonly RunSummary[]): string | null {
  const hdfs = latest.filter((r) => !isCeiling(r) && (r.system.toLowerCase() === 'hdfs' || r.scheme.startsWith('hdfs') || r.scheme === 'webhdfs'));
  return hdfs.map((r) => r.targetName).sort()[0] ?? null;
}

/**
 * Systems × workloads from the latest completed run of every (target, workload) pair, with ratios to
 * `baselineTargetName` (default: {@link defaultBaseline}). An unknown or ceiling baseline gives no ratios.
 */
export function buildMatrix(latest: readonly RunSummary[], baselineTargetName?: string): Matrix {
  const workloads = [...new Set(latest.map((r) => r.workload))].sort();
  const byTarget = new Map<string, RunSummary[]>();
  for (const r of latest) byTarget.set(r.targetName, [...(byTarget.get(r.targetName) ?? []), r]);
  const requested = baselineTargetName ?? defaultBaseline(latest);
  const baselineRuns = requested === null ? undefined : byTarget.get(requested);
  const baseline = baselineRuns && !baselineRuns.some(isCeiling) ? requested : null;
  const baseFigures = new Map((baseline ? baselineRuns! : []).map((r) => [r.workload, cellFigures(r)]));

  const rows = [...byTarget.entries()].map(([target, runs]): MatrixRow => {
    const ceiling = runs.some(isCeiling);
    return {
      target,
      system: runs[0]!.system,
      scheme: runs[0]!.scheme,
      ceiling,
      cells: workloads.map((w) => {
        const run = runs.find((r) => r.workload === w);
        if (!run) return null;
        const f = cellFigures(run);
        const b = baseFigures.get(w);
        return {
          runId: run.id,
          startedAt: run.startedAt,
          ...f,
          ratio: b && !ceiling
            ? { opsPerSec: divide(f.opsPerSec, b.opsPerSec), mibPerSec: divide(f.mibPerSec, b.mibPerSec), p99Us: divide(f.p99Us, b.p99Us) }
            : null,
        };
      }),
    };
  });
  const rank = (r: MatrixRow) => (r.target === baseline ? 0 : r.ceiling ? 2 : 1);
  rows.sort((a, b) => rank(a) - rank(b) || a.target.localeCompare(b.target));
  return { baseline, workloads, rows };
}
