import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { JsHistogram } from 'hdr-histogram-js';
import { StorageError } from '../../src/drivers/types.js';
import { aggregate } from '../../src/runner/aggregate.js';
import { decodeHistogram, encodeHistogram, meanOf, newHistogram } from '../../src/runner/histogram.js';
import { Recorder, type RecordSet } from '../../src/runner/recorder.js';

test('histograms merge exactly: percentiles of the merge equal those of all values recorded together', () => {
  const a = newHistogram();
  const b = newHistogram();
  const all = newHistogram();
  for (let i = 1; i <= 10_000; i++) {
    a.recordValue(i);
    all.recordValue(i);
  }
  for (let i = 0; i < 1000; i++) {
    b.recordValue(500_000);
    all.recordValue(500_000);
  }
  const recorderA = {
    ops: [{ op: 'read', count: 10_000, bytes: 0, items: 0, errors: 0, errorsByKind: {}, rateSum: 0, histogram: encodeHistogram(a) }],
    segments: [],
    errors: [],
  };
  const recorderB = {
    ops: [{ op: 'read', count: 1000, bytes: 0, items: 0, errors: 0, errorsByKind: {}, rateSum: 0, histogram: encodeHistogram(b) }],
    segments: [],
    errors: [],
  };
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
  assert.deepEqual(
    result.ops.map((o) => o.op),
    ['read', 'write'],
  );
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
  assert.deepEqual(
    result.segments.filter((s) => s.op === 'read').map((s) => [s.second, s.ops, s.errors]),
    [[1, 50, 2]],
  );
  const timeout = result.errors.find((e) => e.kind === 'Timeout')!;
  assert.ok(!timeout.message.includes('s3cr3t'), 'secrets are scrubbed from error samples');
});

test('segments of several threads add up; the max latency is the max', () => {
  const s = (ops: number, max: number) => ({
    ops: [],
    errors: [],
    segments: [{ second: 0, op: 'write', ops, bytes: ops, errors: 0, latencySumUs: ops * 10, latencyMaxUs: max }],
  });
  const seg = aggregate([s(5, 100), s(7, 300)], 1).segments;
  assert.deepEqual(seg, [{ second: 0, op: 'write', ops: 12, bytes: 12, errors: 0, latencySumUs: 120, latencyMaxUs: 300 }]);
});

test("meanOf gives exactly the histogram library's mean, in one pass", () => {
  const h = newHistogram();
  let seed = 7;
  for (let i = 0; i < 50_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    h.recordValue(1 + (seed % 1000) ** 2); // 1 µs to 1 s, skewed to the low end
  }
  assert.equal(meanOf(h), h.mean);
  assert.equal(meanOf(newHistogram()), 0);
});

describe('aggregation of a recorded run (test/testdata/recorded-run.json, from record-run.ts)', () => {
  interface Recorded {
    readonly measuredSeconds: number;
    readonly sets: RecordSet[];
  }
  const recorded = JSON.parse(readFileSync(new URL('../testdata/recorded-run.json', import.meta.url), 'utf8')) as Recorded;
  const { sets, measuredSeconds } = recorded;
  const result = aggregate(sets, measuredSeconds, ['read', 'write', 'stat']);
  const OBJECT_SIZE = 4096; // every object of the run: size 4KiB
  const parts = (op: string) => sets.flatMap((s) => s.ops.filter((o) => o.op === op));
  const segmentsOf = (op: string) => sets.flatMap((s) => s.segments.filter((g) => g.op === op));

  test('it is a real run: two loops, reads and stats by the thousand, some NotFound', () => {
    assert.equal(sets.length, 2);
    assert.deepEqual(
      result.ops.map((o) => o.op),
      ['read', 'stat'],
    );
    for (const o of result.ops) assert.ok(o.count > 1000 && o.errors > 0, `${o.op}: ${o.count} ok, ${o.errors} failed`);
  });

  test('counts and errors are the sums of the loops, and match the per-second segments (recorded apart)', () => {
    for (const o of result.ops) {
      const ps = parts(o.op);
      assert.equal(o.count, ps[0]!.count + ps[1]!.count);
      assert.equal(
        o.count,
        segmentsOf(o.op).reduce((a, g) => a + g.ops, 0),
        `${o.op} count by segments`,
      );
      assert.equal(
        o.errors,
        segmentsOf(o.op).reduce((a, g) => a + g.errors, 0),
        `${o.op} errors by segments`,
      );
      assert.deepEqual(o.errorsByKind, { NotFound: o.errors });
      assert.equal(decodeHistogram(o.histogram).totalCount, o.count);
    }
  });

  test('bytes and rates follow from the object size and the window', () => {
    const [read, stat] = result.ops;
    assert.equal(read!.bytes, read!.count * OBJECT_SIZE, 'every successful read moved one whole object');
    assert.equal(stat!.bytes, 0);
    assert.equal(read!.opsPerSec, Math.round((read!.count / measuredSeconds) * 100) / 100);
    assert.equal(read!.mibPerSec, Math.round(((read!.count * OBJECT_SIZE) / 1048576 / measuredSeconds) * 1000) / 1000);
    assert.equal(stat!.mibPerSec, 0);
  });

  test("the mean and the max agree with the segments' latency sums and maxima (HDR precision: 3 digits)", () => {
    for (const o of result.ops) {
      const segs = segmentsOf(o.op);
      const mean = segs.reduce((a, g) => a + g.latencySumUs, 0) / o.count;
      const max = Math.max(...segs.map((g) => g.latencyMaxUs));
      assert.ok(Math.abs(o.latencyUs.mean - mean) <= mean * 0.002 + 0.1, `${o.op} mean ${o.latencyUs.mean} vs ${mean}`);
      assert.ok(o.latencyUs.max >= max && o.latencyUs.max <= max * 1.001 + 1, `${o.op} max ${o.latencyUs.max} vs ${max}`);
    }
  });

  test("percentiles of the merge are ranks over both loops' values, counted bucket by bucket", () => {
    for (const o of result.ops) {
      const hs = parts(o.op).map((p) => decodeHistogram(p.histogram) as unknown as JsHistogram);
      const total = hs.reduce((a, h) => a + h.totalCount, 0);
      for (const [p, value] of [
        [50, o.latencyUs.p50],
        [90, o.latencyUs.p90],
        [99, o.latencyUs.p99],
        [99.9, o.latencyUs.p999],
      ] as const) {
        let below = 0;
        let atOrBelow = 0;
        for (const h of hs) {
          for (let i = 0; i < h.countsArrayLength; i++) {
            const n = h.getCountAtIndex(i);
            if (n === 0) continue;
            if (h.highestEquivalentValue(h.valueFromIndex(i)) < value) below += n;
            if (h.valueFromIndex(i) <= value) atOrBelow += n;
          }
        }
        const rank = Math.max(1, Math.ceil((p / 100) * total)); // nearest rank: the smallest value with p% at or below it
        assert.ok(below < rank && atOrBelow >= rank, `${o.op} p${p} = ${value}: ${below} values below it, ${atOrBelow} at or below, rank ${rank} of ${total}`);
      }
    }
  });

  test('error samples: one per operation and kind, counted over both loops, naming a deleted object', () => {
    assert.deepEqual(result.errors.map((e) => [e.op, e.kind]).sort(), [
      ['read', 'NotFound'],
      ['stat', 'NotFound'],
    ]);
    for (const e of result.errors) {
      assert.equal(
        e.count,
        parts(e.op).reduce((a, p) => a + p.errors, 0),
      );
      const index = Number(/\/(\d+): no such object$/.exec(e.message)?.[1]);
      assert.equal(index % 25, 0, `every 25th object was deleted before the run: ${e.message}`);
    }
  });
});
