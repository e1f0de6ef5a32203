/**
 * Named datasets (`dataset: NAME`): objects kept under `storbench/datasets/<name>/` between runs, with a
 * marker saying what they are, so the next run with the same shape reads them instead of writing them again.
 */
import { hostname } from 'node:os';
import { collect } from '../drivers/keys.js';
import { type Driver, isStorageError } from '../drivers/types.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import type { RecordSet } from './recorder.js';

export interface DatasetMarker {
  objects: number;
  size: string;
  seed: number;
  groupSize: number;
  largeFiles?: WorkloadSpec['largeFiles'];
  /** Host that wrote the objects: a run on another host reads them past its own page cache. */
  writtenBy?: string;
}

/** The prefix a run's objects live under: the named dataset's, or the run's own. */
export function datasetBase(spec: WorkloadSpec, runId: string): string {
  return spec.dataset ? `storbench/datasets/${spec.dataset}` : `storbench/${runId}`;
}

/** The marker of a dataset of `objects` objects written by this host with `spec`. */
function markerOf(spec: WorkloadSpec, objects: number): DatasetMarker {
  return { objects, size: spec.size, seed: spec.seed, groupSize: spec.groupSize, largeFiles: spec.largeFiles, writtenBy: hostname() };
}

/**
 * The marker lives inside the dataset's own prefix, so a run writes nothing outside it. No generated key is
 * `_dataset.json` (groups and indices are numbers, the shared file is `shared-file`), and every system takes
 * the name unescaped (`#` would need escaping on file:// and in WebHDFS URLs); its leading `_` makes Hadoop and
 * Spark input formats skip it, as they skip `_SUCCESS`. A `list` or `scan` of the dataset sees one more object.
 */
const markerKey = (name: string) => `storbench/datasets/${name}/_dataset.json`;
/** The marker's old place, beside the dataset (where a user's file may be): read for datasets prepared there, never written. */
const oldMarkerKey = (name: string) => `storbench/datasets/${name}.json`;

/** The dataset's marker; for a dataset prepared by an older storbench, the one it left beside the dataset. */
export async function readMarker(driver: Driver, name: string): Promise<DatasetMarker | undefined> {
  return (await readMarkerAt(driver, markerKey(name))) ?? readMarkerAt(driver, oldMarkerKey(name));
}

async function readMarkerAt(driver: Driver, key: string): Promise<DatasetMarker | undefined> {
  try {
    const { body } = await driver.read(key);
    return JSON.parse((await collect(body)).toString('utf8')) as DatasetMarker;
  } catch (e) {
    if (isStorageError(e, 'NotFound') || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Does the dataset of `marker` hold the objects `spec` reads (as many or more, of the same shape)? */
export function markerMatches(marker: DatasetMarker, spec: WorkloadSpec): boolean {
  return (
    marker.objects >= spec.objects &&
    marker.size === spec.size &&
    marker.seed === spec.seed &&
    marker.groupSize === spec.groupSize &&
    (marker.largeFiles ?? 'per-worker') === spec.largeFiles
  );
}

/** Record that the named dataset of `spec` now holds `objects` objects, written by this host. */
export async function writeMarker(driver: Driver, spec: WorkloadSpec, objects: number): Promise<void> {
  await driver.write(markerKey(spec.dataset!), Buffer.from(JSON.stringify(markerOf(spec, objects))));
}

/** After a measured phase that created objects in the dataset: the marker counts them too. */
export async function writeDatasetMarker(driver: Driver, spec: WorkloadSpec, sets: readonly RecordSet[], objects: number): Promise<void> {
  const created = sets
    .flatMap((s) => s.ops)
    .filter((o) => o.op === 'write')
    .reduce((n, o) => n + o.count, 0);
  await writeMarker(driver, spec, objects + created);
}
