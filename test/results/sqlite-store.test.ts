import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStore } from '../../src/results/sqlite-store.js';
import type { NewRun } from '../../src/results/types.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sampleRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id, target: 'mem://x', targetName: 'mem://x', scheme: 'mem', system: 'memory', workload: 'put-small',
    spec: { size: 4096 }, loadModel: 'closed', concurrency: 4, seed: 1,
    semantics: { writeDurability: 'none', readAfterWrite: 'strong', listConsistency: 'strong' },
    capabilities: { rangeRead: true, append: true, rename: true, list: true, scan: true, unknownLengthWrite: true, multipart: false, maxObjectSize: 1, persistent: true, positionalWrite: false },
    environment: { host: 'h' }, startedAt: new Date().toISOString(), ...overrides,
  };
}

test('a run round-trips with its ops, segments and errors', () => {
  const store = openStore(join(dir, 'a.db'));
  store.createRun(sampleRun('r1'));
  store.recordProgress('r1', [{ second: 0, op: 'write', ops: 5, bytes: 20, errors: 0, latencySumUs: 50, latencyMaxUs: 20 }], { elapsed: 1 });
  assert.equal(store.getRun('r1')?.status, 'running');
  assert.equal(store.getRun('r1')?.progress?.elapsed, 1);
  store.finishRun('r1', {
    status: 'completed', endedAt: new Date().toISOString(), measuredSeconds: 2,
    ops: [{ op: 'write', count: 10, errors: 1, errorsByKind: { Timeout: 1 }, bytes: 40960, items: 0, opsPerSec: 5, mibPerSec: 0.02,
      latencyUs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4, p999: 5, max: 6 }, histogram: 'HISTO' }],
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
  assert.equal(store.latestCompleted().length, 1);
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
