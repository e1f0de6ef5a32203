import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { collect } from '../../src/drivers/keys.js';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import { UsageError } from '../../src/errors.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { runBenchmark } from '../../src/runner/run.js';
import { loadWorkload } from '../../src/workloads/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function memKeys(name: string): Promise<string[]> {
  const d = await createDriver({ target: parseTarget(`mem://${name}`), concurrency: 1 });
  const keys: string[] = [];
  for await (const page of d.list('')) keys.push(...page.map((o) => o.key));
  return keys;
}

test('a run touches only its own prefix and cleans up what it created', async () => {
  const d = await createDriver({ target: parseTarget('mem://iso'), concurrency: 1 });
  await d.write('user-data/keep-me', Buffer.from('precious'));
  await d.write('storbench/other-run/obj', Buffer.from('not mine'));
  const store = openStore(':memory:');
  const r = await runBenchmark({ target: parseTarget('mem://iso'), spec: loadWorkload('mixed', { duration: '300ms', objects: 50, size: '1KiB', concurrency: 4 }), store });
  assert.equal(r.status, 'completed');
  assert.deepEqual((await memKeys('iso')).sort(), ['storbench/other-run/obj', 'user-data/keep-me']);
  assert.equal((await collect((await d.read('user-data/keep-me')).body)).toString(), 'precious');
  const run = store.getRun(r.runId)!;
  assert.equal(run.environment.keyPrefix, `storbench/${r.runId}/`);
  assert.ok(run.ops.find((o) => o.op === 'read')!.count > 0);
  store.close();
});

test('a workload needing a capability the driver lacks is refused before anything is written', async () => {
  const store = openStore(':memory:');
  await assert.rejects(
    runBenchmark({ target: parseTarget('null://'), spec: loadWorkload('get-small', { verify: true, duration: '1s' }), store }),
    (e) => e instanceof UsageError && e.code === 'STORBENCH_ERR_CAPABILITY' && /verify/.test(e.message),
  );
  assert.equal(store.listRuns().total, 0);
  store.close();
});

test('verify: a corrupted object is reported as Corrupt errors, never as a good read', async () => {
  const store = openStore(':memory:');
  const spec = loadWorkload('get-small', { duration: '300ms', objects: 20, verify: true, concurrency: 2, keys: 'sequential' });
  const r = await runBenchmark({
    target: parseTarget('mem://verify'), spec, store,
    beforeMeasure: async (driver) => {
      for await (const page of driver.list('storbench/')) {
        const victim = page[0]!;
        const data = await collect((await driver.read(victim.key)).body);
        data[100] ^= 0xff;
        await driver.write(victim.key, data);
        break;
      }
      return { tampered: true };
    },
  });
  const read = r.ops.find((o) => o.op === 'read')!;
  assert.ok(read.count > 0, 'untouched objects read fine');
  assert.ok(read.errorsByKind.Corrupt! > 0, 'the tampered object is caught');
  const run = store.getRun(r.runId)!;
  assert.match(run.errors.find((e) => e.kind === 'Corrupt')!.message, /differs from what was written at byte 100/);
  assert.equal(run.environment.tampered, true);
  store.close();
});

test('open loop: the offered rate is kept and latency counts from the intended start', async () => {
  const store = openStore(':memory:');
  const r = await runBenchmark({ target: parseTarget('mem://rate'), spec: loadWorkload('put-small', { duration: '1s', rate: 200, concurrency: 4 }), store });
  const w = r.ops[0]!;
  assert.ok(w.count >= 180 && w.count <= 205, `~200 ops in 1 s at 200 ops/s, got ${w.count}`);
  assert.ok(w.serviceUs, 'service time is kept apart');
  assert.ok(w.latencyUs.p50 >= w.serviceUs!.p50);
  assert.equal(store.getRun(r.runId)!.loadModel, 'open');
  store.close();
});

test('an aborted run stops early, keeps its figures and is stored as interrupted', async () => {
  const store = openStore(':memory:');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const t0 = Date.now();
  const r = await runBenchmark({ target: parseTarget('mem://abort'), spec: loadWorkload('put-small', { duration: '30s' }), store, signal: controller.signal });
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(r.status, 'interrupted');
  assert.ok(r.ops[0]!.count > 0);
  assert.equal(store.getRun(r.runId)!.status, 'interrupted');
  assert.deepEqual(await memKeys('abort'), [], 'cleanup still ran');
  store.close();
});

test('worker threads: histograms of all threads merged, each thread on its own objects', async () => {
  const store = openStore(':memory:');
  const root = join(dir, 'threads');
  const r = await runBenchmark({ target: parseTarget(`file://${root}`), spec: loadWorkload('get-small', { duration: '1s', objects: 64, threads: 2, concurrency: 4, verify: true }), store });
  assert.equal(r.status, 'completed', r.error);
  const read = r.ops[0]!;
  assert.ok(read.count > 0);
  assert.equal(read.errors, 0);
  assert.equal(store.getRun(r.runId)!.environment.threads, 2);
  store.close();
});

test('a named dataset is prepared once and reused by the next run', async () => {
  const store = openStore(':memory:');
  const target = parseTarget(`file://${join(dir, 'ds')}`);
  const spec = loadWorkload('get-small', { duration: '200ms', objects: 30, dataset: 'shared', concurrency: 2 });
  const first = await runBenchmark({ target, spec, store });
  let wrote = false;
  const second = await runBenchmark({ target, spec, store, beforeMeasure: async () => { wrote = false; } });
  assert.equal(first.status, 'completed');
  assert.equal(second.status, 'completed');
  assert.equal(second.ops[0]!.errors, 0);
  assert.ok(!wrote);
  assert.ok(readdirSync(join(dir, 'ds')).length > 0, 'the dataset is kept');
  store.close();
});

test('a run with a failing operation mix is stored as completed with errors, never thrown', async () => {
  const store = openStore(':memory:');
  const spec = loadWorkload('get-small', { duration: '200ms', objects: 10 });
  const r = await runBenchmark({
    target: parseTarget('mem://gone'), spec, store,
    beforeMeasure: async (driver) => { await driver.deletePrefix('storbench/'); },
  });
  assert.equal(r.status, 'completed');
  assert.ok(r.ops[0]!.errorsByKind.NotFound! > 0);
  store.close();
});
