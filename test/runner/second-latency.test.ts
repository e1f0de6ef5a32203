/** p50 and p99 per second: log buckets, the subtraction of histogram snapshots, and the merge of threads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate } from '../../src/runner/aggregate.js';
import { HIGHEST_TRACKABLE_US } from '../../src/runner/histogram.js';
import { Recorder } from '../../src/runner/recorder.js';
import { bucketOf, bucketTop, mergeSecondLatencies } from '../../src/runner/second-latency.js';

test('log buckets: contiguous, exact below 64 µs, and a bucket top at most 1/32 above any value in it', () => {
  for (let v = 1; v < 64; v++) assert.equal(bucketTop(bucketOf(v)), v);
  let previousTop = 63;
  for (let b = 64; b <= bucketOf(HIGHEST_TRACKABLE_US); b++) {
    const bottom = previousTop + 1;
    const top = bucketTop(b);
    assert.equal(bucketOf(bottom), b, `bucket ${b} starts at ${bottom}`);
    assert.equal(bucketOf(top), b, `bucket ${b} ends at ${top}`);
    assert.ok((top - bottom) / bottom <= 1 / 32, `bucket ${b}: ${bottom}..${top} is at most 1/32 wide`);
    previousTop = top;
  }
  assert.ok(previousTop >= HIGHEST_TRACKABLE_US);
});

/** The ⌈p·n⌉-th smallest of `values`, as an HDR histogram ranks. */
const exact = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil((p / 100) * values.length)) - 1]!;
const within = (actual: number | undefined, truth: number, what: string) => {
  assert.ok(actual !== undefined, `${what}: missing`);
  assert.ok(actual >= truth && actual <= truth * (1 + 1 / 32) + 1, `${what}: ${actual} for ${truth}`);
};

test("a recorder's segments carry each second's own p50 and p99, not the run's so far", () => {
  const r = new Recorder();
  r.startWindow(0);
  const op = r.op('read');
  // second 0: 1,000 fast operations with a 2% tail at 50 ms; second 1: everything at about 5 ms; second 2: 200 µs
  const seconds: number[][] = [[], [], []];
  for (let i = 0; i < 1000; i++) seconds[0]!.push(i % 50 === 0 ? 50_000 : 100 + (i % 37));
  for (let i = 0; i < 500; i++) seconds[1]!.push(4_900 + i);
  for (let i = 0; i < 300; i++) seconds[2]!.push(200);
  seconds.forEach((values, s) => {
    values.forEach((v, i) => {
      op.ok(s * 1000 + (i * 999) / values.length, v, 0);
    });
  });
  const segs = r.snapshot().segments;
  assert.deepEqual(
    segs.map((s) => s.ops),
    [1000, 500, 300],
  );
  segs.forEach((seg, s) => {
    within(seg.latencyP50Us, exact(seconds[s]!, 50), `second ${s} p50`);
    within(seg.latencyP99Us, exact(seconds[s]!, 99), `second ${s} p99`);
  });
  // the open second is read without closing it: reading again gives the same, and recording on adds to it
  within(r.segments()[2]!.latencyP99Us, 200, 'the open second so far');
  within(r.segments()[2]!.latencyP99Us, 200, 'the open second read again');
  op.ok(2_999, 90_000, 0);
  op.ok(2_999, 90_000, 0);
  op.ok(2_999, 90_000, 0);
  op.ok(2_999, 90_000, 0);
  within(r.segments()[2]!.latencyP99Us, 90_000, 'the open second after its tail');
  assert.equal(r.segments()[0]!.latencyP99Us, segs[0]!.latencyP99Us, 'a closed second does not change');
});

test('threads merge per second by adding buckets: the merged p99 is that of all their operations', () => {
  const threads = [0, 1, 2].map((t) => {
    const r = new Recorder();
    r.startWindow(0);
    // thread 2 is slow: its operations are the tail of the merged seconds
    for (let s = 0; s < 3; s++) for (let i = 0; i < 400; i++) r.ok('write', s * 1000 + i, t === 2 ? 20_000 + i * 10 : 300 + i, 10);
    return r.snapshot();
  });
  const all: number[] = [];
  for (let t = 0; t < 3; t++) for (let i = 0; i < 400; i++) all.push(t === 2 ? 20_000 + i * 10 : 300 + i);
  const { segments } = aggregate(threads, 3);
  assert.equal(segments.length, 3);
  for (const seg of segments) {
    assert.equal(seg.ops, 1200);
    within(seg.latencyP99Us, exact(all, 99), `second ${seg.second} merged p99`);
    within(seg.latencyP50Us, exact(all, 50), `second ${seg.second} merged p50`);
    // averaging the threads' p99s (two near 700 µs, one near 24 ms) would say about 8.5 ms
    assert.ok(seg.latencyP99Us! > 20_000);
  }
  // a part without buckets (an agent of an older version) leaves the merged second without p99: "–", not a wrong figure
  const old = { ...threads[0]!, segments: threads[0]!.segments.map(({ latencyBuckets: _, latencyP50Us: _a, latencyP99Us: _b, ...s }) => s) };
  assert.equal(aggregate([old, threads[1]!], 3).segments[0]!.latencyP99Us, undefined);
});

test('merging seconds without latencies gives none', () => {
  assert.equal(mergeSecondLatencies([{}, { latencyBuckets: '' }]), undefined);
  assert.equal(mergeSecondLatencies([{ latencyBuckets: '70:3' }])?.latencyP99Us, bucketTop(70));
});
