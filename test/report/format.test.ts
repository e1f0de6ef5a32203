/** storbench's one number format and its text tables (issue 19, item 7 and review problem 10). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csv, formatLatency, formatMib, formatRate, latencyColumn, markdownTable, textTable } from '../../src/report/format.js';
import { describeCrossings } from '../../src/scheduler/regression.js';

test('ops/s with thousands separators, MiB/s and latency with 3 significant digits', () => {
  assert.deepEqual([313221.5, 2621, 955, 6.04, 0.5].map(formatRate), ['313,222', '2,621', '955', '6.0', '0.500']);
  assert.deepEqual([12.891, 39704.2, 0.01234, 0, 999.7, 5].map(formatMib), ['12.9', '39,704', '0.0123', '0', '1,000', '5.00']);
  assert.deepEqual([12, 812, 999.4, 999.6, 3400, 22_437, 582_700, 999_700, 1_250_000, 17_727].map(formatLatency), [
    '12µs',
    '812µs',
    '999µs',
    '1.00ms',
    '3.40ms',
    '22.4ms',
    '583ms',
    '1.00s',
    '1.25s',
    '17.7ms',
  ]);
});

test('a latency column has one unit, the one its largest value reads best in', () => {
  const ms = latencyColumn([12, 6070, 582_700]);
  assert.deepEqual([12, 6070, 582_700].map(ms), ['0.012ms', '6.07ms', '583ms']);
  const us = latencyColumn([12, 830]);
  assert.deepEqual([12, 830].map(us), ['12µs', '830µs']);
  assert.equal(latencyColumn([])(0), '0µs');
});

test('the scheduler log reads like the CLI: 313,222 → 243,794, not 313221.5 → 243793.5', () => {
  const line = describeCrossings({
    regressed: true,
    crossed: [
      { op: 'read', metric: 'opsPerSec', baseline: 313221.5, value: 243793.5, changePct: -22.2, thresholdPct: 10 },
      { op: 'read', metric: 'p99Us', baseline: 22, value: 48_400, changePct: 123.3, thresholdPct: 20 },
    ],
    baselineRuns: [],
    thresholds: { throughputDropPct: 10, p99RisePct: 20 },
  } as Parameters<typeof describeCrossings>[0]);
  assert.equal(line, 'read ops/s 313,222 → 243,794 (-22.2%, threshold -10%); read p99 22µs → 48.4ms (+123.3%, threshold +20%)');
});

const header = ['run', 'target', 'ops/s', 'p99'];
const rows = [
  ['20261201-074707-f68d', 'file:///scratch/a/some/deeper/benchmark/dir', '2,621', '22.4ms'],
  ['20261201-074712-a001', 'mem', '910,078', '0.012ms'],
];

test('a table in a width: the drop columns go first, then text is shortened with …, and no line is wider', () => {
  const whole = textTable(header, rows, ['left', 'left', 'right', 'right']);
  assert.ok(whole.split('\n')[0]!.length > 60);
  const dropped = textTable(header, rows, ['left', 'left', 'right', 'right'], { width: 70, drop: [3] });
  assert.match(dropped.split('\n')[0]!, /^run +target +ops\/s$/, 'p99 left out');
  const shortened = textTable(header, rows, ['left', 'left', 'right', 'right'], { width: 50 });
  const lines = shortened.split('\n');
  assert.ok(
    lines.every((l) => l.length <= 50),
    shortened,
  );
  assert.match(lines[2]!, /^20261201-074707-f68d {2}file:\/\/\/s… +2,621 +22\.4ms$/);
  assert.match(lines[3]!, /^20261201-074712-a001 +mem +910,078 +0\.012ms$/);
  assert.equal(textTable(header, rows, undefined, {}), textTable(header, rows), 'no width: as before');
});

test('Markdown: text columns left-aligned, figures right-aligned', () => {
  const md = markdownTable(header, rows, ['left', 'left', 'right', 'right']).split('\n');
  assert.equal(md[1], '| --- | --- | ---: | ---: |');
  assert.equal(csv(['a', 'b'], [['x,y', 1]]), 'a,b\n"x,y",1');
});
