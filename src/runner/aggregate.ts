/**
 * Pure aggregation: record sets (one per worker thread) → per-operation results. Histograms are merged
 * exactly; rates are totals over the measured window. Tested on recorded data.
 */
import type { ErrorKind } from '../drivers/types.js';
import type { ErrorSample, OpResult, Segment, ThreadFigures } from '../results/types.js';
import { encodeHistogram, mergeHistograms, summarize } from './histogram.js';
import type { RecordSet } from './recorder.js';
import { mergeSecondLatencies } from './second-latency.js';

const MIB = 1024 * 1024;
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

export interface Aggregate {
  readonly ops: OpResult[];
  readonly segments: Segment[];
  readonly errors: ErrorSample[];
}

/** Merge per-thread record sets measured over `measuredSeconds`. `order` sorts operation types. */
export function aggregate(sets: readonly RecordSet[], measuredSeconds: number, order: readonly string[] = []): Aggregate {
  const seconds = measuredSeconds > 0 ? measuredSeconds : 1e-9;
  const names = [...new Set(sets.flatMap((s) => s.ops.map((o) => o.op)))];
  const rank = (op: string) => {
    const i = order.indexOf(op);
    return i < 0 ? order.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

  const ops: OpResult[] = names.map((op) => {
    const parts = sets.flatMap((s) => s.ops.filter((o) => o.op === op));
    const sum = (f: (o: (typeof parts)[number]) => number) => parts.reduce((acc, o) => acc + f(o), 0);
    const errorsByKind: Partial<Record<ErrorKind, number>> = {};
    for (const p of parts) for (const [k, v] of Object.entries(p.errorsByKind)) errorsByKind[k as ErrorKind] = (errorsByKind[k as ErrorKind] ?? 0) + v!;
    const latency = mergeHistograms(parts.map((p) => p.histogram));
    const service = parts.some((p) => p.serviceHistogram) ? mergeHistograms(parts.flatMap((p) => p.serviceHistogram ?? [])) : undefined;
    const ttfb = parts.some((p) => p.ttfbHistogram) ? mergeHistograms(parts.flatMap((p) => p.ttfbHistogram ?? [])) : undefined;
    const count = sum((o) => o.count);
    const bytes = sum((o) => o.bytes);
    const rateSum = sum((o) => o.rateSum);
    return {
      op,
      count,
      bytes,
      items: sum((o) => o.items),
      errors: sum((o) => o.errors),
      errorsByKind,
      opsPerSec: round(count / seconds),
      mibPerSec: round(bytes / MIB / seconds, 3),
      latencyUs: summarize(latency),
      ...(service ? { serviceUs: summarize(service), serviceHistogram: encodeHistogram(service) } : {}),
      ...(ttfb ? { ttfbUs: summarize(ttfb), ttfbHistogram: encodeHistogram(ttfb) } : {}),
      ...(bytes > 0 && count > 0 ? { meanIoRateMibPerSec: round(rateSum / count / MIB, 3) } : {}),
      histogram: encodeHistogram(latency),
    };
  });

  const segmentMap = new Map<string, Segment[]>();
  for (const s of sets.flatMap((x) => x.segments)) {
    const key = `${s.second}\0${s.op}`;
    const parts = segmentMap.get(key);
    if (parts) parts.push(s);
    else segmentMap.set(key, [s]);
  }
  const merged = [...segmentMap.values()].map((parts): Segment => {
    if (parts.length === 1) return parts[0]!;
    const sum = (f: (s: Segment) => number) => parts.reduce((acc, s) => acc + f(s), 0);
    // a second's p99 only when every part that has operations has their latencies (an older agent's have none)
    const latency = parts.every((p) => p.ops === 0 || p.latencyBuckets) ? mergeSecondLatencies(parts) : undefined;
    return {
      second: parts[0]!.second,
      op: parts[0]!.op,
      ops: sum((s) => s.ops),
      bytes: sum((s) => s.bytes),
      errors: sum((s) => s.errors),
      latencySumUs: sum((s) => s.latencySumUs),
      latencyMaxUs: Math.max(...parts.map((s) => s.latencyMaxUs)),
      ...latency,
    };
  });
  const segments = merged.sort((a, b) => a.second - b.second || rank(a.op) - rank(b.op));

  const errorMap = new Map<string, ErrorSample>();
  for (const e of sets.flatMap((x) => x.errors)) {
    const key = `${e.op}\0${e.kind}`;
    const prev = errorMap.get(key);
    errorMap.set(key, prev ? { ...prev, count: prev.count + e.count } : e);
  }
  return { ops, segments, errors: [...errorMap.values()] };
}

/** Each thread's own figures (`sets` in thread order), over the run's window: none for a run on one thread. */
export function perThread(sets: readonly RecordSet[], measuredSeconds: number, order: readonly string[] = []): ThreadFigures[] {
  if (sets.length < 2) return [];
  return sets.flatMap((set, thread) =>
    aggregate([{ ...set, segments: [] }], measuredSeconds, order).ops.map((o) => ({
      thread,
      op: o.op,
      count: o.count,
      errors: o.errors,
      opsPerSec: o.opsPerSec,
      p99Us: o.latencyUs.p99,
    })),
  );
}
