/**
 * Issue 19 items 1-4 in the pure report code: the workload-spec fingerprint, like-for-like matrix cells, the
 * one settings warning of compare, distinct labels, n/a data rates, 3-digit ratios, "completed with errors".
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import { buildMatrix, compareRuns, pickLikeForLike, runLabels } from '../../src/report/compare.js';
import { formatRatio, renderMatrix } from '../../src/report/format.js';
import { ERRORS_SHOWN_ABOVE, runHealth } from '../../src/report/health.js';
import { describeSettings, runSettings, settingsDifferences, settingsFingerprint } from '../../src/report/settings.js';
import type { RunSummary } from '../../src/results/types.js';

const SPEC = { name: 'get-small', mix: { read: 1 }, size: '4KiB', objects: 1000, concurrency: 16, duration: 30_000, threads: 'auto', verify: false, seed: 1 };

/** A completed get-small run: `ops/s` reads of 4 KiB (0 bytes: a null:// read), `errors` failed reads. */
function run(
  id: string,
  target: string,
  startedAt: string,
  over: Partial<RunSummary> = {},
  figures = { opsPerSec: 1000, bytesPerOp: 4096, errors: 0 },
): RunSummary {
  const count = figures.opsPerSec * 30;
  return {
    id,
    targetName: target,
    target: `s3://${target}/b`,
    scheme: target === 'null' ? 'null' : 's3',
    system: target === 'null' ? 'null' : 's3',
    workload: 'get-small',
    spec: SPEC,
    loadModel: 'closed',
    concurrency: 16,
    seed: 1,
    semantics: { writeDurability: 'x', readAfterWrite: 'strong', listConsistency: 'strong' },
    capabilities: defineCapabilities({ rename: true, unknownLengthWrite: true, maxObjectSize: 1 }),
    environment: {},
    warnings: [],
    startedAt,
    status: 'completed',
    cleanup: 'done',
    host: 'h',
    pid: 1,
    ops: [
      {
        op: 'read',
        count,
        errors: figures.errors,
        errorsByKind: {},
        bytes: count * figures.bytesPerOp,
        items: 0,
        opsPerSec: figures.opsPerSec,
        mibPerSec: (figures.opsPerSec * figures.bytesPerOp) / 1048576,
        latencyUs: { min: 1, mean: 800, p50: 800, p90: 900, p99: 2000, p999: 3000, max: 4000 },
      },
    ],
    ...over,
  };
}

const openLoop = { loadModel: 'open' as const, rate: 2000, spec: { ...SPEC, rate: 2000 } };

test('fingerprint: the same for runs set up alike whatever their seed or description, different for any setting', () => {
  const a = run('a', 'disk', '2026-11-20T08:00:00Z');
  const fp = settingsFingerprint(a);
  assert.match(fp, /^[0-9a-f]{12}$/);
  assert.equal(settingsFingerprint({ ...a, spec: { ...SPEC, seed: 9, description: 'again', maxErrorRate: 0.1 } }), fp);
  assert.equal(settingsFingerprint({ ...a, spec: Object.fromEntries(Object.entries(SPEC).reverse()) }), fp, 'key order does not count');
  const changed = [
    { ...a, ...openLoop },
    { ...a, spec: { ...SPEC, verify: true } },
    { ...a, spec: { ...SPEC, size: '1MiB' } },
    { ...a, spec: { ...SPEC, mix: { read: 1, stat: 1 } } },
    { ...a, spec: { ...SPEC, duration: 10_000 } },
    { ...a, spec: { ...SPEC, threads: 1 } },
    { ...a, concurrency: 8, spec: { ...SPEC, concurrency: 8 } },
    { ...a, environment: { clients: 4 } },
    { ...a, workload: 'get-large' },
  ];
  for (const r of changed) assert.notEqual(settingsFingerprint(r), fp, JSON.stringify(r.spec));
  assert.equal(settingsFingerprint({ ...a, environment: { threads: 2 } }), fp, 'the threads an auto run chose are shown, not compared');
});

test('describeSettings says what was run', () => {
  assert.equal(describeSettings(runSettings(run('a', 'disk', 'x'))), 'closed loop, concurrency 16, threads auto, 1 client, 30 s');
  assert.equal(
    describeSettings(runSettings({ ...run('a', 'disk', 'x', openLoop), spec: { ...openLoop.spec, verify: true }, environment: { threads: 2, clients: 3 } })),
    'open loop 2,000 ops/s, concurrency 16, threads auto (2), 3 clients, 30 s, verify',
  );
});

test('matrix: per workload the settings most targets ran, a cell the newest run with them, the others left out and counted', () => {
  const runs = [
    run('r1', 'disk', '2026-11-20T08:00:00Z'),
    run('r2', 'tmpfs', '2026-11-20T08:01:00Z', {}, { opsPerSec: 4000, bytesPerOp: 4096, errors: 0 }),
    run('r3', 'null', '2026-11-20T08:02:00Z', {}, { opsPerSec: 900_000, bytesPerOp: 0, errors: 0 }),
    // newer, set up differently: a "latest run" matrix would have shown these
    run('r4', 'disk', '2026-11-20T09:00:00Z', openLoop, { opsPerSec: 2000, bytesPerOp: 4096, errors: 0 }),
    run('r5', 'tmpfs', '2026-11-20T09:01:00Z', { spec: { ...SPEC, verify: true } }),
    // older open-loop run: older than disk's cell, not "left out"
    run('r0', 'disk', '2026-11-19T09:00:00Z', openLoop),
  ];
  const m = buildMatrix(runs, 'disk');
  const [column] = m.columns;
  assert.equal(column!.settingsText, 'closed loop, concurrency 16, threads auto, 1 client, 30 s');
  assert.deepEqual(
    column!.leftOut.map((o) => [o.target, o.runId]),
    [
      ['disk', 'r4'],
      ['tmpfs', 'r5'],
    ],
  );
  const cell = (t: string) => m.rows.find((r) => r.target === t)!.cells['get-small']!;
  assert.equal(cell('disk').runId, 'r1', 'not the newer open-loop run');
  assert.equal(cell('tmpfs').runId, 'r2');
  assert.equal(cell('tmpfs').opsRatio, 4, 'like for like: 4000 / 1000, not 4000 / 2000');
  assert.equal(cell('disk').settingsText, column!.settingsText);
  assert.equal(cell('null').mibPerSec, null, 'null:// reads moved no bytes: no data rate');
  assert.equal(cell('null').mibRatio, undefined, 'and no ratio of one');
  // a tie (one target each) goes to the settings of the newest run
  assert.equal(pickLikeForLike([run('a', 'x', '2026-11-20T08:00:00Z'), run('b', 'y', '2026-11-20T08:05:00Z', openLoop)]).runs[0]!.id, 'b');
});

test('compare: one warning naming every setting that differs, distinct labels, n/a data rates, p50 ratios', () => {
  const before = run('20261201-074707-3fa9', 'tmpfs-b', '2026-12-01T07:47:07Z');
  const after = run('20261201-080000-77c1', 'tmpfs-b', '2026-12-01T08:00:00Z', { ...openLoop, environment: { threads: 1 } });
  const ceiling = run('20261201-081000-0001', 'null', '2026-12-01T08:10:00Z', {}, { opsPerSec: 900_000, bytesPerOp: 0, errors: 0 });
  assert.deepEqual(runLabels([before, after, ceiling]), ['tmpfs-b · 3fa9', 'tmpfs-b · 77c1', 'null']);
  assert.deepEqual(runLabels([before, { ...before }]), [`tmpfs-b · ${before.id}`, `tmpfs-b · ${before.id}`], 'short ids that collide: the full id');
  const c = compareRuns([before, after, ceiling]);
  assert.deepEqual(
    c.runs.map((r) => r.label),
    ['tmpfs-b · 3fa9', 'tmpfs-b · 77c1', 'null'],
  );
  assert.equal(c.warnings.length, 1);
  assert.equal(
    c.warnings[0],
    'the runs were not set up alike, so their ratios compare different tests: they differ in ' +
      'loadModel (tmpfs-b · 3fa9: closed, tmpfs-b · 77c1: open, null: closed); rate (tmpfs-b · 3fa9: none, tmpfs-b · 77c1: 2000, null: none)',
  );
  const read = c.rows[0]!.cells;
  assert.equal(read[2]!.mibPerSec, null);
  assert.equal(read[2]!.mibRatio, undefined);
  assert.equal(read[1]!.p50Ratio, 1);
  assert.equal(read[2]!.opsRatio, 900);
  assert.deepEqual(settingsDifferences([before, { ...before, id: 'x' }]), [], 'alike: nothing to say');
});

test('ratios print with 3 significant digits: never 0.00x', () => {
  assert.equal(formatRatio(20 / 2_460), '0.00813x');
  assert.equal(formatRatio(2.5), '2.50x');
  assert.equal(formatRatio(123.4), '123x');
  assert.equal(formatRatio(4_500), '4,500x');
  assert.equal(formatRatio(undefined), '');
});

test('health: a completed run with more than 1% failed operations is "completed with errors"; count excludes errors', () => {
  assert.equal(ERRORS_SHOWN_ABOVE, 0.01);
  // the review's s3-errors run: 192 errors next to 503 counted operations
  const flaky = run('f', 's3-flaky', 'x', {}, { opsPerSec: 503 / 30, bytesPerOp: 4096, errors: 192 });
  assert.deepEqual(runHealth(flaky), { level: 'errors', label: 'completed with errors (27.6%)', errorPct: 27.6 });
  const fine = run('g', 's3', 'x', {}, { opsPerSec: 1000, bytesPerOp: 4096, errors: 300 }); // 300 of 30,300: 0.99%
  assert.deepEqual(runHealth(fine), { level: 'ok', label: 'completed', errorPct: 1 });
  assert.equal(runHealth({ ...flaky, status: 'degraded' }).label, 'degraded (27.6%)');
  assert.equal(runHealth({ ...flaky, status: 'interrupted' }).level, 'interrupted');
  assert.deepEqual(runHealth({ status: 'failed', ops: [] }), { level: 'failed', label: 'failed', errorPct: null });
});

test('the suite matrix: one unit per column, named in the header, and what each column ran', () => {
  const m = buildMatrix(
    [
      run('r1', 'disk', '2026-11-20T08:00:00Z', {}, { opsPerSec: 8300, bytesPerOp: 4096, errors: 0 }),
      run('r3', 'null', '2026-11-20T08:02:00Z', {}, { opsPerSec: 910_078, bytesPerOp: 0, errors: 0 }),
      run('r4', 'disk', '2026-11-20T09:00:00Z', openLoop),
    ],
    'disk',
  );
  const text = renderMatrix(m);
  assert.match(text, /get-small \(MiB\/s\)/, 'every storage cell moved data: the column is MiB/s');
  assert.doesNotMatch(text, /ops\/s\)/);
  assert.match(text, /^disk \(baseline\) +s3 +32\.4 p99 2\.00ms$/m);
  assert.match(text, /^null \(harness ceiling\) +null +– p99 2\.00ms$/m, 'null:// moved no bytes: its data rate is n/a, not 0, and has no ratio');
  assert.match(text, /^get-small: closed loop, concurrency 16, threads auto, 1 client, 30 s; left out, set up differently: r4 \(disk: open loop 2,000 ops\/s/m);
});
