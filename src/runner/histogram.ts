/**
 * HDR histograms in microseconds (hdr-histogram-js, pure JS: no WebAssembly start-up, fast record).
 * Histograms travel as compressed base64 and are merged exactly by adding counts, never by averaging
 * percentiles.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../results/types.js';

export type Histogram = hdr.Histogram;

/** One hour, in microseconds: the largest latency recorded exactly. Larger values are clamped. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  const h = newHistogram();
  h.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
  return h;
}

/** Merge encoded histograms exactly. */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = newHistogram();
  for (const e of encoded) total.add(hdr.decodeFromCompressedBase64(e, 32, false));
  return total;
}

/**
 * The histogram's mean, exactly as its `mean` getter computes it (the same terms, summed in the same
 * order), in one pass over the counts that stops at the last recorded one. The getter walks an iterator
 * that allocates per value: about 5 ms a histogram, paid every second by the runner's progress flushes.
 */
export function meanOf(h: Histogram): number {
  const js = h as unknown as hdr.JsHistogram; // what newHistogram builds (no WebAssembly)
  let seen = 0;
  let total = 0;
  for (let i = 0; i < js.countsArrayLength && seen < js.totalCount; i++) {
    const count = js.getCountAtIndex(i);
    if (count === 0) continue;
    seen += count;
    total += js.medianEquivalentValue(js.valueFromIndex(i)) * count;
  }
  return js.totalCount === 0 ? 0 : total / js.totalCount;
}

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    min: h.minNonZeroValue,
    mean: Math.round(meanOf(h) * 10) / 10,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  };
}
