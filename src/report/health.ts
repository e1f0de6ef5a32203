/**
 * How a run should look at a glance: its status, and "completed with errors" for a completed run whose
 * errors are above {@link ERRORS_SHOWN_ABOVE} of the operations it attempted. Pure; the CLI and the pages
 * show the label and the level (the badge's color) it returns.
 */
import type { RunRecord, RunSummary } from '../results/types.js';

/**
 * A completed run with more failed operations than this fraction of the attempted ones (succeeded plus
 * failed) is "completed with errors". 1%: a storage system failing one call in a hundred is not fine, while
 * `maxErrorRate` (default 50%) decides only whether the run measured the storage at all (`degraded`).
 */
export const ERRORS_SHOWN_ABOVE = 0.01;

/** `ok` green, `errors` amber (completed with errors, degraded), `failed` red, `interrupted` slate, `running` blue. */
export type HealthLevel = 'ok' | 'errors' | 'failed' | 'interrupted' | 'running';

export interface RunHealth {
  readonly level: HealthLevel;
  /** `completed`, `completed with errors (38.2%)`, `degraded (61%)` (errors in % of attempted), `failed`, `interrupted`, `running`. */
  readonly label: string;
  /** Failed operations in percent of the attempted ones (one decimal); null when none were attempted. */
  readonly errorPct: number | null;
}

/** Failed operations and attempted ones (succeeded + failed; a run's `count` is the succeeded ones only). */
export function errorShare(ops: RunSummary['ops']): { errors: number; attempted: number } {
  const errors = ops.reduce((n, o) => n + o.errors, 0);
  return { errors, attempted: errors + ops.reduce((n, o) => n + o.count, 0) };
}

export function runHealth(run: Pick<RunRecord, 'status'> & { readonly ops: RunSummary['ops'] }): RunHealth {
  const { errors, attempted } = errorShare(run.ops);
  const errorPct = attempted ? Math.round((1000 * errors) / attempted) / 10 : null;
  const pct = errorPct === null ? '' : ` (${errorPct}%)`;
  switch (run.status) {
    case 'completed':
      return attempted && errors / attempted > ERRORS_SHOWN_ABOVE
        ? { level: 'errors', label: `completed with errors${pct}`, errorPct }
        : { level: 'ok', label: 'completed', errorPct };
    case 'degraded':
      return { level: 'errors', label: `degraded${pct}`, errorPct };
    case 'failed':
      return { level: 'failed', label: 'failed', errorPct };
    case 'interrupted':
      return { level: 'interrupted', label: 'interrupted', errorPct };
    default:
      return { level: 'running', label: 'running', errorPct };
  }
}
