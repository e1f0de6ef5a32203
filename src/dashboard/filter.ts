/** Turning validated query fields into a store filter. */
import type { RunFilter, RunStatus } from '../results/types.js';
import { badRequest } from './errors.js';

export interface RunsQuery {
  target?: string;
  system?: string;
  workload?: string;
  status?: RunStatus;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

/** An ISO instant from a validated date or date-time; a bare `until` date covers that whole day (UTC). */
function instant(field: 'since' | 'until', value: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const text = dateOnly ? `${value}T${field === 'until' ? '23:59:59.999' : '00:00:00.000'}Z` : value.replace(' ', 'T');
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw badRequest(`querystring.${field} is not a real date: "${value}"`);
  return new Date(t).toISOString();
}

export function toRunFilter(q: RunsQuery): RunFilter {
  const since = q.since === undefined ? undefined : instant('since', q.since);
  const until = q.until === undefined ? undefined : instant('until', q.until);
  if (since && until && since > until) throw badRequest('querystring.since is after querystring.until');
  return {
    ...(q.target !== undefined && { target: q.target }),
    ...(q.system !== undefined && { system: q.system }),
    ...(q.workload !== undefined && { workload: q.workload }),
    ...(q.status !== undefined && { status: q.status }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
    limit: q.limit ?? 50,
    offset: q.offset ?? 0,
  };
}

/** Split a validated comma-separated id list, refusing duplicates. */
export function splitIds(ids: string): string[] {
  const list = ids.split(',');
  const dup = list.find((id, i) => list.indexOf(id) !== i);
  if (dup) throw badRequest(`querystring.ids names run "${dup}" twice`);
  return list;
}
