/**
 * Regression detection, pure: a scheduled run against the median of the recent completed runs of the
 * same schedule, target and workload, operation type by operation type.
 */
import { formatLatency, formatRate } from '../report/format.js';
import type { Thresholds } from '../results/types.js';

/** How many earlier runs the median is taken over. */
export const HISTORY_RUNS = 5;
/** Fewer earlier runs than this: no baseline yet, nothing is judged. */
export const MIN_HISTORY_RUNS = 2;

/** The figures of a run that regression detection reads (a RunSummary or RunDetail fits). */
export interface RunFigures {
  readonly id: string;
  readonly ops: readonly { readonly op: string; readonly opsPerSec: number; readonly latencyUs: { readonly p99: number } }[];
}

/** One figure that crossed its threshold. */
export interface Crossing {
  readonly op: string;
  readonly metric: 'opsPerSec' | 'p99Us';
  /** Median of the earlier runs. */
  readonly baseline: number;
  readonly value: number;
  /** Change from the baseline in percent (negative: down). */
  readonly changePct: number;
  readonly thresholdPct: number;
}

/** What is stored on the run (`store.setRegression`) and announced by the webhook. */
export interface Regression {
  readonly regressed: boolean;
  readonly crossed: readonly Crossing[];
  /** The earlier runs the median was taken over, newest first. */
  readonly baselineRuns: readonly string[];
  readonly thresholds: Thresholds;
}

export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Compare `run` with `history` (earlier runs, newest first; only the first HISTORY_RUNS count). Returns
 * undefined when there are fewer than MIN_HISTORY_RUNS earlier runs.
 */
export function detectRegression(run: RunFigures, history: readonly RunFigures[], thresholds: Thresholds): Regression | undefined {
  const recent = history.filter((h) => h.id !== run.id).slice(0, HISTORY_RUNS);
  if (recent.length < MIN_HISTORY_RUNS) return undefined;
  const crossed: Crossing[] = [];
  for (const o of run.ops) {
    const earlier = recent.map((h) => h.ops.find((x) => x.op === o.op)).filter((x) => x !== undefined);
    if (earlier.length < MIN_HISTORY_RUNS) continue;
    const ops = median(earlier.map((x) => x.opsPerSec));
    if (ops > 0) {
      const change = ((o.opsPerSec - ops) / ops) * 100;
      if (-change > thresholds.throughputDropPct) {
        crossed.push({
          op: o.op,
          metric: 'opsPerSec',
          baseline: ops,
          value: o.opsPerSec,
          changePct: round1(change),
          thresholdPct: thresholds.throughputDropPct,
        });
      }
    }
    const p99 = median(earlier.map((x) => x.latencyUs.p99));
    if (p99 > 0) {
      const change = ((o.latencyUs.p99 - p99) / p99) * 100;
      if (change > thresholds.p99RisePct) {
        crossed.push({ op: o.op, metric: 'p99Us', baseline: p99, value: o.latencyUs.p99, changePct: round1(change), thresholdPct: thresholds.p99RisePct });
      }
    }
  }
  return { regressed: crossed.length > 0, crossed, baselineRuns: recent.map((h) => h.id), thresholds };
}

/** One line per crossing, in the CLI's figures: `write ops/s 5,120 → 310 (-93.9%, threshold -10%)`, `read p99 22µs → 48µs (...)`. */
export function describeCrossings(r: Regression): string {
  return r.crossed
    .map((c) =>
      c.metric === 'opsPerSec'
        ? `${c.op} ops/s ${formatRate(c.baseline)} → ${formatRate(c.value)} (${c.changePct}%, threshold -${c.thresholdPct}%)`
        : `${c.op} p99 ${formatLatency(c.baseline)} → ${formatLatency(c.value)} (+${c.changePct}%, threshold +${c.thresholdPct}%)`,
    )
    .join('; ');
}
