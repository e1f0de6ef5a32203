/**
 * IOR's two modes for large sequential work, decided once the target is open: what the workload says
 * (`largeFiles`), else the target's own default (a file:// profile's largeFileMode) for large sequential
 * work, else a file per worker. In shared mode object i of a run is the segment [i·size, (i+1)·size) of
 * one key, {@link sharedFileKey}: written with `writeAt`, read with range reads, one operation a segment.
 */
import type { Driver, Environment } from '../drivers/types.js';
import type { SizeDistribution } from '../workloads/sizes.js';
import { type LargeFiles, sharedFileProblem, type WorkloadSpec } from '../workloads/spec.js';

/** The one object a shared-file run writes and reads, under the run's (or dataset's) prefix. */
export function sharedFileKey(base: string): string {
  return `${base}/shared-file`;
}

/** Where `largeFiles` came from: the workload, the target's default, or neither (per worker). */
export type LargeFilesSource = 'workload' | 'target' | 'default';

/**
 * The spec with `largeFiles` decided, and what to record with the run. A target's default applies only to
 * large sequential work: a mix of writes and/or reads of one fixed size that is streamed (above blockSize),
 * as put-large, get-large and dfsio-* are; a small-object workload stays per worker whatever the profile says.
 */
export function chooseLargeFiles(spec: WorkloadSpec, sizes: SizeDistribution, driver: Driver): { spec: WorkloadSpec; environment: Environment } {
  let largeFiles: LargeFiles = 'per-worker';
  let source: LargeFilesSource = 'default';
  if (spec.largeFiles) {
    largeFiles = spec.largeFiles;
    source = 'workload';
  } else if (driver.largeFileMode && sizes.max > spec.blockSize && sharedFileProblem(spec) === undefined) {
    largeFiles = driver.largeFileMode() === 'shared-file' ? 'shared' : 'per-worker';
    source = 'target';
  }
  return { spec: { ...spec, largeFiles }, environment: { largeFiles, largeFilesSource: source } };
}
