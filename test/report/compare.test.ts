/** compareRuns and buildMatrix: pure functions checked on fixed run summaries with hand-checkable figures. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import { buildMatrix, compareRuns, defaultBaseline, runClients, runWarnings } from '../../src/report/compare.js';
import type { RunSummary } from '../../src/results/types.js';

const lat = (p50: number, p99: number) => ({ min: 1, mean: p50, p50, p90: p50 * 2, p99, p999: p99 * 2, max: p99 * 3 });

function summary(
  id: string,
  targetName: string,
  scheme: string,
  system: string,
  workload: string,
  ops: [op: string, opsPerSec: number, mibPerSec: number, p50: number, p99: number][],
): RunSummary {
  return {
    id,
    targetName,
    target: `${scheme}://h/x`,
    scheme,
    system,
    workload,
    spec: {},
    loadModel: 'closed',
    concurrency: 8,
    seed: 1,
    semantics: { writeDurability: 'x', readAfterWrite: 'strong', listConsistency: 'strong' },
    capabilities: defineCapabilities({ rename: true, scan: false, unknownLengthWrite: true, maxObjectSize: 1 }),
    environment: {},
    warnings: [],
    startedAt: `2026-11-20T08:00:0${id.slice(-1)}.000Z`,
    status: 'completed',
    cleanup: 'done',
    host: 'h',
    pid: 1,
    ops: ops.map(([op, opsPerSec, mibPerSec, p50, p99]) => ({
      op,
      count: opsPerSec * 10,
      errors: op === 'write' ? 1 : 0,
      errorsByKind: {},
      bytes: mibPerSec > 0 ? opsPerSec * 10 * 4096 : 0,
      items: 0,
      opsPerSec,
      mibPerSec,
      latencyUs: lat(p50, p99),
    })),
  };
}

const hdfs = summary('r1', 'hdfs-prod', 'webhdfs', 'hdfs', 'mixed', [
  ['read', 1000, 4, 500, 2000],
  ['write', 400, 2, 900, 8000],
]);
const ceph = summary('r2', 'ceph', 's3', 's3', 'mixed', [
  ['write', 800, 4, 600, 4000],
  ['read', 2500, 10, 250, 1000],
  ['list', 50, 0, 3000, 9000],
]);
const ceiling = summary('r3', 'null', 'null', 'null', 'mixed', [['read', 90000, 350, 5, 20]]);
const hdfsPut = summary('r4', 'hdfs-prod', 'webhdfs', 'hdfs', 'put-small', [['write', 500, 2, 800, 4000]]);

test('compareRuns: one row per op in order of first appearance, ratios to the first run', () => {
  const c = compareRuns([hdfs, ceph]);
  assert.deepEqual(
    c.runs.map((r) => r.id),
    ['r1', 'r2'],
  );
  assert.deepEqual(
    c.rows.map((r) => r.op),
    ['read', 'write', 'list'],
  );
  const read = c.rows[0]!;
  assert.equal(read.cells[0]!.opsRatio, 1);
  assert.deepEqual(read.cells[1], {
    runId: 'r2',
    count: 25000,
    errors: 0,
    opsPerSec: 2500,
    mibPerSec: 10,
    p50Us: 250,
    p99Us: 1000,
    opsRatio: 2.5,
    mibRatio: 2.5,
    p50Ratio: 0.5,
    p99Ratio: 0.5,
  });
  const list = c.rows[2]!;
  assert.equal(list.cells[0], undefined, 'the first run has no list');
  assert.equal(list.cells[1]!.opsRatio, undefined, 'no reference, no ratio');
  assert.equal(compareRuns([ceph, hdfs]).rows.find((r) => r.op === 'write')!.cells[1]!.opsRatio, 0.5);
});

test('compareRuns of nothing is empty', () => {
  assert.deepEqual(compareRuns([]), { runs: [], rows: [], warnings: [] });
});

const pageCache = [{ code: 'page-cache', text: 'neither O_DIRECT nor dropped caches' }];
const handoff = [{ code: 'threadpool-handoff', text: 'io=async on a local file system' }];

test('warnings: reads a page cache may have served, and a saturated client, name the run; none otherwise', () => {
  const cached = { ...hdfs, id: 'r5', targetName: 'lustre', warnings: pageCache, environment: { eventLoopUtilization: 0.4 } };
  const writesOnly = { ...hdfsPut, warnings: pageCache };
  const saturated = {
    ...ceph,
    environment: { eventLoopUtilization: 0.97, threadsChoice: 'auto: one event loop (runs shorter than 5s stay on one event loop)' },
  };
  assert.deepEqual(runWarnings(writesOnly), [], 'nothing read, nothing to warn about');
  assert.deepEqual(runWarnings(hdfs), []);
  const smallFiles = (warnings: RunSummary['warnings'], bytes: number) => ({
    ...hdfsPut,
    warnings,
    environment: { ioEngine: 'async: node:fs/promises', fsType: 'tmpfs' },
    ops: hdfsPut.ops.map((o) => ({ ...o, bytes: o.count * bytes })),
  });
  assert.match(runWarnings(smallFiles(handoff, 4096))[0]!, /^small files on a local file system through the async engine.*\?io=sync/);
  assert.deepEqual(runWarnings(smallFiles(handoff, 1 << 20)), [], 'large objects hide the hand-off');
  assert.deepEqual(runWarnings(smallFiles([], 4096)), [], 'no hand-off caveat from the driver (a network file system, io=sync): nothing');
  const [differ, ...caveats] = compareRuns([cached, writesOnly, saturated]).warnings;
  assert.match(
    differ!,
    /^the runs were not set up alike, so their ratios compare different tests: they differ in workload \(lustre: mixed, hdfs-prod: put-small, ceph: mixed\)$/,
  );
  assert.deepEqual(caveats, [
    "r5 (lustre): reads may have been served from the client's page cache (neither O_DIRECT nor dropped caches): use ?direct=true or --drop-caches for the storage's own figures",
    "r2 (ceph): the client's event loop was saturated (utilization 0.97): the client may have limited these figures (threads auto: one event loop (runs shorter than 5s stay on one event loop))",
  ]);
});

test("runWarnings switches on the caveats' codes, never on environment prose", () => {
  const prose = { ...hdfs, environment: { cacheWarning: 'neither O_DIRECT nor dropped caches', ioEngine: 'async: libuv', fsType: 'tmpfs' } };
  assert.deepEqual(runWarnings(prose), [], 'environment keys alone warn of nothing');
  const coded = { ...hdfs, warnings: [{ code: 'page-cache', text: "the driver's own words" }] };
  assert.deepEqual(
    runWarnings(coded),
    ["reads may have been served from the client's page cache (the driver's own words): use ?direct=true or --drop-caches for the storage's own figures"],
    'the text comes from the warning',
  );
  assert.deepEqual(runWarnings({ ...hdfs, warnings: [{ code: 'something-new', text: 'x' }] }), [], 'an unknown code is not a page-cache one');
  assert.equal(
    runWarnings({ ...hdfsPut, ops: hdfsPut.ops.map((o) => ({ ...o, bytes: o.count * 4096 })), warnings: [...pageCache, ...handoff] }).length,
    1,
    'page-cache only when the run read; the hand-off for small objects moved',
  );
});

test('multi-client runs: clients and engine per run, a warning when the counts differ, and one for a start skew', () => {
  const slurm = { ...ceph, environment: { engine: 'slurm', clients: 4, startSkewMaxMs: 240 } };
  assert.deepEqual(runClients(hdfs), { clients: 1 }, 'a run of one process');
  assert.deepEqual(runClients(slurm), { clients: 4, engine: 'slurm' });
  const c = compareRuns([hdfs, slurm]);
  assert.deepEqual(
    c.runs.map((r) => [r.clients, r.engine]),
    [
      [1, undefined],
      [4, 'slurm'],
    ],
  );
  assert.deepEqual(c.warnings, [
    "the runs were not set up alike, so their ratios compare different tests: they differ in clients (hdfs-prod: 1, ceph: 4): each run's figures are the total of its clients",
  ]);
  assert.deepEqual(compareRuns([slurm, { ...slurm, id: 'r9' }]).warnings, [], 'the same count: nothing to warn about');
  const skewed = { ...slurm, warnings: [{ code: 'start-skew', text: 'the clients started up to 240 ms apart' }] };
  assert.deepEqual(runWarnings(skewed), [
    'the clients did not start together (the clients started up to 240 ms apart): part of the measured window ran with fewer clients than the rest',
  ]);
});

test('buildMatrix: the baseline row first, cells sum throughput and keep the slowest p99', () => {
  const m = buildMatrix([ceph, ceiling, hdfs, hdfsPut], 'hdfs-prod');
  assert.equal(m.baseline, 'hdfs-prod');
  assert.deepEqual(m.workloads, ['mixed', 'put-small']);
  assert.deepEqual(
    m.rows.map((r) => r.target),
    ['hdfs-prod', 'ceph', 'null'],
  );
  const cephMixed = m.rows[1]!.cells.mixed!;
  assert.equal(cephMixed.opsPerSec, 3350);
  assert.equal(cephMixed.mibPerSec, 14);
  assert.equal(cephMixed.p99Us, 9000);
  assert.equal(cephMixed.errors, 1);
  assert.equal(cephMixed.opsRatio!.toFixed(4), '2.3929', 'full precision: 3350 / 1400');
  assert.equal(cephMixed.p99Ratio, 1.125);
  assert.equal(m.rows[1]!.cells['put-small'], undefined, 'ceph has no put-small run');
  assert.equal(m.rows[2]!.ceiling, true);
});

test('buildMatrix: a chosen baseline, and no usable baseline means no ratios', () => {
  const m = buildMatrix([ceph, hdfs], 'ceph');
  assert.equal(m.baseline, 'ceph');
  assert.equal(m.rows[0]!.target, 'ceph');
  assert.equal(m.rows[1]!.cells.mixed!.opsRatio!.toFixed(4), '0.4179');
  assert.equal(buildMatrix([ceph, hdfs], 'nope').rows[0]!.cells.mixed!.opsRatio, undefined);
  assert.equal(buildMatrix([ceiling]).baseline, undefined, 'the harness ceiling is never a default baseline');
  assert.deepEqual(buildMatrix([]), { baseline: undefined, workloads: [], columns: [], rows: [] });
});

test("buildMatrix: without a chosen baseline, the suite's stored one, else the first target (HDFS is not special)", () => {
  assert.equal(defaultBaseline([hdfs, ceiling, ceph]), 'ceph', "the first target in the matrix's order");
  assert.equal(buildMatrix([hdfs, ceph]).rows[1]!.cells.mixed!.opsRatio!.toFixed(3), '0.418', 'ratios to ceph');
  const inSuite = (r: RunSummary, suiteBaseline: string, startedAt = r.startedAt): RunSummary => ({ ...r, suiteBaseline, startedAt });
  const m = buildMatrix([inSuite(ceph, 'hdfs-prod'), inSuite(hdfs, 'hdfs-prod'), inSuite(ceiling, 'hdfs-prod')]);
  assert.equal(m.baseline, 'hdfs-prod', 'the targets file said so');
  assert.equal(m.rows[0]!.target, 'hdfs-prod');
  assert.equal(m.rows[1]!.cells.mixed!.opsRatio!.toFixed(3), '2.393');
  assert.equal(buildMatrix([inSuite(ceph, 'hdfs-prod'), inSuite(hdfs, 'hdfs-prod')], 'ceph').baseline, 'ceph', 'a chosen baseline wins');
  assert.equal(defaultBaseline([inSuite(ceph, 'gone'), hdfs]), 'ceph', 'a stored baseline with no runs here is passed over');
  assert.equal(defaultBaseline([inSuite(ceph, 'ceph', '2026-11-21T00:00:00.000Z'), inSuite(hdfs, 'hdfs-prod')]), 'ceph', "the newest suite's");
  assert.equal(defaultBaseline([inSuite(ceph, 'ceph'), inSuite(hdfs, 'hdfs-prod', '2026-11-21T00:00:00.000Z')]), 'hdfs-prod');
});
