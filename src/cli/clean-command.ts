/**
 * `storbench clean`: remove what runs left on a target. A run killed before its cleanup ended (or whose
 * cleanup failed) leaves its objects under `storbench/<run-id>/`; named datasets and `--no-cleanup` runs
 * leave theirs on purpose. Lists them (a dry run) unless told `--yes`; removes nothing but those prefixes.
 */
import { parseTarget, redactString } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { openStore } from '../results/sqlite-store.js';
import type { RunRecord } from '../results/types.js';
import { openDriver } from '../runner/open-driver.js';
import { RUN_ID_FORMAT } from '../runner/run-id.js';
import { workloadSchema } from '../workloads/spec.js';
import { type Command, parseFlags } from './command.js';

/** One prefix to remove, and the runs to mark cleaned once it is gone. */
interface Leftover {
  /** The redacted target URL, as stored with the runs. */
  readonly target: string;
  readonly prefix: string;
  readonly what: string;
  readonly runIds: readonly string[];
}

/**
 * The prefixes that ended runs left: their own (cleanup pending or failed; `kept`: those of --no-cleanup runs
 * too), and with `datasets` the named datasets (except one a running run uses). Only prefixes the runner
 * makes: a run id of its format, a dataset name the workload schema accepts.
 */
export function leftoversOf(ended: readonly RunRecord[], running: readonly RunRecord[], options: { datasets: boolean; kept: boolean }): Leftover[] {
  const leftovers: Leftover[] = [];
  const datasets = new Map<string, { target: string; name: string; runIds: string[] }>();
  const inUse = new Set(running.filter((r) => r.dataset).map((r) => `${r.target}\0${r.dataset}`));
  for (const run of ended) {
    if (run.dataset !== undefined) {
      const key = `${run.target}\0${run.dataset}`;
      if (!options.datasets || inUse.has(key) || !workloadSchema.shape.dataset.safeParse(run.dataset).success) continue;
      const entry = datasets.get(key) ?? { target: run.target, name: run.dataset, runIds: [] };
      entry.runIds.push(run.id);
      datasets.set(key, entry);
    } else if (RUN_ID_FORMAT.test(run.id) && (run.cleanup !== 'kept' || options.kept)) {
      leftovers.push({ target: run.target, prefix: `storbench/${run.id}/`, what: `run ${run.id} (${run.status}, cleanup ${run.cleanup})`, runIds: [run.id] });
    }
  }
  for (const d of datasets.values()) {
    leftovers.push({ target: d.target, prefix: `storbench/datasets/${d.name}/`, what: `dataset ${d.name} (${d.runIds.length} runs)`, runIds: d.runIds });
  }
  return leftovers;
}

const usage = `usage: storbench clean [--target URL [--yes]] [--datasets] [--kept] [--db PATH]

Lists, per target, what ended runs left behind: the objects under storbench/<run-id>/ of runs killed before
their cleanup ended, or whose cleanup failed. Nothing is removed without --yes (a dry run).

  --target URL   only this target; the real URL, secrets included (stored targets are redacted, so it is
                 needed to connect, and runs are matched by its redacted form)
  --yes          remove the prefixes listed (through the target's driver) and mark their runs cleaned
  --datasets     named datasets too (storbench/datasets/<name>/), except one a running run uses
  --kept         the objects of --no-cleanup runs too
  --db PATH      results database (default results/storbench.db)`;

export const cleanCommand: Command = {
  name: 'clean',
  summary: 'remove the objects that killed runs left on a target (a dry run unless --yes)',
  usage,
  async run(argv) {
    const { values } = parseFlags('clean', argv, {
      target: { type: 'string' },
      yes: { type: 'boolean' },
      datasets: { type: 'boolean' },
      kept: { type: 'boolean' },
      db: { type: 'string' },
    });
    if (values.yes && !values.target) throw new UsageError('clean: --yes needs --target URL (stored targets are redacted: give the URL with its secrets)');
    const target = values.target !== undefined ? parseTarget(values.target) : undefined;
    const store = openStore(values.db, { mode: values.yes ? 'existing' : 'read' });
    try {
      const running = store.listRuns({ status: 'running', limit: 10_000 }).runs;
      const leftovers = leftoversOf(store.listLeftovers(), running, { datasets: Boolean(values.datasets), kept: Boolean(values.kept) }).filter(
        (l) => !target || l.target === target.redacted,
      );
      if (!leftovers.length) {
        console.log(`nothing left behind${target ? ` on ${target.redacted}` : ''} by the runs in ${store.path}`);
        return 0;
      }
      const targets = [...new Set(leftovers.map((l) => l.target))];
      for (const t of targets) {
        console.log(t);
        for (const l of leftovers.filter((x) => x.target === t)) console.log(`  ${l.prefix}  ${l.what}`);
      }
      if (!values.yes || !target) {
        console.log(`dry run: nothing removed (storbench clean --target URL --yes removes them)`);
        return 0;
      }
      const driver = await openDriver(target, 8);
      let failed = 0;
      try {
        for (const l of leftovers) {
          try {
            const removed = await driver.deletePrefix(l.prefix);
            for (const id of l.runIds) store.setCleanup(id, 'done');
            console.log(`removed ${l.prefix} (${removed} objects)`);
          } catch (e) {
            failed++;
            console.error(`storbench: cannot remove ${l.prefix}: ${redactString(e instanceof Error ? e.message : String(e), target.secrets)}`);
          }
        }
      } finally {
        await driver.close().catch(() => undefined);
      }
      return failed ? 1 : 0;
    } finally {
      store.close();
    }
  },
};
