/**
 * Records what workers measure: per operation type an HDR histogram of latency (µs), service time and
 * time to first byte when they differ, counts, bytes, errors by kind with the first message of each,
 * and per-second segments. Errors are recorded, never thrown. Nothing here allocates per operation
 * except the first operation of a new second.
 */
import { redactString } from '../drivers/target.js';
import { ERROR_KINDS, type ErrorKind, StorageError } from '../drivers/types.js';
import type { ErrorSample, Segment } from '../results/types.js';
import { encodeHistogram, HIGHEST_TRACKABLE_US, type Histogram, newHistogram } from './histogram.js';
import { type SecondLatency, SecondSplitter } from './second-latency.js';

interface SecondBucket {
  ops: number;
  bytes: number;
  errors: number;
  latencySumUs: number;
  latencyMaxUs: number;
  /** Set when the next second begins (see ./second-latency.ts). */
  latency?: SecondLatency | undefined;
}

/** Figures of one operation type in one recorder (one thread); merged across threads by `mergeRecords`. */
export interface OpRecord {
  op: string;
  count: number;
  bytes: number;
  items: number;
  errors: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  /** Sum of per-op throughput in bytes/s (for TestDFSIO's average IO rate). */
  rateSum: number;
  histogram: string;
  serviceHistogram?: string;
  ttfbHistogram?: string;
}

/** Everything one recorder saw; plain data, so it crosses worker threads. */
export interface RecordSet {
  readonly ops: OpRecord[];
  readonly segments: Segment[];
  readonly errors: ErrorSample[];
}

const clamp = (us: number): number => (us < 1 ? 1 : us > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : Math.round(us));

export class OpStats {
  readonly latency: Histogram = newHistogram();
  service: Histogram | undefined;
  ttfb: Histogram | undefined;
  count = 0;
  bytes = 0;
  items = 0;
  errors = 0;
  rateSum = 0;
  readonly errorsByKind = new Map<ErrorKind, number>();
  readonly firstMessage = new Map<ErrorKind, string>();
  readonly seconds: (SecondBucket | undefined)[] = [];
  /** The latest second begun: its latencies are still being recorded. */
  private open = -1;
  private readonly splitter = new SecondSplitter(this.latency);

  constructor(
    readonly op: string,
    private readonly recorder: Recorder,
  ) {}

  second(s: number): SecondBucket {
    return (this.seconds[s] ??= this.begin(s));
  }

  /**
   * A second's first operation (of this type): the open second's latencies are complete. An operation that ends
   * out of order, in a second before the open one, counts its latency in the open second.
   */
  private begin(s: number): SecondBucket {
    if (s > this.open) {
      const previous = this.seconds[this.open];
      if (previous) previous.latency = this.splitter.since(true);
      this.open = s;
    }
    return { ops: 0, bytes: 0, errors: 0, latencySumUs: 0, latencyMaxUs: 0 };
  }

  /** The latencies of second `s`: the open second's so far. */
  latencyOf(s: number, b: SecondBucket): SecondLatency | undefined {
    return s === this.open ? this.splitter.since(false) : b.latency;
  }

  /**
   * A successful operation that ended at `endMs`. `latencyUs` counts from the intended start (open loop)
   * or the actual start; `serviceUs` is given only when it differs (open loop).
   */
  ok(endMs: number, latencyUs: number, bytes: number, items = 0, serviceUs?: number, ttfbUs?: number): void {
    const r = this.recorder;
    if (endMs < r.windowStart || endMs > r.windowEnd) return;
    // the second first: beginning one subtracts the latencies recorded before this operation's
    const b = this.second(((endMs - r.windowStart) / 1000) | 0);
    const lat = clamp(latencyUs);
    this.latency.recordValue(lat);
    if (serviceUs !== undefined) (this.service ??= newHistogram()).recordValue(clamp(serviceUs));
    if (ttfbUs !== undefined) (this.ttfb ??= newHistogram()).recordValue(clamp(ttfbUs));
    this.count++;
    this.bytes += bytes;
    this.items += items;
    if (bytes > 0) this.rateSum += bytes / (((serviceUs ?? latencyUs) || 1) / 1e6);
    b.ops++;
    b.bytes += bytes;
    b.latencySumUs += lat;
    if (lat > b.latencyMaxUs) b.latencyMaxUs = lat;
  }

  /** A failed operation: counted by kind, its first message kept (secrets scrubbed). */
  error(endMs: number, error: unknown): void {
    const r = this.recorder;
    if (endMs < r.windowStart || endMs > r.windowEnd) return;
    const kind: ErrorKind = error instanceof StorageError ? error.kind : 'Unexpected';
    this.errors++;
    this.errorsByKind.set(kind, (this.errorsByKind.get(kind) ?? 0) + 1);
    if (!this.firstMessage.has(kind)) {
      const message = error instanceof Error ? error.message : String(error);
      this.firstMessage.set(kind, redactString(message, r.secrets).slice(0, 1000));
    }
    this.second(((endMs - r.windowStart) / 1000) | 0).errors++;
  }
}

export class Recorder {
  private readonly stats = new Map<string, OpStats>();
  /** performance.now() (ms) at which the measured window starts; earlier operations are warm-up. */
  windowStart = Infinity;
  /** Operations ending after this (draining after the deadline) are not counted: rates are per window. */
  windowEnd = Infinity;

  constructor(readonly secrets: readonly string[] = []) {}

  /** Start the measured window now (after warm-up). */
  startWindow(nowMs: number, endMs = Infinity): void {
    this.windowStart = nowMs;
    this.windowEnd = endMs;
  }

  get measuring(): boolean {
    return this.windowStart !== Infinity;
  }

  /** The recorder of one operation type; workers keep it to skip the lookup on every operation. */
  op(op: string): OpStats {
    let s = this.stats.get(op);
    if (!s) this.stats.set(op, (s = new OpStats(op, this)));
    return s;
  }

  ok(op: string, endMs: number, latencyUs: number, bytes: number, items = 0, serviceUs?: number, ttfbUs?: number): void {
    this.op(op).ok(endMs, latencyUs, bytes, items, serviceUs, ttfbUs);
  }

  error(op: string, endMs: number, error: unknown): void {
    this.op(op).error(endMs, error);
  }

  /** Live totals for progress lines: ops, bytes and errors so far, and the p99 of every op type together. */
  totals(): { ops: number; bytes: number; errors: number; p99Us: number } {
    let ops = 0,
      bytes = 0,
      errors = 0,
      p99 = 0;
    for (const s of this.stats.values()) {
      ops += s.count;
      bytes += s.bytes;
      errors += s.errors;
      if (s.count) p99 = Math.max(p99, s.latency.getValueAtPercentile(99));
    }
    return { ops, bytes, errors, p99Us: p99 };
  }

  /** Segments of completed seconds (the current one may still grow). */
  segments(upToSecond = Infinity): Segment[] {
    const out: Segment[] = [];
    for (const s of this.stats.values()) {
      s.seconds.forEach((b, second) => {
        if (!b || second >= upToSecond) return;
        const { latency: _, ...figures } = b;
        out.push({ second, op: s.op, ...figures, ...s.latencyOf(second, b) });
      });
    }
    return out;
  }

  snapshot(): RecordSet {
    const ops: OpRecord[] = [];
    const errors: ErrorSample[] = [];
    for (const s of this.stats.values()) {
      ops.push({
        op: s.op,
        count: s.count,
        bytes: s.bytes,
        items: s.items,
        errors: s.errors,
        rateSum: s.rateSum,
        errorsByKind: Object.fromEntries(s.errorsByKind),
        histogram: encodeHistogram(s.latency),
        ...(s.service ? { serviceHistogram: encodeHistogram(s.service) } : {}),
        ...(s.ttfb ? { ttfbHistogram: encodeHistogram(s.ttfb) } : {}),
      });
      for (const kind of ERROR_KINDS) {
        const count = s.errorsByKind.get(kind);
        if (count) errors.push({ op: s.op, kind, count, message: s.firstMessage.get(kind) ?? '' });
      }
    }
    return { ops, segments: this.segments(), errors };
  }
}
