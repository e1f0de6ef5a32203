/**
 * The connected file:// driver: object calls on a root whose settings (file system, profile, layout, fsync,
 * O_DIRECT) were decided at connect (./file-driver.ts). Keys and prefixes arrive checked (the ContractLayer);
 * node:fs errors are thrown as they are and named by ./file-errors.ts (the driver's mapError).
 */
import { constants } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { threadpoolInfo } from '../../threadpool/threadpool.js';
import type { DriverCore } from '../kernel/define-driver.js';
import { forEachLimited, paginate } from '../kernel/mechanics.js';
import { clampRange } from '../keys.js';
import {
  type Body,
  type Environment,
  isStorageError,
  type ListOptions,
  type ObjectInfo,
  type Operation,
  type ReadOptions,
  type ReadResult,
  type ScanEntry,
  type Semantics,
  StorageError,
  type Warning,
  type WriteOptions,
} from '../types.js';
import { type AlignedPool, DIRECT_FLAG, writeDirect } from './direct-io.js';
import { type CacheDrop, dropCaches } from './drop-caches.js';
import { appendBody, fileBody, type ReadPlan, writeAll, writeBody } from './file-body.js';
import { errnoOf, isMissing } from './file-errors.js';
import type { RootPaths } from './file-paths.js';
import { prune, walk } from './file-walk.js';
import { type FileSystemInfo, isNetworkFileSystem } from './fs-type.js';
import type { IoEngine, IoHandle } from './io-engine.js';
import type { Profile, WriteMode } from './profiles.js';

// O_NOFOLLOW: a symlink as the last component of a key is never followed (it could point anywhere).
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
// writeMode=in-place: the key's own file, new or emptied (an overwrite replaces the whole object)
const REPLACE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;
// writeAt: the key's own file, in place (no O_TRUNC: other writers' ranges live there too).
const IN_PLACE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW;
const NEW_FLAGS = constants.O_CREAT | constants.O_EXCL;

/** Unlinks in flight at once during deletePrefix. */
const DELETE_CONCURRENCY = 256;
/** Reads up to this size allocate from Node's buffer pool, which is cheaper than borrowing. */
const SMALL_READ = 64 * 1024;

export const PAGE_CACHE_TEXT = 'neither O_DIRECT nor dropped caches: reads of recently written data may come from the page cache';
export const THREADPOOL_HANDOFF_TEXT =
  "io=async on a local file system: every call is a hand-off to libuv's threadpool, " +
  'which can cost more than the call itself for small files; compare with ?io=sync (blocking calls, one thread per worker, like fio psync)';

/** What connect decided about a root: the core's settings, fixed for its life. */
export interface FileSetup {
  readonly paths: RootPaths;
  readonly io: IoEngine;
  readonly fs: FileSystemInfo;
  readonly profile: Profile;
  /** The profile came from the URL (else it was detected from the mount). */
  readonly profileGiven: boolean;
  readonly fsync: boolean;
  /** Temporary file and rename, or the key's file written in place. */
  readonly writeMode: WriteMode;
  /** Where the write mode came from (recorded). */
  readonly writeModeSource: 'profile' | 'given';
  /** Why this I/O engine (`io`: given, or auto's choice; recorded). */
  readonly ioWhy: string;
  /** O_DIRECT's pool of aligned buffers, when O_DIRECT is on. */
  readonly direct: AlignedPool | undefined;
  /** Why O_DIRECT is on or off (recorded). */
  readonly directNote: string;
  /** What was done about Lustre striping (recorded). */
  readonly stripe: string;
  readonly readChunk: number;
  /** In-flight operations the run keeps (recorded against the threadpool's size). */
  readonly concurrency: number;
  /** The start of this instance's temporary names, `#tmp.<token>.`: unique per driver instance. */
  readonly tmpPrefix: string;
}

/** The file:// core over a connected root. */
export function fileCore(setup: FileSetup): DriverCore & { dropCaches(): Promise<CacheDrop> } {
  const { paths, io, fs, profile, fsync, direct, readChunk, tmpPrefix, writeMode } = setup;
  const { layout } = paths;
  // One kernel: close and rename may go to the threadpool together (see write).
  const localFs = fs.type !== 'unknown' && !isNetworkFileSystem(fs.type);
  const plan: ReadPlan = { readChunk, readAhead: io.name === 'async', direct, spareBuffers: [] };
  let tmpSeq = 0;
  let lastDrop: CacheDrop | undefined;

  async function syncDir(dir: string): Promise<void> {
    const d = await io.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /**
   * Open a file to write in a key's directory, which `paths.placeForWrite` made or found. A directory known to
   * exist may have gone since (a deleted prefix prunes its directories): then it is made again, once.
   */
  async function create(rel: string, key: string, path: string, flags = direct ? CREATE_FLAGS | DIRECT_FLAG : CREATE_FLAGS): Promise<IoHandle> {
    try {
      return await io.open(path, flags, 0o644);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT' || rel === '') throw e;
      paths.forget();
      await paths.placeForWrite(key);
      return io.open(path, flags, 0o644);
    }
  }

  /**
   * Open a key's file to write into it in place: the existing file, else a new one. `created`: this call
   * made it, so with fsync its directory entry must be synced too.
   */
  async function openInPlace(rel: string, key: string, file: string, flags: number): Promise<{ fh: IoHandle; created: boolean }> {
    try {
      return { fh: await io.open(file, flags), created: false };
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
    try {
      return { fh: await create(rel, key, file, flags | NEW_FLAGS), created: true };
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e; // another writer created it first
      return { fh: await io.open(file, flags), created: false };
    }
  }

  /** Open a key's file for reading and check it is a regular file. */
  async function openForRead(op: Operation, key: string, file: string): Promise<{ fh: IoHandle; size: number; modified: number }> {
    const fh = await io.open(file, direct ? READ_FLAGS | DIRECT_FLAG : READ_FLAGS);
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new StorageError('NotFound', 'file', op, 'no such object (a directory)', { key });
      return { fh, size: st.size, modified: st.mtimeMs };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  /** The size and time of each walked file still there (a listing may race a delete). */
  async function infos(page: readonly { key: string; path: string }[]): Promise<ObjectInfo[]> {
    const found = await Promise.all(
      page.map(async ({ key, path }): Promise<ObjectInfo | undefined> => {
        try {
          const st = await lstat(path);
          return { key, size: st.size, modified: st.mtimeMs };
        } catch (e) {
          if (errnoOf(e) === 'ENOENT') return undefined; // deleted since readdir saw it
          throw e;
        }
      }),
    );
    return found.filter((i): i is ObjectInfo => i !== undefined);
  }

  /**
   * A whole in-memory body written by the engine's one call (writeWhole), when it has one and O_DIRECT is off:
   * true when done, false when the body must go the composed way. A directory found missing is made again, once.
   */
  async function writeWhole(rel: string, key: string, path: string, flags: number, body: Body): Promise<boolean> {
    if (!io.writeWhole || direct || !(body instanceof Uint8Array)) return false;
    try {
      await io.writeWhole(path, flags, body, fsync);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT' || rel === '') throw e;
      paths.forget();
      await paths.placeForWrite(key);
      await io.writeWhole(path, flags, body, fsync);
    }
    return true;
  }

  /**
   * writeMode=in-place: create (or truncate) the key's file, write, close: one `open` fewer than a temporary
   * name and a `rename` (mdtest's create-write-close). A failed or aborted write removes the file: the object it
   * replaced was truncated already, so what is left would be neither. The abort is acted on at once, even while
   * a streamed body is stalled, so no part of the write outlives its deadline under the key.
   */
  async function writeInPlace(rel: string, key: string, dir: string, file: string, body: Body, signal: AbortSignal | undefined): Promise<void> {
    try {
      if (await writeWhole(rel, key, file, REPLACE_FLAGS, body)) {
        if (fsync) await syncDir(dir);
        return;
      }
    } catch (e) {
      await io.unlink(file).catch(() => undefined);
      throw e;
    }
    const fh = await create(rel, key, file, direct ? REPLACE_FLAGS | DIRECT_FLAG : REPLACE_FLAGS);
    // only streamed writes get a signal (the runner's rule), so this closure is not made per small write
    const remove = signal && ((): void => void io.unlink(file).catch(() => undefined));
    if (remove) signal.addEventListener('abort', remove, { once: true });
    try {
      if (direct) await writeDirect(fh, direct, body instanceof Uint8Array ? [body] : body, signal);
      else await writeBody(fh, body, signal);
      if (fsync) await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await io.unlink(file).catch(() => undefined);
      throw e;
    } finally {
      if (remove) signal.removeEventListener('abort', remove);
    }
    try {
      await fh.close(); // NFS and FUSE report deferred write errors here
    } catch (e) {
      await io.unlink(file).catch(() => undefined);
      throw e;
    }
    if (fsync) await syncDir(dir);
  }

  function semantics(): Semantics {
    const network = isNetworkFileSystem(fs.type);
    return {
      writeDurability:
        writeMode === 'atomic'
          ? fsync
            ? 'fsync of the file before rename into place, then fsync of its directory'
            : 'page cache: written to a temporary file and renamed into place, no fsync (lost on a host crash, never seen partial)'
          : fsync
            ? 'fsync of the file (created or truncated in place), then of its directory'
            : 'page cache: the file created (or truncated) in place, written and closed, no fsync (lost on a host crash; a reader may see part of a write)',
      writeMode,
      readAfterWrite: network ? `what ${fs.display} gives after close and rename (close-to-open on NFS; clients may cache attributes)` : 'strong (one kernel)',
      listConsistency: 'readdir of the directory tree: every completed rename is seen; directory order, not sorted',
      fileSystem: fs.type,
      profile: profile.name,
      fsync,
      directIO: direct !== undefined,
      fanout: layout.levels === 0 ? 'none (keys are paths)' : `${layout.levels} level${layout.levels === 1 ? '' : 's'} x ${layout.width} buckets`,
      positionalWrite:
        `in place (pwrite${direct ? ' with O_DIRECT for whole pages, unaligned edges buffered' : ''}), no temporary file; ` +
        (fsync ? 'fsync of the file, and of its directory when created' : 'no fsync'),
    };
  }

  function environment(): Environment {
    const tp = threadpoolInfo();
    return {
      root: paths.root,
      fsType: fs.type,
      fsName: fs.display,
      fsMagic: fs.magic,
      fsBlockSize: fs.blockSize,
      ...(fs.mount ? { mountPoint: fs.mount.mountPoint, mountSource: fs.mount.source, mountOptions: fs.mount.options } : {}),
      profile: profile.name,
      profileSource: setup.profileGiven ? 'given' : 'detected',
      profileWhy: profile.why,
      fanoutLevels: layout.levels,
      fanoutWidth: layout.width,
      fsync,
      writeMode,
      writeModeSource: setup.writeModeSource,
      readChunk,
      directIO: setup.directNote,
      ...(direct ? { directSlots: direct.slots } : {}),
      largeFileMode: profile.largeFileMode,
      lustreStripe: setup.stripe,
      dropCaches: lastDrop ? (lastDrop.dropped ? 'dropped before measuring' : `not dropped: ${lastDrop.detail}`) : 'not asked',
      // `async`: node:fs/promises through libuv's threadpool; `sync`: blocking calls on the worker's own thread (fio psync)
      ioEngine: io.name,
      ioEngineWhy: setup.ioWhy,
      ...(io.name === 'async'
        ? {
            uvThreadpoolSize: tp.size,
            uvThreadpoolSource: tp.source,
            // More operations in flight than threads just queue inside libuv: the figure is the pool's.
            threadpoolLimited: setup.concurrency > tp.size,
          }
        : {}),
    };
  }

  function warnings(): Warning[] {
    const found: Warning[] = [];
    // Reads served from this host's page cache measure memory; say so when nothing prevented it.
    if (!direct && !lastDrop?.dropped) found.push({ code: 'page-cache', text: PAGE_CACHE_TEXT });
    if (io.name === 'async' && !isNetworkFileSystem(fs.type)) found.push({ code: 'threadpool-handoff', text: THREADPOOL_HANDOFF_TEXT });
    return found;
  }

  return {
    async close() {
      await direct?.close();
    },
    async dropCaches() {
      lastDrop = await dropCaches();
      return lastDrop;
    },
    system: () => fs.display,
    largeFileMode: () => profile.largeFileMode,
    semantics,
    environment,
    warnings,

    async write(key: string, body: Body, options: WriteOptions = {}) {
      const { dir, file, rel } = await paths.placeForWrite(key);
      if (writeMode === 'in-place') return writeInPlace(rel, key, dir, file, body, options.signal);
      const tmp = `${dir}/${tmpPrefix}${++tmpSeq}`;
      let fh: IoHandle | undefined;
      try {
        if (await writeWhole(rel, key, tmp, CREATE_FLAGS, body)) {
          await io.rename(tmp, file);
          if (fsync) await syncDir(dir);
          return;
        }
        fh = await create(rel, key, tmp);
        if (direct) await writeDirect(fh, direct, body instanceof Uint8Array ? [body] : body, options.signal);
        else await writeBody(fh, body, options.signal);
        if (fsync) await fh.sync();
        const closing = fh;
        fh = undefined;
        if (localFs) {
          // One kernel: the data written is what any reader of the renamed file sees, closed or not, so
          // close and rename go to the threadpool together (one round trip less per small object).
          await Promise.all([closing.close(), io.rename(tmp, file)]);
        } else {
          await closing.close(); // NFS and FUSE report deferred write errors here: publish only after it
          await io.rename(tmp, file);
        }
        if (fsync) await syncDir(dir);
      } catch (e) {
        if (fh) await fh.close().catch(() => undefined);
        await io.unlink(tmp).catch(() => undefined);
        throw e;
      }
    },

    async writeAt(key: string, offset: number, body: Body, options: WriteOptions = {}) {
      const { dir, file, rel } = await paths.placeForWrite(key);
      // In place, not through a temporary file and a rename: the file holds other writers' ranges. So a
      // reader may see part of this write, and a failed one leaves what it wrote (the file is not removed).
      const handles: IoHandle[] = [];
      try {
        const opened = await openInPlace(rel, key, file, direct ? IN_PLACE_FLAGS | DIRECT_FLAG : IN_PLACE_FLAGS);
        handles.push(opened.fh);
        if (direct) {
          // O_DIRECT for the pages wholly inside the range; its unaligned edges through a buffered handle
          const edge = async (data: Uint8Array, at: number): Promise<void> => {
            if (handles.length < 2) handles.push(await io.open(file, IN_PLACE_FLAGS));
            await writeAll(handles[1]!, data, at);
          };
          await writeDirect(opened.fh, direct, body instanceof Uint8Array ? [body] : body, options.signal, offset, edge);
        } else {
          await writeBody(opened.fh, body, options.signal, offset);
        }
        if (fsync) await Promise.all(handles.map((h) => h.sync()));
        await Promise.all(handles.splice(0).map((h) => h.close())); // NFS and FUSE report deferred write errors here
        if (fsync && opened.created) await syncDir(dir);
      } catch (e) {
        await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
        throw e;
      }
    },

    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      const { file } = await paths.place('read', key);
      const { fh, size } = await openForRead('read', key, file);
      const { start, end } = clampRange(size, options.offset, options.length);
      return { size: end - start, body: fileBody(plan, fh, start, end, options.reuseChunks === true && end - start > SMALL_READ) };
    },

    async stat(key: string): Promise<ObjectInfo> {
      const { file } = await paths.place('stat', key);
      const st = await io.lstat(file);
      if (st.isSymbolicLink()) throw Object.assign(new Error('symlink'), { code: 'ELOOP' });
      if (!st.isFile()) throw new StorageError('NotFound', 'file', 'stat', 'no such object (a directory)', { key });
      return { key, size: st.size, modified: st.mtimeMs };
    },

    async delete(key: string) {
      const { file } = await paths.place('delete', key);
      try {
        await io.unlink(file);
      } catch (e) {
        // Missing, or a directory (a prefix of other keys when fanout=0): either way not an object.
        if (!isMissing(e) && errnoOf(e) !== 'EISDIR') throw e;
      }
    },

    async *list(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
      for await (const walked of paginate(walk(paths, 'list', prefix), options.pageSize ?? 1000)) {
        const page = await infos(walked);
        if (page.length > 0) yield page;
      }
    },

    async *scan(prefix: string): AsyncIterable<ScanEntry> {
      let previous: AsyncIterator<Uint8Array> | undefined;
      try {
        for await (const { key, path } of walk(paths, 'scan', prefix)) {
          await previous?.return?.(); // the caller may not have drained the last body: close its file
          let opened;
          try {
            opened = await openForRead('scan', key, path);
          } catch (e) {
            if (isMissing(e) || isStorageError(e, 'NotFound')) continue; // deleted since readdir
            throw e;
          }
          const body = fileBody(plan, opened.fh, 0, opened.size);
          previous = body;
          yield { info: { key, size: opened.size, modified: opened.modified }, body };
        }
      } finally {
        await previous?.return?.();
      }
    },

    async append(key: string, body: Body, options: WriteOptions = {}) {
      const { file } = await paths.place('append', key);
      const fh = await io.open(file, APPEND_FLAGS);
      try {
        await appendBody(fh, body, options.signal);
        if (fsync) await fh.sync();
      } finally {
        await fh.close().catch(() => undefined);
      }
    },

    async rename(from: string, to: string) {
      const src = await paths.place('rename', from);
      const dst = await paths.place('rename', to);
      // Only objects move: a directory (a prefix, with fanout=0) is not one.
      const st = await io.lstat(src.file);
      if (!st.isFile()) throw new StorageError('NotFound', 'file', 'rename', 'no such object', { key: from });
      try {
        await io.rename(src.file, dst.file);
      } catch (e) {
        if (errnoOf(e) !== 'ENOENT') throw e;
        await io.mkdir(dst.dir, { recursive: true });
        await io.rename(src.file, dst.file);
      }
      if (fsync) await Promise.all([syncDir(src.dir), src.dir === dst.dir ? undefined : syncDir(dst.dir)]);
    },

    async deletePrefix(prefix: string): Promise<number> {
      let removed = 0;
      await forEachLimited(walk(paths, 'delete', prefix), DELETE_CONCURRENCY, async ({ path }) => {
        try {
          await unlink(path);
          removed++;
        } catch (e) {
          if (errnoOf(e) !== 'ENOENT') throw e;
        }
      });
      await prune(paths, prefix);
      return removed;
    },
  };
}
