import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, piecesOf } from '../../src/drivers/keys.js';
import { isStorageError } from '../../src/drivers/types.js';
import { KeyChooser, Zipfian } from '../../src/workloads/distributions.js';
import { consume, PayloadSource, patternBytes } from '../../src/workloads/payload.js';
import { sfc32 } from '../../src/workloads/random.js';
import { parseSizeDistribution } from '../../src/workloads/sizes.js';

const draw = (dist: 'uniform' | 'zipfian' | 'sequential' | 'latest', seed: number, n: number, lo = 0, hi = 1000) => {
  const c = new KeyChooser(dist, sfc32(seed), seed);
  return Array.from({ length: n }, () => c.pick(lo, hi));
};

test('same seed, same keys; another seed, other keys', () => {
  for (const d of ['uniform', 'zipfian', 'latest'] as const) {
    assert.deepEqual(draw(d, 7, 500), draw(d, 7, 500), d);
    assert.notDeepEqual(draw(d, 7, 500), draw(d, 8, 500), d);
  }
});

test('every distribution stays inside the window', () => {
  for (const d of ['uniform', 'zipfian', 'sequential', 'latest'] as const) {
    for (const k of draw(d, 3, 20_000, 100, 350)) assert.ok(k >= 100 && k < 350, `${d} drew ${k}`);
  }
});

test('uniform is flat: every decile holds about a tenth', () => {
  const counts = new Array(10).fill(0);
  for (const k of draw('uniform', 1, 100_000)) counts[Math.floor(k / 100)]++;
  for (const c of counts) assert.ok(c > 9_000 && c < 11_000, `decile count ${c}`);
});

test('zipfian ranks follow Zipf: rank 0 about twice rank 1, top 1% takes a large share', () => {
  const z = new Zipfian();
  const r = sfc32(5);
  const counts = new Map<number, number>();
  for (let i = 0; i < 200_000; i++) {
    const k = z.next(1000, r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const c0 = counts.get(0)!;
  const c1 = counts.get(1)!;
  assert.ok(c0 / c1 > 1.7 && c0 / c1 < 2.3, `rank0/rank1 = ${c0 / c1}`);
  let top = 0;
  for (let k = 0; k < 10; k++) top += counts.get(k) ?? 0;
  assert.ok(top / 200_000 > 0.3, `top 1% share ${top / 200_000}`);
});

test('latest favors the newest objects', () => {
  const keys = draw('latest', 2, 10_000);
  const newest = keys.filter((k) => k >= 990).length;
  assert.ok(newest / keys.length > 0.4, `share of the newest 1%: ${newest / keys.length}`);
});

test('sequential walks the window in order and wraps', () => {
  assert.deepEqual(draw('sequential', 1, 7, 10, 15), [10, 11, 12, 13, 14, 10, 11]);
});

test('size distributions: fixed, range, weighted buckets, deterministic per index', () => {
  assert.equal(parseSizeDistribution('4KiB').sizeOf(1, 9), 4096);
  const range = parseSizeDistribution('1KiB-2KiB');
  for (let i = 0; i < 1000; i++) {
    const s = range.sizeOf(1, i);
    assert.ok(s >= 1024 && s <= 2048);
  }
  const buckets = parseSizeDistribution('4KiB:70,1MiB:25,64MiB:5');
  const counts = new Map<number, number>();
  for (let i = 0; i < 20_000; i++) {
    const s = buckets.sizeOf(3, i);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  assert.ok(Math.abs(counts.get(4096)! / 20_000 - 0.7) < 0.02);
  assert.ok(Math.abs(counts.get(1024 * 1024)! / 20_000 - 0.25) < 0.02);
  assert.ok(Math.abs(counts.get(64 * 1024 * 1024)! / 20_000 - 0.05) < 0.01);
  assert.equal(buckets.sizeOf(3, 42), buckets.sizeOf(3, 42));
  assert.equal(buckets.max, 64 * 1024 * 1024);
  assert.throws(() => parseSizeDistribution('4KiB:0'), /positive weight/);
  assert.throws(() => parseSizeDistribution('-5'), /not a size/);
  assert.throws(() => parseSizeDistribution('2KiB-1KiB'), /ends below its start/);
});

test('self-checking content: any range verifies, a flipped byte is Corrupt', async () => {
  const source = new PayloadSource(1, 64 * 1024, true);
  const body = await collect(source.body(1234, 200_000));
  assert.equal(body.length, 200_000);
  assert.ok(patternBytes(1234, 777, 5000).equals(body.subarray(777, 5777)));
  async function* one(b: Buffer) {
    yield b;
  }
  assert.equal(await consume(one(body.subarray(777, 5777)), 'mem', 'k', 1234, 777), 5000);
  const bad = Buffer.from(body.subarray(0, 4096));
  bad[1000] = bad[1000]! ^ 1;
  await assert.rejects(consume(one(bad), 'mem', 'k', 1234, 0), (e) => isStorageError(e, 'Corrupt') && /byte 1000/.test(e.message));
});

test('unverified content: the same seed gives the same bytes, every byte of an odd-sized block set', async () => {
  const a = await collect(new PayloadSource(7, 1023, false).body(0, 1023));
  const b = await collect(new PayloadSource(7, 1023, false).body(0, 1023));
  assert.ok(a.equals(b), 'deterministic, tail bytes included');
  assert.ok(!a.equals(await collect(new PayloadSource(8, 1023, false).body(0, 1023))), 'another seed, other bytes');
  const streamed = await collect(new PayloadSource(7, 1023, false).body(0, 3000));
  assert.equal(streamed.length, 3000);
  assert.ok(streamed.subarray(0, 1023).equals(a) && streamed.subarray(1023, 2046).equals(a), 'full blocks are the block itself');
});

test("piecesOf: exact pieces across chunk borders; without copy whole pieces are the producer's own bytes; a buffer is sliced", async () => {
  const data = Buffer.from(Array.from({ length: 25 }, (_, i) => i));
  async function* chunks() {
    yield data.subarray(0, 7);
    yield data.subarray(7, 20);
    yield data.subarray(20);
  }
  for (const copy of [false, true]) {
    const pieces: Uint8Array[] = [];
    for await (const p of piecesOf(chunks(), 5, copy)) pieces.push(p);
    assert.deepEqual(
      pieces.map((p) => p.length),
      [5, 5, 5, 5, 5],
    );
    assert.ok(Buffer.concat(pieces).equals(data), `copy ${copy}`);
    // piece [10, 15) lies wholly inside the second chunk: shared without copy, its own buffer with it
    const shared = pieces[2]!.buffer === data.buffer && pieces[2]!.byteOffset === data.byteOffset + 10;
    assert.equal(shared, !copy);
  }
  const short: Uint8Array[] = [];
  for await (const p of piecesOf(chunks(), 10, true)) short.push(p);
  assert.deepEqual(
    short.map((p) => p.length),
    [10, 10, 5],
    'the last piece is shorter',
  );
  // an in-memory body is sliced, never copied, whatever `copy` says
  const slices: Uint8Array[] = [];
  for await (const p of piecesOf(data, 10, true)) slices.push(p);
  assert.deepEqual(
    slices.map((p) => [p.byteOffset - data.byteOffset, p.length]),
    [
      [0, 10],
      [10, 10],
      [20, 5],
    ],
  );
  assert.ok(slices.every((p) => p.buffer === data.buffer));
});
