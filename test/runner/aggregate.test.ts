import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate } from '../../src/runner/aggregate.js';
import { decodeHistogram, encodeHistogram, meanOf, newHistogram } from '../../src/runner/histogram.js';
import { Recorder } from '../../src/runner/recorder.js';
import { StorageError } from '../../src/drivers/types.js';

test('histograms merge exactly: percentiles of the merge equal those of all values recorded together', () => {
  const a = newHistogram();
  const b = newHistogram();
  const all = newHistogram();
  for (let i = 1; i <= 10_000; i++) { a.recordValue(i); all.recordValue(i); }
  for (let i = 0; i < 1000; i++) { b.recordValue(500_000); all.recordValue(500_000); }
  const recorderA = { ops: [{ op: 'read', count: 10_000, bytes: 0, items: 0, errors: 0, errorsByKind: {}, rateSum: 0, histogram: encodeHistogram(a) }], segments: [], errors: [] };
  const recorderB = { ops: [{ op: 'read', count: 1000, bytes: 0, items: 0, errors: 0, errorsByKind: {}, rateSum: 0, histogram: encodeHistogram(b) }], segments: [], errors: [] };
  const [merged] = aggregate([recorderA, recorderB], 1).ops;
  assert.equal(merged!.count, 11_000);
  for (const p of [50, 90, 99, 99.9]) {
    const key = p === 99.9 ? 'p999' : (`p${p}` as 'p50' | 'p90' | 'p99');
    assert.equal(merged!.latencyUs[key], all.getValueAtPercentile(p), `p${p}`);
  }
  // averaging the two p99s would say ~255 ms; the exact merge says 500 ms
  assert.ok(merged!.latencyUs.p99 >= 499_000);
  assert.equal(decodeHistogram(merged!.histogram).totalCount, 11_000);
});

test('aggregation on recorded data: rates over the window, segments per second, errors by kind', () => {
  const r = new Recorder(['s3cr3t']);
  r.startWindow(1000);
  r.ok('write', 900, 50, 4096); // warm-up: excluded
  for (let i = 0; i < 100; i++) r.ok('write', 1000 + i * 10, 100 + i, 4096);
  for (let i = 0; i < 50; i++) r.ok('read', 2000 + i * 10, 200, 8192, 0, undefined, 40);
  r.error('read', 2600, new StorageError('Timeout', 's3', 'read', 'slow with key s3cr3t', { key: 'k' }));
  r.error('read', 2700, new Error('boom'));
  const result = aggregate([r.snapshot()], 2, ['read', 'write']);
  assert.deepEqual(result.ops.map((o) => o.op), ['read', 'write']);
  const [read, write] = result.ops;
  assert.equal(write!.count, 100);
  assert.equal(write!.opsPerSec, 50);
  assert.equal(write!.bytes, 409_600);
  assert.equal(write!.latencyUs.min, 100);
  assert.equal(write!.latencyUs.max, 199);
  assert.equal(read!.errors, 2);
  assert.deepEqual(read!.errorsByKind, { Timeout: 1, Unexpected: 1 });
  assert.equal(read!.ttfbUs!.p50, 40);
  assert.equal(read!.meanIoRateMibPerSec, Math.round((8192 / 200e-6 / 1048576) * 1000) / 1000);
  const seconds = result.segments.filter((s) => s.op === 'write').map((s) => [s.second, s.ops]);
  assert.deepEqual(seconds, [[0, 100]]);
  assert.deepEqual(result.segments.filter((s) => s.op === 'read').map((s) => [s.second, s.ops, s.errors]), [[1, 50, 2]]);
  const timeout = result.errors.find((e) => e.kind === 'Timeout')!;
  assert.ok(!timeout.message.includes('s3cr3t'), 'secrets are scrubbed from error samples');
});

test('segments of several threads add up; the max latency is the max', () => {
  const s = (ops: number, max: number) => ({ ops: [], errors: [], segments: [{ second: 0, op: 'write', ops, bytes: ops, errors: 0, latencySumUs: ops * 10, latencyMaxUs: max }] });
  const seg = aggregate([s(5, 100), s(7, 300)], 1).segments;
  assert.deepEqual(seg, [{ second: 0, op: 'write', ops: 12, bytes: 12, errors: 0, latencySumUs: 120, latencyMaxUs: 300 }]);
});

test('meanOf gives exactly the histogram library\'s mean, in one pass', () => {
  const h = newHistogram();
  let seed = 7;
  for (let i = 0; i < 50_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    h.recordValue(1 + (seed % 1000) ** 2); // 1 µs to 1 s, skewed to the low end
  }
  assert.equal(meanOf(h), h.mean);
  assert.equal(meanOf(newHistogram()), 0);
});
