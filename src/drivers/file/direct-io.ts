/**
 * O_DIRECT from Node. The kernel wants the memory address, the file offset and the length of every
 * direct transfer aligned (to the device's logical block, 512 or 4096 bytes; NFS wants nothing). Offsets
 * and lengths are ours to align (ALIGN, and a tail padded then truncated). Memory is the hard part: JS
 * cannot see a Buffer's address. So an arena is allocated once and its aligned start is FOUND: a direct
 * write and read of one block of a probe file are tried at offsets 0, 16, 32... into it (allocations are
 * at least 16-aligned) until the kernel accepts both (writes can be stricter: GlusterFS's FUSE mount
 * takes any address for reads but not for writes). Slots carved from there at multiples of ALIGN are
 * aligned too. Slots are reused; data handed to callers is always copied out, never lent.
 * One transfer moves at most MAX_TRANSFER bytes: GlusterFS refuses larger direct writes (EINVAL).
 */
import { constants } from 'node:fs';
import { type FileHandle, open, unlink, writeFile } from 'node:fs/promises';
import type { IoHandle } from './io-engine.js';

/** File offsets and lengths of direct transfers are multiples of this (covers 512 and 4096 blocks). */
export const ALIGN = 4096;
/** Largest single direct read or write. */
const MAX_TRANSFER = 1024 * 1024;
const SLOTS_PER_ARENA = 4;

export const DIRECT_FLAG = constants.O_DIRECT ?? 0;

/** Round `n` down / up to a multiple of ALIGN. */
export const alignDown = (n: number): number => n - (n % ALIGN);
export const alignUp = (n: number): number => alignDown(n + ALIGN - 1);

/** Aligned buffers of `slotSize` bytes (a multiple of ALIGN) for direct transfers, grown on demand. */
export class AlignedPool {
  private readonly free: Buffer[] = [];
  private arenas = 0;

  private constructor(
    private readonly probe: FileHandle,
    readonly slotSize: number,
  ) {}

  /**
   * Check that `dir`'s file system accepts O_DIRECT and prepare a pool. Returns `undefined` with the
   * reason when it does not (tmpfs before Linux 6.6, FUSE without direct I/O, no O_DIRECT on this OS).
   * `probePath` is a new file the driver owns; it is unlinked as soon as it is open, before this returns.
   */
  static async create(probePath: string, slotSize: number): Promise<AlignedPool | { unsupported: string }> {
    if (!DIRECT_FLAG) return { unsupported: 'this OS has no O_DIRECT' };
    let probe: FileHandle;
    try {
      await writeFile(probePath, Buffer.alloc(ALIGN, 0x5a));
      try {
        probe = await open(probePath, constants.O_RDWR | DIRECT_FLAG);
      } catch (e) {
        return { unsupported: `open with O_DIRECT failed (${(e as { code?: string }).code ?? String(e)})` };
      }
    } finally {
      // The open descriptor is all the pool needs: with the name gone, no probe outlives the process, however
      // it ends (SIGKILL included). NFS keeps a silly-renamed `.nfs*` beside it until the descriptor closes.
      await unlink(probePath).catch(() => undefined);
    }
    const pool = new AlignedPool(probe, alignUp(slotSize));
    try {
      pool.release(await pool.acquire());
      await pool.selfTest(`${probePath}.rw`);
    } catch (e) {
      await probe.close().catch(() => undefined);
      return { unsupported: e instanceof Error ? e.message : String(e) };
    }
    return pool;
  }

  /**
   * A file system may accept one aligned block and still fail real transfers (GlusterFS passes O_DIRECT
   * on to its bricks, whose own alignment rules then apply to split requests): write two slots and an
   * odd tail, truncate, close, read back and compare, before trusting O_DIRECT for a run.
   */
  private async selfTest(path: string): Promise<void> {
    const data = Buffer.alloc(2 * this.slotSize + 1234);
    for (let i = 0; i + 4 <= data.length; i += 4) data.writeUInt32LE(i, i);
    try {
      const w = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | DIRECT_FLAG);
      try {
        await writeDirect(w, this, [data]);
      } finally {
        await w.close();
      }
      const r = await open(path, constants.O_RDONLY | DIRECT_FLAG);
      try {
        const parts: Buffer[] = [];
        for (let at = 0, part: Buffer; at < data.length + 1; at += part.length) {
          part = await readDirect(r, this, at, this.slotSize - 2 * ALIGN);
          if (part.length === 0) break;
          parts.push(part);
        }
        const back = Buffer.concat(parts);
        if (!back.equals(data)) throw new Error('O_DIRECT self-test read back different bytes');
      } finally {
        await r.close();
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new Error(`O_DIRECT self-test failed${code ? ` (${code})` : ''}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }

  /** A free aligned slot (a new arena when none is free: the pool grows to the peak concurrency). */
  async acquire(): Promise<Buffer> {
    const slot = this.free.pop();
    if (slot) return slot;
    const arena = Buffer.allocUnsafeSlow(SLOTS_PER_ARENA * this.slotSize + ALIGN);
    for (let offset = 0; offset < ALIGN; offset += 16) {
      try {
        const { bytesWritten } = await this.probe.write(arena, offset, ALIGN, 0);
        const { bytesRead } = await this.probe.read(arena, offset, ALIGN, 0);
        if (bytesWritten !== ALIGN || bytesRead !== ALIGN) continue;
      } catch {
        continue; // EINVAL: this address is not aligned enough
      }
      this.arenas++;
      for (let i = 1; i < SLOTS_PER_ARENA; i++) {
        this.free.push(arena.subarray(offset + i * this.slotSize, offset + (i + 1) * this.slotSize));
      }
      return arena.subarray(offset, offset + this.slotSize);
    }
    throw new Error('no aligned offset accepted by O_DIRECT reads');
  }

  release(slot: Buffer): void {
    this.free.push(slot);
  }

  /** Slots allocated so far (for the run record). */
  get slots(): number {
    return this.arenas * SLOTS_PER_ARENA;
  }

  async close(): Promise<void> {
    await this.probe.close().catch(() => undefined);
  }
}

/**
 * Write a body to a file opened with O_DIRECT, from byte `position`, in whole aligned slots as they fill.
 *
 * Without `edge` (a new file written from 0): the tail is padded to ALIGN and the file truncated back to
 * its true length. With `edge` (a positional write into a file other writers fill too): nothing outside
 * `[position, position + length)` may be touched, so only the pages wholly inside the range are written
 * directly; the bytes before the first ALIGN boundary and after the last one (each under ALIGN) go to
 * `edge`, a buffered write, and the file is never truncated. Neighbours then share their edge pages only
 * through the page cache, where partial-page writes are safe, and direct reads flush those pages first.
 */
export async function writeDirect(
  fh: IoHandle,
  pool: AlignedPool,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  signal?: AbortSignal,
  position = 0,
  edge?: (data: Uint8Array, at: number) => Promise<void>,
): Promise<void> {
  const head = edge ? alignUp(position) - position : 0;
  const headAt = position;
  const headBuf = Buffer.allocUnsafe(head);
  let headFilled = 0;
  position += head;
  const slot = await pool.acquire();
  let filled = 0;
  const flush = async (length: number): Promise<void> => {
    for (let done = 0; done < length; ) {
      const { bytesWritten } = await fh.write(slot, done, Math.min(length - done, MAX_TRANSFER), position + done);
      done += bytesWritten;
    }
  };
  try {
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      let used = 0;
      if (headFilled < head) {
        used = Math.min(head - headFilled, chunk.byteLength);
        headBuf.set(chunk.subarray(0, used), headFilled);
        headFilled += used;
        if (headFilled === head) await edge!(headBuf, headAt);
      }
      while (used < chunk.byteLength) {
        const n = Math.min(slot.length - filled, chunk.byteLength - used);
        slot.set(chunk.subarray(used, used + n), filled);
        filled += n;
        used += n;
        if (filled === slot.length) {
          await flush(filled);
          position += filled;
          filled = 0;
        }
      }
    }
    if (headFilled < head) {
      if (headFilled > 0) await edge!(headBuf.subarray(0, headFilled), headAt); // the body ended inside the first page
    } else if (filled > 0 && edge) {
      const whole = alignDown(filled);
      if (whole > 0) await flush(whole);
      if (filled > whole) await edge(slot.subarray(whole, filled), position + whole);
    } else if (filled > 0) {
      const padded = alignUp(filled);
      slot.fill(0, filled, padded);
      await flush(padded);
      await fh.truncate(position + filled);
    }
  } finally {
    pool.release(slot);
  }
}

/**
 * Read [position, position + length) of a file opened with O_DIRECT into `into` (at least `length` bytes)
 * or a new buffer; returns the bytes read (short at EOF).
 */
export async function readDirect(fh: IoHandle, pool: AlignedPool, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const slot = await pool.acquire();
  try {
    const start = alignDown(position);
    const want = Math.min(alignUp(position + length) - start, slot.length);
    let bytesRead = 0;
    while (bytesRead < want) {
      const n = (await fh.read(slot, bytesRead, Math.min(want - bytesRead, MAX_TRANSFER), start + bytesRead)).bytesRead;
      if (n === 0) break; // end of file
      bytesRead += n;
    }
    const from = position - start;
    const to = Math.min(bytesRead, from + length);
    const n = Math.max(0, to - from);
    const out = into ? into.subarray(0, n) : Buffer.allocUnsafe(n);
    slot.copy(out, 0, from, from + out.length);
    return out;
  } finally {
    pool.release(slot);
  }
}
