/** Running a suite: each workload on each target in turn, all under one suite id (the CLI's and the scheduler's). */
import { createDriver } from '../drivers/registry.js';
import type { Target } from '../drivers/target.js';
import type { Driver } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import { dataRate, formatLatency, formatMib, formatRate } from '../report/format.js';
import type { ResultsStore } from '../results/types.js';
import type { Progress } from '../runner/progress.js';
import { type Fleet, type RunResult, runBenchmark } from '../runner/run.js';
import { newRunId } from '../runner/run-id.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import type { SuitePlan } from './plan.js';

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

/** Where a run's live progress goes: `update` while it runs, `end` once it is over (stored or not). */
export interface ProgressSink {
  readonly update: (p: Progress) => void;
  readonly end: () => void;
}

/** Extra options of `runSuite`. */
export interface SuiteOptions {
  /** Id grouping the runs. @default a new `suite-<run id>` */
  readonly suiteId?: string;
  /** Stored on every run of the suite (the scheduler's). */
  readonly scheduleId?: string;
  /** A progress sink for each run (the CLI's printer). @default none: progress is not shown */
  readonly progress?: (spec: WorkloadSpec, target: Target) => ProgressSink;
  /** Run each workload on many clients (`--engine E --clients N`): a run's coordinator. @default one process */
  readonly fleet?: (driver: Driver, target: Target, spec: WorkloadSpec) => Fleet;
}

/** A workload that could not run on a target (unreachable, missing capability), with the reason. */
export interface NotRun {
  readonly target: string;
  readonly workload: string;
  readonly error: string;
}

/**
 * Run a suite: each workload on each target in turn, all under one suite id. A target that cannot be
 * opened is reported and skipped (listed in `notRun`); the others still run. The plan's baseline is stored
 * with every run.
 */
export async function runSuite(
  plan: SuitePlan,
  store: ResultsStore,
  signal: AbortSignal,
  log: (line: string) => void = console.error,
  options: SuiteOptions = {},
): Promise<{ suiteId: string; results: RunResult[]; notRun: NotRun[] }> {
  const suiteId = options.suiteId ?? `suite-${newRunId()}`;
  const results: RunResult[] = [];
  const notRun: NotRun[] = [];
  for (const target of plan.targets) {
    for (const spec of plan.workloads) {
      if (signal.aborted) return { suiteId, results, notRun };
      const progress = options.progress?.(spec, target);
      try {
        const r = await runBenchmark({
          target,
          spec,
          store,
          suiteId,
          signal,
          ...(options.scheduleId ? { scheduleId: options.scheduleId } : {}),
          ...(plan.baseline !== undefined ? { suiteBaseline: plan.baseline } : {}),
          ...(progress ? { onProgress: progress.update } : {}),
          ...(options.fleet ? { fleet: (driver: Driver, runSpec: WorkloadSpec) => options.fleet!(driver, target, runSpec) } : {}),
        });
        progress?.end();
        results.push(r);
        const main = r.ops
          .map(
            (o) =>
              `${o.op} ${formatRate(o.opsPerSec)} ops/s ${formatMib(dataRate(o))} MiB/s p99 ${formatLatency(o.latencyUs.p99)}${o.errors ? ` errors ${o.errors.toLocaleString('en-US')}` : ''}`,
          )
          .join('; ');
        log(
          `${r.status.padEnd(9)} ${spec.name} on ${target.name}: ${main}${r.error ? ` (${r.error})` : ''}${r.storeError ? ` (not stored: ${r.storeError})` : ''}`,
        );
      } catch (e) {
        progress?.end();
        if (!(e instanceof UsageError)) throw e;
        notRun.push({ target: target.name, workload: spec.name, error: e.message });
        log(`skipped   ${spec.name} on ${target.name}: ${e.message}`);
      }
    }
  }
  return { suiteId, results, notRun };
}
