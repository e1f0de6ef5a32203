/**
 * The layers every driver runs in (src/layers/), tested on a tiny in-test system whose failures the test decides:
 * what the ContractLayer guarantees (open once, keys checked before the core, errors normalized and scrubbed), what
 * RetryLayer repeats (and what it must not), and when TimeoutLayer gives up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCapabilities } from '../../src/drivers/kernel/capabilities.js';
import { type DriverCore, defineDriver } from '../../src/drivers/kernel/define-driver.js';
import { forEachLimited, paginate, splitPrefix } from '../../src/drivers/kernel/mechanics.js';
import { defineOptions, option, secret } from '../../src/drivers/kernel/options.js';
import { collect } from '../../src/drivers/keys.js';
import { parseTarget } from '../../src/drivers/target.js';
import { type Driver, StorageError } from '../../src/drivers/types.js';
import { layerStack } from '../../src/layers/layer-stack.js';
import { expectKind } from '../support/drivers.js';

/** What the in-test system does, set by each test. */
interface Script {
  connects: number;
  /** Calls of each core method, with the key it got. */
  calls: string[];
  /** Fail this many calls with a temporary error before succeeding. */
  failTemporarily: number;
  /** Never answer (until aborted, when a signal is given). */
  hang: boolean;
  stored: Map<string, Buffer>;
}

function flaky(script: Script) {
  const fail = (op: string): void => {
    if (script.failTemporarily > 0) {
      script.failTemporarily--;
      throw Object.assign(new Error(`${op}: server busy, password hunter2 in the message`), { status: 503 });
    }
  };
  const hang = (signal?: AbortSignal): Promise<never> =>
    new Promise((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
  return defineDriver({
    name: 'flaky',
    options: defineOptions({ password: secret(option.text()) }),
    capabilities: defineCapabilities({ append: true }),
    mapError: (e, operation, key) =>
      new StorageError('Unavailable', 'flaky', operation, (e as Error).message, {
        ...(key !== undefined ? { key } : {}),
        code: `HTTP ${(e as { status?: number }).status ?? '?'}`,
        cause: e,
      }),
    async connect(): Promise<DriverCore> {
      script.connects++;
      await new Promise((r) => setTimeout(r, 20));
      return {
        system: () => 'flaky',
        semantics: () => ({ writeDurability: 'memory', readAfterWrite: 'strong', listConsistency: 'strong' }),
        environment: () => ({}),
        async write(key, body, options) {
          script.calls.push(`write ${key}`);
          if (script.hang) await hang(options?.signal);
          fail('write');
          script.stored.set(key, await collect(body));
        },
        async append(key, body) {
          script.calls.push(`append ${key}`);
          fail('append');
          script.stored.set(key, Buffer.concat([script.stored.get(key) ?? Buffer.alloc(0), await collect(body)]));
        },
        async read(key) {
          script.calls.push(`read ${key}`);
          fail('read');
          const data = script.stored.get(key);
          if (!data) throw new StorageError('NotFound', 'flaky', 'read', 'no such object', { key });
          return {
            size: data.length,
            body: (async function* () {
              yield data;
            })(),
          };
        },
        async stat(key) {
          script.calls.push(`stat ${key}`);
          if (script.hang) await hang();
          fail('stat');
          return { key, size: script.stored.get(key)?.length ?? 0 };
        },
        async delete(key) {
          script.calls.push(`delete ${key}`);
          script.stored.delete(key);
        },
        async *list(prefix) {
          yield [...script.stored.keys()].filter((k) => k.startsWith(prefix)).map((key) => ({ key, size: script.stored.get(key)!.length }));
        },
        async close() {},
      };
    },
  });
}

function stack(url: string, script: Partial<Script> = {}): { driver: Driver; script: Script } {
  const s: Script = { connects: 0, calls: [], failTemporarily: 0, hang: false, stored: new Map(), ...script };
  return { driver: layerStack(flaky(s), { target: parseTarget(url), concurrency: 1 }), script: s };
}

test('ContractLayer: concurrent opens connect once, operations before open are refused, close is idempotent', async () => {
  const { driver, script } = stack('flaky://x');
  await expectKind('Unexpected', () => driver.write('a', Buffer.from('x')));
  await Promise.all([driver.open(), driver.open(), driver.open()]);
  assert.equal(script.connects, 1);
  await driver.close();
  await driver.close();
  await expectKind('Unavailable', () => driver.stat('a'));
});

test('ContractLayer: a bad key never reaches the core; errors carry the native code and no secret', async () => {
  const { driver, script } = stack('flaky://x?password=hunter2', { failTemporarily: 1 });
  await driver.open();
  for (const key of ['../escape', '/abs', 'a//b', '']) await expectKind('InvalidInput', () => driver.write(key, Buffer.from('x')));
  assert.equal(script.calls.length, 0, 'the core saw none of them');
  const e = await expectKind('Unavailable', () => driver.write('a', Buffer.from('x')));
  assert.equal(e.code, 'HTTP 503');
  assert.doesNotMatch(e.message, /hunter2/);
  const aborted = AbortSignal.abort();
  await expectKind('Cancelled', () => driver.write('b', Buffer.from('x'), { signal: aborted }));
  assert.ok(!script.calls.includes('write b'), 'an already-aborted call does not start');
  assert.equal(driver.writeAt, undefined, 'no positionalWrite capability: no writeAt');
});

test('RetryLayer: temporary failures are tried again up to opRetries, and counted', async () => {
  const twice = stack('flaky://x?opRetries=2', { failTemporarily: 2 });
  await twice.driver.open();
  await twice.driver.write('a', Buffer.from('hello'));
  assert.equal(twice.script.stored.get('a')?.toString(), 'hello');
  assert.deepEqual(twice.driver.counters?.(), { layerRetries: 2 });
  assert.equal(twice.driver.semantics().opRetries, 2);

  const once = stack('flaky://x?opRetries=1', { failTemporarily: 2 });
  await once.driver.open();
  await expectKind('Unavailable', () => once.driver.stat('a'));
  assert.equal(once.script.calls.filter((c) => c === 'stat a').length, 2, 'one try and one retry');
});

test('RetryLayer: appends and streamed writes are never repeated (a repeat could apply twice)', async () => {
  const { driver, script } = stack('flaky://x?opRetries=3', { failTemporarily: 1 });
  await driver.open();
  await expectKind('Unavailable', () => driver.append!('a', Buffer.from('x')));
  script.failTemporarily = 1;
  await expectKind('Unavailable', () =>
    driver.write(
      's',
      (async function* () {
        yield Buffer.from('x');
      })(),
    ),
  );
  assert.deepEqual(script.calls, ['append a', 'write s']);
  assert.deepEqual(driver.counters?.(), { layerRetries: 0 });
});

test('TimeoutLayer: an operation past opTimeout fails with a temporary Timeout, whether or not it takes a signal', async () => {
  const { driver } = stack('flaky://x?opTimeout=200ms', { hang: true });
  await driver.open();
  assert.equal(driver.semantics().opTimeoutMs, 200);
  for (const call of [() => driver.write('a', Buffer.from('x')), () => driver.stat('a')]) {
    const t0 = performance.now();
    const e = await expectKind('Timeout', call);
    const took = performance.now() - t0;
    assert.ok(took >= 190 && took < 200 + 1000 + 500, `gave up after ${Math.round(took)} ms`);
    assert.equal(e.temporary, true);
  }
});

test('options: every problem of a target is reported together, a secret value never quoted', () => {
  const { driver } = stack('flaky://x');
  assert.equal(driver.name, 'flaky');
  assert.throws(
    () => layerStack(flaky({} as Script), { target: parseTarget('flaky://x?opRetries=11&opTimeout=soon&bogus=1'), concurrency: 1 }),
    (e: Error) => {
      assert.match(e.message, /unknown option bogus/);
      assert.match(e.message, /target option opRetries: expected a whole number from 0 to 10, got "11"/);
      assert.match(e.message, /target option opTimeout: "soon" is not a duration/);
      return true;
    },
  );
});

test('mechanics: forEachLimited keeps at most N in flight and waits for them when the items fail; paginate; splitPrefix', async () => {
  let running = 0;
  let most = 0;
  let settled = 0;
  async function* items(): AsyncIterable<number> {
    for (let i = 0; i < 5; i++) yield i;
    throw new Error('the source broke');
  }
  await assert.rejects(
    forEachLimited(items(), 2, async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      settled++;
    }),
    /the source broke/,
  );
  assert.equal(most, 2);
  assert.equal(settled, 5, 'every started call settled before the rejection');
  const pages: number[][] = [];
  for await (const page of paginate([1, 2, 3, 4, 5], 2)) pages.push(page);
  assert.deepEqual(pages, [[1, 2], [3, 4], [5]]);
  assert.deepEqual(splitPrefix('a/b/c'), { folder: 'a/b', leaf: 'c' });
  assert.deepEqual(splitPrefix('a/b/'), { folder: 'a/b', leaf: '' });
  assert.deepEqual(splitPrefix('c'), { folder: '', leaf: 'c' });
});
