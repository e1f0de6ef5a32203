/**
 * Moving an object's bytes over NFS v3: WRITEs of `wsize` with `depth` in flight (write-behind, then COMMIT when
 * asked) and READs of `rsize` with `depth` in flight, yielded in order (read-ahead).
 */
import { forEachLimited } from '../kernel/mechanics.js';
import { chunksOf } from '../keys.js';
import { type Body, StorageError } from '../types.js';
import { type Nfs3Client, STABLE } from './nfs3.js';

/** How an object's bytes travel: the sizes agreed with the server and how far a write must go. */
export interface Transfer {
  readonly nfs: Nfs3Client;
  /** Bytes per READ / WRITE, after the server's limits. */
  readonly readSize: number;
  readonly writeSize: number;
  /** READs or WRITEs in flight for one object. */
  readonly depth: number;
  readonly filesync: boolean;
  readonly commit: boolean;
}

/**
 * Write `body` at `start` with up to `depth` WRITEs in flight, then COMMIT when asked; resolves with the bytes
 * written. A COMMIT verifier that differs from the WRITEs' means the server restarted and lost unstable data.
 */
export async function writeData(t: Transfer, fh: Buffer, body: Body, start: number, signal: AbortSignal | undefined): Promise<number> {
  const stable = t.filesync ? STABLE.FILE_SYNC : STABLE.UNSTABLE;
  const verifiers = new Set<string>();
  let end = start;
  async function* placed(): AsyncIterable<{ offset: number; data: Uint8Array }> {
    for await (const data of blocks(body, t.writeSize)) {
      signal?.throwIfAborted(); // stop sending the rest of an abandoned write (the kernel reports it Cancelled)
      yield { offset: end, data };
      end += data.length;
    }
  }
  await forEachLimited(placed(), t.depth, ({ offset, data }) => writeBlock(t, fh, offset, data, stable, verifiers));
  if (t.commit && !t.filesync && end > start) {
    const committed = (await t.nfs.commit(fh)).toString('hex');
    if (verifiers.size > 1 || (verifiers.size === 1 && !verifiers.has(committed))) {
      throw new StorageError('Unavailable', 'nfs', 'write', 'the server restarted during the write (write verifier changed): data must be written again', {
        temporary: true,
      });
    }
  }
  return end - start;
}

/** WRITE one block, looping on short writes (a server may accept fewer bytes than sent). */
async function writeBlock(t: Transfer, fh: Buffer, offset: number, data: Uint8Array, stable: number, verifiers: Set<string>): Promise<void> {
  let done = 0;
  for (let rounds = 0; done < data.length; rounds++) {
    const r = await t.nfs.write(fh, offset + done, done === 0 ? data : data.subarray(done), stable);
    if (r.committed !== STABLE.FILE_SYNC) verifiers.add(r.verifier.toString('hex'));
    if (r.count === 0 && rounds > 16) throw new StorageError('Unexpected', 'nfs', 'write', 'server keeps accepting 0 bytes');
    done += r.count;
  }
}

/** Split a body into blocks of exactly `size` bytes (the last may be shorter), copying only to join small chunks. */
async function* blocks(body: Body, size: number): AsyncIterable<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  for await (const whole of chunksOf(body)) {
    let chunk = whole;
    while (chunk.length > 0) {
      if (have === 0 && chunk.length >= size) {
        yield chunk.subarray(0, size);
        chunk = chunk.subarray(size);
        continue;
      }
      const take = Math.min(size - have, chunk.length);
      parts.push(chunk.subarray(0, take));
      have += take;
      chunk = chunk.subarray(take);
      if (have === size) {
        yield Buffer.concat(parts, have);
        parts = [];
        have = 0;
      }
    }
  }
  if (have > 0) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
}

/**
 * READ `[start, end)` with up to `depth` READs in flight, yielding in order. Not a bounded-concurrency pool:
 * pieces must come out in file order, so the next READ is issued as the oldest one is yielded.
 */
export async function* readBody(t: Transfer, fh: Buffer, start: number, end: number, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  const queue: Promise<{ data: Buffer; eof: boolean }>[] = [];
  let next = start;
  const issue = (): void => {
    const n = Math.min(t.readSize, end - next);
    const p = readPiece(t.nfs, fh, next, n);
    p.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
    queue.push(p);
    next += n;
  };
  while (next < end && queue.length < t.depth) issue();
  while (queue.length > 0) {
    const { data, eof } = await queue.shift()!;
    signal?.throwIfAborted(); // stop reading ahead for an abandoned read (the kernel reports it Cancelled)
    if (data.length > 0) yield data;
    if (eof) return; // the file shrank since its size was read
    if (next < end) issue();
  }
}

/** READ exactly `count` bytes at `offset` unless the file ends first; short reads are continued. */
async function readPiece(nfs: Nfs3Client, fh: Buffer, offset: number, count: number): Promise<{ data: Buffer; eof: boolean }> {
  const first = await nfs.read(fh, offset, count);
  if (first.data.length >= count || first.eof) return first;
  const parts = [first.data];
  let got = first.data.length;
  for (let rounds = 0; got < count && rounds < 1_000; rounds++) {
    const r = await nfs.read(fh, offset + got, count - got);
    parts.push(r.data);
    got += r.data.length;
    if (r.eof) return { data: Buffer.concat(parts, got), eof: true };
    if (r.data.length === 0) break;
  }
  return { data: Buffer.concat(parts, got), eof: false };
}
