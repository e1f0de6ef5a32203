/** The prepare phase: write the objects the measured phase reads, unless a matching named dataset is there. */
import { performance } from 'node:perf_hooks';
import type { Driver } from '../drivers/types.js';
import { UsageError } from '../errors.js';
import type { PayloadSource } from '../workloads/payload.js';
import type { SizeDistribution } from '../workloads/sizes.js';
import { needsObjects, type WorkloadSpec } from '../workloads/spec.js';
import { markerMatches, readMarker, writeMarker } from './dataset.js';
import { KeySpace } from './keyspace.js';
import { sharedFileKey } from './large-files.js';
import type { KeyShare } from './placement/context.js';
import { type Progress, progressOf } from './progress.js';
import { saltOf } from './workers.js';

/** How long prepare runs between turns of the event loop, ms. */
const YIELD_EVERY_MS = 20;

export interface PrepareRequest {
  readonly spec: WorkloadSpec;
  readonly driver: Driver;
  readonly sizes: SizeDistribution;
  readonly payloads: PayloadSource;
  /** The prefix the objects are written under (see datasetBase). */
  readonly base: string;
  readonly runId: string;
  readonly stop: AbortSignal;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** Write only the objects of `count` global threads from `first` (one client of a multi-client run). */
  readonly owned?: OwnedThreads;
}

/** Global threads `first`..`first + count - 1` of `of`. */
export type OwnedThreads = KeyShare & { readonly count: number };

/** The indices of the objects owned by these threads (see KeySpace); all when none are given. */
export function ownedIndices(objects: number, share: OwnedThreads | undefined): number[] {
  const all = Array.from({ length: objects }, (_, i) => i);
  if (!share) return all;
  return all.filter((i) => i % share.of >= share.first && i % share.of < share.first + share.count);
}

/**
 * Write the objects the measured phase reads, unless a matching named dataset is already there.
 * `writtenBy`: the host that wrote a dataset found in place (absent when this run wrote it, or unknown).
 */
export async function prepare(request: PrepareRequest): Promise<{ objects: number; writtenBy?: string }> {
  const { spec, driver, sizes, payloads, base, runId, stop, owned } = request;
  if (!needsObjects(spec) || spec.objects === 0) return { objects: 0 };
  if (spec.dataset) {
    const marker = await readMarker(driver, spec.dataset);
    if (marker && markerMatches(marker, spec)) {
      return { objects: spec.objects, ...(marker.writtenBy ? { writtenBy: marker.writtenBy } : {}) };
    }
  }
  if (!spec.prepare) {
    throw new UsageError(`workload ${spec.name}: prepare is off but ${base}/ holds no matching dataset of ${spec.objects} objects`);
  }
  const keys = new KeySpace(base, spec.objects, 0, 1, spec.groupSize, 0);
  const shared = spec.largeFiles === 'shared' ? sharedFileKey(base) : undefined;
  const indices = ownedIndices(spec.objects, owned);
  let next = 0;
  let done = 0;
  let lastYield = performance.now();
  let firstError: unknown;
  const t0 = performance.now();
  const timer = setInterval(() => {
    request.onProgress?.({ ...progressOf(runId, 'prepare', (performance.now() - t0) / 1000, 0, done, indices.length) });
  }, 1000);
  try {
    await Promise.all(
      Array.from({ length: Math.min(spec.concurrency, indices.length) }, async () => {
        while (next < indices.length && firstError === undefined && !stop.aborted) {
          const i = indices[next++]!;
          const size = sizes.sizeOf(spec.seed, i);
          try {
            const body = payloads.body(saltOf(spec.seed, i), size);
            await (shared ? driver.writeAt!(shared, i * size, body, { size }) : driver.write(keys.key(i), body, { size }));
            done++;
          } catch (e) {
            firstError ??= e;
          }
          // a driver whose calls complete at once (mem://, blocking file:// calls) would starve timers: the
          // progress line, Ctrl-C, and an agent's heartbeats (10 s without one fails a multi-client run)
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            lastYield = performance.now();
            await new Promise((r) => setImmediate(r));
          }
        }
      }),
    );
  } finally {
    clearInterval(timer);
  }
  if (firstError !== undefined) {
    throw new Error(`prepare: writing the dataset failed: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  }
  if (spec.dataset && !stop.aborted) await writeMarker(driver, spec, spec.objects);
  return { objects: spec.objects };
}
