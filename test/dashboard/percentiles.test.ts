/** Percentile curves: the one-walk sampling gives exactly what hdr-histogram-js's getValueAtPercentile gives. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERCENTILE_AXIS, percentileCurve, valuesAtPercentiles } from '../../src/dashboard/percentiles.js';
import { decodeHistogram, encodeHistogram, HIGHEST_TRACKABLE_US, newHistogram } from '../../src/runner/histogram.js';
import { random } from './seed.js';

/** Histograms of different shapes: one value, a few, uniform, log-normal with a long tail, huge values, odd counts. */
function histograms() {
  const rnd = random(11);
  const shapes: [string, (i: number) => number, number][] = [
    ['one value', () => 1234, 1],
    ['three values', (i) => [5, 500, 50_000][i]!, 3],
    ['uniform', () => 1 + Math.floor(rnd() * 10_000), 10_007],
    ['long tail', () => Math.round(1500 * Math.exp((rnd() - 0.5) * 0.8) * (rnd() < 0.01 ? 5 + rnd() * 20 : 1)), 20_000],
    ['up to the largest trackable', () => Math.ceil(rnd() * HIGHEST_TRACKABLE_US), 999],
    ['two spikes', (i) => (i % 1000 === 0 ? 9_000_000 : 3), 4001],
  ];
  return shapes.map(([name, value, n]) => {
    const h = newHistogram();
    for (let i = 0; i < n; i++) h.recordValue(Math.max(1, value(i)));
    return { name, h };
  });
}

test('valuesAtPercentiles equals getValueAtPercentile at every percentile of the axis, and off it', () => {
  const inner = PERCENTILE_AXIS.slice(1, -1);
  const dense = Array.from({ length: 1000 }, (_, i) => (i + 1) / 10);
  for (const { name, h } of histograms()) {
    for (const axis of [inner, dense, [50, 50, 99.9, 100]]) {
      assert.deepEqual(
        valuesAtPercentiles(h, axis),
        axis.map((p) => h.getValueAtPercentile(p)),
        name,
      );
    }
  }
});

test('a curve is the minimum, the inner percentiles and the maximum; empty or unreadable histograms have none', () => {
  for (const { name, h: recorded } of histograms()) {
    const encoded = encodeHistogram(recorded);
    // What the stored record holds (its maximum is the top of the maximum's bucket).
    const h = decodeHistogram(encoded);
    const curve = percentileCurve(encoded)!;
    assert.equal(curve.length, PERCENTILE_AXIS.length, name);
    assert.equal(curve[0], h.minNonZeroValue, name);
    assert.equal(curve.at(-1), h.maxValue, name);
    assert.deepEqual(
      curve.slice(1, -1),
      PERCENTILE_AXIS.slice(1, -1).map((p) => h.getValueAtPercentile(p)),
      name,
    );
  }
  assert.equal(percentileCurve(encodeHistogram(newHistogram())), null);
  assert.equal(percentileCurve('not a histogram'), null);
  assert.equal(percentileCurve(undefined), null);
});
