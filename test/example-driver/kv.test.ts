/**
 * The README's walkthrough works: the example driver (test/example-driver/), registered with one registerDriver
 * call and no other file touched, passes the whole conformance behavior list, and its secret is a secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { behaviors, runBehavior } from '../../src/conformance/behaviors.js';
import { createDriver, declaredOptions, knownSchemes, registerDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import type { Driver } from '../../src/drivers/types.js';
import { expectKind } from '../support/drivers.js';
import { KV_OPTIONS } from './kv-options.js';

// The one registry line of the walkthrough, made from outside src/.
registerDriver('kv', { options: KV_OPTIONS, load: async () => (await import('./kv-driver.js')).kvDriver });

const dir = mkdtempSync(join(tmpdir(), 'storbench-kv-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'KVTOKEN4242';
writeFileSync(join(dir, '.kv-token'), TOKEN);
const url = `kv://${dir}?token=${TOKEN}`;

/** Behaviors kv:// skips, each for a capability it states (anything else must pass). */
const EXPECTED_SKIPS = new Set(['append', 'positionalWrite', 'rename', 'keyAndPrefixCoexist=false']);

for (const [title, extra] of [
  ['kv://', {}],
  ['kv:// with opTimeout=300ms', { opTimeout: '300ms' }],
] as const) {
  describe(`the example driver passes the conformance behaviors: ${title}`, () => {
    let driver: Driver;
    before(async () => {
      driver = await createDriver({ target: parseTarget(url, extra), concurrency: 16 });
      await driver.open();
    });
    after(() => driver?.close());
    for (const behavior of behaviors) {
      test(behavior.name, async () => {
        const outcome = await runBehavior(driver, behavior);
        assert.notEqual(outcome.status, 'fail', outcome.detail);
        if (outcome.status === 'skip') {
          const reasons = outcome.detail!.replace(/^needs /, '').split(', ');
          const allowed = 'opTimeout' in extra ? reasons : reasons.filter((r) => r !== 'opTimeout set on the target');
          assert.ok(
            allowed.every((r) => EXPECTED_SKIPS.has(r)),
            `skipped for ${outcome.detail}`,
          );
        }
      });
    }
  });
}

describe('the example driver is a registered driver like the others', () => {
  test('its scheme is known and its token is declared secret', () => {
    assert.ok(knownSchemes().includes('kv'));
    assert.deepEqual([...declaredOptions('kv')!.secret], ['token']);
    assert.equal(parseTarget(url).redacted, `kv://${dir}?token=***`);
  });

  test('a wrong token is PermissionDenied with the native code, at open', async () => {
    const driver = await createDriver({ target: parseTarget(`kv://${dir}?token=WRONG1234`), concurrency: 1 });
    const e = await expectKind('PermissionDenied', () => driver.open());
    assert.equal(e.code, 'EKVTOKEN');
  });

  test('file system errors keep their errno in code; options are validated at the edge', async () => {
    const driver = await createDriver({ target: parseTarget(url), concurrency: 1 });
    await driver.open();
    try {
      const e = await expectKind('NotFound', () => driver.stat('missing'));
      assert.equal(e.code, 'ENOENT');
    } finally {
      await driver.close();
    }
    assert.throws(() => parseTarget(`kv://${dir}?pretty=maybe`), /target option pretty: /);
    assert.throws(() => parseTarget(`kv://${dir}?colour=blue`), /unknown option colour for kv:\/\//);
  });
});
