/**
 * IOR's shared-file mode (`largeFiles: shared`): spec validation, the capability refusal, how the mode is
 * chosen, and runs whose objects are segments of one key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import type { Driver, ObjectInfo } from '../../src/drivers/types.js';
import { UsageError } from '../../src/errors.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { assertCapabilities } from '../../src/runner/capabilities.js';
import { chooseLargeFiles, sharedFileKey } from '../../src/runner/large-files.js';
import { runBenchmark } from '../../src/runner/run.js';
import { parseSizeDistribution } from '../../src/workloads/sizes.js';
import { loadWorkload, type WorkloadInput } from '../../src/workloads/spec.js';
import { openDriver } from '../support/drivers.js';

const dir = mkdtempSync(join(tmpdir(), 'storbench-shared-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const invalid = (field: RegExp) => (e: unknown) => e instanceof UsageError && e.code === 'STORBENCH_ERR_INVALID_WORKLOAD' && field.test(e.message);

async function listed(driver: Driver, prefix: string): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const page of driver.list(prefix)) all.push(...page);
  return all;
}

describe('largeFiles in the workload spec', () => {
  test('shared is accepted for writes and/or reads of one fixed size', () => {
    for (const preset of ['put-large', 'get-large', 'dfsio-write', 'dfsio-read', 'mixed']) {
      assert.equal(loadWorkload(preset, { largeFiles: 'shared' }).largeFiles, 'shared', preset);
    }
    assert.equal(loadWorkload('put-large', { size: '1MiB-1MiB', largeFiles: 'shared' }).largeFiles, 'shared', 'a range of one size is fixed');
    assert.equal(loadWorkload('put-large').largeFiles, undefined, 'absent: the target decides');
  });

  test('anything else is refused naming the field and why', () => {
    const cases: [string, Partial<WorkloadInput>, RegExp][] = [
      ['metadata', { largeFiles: 'shared' }, /largeFiles: shared needs a mix of only write and read \(this one has stat, delete\)/],
      ['ycsb-f', { largeFiles: 'shared' }, /largeFiles: shared needs a mix of only write and read \(this one has readModifyWrite\)/],
      ['put-large', { size: '1MiB-2MiB', largeFiles: 'shared' }, /largeFiles: shared needs one fixed object size above 0 \(size: 1 MiB-2 MiB\)/],
      ['put-large', { size: '4KiB:50,1MiB:50', largeFiles: 'shared' }, /largeFiles: shared needs one fixed object size/],
      ['put-large', { size: 0, largeFiles: 'shared' }, /largeFiles: shared needs one fixed object size above 0/],
      ['put-large', { largeFiles: 'one-file' as 'shared' }, /largeFiles: Invalid option: expected one of "per-worker"\|"shared"/],
    ];
    for (const [preset, overrides, message] of cases) {
      assert.throws(() => loadWorkload(preset, overrides), invalid(message), `${preset} ${JSON.stringify(overrides)}`);
    }
  });
});

describe('the capability check', () => {
  const sizes = parseSizeDistribution('64MiB');
  const needs = (e: unknown) =>
    e instanceof UsageError &&
    e.code === 'STORBENCH_ERR_CAPABILITY' &&
    /needs positional writes \(positionalWrite, for largeFiles: shared\)/.test(e.message) &&
    !e.message.includes('\n');

  test('s3:// and webhdfs:// (and cassandra://) refuse a shared-file workload; checked before open, so no server is needed', async () => {
    for (const url of ['s3://bucket/p?endpoint=http://127.0.0.1:1', 'webhdfs://127.0.0.1:1/bench?user=u', 'cassandra://127.0.0.1:1/ks']) {
      const driver = await createDriver({ target: parseTarget(url), concurrency: 1 });
      assert.equal(driver.capabilities.positionalWrite, false);
      assert.equal(driver.writeAt, undefined);
      for (const preset of ['put-large', 'get-large']) {
        const spec = loadWorkload(preset, { largeFiles: 'shared' });
        assert.throws(() => assertCapabilities(spec, sizes, driver.capabilities, driver.name), needs, `${url} ${preset}`);
        assert.doesNotThrow(() => assertCapabilities(loadWorkload(preset), sizes, driver.capabilities, driver.name));
      }
    }
  });

  test('file://, nfs://, mem:// and null:// offer positional writes', async () => {
    for (const url of [`file://${dir}`, 'nfs://127.0.0.1/export', 'mem://caps', 'null://']) {
      const driver = await createDriver({ target: parseTarget(url), concurrency: 1 });
      assert.equal(driver.capabilities.positionalWrite, true, url);
      assert.equal(typeof driver.writeAt, 'function', url);
    }
  });

  test('a run is refused before anything is written: a shared object larger than mem:// holds', async () => {
    const store = openStore(':memory:');
    await assert.rejects(
      runBenchmark({ target: parseTarget('mem://too-big'), spec: loadWorkload('get-large', { largeFiles: 'shared', objects: 40 }), store }),
      (e) => e instanceof UsageError && e.code === 'STORBENCH_ERR_CAPABILITY' && /a shared object of 2560 MiB/.test(e.message),
    );
    assert.equal(store.listRuns().total, 0);
    const mem = await openDriver('mem://too-big');
    assert.deepEqual(await listed(mem, ''), []);
    store.close();
  });
});

describe('choosing the mode', () => {
  const sizes = parseSizeDistribution('64MiB');
  const fake = (mode?: 'file-per-worker' | 'shared-file'): Driver => ({ ...(mode ? { largeFileMode: () => mode } : {}) }) as Driver;

  test('the workload wins, then the target for large sequential work, then per worker', () => {
    const put = loadWorkload('put-large');
    assert.deepEqual(chooseLargeFiles(loadWorkload('put-large', { largeFiles: 'per-worker' }), sizes, fake('shared-file')).environment, {
      largeFiles: 'per-worker',
      largeFilesSource: 'workload',
    });
    assert.deepEqual(chooseLargeFiles(put, sizes, fake('shared-file')).environment, { largeFiles: 'shared', largeFilesSource: 'target' });
    assert.equal(chooseLargeFiles(put, sizes, fake('shared-file')).spec.largeFiles, 'shared');
    assert.deepEqual(chooseLargeFiles(put, sizes, fake('file-per-worker')).environment, { largeFiles: 'per-worker', largeFilesSource: 'target' });
    assert.deepEqual(chooseLargeFiles(put, sizes, fake()).environment, { largeFiles: 'per-worker', largeFilesSource: 'default' });
    // small objects and mixes that cannot run shared stay per worker whatever the target prefers
    const small = loadWorkload('put-small');
    assert.deepEqual(chooseLargeFiles(small, parseSizeDistribution(small.size), fake('shared-file')).environment, {
      largeFiles: 'per-worker',
      largeFilesSource: 'default',
    });
    const metadata = loadWorkload('metadata', { size: '64MiB' });
    assert.equal(chooseLargeFiles(metadata, sizes, fake('shared-file')).spec.largeFiles, 'per-worker');
  });

  test('a file:// run records the mode its profile chose', async () => {
    const store = openStore(':memory:');
    const r = await runBenchmark({ target: parseTarget(`file://${join(dir, 'profile')}`), spec: loadWorkload('put-large', { size: '2MiB', ops: 2 }), store });
    const run = store.getRun(r.runId)!;
    assert.equal(run.environment.largeFiles, 'per-worker');
    assert.equal(run.environment.largeFilesSource, 'target');
    assert.equal(run.environment.largeFileMode, 'file-per-worker');
    assert.equal((run.spec as { largeFiles?: string }).largeFiles, 'per-worker');
    store.close();
  });
});

describe('shared-file runs', () => {
  test('get-large: prepare writes every segment of one key, reads verify, cleanup removes it', async () => {
    const store = openStore(':memory:');
    const size = 1_500_001; // streamed in 1 MiB blocks, and unaligned
    let seen: ObjectInfo[] = [];
    const r = await runBenchmark({
      target: parseTarget('mem://shared-get'),
      store,
      spec: loadWorkload('get-large', { largeFiles: 'shared', size, objects: 6, ops: 24, verify: true, concurrency: 3 }),
      beforeMeasure: async (driver) => {
        seen = await listed(driver, 'storbench/');
      },
    });
    assert.equal(r.status, 'completed', r.error);
    assert.deepEqual(
      seen.map((o) => [o.key, o.size]),
      [[sharedFileKey(`storbench/${r.runId}`), 6 * size]],
    );
    const read = r.ops.find((o) => o.op === 'read')!;
    assert.equal(read.count, 24);
    assert.equal(read.errors, 0);
    assert.equal(read.bytes, 24 * size, 'one operation is one segment');
    const mem = await openDriver('mem://shared-get');
    assert.deepEqual(await listed(mem, ''), [], 'cleaned up');
    store.close();
  });

  test('range reads stay inside their segment', async () => {
    const store = openStore(':memory:');
    const r = await runBenchmark({
      target: parseTarget('mem://shared-range'),
      store,
      spec: loadWorkload('get-large', { largeFiles: 'shared', size: '64KiB', objects: 8, ops: 50, rangeSize: '10KiB', verify: true }),
    });
    const read = r.ops.find((o) => o.op === 'read')!;
    assert.deepEqual([read.count, read.errors, read.bytes], [50, 0, 50 * 10 * 1024]);
    store.close();
  });

  test('put-large with worker threads on file://: each thread its own segments of the one file', async () => {
    const store = openStore(':memory:');
    const root = join(dir, 'threads');
    const size = 1_048_583;
    const r = await runBenchmark({
      target: parseTarget(`file://${root}?fanout=0`),
      store,
      spec: loadWorkload('put-large', { largeFiles: 'shared', size, ops: 6, threads: 2, concurrency: 4, cleanup: false }),
    });
    assert.equal(r.status, 'completed', r.error);
    const write = r.ops.find((o) => o.op === 'write')!;
    assert.deepEqual([write.count, write.errors], [6, 0]);
    assert.deepEqual(readdirSync(join(root, 'storbench', r.runId)), ['shared-file']);
    assert.equal(statSync(join(root, 'storbench', r.runId, 'shared-file')).size, 6 * size);
    store.close();
  });
});
