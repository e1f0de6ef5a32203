/**
 * nfs:// against a real NFS server (NFS-Ganesha from `npm run services -- up nfs`), beyond the conformance
 * suite: what lands in the exported directory itself, keys that must not leave the export, the event loop
 * staying free while many requests are in flight, and the error mapping.
 *
 * Needs STORBENCH_TEST_NFS (scripts/test.sh sets it). The exported directory comes from
 * STORBENCH_TEST_NFS_DIR, or from the service's state file `<state>/nfs/export-dir`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mapNfsError } from '../../src/drivers/nfs/nfs-errors.js';
import { NFS3ERR, NfsStatusError } from '../../src/drivers/nfs/nfs3.js';
import { RpcConnection, RpcError } from '../../src/drivers/nfs/rpc.js';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import type { Driver } from '../../src/drivers/types.js';
import { UsageError } from '../../src/errors.js';
import { expectKind, listKeys, openDriver, readAll } from '../support/drivers.js';

const url = process.env.STORBENCH_TEST_NFS;
const skip = url ? false : 'STORBENCH_TEST_NFS is not set (npm test starts NFS-Ganesha and sets it)';

function exportedDir(): string | undefined {
  if (process.env.STORBENCH_TEST_NFS_DIR) return process.env.STORBENCH_TEST_NFS_DIR;
  const state = process.env.STORBENCH_SERVICES_STATE ?? resolve(import.meta.dirname, '../../.services');
  const file = join(state, 'nfs', 'export-dir');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
const dir = exportedDir();
const skipFs = skip || (dir && existsSync(dir) ? false : 'the exported directory is unknown (set STORBENCH_TEST_NFS_DIR)');

const open = (u: string, concurrency = 16): Promise<Driver> => openDriver(u, concurrency);

/** A URL for the same server with the path or options changed. */
function variant(path: string, query = ''): string {
  const base = url!.replace(/\?.*$/, '');
  const q = [url!.includes('?') ? url!.slice(url!.indexOf('?') + 1) : '', query].filter(Boolean).join('&');
  return `${base.replace(/^(nfs:\/\/[^/]+).*$/, '$1')}${path}${q ? `?${q}` : ''}`;
}
const exportPath = url ? new URL(url.replace(/^nfs:/, 'http:')).pathname.replace(/\/+$/, '') : '';

describe('nfs:// on a real NFS server', { skip }, () => {
  const prefix = `nfs-test-${randomBytes(4).toString('hex')}/`;
  let driver: Driver;
  before(async () => {
    driver = await open(url!);
  });
  after(async () => {
    await driver?.deletePrefix(prefix).catch(() => undefined);
    await driver?.close();
  });

  test('reports NFSv3 and the server limits it uses', () => {
    assert.equal(driver.system(), 'NFSv3');
    const env = driver.environment();
    assert.ok(Number(env.wtmax) > 0 && Number(env.writeSize) <= Number(env.wtmax));
    assert.ok(Number(env.rtmax) > 0 && Number(env.readSize) <= Number(env.rtmax));
  });

  test('what is written through nfs:// is in the exported directory, byte for byte', { skip: skipFs }, async () => {
    const big = randomBytes(5 * 1024 * 1024 + 3); // several WRITEs of wsize, the last one short
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < big.length; i += 100_000) yield big.subarray(i, i + 100_000);
    }
    await driver.write(`${prefix}deep/er/big.bin`, chunks(), { size: big.length });
    const small = Buffer.from('hello from user space');
    await driver.write(`${prefix}ünï cødé.txt`, small);
    await driver.write(`${prefix}empty`, new Uint8Array(0));
    const root = join(dir!, prefix);
    assert.ok(readFileSync(join(root, 'deep/er/big.bin')).equals(big));
    assert.ok(readFileSync(join(root, 'ünï cødé.txt')).equals(small));
    assert.equal(statSync(join(root, 'empty')).size, 0);
    // writes go to a temporary name and are renamed: none may be left behind
    assert.deepEqual(readdirSync(join(root, 'deep/er')), ['big.bin']);
    assert.deepEqual(readdirSync(root).sort(), ['deep', 'empty', 'ünï cødé.txt']);
    // overwrite with a shorter object leaves no tail on the server's disk
    await driver.write(`${prefix}deep/er/big.bin`, Buffer.from('short'));
    assert.equal(readFileSync(join(root, 'deep/er/big.bin'), 'utf8'), 'short');
    // append lands at the end of the server's file
    await driver.append!(`${prefix}deep/er/big.bin`, Buffer.from('+more'));
    assert.equal(readFileSync(join(root, 'deep/er/big.bin'), 'utf8'), 'short+more');
  });

  test('files made on the server are read, ranged and listed through nfs://', { skip: skipFs }, async () => {
    const data = randomBytes(300_000);
    mkdirSync(join(dir!, prefix, 'made-on-server'), { recursive: true });
    writeFileSync(join(dir!, prefix, 'made-on-server/f.bin'), data);
    assert.ok((await readAll(driver, `${prefix}made-on-server/f.bin`, 1000, 250_000)).equals(data.subarray(1000, 251_000)));
    assert.deepEqual(await listKeys(driver, `${prefix}made-on-server/`), [`${prefix}made-on-server/f.bin`]);
  });

  test('temporary files of writes in progress are hidden from list and removed by deletePrefix', { skip: skipFs }, async () => {
    mkdirSync(join(dir!, prefix, 'tmp'), { recursive: true });
    writeFileSync(join(dir!, prefix, 'tmp/.storbench-tmp-0123456789abcdef'), 'partial');
    await driver.write(`${prefix}tmp/real`, Buffer.from('x'));
    assert.deepEqual(await listKeys(driver, `${prefix}tmp/`), [`${prefix}tmp/real`]);
    assert.equal(await driver.deletePrefix(`${prefix}tmp/`), 1);
    assert.ok(!existsSync(join(dir!, prefix, 'tmp')), 'deletePrefix removes the emptied directories too');
  });

  test('keys never leave the export, even through a symlink on the server', { skip: skipFs }, async () => {
    mkdirSync(join(dir!, prefix), { recursive: true });
    symlinkSync('/etc', join(dir!, prefix, 'escape'));
    // LOOKUP does not follow symlinks: the link is not a directory of the export
    await expectKind('NotFound', () => driver.read(`${prefix}escape/hostname`));
    await expectKind('NotFound', () => driver.stat(`${prefix}escape`));
    await expectKind('InvalidInput', () => driver.write(`${prefix}escape/storbench-was-here`, Buffer.from('x')));
    assert.ok(!existsSync('/etc/storbench-was-here'));
    await expectKind('InvalidInput', () => driver.write('../outside', Buffer.from('x')));
  });

  test('an aborted write is Cancelled, publishes nothing and leaves no temporary file', { skip: skipFs }, async () => {
    // aborted half-way: the driver's own write loop must stop (an already-aborted call never reaches it)
    const aborted = new AbortController();
    async function* body(): AsyncIterable<Uint8Array> {
      yield randomBytes(1024 * 1024);
      aborted.abort();
      for (let i = 0; i < 2; i++) yield randomBytes(1024 * 1024);
    }
    await expectKind('Cancelled', () => driver.write(`${prefix}aborted/k`, body(), { size: 3 * 1024 * 1024, signal: aborted.signal }));
    await expectKind('NotFound', () => driver.stat(`${prefix}aborted/k`));
    assert.deepEqual(readdirSync(join(dir!, prefix, 'aborted')), []);
  });

  test('a key that is an object cannot also hold keys (keyAndPrefixCoexist is false)', async () => {
    assert.equal(driver.capabilities.keyAndPrefixCoexist, false);
    await driver.write(`${prefix}both`, Buffer.from('x'));
    const e = await expectKind('InvalidInput', () => driver.write(`${prefix}both/inner`, Buffer.from('y')));
    assert.match(e.message, /"[^"]*both" is a file, so it cannot hold other keys/);
    assert.equal((await readAll(driver, `${prefix}both`)).toString(), 'x');
  });

  test('a cached directory handle another client removed is looked up again (the stale-handle retry)', async () => {
    await driver.write(`${prefix}stale/a`, Buffer.from('a')); // caches the handle of stale/
    const other = await open(url!);
    try {
      assert.equal(await other.deletePrefix(`${prefix}stale/`), 1); // removes stale/ itself too
    } finally {
      await other.close();
    }
    await driver.write(`${prefix}stale/b`, Buffer.from('b'));
    assert.deepEqual(await listKeys(driver, `${prefix}stale/`), [`${prefix}stale/b`]);
    assert.equal((await readAll(driver, `${prefix}stale/b`)).toString(), 'b');
  });

  test('a URL path below the export is the root of the keys, created when missing', { skip: skipFs }, async () => {
    const sub = await open(variant(`${exportPath}/${prefix}rooted/here`));
    try {
      assert.equal(sub.environment().export, exportPath);
      await sub.write('k', Buffer.from('inside'));
      assert.equal(readFileSync(join(dir!, prefix, 'rooted/here/k'), 'utf8'), 'inside');
      assert.deepEqual(await listKeys(sub, ''), ['k']);
    } finally {
      await sub.close();
    }
  });

  test('durable writes (COMMIT) and FILE_SYNC writes land complete', { skip: skipFs }, async () => {
    for (const query of ['commit=true', 'filesync=true', 'atomic=false&wsize=64KiB&depth=8']) {
      const d = await open(variant(exportPath, query));
      try {
        const data = randomBytes(2 * 1024 * 1024 + 1);
        await d.write(`${prefix}durable/${query}`, data);
        assert.ok(readFileSync(join(dir!, prefix, 'durable', query)).equals(data), query);
        assert.match(String(d.semantics().writeDurability), query.startsWith('commit') ? /COMMIT/ : query.startsWith('filesync') ? /FILE_SYNC/ : /no COMMIT/);
      } finally {
        await d.close();
      }
    }
  });

  test('64 writes in flight at once complete while a timer keeps firing (the event loop is never blocked)', async () => {
    const d = await open(url!, 64);
    try {
      const payload = randomBytes(64 * 1024);
      let ticks = 0;
      let last = performance.now();
      let maxGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 2);
      const t0 = performance.now();
      try {
        for (let round = 0; round < 4; round++) {
          await Promise.all(Array.from({ length: 64 }, (_, i) => d.write(`${prefix}loop/${round}-${i}`, payload)));
        }
      } finally {
        clearInterval(timer);
      }
      const elapsed = performance.now() - t0;
      maxGap = Math.max(maxGap, performance.now() - last);
      let n = 0;
      for await (const page of d.list(`${prefix}loop/`)) n += page.length;
      assert.equal(n, 256);
      assert.ok(ticks >= 3, `timer fired ${ticks} times in ${elapsed.toFixed(0)} ms`);
      assert.ok(maxGap < Math.max(elapsed / 2, 50), `the loop stalled for ${maxGap.toFixed(0)} ms of ${elapsed.toFixed(0)} ms`);
    } finally {
      await d.close();
    }
  });

  test('one TCP connection carries 64 RPCs in flight, matched by xid', async () => {
    const nfsPort = Number(driver.environment().nfsPort);
    const conn = new RpcConnection(String(driver.environment().host), nfsPort, Buffer.alloc(16), 10_000);
    try {
      await conn.connect();
      const calls = Array.from({ length: 64 }, () => conn.call(100003, 3, 0, undefined)); // NFSPROC3_NULL
      assert.equal(conn.inFlight, 64, 'all 64 calls are on the wire before any reply is read');
      await Promise.all(calls);
      assert.equal(conn.inFlight, 0);
    } finally {
      conn.close();
    }
  });

  test('privport=true connects from a port below 1024 (servers exporting with "secure")', {
    skip: skipFs || (process.getuid?.() !== 0 ? 'binding a port below 1024 needs root' : false),
  }, async () => {
    const d = await open(variant(exportPath, 'privport=true'));
    try {
      await d.write(`${prefix}privport`, Buffer.from('secure'));
      assert.equal(readFileSync(join(dir!, prefix, 'privport'), 'utf8'), 'secure');
    } finally {
      await d.close();
    }
    const conn = new RpcConnection(String(driver.environment().host), Number(driver.environment().nfsPort), Buffer.alloc(16), 10_000, true);
    try {
      await conn.connect();
      assert.ok(conn.localPort! < 1024, `local port ${conn.localPort}`);
      await conn.call(100003, 3, 0, undefined);
    } finally {
      conn.close();
    }
  });

  test('a server that does not answer on the given ports fails to open with Unavailable', async () => {
    const e = await expectKind('Unavailable', () => open(variant(exportPath, 'nfsport=9&mountport=9')));
    assert.equal(e.code, 'ECONNREFUSED', "the socket's errno is the native code");
  });

  test('a path that is not exported fails to open with NotFound', async () => {
    await expectKind('NotFound', () => open(variant('/not-exported-anywhere')));
  });

  test('a user without write permission gets PermissionDenied', {
    skip: skipFs || (process.getuid?.() !== 0 ? 'needs root to make a directory other users cannot write' : false),
  }, async () => {
    mkdirSync(join(dir!, prefix, 'locked'), { recursive: true });
    chmodSync(join(dir!, prefix, 'locked'), 0o755);
    const d = await open(variant(exportPath, 'uid=54321&gid=54321'));
    try {
      const e = await expectKind('PermissionDenied', () => d.write(`${prefix}locked/x`, Buffer.from('x')));
      assert.equal(e.code, 'NFS3ERR_ACCES');
    } finally {
      await d.close();
      rmSync(join(dir!, prefix, 'locked'), { recursive: true, force: true });
    }
  });
});

describe('nfs:// options', () => {
  test('a wrong value is refused when the target is parsed, naming the option', () => {
    assert.throws(() => parseTarget('nfs://127.0.0.1:1/x?mountport=0x1'), /target option mountport: expected a whole number from 0 to 65535, got "0x1"/);
    assert.throws(
      () => parseTarget('nfs://127.0.0.1:1/x?rsize=big&atomic=maybe'),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /target option rsize: .*"big" is not a size/);
        assert.match(e.message, /target option atomic: expected true or false, got "maybe"/);
        return true;
      },
    );
  });

  test('an unknown option is refused (it used to be ignored by the driver)', () => {
    assert.throws(
      () => parseTarget('nfs://127.0.0.1:1/x?rsise=64KiB'),
      (e: unknown) => e instanceof UsageError && e.code === 'STORBENCH_ERR_UNKNOWN_OPTION',
    );
  });

  test('an export that does not start the URL path is refused when the driver is created, before anything connects', async () => {
    await assert.rejects(
      createDriver({ target: parseTarget('nfs://127.0.0.1:1/x/y?export=/z&timeout=100'), concurrency: 1 }),
      (e: unknown) => e instanceof UsageError && /target option export: "\/z" must be the start of the URL path "\/x\/y"/.test(e.message),
    );
  });
});

describe('nfs:// error mapping', () => {
  test('NFS statuses and RPC failures map to StorageError kinds, with the native code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const cases: [unknown, string, boolean, string | undefined][] = [
      [new NfsStatusError(NFS3ERR.NOENT, 'LOOKUP'), 'NotFound', false, 'NFS3ERR_NOENT'],
      [new NfsStatusError(NFS3ERR.STALE, 'READ'), 'NotFound', false, 'NFS3ERR_STALE'],
      [new NfsStatusError(NFS3ERR.ACCES, 'CREATE'), 'PermissionDenied', false, 'NFS3ERR_ACCES'],
      [new NfsStatusError(NFS3ERR.PERM, 'REMOVE'), 'PermissionDenied', false, 'NFS3ERR_PERM'],
      [new NfsStatusError(NFS3ERR.ROFS, 'WRITE'), 'PermissionDenied', false, 'NFS3ERR_ROFS'],
      [new NfsStatusError(NFS3ERR.JUKEBOX, 'WRITE'), 'Unavailable', true, 'NFS3ERR_JUKEBOX'],
      [new NfsStatusError(NFS3ERR.NOSPC, 'WRITE'), 'Unavailable', false, 'NFS3ERR_NOSPC'],
      [new NfsStatusError(NFS3ERR.NAMETOOLONG, 'CREATE'), 'InvalidInput', false, 'NFS3ERR_NAMETOOLONG'],
      [new NfsStatusError(NFS3ERR.NOTSUPP, 'READDIRPLUS'), 'Unsupported', false, 'NFS3ERR_NOTSUPP'],
      [new NfsStatusError(NFS3ERR.SERVERFAULT, 'READ'), 'Unexpected', false, 'NFS3ERR_SERVERFAULT'],
      [new NfsStatusError(99999, 'READ'), 'Unexpected', false, 'NFS3ERR_99999'],
      [new RpcError('timeout', 'no reply'), 'Timeout', true, undefined],
      [new RpcError('closed', 'reset'), 'Unavailable', true, undefined],
      [new RpcError('connect', 'cannot connect', { cause: refused }), 'Unavailable', true, 'ECONNREFUSED'],
      [new RpcError('auth', 'AUTH_ERROR'), 'PermissionDenied', false, undefined],
    ];
    for (const [cause, kind, temporary, code] of cases) {
      const e = mapNfsError(cause, 'write', 'k');
      assert.equal(e.kind, kind, String(cause));
      assert.equal(e.temporary, temporary, String(cause));
      assert.equal(e.code, code, String(cause));
      assert.equal(e.driver, 'nfs');
      assert.equal(e.key, 'k');
      assert.equal(e.cause, cause);
    }
  });
});
