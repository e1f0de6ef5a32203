import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import { UsageError } from '../../src/errors.js';
import { type OpenOptions, openStore } from '../../src/results/sqlite-store.js';
import type { NewRun } from '../../src/results/types.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sampleRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id,
    target: 'mem://x',
    targetName: 'mem://x',
    scheme: 'mem',
    system: 'memory',
    workload: 'put-small',
    spec: { size: 4096 },
    loadModel: 'closed',
    concurrency: 4,
    seed: 1,
    semantics: { writeDurability: 'none', readAfterWrite: 'strong', listConsistency: 'strong' },
    capabilities: defineCapabilities({ append: true, rename: true, unknownLengthWrite: true, maxObjectSize: 1 }),
    environment: { host: 'h' },
    startedAt: new Date().toISOString(),
    ...overrides,
  };
}

test('a run round-trips with its ops, segments and errors', () => {
  const store = openStore(join(dir, 'a.db'));
  store.createRun(sampleRun('r1'));
  store.recordProgress('r1', [{ second: 0, op: 'write', ops: 5, bytes: 20, errors: 0, latencySumUs: 50, latencyMaxUs: 20 }], { elapsed: 1 });
  assert.equal(store.getRun('r1')?.status, 'running');
  assert.equal(store.getRun('r1')?.progress?.elapsed, 1);
  store.finishRun('r1', {
    status: 'completed',
    endedAt: new Date().toISOString(),
    measuredSeconds: 2,
    ops: [
      {
        op: 'write',
        count: 10,
        errors: 1,
        errorsByKind: { Timeout: 1 },
        bytes: 40960,
        items: 0,
        opsPerSec: 5,
        mibPerSec: 0.02,
        latencyUs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4, p999: 5, max: 6 },
        histogram: 'HISTO',
      },
    ],
    segments: [{ second: 0, op: 'write', ops: 6, bytes: 24, errors: 0, latencySumUs: 60, latencyMaxUs: 20 }],
    errors: [{ op: 'write', kind: 'Timeout', count: 1, message: 'slow' }],
  });
  const run = store.getRun('r1')!;
  assert.equal(run.status, 'completed');
  assert.equal(run.progress, undefined);
  assert.equal(run.ops[0]!.histogram, 'HISTO');
  assert.equal(run.segments.length, 1);
  assert.equal(run.segments[0]!.ops, 6, 'a final flush replaces the live segment');
  assert.deepEqual(run.errors, [{ op: 'write', kind: 'Timeout', count: 1, message: 'slow' }]);
  const listed = store.listRuns({ workload: 'put-small' });
  assert.equal(listed.total, 1);
  assert.equal(listed.runs[0]!.ops[0]!.count, 10);
  assert.deepEqual(
    store.completedSetups().map((r) => r.id),
    ['r1'],
  );
  assert.ok(store.deleteRun('r1'));
  assert.equal(store.getRun('r1'), undefined);
  store.close();
});

test('a run left running by a dead process is marked interrupted at the next open', () => {
  const path = join(dir, 'b.db');
  const script = `import { openStore } from './src/results/sqlite-store.ts';
    const s = openStore(${JSON.stringify(path)}); s.createRun(${JSON.stringify(sampleRun('dead'))}); process.exit(0);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const store = openStore(path);
  const run = store.getRun('dead')!;
  assert.equal(run.status, 'interrupted');
  assert.match(run.error!, /ended before it finished/);
  store.close();
});

test('revision changes on writes through this store and through another connection', () => {
  const path = join(dir, 'revision.db');
  const store = openStore(path);
  const r0 = store.revision();
  assert.equal(store.revision(), r0, 'stable while nothing changes');
  store.createRun(sampleRun('v1'));
  const r1 = store.revision();
  assert.notEqual(r1, r0);
  const other = openStore(path);
  other.createRun(sampleRun('v2'));
  other.close();
  assert.notEqual(store.revision(), r1, 'a commit by another connection is seen');
  store.close();
});

test('processes opening a new database at the same moment all succeed (one migrates it, under the write lock)', async () => {
  const { spawn } = await import('node:child_process');
  const processes = 6;
  const rounds = 5;
  const path = (round: number) => join(dir, `race-${round}`, 'new.db');
  // Each process loads its code and says so; then, told a start time, all open the round's new database at
  // the same instant, once per round.
  const script = `import { openStore } from './src/results/sqlite-store.ts';
    const at = await new Promise((resolve) => { process.stdin.once('data', (d) => resolve(Number(String(d)))); console.log('ready'); });
    for (let round = 0; round < ${rounds}; round++) {
      while (Date.now() < at + round * 400) await new Promise((r) => setTimeout(r, 1));
      const s = openStore(${JSON.stringify(join(dir, 'race-'))} + round + '/new.db');
      s.createRun({ ...${JSON.stringify(sampleRun('x'))}, id: 'p' + process.pid });
      s.close();
    }
    process.exit(0);`;
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const outcomes = children.map(
    (child) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        let stderr = '';
        child.stderr!.on('data', (d) => {
          stderr += d;
        });
        child.once('exit', (code) => resolve({ code, stderr }));
      }),
  );
  await Promise.all(children.map((child) => new Promise((resolve) => child.stdout!.once('data', resolve))));
  const at = Date.now() + 300;
  for (const child of children) child.stdin!.end(String(at));
  assert.deepEqual(
    (await Promise.all(outcomes)).filter((o) => o.code !== 0),
    [],
  );
  for (let round = 0; round < rounds; round++) {
    const store = openStore(path(round));
    assert.equal(store.listRuns().total, processes, `round ${round}`);
    store.close();
  }
});

test('migration 3 keeps the runs and their figures, and tells which runs may have left objects', async () => {
  const { default: Database } = await import('better-sqlite3');
  const { migrations } = await import('../../src/results/migrations.js');
  const path = join(dir, 'v2.db');
  const old = new Database(path);
  old.exec(migrations[0]!);
  old.exec(migrations[1]!);
  old.pragma('user_version = 2');
  const insert = old.prepare(`INSERT INTO runs (id, status, target, target_name, scheme, system, workload, spec_json, load_model,
    concurrency, seed, semantics_json, capabilities_json, environment_json, dataset, started_at, error, host, pid)
    VALUES (?, ?, 'file:///x', 'file:///x', 'file', 'ext4', 'put-small', ?, 'closed', 1, 1, '{}', '{}', '{}', ?, '2026-01-01', ?, 'h', 1)`);
  insert.run('done', 'completed', '{"cleanup":true}', null, null);
  insert.run('killed', 'interrupted', '{"cleanup":true}', null, 'the process running it ended before it finished');
  insert.run('stopped', 'interrupted', '{"cleanup":true}', null, 'interrupted before the planned end; figures cover what was measured');
  insert.run('cleanup-failed', 'completed', '{"cleanup":true}', null, 'cleanup of storbench/cleanup-failed/ failed: EACCES');
  insert.run('no-cleanup', 'completed', '{"cleanup":false}', null, null);
  insert.run('dataset', 'completed', '{"cleanup":true}', 'hot', null);
  old
    .prepare(`INSERT INTO run_ops (run_id, op, count, errors, errors_json, bytes, items, ops_per_sec, mib_per_sec, latency_json, histogram)
    VALUES ('done', 'write', 7, 0, '{}', 0, 0, 7, 0, '{}', 'H')`)
    .run();
  old.close();

  const store = openStore(path);
  const cleanup = Object.fromEntries(['done', 'killed', 'stopped', 'cleanup-failed', 'no-cleanup', 'dataset'].map((id) => [id, store.getRun(id)!.cleanup]));
  assert.deepEqual(cleanup, { done: 'done', killed: 'pending', stopped: 'done', 'cleanup-failed': 'failed', 'no-cleanup': 'kept', dataset: 'kept' });
  assert.equal(store.getRun('done')!.ops[0]!.count, 7, 'rebuilding the runs table cascaded no delete');
  store.createRun(sampleRun('new'));
  store.finishRun('new', { status: 'degraded', endedAt: new Date().toISOString(), measuredSeconds: 1, ops: [], segments: [], errors: [] });
  assert.equal(store.getRun('new')!.status, 'degraded');
  store.close();
});

test('migration 4 turns the prose caveats of old runs into typed warnings, keeping the environment as it was', async () => {
  const { default: Database } = await import('better-sqlite3');
  const { migrations } = await import('../../src/results/migrations.js');
  const path = join(dir, 'v3.db');
  const old = new Database(path);
  for (const m of migrations.slice(0, 3)) old.exec(m);
  old.pragma('user_version = 3');
  const insert = old.prepare(`INSERT INTO runs (id, status, target, target_name, scheme, system, workload, spec_json, load_model,
    concurrency, seed, semantics_json, capabilities_json, environment_json, started_at, host, pid)
    VALUES (?, 'completed', 'file:///x', 'x', ?, 'ext4', 'put-small', '{}', 'closed', 1, 1, '{}', '{}', ?, '2026-01-01', 'h', 1)`);
  const cached = {
    cacheWarning: 'neither O_DIRECT nor dropped caches: reads of recently written data may come from the page cache',
    fsType: 'ext4',
    ioEngine: 'sync: blocking calls',
  };
  insert.run('cached', 'file', JSON.stringify(cached));
  insert.run('async-local', 'file', JSON.stringify({ ...cached, ioEngine: "async: node:fs/promises through libuv's threadpool", fsType: 'tmpfs' }));
  insert.run('async-nfs', 'file', JSON.stringify({ ioEngine: 'async: node:fs/promises', fsType: 'nfs4' }));
  insert.run('async-gluster', 'file', JSON.stringify({ ioEngine: 'async: node:fs/promises', fsType: 'fuse.glusterfs' }));
  insert.run('s3', 's3', JSON.stringify({ host: 'h' }));
  old.close();

  const store = openStore(path);
  const codes = (id: string) => store.getRun(id)!.warnings.map((w) => w.code);
  assert.deepEqual(store.getRun('cached')!.warnings, [{ code: 'page-cache', text: cached.cacheWarning }]);
  assert.equal(store.getRun('cached')!.environment.cacheWarning, cached.cacheWarning, 'the environment key stays');
  assert.deepEqual(codes('async-local'), ['page-cache', 'threadpool-handoff']);
  assert.deepEqual(codes('async-nfs'), [], 'a network file system: no hand-off caveat');
  assert.deepEqual(codes('async-gluster'), []);
  assert.deepEqual(store.getRun('s3')!.warnings, []);
  assert.equal(store.listRuns({ target: 'x', limit: 10 }).runs.find((r) => r.id === 'cached')!.warnings[0]!.code, 'page-cache', 'summaries too');
  store.close();
});

test('warnings are stored at the start and replaced by the final ones; the suite baseline is kept', () => {
  const store = openStore(join(dir, 'warnings.db'));
  store.createRun(sampleRun('w1', { warnings: [{ code: 'page-cache', text: 'at open' }], suiteBaseline: 'hdfs' }));
  assert.deepEqual(store.getRun('w1')!.warnings, [{ code: 'page-cache', text: 'at open' }]);
  assert.equal(store.getRun('w1')!.suiteBaseline, 'hdfs');
  const finish = { status: 'completed', endedAt: new Date().toISOString(), measuredSeconds: 1, ops: [], segments: [], errors: [] } as const;
  store.finishRun('w1', finish);
  assert.deepEqual(store.getRun('w1')!.warnings, [{ code: 'page-cache', text: 'at open' }], 'an outcome without warnings keeps them');
  store.finishRun('w1', { ...finish, warnings: [] });
  assert.deepEqual(store.getRun('w1')!.warnings, [], 'the runner dropped it');
  store.createRun(sampleRun('w2'));
  assert.deepEqual(store.getRun('w2')!.warnings, []);
  assert.equal(store.getRun('w2')!.suiteBaseline, undefined);
  store.close();
});

test('figures flushed while a run goes on are kept if it dies, and replaced by its final figures', () => {
  const path = join(dir, 'partial.db');
  const store = openStore(path);
  const op = (count: number) => ({
    op: 'write',
    count,
    errors: 0,
    errorsByKind: {},
    bytes: 0,
    items: 0,
    opsPerSec: count,
    mibPerSec: 0,
    latencyUs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4, p999: 5, max: 6 },
    histogram: `H${count}`,
  });
  const segment = (second: number) => ({ second, op: 'write', ops: 1, bytes: 0, errors: 0, latencySumUs: 1, latencyMaxUs: 1 });
  store.createRun(sampleRun('p1'));
  store.recordProgress(
    'p1',
    [segment(0), segment(1)],
    { elapsedS: 2 },
    { measuredSeconds: 2, ops: [op(10)], errors: [{ op: 'write', kind: 'Timeout', count: 1, message: 'slow' }] },
  );
  store.recordProgress('p1', [segment(1), segment(2)], { elapsedS: 3 }, { measuredSeconds: 3, ops: [op(15)], errors: [] });
  let run = store.getRun('p1')!;
  assert.deepEqual([run.status, run.measuredSeconds, run.ops.map((o) => o.count), run.errors.length, run.segments.length], ['running', 3, [15], 0, 3]);
  store.finishRun('p1', { status: 'completed', endedAt: new Date().toISOString(), measuredSeconds: 1, ops: [op(4)], segments: [segment(0)], errors: [] });
  run = store.getRun('p1')!;
  assert.deepEqual([run.measuredSeconds, run.ops.map((o) => o.count), run.segments.length, run.cleanup], [1, [4], 1, 'pending']);
  assert.deepEqual(
    store.listLeftovers().map((r) => r.id),
    ['p1'],
    'a finished run whose cleanup is pending left objects',
  );
  store.setCleanup('p1', 'failed', 'cleanup of storbench/p1/ failed: EACCES');
  assert.equal(store.getRun('p1')!.error, 'cleanup of storbench/p1/ failed: EACCES');
  store.setCleanup('p1', 'done');
  assert.deepEqual(store.listLeftovers(), []);
  store.close();
});

describe('--db paths that cannot hold a database: one line naming --db, nothing created', () => {
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'not a directory');
  const cases: [string, string, OpenOptions['mode'], RegExp][] = [
    ['a directory', dir, 'create', /: is a directory$/],
    ['a device', '/dev/full', 'create', /: not a regular file$/],
    ['a parent that cannot be created', join(aFile, 'sub', 'res.db'), 'create', /: cannot create its directory \(.*ENOTDIR/],
    ['a missing database, read', join(dir, 'missing', 'res.db'), 'read', /: no database there \(no runs yet\)$/],
    ['a missing database, to change', join(dir, 'missing.db'), 'existing', /: no database there \(no runs yet\)$/],
    ['not a database', aFile, 'read', /: file is not a database$/],
  ];
  for (const [name, path, mode, reason] of cases) {
    test(name, () => {
      assert.throws(
        () => openStore(path, { mode }),
        (e) => e instanceof UsageError && e.message.startsWith(`--db ${path}: `) && reason.test(e.message),
      );
      assert.ok(!existsSync(join(dir, 'missing')) && !existsSync(join(dir, 'missing.db')), 'nothing created');
    });
  }
});

describe('a database on read-only media', { skip: process.getuid?.() !== 0 && 'mounting a tmpfs needs root' }, () => {
  const mnt = join(dir, 'ro');
  after(() => {
    spawnSync('umount', ['-l', mnt]);
  }); // lazy: a database left open must not keep it mounted

  test('is read through a copy (a WAL database needs its -shm file, which cannot be made there); writing is refused in one line', () => {
    mkdirSync(mnt);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]).status, 0);
    const path = join(mnt, 'res.db');
    const store = openStore(path);
    store.createRun(sampleRun('on-ro'));
    store.close();
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
    const reader = openStore(path, { mode: 'read' });
    assert.equal(reader.listRuns().runs[0]!.id, 'on-ro');
    reader.close();
    assert.throws(
      () => openStore(path),
      (e) => e instanceof UsageError && /^--db .*: unable to open database file \(read-only file system\)$/.test(e.message),
    );
    assert.throws(
      () => openStore(join(mnt, 'new.db')),
      (e) => e instanceof UsageError && /read-only file system/.test(e.message),
    );
  });
});

test("segments keep each second's p50 and p99; a second stored without them reads back without them", () => {
  const store = openStore(join(dir, 'p99.db'));
  store.createRun(sampleRun('p99'));
  const base = { op: 'read', ops: 10, bytes: 0, errors: 0, latencySumUs: 1000, latencyMaxUs: 400 };
  store.recordProgress(
    'p99',
    [
      { second: 0, ...base, latencyP50Us: 90, latencyP99Us: 390, latencyBuckets: '90:9,390:1' },
      { second: 1, ...base },
    ],
    {},
  );
  assert.deepEqual(store.getRun('p99')?.segments, [
    { second: 0, ...base, latencyP50Us: 90, latencyP99Us: 390 },
    { second: 1, ...base },
  ]);
  // a later flush of the same second replaces its figures, p99 included
  store.recordProgress('p99', [{ second: 1, ...base, ops: 20, latencyP50Us: 95, latencyP99Us: 410 }], {});
  assert.equal(store.getRun('p99')?.segments[1]?.latencyP99Us, 410);
  store.close();
});
