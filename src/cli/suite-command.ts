/** `storbench suite`: every workload on every target, then the comparison matrix. */
import { createDriver } from '../drivers/registry.js';
import type { Target } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { buildMatrix } from '../report/compare.js';
import { renderMatrix } from '../report/format.js';
import { openStore } from '../results/sqlite-store.js';
import type { ResultsStore } from '../results/types.js';
import { newRunId, runBenchmark, type RunResult } from '../runner/run.js';
import { loadWorkload, type WorkloadInput, type WorkloadSpec } from '../workloads/spec.js';
import { parseFlags, type Command } from './command.js';
import { progressPrinter } from './progress.js';
import { exitCodeOf, interruptSignal } from './run-command.js';
import { loadTargetsFile } from './targets-file.js';
import { workloadFlagOptions, workloadFlagUsage, workloadOverrides } from './workload-flags.js';

export interface SuitePlan {
  readonly targets: readonly Target[];
  /** Validated before anything runs. */
  readonly workloads: readonly WorkloadSpec[];
}

/** Validate every workload for the suite up front: bad input fails before any run is written. */
export function planSuite(targets: readonly Target[], workloadNames: readonly string[], overrides: Partial<WorkloadInput>): SuitePlan {
  if (workloadNames.length === 0) throw new UsageError('suite: no workloads (give --workloads a,b or list them in the targets file)');
  return { targets, workloads: workloadNames.map((w) => loadWorkload(w, overrides)) };
}

/**
 * Create, without opening, the driver of every target for every workload: an unknown scheme or a bad driver
 * option fails here, before any run is written (each driver's factory validates its options and connects to
 * nothing until `open`). The error names the target.
 * @throws UsageError
 */
export async function checkSuiteTargets(plan: SuitePlan): Promise<void> {
  for (const target of plan.targets) {
    for (const spec of plan.workloads) {
      try {
        const driver = await createDriver({ target, concurrency: spec.concurrency, durable: spec.durable });
        await driver.close().catch(() => undefined);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        throw new UsageError(`suite: target ${target.name}: ${e.message.replace(/^target: /, '')}`, e.code);
      }
    }
  }
}

/** Extra options of `runSuite` (the scheduler's). */
export interface SuiteOptions {
  /** Id grouping the runs. @default a new `suite-<run id>` */
  readonly suiteId?: string;
  /** Stored on every run of the suite. */
  readonly scheduleId?: string;
  /** Show live progress on stderr. @default true */
  readonly progress?: boolean;
}

/** A workload that could not run on a target (unreachable, missing capability), with the reason. */
export interface NotRun {
  readonly target: string;
  readonly workload: string;
  readonly error: string;
}

/**
 * Run a suite: each workload on each target in turn, all under one suite id. A target that cannot be
 * opened is reported and skipped (listed in `notRun`); the others still run.
 */
export async function runSuite(
  plan: SuitePlan, store: ResultsStore, signal: AbortSignal, log: (line: string) => void = console.error, options: SuiteOptions = {},
): Promise<{ suiteId: string; results: RunResult[]; notRun: NotRun[] }> {
  const suiteId = options.suiteId ?? `suite-${newRunId()}`;
  const results: RunResult[] = [];
  const notRun: NotRun[] = [];
  for (const target of plan.targets) {
    for (const spec of plan.workloads) {
      if (signal.aborted) return { suiteId, results, notRun };
      const progress = options.progress === false ? { update: undefined, end: () => undefined } : progressPrinter(`${spec.name} on ${target.name}:`);
      try {
        const r = await runBenchmark({
          target, spec, store, suiteId, signal, ...(options.scheduleId ? { scheduleId: options.scheduleId } : {}),
          ...(progress.update ? { onProgress: progress.update } : {}),
        });
        progress.end();
        results.push(r);
        const main = r.ops.map((o) => `${o.op} ${o.opsPerSec} ops/s ${o.mibPerSec} MiB/s p99 ${o.latencyUs.p99}µs${o.errors ? ` errors ${o.errors}` : ''}`).join('; ');
        log(`${r.status.padEnd(9)} ${spec.name} on ${target.name}: ${main}${r.error ? ` (${r.error})` : ''}${r.storeError ? ` (not stored: ${r.storeError})` : ''}`);
      } catch (e) {
        progress.end();
        if (!(e instanceof UsageError)) throw e;
        notRun.push({ target: target.name, workload: spec.name, error: e.message });
        log(`skipped   ${spec.name} on ${target.name}: ${e.message}`);
      }
    }
  }
  return { suiteId, results, notRun };
}

/** The comparison matrix of a suite's runs. */
/** The comparison matrix of a suite's runs; ratios to `baseline` (default: an HDFS target when there is one). */
export function suiteMatrix(store: ResultsStore, suiteId: string, baseline?: string): string {
  const runs = store.listRuns({ suiteId, status: 'completed', limit: 10_000 }).runs;
  return renderMatrix(baseline === undefined ? buildMatrix(runs) : buildMatrix(runs, baseline));
}

export const suiteCommand: Command = {
  name: 'suite',
  summary: 'run every workload on every target of a targets file, then compare',
  usage: `usage: storbench suite --targets FILE [--workloads a,b,...] [--db PATH] [--json] [workload flags]

  --targets FILE        YAML: targets: [{ name, url, options, env }], workloads: [...]
                        (env maps an option to an environment variable: secrets never live in the file)
  --workloads a,b       presets or workload files (default: the file's workloads list)
${workloadFlagUsage}`,
  async run(argv) {
    const { values } = parseFlags('suite', argv, {
      targets: { type: 'string' }, workloads: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' }, ...workloadFlagOptions,
    });
    if (!values.targets) throw new UsageError('suite: --targets FILE is required');
    const file = loadTargetsFile(values.targets);
    const names = values.workloads ? values.workloads.split(',').map((s) => s.trim()).filter(Boolean) : file.workloads ?? [];
    const plan = planSuite(file.targets, names, workloadOverrides(values));
    await checkSuiteTargets(plan);
    const store = openStore(values.db);
    const interrupt = interruptSignal();
    try {
      const { suiteId, results } = await runSuite(plan, store, interrupt.signal);
      if (values.json) {
        console.log(JSON.stringify({ suiteId, runs: results.map(({ ops: _ops, ...r }) => r) }));
      } else {
        console.log(`\nsuite ${suiteId}: ${results.length} runs stored in ${store.path}\n`);
        console.log(suiteMatrix(store, suiteId));
      }
      const worst = results.map(exitCodeOf).find((c) => c !== 0);
      return worst ?? (results.length < plan.targets.length * plan.workloads.length ? 1 : 0);
    } finally {
      interrupt.dispose();
      store.close();
    }
  },
};
