/**
 * Object contents. Without verification every write sends slices of one seeded random block (no per-op
 * allocation on the measuring path). With verification each object carries a pattern derived from its
 * salt and each 4-byte word's offset (elbencho's idea), so any reader can check any range it reads.
 */
import { type Body, StorageError } from '../drivers/types.js';
import { sfc32 } from './random.js';

const GOLDEN = 0x9e3779b1;

/** `length` bytes of the self-checking pattern of `salt`, starting at byte `start` of the object. */
export function patternBytes(salt: number, start: number, length: number): Buffer {
  const firstWord = Math.floor(start / 4);
  const words = Math.ceil((start + length) / 4) - firstWord;
  const buf = Buffer.allocUnsafe(words * 4);
  for (let i = 0; i < words; i++) buf.writeUInt32LE((salt + Math.imul(firstWord + i, GOLDEN)) >>> 0, i * 4);
  const skip = start - firstWord * 4;
  return buf.subarray(skip, skip + length);
}

export class PayloadSource {
  private readonly block: Buffer;
  /** The last slice handed out: fixed-size workloads reuse it instead of allocating a view per write. */
  private slice: Buffer;

  constructor(
    seed: number,
    private readonly blockSize: number,
    private readonly verify: boolean,
  ) {
    this.block = Buffer.allocUnsafeSlow(blockSize); // its own memory: aligned for the word view below
    const random = sfc32(seed, 0xb10c);
    const words = new Uint32Array(this.block.buffer, this.block.byteOffset, blockSize >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = (random() * 4294967296) >>> 0;
    for (let i = words.length * 4; i < blockSize; i++) this.block[i] = (random() * 256) >>> 0; // never uninitialized memory
    this.slice = this.block.subarray(0, 0);
  }

  /** The body of an object of `size` bytes with content salt `salt`. */
  body(salt: number, size: number): Body {
    if (size <= this.blockSize) {
      if (this.verify) return patternBytes(salt, 0, size);
      if (this.slice.length !== size) this.slice = this.block.subarray(0, size);
      return this.slice;
    }
    return this.stream(salt, size);
  }

  private async *stream(salt: number, size: number): AsyncIterable<Uint8Array> {
    for (let offset = 0; offset < size; offset += this.blockSize) {
      const n = Math.min(this.blockSize, size - offset);
      yield this.verify ? patternBytes(salt, offset, n) : n === this.blockSize ? this.block : this.block.subarray(0, n);
    }
  }
}

/**
 * Consume a read body, returning the bytes read; with `salt` each chunk is checked against the pattern
 * starting at `offset`, and a mismatch throws StorageError Corrupt. `onFirstByte` fires once, at the first chunk.
 */
export async function consume(
  body: AsyncIterable<Uint8Array>,
  driver: string,
  key: string,
  salt: number | undefined,
  offset: number,
  onFirstByte?: () => void,
): Promise<number> {
  let n = 0;
  let first = onFirstByte;
  for await (const chunk of body) {
    if (first) {
      first();
      first = undefined;
    }
    if (salt !== undefined && chunk.length > 0) {
      const expected = patternBytes(salt, offset + n, chunk.length);
      if (!expected.equals(chunk)) {
        let at = 0;
        while (at < chunk.length && chunk[at] === expected[at]) at++;
        throw new StorageError('Corrupt', driver, 'read', `content differs from what was written at byte ${offset + n + at}`, { key });
      }
    }
    n += chunk.length;
  }
  return n;
}
