/**
 * HDFS-specific checks of the webhdfs:// driver against the real cluster of scripts/services/hdfs
 * (STORBENCH_TEST_HDFS): the two-step redirect, a 256 MiB streamed write and read with the client's memory
 * watched, NameNode failover, secret redaction, and a DataNode killed in the middle of a write load; and, with a
 * fake NameNode on a local port, what the cluster cannot show (a server without LISTSTATUS_BATCH).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { collect } from '../../src/drivers/keys.js';
import { createDriver } from '../../src/drivers/registry.js';
import { parseTarget } from '../../src/drivers/target.js';
import { type Driver, isStorageError } from '../../src/drivers/types.js';
import { expectKind, listKeys, openDriver, readAll } from '../support/drivers.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const url = process.env.STORBENCH_TEST_HDFS;
const skip = url ? false : 'STORBENCH_TEST_HDFS is not set (npm test starts the hdfs service and sets it)';
const run = `hdfs-test-${randomBytes(4).toString('hex')}`;

/** The same target with other options (or hosts) than the service URL's. */
function variant(options: Record<string, string>, hosts?: string): string {
  const u = new URL(url!.replace(/^webhdfs:/, 'http:'));
  for (const [k, v] of Object.entries(options)) u.searchParams.set(k, v);
  return `webhdfs://${hosts ?? u.host}${u.pathname}${u.search}`;
}

/** A port nothing listens on: bind an ephemeral one and close it again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('webhdfs:// without a cluster', () => {
  test('option problems are all reported when the target is parsed, each naming its option', () => {
    assert.throws(
      () => parseTarget('webhdfs://127.0.0.1:1/x?permission=999&gateway=knox&scanAhead=65&syncBlock=maybe'),
      (e: unknown) => {
        const m = (e as Error).message;
        assert.match(m, /target option permission: "999" is not octal like 755/);
        assert.match(m, /target option gateway: "knox" is not httpfs or none/);
        assert.match(m, /target option scanAhead: expected a whole number from 0 to 64, got "65"/);
        assert.match(m, /target option syncBlock: expected true or false, got "maybe"/);
        return true;
      },
    );
    assert.doesNotThrow(() => parseTarget('swebhdfs://127.0.0.1:1/x?permission=0640&gateway=httpfs&syncBlock=true&blockSize=64MiB'));
  });

  test('a NameNode without LISTSTATUS_BATCH (IllegalArgumentException for op) is listed with LISTSTATUS; other errors keep their code', async () => {
    const calls: string[] = [];
    const json = (res: ServerResponse, status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const remote = (exception: string, message: string) => ({ RemoteException: { exception, javaClassName: `x.${exception}`, message } });
    const file = (pathSuffix: string, type = 'FILE') => ({ pathSuffix, type, length: 3, modificationTime: 1 });
    const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      const u = new URL(req.url!, 'http://x');
      const op = u.searchParams.get('op') ?? '';
      calls.push(`${op} ${u.pathname}`);
      if (op === 'MKDIRS') return json(res, 200, { boolean: true });
      if (op === 'LISTSTATUS_BATCH')
        return json(res, 400, remote('IllegalArgumentException', `Invalid value for webhdfs parameter "op": ${op} is not a valid GET operation.`));
      if (op === 'LISTSTATUS' && u.pathname === '/webhdfs/v1/old') return json(res, 200, { FileStatuses: { FileStatus: [file('a'), file('d', 'DIRECTORY')] } });
      if (op === 'LISTSTATUS' && u.pathname === '/webhdfs/v1/old/d') return json(res, 200, { FileStatuses: { FileStatus: [file('b')] } });
      if (op === 'LISTSTATUS') return json(res, 403, remote('AccessControlException', 'Permission denied: user=u, access=READ_EXECUTE, op=LISTSTATUS'));
      return json(res, 400, remote('IllegalArgumentException', `${op} is not a valid op`)); // GETSERVERDEFAULTS, /jmx
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const old = await openDriver(`webhdfs://127.0.0.1:${(server.address() as AddressInfo).port}/old?user=u`);
    try {
      assert.deepEqual(await listKeys(old, ''), ['a', 'd/b']);
      assert.deepEqual(await listKeys(old, 'd/'), ['d/b']);
      assert.equal(calls.filter((c) => c.startsWith('LISTSTATUS_BATCH')).length, 1, 'asked once, then remembered');
      const denied = await expectKind('PermissionDenied', () => listKeys(old, 'locked/'));
      assert.equal(denied.code, 'AccessControlException');
      assert.equal(old.semantics().blockSize, 'server default');
    } finally {
      await old.close();
      server.close();
    }
  });
});

describe('webhdfs:// on a real HDFS', { skip }, () => {
  let driver: Driver;
  before(async () => {
    driver = await openDriver(url!, 8);
  });
  after(async () => {
    await driver?.deletePrefix(`${run}/`).catch(() => undefined);
    await driver?.close();
  });

  test('the NameNode redirects CREATE and OPEN to a DataNode; noredirect=true works the same', async () => {
    const t = parseTarget(url!);
    const nn = `http://${t.hosts[0]}/webhdfs/v1${t.path}/${run}/redirect?user.name=${t.options.user ?? 'storbench'}`;
    const create = await fetch(`${nn}&op=CREATE&overwrite=true`, { method: 'PUT', redirect: 'manual' });
    assert.equal(create.status, 307);
    const location = new URL(create.headers.get('location')!);
    assert.equal(location.hostname, '127.0.0.1');
    assert.notEqual(location.host, t.hosts[0], 'the data goes to a DataNode, not to the NameNode');
    assert.match(location.search, /namenoderpcaddress=/);
    await create.body?.cancel();

    const data = randomBytes(300_000);
    await driver.write(`${run}/redirect`, data);
    const open = await fetch(`${nn}&op=OPEN`, { redirect: 'manual' });
    assert.equal(open.status, 307);
    assert.notEqual(new URL(open.headers.get('location')!).host, t.hosts[0]);
    await open.body?.cancel();

    const noredirect = await openDriver(variant({ noredirect: 'true' }), 4);
    try {
      assert.match(String(noredirect.semantics().dataPath), /noredirect/);
      await noredirect.write(`${run}/noredirect`, data);
      assert.ok((await readAll(noredirect, `${run}/noredirect`)).equals(data));
      assert.ok((await readAll(noredirect, `${run}/redirect`, 1000, 10)).equals(data.subarray(1000, 1010)));
    } finally {
      await noredirect.close();
    }
  });

  test('semantics, environment and counters describe the cluster', () => {
    const sem = driver.semantics();
    assert.equal(sem.replication, 3);
    assert.equal(sem.blockSize, 128 * 1024 * 1024);
    assert.match(sem.writeDurability, /pipeline of 3 DataNodes/);
    const env = driver.environment();
    assert.equal(driver.counters?.().failovers, 0);
    assert.equal(env.failovers, undefined, 'a counter, not a fact found at connect');
    assert.equal(env.liveDataNodes, 3);
    assert.match(String(env.hadoopVersion), /^3\.5\.0/);
  });

  test('replication and blockSize options reach the NameNode', async () => {
    const custom = await openDriver(variant({ replication: '2', blockSize: '1MiB', permission: '640' }), 4);
    try {
      await custom.write(`${run}/custom`, randomBytes(3 * 1024 * 1024));
      const t = parseTarget(url!);
      const res = await fetch(`http://${t.hosts[0]}/webhdfs/v1${t.path}/${run}/custom?op=GETFILESTATUS&user.name=x`);
      const st = ((await res.json()) as { FileStatus: { replication: number; blockSize: number; permission: string } }).FileStatus;
      assert.deepEqual([st.replication, st.blockSize, st.permission], [2, 1024 * 1024, '640']);
      assert.equal(custom.semantics().replication, 2);
    } finally {
      await custom.close();
    }
  });

  test('a 256 MiB object streams in and out without being held in memory', async () => {
    const total = 256 * 1024 * 1024;
    const chunk = 1024 * 1024;
    global.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    try {
      const written = createHash('sha256');
      async function* source(): AsyncIterable<Uint8Array> {
        for (let sent = 0; sent < total; sent += chunk) {
          const c = randomFillSync(Buffer.allocUnsafe(chunk));
          written.update(c);
          yield c;
        }
      }
      await driver.write(`${run}/big`, source(), { size: total });
      assert.equal((await driver.stat(`${run}/big`)).size, total);
      const r = await driver.read(`${run}/big`);
      assert.equal(r.size, total);
      const read = createHash('sha256');
      let bytes = 0;
      for await (const c of r.body) {
        read.update(c);
        bytes += c.byteLength;
      }
      assert.equal(bytes, total);
      assert.equal(read.digest('hex'), written.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - baseline) / 1024 / 1024;
    console.log(`# 256 MiB write+read: client RSS grew by at most ${growth.toFixed(1)} MiB (baseline ${(baseline / 1048576).toFixed(0)} MiB)`);
    assert.ok(growth < 96, `RSS grew by ${growth.toFixed(1)} MiB during a 256 MiB transfer`);
  });

  test('reuseChunks: reads fill two buffers in turn, kept from read to read; a slow reader gets every byte, in order', async () => {
    const data = randomBytes(24 * 1024 * 1024 + 12_345);
    await driver.write(`${run}/reused`, data);
    const seen = new Set<ArrayBufferLike>();
    for (const slow of [false, true]) {
      const r = await driver.read(`${run}/reused`, { reuseChunks: true });
      let at = 0;
      let chunks = 0;
      for await (const c of r.body) {
        seen.add(c.buffer);
        // A slow reader: the socket has time to fill the other buffer, and must not touch this one meanwhile.
        if (slow && chunks % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        assert.ok(Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(data.subarray(at, at + c.byteLength)), `chunk ${chunks} at byte ${at}`);
        at += c.byteLength;
        chunks++;
      }
      assert.equal(at, data.length);
      assert.ok(chunks > 24, `${chunks} chunks`);
    }
    assert.equal(seen.size, 2, 'two buffers for both reads, taken back by the client after the first');
    // Without reuseChunks every chunk is the caller's to keep.
    const kept: Uint8Array[] = [];
    for await (const c of (await driver.read(`${run}/reused`)).body) kept.push(c);
    assert.ok(Buffer.concat(kept).equals(data));
    // Stopped early, or aborted in the middle of the body: the connection is released and the driver goes on.
    for await (const _ of (await driver.read(`${run}/reused`, { reuseChunks: true })).body) break;
    const mid = new AbortController();
    await expectKind('Cancelled', async () => {
      for await (const _ of (await driver.read(`${run}/reused`, { reuseChunks: true, signal: mid.signal })).body) mid.abort();
    });
    assert.ok((await readAll(driver, `${run}/reused`, 5, 10)).equals(data.subarray(5, 15)));
  });

  test('HA: a NameNode that refuses connections is skipped and the failover counted', async () => {
    const t = parseTarget(url!);
    const down = `127.0.0.1:${await closedPort()}`;
    const ha = await openDriver(variant({}, `${down},${t.hosts[0]}`), 4);
    try {
      assert.equal(ha.counters?.().failovers, 1);
      const data = randomBytes(5000);
      await ha.write(`${run}/ha`, data);
      assert.ok((await readAll(ha, `${run}/ha`)).equals(data));
      assert.equal(ha.environment().activeNameNode, t.hosts[0]);
      assert.equal(ha.counters?.().failovers, 1, 'the active NameNode is remembered: one failover, not one per call');
    } finally {
      await ha.close();
    }
    const allDown = await createDriver({ target: parseTarget(variant({}, `${down},127.0.0.1:${await closedPort()}`)), concurrency: 1 });
    try {
      await assert.rejects(allDown.open(), (e: unknown) => isStorageError(e, 'Unavailable') && e.temporary);
    } finally {
      await allDown.close();
    }
  });

  test('a delegation token never appears in errors or in the redacted target', async () => {
    const secret = 'Tok3nSecretValue0123456789';
    const target = parseTarget(variant({ delegationToken: secret }));
    assert.ok(!target.redacted.includes(secret));
    const d = await createDriver({ target, concurrency: 1 });
    try {
      // Security is off, so the NameNode cannot decode the token: the error must not echo it.
      await d
        .open()
        .then(() => d.write(`${run}/token`, randomBytes(10)))
        .catch((e: unknown) => {
          assert.ok(isStorageError(e), String(e));
          assert.ok(!e.message.includes(secret), e.message);
          assert.ok(!JSON.stringify(e).includes(secret));
        });
    } finally {
      await d.close();
    }
    // Refused when the target is parsed, before any driver exists.
    assert.throws(() => parseTarget(variant({ delegation: secret })), /delegationToken/);
  });

  test('errors map to kinds and keep the RemoteException as code: a file where a directory is needed, a missing rename source', async () => {
    await driver.write(`${run}/file`, randomBytes(10));
    const under = await expectKind('InvalidInput', () => driver.write(`${run}/file/under`, randomBytes(10)));
    assert.equal(under.code, 'ParentNotDirectoryException');
    const missing = await expectKind('NotFound', () => driver.rename!(`${run}/nope/a`, `${run}/nope2/b`));
    assert.equal(missing.code, 'FileNotFoundException');
    await expectKind('NotFound', () => driver.stat(`${run}/nope2`)); // a missing source creates no destination parent
    // A range at or past the end is empty: the DataNode's IOException, told apart by the file's size.
    assert.deepEqual(await readAll(driver, `${run}/file`, 10), Buffer.alloc(0));
    assert.deepEqual(await readAll(driver, `${run}/file`, 100, 5), Buffer.alloc(0));
    // A rename into a directory that does not exist yet creates it.
    await driver.write(`${run}/moved-from`, randomBytes(20));
    await driver.rename!(`${run}/moved-from`, `${run}/deep/er/moved-to`);
    assert.equal((await driver.stat(`${run}/deep/er/moved-to`)).size, 20);
  });

  test('a key and a prefix of the same name cannot coexist (keyAndPrefixCoexist: false), either way round', async () => {
    assert.equal(driver.capabilities.keyAndPrefixCoexist, false);
    await driver.write(`${run}/both`, randomBytes(10));
    await expectKind('InvalidInput', () => driver.write(`${run}/both/child`, randomBytes(10)));
    await driver.write(`${run}/dir/child`, randomBytes(10));
    const dir = await expectKind('InvalidInput', () => driver.write(`${run}/dir`, randomBytes(10)));
    assert.equal(dir.code, 'FileAlreadyExistsException');
    await expectKind('NotFound', () => driver.stat(`${run}/dir`)); // a directory is not an object
  });

  test('an aborted operation is Cancelled, not a Timeout', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expectKind('Cancelled', () => driver.read(`${run}/file`, { signal: aborted.signal }));
    // Aborted in the middle of a streamed write, while the DataNode waits for bytes.
    const mid = new AbortController();
    async function* stalls(): AsyncIterable<Uint8Array> {
      yield randomBytes(1000);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
    setTimeout(() => mid.abort(), 300);
    await expectKind('Cancelled', () => driver.write(`${run}/aborted`, stalls(), { signal: mid.signal }));
    assert.equal((await driver.stat(`${run}/file`)).size, 10, 'the driver still works after the aborts');
  });

  test('scan opens objects ahead, and stopping early releases them', async () => {
    const data = new Map<string, Buffer>();
    for (let i = 0; i < 12; i++) data.set(`${run}/scan/f${String(i).padStart(2, '0')}`, randomBytes(70_000 + i));
    await Promise.all([...data].map(([k, v]) => driver.write(k, v)));
    let seen = 0;
    for await (const { info, body } of driver.scan(`${run}/scan/`)) {
      assert.ok((await collect(body)).equals(data.get(info.key)!));
      seen++;
    }
    assert.equal(seen, data.size);
    // Break after one entry while up to scanAhead (4) responses are open and unread: no crash, no leak that
    // would stall the next calls.
    for await (const { body } of driver.scan(`${run}/scan/`)) {
      await collect(body);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await driver.stat(`${run}/scan/f00`)).size, 70_000);
  });

  test('a DataNode killed during a storbench run: errors recorded or writes succeed, never a crash or a hang', async (t) => {
    const state = join(process.env.STORBENCH_SERVICES_STATE ?? join(repo, '.services'), 'hdfs');
    if (!existsSync(join(state, 'dn2.pid'))) return t.skip('the cluster was not started by scripts/services/hdfs (no DataNode PIDs)');
    const victim = Number(readFileSync(join(state, 'dn2.pid'), 'utf8'));
    const scratch = mkdtempSync(join(tmpdir(), 'storbench-hdfs-kill-'));
    try {
      const child = spawn(
        process.execPath,
        [
          join(repo, 'bin/storbench.cjs'),
          'run',
          '--target',
          variant({ timeoutMs: '30000' }),
          '--workload',
          'put-large',
          '--size',
          '1MiB',
          '--concurrency',
          '8',
          '--duration',
          '15s',
          '--warmup',
          '0s',
          '--json',
          '--db',
          join(scratch, 'results.db'),
        ],
        { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      const killer = setTimeout(() => process.kill(victim, 'SIGKILL'), 5000);
      // The run lasts 15 s; a write stuck on the dead DataNode would hold it far longer (the driver's timeout here is 30 s).
      const hang = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(killer);
      clearTimeout(hang);
      assert.equal(code, 0, `storbench exited with ${code} (killed: hung run)\n${err.slice(-2000)}`);
      const doc = JSON.parse(out) as { status: string; results: { op: string; count: number; errors: number }[] };
      assert.equal(doc.status, 'completed');
      const writes = doc.results.find((r) => r.op === 'write');
      assert.ok(writes && writes.count > 0, 'writes go on with the two DataNodes left');
      console.log(`# DataNode killed 5 s into a 15 s run: ${writes.count} writes, ${writes.errors} errors recorded`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      // Bring the cluster back to 3 DataNodes for whatever runs next (up.sh restarts dead DataNodes).
      await promisify(execFile)('bash', [join(repo, 'scripts/services.sh'), 'up', 'hdfs'], { timeout: 180_000 });
    }
  });
});
