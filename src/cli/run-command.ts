/** `storbench run`: one workload against one target. */

import { parseTarget } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { dataRate, formatMib, formatRate, latencyColumn, textTable } from '../report/format.js';
import { runHealth } from '../report/health.js';
import { openStore } from '../results/sqlite-store.js';
import type { CleanupState, ResultsStore, RunStatus } from '../results/types.js';
import { type RunResult, runBenchmark } from '../runner/run.js';
import { targetNameSchema } from '../suite/targets-file.js';
import { loadWorkload } from '../workloads/spec.js';
import { type Command, parseFlags } from './command.js';
import { engineFlagOptions, engineFlagUsage, engineFleet } from './engine-flags.js';
import { toJsonRun } from './json-result.js';
import { checkLiveCsv, liveCsvUsage, withLiveCsv } from './live-csv.js';
import { progressPrinter } from './progress.js';
import { terminalWidth } from './terminal.js';
import { workloadFlagOptions, workloadFlagUsage, workloadOverrides } from './workload-flags.js';

/** Stop gracefully on the first Ctrl-C (SIGINT/SIGTERM); exit at once on the second. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: finishing operations in flight and saving results (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;

/**
 * The figures of a run as a table, each latency column in one unit; in `width` columns (the terminal's), p90,
 * p99.9, count, max and p50 are left out in that order while it is too wide.
 */
export function resultTable(result: Pick<RunResult, 'ops'>, width = terminalWidth()): string {
  // a run that failed or was stopped before its first operation: no figures, not a table of zeros or headers
  if (result.ops.every((o) => o.count === 0 && o.errors === 0)) return 'no figures: no operation was measured';
  const latency = PERCENTILES.map((p) => latencyColumn(result.ops.map((o) => o.latencyUs[p])));
  return textTable(
    ['op', 'count', 'errors', 'ops/s', 'MiB/s', 'p50', 'p90', 'p99', 'p99.9', 'max'],
    result.ops.map((o) => [
      o.op,
      o.count.toLocaleString('en-US'),
      o.errors.toLocaleString('en-US'),
      formatRate(o.opsPerSec),
      formatMib(dataRate(o)),
      ...PERCENTILES.map((p, i) => latency[i]!(o.latencyUs[p])),
    ]),
    undefined,
    { width, drop: [6, 8, 1, 9, 5] },
  );
}

const EXIT_CODES: Readonly<Record<RunResult['status'], number>> = { completed: 0, failed: 1, degraded: 3, interrupted: 130 };

/** Exit code of a finished run: 1 also when its results could not be stored. */
export const exitCodeOf = (result: Pick<RunResult, 'status' | 'storeError'>): number =>
  result.storeError !== undefined && result.status !== 'interrupted' ? 1 : EXIT_CODES[result.status];

/** Whether a run that has ended left objects behind: its cleanup never finished, or failed. */
export const leftObjects = (run: { readonly status: RunStatus; readonly cleanup: CleanupState }): boolean =>
  run.status !== 'running' && (run.cleanup === 'pending' || run.cleanup === 'failed');

/** What to tell about a run that left objects behind. */
export const leftoverNote = (runId: string): string => `objects left under storbench/${runId}/ (storbench clean --target URL --yes removes them)`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run one workload against one target',
  usage: `usage: storbench run --target URL --workload NAME|FILE [flags]

  --target URL          mem://, null://, file:///path, s3://..., webhdfs://..., cassandra://..., nfs://...
  --target-env NAME     read the target URL from environment variable NAME (keeps its secrets out of arguments)
  --workload NAME|FILE  a preset (put-small, get-small, put-large, get-large, mixed, metadata, list, scan,
                        dfsio-write, dfsio-read, nnbench, ycsb-a ... ycsb-f) or a YAML/JSON workload file
  --name NAME           a name for the target in reports (default: the URL, secrets redacted)
  --db PATH             results database (default results/storbench.db)
  --json                print exactly one JSON document with the results
${liveCsvUsage}
${workloadFlagUsage}

${engineFlagUsage}`,
  async run(argv) {
    const { values } = parseFlags('run', argv, {
      target: { type: 'string' },
      workload: { type: 'string' },
      name: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
      'target-env': { type: 'string' },
      'live-csv': { type: 'string' },
      ...workloadFlagOptions,
      ...engineFlagOptions,
    });
    const targetVariable = values['target-env'];
    if (targetVariable !== undefined) {
      if (values.target) throw new UsageError('run: give --target or --target-env, not both');
      const fromEnv = process.env[targetVariable];
      if (!fromEnv) throw new UsageError(`run: --target-env: environment variable ${targetVariable} is not set`);
      values.target = fromEnv;
    }
    if (!values.target) throw new UsageError('run: --target is required (example: --target file:///tmp/bench)');
    if (!values.workload) throw new UsageError('run: --workload is required (example: --workload put-small)');
    const name = values.name === undefined ? undefined : targetNameSchema.safeParse(values.name);
    if (name?.success === false) throw new UsageError(`run: --name: ${name.error.issues[0]!.message}`);
    const target = parseTarget(values.target, {}, values.name);
    const spec = loadWorkload(values.workload, workloadOverrides(values));
    const liveCsv = values['live-csv'];
    if (liveCsv !== undefined) checkLiveCsv(liveCsv);
    const fleetOf = await engineFleet(values, targetVariable, [spec]);
    let store: ResultsStore | undefined;
    const interrupt = interruptSignal();
    const progress = progressPrinter(`${spec.name} on ${target.name}:`);
    try {
      // the database is opened only once the target is open and accepts the workload: bad input writes nothing
      const result = await runBenchmark({
        target,
        spec,
        store: () => {
          store = openStore(values.db);
          return liveCsv === undefined ? store : (store = withLiveCsv(store, liveCsv));
        },
        signal: interrupt.signal,
        onProgress: progress.update,
        ...(fleetOf ? { fleet: (driver, runSpec) => fleetOf(driver, target, runSpec) } : {}),
      });
      progress.end();
      if (values.json) {
        const { runId, status, target: t, workload, results, error, cleanup } = toJsonRun(result);
        console.log(
          JSON.stringify({
            runId,
            status,
            target: t,
            workload,
            system: result.system,
            measuredSeconds: result.measuredSeconds,
            ...(error ? { error } : {}),
            cleanup,
            results,
            ...(result.clientCpu ? { clientCpu: result.clientCpu } : {}),
          }),
        );
      } else {
        console.log(
          `run ${result.runId}: ${spec.name} on ${target.name} (${result.system}) ${runHealth(result).label} in ${result.measuredSeconds.toFixed(1)}s measured`,
        );
        if (result.error) console.log(`note: ${result.error}`);
        if (leftObjects(result)) console.log(`note: ${leftoverNote(result.runId)}`);
        console.log(resultTable(result));
        if (result.clientCpu) {
          console.log(`storbench's own CPU: ${result.clientCpu.usPerOp} µs per operation (${result.clientCpu.cores} cores busy on average)`);
        }
        if (!result.storeError) console.log(`stored in ${store?.path}; details: storbench show ${result.runId}`);
      }
      if (result.storeError) {
        console.error(
          `storbench: error: --db ${store?.path}: the results of run ${result.runId} could not be stored (${result.storeError}); the figures printed are the only copy`,
        );
      }
      return exitCodeOf(result);
    } finally {
      progress.end();
      interrupt.dispose();
      store?.close();
    }
  },
};
