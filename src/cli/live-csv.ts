/**
 * `--live-csv FILE` (elbencho's --livecsv): while runs go, one CSV row per second and operation, appended
 * and written through to the file every second, so `tail -f FILE` (or a spreadsheet) follows a long run.
 *
 * The rows come from the runner's per-second flush of its segments to the store (the store is wrapped), so
 * nothing is added per operation. A second is written once it is complete (a later second exists), the
 * last one when the run ends. A run of threads: auto measures with a probe first, then with its threads,
 * whose seconds count from 0 again: elapsed_s goes on from where the probe's ended.
 */
import { accessSync, closeSync, constants, openSync, type Stats, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { csvLine } from '../report/format.js';
import type { ResultsStore, Segment } from '../results/types.js';

/** The flag's line in `run --help` and `suite --help`. */
export const liveCsvUsage = `  --live-csv FILE       while running, one CSV row per second and operation (tail -f FILE): run_id, elapsed_s,
                        op, ops, ops_per_s, mib_per_s, errors, mean_latency_us, max_latency_us,
                        p99_latency_us`;

export const LIVE_CSV_HEADER = [
  'run_id',
  'elapsed_s',
  'op',
  'ops',
  'ops_per_s',
  'mib_per_s',
  'errors',
  'mean_latency_us',
  'max_latency_us',
  'p99_latency_us',
] as const;

const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

/**
 * Check `--live-csv FILE` at the edge, before anything runs: its directory exists and FILE can be written.
 * @throws UsageError naming the flag (exit 2, nothing written)
 */
export function checkLiveCsv(path: string): void {
  const dir = dirname(resolve(path));
  const where = `--live-csv ${path}`;
  if (!statOrUndefined(dir)?.isDirectory()) throw new UsageError(`${where}: no directory ${dir}`);
  const file = statOrUndefined(path);
  if (file?.isDirectory()) throw new UsageError(`${where}: is a directory`);
  try {
    accessSync(file ? path : dir, constants.W_OK);
  } catch {
    throw new UsageError(`${where}: cannot write ${file ? 'it' : `in ${dir}`} (permission denied)`);
  }
}

/** Where one run's rows stand. */
interface RunRows {
  /** Seconds before the current window (a probe's), added to elapsed_s. */
  base: number;
  /** The first second of the current window not written yet. */
  next: number;
  /** The latest second flushed. */
  latest: number;
}

/**
 * `store`, with the live CSV at `path` written from its progress flushes (truncated now, the header first).
 * Closing the store closes the file. A write that fails is reported once on stderr; the run goes on.
 */
export function withLiveCsv(store: ResultsStore, path: string): ResultsStore {
  let fd: number | undefined = openSync(path, 'w');
  const runs = new Map<string, RunRows>();
  const write = (lines: readonly string[]) => {
    if (fd === undefined || lines.length === 0) return;
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
    } catch (e) {
      process.stderr.write(`storbench: warning: --live-csv ${path}: ${(e as Error).message}; no more rows are written\n`);
      closeSync(fd);
      fd = undefined;
    }
  };
  /** Write the seconds of `segments` not written yet: the complete ones, and at the run's end (`final`) the last too. */
  const rows = (runId: string, segments: readonly Segment[], final: { measuredSeconds: number } | undefined) => {
    if (segments.length === 0) return;
    const at = runs.get(runId) ?? { base: 0, next: 0, latest: 0 };
    runs.set(runId, at);
    const seconds = segments.map((s) => s.second);
    const [first, last] = [Math.min(...seconds), Math.max(...seconds)];
    // a flush restarts at the latest second flushed before: an earlier one is a new window (the end gives all seconds)
    if (!final && first < at.latest) {
      at.base += at.next;
      at.next = 0;
    }
    const until = final ? last + 1 : last;
    const lines: string[] = [];
    for (const s of segments) {
      if (s.second < at.next || s.second >= until) continue;
      // the last second of a run is cut short where the measured time ends
      const partial = final && s.second === last ? final.measuredSeconds - s.second : 1;
      const span = partial > 0 && partial < 1 ? partial : 1;
      lines.push(
        csvLine([
          runId,
          Math.round((at.base + s.second + span) * 1000) / 1000,
          s.op,
          s.ops,
          Math.round((s.ops / span) * 10) / 10,
          Math.round((s.bytes / 1048576 / span) * 1000) / 1000,
          s.errors,
          s.ops ? Math.round((s.latencySumUs / s.ops) * 10) / 10 : '',
          s.latencyMaxUs,
          s.latencyP99Us ?? '', // at most 3.1% high (src/runner/second-latency.ts)
        ]),
      );
    }
    at.next = Math.max(at.next, until);
    at.latest = last;
    write(lines);
  };
  write([csvLine(LIVE_CSV_HEADER)]);
  return {
    ...store,
    // the rows first: a database that cannot take the figures (a full disk) does not hold back the file
    recordProgress(runId, segments, progress, partial) {
      rows(runId, segments, undefined);
      store.recordProgress(runId, segments, progress, partial);
    },
    finishRun(runId, outcome) {
      rows(runId, outcome.segments, outcome);
      runs.delete(runId);
      store.finishRun(runId, outcome);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      store.close();
    },
  };
}
