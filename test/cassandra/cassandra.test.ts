/**
 * cassandra:// beyond the conformance suite, against the real Cassandra of STORBENCH_TEST_CASSANDRA
 * (scripts/test.sh starts one node). Each run uses fresh tables (table=t<random>) and drops them at the end, so
 * "nothing stale" can be checked by looking at whole tables.
 *
 * The node-kill test needs 3 nodes and is opt-in: STORBENCH_CASSANDRA_NODES=3 npm test (the service then starts
 * 3 nodes) or STORBENCH_TEST_CASSANDRA=<3-host URL> with STORBENCH_CASSANDRA_KILL_TEST=1.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { CassandraCore } from '../../src/drivers/cassandra/cassandra-driver.js';
import { mapCassandraError } from '../../src/drivers/cassandra/cassandra-errors.js';
import { keyParts, tokenRanges } from '../../src/drivers/cassandra/cassandra-schema.js';
import { collect } from '../../src/drivers/keys.js';
import { parseTarget } from '../../src/drivers/target.js';
import { type Driver, isStorageError, type ObjectInfo } from '../../src/drivers/types.js';
import { coreOf } from '../../src/layers/layer-stack.js';
import { expectKind, listAll, openDriver, readAll } from '../support/drivers.js';

const url = process.env.STORBENCH_TEST_CASSANDRA;
const skip = url ? false : 'STORBENCH_TEST_CASSANDRA is not set (scripts/test.sh sets it when it starts the service)';
const table = `t${randomBytes(4).toString('hex')}`;

/** The test target with `options` set (over those of the URL), in keyspace `keyspace` when given. */
function targetUrl(options: Record<string, string>, keyspace?: string): string {
  const [base, query = ''] = url!.split('?') as [string, string?];
  const params = new URLSearchParams(query);
  for (const [k, v] of Object.entries(options)) params.set(k, v);
  return `${keyspace ? base.replace(/\/[^/]*$/, `/${keyspace}`) : base}?${params}`;
}

function open(options: Record<string, string> = {}, concurrency = 8): Promise<Driver> {
  return openDriver(targetUrl({ table, create: 'true', ...options }), concurrency);
}

/** The driver's counters (a layered driver always has them; the type keeps them optional). */
function countersOf(driver: Driver): Record<string, number> {
  return driver.counters?.() ?? {};
}

/** The client, statements and query options under a cassandra:// driver's layers. */
function native(driver: Driver) {
  return coreOf<CassandraCore>(driver).native();
}

/** A body of `size` pseudo-random bytes in `piece`-byte pieces, never held whole; `hash` sees every byte. */
async function* generated(size: number, piece: number, hash: ReturnType<typeof createHash>): AsyncIterable<Uint8Array> {
  const block = randomBytes(piece);
  for (let at = 0, n = 0; at < size; at += piece, n++) {
    const b = Buffer.from(block.subarray(0, Math.min(piece, size - at)));
    b.writeUInt32BE(n, 0); // every piece differs, so a misplaced chunk is caught
    hash.update(b);
    yield b;
  }
}

describe('cassandra:// driver', { skip }, () => {
  let d: Driver;
  before(async () => {
    d = await open();
  });
  after(async () => {
    if (!d) return;
    const { client } = native(d);
    const ks = parseTarget(url!).path.slice(1);
    for (const t of [table, `${table}_chunks`, `${table}_dirs`]) await client.execute(`DROP TABLE IF EXISTS "${ks}"."${t}"`);
    await d.close();
  });

  /** Every chunk row of `key`, all versions (a filtering scan: fine on a test table). */
  async function chunkRows(key: string): Promise<{ version: string; part: number; idx: number }[]> {
    const { client } = native(d);
    const ks = parseTarget(url!).path.slice(1);
    const rs = await client.execute(`SELECT version, part, idx FROM "${ks}"."${table}_chunks" WHERE key = ? ALLOW FILTERING`, [key], { prepare: true });
    return rs.rows.map((r) => ({ version: String(r.version), part: r.part as number, idx: r.idx as number }));
  }

  test('a 50 MiB blob is stored as 256 KiB chunks in small partitions and reads back identical', async () => {
    const size = 50 * 1024 * 1024;
    const wrote = createHash('sha256');
    await d.write('big/blob', generated(size, 1024 * 1024 + 7, wrote), { size });
    assert.equal((await d.stat('big/blob')).size, size);
    const rows = await chunkRows('big/blob');
    assert.equal(rows.length, size / (256 * 1024));
    assert.equal(new Set(rows.map((r) => r.version)).size, 1);
    const perPart = new Map<number, number>();
    for (const r of rows) perPart.set(r.part, (perPart.get(r.part) ?? 0) + 1);
    assert.ok(
      [...perPart.values()].every((n) => n <= 16),
      'no partition holds more than chunksPerPartition chunks',
    );
    const read = createHash('sha256');
    let chunks = 0;
    for await (const c of (await d.read('big/blob')).body) {
      read.update(c);
      chunks++;
    }
    assert.equal(read.digest('hex'), wrote.digest('hex'));
    assert.equal(chunks, 200, 'the body streams chunk by chunk');
    const mid = await readAll(d, 'big/blob', 256 * 1024 - 10, 20);
    assert.equal(mid.length, 20);
    await d.delete('big/blob');
    assert.deepEqual(await chunkRows('big/blob'), [], 'delete removes the chunks');
  });

  test('a streamed 192 MiB write and read never hold the object in memory', async () => {
    const size = 192 * 1024 * 1024;
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const base = process.memoryUsage().rss;
      await d.write('stream/big', generated(size, 1024 * 1024, createHash('md5')), { size });
      let n = 0;
      for await (const c of (await d.read('stream/big')).body) n += c.length;
      assert.equal(n, size);
      // writeWindow × chunkSize (1 MiB) in flight plus garbage not yet collected; far below the 192 MiB object.
      assert.ok(peak - base < size / 2, `RSS grew by ${((peak - base) / 2 ** 20).toFixed(0)} MiB`);
    } finally {
      clearInterval(timer);
      await d.delete('stream/big');
    }
  });

  test('an overwrite with fewer chunks leaves nothing stale in the tables', async () => {
    const long = randomBytes(5 * 256 * 1024 + 1); // 6 chunks
    const short = randomBytes(300 * 1024); // 2 chunks
    await d.write('ow/o', long);
    const before = await chunkRows('ow/o');
    assert.equal(before.length, 6);
    await d.write('ow/o', short);
    const rows = await chunkRows('ow/o');
    assert.equal(rows.length, 2, "only the new version's 2 chunks remain");
    assert.equal(new Set(rows.map((r) => r.version)).size, 1);
    assert.notEqual(rows[0]!.version, before[0]!.version);
    assert.ok((await readAll(d, 'ow/o')).equals(short));
    const { client } = native(d);
    const ks = parseTarget(url!).path.slice(1);
    const meta = await client.execute(`SELECT name, chunks, size FROM "${ks}"."${table}" WHERE parent = '/ow'`);
    assert.deepEqual(
      meta.rows.map((r) => [r.name, r.chunks, Number(r.size)]),
      [['o', 2, short.length]],
    );
    await d.write('ow/o', new Uint8Array(0));
    assert.deepEqual(await chunkRows('ow/o'), [], 'an empty object has no chunks');
    await d.delete('ow/o');
  });

  test('a streamed body that fails midway leaves the old object intact and no chunk rows behind', async () => {
    const old = randomBytes(1000);
    await d.write('fail/o', old);
    const before = await chunkRows('fail/o');
    async function* breaking(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 10; i++) yield randomBytes(256 * 1024);
      throw new Error('the source broke');
    }
    await assert.rejects(d.write('fail/o', breaking()), /the source broke/);
    assert.ok((await readAll(d, 'fail/o')).equals(old), 'the old object reads as it was');
    assert.deepEqual(await chunkRows('fail/o'), before, "only the old version's chunk remains");
    await d.delete('fail/o');
  });

  test('a read racing overwrites gets its first chunk from one whole version, never a mix or an error', async () => {
    // Three versions, each multi-chunk and each byte identifying its version: a mixed read would show it.
    const versions = [1, 2, 3].map((v) => Buffer.alloc(2 * 256 * 1024 + 100 * v, v));
    await d.write('race/o', versions[0]!);
    const deadline = Date.now() + 4000;
    let reads = 0;
    const writer = (async () => {
      for (let i = 1; Date.now() < deadline; i++) await d.write('race/o', versions[i % 3]!);
    })();
    const readers = Array.from({ length: 4 }, async () => {
      while (Date.now() < deadline) {
        const small = await readAll(d, 'race/o', undefined, 1000);
        assert.ok(
          small.every((b) => b === small[0]),
          'the first chunk comes from one version',
        );
        reads++;
      }
    });
    await Promise.all([writer, ...readers]);
    assert.ok(reads > 0);
    await d.delete('race/o');
  });

  test('list by prefix is recursive across parent paths, partitioned by parent', async () => {
    const keys = ['l/a/1', 'l/a/2', 'l/b', 'l/b/c/3', 'l/b/4', 'l/bb/5', 'l/b-x', 'l/x', 'l/a/deep/er/6'];
    for (const k of keys) await d.write(k, Buffer.from(k));
    const sorted = (xs: ObjectInfo[]) => xs.map((o) => o.key).sort();
    assert.deepEqual(sorted(await listAll(d, 'l/', 2)), [...keys].sort());
    assert.deepEqual(sorted(await listAll(d, 'l/b')), ['l/b', 'l/b-x', 'l/b/4', 'l/b/c/3', 'l/bb/5']);
    assert.deepEqual(sorted(await listAll(d, 'l/b/')), ['l/b/4', 'l/b/c/3']);
    assert.deepEqual(sorted(await listAll(d, 'l/a/deep/')), ['l/a/deep/er/6']);
    assert.deepEqual(await listAll(d, 'l/zz'), []);
    // Each directory's objects are one partition of the metadata table.
    const { client } = native(d);
    const ks = parseTarget(url!).path.slice(1);
    const inB = await client.execute(`SELECT name FROM "${ks}"."${table}" WHERE parent = ?`, [keyParts('l/b/4').parent], { prepare: true });
    assert.deepEqual(
      inB.rows.map((r) => r.name),
      ['4'],
    );
    assert.equal(await d.deletePrefix('l/b'), 5);
    assert.deepEqual(sorted(await listAll(d, 'l/')), ['l/a/1', 'l/a/2', 'l/a/deep/er/6', 'l/x']);
    const dirs = await client.execute(`SELECT child FROM "${ks}"."${table}_dirs" WHERE parent = '/l'`);
    assert.deepEqual(
      dirs.rows.map((r) => r.child),
      ['a'],
      'deletePrefix removed the emptied directories',
    );
    await d.deletePrefix('l/');
  });

  test('token ranges cover the ring once', () => {
    for (const n of [1, 3, 16]) {
      const r = tokenRanges(n);
      assert.equal(r[0]!.start, -(2n ** 63n));
      assert.equal(r.at(-1)!.end, 2n ** 63n - 1n);
      for (let i = 1; i < r.length; i++) assert.equal(r[i]!.start, r[i - 1]!.end);
    }
  });

  test('a token-range scan yields every object exactly once, with its content', async () => {
    const scanner = await open({ scanParallelism: '8' });
    try {
      const want = new Map<string, Buffer>();
      for (let i = 0; i < 300; i++) want.set(`scan/d${i % 23}/${i % 5}/o${i}`, randomBytes(16 + (i % 7) * 100));
      const items = [...want];
      for (let i = 0; i < items.length; i += 32) await Promise.all(items.slice(i, i + 32).map(([k, v]) => scanner.write(k, v)));
      await scanner.write('scan-outside', randomBytes(4));
      const seen = new Map<string, number>();
      for await (const { info, body } of scanner.scan('scan/', { pageSize: 7 })) {
        seen.set(info.key, (seen.get(info.key) ?? 0) + 1);
        assert.ok(want.get(info.key)?.equals(await collect(body)), `content of ${info.key}`);
      }
      assert.equal(seen.size, want.size);
      assert.ok(
        [...seen.values()].every((n) => n === 1),
        'no object twice',
      );
      let all = 0;
      for await (const { body } of scanner.scan('')) {
        all++;
        await collect(body);
      }
      assert.equal(all, want.size + 1, 'scan of the whole table');
      await scanner.deletePrefix('scan/');
      await scanner.delete('scan-outside');
    } finally {
      await scanner.close();
    }
  });

  test('semantics record consistency levels and the replication factor; counters start at zero', () => {
    const s = d.semantics();
    assert.equal(s.readConsistency, 'LOCAL_QUORUM');
    assert.equal(s.writeConsistency, 'LOCAL_QUORUM');
    assert.equal(typeof s.replication, 'number');
    assert.match(s.readAfterWrite, /^strong/);
    const counters = countersOf(d);
    assert.equal(counters.retries, 0);
    assert.equal(counters.speculativeExecutions, 0);
    const env = d.environment();
    assert.equal(env.retries, undefined, 'counters are not environment facts');
    assert.match(String(env.cassandraVersion), /^5\./);
  });

  test('errors are mapped: missing keyspace NotFound, invalid query InvalidInput, too few replicas Unavailable', async () => {
    const ks = parseTarget(url!).path.slice(1);
    await expectKind('NotFound', () => openDriver(targetUrl({ create: 'false' }, 'no_such_ks')));
    const { client } = native(d);
    const invalid = await client.execute('SELECT nope FROM system.local').catch((e: unknown) => mapCassandraError(e, 'read', undefined));
    assert.ok(isStorageError(invalid, 'InvalidInput'));
    assert.equal(invalid.code, 'invalid', 'the protocol error code is kept');
    // A keyspace asking for more replicas than there are nodes, written at ALL: the coordinator answers
    // Unavailable at once (QUORUM could still succeed with 3 nodes and RF 5).
    const replicas = client.hosts.length + 2;
    const u = await openDriver(targetUrl({ table, create: 'true', replicationFactor: String(replicas), retries: '1', consistency: 'ALL' }, `${ks}_rf`));
    try {
      const err = await u.write('x', randomBytes(10)).catch((e: unknown) => e);
      assert.ok(isStorageError(err, 'Unavailable'), `got ${String(err)}`);
      assert.equal(err.temporary, true);
      // Every statement of the write (metadata lookup, chunk insert, cleanup) was retried once, and counted.
      assert.ok(countersOf(u).retries! >= 2, `retries counted: ${countersOf(u).retries}`);
      assert.ok(countersOf(u).unavailables! >= 1);
      assert.equal(u.semantics().replication, replicas);
    } finally {
      await u.close();
      await client.execute(`DROP KEYSPACE IF EXISTS "${ks}_rf"`);
    }
  });
});
