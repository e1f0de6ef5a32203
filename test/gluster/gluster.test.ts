/**
 * GlusterFS through its FUSE mount (scripts/services/gluster): the file:// driver must see it as GlusterFS,
 * pick the glusterfs profile, and its writes must be whole files on the volume. The conformance suite runs
 * on the same target from test/conformance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { openDriver, readAll } from '../support/drivers.js';

const url = process.env.STORBENCH_TEST_GLUSTER;

describe('GlusterFS (file:// on a FUSE mount)', { skip: !url && 'STORBENCH_TEST_GLUSTER is not set (npm test sets it)' }, () => {
  test('the file system is detected and reported as GlusterFS, with the glusterfs profile', async () => {
    const driver = await openDriver(url!, 4);
    try {
      assert.equal(driver.system(), 'GlusterFS');
      const env = driver.environment();
      assert.equal(env.fsType, 'fuse.glusterfs');
      assert.equal(env.fsMagic, '0x65735546');
      assert.equal(env.profile, 'glusterfs');
      assert.equal(env.profileSource, 'detected');
      assert.equal(env.fsync, true, 'the glusterfs profile fsyncs: flush-behind acknowledges close() early');
      assert.equal(driver.semantics().fileSystem, 'fuse.glusterfs');
      // a network file system: no local threadpool hand-off warning (the driver decides, from fs-type.ts)
      assert.deepEqual(
        driver.warnings?.().map((w) => w.code),
        ['page-cache'],
      );
      // The mount line in /proc/self/mountinfo is where the subtype comes from.
      assert.ok(readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${env.mountPoint} `));
    } finally {
      await driver.close();
    }
  });

  test('an object written through the driver is a whole file on the volume', async () => {
    const driver = await openDriver(`${url}?fanout=0`, 4);
    const key = `storbench-gluster-test/${process.pid}/obj`;
    try {
      const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
      await driver.write(key, data);
      const root = String(driver.environment().root);
      assert.ok(readFileSync(`${root}/${key}`).equals(data));
      assert.ok((await readAll(driver, key)).equals(data));
    } finally {
      await driver.deletePrefix('storbench-gluster-test/');
      await driver.close();
    }
  });
});
