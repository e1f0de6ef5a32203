/**
 * The lean request path of s3:// (`client=lean`, the default): the measured hot path (PutObject as one PUT,
 * UploadPart, GetObject, HeadObject, DeleteObject) as plain HTTP/1.1 requests on one undici Pool, signed with
 * SigV4 by s3-sign.ts (node:crypto; its signatures are checked against @smithy/signature-v4, the SDK's signer, by
 * test/s3/s3-sign.test.ts). Everything that is not protocol comes from the driver's S3Client: its credentials
 * provider (static keys, a profile, or the AWS chain; memoized and refreshed before expiry by the SDK), its
 * endpoint rules (path-style or virtual-host URL and signing scope), its clock offset and its standard retry
 * strategy. Failures are mapped by s3-errors.ts, as the SDK's are.
 * What goes on the wire, and why this path exists: README.md beside this file.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type Dispatcher, errors, Pool, util } from 'undici';
import { plainGet, UNHANDLED } from '../kernel/plain-get.js';
import { type Operation, StorageError } from '../types.js';
import { mapS3Error } from './s3-errors.js';
import { createSigner, EMPTY_SHA256, type SigningCredentials, sha256Hex, UNSIGNED_PAYLOAD, uriEscape } from './s3-sign.js';

/** What the lean path needs of the driver's settings. */
export interface LeanSettings {
  readonly bucket: string;
  readonly region: string;
  readonly pathStyle: boolean;
  readonly endpoint?: string | undefined;
  readonly retries: number;
  readonly connectTimeoutMs: number;
  readonly socketTimeoutMs: number;
}

/** One request of the hot path. `key` is the full object key (root included); `shownKey` the one errors name. */
export interface LeanRequest {
  readonly method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  readonly key: string;
  readonly operation: Operation;
  readonly shownKey: string;
  /** Extra query parameters (UploadPart's partNumber and uploadId), signed. */
  readonly query?: Readonly<Record<string, string>>;
  /** Extra headers (Range), signed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A buffer (its SHA-256 is signed) or a stream of `size` bytes (sent as UNSIGNED-PAYLOAD), as the SDK does. */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  readonly size?: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * A successful response (status < 300). A GET's body arrives as it is read (a reader that stops early ends the
 * request); any other request's response has been read to its end (S3 sends none worth reading) and its body
 * is empty.
 */
export interface LeanResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: AsyncIterable<Uint8Array>;
}
type Headers = Record<string, string | string[] | undefined>;

/** A GET of a large object (or range), on a connection of its own: see {@link LeanClient.download}. */
export interface LeanDownload {
  readonly key: string;
  readonly operation: Operation;
  readonly shownKey: string;
  /** Extra headers (Range), signed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The caller drops each chunk before asking for the next (ReadOptions.reuseChunks). */
  readonly reuse: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** The lean path of one driver: one pool, one signer. */
export interface LeanClient {
  /** Send one request, retried as `retries` says when it can be repeated whole. @throws StorageError */
  send(request: LeanRequest): Promise<LeanResponse>;
  /**
   * GetObject on a connection of its own whose socket reads into 1 MiB buffers that are reused
   * (../kernel/plain-get.ts), closed after the body: for large reads, where undici's per-chunk buffers and parser
   * copies cost about 1 ms of CPU per MiB. Retried as `send`, until the body starts. An answer that is not of
   * Content-Length (chunked) is fetched again on the pool.
   */
  download(request: LeanDownload): Promise<LeanResponse>;
  /** Retries made so far (attempts beyond the first). */
  readonly retries: () => number;
  /** SigV4 signing keys derived so far (one per day and credentials). */
  readonly derivedKeys: () => number;
  /** Close every connection at once. */
  close(): Promise<void>;
}

/** The SDK client's resolved configuration members this path reuses. */
interface SdkConfig {
  credentials: SigningCredentials | (() => Promise<SigningCredentials>);
  systemClockOffset?: number;
  endpointProvider(
    params: Record<string, unknown>,
    context?: object,
  ): { url: URL; properties?: { authSchemes?: { signingRegion?: string; signingName?: string }[] } };
  useFipsEndpoint(): Promise<boolean>;
  useDualstackEndpoint(): Promise<boolean>;
  retryStrategy(): Promise<RetryStrategy>;
}
interface RetryToken {
  getRetryCount(): number;
}
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  /** Sleeps the backoff and returns the next token, or throws when no retry is allowed (attempts, quota). */
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: { errorType: 'THROTTLING' | 'TRANSIENT' }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

const PLAIN_KEY = /^[A-Za-z0-9\-._~/]*$/;

/** An object key as S3 wants it in the path: every byte percent-encoded but the unreserved ones and `/`. */
export function encodeKey(key: string): string {
  // A benchmark's keys are plain: one regular-expression test instead of an encoding and two replacements.
  return PLAIN_KEY.test(key) ? key : uriEscape(key).replace(/%2F/g, '/');
}

const XML_CODE = /<Code>([^<]*)<\/Code>/;
const XML_MESSAGE = /<Message>([^<]*)<\/Message>/;
const XML_ENTITY = /&(lt|gt|amp|quot|apos|#x?[0-9a-fA-F]+);/g;
const NAMED_ENTITY: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const unescapeXml = (text: string): string =>
  text.replace(XML_ENTITY, (_, name: string) =>
    name.startsWith('#') ? String.fromCodePoint(Number.parseInt(name.slice(name[1] === 'x' ? 2 : 1), name[1] === 'x' ? 16 : 10)) : (NAMED_ENTITY[name] ?? ''),
  );

/**
 * An S3 error response in the shape of the SDK's service exception (`name` = the XML `<Code>`, `$metadata`), so
 * mapS3Error maps both paths alike. A body without a code (HEAD has none) is named as the SDK names it: 404 is
 * `NotFound`; any other status has no code, and mapS3Error calls it `HTTP <status>`.
 */
export function s3ErrorOf(status: number, xml: string, requestId: string | undefined): Error {
  const code = XML_CODE.exec(xml)?.[1];
  const message = XML_MESSAGE.exec(xml)?.[1];
  const e = new Error(message === undefined ? '' : unescapeXml(message));
  const name = code !== undefined ? unescapeXml(code) : status === 404 ? 'NotFound' : undefined;
  if (name) e.name = name;
  return Object.assign(e, { $metadata: { httpStatusCode: status, ...(requestId ? { requestId } : {}) } });
}

/** The Retry strategy's error type of a mapped failure, or undefined when it is not worth another attempt. */
function retryTypeOf(e: StorageError): 'THROTTLING' | 'TRANSIENT' | undefined {
  if (!e.temporary) return undefined;
  return e.kind === 'RateLimited' ? 'THROTTLING' : 'TRANSIENT';
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Bytes of a GET body queued unread before the socket is paused (undici's Readable default). */
const HIGH_WATER = 64 * 1024;
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A GET body as undici's dispatcher hands it over: chunks wait in a queue until read; past HIGH_WATER the socket
 * is paused until the reader catches up; a reader that stops early aborts the request, so its socket is not stuck.
 * (What undici's own Readable body does, without a stream per response.)
 */
class BodyQueue implements AsyncIterableIterator<Uint8Array> {
  private readonly chunks: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private error: Error | undefined;
  private waiting: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly resume: () => void,
    private readonly abort: (e: Error) => void,
  ) {}

  /** A chunk arrived; false asks undici to pause the socket. */
  push(chunk: Buffer): boolean {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.resolve({ done: false, value: chunk });
      return true;
    }
    this.chunks.push(chunk);
    this.queued += chunk.length;
    this.paused = this.queued >= HIGH_WATER;
    return !this.paused;
  }

  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    const w = this.waiting;
    this.waiting = undefined;
    if (w && error) w.reject(error);
    else w?.resolve(DONE);
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.error) return Promise.reject(this.error);
    const chunk = this.chunks.shift();
    if (chunk) {
      this.queued -= chunk.length;
      if (this.paused && this.queued < HIGH_WATER) {
        this.paused = false;
        this.resume();
      }
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.chunks.length = 0;
    if (!this.ended) {
      this.ended = true;
      this.abort(new errors.RequestAbortedError());
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** A response: an error's body (read whole), or a success, whose GET body is still arriving. */
type Reply = { readonly status: number; readonly headers: Headers; readonly body: AsyncIterable<Uint8Array>; readonly error?: string };

const EMPTY: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: async () => DONE }) };

const reasonOf = (signal: AbortSignal): Error => (signal.reason as Error | undefined) ?? new errors.RequestAbortedError();

/**
 * One request on undici's dispatcher API: a handler that keeps only what the lean path needs (the status, the
 * headers, a GET body as a BodyQueue, an error's body as text) and drops other bodies as they arrive (the
 * connection is reused once the response ends). The signal aborts it at any point, as undici's request() does:
 * with the signal's reason, or RequestAbortedError. A class, not closures: nothing is allocated per request
 * but the handler itself.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private abort: ((e: Error) => void) | undefined;
  private status = 0;
  private headers: Headers = {};
  private body: BodyQueue | undefined;
  private failure: Buffer[] | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly method: string,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (reply: Reply) => void,
    private readonly reject: (e: Error) => void,
  ) {
    if (signal) {
      this.onAbort = () => this.abort?.(reasonOf(signal));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onConnect(abort: (e?: Error) => void): void {
    this.abort = abort;
    if (this.signal?.aborted) abort(reasonOf(this.signal));
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx
    this.status = statusCode;
    this.headers = util.parseHeaders(raw) as Headers;
    if (statusCode >= 300) this.failure = [];
    else if (this.method === 'GET') {
      this.body = new BodyQueue(resume, (e) => this.abort?.(e));
      this.resolve({ status: statusCode, headers: this.headers, body: this.body });
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.body) return this.body.push(chunk);
    this.failure?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.settle();
    if (this.body) this.body.end();
    else this.reply(this.failure ? Buffer.concat(this.failure).toString() : undefined);
  }

  onError(e: Error): void {
    this.settle();
    if (this.body) this.body.end(e);
    // An error response whose body broke off is still that error, named by its status.
    else if (this.failure) this.reply('');
    else this.reject(e);
  }

  private reply(error: string | undefined): void {
    this.resolve({ status: this.status, headers: this.headers, body: EMPTY, ...(error !== undefined ? { error } : {}) });
  }

  private settle(): void {
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
  }
}

function exchange(pool: Pool, options: Dispatcher.DispatchOptions, signal: AbortSignal | undefined): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    pool.dispatch(options, new Exchange(options.method, signal, resolve, reject));
  });
}

/**
 * The lean path for the driver's bucket: the URL, signing region and service from the SDK's endpoint rules for
 * that bucket (the same `ForcePathStyle`, FIPS and dual-stack inputs), one Pool of `maxSockets` keep-alive
 * connections to it.
 */
export async function createLeanClient(client: S3Client, settings: LeanSettings, maxSockets: number): Promise<LeanClient> {
  const config = client.config as unknown as SdkConfig;
  const resolved = config.endpointProvider({
    Bucket: settings.bucket,
    Region: settings.region,
    UseFIPS: await config.useFipsEndpoint(),
    UseDualStack: await config.useDualstackEndpoint(),
    ForcePathStyle: settings.pathStyle,
    Accelerate: false,
    ...(settings.endpoint ? { Endpoint: settings.endpoint } : {}),
  });
  const url = resolved.url;
  const scheme = resolved.properties?.authSchemes?.[0];
  /** `/bucket` with path-style addressing, empty with virtual-host (the bucket is in the host name). */
  const base = url.pathname.replace(/\/+$/, '');
  const { host } = url;
  // S3 paths are signed as sent, not encoded twice (the endpoint rules' disableDoubleEncoding).
  const signer = createSigner({
    credentials: config.credentials,
    region: scheme?.signingRegion ?? settings.region,
    service: scheme?.signingName ?? 's3',
    now: () => Date.now() + (config.systemClockOffset ?? 0),
  });
  const pool = new Pool(url.origin, {
    connections: maxSockets,
    connect: { timeout: settings.connectTimeoutMs },
    // Idle limits, as the SDK's socketTimeout: both are re-armed on progress, so a large object may take long.
    headersTimeout: settings.socketTimeoutMs,
    bodyTimeout: settings.socketTimeoutMs,
  });
  const strategy = settings.retries > 0 ? await config.retryStrategy() : undefined;
  let retries = 0;

  async function once(r: LeanRequest): Promise<LeanResponse> {
    const path = `${base}/${encodeKey(r.key)}`;
    const headers: Record<string, string> = r.headers ? { host, ...r.headers } : { host };
    const buffered = r.body instanceof Uint8Array ? r.body : undefined;
    if (r.body !== undefined) {
      headers['content-length'] = String(r.size ?? buffered?.length ?? 0);
      headers['content-type'] = 'application/octet-stream';
    }
    const payloadHash = buffered ? sha256Hex(buffered) : r.body !== undefined ? UNSIGNED_PAYLOAD : EMPTY_SHA256;
    await signer.sign({ method: r.method, path, query: r.query, headers, payloadHash });
    let query = '';
    if (r.query) for (const [k, v] of Object.entries(r.query)) query += `${query ? '&' : '?'}${uriEscape(k)}=${uriEscape(v)}`;
    let res: Reply;
    try {
      res = await exchange(
        pool,
        {
          method: r.method,
          path: path + query,
          headers,
          // undici takes an AsyncIterable body (docs/api/Dispatcher.md); its type declaration lists only Readable.
          body: (r.body ?? null) as Dispatcher.DispatchOptions['body'],
          // undici closes the connection after a HEAD unless told not to (for servers that send a body with it,
          // which S3 servers do not): without this, every stat would pay a new TCP connection.
          reset: false,
        },
        r.signal,
      );
    } catch (e) {
      throw mapS3Error(e, r.operation, r.shownKey);
    }
    if (res.error === undefined) return res;
    // An error body is a small XML document (HEAD's is empty), read whole, so the connection is reused.
    throw mapS3Error(s3ErrorOf(res.status, res.error, header(res.headers['x-amz-request-id'])), r.operation, r.shownKey);
  }

  /** Read buffers of finished downloads, for the next ones. */
  const spare: Buffer[] = [];
  async function downloadOnce(r: LeanDownload): Promise<LeanResponse | typeof UNHANDLED> {
    const path = `${base}/${encodeKey(r.key)}`;
    const headers: Record<string, string> = r.headers ? { host, ...r.headers } : { host };
    await signer.sign({ method: 'GET', path, query: undefined, headers, payloadHash: EMPTY_SHA256 });
    try {
      const answer = await plainGet(url, {
        server: `the S3 endpoint ${host}`,
        path,
        headers,
        errorOf: (status, h, text) => s3ErrorOf(status, text, h.get('x-amz-request-id')),
        timeoutMs: settings.socketTimeoutMs,
        insecure: false,
        reuse: r.reuse,
        spare,
        ...(r.signal ? { signal: r.signal } : {}),
      });
      return answer === UNHANDLED ? UNHANDLED : { status: 200, headers: { 'content-length': String(answer.size) }, body: answer.body };
    } catch (e) {
      throw mapS3Error(e, r.operation, r.shownKey);
    }
  }

  /** `attempt`, again while the retry strategy allows; with none (retries=0), the attempt itself, no wrapper. */
  function retried<T>(signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    return strategy ? withRetries(strategy, signal, attempt) : attempt();
  }
  async function withRetries<T>(strategy: RetryStrategy, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    let token = await strategy.acquireInitialRetryToken('s3');
    for (;;) {
      try {
        const res = await attempt();
        strategy.recordSuccess(token);
        return res;
      } catch (e) {
        const type = e instanceof StorageError && !signal?.aborted ? retryTypeOf(e) : undefined;
        if (type === undefined) throw e;
        try {
          token = await strategy.refreshRetryTokenForRetry(token, { errorType: type });
        } catch {
          throw e; // attempts or the retry quota used up
        }
        retries++;
      }
    }
  }

  function send(r: LeanRequest): Promise<LeanResponse> {
    // Only what can be sent again whole is retried: no stream body (the SDK does not retry those either).
    if (r.body !== undefined && !(r.body instanceof Uint8Array)) return once(r);
    return retried(r.signal, () => once(r));
  }

  return {
    send,
    async download(r) {
      const res = await retried(r.signal, () => downloadOnce(r));
      if (res !== UNHANDLED) return res;
      const { key, operation, shownKey, headers, signal } = r;
      return send({ method: 'GET', key, operation, shownKey, ...(headers ? { headers } : {}), signal });
    },
    retries: () => retries,
    derivedKeys: signer.derivedKeys,
    async close() {
      await pool.destroy();
    },
  };
}
