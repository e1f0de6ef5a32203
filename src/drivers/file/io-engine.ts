/**
 * The file system calls of the file:// driver, in two engines (`?io=`):
 * - `async` (default): node:fs/promises. Every call is a round trip through libuv's threadpool, so one
 *   event loop keeps many operations in flight; each round trip costs two thread wake-ups.
 * - `sync`: the same calls made directly (openSync, writeSync...), blocking the calling thread like fio's
 *   `psync` engine. No threadpool hand-off; concurrency comes from threads instead, so the runner gives such
 *   a driver one worker per thread (Driver.blocking).
 * Both engines hand out promises, so the driver's code is the same for either.
 */
import type { Stats } from 'node:fs';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';

export const IO_ENGINES = ['async', 'sync'] as const;
export type IoEngineName = (typeof IO_ENGINES)[number];

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
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  lstat(path: string): Promise<Stats>;
}

export const asyncIo: IoEngine = { name: 'async', open, rename, unlink, mkdir, lstat };

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
};
