/**
 * A latency histogram as readable bins, like fio's clat bins: from a stored HDR histogram, grouped into the
 * log buckets per-second latencies use (exact below 64 µs, then 32 equal bins per power of two), empty bins left out.
 * HDR's buckets nest inside them, so every count lands in exactly one bin.
 */
import type { JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram } from '../runner/histogram.js';
import { bucketOf, bucketTop } from '../runner/second-latency.js';

export interface LatencyBin {
  /** The bin holds latencies from `fromUs` to `toUs` (µs, both inclusive). */
  readonly fromUs: number;
  readonly toUs: number;
  readonly count: number;
  /** The fraction of all operations at or below `toUs`. */
  readonly cumulativeFraction: number;
}

/** The bins of an encoded histogram, fastest first; none for an empty or unreadable one. */
export function latencyBins(encoded: string | undefined): LatencyBin[] {
  if (!encoded) return [];
  let h: JsHistogram;
  try {
    h = decodeHistogram(encoded) as unknown as JsHistogram;
  } catch {
    return [];
  }
  const counts = new Map<number, number>();
  const last = h.totalCount ? h.countsArrayIndex(h.maxValue) : -1;
  for (let i = 0; i <= last; i++) {
    const n = h.getCountAtIndex(i);
    if (n === 0) continue;
    const b = bucketOf(h.valueFromIndex(i));
    counts.set(b, (counts.get(b) ?? 0) + n);
  }
  let seen = 0;
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, count]) => {
      seen += count;
      return { fromUs: b === 0 ? 0 : bucketTop(b - 1) + 1, toUs: bucketTop(b), count, cumulativeFraction: Math.round((seen / h.totalCount) * 1e6) / 1e6 };
    });
}

/** The bins as CSV (numbers only, lines ended as the other exports end theirs): `value_us_from,value_us_to,count,cumulative_fraction`. */
export function binsCsv(bins: readonly LatencyBin[]): string {
  const lines = ['value_us_from,value_us_to,count,cumulative_fraction', ...bins.map((b) => `${b.fromUs},${b.toUs},${b.count},${b.cumulativeFraction}`)];
  return `${lines.join('\r\n')}\r\n`;
}
