/** What every placement needs to know about the run it measures. */
import type { Target } from '../../drivers/target.js';
import type { Driver } from '../../drivers/types.js';
import type { PayloadSource } from '../../workloads/payload.js';
import type { SizeDistribution } from '../../workloads/sizes.js';
import type { WorkloadSpec } from '../../workloads/spec.js';

export interface MeasureContext {
  readonly target: Target;
  /** The run's driver, opened (worker threads open their own). */
  readonly driver: Driver;
  readonly spec: WorkloadSpec;
  readonly sizes: SizeDistribution;
  readonly payloads: PayloadSource;
  /** The prefix of the run's objects, and how many were prepared. */
  readonly base: string;
  readonly objects: number;
  /** Aborted: start no new operation (Ctrl-C). */
  readonly stop: AbortSignal;
  /** Aborted: cancel operations in flight (the drain timed out). */
  readonly cancel: AbortSignal;
  /**
   * The objects this process owns when it is one client of a multi-client run: its loops are global threads
   * `first`.. of `of` (see KeySpace). @default { first: 0, of: the process's own thread count }
   */
  readonly keyShare?: KeyShare;
}

/** Which global threads' objects a process's loops own. */
export interface KeyShare {
  readonly first: number;
  readonly of: number;
}
