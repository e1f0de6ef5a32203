/**
 * The HTTP side of WebHDFS: an undici Agent for the NameNodes (a keep-alive pool per NameNode, sized to the run's
 * concurrency), NameNode failover for HA, and the two-step CREATE/APPEND/OPEN flow through a DataNode.
 *
 * Protocol notes (hadoop-hdfs WebHDFS.md, NamenodeWebHdfsMethods):
 * - Metadata operations go to the NameNode and answer JSON.
 * - CREATE, APPEND and OPEN answer `307 Temporary Redirect` with `Location` on a DataNode (or, with
 *   `noredirect=true`, `200 {"Location": ...}`); the data then goes to or comes from that DataNode, whose
 *   embedded DFS client writes the block pipeline. The NameNode never sees the bytes.
 * - An HttpFS gateway serves the same REST API but moves the bytes itself: CREATE/APPEND carry `data=true` and
 *   `Content-Type: application/octet-stream` and the body goes in the first request; OPEN answers 200 with the data.
 * - A standby NameNode answers 403 StandbyException; a NameNode that is down refuses the connection. Both are safe
 *   to retry on the next NameNode: the standby did nothing and the refused request was never sent.
 * - The DataNode leg of OPEN (the bytes of a read) reads a plain socket into reused buffers
 *   (../kernel/plain-get.ts): node:http's per-chunk allocations and copies made it the client's main cost.
 * - The DataNode legs of CREATE and APPEND use node:http, not undici v7, for two reasons found on a real cluster:
 *   the DataNode answers every CREATE/APPEND with an unsolicited `100 Continue`, which undici's HTTP/1.1 parser
 *   rejects as "bad response" (nodejs/undici#197, wontfix); and it ends every response with `connection: close`
 *   and a FIN, which crashes undici v7 with an uncatchable `assert(!this.paused)` when the body is not being read
 *   at that moment (nodejs/undici#5360, fixed only in undici 8, which needs Node 22). Nothing is lost: since the
 *   DataNode closes every connection, that leg cannot be kept alive by any client.
 *
 * Errors are thrown as met: a {@link WebHdfsError} for an HTTP error answer, the socket's error below HTTP;
 * the driver's `mapError` (webhdfs-errors.ts) makes StorageErrors of them.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher } from 'undici';
import { plainGet, UNHANDLED } from '../kernel/plain-get.js';
import { isConnectionRefused, parseRemoteException, WebHdfsError } from './webhdfs-errors.js';

export interface WebHdfsClientOptions {
  /** NameNodes (or one HttpFS gateway) as `host:port`, in failover order. */
  readonly hosts: readonly string[];
  readonly tls: boolean;
  /** Accept any TLS certificate (self-signed test clusters). */
  readonly insecure: boolean;
  /** Keep-alive connections per origin (NameNode, each DataNode). */
  readonly connections: number;
  /** Query parameters that authenticate every call: `user.name=...` or `delegation=...`. */
  readonly auth: Readonly<Record<string, string>>;
  /** Ask the NameNode for `200 {"Location"}` instead of a 307. */
  readonly noredirect: boolean;
  /** An HttpFS gateway: data goes in the first request, no DataNode step. */
  readonly gateway: boolean;
  /** Headers and idle-body timeout in ms. */
  readonly timeoutMs: number;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Params = Readonly<Record<string, string | number | boolean | undefined>>;
type RequestBody = Dispatcher.DispatchOptions['body'];

/** An OPEN answer: the bytes, their count when the server says it, and how to drop the connection unread. */
export interface DataResponse {
  readonly size: number | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  destroy(): void;
}

const WEBHDFS = '/webhdfs/v1';

/** `/a b/c` → `/a%20b/c`: each segment percent-encoded, so `+`, `%`, `=`, `&` and unicode survive. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Build a query by hand: URLSearchParams writes a space as `+`, which Jersey would keep as a literal `+`. */
function query(op: string, params: Params, auth: Readonly<Record<string, string>>): string {
  const parts = [`op=${op}`];
  for (const [k, v] of Object.entries({ ...auth, ...params })) {
    if (v !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.join('&');
}

async function drain(res: Dispatcher.ResponseData): Promise<string> {
  try {
    return await res.body.text();
  } catch {
    return '';
  }
}

export class WebHdfsClient {
  private readonly agent: Agent;
  /** For the DataNode legs of writes, and of reads in a shape ../kernel/plain-get.ts leaves to node:http. */
  private readonly dataAgent: http.Agent;
  /** Read buffers of finished DataNode reads, for the next ones (../kernel/plain-get.ts). */
  private readonly readBuffers: Buffer[] = [];
  private readonly scheme: string;
  /** Index in `hosts` of the NameNode believed active. */
  private active = 0;
  private failoverCount = 0;

  constructor(private readonly options: WebHdfsClientOptions) {
    this.scheme = options.tls ? 'https' : 'http';
    this.agent = new Agent({
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: 10_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.insecure ? { connect: { rejectUnauthorized: false } } : {}),
    });
    const agentOptions = { keepAlive: true, maxSockets: options.connections, ...(options.insecure ? { rejectUnauthorized: false } : {}) };
    this.dataAgent = options.tls ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** NameNode failovers since the client was created (a refused connection or a StandbyException). */
  get failovers(): number {
    return this.failoverCount;
  }

  /** The NameNode currently used. */
  get activeHost(): string {
    return this.options.hosts[this.active]!;
  }

  async close(): Promise<void> {
    await this.agent.close();
    this.dataAgent.destroy();
  }

  /** Move on from NameNode `from` unless another in-flight call already did (one failure, one failover). */
  private failover(from: number): void {
    if (this.active !== from) return;
    this.active = (from + 1) % this.options.hosts.length;
    this.failoverCount++;
  }

  /**
   * One call to the NameNode, failing over through every listed NameNode once. Answers of status >= 400 are
   * thrown as WebHdfsError; redirects and successes are returned with their body unread.
   */
  async namenode(
    method: HttpMethod,
    path: string,
    op: string,
    params: Params = {},
    extra: { body?: RequestBody; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Dispatcher.ResponseData> {
    const hosts = this.options.hosts;
    let last: unknown = new Error('no NameNode answered');
    for (let attempt = 0; attempt < hosts.length; attempt++) {
      const index = this.active;
      let res: Dispatcher.ResponseData;
      try {
        res = await this.agent.request({
          origin: `${this.scheme}://${hosts[index]}`,
          path: `${WEBHDFS}${encodePath(path)}?${query(op, params, this.options.auth)}`,
          method,
          ...(extra.body !== undefined ? { body: extra.body } : {}),
          ...(extra.headers ? { headers: extra.headers } : {}),
          ...(extra.signal ? { signal: extra.signal } : {}),
        });
      } catch (e) {
        // A streamed body cannot be sent twice: only a body-less (or in-memory) call moves to the next NameNode.
        const replayable = extra.body === undefined || extra.body instanceof Uint8Array;
        if (hosts.length > 1 && replayable && isConnectionRefused(e)) {
          last = e;
          this.failover(index);
          continue;
        }
        throw e;
      }
      if (res.statusCode < 400) return res;
      const text = await drain(res);
      const err = new WebHdfsError(res.statusCode, parseRemoteException(text), text);
      if (hosts.length > 1 && (err.code === 'StandbyException' || err.code === 'ObserverRetryOnActiveException')) {
        last = err;
        this.failover(index);
        continue;
      }
      throw err;
    }
    throw last;
  }

  /** A NameNode call answering JSON. */
  async json<T>(method: HttpMethod, path: string, op: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
    const res = await this.namenode(method, path, op, params, signal ? { signal } : {});
    const text = await drain(res);
    if (res.statusCode >= 300) throw new WebHdfsError(res.statusCode, undefined, text);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** Where the NameNode sends the data: the 307 `Location`, or `{"Location"}` of a `noredirect=true` answer. */
  private async location(res: Dispatcher.ResponseData): Promise<URL> {
    const header = res.headers.location;
    const text = await drain(res);
    let location = typeof header === 'string' ? header : undefined;
    if (!location && res.statusCode === 200) {
      try {
        location = (JSON.parse(text) as { Location?: string }).Location;
      } catch {
        /* not JSON: handled below */
      }
    }
    if (!location) throw new Error(`HTTP ${res.statusCode} without a DataNode location`);
    return new URL(location);
  }

  /**
   * CREATE or APPEND: ask the NameNode where, then stream `body` to that DataNode (or, through an HttpFS gateway,
   * send it in the first request). The returned promise settles when the DataNode has closed the file.
   */
  async upload(
    method: 'PUT' | 'POST',
    path: string,
    op: 'CREATE' | 'APPEND',
    params: Params,
    body: RequestBody,
    size: number | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (size !== undefined) headers['content-length'] = String(size);
    const common = signal ? { signal } : {};
    if (this.options.gateway) {
      const res = await this.namenode(method, path, op, { ...params, data: true }, { body, headers, ...common });
      await drain(res);
      return;
    }
    const redirect = this.options.noredirect ? { noredirect: true } : {};
    // An in-memory body can be sent again: when the chosen DataNode is down (the NameNode notices only after
    // ~20 s), ask again excluding it, as Hadoop's own WebHdfsFileSystem does. A stream was already consumed.
    const tries = body instanceof Uint8Array ? 3 : 1;
    const excluded: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const exclude = excluded.length ? { excludedatanodes: excluded.join(',') } : {};
      const step1 = await this.namenode(method, path, op, { ...params, ...redirect, ...exclude }, common);
      const url = await this.location(step1);
      let res: http.IncomingMessage;
      try {
        res = await this.datanode(method, url, body, headers, signal);
      } catch (e) {
        if (attempt >= tries || !isConnectionRefused(e)) throw e;
        excluded.push(url.host);
        continue;
      }
      for await (const _ of res) {
        /* 201 Created or 200 OK: an empty or tiny body */
      }
      return;
    }
  }

  /**
   * One request to the DataNode at `url` with node:http, resolved with the response once its headers arrive
   * (node:http skips the DataNode's 100 Continue). An answer of status >= 300 is read and thrown as WebHdfsError.
   */
  private async datanode(
    method: HttpMethod,
    url: URL,
    body: RequestBody | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<http.IncomingMessage> {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method,
          headers,
          agent: this.dataAgent,
          timeout: this.options.timeoutMs,
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      // The socket timeout also covers the body: a DataNode that stops sending fails the read, never hangs it.
      req.on('timeout', () => req.destroy(Object.assign(new Error('the DataNode went silent'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      if (body === undefined || body === null) {
        req.end();
      } else {
        // A rejected upload (the DataNode answers early and closes) also ends the body pipeline with an error:
        // the answer, not the broken pipe, says what went wrong.
        const source = body instanceof Uint8Array || typeof body === 'string' ? Readable.from([body]) : (body as Readable);
        pipeline(source, req).catch((e: unknown) => req.destroy(e as Error));
      }
    });
    if ((res.statusCode ?? 0) >= 300) {
      const parts: Buffer[] = [];
      try {
        for await (const c of res) parts.push(c as Buffer);
      } catch {
        /* the status says enough */
      }
      const text = Buffer.concat(parts).toString();
      throw new WebHdfsError(res.statusCode ?? 0, parseRemoteException(text), text);
    }
    return res;
  }

  /**
   * OPEN: the data, streamed from a DataNode holding a replica (or from the gateway). With `reuse`
   * (ReadOptions.reuseChunks) the chunks are views of buffers that the next chunks overwrite.
   */
  async download(path: string, params: Params, signal?: AbortSignal, reuse = false): Promise<DataResponse> {
    const common = signal ? { signal } : {};
    const redirect = !this.options.gateway && this.options.noredirect ? { noredirect: true } : {};
    const excluded: string[] = [];
    // Up to three DataNodes (the replicas of a block): a dead one is excluded and the NameNode asked again.
    for (let attempt = 1; ; attempt++) {
      const exclude = excluded.length ? { excludedatanodes: excluded.join(',') } : {};
      const res = await this.namenode('GET', path, 'OPEN', { ...params, ...redirect, ...exclude }, common);
      // A gateway (or a NameNode configured to serve data itself) answers 200 with the bytes; it keeps the
      // connection alive, so undici's body is safe here.
      if (this.options.gateway || (res.statusCode === 200 && !this.options.noredirect)) {
        return { size: contentLength(res.headers['content-length']), body: res.body, destroy: () => res.body.destroy() };
      }
      const url = await this.location(res);
      try {
        const answer = await plainGet(url, {
          server: 'the DataNode',
          errorOf: (status, _headers, text) => new WebHdfsError(status, parseRemoteException(text), text),
          timeoutMs: this.options.timeoutMs,
          insecure: this.options.insecure,
          reuse,
          spare: this.readBuffers,
          ...common,
        });
        if (answer !== UNHANDLED) return answer;
        const data = await this.datanode('GET', url, undefined, {}, signal);
        return { size: contentLength(data.headers['content-length']), body: data, destroy: () => data.destroy() };
      } catch (e) {
        if (attempt >= 3 || !isConnectionRefused(e)) throw e;
        excluded.push(url.host);
      }
    }
  }
}

function contentLength(header: string | string[] | undefined): number | undefined {
  const n = Number(header);
  return typeof header === 'string' && Number.isFinite(n) ? n : undefined;
}
