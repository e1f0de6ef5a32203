/**
 * Latency percentile curves decoded from the stored HDR histograms, on the server: the browser gets a
 * few dozen points per curve instead of a histogram codec.
 */
import { type Histogram, JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram } from '../runner/histogram.js';

/**
 * The percentiles every curve is sampled at: evenly spaced in "nines" (x = -log10(1 - p/100)) from the
 * median's neighbourhood out to 99.999, then the maximum. Curves of different runs share this axis.
 */
export const PERCENTILE_AXIS: readonly number[] = (() => {
  const points: number[] = [0];
  for (let tenths = 1; tenths <= 50; tenths++) points.push(Number((100 * (1 - 10 ** (-tenths / 10))).toFixed(6)));
  points.push(100);
  return points;
})();

/** The unit in the last place of `x`, as hdr-histogram-js computes it for its percentile counts. */
const ulp = (x: number) => 2 ** (Math.floor(Math.log2(x)) - 52);

/**
 * `h.getValueAtPercentile(p)` for each of `ascending` (sorted, each in (0, 100]), in one walk over the counts.
 * The library walks them from the start for every percentile: fifty walks per curve were most of the time
 * of a run's answer. The count each percentile needs is the library's own formula, so the values are the same.
 */
export function valuesAtPercentiles(h: Histogram, ascending: readonly number[]): number[] {
  if (!(h instanceof JsHistogram)) return ascending.map((p) => h.getValueAtPercentile(p));
  const values: number[] = [];
  let index = 0;
  let total = 0;
  for (const p of ascending) {
    const fpCount = (Math.min(p, 100) / 100) * h.totalCount;
    const needed = Math.max(Math.ceil(fpCount - ulp(fpCount)), 1);
    while (total < needed && index < h.countsArrayLength) total += h.getCountAtIndex(index++);
    values.push(total >= needed ? h.highestEquivalentValue(h.valueFromIndex(index - 1)) : 0);
  }
  return values;
}

const INNER_AXIS = PERCENTILE_AXIS.slice(1, -1);

/** Latency in microseconds at each percentile of {@link PERCENTILE_AXIS}; `null` for an empty or unreadable histogram. */
export function percentileCurve(encoded: string | undefined): number[] | null {
  if (!encoded) return null;
  let h: Histogram;
  try {
    h = decodeHistogram(encoded);
  } catch {
    // A histogram the codec cannot read (a foreign or truncated record) must not turn a report into a 500.
    return null;
  }
  if (h.totalCount === 0) return null;
  return [h.minNonZeroValue, ...valuesAtPercentiles(h, INNER_AXIS), h.maxValue];
}
