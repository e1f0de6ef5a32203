/**
 * ONE behavior suite for every driver. Targets: mem:// and file:// (both I/O engines, both write modes) always, null:// for the behaviors
 * its capabilities allow, and every STORBENCH_TEST_<NAME> target that scripts/test.sh started
 * (or that you set). A new driver joins by configuration alone. Each target is opened a second time with
 * `opTimeout` set, for the behaviors that need a deadline. A driver with two request paths is run on each:
 * VARIANTS adds the second one's options to every target of its scheme.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Behavior, behaviors, runBehavior } from '../../src/conformance/behaviors.js';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget, type Target } from '../../src/drivers/target.js';
import type { Driver } from '../../src/drivers/types.js';

const scratch = mkdtempSync(join(tmpdir(), 'storbench-conformance-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const OP_TIMEOUT = '300ms';

/** A target and the options added to it (a variant). */
interface Case {
  readonly url: string;
  readonly options: Readonly<Record<string, string>>;
}
/** Per scheme, the option sets each of its targets is also run with: s3:// on the full SDK as well as the lean path. */
const VARIANTS: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>> = { s3: [{ client: 'sdk' }] };

const cases: Case[] = [
  'mem://conformance',
  'null://',
  `file://${scratch}/async?io=async`,
  `file://${scratch}/sync?io=sync`,
  `file://${scratch}/in-place?writeMode=in-place&io=async`,
  `file://${scratch}/in-place-sync?writeMode=in-place&io=sync`,
].map((url) => ({ url, options: {} }));
for (const [name, value] of Object.entries(process.env)) {
  if (/^STORBENCH_TEST_[A-Z0-9_]+$/.test(name) && value && /^[a-z0-9+]+:\/\//.test(value)) {
    cases.push({ url: value, options: {} });
    for (const options of VARIANTS[value.slice(0, value.indexOf(':'))] ?? []) cases.push({ url: value, options });
  }
}

/** One target's behaviors as tests, through the layer stack the runner uses. */
function conformance(title: string, target: Target, list: readonly Behavior[]): void {
  describe(title, () => {
    let driver: Driver;
    test('open', async () => {
      driver = await createDriver({ target, concurrency: 16 });
      await driver.open();
    });
    for (const behavior of list) {
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

for (const { url, options } of cases) {
  // the redacted URL names the variant's options too
  const target = parseTarget(url, options);
  conformance(
    `conformance: ${target.redacted}`,
    target,
    behaviors.filter((b) => !b.needsOpTimeout),
  );
  // the same target with a deadline (every driver takes opTimeout), for the behaviors that check it
  conformance(
    `conformance with opTimeout=${OP_TIMEOUT}: ${target.redacted}`,
    parseTarget(url, { ...options, opTimeout: OP_TIMEOUT }),
    behaviors.filter((b) => b.needsOpTimeout),
  );
}
