/**
 * Bodies in and out of an open file: writing a body (one chunk behind a streamed producer), appending one, and
 * the read body of a range (one chunk ahead, optionally into reused buffers). node:fs errors are thrown as they
 * are: the driver's mapError names them.
 */
import type { Body } from '../types.js';
import { type AlignedPool, readDirect } from './direct-io.js';
import type { IoHandle } from './io-engine.js';

/** Reused read buffers kept for later reads (each `readChunk` bytes). */
const MAX_SPARE_BUFFERS = 64;

/** Write all of `data` at `position` (`null`: at the file offset, as O_APPEND needs). */
export async function writeAll(fh: IoHandle, data: Uint8Array, position: number | null = null): Promise<void> {
  for (let done = 0; done < data.byteLength; ) {
    const at = position === null ? null : position + done;
    const { bytesWritten } = await fh.write(data, done, data.byteLength - done, at);
    done += bytesWritten;
  }
}

/**
 * Write a body into a file from `start`. A streamed body is written one chunk behind: chunk k+1 is asked for
 * while chunk k is being written at its own offset (each write is a threadpool round trip, which would otherwise
 * leave the producer idle). Like Node's streams, a chunk belongs to the consumer once it is yielded.
 */
export async function writeBody(fh: IoHandle, body: Body, signal?: AbortSignal, start = 0): Promise<void> {
  if (body instanceof Uint8Array) return writeAll(fh, body, start);
  let position = start;
  let behind: Promise<void> | undefined;
  try {
    for await (const chunk of body) {
      signal?.throwIfAborted();
      const writing = writeAll(fh, chunk, position);
      writing.catch(() => undefined); // awaited below; never an unhandled rejection
      position += chunk.byteLength;
      if (behind) await behind;
      behind = writing;
    }
  } finally {
    // On the error path too: the file is closed only once no write is in flight.
    const last = behind;
    behind = undefined;
    if (last) await last;
  }
}

/** Append a body at the end of an O_APPEND file, one chunk after the other. */
export async function appendBody(fh: IoHandle, body: Body, signal?: AbortSignal): Promise<void> {
  for await (const chunk of body instanceof Uint8Array ? [body] : body) {
    signal?.throwIfAborted();
    await writeAll(fh, chunk);
  }
}

/** How read bodies read: the same for every read of one driver. */
export interface ReadPlan {
  /** The largest single read. */
  readonly readChunk: number;
  /** Read the next chunk while the caller handles this one (the async engine; a blocking read overlaps nothing). */
  readonly readAhead: boolean;
  /** O_DIRECT reads through this pool of aligned buffers. */
  readonly direct: AlignedPool | undefined;
  /** Buffers returned by finished reuseChunks reads, for the next ones. */
  readonly spareBuffers: Buffer[];
}

/**
 * A read body over [start, end) of an open file; closes it at the end, on error, and on return().
 * While the caller handles one chunk the next is already being read (one chunk ahead): each chunk is a
 * round trip through libuv's threadpool, and without read-ahead the thread would idle during it. The sync
 * engine reads each chunk when asked (a blocking read cannot overlap anything), into one buffer, as fio does.
 * With `reuse` (ReadOptions.reuseChunks) chunks alternate between two buffers borrowed from
 * `plan.spareBuffers` (the caller has dropped chunk k when it asks for k+1, and k+2 goes where k was):
 * fresh 1 MiB buffers cost page faults and GC work per MiB that a benchmark would otherwise measure.
 */
export function fileBody(plan: ReadPlan, fh: IoHandle, start: number, end: number, reuse = false): AsyncIterable<Uint8Array> & AsyncIterator<Uint8Array> {
  const { readChunk, readAhead, direct, spareBuffers } = plan;
  let pos = start; // the next byte to ask for
  let open = true;
  let turn = 0;
  const borrowed: Buffer[] = [];
  let ahead: { readonly data: Promise<Buffer>; readonly length: number } | undefined;

  const readAt = async (at: number, n: number, into: Buffer | undefined): Promise<Buffer> => {
    if (direct) return readDirect(fh, direct, at, n, into);
    const buf = into ? into.subarray(0, n) : Buffer.allocUnsafe(n);
    const { bytesRead } = await fh.read(buf, 0, n, at);
    return bytesRead < n ? buf.subarray(0, bytesRead) : buf;
  };
  const request = (): typeof ahead => {
    if (pos >= end) return undefined;
    const length = Math.min(readChunk, end - pos);
    let into: Buffer | undefined;
    // Reading ahead, chunk k+1 is read while the caller holds k: two buffers. Without read-ahead, one.
    if (reuse) into = borrowed[readAhead ? turn++ & 1 : 0] ??= spareBuffers.pop() ?? Buffer.allocUnsafeSlow(readChunk);
    const data = readAt(pos, length, into);
    data.catch(() => undefined); // awaited by next() or finish(); never an unhandled rejection
    pos += length;
    return { data, length };
  };
  const finish = async (): Promise<IteratorResult<Uint8Array>> => {
    if (open) {
      open = false;
      const pending = ahead;
      ahead = undefined;
      if (pending) await pending.data.catch(() => undefined); // never close under a read in flight
      for (const b of borrowed) if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(b);
      borrowed.length = 0;
      await fh.close();
    }
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (!open) return { done: true, value: undefined };
      const current = ahead ?? request();
      ahead = undefined;
      if (!current) return finish();
      let buf: Buffer;
      try {
        buf = await current.data;
      } catch (e) {
        await finish().catch(() => undefined);
        throw e;
      }
      if (buf.length === 0) return finish();
      if (buf.length < current.length) pos = end; // the file shrank under us: end where it ends now
      if (readAhead) ahead = request();
      return { done: false, value: buf };
    },
    return: finish,
  };
}
