/**
 * Latency percentiles per second without work per operation: when an operation type's first operation of a
 * new second arrives, the previous second's latencies are the op's cumulative HDR histogram minus its copy
 * taken at the second before (one pass over the counts, once a second). A second's latencies travel as log
 * buckets, so threads and clients merge them exactly by adding counts.
 *
 * Bounded error: a log bucket holds values of one power of two cut into 32 equal parts (exact below 64 µs),
 * and a percentile is reported as its bucket's upper bound: never below what the run's HDR histogram would
 * report for that second, and at most 1/32 (3.1%) above it.
 */
import type * as hdr from 'hdr-histogram-js';
import type { Histogram } from './histogram.js';

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
/** Buckets up to 2^32 µs (the HDR histograms stop at one hour). */
const BUCKETS = (32 - SUB_BITS) * SUB + SUB;

/** The log bucket of a latency (µs, 1 ≤ us < 2^32). */
export function bucketOf(us: number): number {
  if (us < 2 * SUB) return us;
  const shift = 31 - Math.clz32(us) - SUB_BITS;
  return shift * SUB + (us >>> shift);
}

/** The largest latency (µs) in log bucket `i`: what a percentile falling in it reports. */
export function bucketTop(i: number): number {
  if (i < 2 * SUB) return i;
  const shift = (i >> SUB_BITS) - 1;
  return (i - shift * SUB + 1) * 2 ** shift - 1;
}

/** One second's latencies: log buckets as "bucket:count,..." (nonzero only), and their p50 and p99 (µs). */
export interface SecondLatency {
  readonly latencyBuckets: string;
  readonly latencyP50Us: number;
  readonly latencyP99Us: number;
}

/** The value at percentile `p` of dense bucket counts (an HDR histogram's rank: the ⌈p·total⌉-th value). */
function valueAt(counts: Uint32Array, total: number, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketTop(i);
  }
  return 0;
}

/** Dense counts → their encoding and percentiles; undefined when empty. Clears `counts`. */
function summarizeBuckets(counts: Uint32Array): SecondLatency | undefined {
  let total = 0;
  const parts: string[] = [];
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]) {
      total += counts[i]!;
      parts.push(`${i}:${counts[i]}`);
    }
  }
  if (total === 0) return undefined;
  const out = { latencyBuckets: parts.join(','), latencyP50Us: valueAt(counts, total, 50), latencyP99Us: valueAt(counts, total, 99) };
  counts.fill(0);
  return out;
}

/** Merge the seconds of several threads or clients (one second, one op each): undefined when none has buckets. */
export function mergeSecondLatencies(parts: readonly { readonly latencyBuckets?: string | undefined }[]): SecondLatency | undefined {
  const counts = new Uint32Array(BUCKETS);
  for (const p of parts) {
    if (!p.latencyBuckets) continue;
    for (const pair of p.latencyBuckets.split(',')) {
      const colon = pair.indexOf(':');
      counts[Number(pair.slice(0, colon))]! += Number(pair.slice(colon + 1));
    }
  }
  return summarizeBuckets(counts);
}

/** The seconds of one operation type's cumulative histogram: each call gives what was recorded since the last commit. */
export class SecondSplitter {
  /** The counts at the last commit (a histogram of 32-bit counts, as newHistogram builds). */
  private readonly previous: Uint32Array;
  private readonly scratch = new Uint32Array(BUCKETS);

  constructor(private readonly histogram: Histogram) {
    this.previous = new Uint32Array((histogram as unknown as hdr.JsHistogram).countsArrayLength);
  }

  /** The latencies recorded since the last commit; `commit` starts the next second from here. */
  since(commit: boolean): SecondLatency | undefined {
    const js = this.histogram as unknown as hdr.JsHistogram;
    if (js.totalCount === 0) return undefined;
    const last = js.countsArrayIndex(js.maxValue);
    for (let i = 0; i <= last; i++) {
      const count = js.getCountAtIndex(i);
      const added = count - this.previous[i]!;
      if (added === 0) continue;
      this.scratch[bucketOf(js.highestEquivalentValue(js.valueFromIndex(i)))]! += added;
      if (commit) this.previous[i] = count;
    }
    return summarizeBuckets(this.scratch);
  }
}
