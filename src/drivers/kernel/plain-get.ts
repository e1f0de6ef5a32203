/**
 * One HTTP GET on a connection of its own that reads into buffers it owns: the bytes of a large read (a WebHDFS
 * DataNode's OPEN, an S3 GetObject of a large object).
 *
 * Why not undici or node:http: profiled on a 4 × 256 MiB dfsio-read, node:http's client cost about 1.6 ms of CPU
 * per MiB, most of it per chunk: libuv allocates a fresh 64 KiB buffer for every socket read, the HTTP parser
 * copies each body piece into another new Buffer (garbage collection was a third of the busy time), and the
 * stream's async iterator adds a promise and a `read()` per chunk; undici's dispatcher on RGW, about 1 ms per MiB
 * (bench:s3 get-large, against minio-go's 0.74). On a machine the client shares with the server, that CPU is
 * taken from the server. Hadoop's WebHdfsFileSystem reads the same response into one 1 MiB array. Here the socket
 * reads (`onread`) straight into 1 MiB buffers that are reused: with `reuse` (ReadOptions.reuseChunks) two of
 * them alternate and the caller gets views of them, else each chunk is copied once. Reads are stopped while a
 * chunk waits for the caller (backpressure). The connection is closed after the body (`Connection: close`): at
 * a MiB or more per read, a TCP connect per read costs little beside the bytes.
 *
 * Only the answer shape both servers give is parsed here: a status line, headers, and a body of `Content-Length`
 * bytes. An answer in chunked transfer encoding is reported as {@link UNHANDLED} so that the caller can fetch it
 * through its usual client.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Bytes each socket read may fill: as Hadoop's client reads, and enough to drain the socket in one call. */
export const READ_BUFFER_BYTES = 1 << 20;
/** Buffers a client keeps for the next reads (two per concurrent read). */
const MAX_SPARE_BUFFERS = 64;
/** A longer head is not an answer of these servers. */
const MAX_HEAD_BYTES = 64 * 1024;

export interface PlainGetOptions {
  /** Who answers, for messages: "the DataNode". */
  readonly server: string;
  /** The request target as sent (already percent-encoded, never normalized); default the URL's path and query. */
  readonly path?: string;
  /** Request headers besides Host and Connection (signed ones: Authorization, x-amz-date...). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The error an answer of status >= 300 is, from its status, headers and body (read whole). */
  readonly errorOf: (status: number, headers: ReadonlyMap<string, string>, body: string) => Error;
  readonly timeoutMs: number;
  /** With https: accept any certificate. */
  readonly insecure: boolean;
  readonly signal?: AbortSignal;
  /** The caller drops each chunk before asking for the next (ReadOptions.reuseChunks): hand out views of two buffers. */
  readonly reuse: boolean;
  /** Read buffers of finished reads, shared by a client's reads and refilled by them. */
  readonly spare: Buffer[];
}

/** The answer: the byte count and the body, which owns the connection until it ends or is returned. */
export interface PlainAnswer {
  readonly size: number;
  readonly body: AsyncIterableIterator<Uint8Array>;
  destroy(): void;
}

/** The answer is in a shape this reader does not parse (chunked transfer encoding). Nothing was read from it. */
export const UNHANDLED = Symbol('unhandled');

interface Head {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
}

/** `HTTP/1.1 200 OK\r\nname: value\r\n...` (without the blank line) → status and lower-cased headers. */
function parseHead(text: string): Head | undefined {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!status) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(status[1]), headers };
}

const transportError = (message: string, code: string): Error => Object.assign(new Error(message), { code });

/**
 * GET `url`. Resolves once the head has arrived: with the body of a 2xx answer, or {@link UNHANDLED}; an answer of
 * status >= 300 is read whole and thrown as `errorOf` makes it.
 */
export function plainGet(url: URL, o: PlainGetOptions): Promise<PlainAnswer | typeof UNHANDLED> {
  return new Promise((resolve, reject) => {
    const buffers: Buffer[] = [];
    let turn = 0;
    const buffer = (): Buffer => (buffers[turn] ??= o.spare.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES));
    let head = '';
    /** The promise above is settled: from then on, failures go to the body's caller. */
    let settled = false;
    /** The error answer being collected (status >= 300). */
    let failed: { status: number; headers: ReadonlyMap<string, string>; parts: Buffer[]; left: number } | undefined;
    /** Body bytes still to come (once the head is in). */
    let left = -1;
    /** A chunk read while the caller was not waiting; reading is stopped until it is taken. */
    let queued: Uint8Array | undefined;
    let waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;
    let error: unknown;
    let released = false;

    /** Close the connection and give the buffers back; the caller holds no chunk any more. */
    const release = (): void => {
      if (released) return;
      released = true;
      o.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      // After the socket's read callback has asked for its next buffer (release may run inside that callback).
      queueMicrotask(() => {
        for (const b of buffers) if (o.spare.length < MAX_SPARE_BUFFERS) o.spare.push(b);
        buffers.length = 0;
      });
    };
    const fail = (e: unknown): void => {
      if (error !== undefined || released || left === 0) return; // every byte is in: nothing left to fail
      error = e;
      if (!settled) {
        settled = true;
        release();
        reject(e);
      } else if (waiter) {
        const w = waiter;
        waiter = undefined;
        release();
        w.reject(e);
      } else {
        socket.destroy(); // the caller meets the error at its next call, after the chunk kept for it
      }
    };
    const onAbort = (): void => fail(Object.assign(new Error('the read was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: o.signal?.reason }));
    const settle = (value: PlainAnswer | typeof UNHANDLED): void => {
      settled = true;
      resolve(value);
    };

    /** The head is complete: `rest` is the start of the body, in the read buffer. Returns whether to read on. */
    const answer = (h: Head, rest: Buffer): boolean => {
      const encoding = h.headers.get('transfer-encoding');
      const declared = h.headers.get('content-length');
      const length = declared === undefined ? Number.POSITIVE_INFINITY : Number(declared);
      if ((encoding !== undefined && encoding.toLowerCase() !== 'identity') || !(length >= 0) || (h.status < 300 && !Number.isSafeInteger(length))) {
        release();
        settle(UNHANDLED);
        return false;
      }
      if (h.status >= 300) {
        // An error answer (a RemoteException, an S3 error document) is small: read it whole, to its length or to
        // the connection's end.
        failed = { status: h.status, headers: h.headers, parts: [], left: length };
        return collectError(rest);
      }
      left = length;
      settle({ size: length, body, destroy: release });
      if (left === 0) {
        socket.destroy();
        return false;
      }
      return rest.length > 0 ? deliver(rest) : true;
    };
    const collectError = (data: Buffer): boolean => {
      const f = failed!;
      const piece = data.subarray(0, Math.min(data.length, f.left));
      f.parts.push(Buffer.from(piece));
      f.left -= piece.length;
      if (f.left > 0) return true;
      throwError();
      return false;
    };
    const throwError = (): void => {
      fail(o.errorOf(failed!.status, failed!.headers, Buffer.concat(failed!.parts).toString()));
    };
    /** A piece of the body, in the read buffer: to the waiting caller, else kept (and reading stopped). */
    const deliver = (data: Buffer): boolean => {
      const piece = data.subarray(0, Math.min(data.length, left));
      left -= piece.length;
      let chunk: Uint8Array = piece;
      if (o.reuse)
        turn ^= 1; // the caller holds this buffer until it asks for the next chunk: read into the other
      else chunk = Buffer.from(piece);
      if (left === 0) socket.destroy(); // all there: the server's FIN is not worth waiting for
      if (!waiter) {
        queued = chunk;
        return false;
      }
      const w = waiter;
      waiter = undefined;
      w.resolve({ done: false, value: chunk });
      return left > 0;
    };
    const onRead = (n: number, buf: Buffer): boolean => {
      if (released || error !== undefined) return false;
      const data = buf.subarray(0, n);
      if (failed) return collectError(data);
      if (left >= 0) return deliver(data);
      const before = head.length;
      head += data.toString('latin1', 0, Math.min(n, MAX_HEAD_BYTES));
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length < MAX_HEAD_BYTES) return true;
        fail(transportError(`${o.server}'s answer has no end of headers in its first ${MAX_HEAD_BYTES} bytes`, 'EPROTO'));
        return false;
      }
      const h = parseHead(head.slice(0, end));
      if (h) return answer(h, data.subarray(end + 4 - before));
      fail(transportError(`not an HTTP answer from ${o.server}: ${JSON.stringify(head.slice(0, 40))}`, 'EPROTO'));
      return false;
    };

    const body: AsyncIterableIterator<Uint8Array> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        if (queued) {
          const value = queued;
          queued = undefined;
          if (left > 0 && error === undefined) socket.resume();
          return Promise.resolve({ done: false, value });
        }
        if (error !== undefined) {
          release();
          return Promise.reject(error);
        }
        if (left === 0 || released) {
          release();
          return Promise.resolve({ done: true, value: undefined });
        }
        return new Promise((res, rej) => {
          waiter = { resolve: res, reject: rej };
        });
      },
      return() {
        release();
        return Promise.resolve({ done: true, value: undefined });
      },
    };

    const secure = url.protocol === 'https:';
    const connect = { host: url.hostname, port: Number(url.port) || (secure ? 443 : 80), onread: { buffer, callback: onRead } };
    const socket = secure
      ? tls.connect({ ...connect, ...(net.isIP(url.hostname) ? {} : { servername: url.hostname }), ...(o.insecure ? { rejectUnauthorized: false } : {}) })
      : net.connect(connect);
    socket.setTimeout(o.timeoutMs, () => fail(transportError(`${o.server} went silent`, 'ETIMEDOUT')));
    socket.on('error', fail);
    socket.on('end', () => {
      if (failed) throwError();
      else if (left < 0) fail(transportError(`${o.server} closed the connection without answering`, 'ECONNRESET'));
      else if (left > 0) fail(transportError(`${o.server} closed the connection with ${left} bytes of the body still to come`, 'ECONNRESET'));
    });
    let request = `GET ${o.path ?? `${url.pathname}${url.search}`} HTTP/1.1\r\nHost: ${url.host}\r\n`;
    for (const [name, value] of Object.entries(o.headers ?? {})) if (name.toLowerCase() !== 'host') request += `${name}: ${value}\r\n`;
    socket.write(`${request}Connection: close\r\n\r\n`);
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
