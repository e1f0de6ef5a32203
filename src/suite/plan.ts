/** A suite's plan: every workload validated, and the targets, before anything runs. */
import type { Target } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { loadWorkload, type WorkloadInput, type WorkloadSpec } from '../workloads/spec.js';

export interface SuitePlan {
  readonly targets: readonly Target[];
  /** Validated before anything runs. */
  readonly workloads: readonly WorkloadSpec[];
  /**
   * Name of the target the others are compared against (a targets file's `baseline`), stored with every
   * run of the suite. @default none: a matrix then compares against its first target
   */
  readonly baseline?: string;
}

/**
 * Validate every workload for the suite up front: bad input fails before any run is written. A baseline
 * must name one of the targets, and not a null:// one (that measures the harness itself).
 * @throws UsageError
 */
export function planSuite(targets: readonly Target[], workloadNames: readonly string[], overrides: Partial<WorkloadInput>, baseline?: string): SuitePlan {
  if (workloadNames.length === 0) throw new UsageError('suite: no workloads (give --workloads a,b or list them in the targets file)');
  if (baseline !== undefined) checkBaseline(targets, baseline, 'suite');
  return { targets, workloads: workloadNames.map((w) => loadWorkload(w, overrides)), ...(baseline !== undefined ? { baseline } : {}) };
}

/**
 * Refuse a baseline that names no storage target of the list; `where` starts the message.
 * @throws UsageError
 */
export function checkBaseline(targets: readonly Pick<Target, 'name' | 'scheme'>[], baseline: string, where: string): void {
  const choices = targets.filter((t) => t.scheme !== 'null').map((t) => t.name);
  if (!choices.includes(baseline)) {
    throw new UsageError(`${where}: baseline: no storage target named "${baseline}" (targets: ${choices.join(', ') || 'none'})`);
  }
}
