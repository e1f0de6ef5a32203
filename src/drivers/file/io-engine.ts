/**
 * The file system calls of the file:// driver, in two engines (`?io=`, and `auto`, the default, choosing one):
 * - `async` (default): node:fs/promises. Every call is a round trip through libuv's threadpool, so one
 *   event loop keeps many operations in flight; each round trip costs two thread wake-ups.
 * - `sync`: the same calls made directly (openSync, writeSync...), blocking the calling thread like fio's
 *   `psync` engine. No threadpool hand-off; concurrency comes from threads instead, so the runner gives such
 *   a driver one worker per thread (Driver.blocking).
 * - `auto` (the default): `sync` where the run gives each worker a thread of its own (what fio's jobs are), else
 *   `async`; see {@link chooseEngine}.
 * Both engines hand out promises, so the driver's code is the same for either.
 */
import type { Stats } from 'node:fs';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';

export const IO_ENGINES = ['async', 'sync'] as const;
export type IoEngineName = (typeof IO_ENGINES)[number];
/** What `?io=` takes: an engine, or `auto`. */
export const IO_CHOICES = ['auto', ...IO_ENGINES] as const;
export type IoChoice = (typeof IO_CHOICES)[number];

/** The most threads a run may use (the workload schema's `threads` limit): past it, one thread per worker is not to be had. */
const MAX_THREADS = 64;

/** Where the run places the driver's workers (DriverContext), and the host's cores. */
export interface Placement {
  readonly concurrency: number;
  readonly threads?: number | 'auto';
  /** CPUs this process may use (os.availableParallelism()). */
  readonly cores: number;
}

/**
 * The engine `?io=` asks for, and why (recorded with the run). `auto` picks `sync` when each worker will have a
 * thread of its own and the threads fit the cores: a run (threads known) whose `threads` is `auto` (the runner
 * then gives a blocking driver one worker per thread) or at least its concurrency, with a concurrency of at most
 * twice the cores (and 64, the runner's limit); or a worker thread's own driver serving one worker. A blocking
 * call then holds only its own worker's thread and costs no threadpool round trip (two thread wake-ups per call,
 * more than a small file's create costs on a local file system). Otherwise `async`: more workers than threads
 * must share an event loop, which blocking calls would serialize; threads beyond the cores only take turns on
 * them while each costs a V8 isolate to start (about a second of CPU, measured on a 2-core VM); and an embedder
 * outside a run (no placement known) keeps its event loop free.
 */
export function chooseEngine(io: IoChoice, at: Placement): { readonly engine: IoEngineName; readonly why: string } {
  if (io !== 'auto') return { engine: io, why: 'given (io)' };
  const { concurrency, threads, cores } = at;
  const most = Math.min(MAX_THREADS, 2 * cores);
  if (threads === undefined) return { engine: 'async', why: 'auto: async (not a run: no thread placement known)' };
  if (threads !== 'auto' && threads < concurrency) {
    return { engine: 'async', why: `auto: async (${concurrency} workers on ${threads} thread${threads === 1 ? '' : 's'})` };
  }
  if (concurrency > most) {
    return { engine: 'async', why: `auto: async (concurrency ${concurrency} is more than ${most} threads, twice the ${cores} cores)` };
  }
  return { engine: 'sync', why: `auto: sync (one thread per worker, ${concurrency} worker${concurrency === 1 ? '' : 's'})` };
}

/** The part of node:fs/promises' FileHandle the driver uses. */
export interface IoHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  stat(): Promise<Stats>;
  close(): Promise<void>;
}

export interface IoEngine {
  readonly name: IoEngineName;
  open(path: string, flags: number, mode?: number): Promise<IoHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
  lstat(path: string): Promise<Stats>;
  /** lstat, or `undefined` when nothing is there (no error made for the common case of a new directory). */
  lstatIfAny(path: string): Promise<Stats | undefined>;
  /**
   * Open `path` with `flags`, write all of `data` at offset 0, fsync if asked, close: a whole small object in
   * one call. Only the blocking engine has it: its calls then run back to back, with no promise between them
   * (the async engine composes open, write and close, and overlaps close with what follows). On failure the
   * file is closed and the error thrown; what was created stays for the caller to remove.
   */
  readonly writeWhole?: (path: string, flags: number, data: Uint8Array, fsync: boolean) => Promise<void>;
}

export const asyncIo: IoEngine = {
  name: 'async',
  open,
  rename,
  unlink,
  mkdir,
  lstat,
  lstatIfAny: (path) =>
    lstat(path).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }),
};

/** A file descriptor whose calls block; `async` methods turn a thrown error into a rejection. */
class BlockingHandle implements IoHandle {
  constructor(private readonly fd: number) {}
  async read(buffer: Uint8Array, offset: number, length: number, position: number | null) {
    return { bytesRead: readSync(this.fd, buffer, offset, length, position) };
  }
  async write(buffer: Uint8Array, offset: number, length: number, position: number | null) {
    return { bytesWritten: writeSync(this.fd, buffer, offset, length, position) };
  }
  async truncate(length: number) {
    ftruncateSync(this.fd, length);
  }
  async sync() {
    fsyncSync(this.fd);
  }
  async stat() {
    return fstatSync(this.fd);
  }
  async close() {
    closeSync(this.fd);
  }
}

export const syncIo: IoEngine = {
  name: 'sync',
  async open(path, flags, mode) {
    return new BlockingHandle(openSync(path, flags, mode));
  },
  async rename(from, to) {
    renameSync(from, to);
  },
  async unlink(path) {
    unlinkSync(path);
  },
  async mkdir(path, options) {
    return mkdirSync(path, options);
  },
  async lstat(path) {
    return lstatSync(path);
  },
  async lstatIfAny(path) {
    return lstatSync(path, { throwIfNoEntry: false });
  },
  async writeWhole(path, flags, data, fsync) {
    const fd = openSync(path, flags, 0o644);
    try {
      for (let done = 0; done < data.byteLength; ) done += writeSync(fd, data, done, data.byteLength - done, done);
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};
