/** Turning validated query fields into a store filter. */
import type { RunFilter, RunSort, RunStatus } from '../results/types.js';
import { badRequest } from './errors.js';

export interface RunsQuery {
  id?: string;
  target?: string;
  system?: string;
  workload?: string;
  status?: RunStatus;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
  sort?: RunSort;
  order?: 'asc' | 'desc';
}

/**
 * An ISO instant from a validated date or date-time; a bare `until` date covers that whole day (UTC). The
 * schema's pattern admits real dates only; the check here keeps a 400 (never a RangeError, a 500) if it ever let one by.
 */
function instant(field: 'since' | 'until' | 'asOf', value: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const text = dateOnly ? `${value}T${field === 'since' ? '00:00:00.000' : '23:59:59.999'}Z` : value.replace(' ', 'T');
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw badRequest(`querystring.${field} is not a real date: "${value}"`);
  return new Date(t).toISOString();
}

export function toRunFilter(q: RunsQuery): RunFilter {
  const since = q.since === undefined ? undefined : instant('since', q.since);
  const until = q.until === undefined ? undefined : instant('until', q.until);
  // `since` after `until` is an empty range, not an error: the document cannot express the order of two fields.
  return {
    // target and workload: any part of the name, as a reader types it in the filter box
    ...(q.id !== undefined && { idPrefix: q.id }),
    ...(q.target !== undefined && { targetContains: q.target }),
    ...(q.system !== undefined && { system: q.system }),
    ...(q.workload !== undefined && { workloadContains: q.workload }),
    ...(q.status !== undefined && { status: q.status }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
    limit: q.limit ?? 50,
    offset: q.offset ?? 0,
    ...(q.sort !== undefined && { sort: q.sort }),
    ...(q.order !== undefined && { order: q.order }),
  };
}

/** The matrix's scope: a suite's own runs, and the matrix as it stood at `asOf` (a bare date: the end of that day, UTC). */
export function toMatrixScope(q: { suite?: string; asOf?: string }): { suiteId?: string; asOf?: string } {
  return { ...(q.suite !== undefined && { suiteId: q.suite }), ...(q.asOf !== undefined && { asOf: instant('asOf', q.asOf) }) };
}

/** Split a validated comma-separated id list. A run named twice is compared with itself, as asked. */
export const splitIds = (ids: string): string[] => ids.split(',');
