/**
 * The compiled peer of `npm run bench:s3` (bench/s3-peer/): it refuses bad settings naming them, sends the PUTs
 * the bench says it sends (the same x-amz-content-sha256 mode as the SDK client storbench's s3:// driver builds,
 * one PUT, path-style, no checksum), and on a real Ceph RGW (STORBENCH_TEST_CEPH) counts, times and cleans up.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { peerBinary, runPeer } from '../../bench/s3-peer.js';
import { createS3Client, parseS3Options } from '../../src/drivers/s3/s3-driver.js';
import { parseTarget } from '../../src/drivers/target.js';
import { decodeHistogram } from '../../src/runner/histogram.js';
import { listKeys, openDriver } from '../support/drivers.js';

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;
const credentials = { accessKeyId: 'peer-test-key', secretAccessKey: 'peer-test-secret' };

/** A stand-in S3 endpoint on 127.0.0.1 that keeps the headers of every request (not a mock of RGW: it only listens). */
async function recorder() {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders; bytes: number }[] = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, bytes });
      const body = req.method === 'POST' ? '<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>' : '';
      res.writeHead(200, { 'content-length': Buffer.byteLength(body), etag: '"0"', ...(body ? { 'content-type': 'application/xml' } : {}) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}

const base = (endpoint: string) => ({ endpoint, region: 'us-east-1', bucket: 'peer-test', concurrency: 1, objects: 1, credentials });

describe('bench/s3-peer', () => {
  let binary: string;
  before(async () => {
    binary = await peerBinary();
  });

  test('a bad setting is one line naming it, exit 2', async () => {
    const env = { ...process.env, S3PEER_ENDPOINT: 'http://127.0.0.1:1', S3PEER_REGION: 'r', S3PEER_BUCKET: 'b', S3PEER_OP: 'put' };
    const e = (await run(binary, [], { env: { ...env, S3PEER_SIZE: 'lots' } }).catch((err: unknown) => err)) as { code: number; stderr: string };
    assert.equal(e.code, 2);
    assert.equal(e.stderr, 's3-peer: S3PEER_SIZE: expected a positive integer, got "lots"\n');
  });

  test('PUTs as the SDK client does: signed SHA-256 for a 4 KiB buffer, UNSIGNED-PAYLOAD for a 16 MiB stream; one PUT, path-style, no checksum', async (t) => {
    const server = await recorder();
    t.after(server.close);
    const target = parseTarget(`s3://peer-test?endpoint=${server.endpoint}&accessKeyId=a&secretAccessKey=b`);
    const client = createS3Client(target, parseS3Options(target), 1);
    t.after(() => client.destroy());
    const small = Buffer.alloc(4 * KiB, 0x5a);
    await client.send(new PutObjectCommand({ Bucket: 'peer-test', Key: 'sdk/small', Body: small, ContentLength: small.length }));
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 16; i++) yield Buffer.alloc(MiB, 0x5a);
      })(),
      { objectMode: false },
    );
    await client.send(new PutObjectCommand({ Bucket: 'peer-test', Key: 'sdk/large', Body: stream, ContentLength: 16 * MiB }));
    await runPeer(binary, { ...base(server.endpoint), prefix: 'peer/small/', op: 'put', size: 4 * KiB, durationMs: 100, payload: 'signed' });
    await runPeer(binary, { ...base(server.endpoint), prefix: 'peer/large/', op: 'put', size: 16 * MiB, durationMs: 100, payload: 'unsigned' });

    const put = (prefix: string) => server.requests.find((r) => r.method === 'PUT' && r.url.startsWith(`/peer-test/${prefix}`))!;
    const mode = (h: IncomingHttpHeaders) =>
      h['x-amz-content-sha256'] === createHash('sha256').update(small).digest('hex') ? 'signed' : h['x-amz-content-sha256'];
    assert.equal(mode(put('sdk/small').headers), 'signed');
    assert.equal(mode(put('peer/small/').headers), 'signed');
    assert.equal(put('sdk/large').headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    assert.equal(put('peer/large/').headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    for (const prefix of ['peer/small/', 'peer/large/']) {
      const ours = server.requests.filter((r) => r.url.startsWith(`/peer-test/${prefix}`));
      assert.ok(ours.length > 0 && ours.every((r) => r.method === 'PUT' && !r.url.includes('uploadId') && !r.url.includes('uploads')), prefix);
      for (const r of ours) {
        assert.equal(r.bytes, prefix.includes('large') ? 16 * MiB : 4 * KiB);
        assert.equal(r.headers['content-length'], String(r.bytes));
        assert.deepEqual(
          Object.keys(r.headers).filter((h) => /checksum|trailer|content-md5|content-encoding/.test(h)),
          [],
        );
      }
    }
    // What it wrote, it deletes (one multi-object delete per 1,000 keys).
    assert.ok(server.requests.some((r) => r.method === 'POST' && r.url.startsWith('/peer-test/?delete')));
  });

  const url = process.env.STORBENCH_TEST_CEPH;
  const skip = url ? false : 'STORBENCH_TEST_CEPH is not set (npm test sets it by starting `npm run services -- up ceph`)';
  describe('on Ceph RGW', { skip }, () => {
    const target = url ? parseTarget(url) : undefined;
    let peer: Omit<Parameters<typeof runPeer>[1], 'prefix' | 'op' | 'size' | 'durationMs' | 'payload' | 'objects'>;
    const prefix = `storbench-test-peer/${process.pid}/`;
    before(async () => {
      const options = parseS3Options(target!);
      const client = createS3Client(target!, options, 1);
      const { accessKeyId, secretAccessKey, sessionToken } = await client.config.credentials();
      client.destroy();
      peer = {
        endpoint: options.endpoint!,
        region: options.region,
        bucket: options.bucket,
        concurrency: 4,
        credentials: { accessKeyId, secretAccessKey, sessionToken },
      };
    });
    after(async () => {
      const driver = await openDriver(url!);
      await driver.deletePrefix(prefix);
      await driver.close();
    });

    for (const op of ['put', 'get'] as const) {
      test(`${op}: counts operations inside the window, its histogram holds them, its CPU is measured, nothing is left`, async () => {
        const at = `${prefix}${op}/`;
        const r = await runPeer(binary, {
          ...peer,
          prefix: `${parseS3Options(target!).root}${at}`,
          op,
          size: 4 * KiB,
          durationMs: 1000,
          objects: 20,
          payload: 'signed',
        });
        assert.equal(r.errors, 0, r.firstError);
        assert.ok(r.count > 0 && r.finished >= r.count);
        assert.equal(r.bytes, r.count * 4 * KiB);
        assert.equal(decodeHistogram(r.histogram).totalCount, r.count);
        assert.ok(r.cpuUsPerOp > 0 && r.cpuUs > 0);
        const driver = await openDriver(url!);
        try {
          assert.deepEqual(await listKeys(driver, at), []);
        } finally {
          await driver.close();
        }
      });
    }
  });
});
