/**
 * The per-client breakdown of a multi-client run (`run --engine ... --clients N`), shared by `storbench show`,
 * the API and the run page. Pure: from the stored clients and the run's measured seconds. The run's own
 * figures are all clients merged exactly; this says how evenly the clients shared them, and which lagged.
 */
import type { ClientStatus, OpResult, RunClient, RunDetail, RunSummary } from '../results/types.js';
import { opTotals } from './compare.js';
import { formatRate } from './format.js';

/**
 * Why a client is flagged. `slow`: its ops/s is below {@link SLOW_FRACTION} of the completed clients'
 * median. `late`: it finished more than {@link lateAfterSeconds} after the first client did. The others
 * are its status: it did not complete, so its figures are partial or missing.
 */
export type ClientFlag = 'slow' | 'late' | Exclude<ClientStatus, 'completed'>;

/** A client whose ops/s is below this fraction of the median is slow. */
export const SLOW_FRACTION = 0.8;

/** How long after the first client another may finish without being late: max(1 s, 10% of the run). */
export const lateAfterSeconds = (runSeconds: number): number => Math.max(1, 0.1 * runSeconds);

/** One client's line of the breakdown. */
export interface ClientRow {
  readonly rank: number;
  readonly host?: string;
  readonly status: ClientStatus;
  /** Why it failed, was lost or never came. */
  readonly error?: string;
  /** All its operation types together. */
  readonly opsPerSec: number;
  readonly mibPerSec: number;
  /** The worst p99 among its operation types (µs), as the matrix gives a run's. */
  readonly p99Us: number;
  /** Failed operations, all types together. */
  readonly errors: number;
  readonly startSkewMs?: number;
  readonly clockOffsetMs?: number;
  readonly rttMs?: number;
  readonly measuredSeconds?: number;
  /** Empty when nothing is wrong with it. */
  readonly flags: readonly ClientFlag[];
  /** One phrase per flag, in the same order: `slow: 60% of the median 990 ops/s` (rounded down). */
  readonly notes: readonly string[];
}

export interface ClientBreakdown {
  /** By rank; empty for a run of one process. */
  readonly rows: readonly ClientRow[];
  /** The median ops/s of the completed clients (what `slow` is measured against). */
  readonly medianOpsPerSec?: number;
  /**
   * Seconds measured by the completed client that finished first, and by the one that finished last
   * (elbencho's first done / last done): a wide gap means the run's tail was measured by fewer clients.
   */
  readonly firstDoneSeconds?: number;
  readonly lastDoneSeconds?: number;
  /** Ranks of the flagged clients (stragglers, and clients that did not complete). */
  readonly stragglers: readonly number[];
}

function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The breakdown of a run's clients: figures per client, first and last done, and which clients lagged. */
export function clientBreakdown(run: Pick<RunDetail, 'clients' | 'measuredSeconds'>): ClientBreakdown {
  const figures = run.clients.map((c) => ({ client: c, ...opTotals(c.ops) }));
  const completed = figures.filter((f) => f.client.status === 'completed');
  const medianOpsPerSec = median(completed.map((f) => f.opsPerSec));
  // A client that did not complete stopped when it failed, not when it was done: only completed ones count.
  const done = completed.flatMap((f) => (f.client.measuredSeconds === undefined ? [] : [f.client.measuredSeconds]));
  const firstDoneSeconds = done.length ? Math.min(...done) : undefined;
  const lastDoneSeconds = done.length ? Math.max(...done) : undefined;
  const lateAfter = lateAfterSeconds(run.measuredSeconds ?? lastDoneSeconds ?? 0);

  const rows = figures.map(({ client: c, opsPerSec, mibPerSec, p99Us, errors }): ClientRow => {
    const notes = new Map<ClientFlag, string>();
    if (c.status !== 'completed') {
      notes.set(c.status, `${c.status.replace('-', ' ')}${c.error ? `: ${c.error}` : ''}`);
    } else {
      if (medianOpsPerSec !== undefined && opsPerSec < SLOW_FRACTION * medianOpsPerSec) {
        notes.set('slow', `slow: ${Math.floor((100 * opsPerSec) / medianOpsPerSec)}% of the median ${formatRate(medianOpsPerSec)} ops/s`);
      }
      const behind = c.measuredSeconds !== undefined && firstDoneSeconds !== undefined ? c.measuredSeconds - firstDoneSeconds : 0;
      if (behind > lateAfter) notes.set('late', `late: done ${behind.toFixed(1)} s after the first`);
    }
    return {
      rank: c.rank,
      ...(c.host !== undefined && { host: c.host }),
      status: c.status,
      ...(c.error !== undefined && { error: c.error }),
      opsPerSec,
      mibPerSec,
      p99Us,
      errors,
      ...(c.startSkewMs !== undefined && { startSkewMs: c.startSkewMs }),
      ...(c.clockOffsetMs !== undefined && { clockOffsetMs: c.clockOffsetMs }),
      ...(c.rttMs !== undefined && { rttMs: c.rttMs }),
      ...(c.measuredSeconds !== undefined && { measuredSeconds: c.measuredSeconds }),
      flags: [...notes.keys()],
      notes: [...notes.values()],
    };
  });
  return {
    rows,
    ...(medianOpsPerSec !== undefined && { medianOpsPerSec }),
    ...(firstDoneSeconds !== undefined && { firstDoneSeconds, lastDoneSeconds }),
    stragglers: rows.filter((r) => r.flags.length).map((r) => r.rank),
  };
}

/** An operation's figures without its encoded histograms (large; the summaries stay). */
export function withoutHistograms({ histogram: _h, serviceHistogram: _s, ttfbHistogram: _t, ...figures }: OpResult): RunSummary['ops'][number] {
  return figures;
}

/** A client as the reports give it out: its operations without their histograms. */
export const clientSummary = (c: RunClient) => ({ ...c, ops: c.ops.map(withoutHistograms) });
