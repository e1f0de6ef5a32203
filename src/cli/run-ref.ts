/** Run ids as users type them: in full, as a unique prefix (git-style), or as the dashboard shows a run. */
import { UsageError } from '../errors.js';
import type { ResultsStore, RunDetail } from '../results/types.js';

/** Matches listed when a prefix is ambiguous. */
const SHOWN_MATCHES = 5;

/** A start time as the dashboard prints it (`2026-12-01 07:47 UTC`, or ISO): run ids begin with it (`20261201-0747`). */
const START_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/;

/** What `ref` stands for as an id prefix: the `id` of a run page's URL, a start time made id-shaped, or itself. */
export function runIdPrefix(ref: string): string {
  const text = ref.trim();
  const fromUrl = /[?&]id=([^&#]+)/.exec(text);
  if (fromUrl) {
    try {
      return decodeURIComponent(fromUrl[1]!);
    } catch {
      return fromUrl[1]!;
    }
  }
  const time = START_TIME.exec(text);
  return time ? `${time[1]}${time[2]}${time[3]}-${time[4]}${time[5]}${time[6] ?? ''}` : text;
}

/**
 * The id of the one run `ref` names: an id, a unique prefix of one, a run page's URL (`.../run.html?id=...`) or
 * a start time as the dashboard prints it (`2026-12-01 07:47`).
 * @throws UsageError naming `command`: no run (exit 2), or an ambiguous prefix with up to 5 of its matches
 */
export function resolveRunId(store: ResultsStore, ref: string, command: string): string {
  const prefix = runIdPrefix(ref);
  const ids = store.findRunIds(prefix, SHOWN_MATCHES + 1);
  if (ids[0] === prefix || ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new UsageError(`${command}: no run "${ref}" in ${store.path}`, 'STORBENCH_ERR_NOT_FOUND');
  const shown = ids.slice(0, SHOWN_MATCHES).join(', ');
  throw new UsageError(`${command}: "${ref}" matches more than one run (${shown}${ids.length > SHOWN_MATCHES ? ', ...' : ''}): type more of the id`);
}

/** The run `ref` names ({@link resolveRunId}), in full. */
export function getRunByRef(store: ResultsStore, ref: string, command: string): RunDetail {
  const run = store.getRun(resolveRunId(store, ref, command));
  // deleted between the two reads
  if (!run) throw new UsageError(`${command}: no run "${ref}" in ${store.path}`, 'STORBENCH_ERR_NOT_FOUND');
  return run;
}
