/**
 * The two request paths of s3:// (`client=lean`, the default, and `client=sdk`) on a real Ceph RGW
 * (STORBENCH_TEST_CEPH): the option, what the run records, odd keys written by one path and read by the other,
 * errors mapped alike (NoSuchKey, NoSuchBucket, a wrong secret, a timeout, an abort), the signing-key cache and
 * the SDK's credentials provider. The general contract runs on both paths in the conformance suite.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, DeleteBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { collect } from '../../src/drivers/keys.js';
import { createS3Client, parseS3Options } from '../../src/drivers/s3/s3-driver.js';
import { mapS3Error } from '../../src/drivers/s3/s3-errors.js';
import { createLeanClient, encodeKey } from '../../src/drivers/s3/s3-lean.js';
import { parseTarget } from '../../src/drivers/target.js';
import { type Driver, isStorageError, type StorageError } from '../../src/drivers/types.js';
import { UsageError } from '../../src/errors.js';
import { openStore } from '../../src/results/sqlite-store.js';
import { runBenchmark } from '../../src/runner/run.js';
import { loadWorkload } from '../../src/workloads/spec.js';
import { expectKind, listKeys, openDriver, readAll } from '../support/drivers.js';

const url = process.env.STORBENCH_TEST_CEPH;
const skip = url ? false : 'STORBENCH_TEST_CEPH is not set (npm test sets it by starting `npm run services -- up ceph`)';
const CLIENTS = ['lean', 'sdk'] as const;
const base = `s3-lean-test/${randomBytes(4).toString('hex')}/`;

/** The test URL with options added, replaced or (given as '') removed, and another bucket when asked. */
function withOptions(extra: Record<string, string>, bucket?: string): string {
  const [where, query = ''] = (url ?? '').split('?');
  const params = new URLSearchParams(query);
  for (const [k, v] of Object.entries(extra)) {
    if (v === '') params.delete(k);
    else params.set(k, v);
  }
  return `${bucket ? where!.replace(/^s3:\/\/[^/?]+/, `s3://${bucket}`) : where}?${params.toString()}`;
}

/**
 * A TCP relay to RGW that counts the connections it relays and can freeze: from then on nothing is forwarded either
 * way, and no answer ever comes.
 */
async function freezableRelay(): Promise<{ endpoint: string; freeze: () => void; close: () => void; connections: () => number }> {
  const rgw = new URL(parseS3Options(parseTarget(url!)).endpoint!);
  let frozen = false;
  let connections = 0;
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    connections++;
    const server = connectTcp(Number(rgw.port || 80), rgw.hostname);
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      sockets.add(from);
      from.on('error', () => from.destroy());
      from.on('close', () => sockets.delete(from));
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(relay.address() as { port: number }).port}`,
    freeze: () => {
      frozen = true;
    },
    close: () => {
      relay.close();
      for (const s of sockets) s.destroy();
    },
    connections: () => connections,
  };
}

/** The test target's keys, from its profile, as the SDK loads them. */
async function testKeys(): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const { profile, credentialsFile } = parseS3Options(parseTarget(url!));
  return fromIni({ ...(profile ? { profile } : {}), ...(credentialsFile ? { filepath: credentialsFile } : {}) })();
}

describe('s3:// request paths on Ceph RGW', { skip }, () => {
  const drivers = new Map<string, Driver>();
  before(async () => {
    for (const client of CLIENTS) drivers.set(client, await openDriver(withOptions({ client }), 4));
  });
  after(async () => {
    await drivers
      .get('sdk')
      ?.deletePrefix(base)
      .catch(() => undefined);
    for (const d of drivers.values()) await d.close();
  });

  test('client= is lean by default or sdk; anything else is refused naming the option', () => {
    assert.equal(parseS3Options(parseTarget(url!)).client, 'lean');
    assert.throws(
      () => parseTarget(withOptions({ client: 'fast' })),
      (e: unknown) => e instanceof UsageError && /target option client: expected lean or sdk, got "fast"/.test(e.message),
    );
  });

  test('semantics and environment say which client ran, and a run stores it', async () => {
    const lean = drivers.get('lean')!;
    const sdk = drivers.get('sdk')!;
    assert.equal(lean.semantics().client, 'lean');
    assert.equal(sdk.semantics().client, 'sdk');
    assert.match(String(lean.environment().requestPath), /^undici 7\.\d+\.\d+ \+ SigV4 on node:crypto; reads over 1 MiB on a connection of their own$/);
    assert.match(String(sdk.environment().requestPath), /^@aws-sdk\/client-s3 3\.\d+\.\d+ \+ @smithy\/node-http-handler 4\.\d+\.\d+$/);
    for (const d of [lean, sdk]) assert.match(String(d.environment().sdk), /^@aws-sdk\/client-s3 3\.\d+\.\d+$/);
    const store = openStore(':memory:');
    try {
      for (const client of CLIENTS) {
        const spec = loadWorkload('put-small', { concurrency: 2, ops: 20, warmup: 0, threads: 1 });
        const result = await runBenchmark({ target: parseTarget(withOptions({ client })), spec, store });
        assert.equal(result.status, 'completed', result.error);
        const stored = store.getRun(result.runId)!;
        assert.equal(stored.semantics.client, client);
        assert.equal(stored.environment.requestPath, drivers.get(client)!.environment().requestPath);
      }
    } finally {
      store.close();
    }
  });

  test('odd keys: each path reads, stats and deletes what the other wrote, under the name S3 lists', async () => {
    const keys = [
      'sp ace',
      'plus+plus',
      '100%',
      '%2F',
      'tilde~',
      "sub-delims!'()*",
      'a=b&c;d,e:f@g$h',
      'q?x#y',
      'ünïcødé/日本語/ключ',
      'emoji 😀',
      'brackets[]{}^`|"<>',
    ];
    assert.equal(encodeKey("a b/ü+%~*!'()"), 'a%20b/%C3%BC%2B%25~%2A%21%27%28%29', 'every byte but unreserved ones and / is encoded');
    assert.equal(encodeKey('Az09-._~/k/'), 'Az09-._~/k/', 'a key of unreserved bytes and / is sent as it is');
    const lean = drivers.get('lean')!;
    const sdk = drivers.get('sdk')!;
    for (const [writer, reader] of [
      [lean, sdk],
      [sdk, lean],
    ] as const) {
      const prefix = `${base}odd-${writer.semantics().client}/`;
      for (const k of keys) await writer.write(prefix + k, Buffer.from(k));
      assert.deepEqual(await listKeys(sdk, prefix), keys.map((k) => prefix + k).sort());
      for (const k of keys) {
        assert.equal((await readAll(reader, prefix + k)).toString(), k, k);
        assert.equal((await reader.stat(prefix + k)).size, Buffer.byteLength(k), k);
        assert.equal((await readAll(reader, prefix + k, 1, 2)).toString(), Buffer.from(k).subarray(1, 3).toString(), `${k}: a range`);
        await reader.delete(prefix + k);
        await expectKind('NotFound', () => writer.stat(prefix + k));
      }
    }
  });

  test('missing keys and a missing bucket map to the same kinds and codes on both paths', async () => {
    const codes = async (d: Driver) => ({
      read: (await expectKind('NotFound', () => readAll(d, `${base}missing`))).code,
      range: (await expectKind('NotFound', () => readAll(d, `${base}missing`, 5, 5))).code,
      stat: (await expectKind('NotFound', () => d.stat(`${base}missing`))).code,
    });
    for (const client of CLIENTS) {
      assert.deepEqual(await codes(drivers.get(client)!), { read: 'NoSuchKey', range: 'NoSuchKey', stat: 'NotFound' }, client);
      await drivers.get(client)!.delete(`${base}missing`); // deleting a missing key succeeds, as S3 does
    }
    // A bucket removed under open drivers: NoSuchBucket from the body of a GET or PUT, a bare 404 from HEAD.
    const bucket = `storbench-gone-${randomBytes(3).toString('hex')}`;
    const settings = parseS3Options(parseTarget(withOptions({}, bucket)));
    const admin = createS3Client(parseTarget(withOptions({}, bucket)), settings, 1);
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      const opened = await Promise.all(CLIENTS.map((client) => openDriver(withOptions({ client }, bucket), 1)));
      await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      for (const d of opened) {
        const client = d.semantics().client;
        assert.equal((await expectKind('NotFound', () => readAll(d, 'k'))).code, 'NoSuchBucket', `${client} read`);
        assert.equal((await expectKind('NotFound', () => d.write('k', Buffer.from('x')))).code, 'NoSuchBucket', `${client} write`);
        assert.equal((await expectKind('NotFound', () => d.stat('k'))).code, 'NotFound', `${client} stat`);
        await d.close();
      }
    } finally {
      admin.destroy();
    }
  });

  test('a wrong secret is PermissionDenied with the code the SDK gets, and the secret is in no message', async () => {
    const { accessKeyId } = await testKeys();
    const wrong = 'wrong-secret-0123456789-abcdef';
    const target = parseTarget(withOptions({ profile: '', credentialsFile: '', accessKeyId, secretAccessKey: wrong }));
    const settings = parseS3Options(target);
    const client = createS3Client(target, settings, 1);
    const lean = await createLeanClient(client, settings, 1);
    try {
      const failure = async (call: () => Promise<unknown>): Promise<StorageError> => {
        try {
          await call();
        } catch (e) {
          const mapped = isStorageError(e) ? e : mapS3Error(e, 'read', 'k');
          assert.equal(mapped.kind, 'PermissionDenied', mapped.message);
          assert.ok(!mapped.message.includes(wrong), mapped.message);
          return mapped;
        }
        assert.fail('the call succeeded with a wrong secret');
      };
      const request = { key: `${base}k`, operation: 'read', shownKey: 'k' } as const;
      const sdkGet = await failure(() => client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: `${base}k` })));
      const leanGet = await failure(() => lean.send({ ...request, method: 'GET' }));
      assert.equal(leanGet.code, sdkGet.code);
      assert.equal(leanGet.code, 'SignatureDoesNotMatch');
      // HEAD has no body to carry a code: the status tells, on both paths.
      assert.equal((await failure(() => lean.send({ ...request, method: 'HEAD' }))).code, 'HTTP 403');
      assert.equal((await failure(() => client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: `${base}k` })))).code, 'HTTP 403');
    } finally {
      client.destroy();
      await lean.close();
    }
  });

  test('a server that stops answering is a Timeout after socketTimeoutMs, and an abort ends a request at once', async () => {
    for (const client of CLIENTS) {
      const relay = await freezableRelay();
      const d = await openDriver(withOptions({ client, endpoint: relay.endpoint, socketTimeoutMs: '400' }), 1);
      try {
        await d.write(`${base}timeout`, Buffer.from('x'));
        relay.freeze();
        const t0 = performance.now();
        const e = await expectKind('Timeout', () => d.stat(`${base}timeout`));
        assert.ok(performance.now() - t0 < 5000, `${client}: timed out after ${performance.now() - t0} ms`);
        assert.equal(e.temporary, true);
        assert.equal(e.code, client === 'lean' ? 'HeadersTimeoutError' : 'TimeoutError');
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 100);
        const t1 = performance.now();
        await expectKind('Cancelled', () => d.read(`${base}timeout`, { signal: abort.signal }));
        assert.ok(performance.now() - t1 < 350, `${client}: the abort took ${performance.now() - t1} ms`);
      } finally {
        relay.close();
        await d.close();
      }
    }
  });

  test('lean: a read expected past 1 MiB takes a connection of its own into reused buffers; smaller ones reuse the pool', async () => {
    const relay = await freezableRelay();
    const d = await openDriver(withOptions({ endpoint: relay.endpoint, socketTimeoutMs: '400' }), 1);
    try {
      const data = randomBytes(3 * 1048576 + 17);
      await d.write(`${base}large`, data);
      await d.write(`${base}small`, data.subarray(0, 4096));
      const read = async (key: string, o: { expectedBytes?: number; offset?: number; length?: number; reuseChunks?: boolean }) => {
        const parts: Buffer[] = [];
        for await (const chunk of (await d.read(key, o)).body) parts.push(Buffer.from(chunk)); // a copy: a reused chunk is overwritten
        return Buffer.concat(parts);
      };
      const before = relay.connections();
      assert.ok((await read(`${base}large`, { expectedBytes: data.length, reuseChunks: true })).equals(data), 'whole, chunks reused');
      assert.ok((await read(`${base}large`, { expectedBytes: data.length })).equals(data), 'whole, chunks copied');
      assert.ok((await read(`${base}large`, { offset: 1048576 + 5, length: 2 * 1048576 })).equals(data.subarray(1048576 + 5, 3 * 1048576 + 5)), 'a range');
      assert.equal(relay.connections() - before, 3, 'each large read on a connection of its own');
      for (let i = 0; i < 3; i++) assert.ok((await read(`${base}small`, { expectedBytes: 4096 })).equals(data.subarray(0, 4096)));
      assert.ok(relay.connections() - before <= 4, 'small reads share the keep-alive pool');
      // errors as on the pool: a missing key, a range past the end, a reader that stops early, an abort, a dead server
      assert.equal((await expectKind('NotFound', () => read(`${base}missing`, { expectedBytes: data.length }))).code, 'NoSuchKey');
      assert.equal((await read(`${base}large`, { offset: data.length + 10, length: 2 * 1048576 })).length, 0);
      const early = await d.read(`${base}large`, { expectedBytes: data.length, reuseChunks: true });
      for await (const _ of early.body) break;
      assert.ok((await read(`${base}large`, { expectedBytes: data.length })).equals(data), 'the next read after one that stopped early');
      const abort = new AbortController();
      const aborted = await d.read(`${base}large`, { expectedBytes: data.length, signal: abort.signal });
      abort.abort();
      await expectKind('Cancelled', () => collect(aborted.body));
      relay.freeze();
      const t0 = performance.now();
      const e = await expectKind('Timeout', () => read(`${base}large`, { expectedBytes: data.length }));
      assert.ok(performance.now() - t0 < 5000, `timed out after ${performance.now() - t0} ms`);
      assert.equal(e.temporary, true);
    } finally {
      relay.close();
      await d.close();
    }
    await drivers.get('lean')!.delete(`${base}large`);
    await drivers.get('lean')!.delete(`${base}small`);
  });

  test('lean: a large read answered in chunked encoding is fetched again on the pool', async () => {
    const settings = parseS3Options(parseTarget(withOptions({ endpoint: 'http://127.0.0.1:1' })));
    const requests: string[] = [];
    const server = createServer((socket) => {
      let head = '';
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1');
        while (head.includes('\r\n\r\n')) {
          const end = head.indexOf('\r\n\r\n');
          const lines = head.slice(0, end).split('\r\n');
          head = head.slice(end + 4);
          requests.push(`${lines[0]} ${lines.find((l) => /^connection:/i.test(l)) ?? 'keep-alive'}`);
          socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
        }
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = createS3Client(parseTarget(withOptions({ endpoint })), { ...settings, endpoint }, 1);
    const lean = await createLeanClient(client, { ...settings, endpoint }, 1);
    try {
      const res = await lean.download({ key: 'k', operation: 'read', shownKey: 'k', reuse: true });
      assert.equal((await collect(res.body)).toString(), 'hello');
      assert.equal(requests.length, 2, requests.join('; '));
      assert.match(requests[0]!, /^GET \/storbench\/k HTTP\/1\.1 Connection: close$/i);
      assert.match(requests[1]!, /^GET \/storbench\/k HTTP\/1\.1 (connection: )?keep-alive$/i);
    } finally {
      client.destroy();
      await lean.close();
      server.close();
    }
  });

  test('signing keys are derived once, and credentials come from the SDK provider, refreshed before they expire', async () => {
    const keys = await testKeys();
    const settings = parseS3Options(parseTarget(url!));
    let derived = 0;
    async function requests(expiresInMs: number): Promise<number> {
      let provided = 0;
      const client = new S3Client({
        region: settings.region,
        endpoint: settings.endpoint!,
        forcePathStyle: true,
        credentials: async () => {
          provided++;
          return { ...keys, expiration: new Date(Date.now() + expiresInMs) };
        },
      });
      const lean = await createLeanClient(client, settings, 1);
      try {
        await lean.send({ method: 'PUT', key: `${base}signed`, operation: 'write', shownKey: 'signed', body: Buffer.from('y') });
        for (let i = 0; i < 9; i++) {
          const res = await lean.send({ method: 'GET', key: `${base}signed`, operation: 'read', shownKey: 'signed' });
          assert.equal((await collect(res.body)).toString(), 'y');
        }
        derived = lean.derivedKeys();
      } finally {
        client.destroy();
        await lean.close();
      }
      return provided;
    }
    // An hour to go: fetched once, memoized by the SDK. One minute: inside the SDK's refresh window, every time.
    assert.equal(await requests(3600_000), 1);
    assert.equal(derived, 1, `a signing key was derived ${derived} times for 10 requests`);
    // Fetched again, the same keys (a new object each time) keep the signing key.
    assert.ok((await requests(60_000)) >= 10, 'credentials about to expire are fetched again');
    assert.equal(derived, 1, `a signing key was derived ${derived} times for 10 requests with refreshed credentials`);
    await drivers.get('lean')!.delete(`${base}signed`);
  });
});
