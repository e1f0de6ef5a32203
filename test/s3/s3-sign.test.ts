/**
 * The lean path's SigV4 signer (src/drivers/s3/s3-sign.ts) against the SDK's own, @smithy/signature-v4, as the
 * lean path used it before (uriEscapePath false, applyChecksum): the same headers, byte for byte, for odd keys,
 * ranges, queries, bodies (hashed, streamed, none) and session tokens; and its signing-key cache. The requests
 * themselves are checked by a real RGW in s3-lean.test.ts and the conformance suite.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { encodeKey } from '../../src/drivers/s3/s3-lean.js';
import { canonicalQuery, createSigner, EMPTY_SHA256, type SigningCredentials, sha256Hex, UNSIGNED_PAYLOAD } from '../../src/drivers/s3/s3-sign.js';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TOKEN = { ...KEYS, sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDO+token=/with+odd==' };
/** The SDK client's own sha256 (Node's), as the lean path gave it to the SDK signer. */
const sha256 = new S3Client({}).config.sha256;

interface Case {
  readonly name: string;
  readonly method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  readonly key: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | 'stream';
  readonly credentials?: SigningCredentials;
}

const CASES: readonly Case[] = [
  { name: 'a 4 KiB put', method: 'PUT', key: 'bench/obj-000001', body: new Uint8Array(4096).fill(7) },
  { name: 'a get', method: 'GET', key: 'bench/obj-000001' },
  { name: 'a ranged get', method: 'GET', key: 'r/k', headers: { range: 'bytes=10-4095' } },
  { name: 'a range to the end', method: 'GET', key: 'r/k', headers: { range: 'bytes=100-' } },
  { name: 'odd keys', method: 'PUT', key: "sp ace/plus+/pct%25/ünï/*!'()~._-/a=b&c?d#e", body: new Uint8Array([1, 2, 3]) },
  { name: 'a key with slashes only', method: 'HEAD', key: 'a//b///' },
  { name: 'an empty body', method: 'PUT', key: 'empty', body: new Uint8Array(0) },
  { name: 'a streamed part', method: 'PUT', key: 'big', body: 'stream', query: { partNumber: '12', uploadId: '2~Ab/c+d=e f' } },
  { name: 'query names sorted', method: 'PUT', key: 'q', body: 'stream', query: { uploadId: 'z', partNumber: '3', 'a b': '*' } },
  { name: 'a delete', method: 'DELETE', key: 'gone' },
  { name: 'a session token', method: 'GET', key: 'tok', credentials: TOKEN, headers: { range: 'bytes=0-0' } },
  { name: 'a put with a session token', method: 'PUT', key: 'tok', credentials: TOKEN, body: new Uint8Array(10) },
];

const WHEN = Date.UTC(2026, 11, 1, 23, 59, 59, 999);

/** Both signers' headers for one case (the SDK's as the lean path called it before s3-sign.ts). */
async function bothSigned(c: Case, ms = WHEN): Promise<{ ours: Record<string, string>; sdk: Record<string, string> }> {
  const credentials = c.credentials ?? KEYS;
  const host = '127.0.0.1:7480';
  const path = `/bucket/${encodeKey(c.key)}`;
  const base: Record<string, string> = { host, ...c.headers };
  if (c.body !== undefined) {
    base['content-length'] = String(c.body === 'stream' ? 5 << 20 : c.body.length);
    base['content-type'] = 'application/octet-stream';
  }
  const sdkHeaders = { ...base, ...(c.body === 'stream' ? { 'x-amz-content-sha256': UNSIGNED_PAYLOAD } : {}) };
  const sdk = await new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256, uriEscapePath: false, applyChecksum: true }).sign(
    {
      method: c.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 7480,
      path,
      query: { ...c.query },
      headers: sdkHeaders,
      ...(c.body instanceof Uint8Array ? { body: c.body } : {}),
    },
    { signingDate: new Date(ms) },
  );
  const ours = { ...base };
  const payloadHash = c.body instanceof Uint8Array ? sha256Hex(c.body) : c.body === 'stream' ? UNSIGNED_PAYLOAD : EMPTY_SHA256;
  await createSigner({ credentials: async () => credentials, region: 'us-east-1', service: 's3', now: () => ms }).sign({
    method: c.method,
    path,
    query: c.query,
    headers: ours,
    payloadHash,
  });
  return { ours, sdk: sdk.headers as Record<string, string> };
}

describe('s3:// lean SigV4 signer', () => {
  for (const c of CASES) {
    test(`signs ${c.name} as @smithy/signature-v4 does`, async () => {
      const { ours, sdk } = await bothSigned(c);
      assert.deepEqual(ours, sdk);
      assert.match(
        ours.authorization!,
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261201\/us-east-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
    });
  }

  test('signs the same at any second of a day, and across midnight', async () => {
    for (const ms of [Date.UTC(2026, 0, 1, 0, 0, 0, 0), Date.UTC(2026, 5, 15, 9, 5, 7, 1), WHEN + 1]) {
      const { ours, sdk } = await bothSigned(CASES[0]!, ms);
      assert.deepEqual(ours, sdk);
    }
  });

  test('a wrong key signs differently (the comparison can fail)', async () => {
    const { ours } = await bothSigned(CASES[0]!);
    const { ours: other } = await bothSigned({ ...CASES[0]!, credentials: { ...KEYS, secretAccessKey: 'x' } });
    assert.notEqual(ours.authorization, other.authorization);
  });

  test('canonical query: names and values encoded, sorted by encoded name', () => {
    assert.equal(canonicalQuery(undefined), '');
    assert.equal(canonicalQuery({ uploadId: 'a b', partNumber: '1', 'Z*': "'" }), 'Z%2A=%27&partNumber=1&uploadId=a%20b');
  });

  test('a signing key is derived once per day and credentials, and again when either changes', async () => {
    let ms = WHEN - 10_000;
    let credentials: SigningCredentials = KEYS;
    const signer = createSigner({ credentials: async () => ({ ...credentials }), region: 'us-east-1', service: 's3', now: () => ms });
    const sign = () => signer.sign({ method: 'GET', path: '/b/k', headers: { host: 'h' }, payloadHash: EMPTY_SHA256 });
    for (let i = 0; i < 20; i++) await sign();
    assert.equal(signer.derivedKeys(), 1);
    ms = WHEN + 1; // the next day
    await sign();
    assert.equal(signer.derivedKeys(), 2);
    credentials = TOKEN; // refreshed credentials
    await sign();
    await sign();
    assert.equal(signer.derivedKeys(), 3);
  });

  test('credentials that are not keys are refused as the SDK signer refuses them', async () => {
    const signer = createSigner({ credentials: async () => ({}) as SigningCredentials, region: 'r', service: 's3', now: Date.now });
    await assert.rejects(
      signer.sign({ method: 'GET', path: '/', headers: { host: 'h' }, payloadHash: EMPTY_SHA256 }),
      /Resolved credential object is not valid/,
    );
  });
});
