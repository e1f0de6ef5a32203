/**
 * `s3://bucket/prefix?endpoint=URL&region=R&pathStyle=true`: any S3 API (AWS S3, Ceph RGW, MinIO) through
 * @aws-sdk/client-s3 v3, its hot path (object put, part upload, get, head, delete) on the lean request path of
 * s3-lean.ts unless `client=sdk`. Options and semantics: README.md beside this file.
 */
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { z } from 'zod';
import { UsageError } from '../../errors.js';
import { defineCapabilities } from '../kernel/capabilities.js';
import { type DriverCore, defineDriver } from '../kernel/define-driver.js';
import { forEachLimited } from '../kernel/mechanics.js';
import { parseOptions } from '../kernel/options.js';
import { piecesOf } from '../keys.js';
import type { Target } from '../target.js';
import {
  type Body,
  type Environment,
  type ListOptions,
  type ObjectInfo,
  type Operation,
  type ReadOptions,
  type ReadResult,
  type Semantics,
  StorageError,
  type WriteOptions,
} from '../types.js';
import { attemptsOf, httpStatusOf, mapS3Error } from './s3-errors.js';
import { createLeanClient, type LeanClient, type LeanResponse } from './s3-lean.js';
import { S3_OPTIONS } from './s3-options.js';

/** S3's largest part count. */
const MAX_PARTS = 10_000;
/** DeleteObjects takes at most 1000 keys, ListObjectsV2 returns at most 1000. */
const BATCH = 1000;
/**
 * On the lean path, a read expected to be larger than this (ReadOptions.length or expectedBytes) takes a connection
 * of its own that reads into reused buffers (LeanClient.download); smaller ones, the keep-alive pool: there a new
 * TCP connection per read would cost more than the copies it saves.
 */
const OWN_CONNECTION_READ_BYTES = 1 << 20;

/** Where the endpoint runs, detected at `open` from the response headers (README: "Endpoint kind"). */
export type EndpointKind = 'aws' | 'ceph-rgw' | 'minio' | 'other';

/** The target options as the schema parses them (s3-options.ts documents each and its default). */
export type S3Options = z.output<typeof S3_OPTIONS>;

/** The options with what the target's URL and the environment add, resolved once. */
export interface S3Settings extends Omit<S3Options, 'region' | 'pathStyle'> {
  readonly bucket: string;
  /** Key prefix inside the bucket, `''` or ending in `/`. */
  readonly root: string;
  readonly region: string;
  readonly pathStyle: boolean;
}

/**
 * Refuse a target whose bucket (the URL's host) or prefix S3 cannot take, every problem together, when the
 * driver is created. @throws UsageError
 */
export function checkS3Target(target: Target): void {
  const problems: string[] = [];
  if (target.hosts.length !== 1 || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(target.hosts[0] ?? '')) {
    problems.push(`the bucket (the URL's host part) must be one valid bucket name, got "${target.hosts.join(',')}"`);
  }
  const root = rootOf(target);
  if (
    root &&
    !root
      .slice(0, -1)
      .split('/')
      .every((seg) => seg !== '' && seg !== '.' && seg !== '..')
  ) {
    problems.push(`the prefix "${root}" has empty, "." or ".." segments`);
  }
  if (problems.length) throw new UsageError(`target ${target.redacted}: ${problems.join('; ')}`);
}

function rootOf(target: Target): string {
  const path = target.path.replace(/^\/+/, '');
  return path ? `${path}/` : '';
}

/** The settings of a checked target and its parsed options. */
export function settingsOf(target: Target, options: S3Options): S3Settings {
  return {
    ...options,
    bucket: target.hosts[0] ?? '',
    root: rootOf(target),
    region: options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
    pathStyle: options.pathStyle ?? options.endpoint !== undefined,
  };
}

/**
 * Check and resolve a target's settings outside the driver (bench:s3's minimal loop builds its own client).
 * @throws UsageError
 */
export function parseS3Options(target: Target): S3Settings {
  const options = parseOptions(S3_OPTIONS, target.options, target);
  checkS3Target(target);
  return settingsOf(target, options);
}

/**
 * The S3 client both the driver and the benchmark's minimal loop use: keep-alive agents with `maxSockets`
 * sockets (the SDK's default of 50 would silently cap a larger concurrency), SDK retries as configured, and
 * checksums only where an operation requires them, because Ceph RGW (Pacific) rejects the SDK's default
 * aws-chunked streaming upload with a trailing CRC32 (MissingContentLength).
 */
export function createS3Client(target: Target, options: S3Settings, maxSockets: number): S3Client {
  // storbench supports Node 20 (package.json engines); the SDK's notice that its 2027 releases will need Node 22
  // would otherwise be printed in the middle of every run's output. The lockfile pins the SDK.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const agentOptions = { keepAlive: true, maxSockets };
  const config: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.pathStyle,
    maxAttempts: options.retries + 1,
    retryMode: 'standard',
    // The SDK warns on the console (e.g. "non-retryable streaming request") when no logger is given; a failed
    // call reaches the run as a StorageError instead, and a benchmark's output stays clean.
    logger: QUIET,
    requestChecksumCalculation: options.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    responseChecksumValidation: options.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: options.connectTimeoutMs,
      // An idle limit, not a total one: a large object may take long, but a dead peer must not hang a run.
      socketTimeout: options.socketTimeoutMs,
    }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const { accessKeyId, secretAccessKey, sessionToken, profile, credentialsFile: filepath } = options;
  if (accessKeyId || secretAccessKey) {
    if (!accessKeyId || !secretAccessKey) {
      throw new UsageError(`target ${target.redacted}: accessKeyId and secretAccessKey go together`);
    }
    config.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  } else if (profile || filepath) {
    // The shared-credentials file of a profile (the ceph service writes one, so its URL carries no secret).
    config.credentials = async () => {
      const { fromIni } = await import('@aws-sdk/credential-providers');
      return fromIni({ ...(profile ? { profile } : {}), ...(filepath ? { filepath } : {}) })();
    };
  }
  return new S3Client(config);
}

const shared = new WeakSet<AbortSignal>();
/**
 * One run shares one signal among all its in-flight operations, and the SDK adds an abort listener per request:
 * lift Node's limit of 10 listeners (a leak warning meant for one-off signals) once per signal.
 */
function shareable(signal: AbortSignal): AbortSignal {
  if (!shared.has(signal)) {
    shared.add(signal);
    setMaxListeners(0, signal);
  }
  return signal;
}

const ignore = (): void => undefined;
const QUIET = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Detect the implementation behind an endpoint from a response's headers. */
export function endpointKindOf(endpoint: string | undefined, headers: Readonly<Record<string, string>>): EndpointKind {
  const server = headers.server ?? '';
  if (/amazons3/i.test(server) || endpoint === undefined || /\.amazonaws\.com(\.cn)?(:\d+)?(\/|$)/.test(endpoint)) return 'aws';
  if (/minio/i.test(server)) return 'minio';
  // RGW's beast frontend sends no Server header; its request ids read tx<21 hex>-<hex time>-<hex>-<zonegroup>.
  if (/ceph/i.test(server) || /^tx[0-9a-f]{21}-[0-9a-f]+-[0-9a-f]+-/.test(headers['x-amz-request-id'] ?? '')) return 'ceph-rgw';
  return 'other';
}

const SYSTEM: Record<EndpointKind, string> = { aws: 'AWS S3', 'ceph-rgw': 'Ceph RGW', minio: 'MinIO', other: 'S3-compatible' };

const CAPABILITIES = defineCapabilities({ unknownLengthWrite: true, multipart: true, maxObjectSize: 5 * 2 ** 40 });

/** `s3://`: objects of one bucket (under an optional prefix) through @aws-sdk/client-s3 v3. */
export const s3Driver = defineDriver({
  name: 's3',
  options: S3_OPTIONS,
  capabilities: CAPABILITIES,
  checkTarget: checkS3Target,
  mapError: mapS3Error,
  connect: ({ target, options, concurrency }) => connectS3(target, settingsOf(target, options), Math.max(1, concurrency, options.partConcurrency)),
});

const versions = new Map<string, string>();
/** The installed version of a package, for the environment (`unknown` when it cannot be read). */
function versionOf(name: string): string {
  let version = versions.get(name);
  if (version === undefined) {
    try {
      version = (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
    versions.set(name, version);
  }
  return version;
}

/** A body that failed (a wrong length, or the producer threw) as the write's error. */
function bodyFailure(bodyError: unknown, key: string): StorageError {
  return bodyError instanceof StorageError
    ? bodyError
    : new StorageError('Unexpected', 's3', 'write', `the body failed: ${String(bodyError)}`, { key, cause: bodyError });
}

const headerOf = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Pass a stream through, failing it when it yields more or fewer bytes than announced (S3 would hang or 400). */
async function* exactly(source: AsyncIterable<Uint8Array>, size: number, key: string): AsyncIterable<Uint8Array> {
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > size) break;
    yield chunk;
  }
  if (seen !== size) {
    throw new StorageError('InvalidInput', 's3', 'write', `the body yielded ${seen > size ? 'more than' : 'only'} ${seen} bytes, not the ${size} announced`, {
      key,
    });
  }
}

/**
 * Connect: one client for every operation, and HeadBucket, which proves the endpoint, the credentials and the
 * bucket (creating it when asked), and whose headers tell what answers.
 */
async function connectS3(target: Target, options: S3Settings, maxSockets: number): Promise<DriverCore> {
  const { bucket, root, partConcurrency, multipartThreshold } = options;
  const name = 's3';
  const client = createS3Client(target, options, maxSockets);
  /** SDK retries made by every call of this driver (attempts beyond the first); the lean path counts its own. */
  let retries = 0;
  /** The lean request path of the hot operations; undefined with `client=sdk`. Set once the bucket is found. */
  let lean: LeanClient | undefined;

  /** Send one command, counting the SDK's retries, and map its failure (so branches see its `code`). */
  async function send<T>(command: object, op: Operation, key?: string, signal?: AbortSignal): Promise<T> {
    try {
      // Every command class is a valid argument; the SDK's union of command types does not say so to tsc.
      const out = await client.send(command as never, signal ? { abortSignal: shareable(signal) } : {});
      retries += attemptsOf(out) - 1;
      return out as T;
    } catch (e) {
      retries += attemptsOf(e) - 1;
      throw mapS3Error(e, op, key);
    }
  }
  const full = (key: string): string => root + key;

  /** One request of the hot path on the lean client (its response has no body worth reading: the client drops it). */
  async function leanSend(
    method: 'PUT' | 'HEAD' | 'DELETE',
    operation: Operation,
    key: string,
    rest: { body?: Uint8Array | AsyncIterable<Uint8Array>; size?: number; query?: Record<string, string>; signal?: AbortSignal | undefined } = {},
  ): Promise<LeanResponse> {
    return (lean as LeanClient).send({
      method,
      key: full(key),
      operation,
      shownKey: key,
      ...rest,
      signal: rest.signal ? shareable(rest.signal) : undefined,
    });
  }

  async function putOnce(key: string, body: Uint8Array | AsyncIterable<Uint8Array>, size: number, signal?: AbortSignal): Promise<void> {
    if (lean) {
      if (body instanceof Uint8Array) {
        await leanSend('PUT', 'write', key, { body, size, signal });
        return;
      }
      // undici ends the request when its body fails; the body's own failure is the write's error.
      let bodyError: unknown;
      async function* guarded(): AsyncIterable<Uint8Array> {
        try {
          yield* exactly(body as AsyncIterable<Uint8Array>, size, key);
        } catch (e) {
          bodyError = e;
          throw e;
        }
      }
      try {
        await leanSend('PUT', 'write', key, { body: guarded(), size, signal });
      } catch (e) {
        throw bodyError === undefined ? e : bodyFailure(bodyError, key);
      }
      return;
    }
    if (body instanceof Uint8Array) {
      await send(new PutObjectCommand({ Bucket: bucket, Key: full(key), Body: body, ContentLength: size }), 'write', key, signal);
      return;
    }
    // A stream goes out as it is produced (Content-Length known, nothing buffered); Readable.from without object
    // mode so Node's http client writes the chunks as bytes. The SDK pipes the body into the request, and a pipe
    // does not pass errors on: when the body fails (wrong length, the producer threw) the request would wait for
    // the missing bytes until the socket timeout. Aborting it ends the request at once.
    const abort = new AbortController();
    let bodyError: unknown;
    // Only a failure of the body itself is caught here; a request that fails (connection reset) ends the stream
    // through return(), not throw(), and is mapped as the request's error.
    async function* body_(): AsyncIterable<Uint8Array> {
      try {
        yield* exactly(body as AsyncIterable<Uint8Array>, size, key);
      } catch (e) {
        bodyError = e;
        abort.abort(e);
        throw e;
      }
    }
    const stream = Readable.from(body_(), { objectMode: false });
    stream.on('error', ignore); // the failure is reported through bodyError, once
    const forward = () => abort.abort(signal?.reason);
    if (signal) {
      shareable(signal);
      if (signal.aborted) forward();
      else signal.addEventListener('abort', forward, { once: true });
    }
    try {
      await send(new PutObjectCommand({ Bucket: bucket, Key: full(key), Body: stream, ContentLength: size }), 'write', key, abort.signal);
    } catch (e) {
      throw bodyError === undefined ? e : bodyFailure(bodyError, key);
    } finally {
      signal?.removeEventListener('abort', forward);
      if (!stream.destroyed) stream.destroy();
    }
  }

  /**
   * Multipart upload of `parts` (each a finished buffer), `partConcurrency` parts in flight: memory stays at
   * about partSize × (partConcurrency + 1) whatever the object's size. On any failure the upload is aborted so
   * no parts are left behind.
   */
  async function putParts(key: string, parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
    const created = await send<{ UploadId?: string }>(new CreateMultipartUploadCommand({ Bucket: bucket, Key: full(key) }), 'write', key, signal);
    const UploadId = created.UploadId;
    if (!UploadId) throw new StorageError('Unexpected', name, 'write', 'CreateMultipartUpload returned no UploadId', { key });
    const done: CompletedPart[] = [];
    try {
      let PartNumber = 0;
      await forEachLimited(parts, partConcurrency, async (part) => {
        const n = ++PartNumber;
        if (n > MAX_PARTS) throw new StorageError('InvalidInput', name, 'write', `more than ${MAX_PARTS} parts: raise partSize`, { key });
        const ETag = lean
          ? headerOf(
              (await leanSend('PUT', 'write', key, { body: part, size: part.length, query: { partNumber: String(n), uploadId: UploadId }, signal })).headers
                .etag,
            )
          : (
              await send<{ ETag?: string }>(
                new UploadPartCommand({
                  Bucket: bucket,
                  Key: full(key),
                  UploadId,
                  PartNumber: n,
                  Body: part,
                  ContentLength: part.length,
                }),
                'write',
                key,
                signal,
              )
            ).ETag;
        done.push({ PartNumber: n, ETag });
      });
      done.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      // RGW (Pacific) answers CompleteMultipartUpload with an empty <ETag/>: the object's real ETag comes from
      // HEAD, GET or LIST, so nothing here relies on this response.
      await send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: full(key),
          UploadId,
          MultipartUpload: { Parts: done },
        }),
        'write',
        key,
        signal,
      );
    } catch (e) {
      // forEachLimited settles every part in flight first, so the abort leaves no part behind.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: full(key), UploadId })).catch(() => undefined);
      throw e;
    }
  }

  async function write(key: string, body: Body, opts: WriteOptions = {}): Promise<void> {
    const { signal } = opts;
    if (body instanceof Uint8Array) {
      if (body.length <= multipartThreshold) return putOnce(key, body, body.length, signal);
      return putParts(key, piecesOf(body, partSizeFor(body.length), false), signal); // slices, no copy
    }
    if (opts.size !== undefined) {
      if (opts.size <= multipartThreshold) return putOnce(key, body, opts.size, signal);
      return putParts(key, piecesOf(exactly(body, opts.size, key), partSizeFor(opts.size), true), signal);
    }
    // Unknown length: buffer one part. A body that ends within it is one PUT; a longer one goes multipart
    // (so, unlike a known length, the threshold is partSize here: memory stays bounded either way).
    // each part copied into its own buffer: at most the parts being uploaded are held, and a source that
    // reuses its chunk buffer is safe
    const it = piecesOf(body, options.partSize, true)[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) return putOnce(key, new Uint8Array(0), 0, signal);
    if (first.value.length < options.partSize) return putOnce(key, first.value, first.value.length, signal);
    async function* rest(): AsyncIterable<Uint8Array> {
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
    return putParts(key, rest(), signal);
  }

  /** The part size for an object of known size: larger than asked when 10,000 parts would not hold it. */
  function partSizeFor(size: number): number {
    return Math.max(options.partSize, Math.ceil(size / MAX_PARTS));
  }

  async function* bodyOf(stream: Readable): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } finally {
      if (!stream.readableEnded) stream.destroy();
    }
  }
  async function* nothing(): AsyncIterable<Uint8Array> {}

  async function read(key: string, opts: ReadOptions = {}): Promise<ReadResult> {
    const offset = Math.max(0, opts.offset ?? 0);
    if (opts.length !== undefined && opts.length <= 0) {
      await stat(key); // an empty range of a missing key is still NotFound
      return { size: 0, body: nothing() };
    }
    const Range = offset > 0 || opts.length !== undefined ? `bytes=${offset}-${opts.length !== undefined ? offset + opts.length - 1 : ''}` : undefined;
    try {
      if (lean) {
        const request = {
          key: full(key),
          operation: 'read',
          shownKey: key,
          ...(Range ? { headers: { range: Range } } : {}),
          signal: opts.signal ? shareable(opts.signal) : undefined,
        } as const;
        const expected = opts.length ?? opts.expectedBytes;
        const res =
          expected !== undefined && expected > OWN_CONNECTION_READ_BYTES
            ? await lean.download({ ...request, reuse: opts.reuseChunks === true })
            : await lean.send({ method: 'GET', ...request });
        const length = headerOf(res.headers['content-length']);
        return { ...(length !== undefined ? { size: Number(length) } : {}), body: res.body };
      }
      const out = await send<{ Body?: unknown; ContentLength?: number }>(
        new GetObjectCommand({
          Bucket: bucket,
          Key: full(key),
          ...(Range ? { Range } : {}),
        }),
        'read',
        key,
        opts.signal,
      );
      const stream = out.Body as Readable | undefined;
      return {
        ...(out.ContentLength !== undefined ? { size: out.ContentLength } : {}),
        body: stream ? bodyOf(stream) : nothing(),
      };
    } catch (e) {
      // A range starting at or past the end is 416 InvalidRange; the contract cuts it at the end: empty.
      if (Range && e instanceof StorageError && (e.code === 'InvalidRange' || httpStatusOf(e) === 416)) return { size: 0, body: nothing() };
      throw e;
    }
  }

  async function stat(key: string): Promise<ObjectInfo> {
    if (lean) {
      const { headers: h } = await leanSend('HEAD', 'stat', key);
      const modified = headerOf(h['last-modified']);
      const etag = headerOf(h.etag);
      return {
        key,
        size: Number(headerOf(h['content-length']) ?? 0),
        ...(modified ? { modified: new Date(modified).getTime() } : {}),
        ...(etag ? { etag } : {}),
      };
    }
    const out = await send<{ ContentLength?: number; LastModified?: Date; ETag?: string }>(
      new HeadObjectCommand({ Bucket: bucket, Key: full(key) }),
      'stat',
      key,
    );
    return {
      key,
      size: out.ContentLength ?? 0,
      ...(out.LastModified ? { modified: out.LastModified.getTime() } : {}),
      ...(out.ETag ? { etag: out.ETag } : {}),
    };
  }

  /** ListObjectsV2 pages of full keys under `prefix` (relative to the root). */
  async function* pages(
    prefix: string,
    op: Operation,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<{ Key: string; Size: number; LastModified?: Date; ETag?: string }[]> {
    let ContinuationToken: string | undefined;
    do {
      const out = await send<{
        Contents?: { Key?: string; Size?: number; LastModified?: Date; ETag?: string }[];
        IsTruncated?: boolean;
        NextContinuationToken?: string;
      }>(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: full(prefix),
          MaxKeys: pageSize,
          ...(ContinuationToken ? { ContinuationToken } : {}),
        }),
        op,
        prefix,
        signal,
      );
      const contents = (out.Contents ?? []).filter((o): o is { Key: string; Size: number } => o.Key !== undefined);
      if (contents.length) yield contents;
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
  const infoOf = (o: { Key: string; Size?: number; LastModified?: Date; ETag?: string }): ObjectInfo => ({
    key: o.Key.slice(root.length),
    size: o.Size ?? 0,
    ...(o.LastModified ? { modified: o.LastModified.getTime() } : {}),
    ...(o.ETag ? { etag: o.ETag } : {}),
  });

  let headers: Record<string, string> = {};
  const head = new HeadBucketCommand({ Bucket: bucket });
  head.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
      return out;
    },
    { step: 'deserialize', name: 'storbenchServerHeader' },
  );
  try {
    try {
      await send(head, 'open');
    } catch (e) {
      const responseHeaders = ((e as StorageError).cause as { $response?: { headers?: Record<string, string> } })?.$response?.headers;
      if (responseHeaders) headers = responseHeaders;
      const missing = e instanceof StorageError && e.kind === 'NotFound';
      if (missing && !options.createBucket) {
        throw new StorageError('NotFound', name, 'open', `bucket "${bucket}" does not exist (add createBucket=true to create it)`, {
          cause: e,
          ...(e.code !== undefined ? { code: e.code } : {}),
        });
      }
      if (!missing) throw e;
      // AWS wants the region named outside us-east-1; RGW and MinIO create in their own zone(group) without it.
      const where =
        endpointKindOf(options.endpoint, headers) === 'aws' && options.region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: options.region as never } }
          : {};
      await send(new CreateBucketCommand({ Bucket: bucket, ...where }), 'open');
    }
    if (options.client === 'lean') lean = await createLeanClient(client, options, maxSockets);
  } catch (e) {
    client.destroy();
    throw e;
  }
  const serverHeader = headers.server ?? '';
  const kind = endpointKindOf(options.endpoint, headers);

  return {
    async close() {
      client.destroy();
      await lean?.close();
    },
    system: () => SYSTEM[kind],
    semantics: (): Semantics => ({
      writeDurability:
        kind === 'ceph-rgw'
          ? 'acknowledged by RGW once RADOS has written every replica of the pool'
          : "acknowledged by the S3 endpoint once stored (per the service's durability)",
      readAfterWrite: 'strong (AWS S3 since 2020; Ceph RGW and MinIO on one site)',
      listConsistency: 'strong, ListObjectsV2 in UTF-8 binary key order, pages of up to 1000',
      multipartThreshold,
      partSize: options.partSize,
      partConcurrency,
      checksumMode: options.checksum,
      addressingStyle: options.pathStyle ? 'path' : 'virtual-host',
      endpointKind: kind,
      sdkMaxAttempts: options.retries + 1,
      client: options.client,
    }),
    environment: (): Environment => ({
      endpoint: options.endpoint ?? 'aws',
      region: options.region,
      bucket,
      prefix: root,
      endpointKind: kind,
      server: serverHeader,
      sdk: `@aws-sdk/client-s3 ${versionOf('@aws-sdk/client-s3')}`,
      requestPath: lean
        ? `undici ${versionOf('undici')} + SigV4 on node:crypto; reads over ${OWN_CONNECTION_READ_BYTES / 1048576} MiB on a connection of their own`
        : `@aws-sdk/client-s3 ${versionOf('@aws-sdk/client-s3')} + @smithy/node-http-handler ${versionOf('@smithy/node-http-handler')}`,
      maxSockets,
    }),
    /** Retries made so far by the SDK and the lean path, summed over every call (attempts beyond the first). */
    counters: () => ({ retries: retries + (lean?.retries() ?? 0) }),

    write,
    read,
    stat,
    async delete(key: string) {
      if (lean) await leanSend('DELETE', 'delete', key);
      else await send(new DeleteObjectCommand({ Bucket: bucket, Key: full(key) }), 'delete', key);
    },
    async *list(prefix: string, opts: ListOptions = {}) {
      const pageSize = Math.min(BATCH, Math.max(1, opts.pageSize ?? BATCH));
      for await (const page of pages(prefix, 'list', pageSize, opts.signal)) yield page.map(infoOf);
    },
    // No scan of its own: the kernel's list + GetObject per key (skipping keys deleted since the listing) is it.
    async deletePrefix(prefix: string) {
      let removed = 0;
      for await (const page of pages(prefix, 'delete', BATCH)) {
        const out = await send<{ Errors?: { Key?: string; Code?: string; Message?: string }[] }>(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: page.map((o) => ({ Key: o.Key })), Quiet: true },
          }),
          'delete',
          prefix,
        );
        const errors = out.Errors ?? [];
        if (errors.length) {
          const first = errors[0]!;
          throw mapS3Error(
            { name: first.Code, message: `${errors.length} of ${page.length} keys not deleted, first ${first.Key}: ${first.Message}` },
            'delete',
            prefix,
          );
        }
        removed += page.length;
      }
      return removed;
    },
  };
}
