/**
 * CephFS through ceph-fuse (scripts/services/cephfs, on the one-node Ceph of scripts/services/ceph): the file://
 * driver must see it as CephFS, pick the cephfs profile and record it with every run, and a completed write must
 * be in RADOS, the file striped into the data pool's objects at their full sizes. The ONE
 * conformance suite (test/conformance) runs on the same target: it takes every STORBENCH_TEST_* URL, and
 * scripts/test.sh sets STORBENCH_TEST_CEPHFS from `services up cephfs`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { detectProfile, PROFILES } from '../../src/drivers/file/profiles.js';
import { parseTarget } from '../../src/drivers/target.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { runBenchmark } from '../../src/runner/run.js';
import { loadWorkload } from '../../src/workloads/spec.js';
import { openDriver, readAll } from '../support/drivers.js';

const url = process.env.STORBENCH_TEST_CEPHFS;
const skip = url ? false : 'STORBENCH_TEST_CEPHFS is not set (npm test starts CephFS and sets it)';

// The cluster's config, for the rados CLI: where `services up ceph` wrote it.
const state = process.env.STORBENCH_SERVICES_STATE ?? resolve(import.meta.dirname, '../../.services');
const cephConf = join(state, 'ceph', 'ceph.conf');
const dataPool = `cephfs.${process.env.STORBENCH_CEPHFS_NAME ?? 'storbench'}.data`;

/** The size of a RADOS object of the data pool, or undefined when it does not exist. */
function radosSize(object: string): number | undefined {
  try {
    const out = execFileSync('rados', ['-p', dataPool, 'stat', object], {
      env: { ...process.env, CEPH_CONF: cephConf },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    const size = /size (\d+)/.exec(out)?.[1];
    return size === undefined ? undefined : Number(size);
  } catch {
    return undefined;
  }
}

test('ceph-fuse and the kernel client both select the cephfs profile', () => {
  const fs = (type: string) => ({ type, display: type, magic: '', blockSize: 4096 });
  assert.equal(detectProfile(fs('fuse.ceph-fuse')), 'cephfs');
  assert.equal(detectProfile(fs('ceph')), 'cephfs');
  assert.equal(detectProfile(fs('fuse.sshfs')), 'local');
  const p = PROFILES.cephfs;
  assert.equal(p.fsync, true, 'close() does not wait for the write-back: fsync marks the write');
  assert.equal(p.writeMode, 'atomic', 'rename is one journaled MDS operation');
  assert.match(p.why, /caps/);
});

describe('CephFS (file:// on a ceph-fuse mount)', { skip }, () => {
  test('the file system is detected and reported as CephFS (ceph-fuse), with the cephfs profile', async () => {
    const driver = await openDriver(url!, 4);
    try {
      assert.equal(driver.system(), 'CephFS (ceph-fuse)');
      const env = driver.environment();
      assert.equal(env.fsType, 'fuse.ceph-fuse');
      assert.equal(env.fsMagic, '0x65735546');
      assert.equal(env.profile, 'cephfs');
      assert.equal(env.profileSource, 'detected');
      assert.equal(env.profileWhy, PROFILES.cephfs.why);
      assert.equal(env.fsync, true);
      assert.equal(env.writeMode, 'atomic');
      const semantics = driver.semantics();
      assert.equal(semantics.fileSystem, 'fuse.ceph-fuse');
      assert.equal(semantics.profile, 'cephfs');
      assert.match(semantics.writeDurability, /^fsync of the file before rename/);
      // a network file system: no local threadpool hand-off warning (the driver decides, from fs-type.ts)
      assert.ok(!driver.warnings?.().some((w) => w.code === 'threadpool-handoff'));
      assert.ok(readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${env.mountPoint} `));
    } finally {
      await driver.close();
    }
  });

  test("a run on the mount records the profile in the run's semantics and environment", async () => {
    const store = openStore(':memory:');
    try {
      const r = await runBenchmark({
        target: parseTarget(url!),
        spec: loadWorkload('mixed', { duration: '1s', objects: 20, size: '4KiB', concurrency: 2 }),
        store,
      });
      assert.equal(r.status, 'completed');
      const run = store.getRun(r.runId)!;
      assert.equal(run.semantics.profile, 'cephfs');
      assert.equal(run.semantics.fileSystem, 'fuse.ceph-fuse');
      assert.equal(run.semantics.fsync, true);
      assert.equal(run.environment.profile, 'cephfs');
      assert.equal(run.environment.fsName, 'CephFS (ceph-fuse)');
      assert.ok(run.ops.some((o) => o.op === 'write' && o.count > 0 && o.errors === 0));
    } finally {
      store.close();
    }
  });

  test('a completed write is a whole file on the mount and in RADOS: its 4 MiB objects in the data pool', async () => {
    const driver = await openDriver(`${url}?fanout=0`, 4);
    const key = `storbench-cephfs-test/${process.pid}/obj`;
    try {
      // 4 MiB objects (the default file layout): two whole ones and a short third
      const data = Buffer.alloc(8 * 1024 * 1024 + 5, 7);
      await driver.write(key, data);
      const file = `${String(driver.environment().root)}/${key}`;
      assert.ok(readFileSync(file).equals(data));
      assert.ok((await readAll(driver, key)).equals(data));
      if (existsSync(cephConf)) {
        const ino = statSync(file).ino.toString(16);
        const sizes = [0, 1, 2].map((i) => radosSize(`${ino}.${i.toString(16).padStart(8, '0')}`));
        assert.deepEqual(sizes, [4 * 1024 * 1024, 4 * 1024 * 1024, 5]);
      }
    } finally {
      await driver.deletePrefix('storbench-cephfs-test/');
      await driver.close();
    }
  });
});
