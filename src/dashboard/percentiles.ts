/**
 * Latency percentile curves decoded from the stored HDR histograms, on the server: the browser gets a
 * few dozen points per curve instead of a histogram codec.
 */
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

/** Latency in microseconds at each percentile of {@link PERCENTILE_AXIS}; `null` for an empty or unreadable histogram. */
export function percentileCurve(encoded: string | undefined): number[] | null {
  if (!encoded) return null;
  let h;
  try {
    h = decodeHistogram(encoded);
  } catch {
    // A histogram the codec cannot read (a foreign or truncated record) must not turn a report into a 500.
    return null;
  }
  if (h.totalCount === 0) return null;
  return PERCENTILE_AXIS.map((p) => (p === 0 ? h.minNonZeroValue : p === 100 ? h.maxValue : h.getValueAtPercentile(p)));
}
