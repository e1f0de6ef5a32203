/**
 * ONE behavior suite for every driver. Targets: mem:// and file:// (both I/O engines) always, null:// for the behaviors
 * its capabilities allow, and every STORBENCH_TEST_<NAME> target that scripts/test.sh started
 * (or that you set). A new driver joins by configuration alone. Each target is opened a second time with
 * `opTimeout` set, for the behaviors that need a deadline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { behaviors, runBehavior } from '../../src/conformance/behaviors.js';
import { createDriver, declaredOptions } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import type { Driver } from '../../src/drivers/types.js';

const scratch = mkdtempSync(join(tmpdir(), 'storbench-conformance-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const OP_TIMEOUT = '300ms';

const targets: string[] = ['mem://conformance', 'null://', `file://${scratch}/async`, `file://${scratch}/sync?io=sync`];
for (const [name, value] of Object.entries(process.env)) {
  if (/^STORBENCH_TEST_[A-Z0-9_]+$/.test(name) && value && /^[a-z0-9+]+:\/\//.test(value)) targets.push(value);
}

for (const url of targets) {
  const target = parseTarget(url);
  describe(`conformance: ${target.redacted}`, () => {
    let driver: Driver;
    test('open', async () => {
      driver = await createDriver({ target, concurrency: 16 });
      await driver.open();
    });
    for (const behavior of behaviors) {
      test(behavior.name, async (t) => {
        const outcome = await runBehavior(driver, behavior);
        if (outcome.status === 'skip') t.skip(outcome.detail);
        if (outcome.status === 'fail') throw new Error(outcome.detail);
      });
    }
    test('close', async () => {
      await driver?.close();
    });
  });

  // The same target with a deadline, for the behaviors that check it (the others ran above without one).
  const layered = declaredOptions(target.scheme)?.names.includes('opTimeout') ?? false;
  describe(`conformance with opTimeout=${OP_TIMEOUT}: ${target.redacted}`, {
    skip: layered ? false : `${target.scheme}:// does not take opTimeout yet`,
  }, () => {
    let driver: Driver;
    test('open', async () => {
      driver = await createDriver({ target: parseTarget(url, { opTimeout: OP_TIMEOUT }), concurrency: 16 });
      await driver.open();
    });
    for (const behavior of behaviors.filter((b) => b.needsOpTimeout)) {
      test(behavior.name, async (t) => {
        const outcome = await runBehavior(driver, behavior);
        if (outcome.status === 'skip') t.skip(outcome.detail);
        if (outcome.status === 'fail') throw new Error(outcome.detail);
      });
    }
    test('close', async () => {
      await driver?.close();
    });
  });
}
