/** Helpers every driver shares: key validation and body handling. */
import { type Body, type Operation, StorageError } from './types.js';

/**
 * Reject keys that could escape the driver's root or name no object: empty, absolute, trailing `/`,
 * empty, `.` or `..` segments, NUL, backslash.
 * @throws StorageError InvalidInput
 */
export function checkKey(driver: string, operation: Operation, key: string, allowEmpty = false): string {
  if (key === '' && allowEmpty) return key;
  // fast path for the keys the runner generates: no dots, no doubled or leading slash
  if (
    key !== '' &&
    key.charCodeAt(0) !== 47 &&
    key.charCodeAt(key.length - 1) !== 47 &&
    key.indexOf('.') < 0 &&
    key.indexOf('//') < 0 &&
    key.indexOf('\\') < 0 &&
    key.indexOf('\0') < 0
  )
    return key;
  if (
    key === '' ||
    key.startsWith('/') ||
    key.includes('\0') ||
    key.includes('\\') ||
    key.split('/').some((seg) => seg === '.' || seg === '..' || seg === '')
  ) {
    throw new StorageError('InvalidInput', driver, operation, 'key is empty, absolute, or has ".", ".." or empty segments', { key });
  }
  return key;
}

/**
 * Reject an offset of `writeAt` that is not a whole number of bytes from 0 up.
 * @throws StorageError InvalidInput
 */
export function checkOffset(driver: string, key: string, offset: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new StorageError('InvalidInput', driver, 'write', `offset ${offset} is not a whole number of bytes from 0 up`, { key });
  }
  return offset;
}

/** A prefix for list/scan/deletePrefix: like a key, but may be empty or end with `/`. */
export function checkPrefix(driver: string, operation: Operation, prefix: string): string {
  if (prefix === '') return prefix;
  return checkKey(driver, operation, prefix.endsWith('/') ? prefix.slice(0, -1) : prefix) && prefix;
}

/** Iterate a body as chunks. */
export async function* chunksOf(body: Body): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  yield* body;
}

/**
 * A body in pieces of exactly `size` bytes (the last may be shorter). An in-memory body is sliced, never
 * copied (it is the caller's, unchanged for the call). Of a stream, `copy: false` hands whole pieces straight
 * from the producer's chunks and copies only what straddles two of them (streams hand over their chunks);
 * `copy: true` copies every piece into its own buffer, for callers that keep several pieces in flight while
 * the producer goes on (and may reuse its chunk buffer).
 */
export async function* piecesOf(source: Body, size: number, copy: boolean): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let at = 0; at < source.length; at += size) yield source.subarray(at, at + size);
    return;
  }
  let pending: Buffer | undefined;
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (!copy && filled === 0 && chunk.length - at >= size) {
        yield chunk.subarray(at, at + size);
        at += size;
        continue;
      }
      pending ??= Buffer.allocUnsafe(size);
      const n = Math.min(size - filled, chunk.length - at);
      pending.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        yield pending;
        pending = undefined;
        filled = 0;
      }
    }
  }
  if (pending && filled > 0) yield pending.subarray(0, filled);
}

/** Collect a body into one buffer (for systems that need the whole object, and for tests). */
export async function collect(body: Body | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

/** Clamp a byte range to an object of `size` bytes. */
export function clampRange(size: number, offset = 0, length?: number): { start: number; end: number } {
  const start = Math.min(Math.max(0, offset), size);
  const end = length === undefined ? size : Math.min(size, start + Math.max(0, length));
  return { start, end };
}
