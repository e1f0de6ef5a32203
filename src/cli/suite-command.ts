/** `storbench suite`: every workload on every target, then the comparison matrix (flags and printing; the running is ../suite/). */
import type { Target } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { buildMatrix } from '../report/compare.js';
import { renderMatrix } from '../report/format.js';
import { openStore } from '../results/sqlite-store.js';
import type { ResultsStore } from '../results/types.js';
import type { RunResult } from '../runner/run.js';
import { planSuite } from '../suite/plan.js';
import { checkSuiteTargets, type ProgressSink, runSuite } from '../suite/run-suite.js';
import { loadTargetsFile } from '../suite/targets-file.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import { type Command, parseFlags } from './command.js';
import { engineFlagOptions, engineFlagUsage, engineFleet } from './engine-flags.js';
import { toJsonRun } from './json-result.js';
import { checkLiveCsv, liveCsvUsage, withLiveCsv } from './live-csv.js';
import { progressPrinter } from './progress.js';
import { exitCodeOf, interruptSignal } from './run-command.js';
import { workloadFlagOptions, workloadFlagUsage, workloadOverrides } from './workload-flags.js';

/** The comparison matrix of a suite's runs; ratios to `baseline` (default: the suite's stored baseline, else its first target). */
export function suiteMatrix(store: ResultsStore, suiteId: string, baseline?: string): string {
  const runs = store.listRuns({ suiteId, status: 'completed', limit: 10_000 }).runs;
  return renderMatrix(baseline === undefined ? buildMatrix(runs) : buildMatrix(runs, baseline));
}

/** The CLI's live progress of each run of a suite, on stderr. */
export const suiteProgress = (spec: WorkloadSpec, target: Target): ProgressSink => progressPrinter(`${spec.name} on ${target.name}:`);

/** What to do after a suite: compare its first workload's runs across the targets, and browse the matrix. */
export function suiteNext(results: readonly RunResult[]): string {
  const stored = results.filter((r) => r.status === 'completed' && r.storeError === undefined);
  const ids = stored.filter((r) => r.workload === stored[0]?.workload).map((r) => r.runId);
  const first = ids.length > 1 ? `storbench compare ${ids.join(' ')}` : ids.length ? `storbench show ${ids[0]}` : 'storbench runs';
  return `next: ${first} | storbench serve (this matrix on the dashboard)`;
}

export const suiteCommand: Command = {
  name: 'suite',
  summary: 'run every workload on every target of a targets file, then compare',
  usage: `usage: storbench suite --targets FILE [--workloads a,b,...] [--db PATH] [--json] [workload flags]

  --targets FILE        YAML: targets: [{ name, url, options, env }], workloads: [...], baseline: NAME
                        (env maps an option to an environment variable: secrets never live in the file;
                        baseline: the target the matrix compares the others to, default the first)
  --workloads a,b       presets or workload files (default: the file's workloads list)
${liveCsvUsage} (all the suite's runs)
${workloadFlagUsage}

${engineFlagUsage}`,
  async run(argv) {
    const { values } = parseFlags('suite', argv, {
      targets: { type: 'string' },
      workloads: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
      'live-csv': { type: 'string' },
      ...workloadFlagOptions,
      ...engineFlagOptions,
    });
    if (!values.targets) throw new UsageError('suite: --targets FILE is required');
    const liveCsv = values['live-csv'];
    if (liveCsv !== undefined) checkLiveCsv(liveCsv);
    const file = loadTargetsFile(values.targets);
    const names = values.workloads
      ? values.workloads
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (file.workloads ?? []);
    const plan = planSuite(file.targets, names, workloadOverrides(values), file.baseline);
    await checkSuiteTargets(plan);
    const fleet = await engineFleet(values, undefined, plan.workloads);
    const opened = openStore(values.db);
    const store = liveCsv === undefined ? opened : withLiveCsv(opened, liveCsv);
    const interrupt = interruptSignal();
    try {
      const { suiteId, results } = await runSuite(plan, store, interrupt.signal, console.error, { progress: suiteProgress, ...(fleet ? { fleet } : {}) });
      if (values.json) {
        console.log(JSON.stringify({ suiteId, runs: results.map(toJsonRun) }));
      } else {
        console.log(`\nsuite ${suiteId}: ${results.length} runs stored in ${store.path}\n`);
        console.log(suiteMatrix(store, suiteId));
        console.log(`\n${suiteNext(results)}`);
      }
      const worst = results.map(exitCodeOf).find((c) => c !== 0);
      return worst ?? (results.length < plan.targets.length * plan.workloads.length ? 1 : 0);
    } finally {
      interrupt.dispose();
      store.close();
    }
  },
};
