/**
 * The driver contract as executable behaviors (OpenDAL's behavior tests). The same list runs in
 * test/conformance against every configured target and behind `storbench check`.
 * Each behavior works only under its own random prefix and removes what it wrote.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { collect } from '../drivers/keys.js';
import { type Capabilities, type Driver, isStorageError } from '../drivers/types.js';
import { expectKind, listAll, listKeys, readAll } from './helpers.js';

export interface BehaviorContext {
  readonly driver: Driver;
  /** A fresh prefix ending in `/`, owned by this behavior. */
  readonly prefix: string;
}

export interface Behavior {
  readonly name: string;
  /** Capabilities the behavior needs true; without them it is skipped, not failed. */
  readonly needs: readonly (keyof Capabilities)[];
  /** Capabilities the behavior needs to be false (it checks what happens without them); skipped otherwise. */
  readonly needsNot?: readonly (keyof Capabilities)[];
  /** It needs the target's `opTimeout` set (it checks the deadline); skipped otherwise. */
  readonly needsOpTimeout?: boolean;
  run(context: BehaviorContext): Promise<void>;
}

async function* chunked(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const persistent = ['persistent'] as const;

export const behaviors: readonly Behavior[] = [
  {
    name: 'write then read returns the same bytes',
    needs: persistent,
    async run({ driver, prefix }) {
      const data = randomBytes(100_003);
      await driver.write(`${prefix}a`, data);
      assert.ok((await readAll(driver, `${prefix}a`)).equals(data));
    },
  },
  {
    name: 'a streamed write of known length reads back identical',
    needs: persistent,
    async run({ driver, prefix }) {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await driver.write(`${prefix}streamed`, chunked(data, 256 * 1024), { size: data.length });
      assert.ok((await readAll(driver, `${prefix}streamed`)).equals(data));
      assert.equal((await driver.stat(`${prefix}streamed`)).size, data.length);
    },
  },
  {
    name: 'a streamed write of unknown length reads back identical',
    needs: ['persistent', 'unknownLengthWrite'],
    async run({ driver, prefix }) {
      const data = randomBytes(1024 * 1024 + 5);
      await driver.write(`${prefix}unknown`, chunked(data, 64 * 1024));
      assert.ok((await readAll(driver, `${prefix}unknown`)).equals(data));
    },
  },
  {
    name: 'an empty object is an object',
    needs: persistent,
    async run({ driver, prefix }) {
      await driver.write(`${prefix}empty`, new Uint8Array(0));
      assert.equal((await readAll(driver, `${prefix}empty`)).length, 0);
      assert.equal((await driver.stat(`${prefix}empty`)).size, 0);
      assert.deepEqual(
        (await listAll(driver, prefix)).map((o) => o.key),
        [`${prefix}empty`],
      );
    },
  },
  {
    name: 'overwrite replaces the whole object',
    needs: persistent,
    async run({ driver, prefix }) {
      await driver.write(`${prefix}o`, randomBytes(50_000));
      const shorter = randomBytes(1000);
      await driver.write(`${prefix}o`, shorter);
      assert.ok((await readAll(driver, `${prefix}o`)).equals(shorter));
      assert.equal((await driver.stat(`${prefix}o`)).size, 1000);
    },
  },
  {
    name: 'stat reports the size',
    needs: persistent,
    async run({ driver, prefix }) {
      await driver.write(`${prefix}s`, randomBytes(4096));
      const info = await driver.stat(`${prefix}s`);
      assert.equal(info.key, `${prefix}s`);
      assert.equal(info.size, 4096);
    },
  },
  {
    name: 'read and stat of a missing key throw NotFound',
    needs: persistent,
    async run({ driver, prefix }) {
      await expectKind('NotFound', () => readAll(driver, `${prefix}missing`));
      await expectKind('NotFound', () => driver.stat(`${prefix}missing`));
    },
  },
  {
    name: 'delete removes the object, and deleting a missing key succeeds',
    needs: persistent,
    async run({ driver, prefix }) {
      await driver.write(`${prefix}d`, randomBytes(10));
      await driver.delete(`${prefix}d`);
      await expectKind('NotFound', () => driver.stat(`${prefix}d`));
      await driver.delete(`${prefix}d`);
      await driver.delete(`${prefix}never-existed`);
    },
  },
  {
    name: 'a range read returns exactly the range, cut at the end',
    needs: ['persistent', 'rangeRead'],
    async run({ driver, prefix }) {
      const data = randomBytes(10_000);
      await driver.write(`${prefix}r`, data);
      assert.ok((await readAll(driver, `${prefix}r`, 100, 1000)).equals(data.subarray(100, 1100)));
      assert.ok((await readAll(driver, `${prefix}r`, 9000)).equals(data.subarray(9000)));
      assert.ok((await readAll(driver, `${prefix}r`, 9999, 1)).equals(data.subarray(9999)));
      assert.ok((await readAll(driver, `${prefix}r`, 9500, 5000)).equals(data.subarray(9500)));
    },
  },
  {
    name: 'ranges ending exactly at the last byte, or past it, are exact',
    needs: ['persistent', 'rangeRead'],
    async run({ driver, prefix }) {
      const MiB = 1024 * 1024;
      const data = randomBytes(3 * MiB + 3);
      const n = data.length;
      await driver.write(`${prefix}ranged`, data);
      const cases: [number, number | undefined][] = [
        [n - 1, 1],
        [n - 1, undefined],
        [n - 100, 100],
        [n - 100, 1000],
        [0, n],
        [0, n + 1],
        [1, n - 1],
        [n - MiB, undefined],
        [n, undefined],
        [n, 10],
        [n + 5, 1],
        [0, 1],
        [12345, 0],
      ];
      for (const [offset, length] of cases) {
        const got = await readAll(driver, `${prefix}ranged`, offset, length);
        const want = data.subarray(Math.min(offset, n), length === undefined ? n : Math.min(n, offset + length));
        assert.ok(got.equals(want), `range ${offset}+${length}: ${got.length} bytes, wanted ${want.length}`);
      }
      const r = await driver.read(`${prefix}ranged`, { offset: n - 10 });
      if (r.size !== undefined) assert.equal(r.size, 10, "a size announced before the body is the range's");
      await collect(r.body);
      await expectKind('NotFound', () => readAll(driver, `${prefix}missing`, 5, 5));
      await expectKind('NotFound', () => readAll(driver, `${prefix}missing`, 5, 0));
    },
  },
  {
    name: 'list yields every object under the prefix once, across pages',
    needs: ['persistent', 'list'],
    async run({ driver, prefix }) {
      const keys = Array.from({ length: 25 }, (_, i) => `${prefix}dir${i % 3}/k${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((k) => driver.write(k, randomBytes(8))));
      await driver.write(`${prefix.slice(0, -1)}-sibling-not-listed`, randomBytes(1));
      try {
        const listed = await listAll(driver, prefix, 7);
        assert.deepEqual(listed.map((o) => o.key).sort(), [...keys].sort());
        assert.ok(listed.every((o) => o.size === 8));
        const sub = await listAll(driver, `${prefix}dir1/`);
        assert.deepEqual(sub.map((o) => o.key).sort(), keys.filter((k) => k.includes('/dir1/')).sort());
      } finally {
        await driver.delete(`${prefix.slice(0, -1)}-sibling-not-listed`);
      }
    },
  },
  {
    name: 'list of a missing prefix is empty',
    needs: ['list'],
    async run({ driver, prefix }) {
      assert.deepEqual(await listAll(driver, `${prefix}nothing-here/`), []);
    },
  },
  {
    name: 'scan yields every object under the prefix with its content, once',
    needs: ['persistent', 'scan'],
    async run({ driver, prefix }) {
      const want = new Map<string, Buffer>();
      for (let i = 0; i < 12; i++) want.set(`${prefix}scan/${i % 2}/f${i}`, randomBytes(100 + i * 1000));
      await Promise.all([...want].map(([k, v]) => driver.write(k, v)));
      const seen = new Set<string>();
      for await (const { info, body } of driver.scan(`${prefix}scan/`)) {
        assert.ok(!seen.has(info.key), `scan yielded ${info.key} twice`);
        seen.add(info.key);
        const data = await collect(body);
        assert.ok(want.get(info.key)?.equals(data), `scan content of ${info.key} differs`);
      }
      assert.equal(seen.size, want.size);
    },
  },
  {
    name: 'keys with spaces, unicode, +, % and = round-trip',
    needs: ['persistent', 'list'],
    async run({ driver, prefix }) {
      const keys = [`${prefix}with space`, `${prefix}ünïcødé-日本`, `${prefix}plus+sign`, `${prefix}percent%20x`, `${prefix}eq=a&b`];
      for (const k of keys) await driver.write(k, Buffer.from(k));
      for (const k of keys) assert.equal((await readAll(driver, k)).toString(), k);
      assert.deepEqual((await listAll(driver, prefix)).map((o) => o.key).sort(), [...keys].sort());
    },
  },
  {
    name: 'keys escaping the root are rejected with InvalidInput',
    needs: persistent, // null:// stores nothing: it has no root to escape and validates no keys
    async run({ driver, prefix }) {
      for (const bad of ['../outside', `${prefix}../../x`, '/etc/passwd', `${prefix}a/./b`, '']) {
        await expectKind('InvalidInput', () => driver.write(bad, randomBytes(1)));
        await expectKind('InvalidInput', () => readAll(driver, bad));
      }
    },
  },
  {
    name: 'append adds to the end',
    needs: ['persistent', 'append'],
    async run({ driver, prefix }) {
      const a = randomBytes(1000);
      const b = randomBytes(2000);
      await driver.write(`${prefix}ap`, a);
      await driver.append!(`${prefix}ap`, b);
      assert.ok((await readAll(driver, `${prefix}ap`)).equals(Buffer.concat([a, b])));
    },
  },
  {
    name: 'positional writes to disjoint ranges land, written concurrently and out of order',
    needs: ['persistent', 'positionalWrite'],
    async run({ driver, prefix }) {
      // an odd segment size (unaligned for O_DIRECT) and an aligned one; odd segments are streamed in uneven chunks
      for (const segment of [300_007, 256 * 1024]) {
        const key = `${prefix}shared-${segment}`;
        const data = randomBytes(5 * segment);
        const part = (i: number) => data.subarray(i * segment, (i + 1) * segment);
        await Promise.all(
          [3, 0, 4, 1, 2].map((i) =>
            i % 2 ? driver.writeAt!(key, i * segment, chunked(part(i), 65_537), { size: segment }) : driver.writeAt!(key, i * segment, part(i)),
          ),
        );
        assert.equal((await driver.stat(key)).size, data.length);
        assert.ok((await readAll(driver, key)).equals(data), `segments of ${segment} bytes read back whole`);
        if (driver.capabilities.rangeRead) assert.ok((await readAll(driver, key, 2 * segment, segment)).equals(part(2)));
      }
    },
  },
  {
    name: 'writeAt on a missing key creates it; a gap before the range reads as zeros',
    needs: ['persistent', 'positionalWrite'],
    async run({ driver, prefix }) {
      const a = randomBytes(10_000);
      await driver.writeAt!(`${prefix}sub/new`, 0, a);
      assert.ok((await readAll(driver, `${prefix}sub/new`)).equals(a));
      const b = randomBytes(777);
      await driver.writeAt!(`${prefix}gap`, 5000, b);
      assert.equal((await driver.stat(`${prefix}gap`)).size, 5777);
      assert.ok((await readAll(driver, `${prefix}gap`)).equals(Buffer.concat([Buffer.alloc(5000), b])));
    },
  },
  {
    name: 'writeAt does not truncate: bytes outside its range stay as they were',
    needs: ['persistent', 'positionalWrite'],
    async run({ driver, prefix }) {
      const data = randomBytes(10_000);
      await driver.write(`${prefix}w`, data);
      const patch = randomBytes(50);
      await driver.writeAt!(`${prefix}w`, 100, patch);
      patch.copy(data, 100);
      assert.equal((await driver.stat(`${prefix}w`)).size, 10_000);
      assert.ok((await readAll(driver, `${prefix}w`)).equals(data));
      const tail = randomBytes(20);
      await driver.writeAt!(`${prefix}w`, 9990, tail);
      assert.ok((await readAll(driver, `${prefix}w`)).equals(Buffer.concat([data.subarray(0, 9990), tail])));
    },
  },
  {
    name: 'writeAt rejects keys escaping the root with InvalidInput',
    needs: ['persistent', 'positionalWrite'], // null:// has no root to escape (see the behavior for write)
    async run({ driver, prefix }) {
      for (const bad of ['../outside', `${prefix}../../x`, '/etc/passwd', `${prefix}a/./b`, '']) {
        await expectKind('InvalidInput', () => driver.writeAt!(bad, 0, randomBytes(1)));
      }
    },
  },
  {
    name: 'writeAt rejects negative or fractional offsets with InvalidInput',
    needs: ['positionalWrite'],
    async run({ driver, prefix }) {
      for (const offset of [-1, 1.5, Number.NaN]) {
        await expectKind('InvalidInput', () => driver.writeAt!(`${prefix}o`, offset, randomBytes(1)));
      }
    },
  },
  {
    name: 'rename moves the object',
    needs: ['persistent', 'rename'],
    async run({ driver, prefix }) {
      const data = randomBytes(500);
      await driver.write(`${prefix}from`, data);
      await driver.rename!(`${prefix}from`, `${prefix}sub/to`);
      await expectKind('NotFound', () => driver.stat(`${prefix}from`));
      assert.ok((await readAll(driver, `${prefix}sub/to`)).equals(data));
    },
  },
  {
    name: 'concurrent writes to different keys all land',
    needs: ['persistent', 'list'],
    async run({ driver, prefix }) {
      const n = 64;
      await Promise.all(Array.from({ length: n }, (_, i) => driver.write(`${prefix}c/${i}`, Buffer.from(String(i)))));
      const listed = await listAll(driver, `${prefix}c/`);
      assert.equal(listed.length, n);
      for (let i = 0; i < n; i += 13) assert.equal((await readAll(driver, `${prefix}c/${i}`)).toString(), String(i));
    },
  },
  {
    name: 'key a and key a/b both exist and read back',
    needs: ['persistent', 'keyAndPrefixCoexist'],
    async run({ driver, prefix }) {
      const want = new Map(
        [
          [`${prefix}a`, 100],
          [`${prefix}a/b`, 200],
          [`${prefix}c/d`, 300],
          [`${prefix}c`, 400],
        ].map(([k, n]) => [k as string, randomBytes(n as number)]),
      );
      for (const [k, v] of want) await driver.write(k, v); // a before a/b, and c/d before c
      for (const [k, v] of want) assert.ok((await readAll(driver, k)).equals(v), `${k} reads back`);
      if (driver.capabilities.list) assert.deepEqual(await listKeys(driver, prefix), [...want.keys()].sort());
    },
  },
  {
    name: 'a key below a key, or above one, is refused with InvalidInput; the existing object stays',
    needs: ['persistent'],
    needsNot: ['keyAndPrefixCoexist'],
    async run({ driver, prefix }) {
      const a = randomBytes(100);
      await driver.write(`${prefix}a`, a);
      await expectKind('InvalidInput', () => driver.write(`${prefix}a/b`, randomBytes(10)));
      assert.ok((await readAll(driver, `${prefix}a`)).equals(a), 'a is intact');
      const cd = randomBytes(300);
      await driver.write(`${prefix}c/d`, cd);
      await expectKind('InvalidInput', () => driver.write(`${prefix}c`, randomBytes(10)));
      assert.ok((await readAll(driver, `${prefix}c/d`)).equals(cd), 'c/d is intact');
      if (driver.capabilities.list) assert.deepEqual(await listKeys(driver, prefix), [`${prefix}a`, `${prefix}c/d`]);
    },
  },
  {
    name: 'an operation given an aborted signal fails with Cancelled; a cancelled write stores nothing',
    needs: [], // the contract layer checks the signal before any driver sees the call
    async run({ driver, prefix }) {
      const signal = AbortSignal.abort();
      const data = randomBytes(300_000);
      await expectKind('Cancelled', () => driver.write(`${prefix}streamed`, chunked(data, 65_536), { size: data.length, signal }));
      await expectKind('Cancelled', () => driver.write(`${prefix}buffer`, data, { signal }));
      if (driver.capabilities.persistent) {
        await expectKind('NotFound', () => driver.stat(`${prefix}streamed`));
        await expectKind('NotFound', () => driver.stat(`${prefix}buffer`));
        await driver.write(`${prefix}r`, data);
      }
      await expectKind('Cancelled', async () => collect((await driver.read(`${prefix}r`, { signal })).body));
    },
  },
  {
    name: 'a streamed write whose body stalls fails with Timeout at opTimeout; the key stays as it was or NotFound',
    needs: ['persistent'],
    needsOpTimeout: true,
    async run({ driver, prefix }) {
      const ms = Number(driver.semantics().opTimeoutMs);
      // Setup and checks run under the same deadline, which a busy server may miss: they are tried again on Timeout.
      const patient = async <T>(call: () => Promise<T>): Promise<T> => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await call();
          } catch (e) {
            if (!isStorageError(e, 'Timeout') || attempt === 5) throw e;
          }
        }
      };
      const old = randomBytes(1000);
      await patient(() => driver.write(`${prefix}old`, old));
      let release: (e: Error) => void = () => undefined;
      const released = new Promise<never>((_, reject) => {
        release = reject;
      });
      released.catch(() => undefined);
      const first = Buffer.alloc(64 * 1024, 0x5a);
      async function* stalled(): AsyncIterable<Uint8Array> {
        yield first;
        await released; // never yields again while the behavior looks
      }
      try {
        for (const [key, before] of [
          [`${prefix}new`, undefined],
          [`${prefix}old`, old],
        ] as const) {
          const t0 = performance.now();
          await expectKind('Timeout', () => driver.write(key, stalled(), { size: 4 * first.length }));
          const elapsed = performance.now() - t0;
          assert.ok(elapsed >= ms * 0.9 && elapsed < ms + 2000, `Timeout after ${elapsed.toFixed(0)} ms with opTimeout ${ms} ms`);
          // Never the stalled write's part: the old object, or NotFound (a system may drop it before replacing it).
          try {
            const got = await patient(() => readAll(driver, key));
            assert.ok(before?.equals(got), `after a timed-out write ${key} holds ${got.length} bytes that are not the old object`);
          } catch (e) {
            if (!isStorageError(e, 'NotFound')) throw e;
          }
        }
      } finally {
        release(new Error('the stalled body is released'));
      }
    },
  },
  {
    name: 'deletePrefix removes everything under the prefix and nothing else',
    needs: ['persistent', 'list'],
    async run({ driver, prefix }) {
      for (let i = 0; i < 5; i++) await driver.write(`${prefix}gone/${i}`, randomBytes(3));
      await driver.write(`${prefix}kept`, randomBytes(3));
      const removed = await driver.deletePrefix(`${prefix}gone/`);
      assert.equal(removed, 5);
      assert.deepEqual(
        (await listAll(driver, prefix)).map((o) => o.key),
        [`${prefix}kept`],
      );
    },
  },
];

export interface BehaviorOutcome {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly detail?: string;
  readonly ms: number;
}

/** A prefix no other behavior or run uses. */
export function behaviorPrefix(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/-$/, '');
  return `storbench-check/${randomBytes(4).toString('hex')}-${slug}/`;
}

/** Run one behavior under a fresh prefix, cleaning up after it whatever happens. */
export async function runBehavior(driver: Driver, behavior: Behavior): Promise<BehaviorOutcome> {
  const missing: string[] = [
    ...behavior.needs.filter((c) => !driver.capabilities[c]),
    ...(behavior.needsNot ?? []).filter((c) => driver.capabilities[c]).map((c) => `${c}=false`),
  ];
  if (behavior.needsOpTimeout && driver.semantics().opTimeoutMs === undefined) missing.push('opTimeout set on the target');
  if (missing.length > 0) return { name: behavior.name, status: 'skip', detail: `needs ${missing.join(', ')}`, ms: 0 };
  const prefix = behaviorPrefix(behavior.name);
  const t0 = performance.now();
  try {
    await behavior.run({ driver, prefix });
    return { name: behavior.name, status: 'pass', ms: performance.now() - t0 };
  } catch (e) {
    return { name: behavior.name, status: 'fail', detail: e instanceof Error ? e.message : String(e), ms: performance.now() - t0 };
  } finally {
    if (driver.capabilities.list) await driver.deletePrefix(prefix).catch(() => undefined);
  }
}
