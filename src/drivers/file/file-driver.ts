/**
 * `file:///path`: any POSIX mount (local disk, tmpfs, NFS, GlusterFS, Lustre, GPFS, CephFS...) through
 * node:fs/promises. Keys are laid out under the root by ./layout.ts (hash fan-out, reversible); writes go
 * to a temporary name and are renamed into place, so a reader never sees a partial object; the file
 * system type is detected at open and recorded. See README.md for the URL options.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, opendir, realpath, rmdir, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { UsageError } from '../../errors.js';
import { checkKey, checkOffset, checkPrefix, clampRange } from '../keys.js';
import { boolOption, intOption, sizeOption } from '../target.js';
import {
  StorageError, type Body, type Capabilities, type Driver, type DriverContext, type Environment, type ListOptions,
  type ObjectInfo, type Operation, type ReadOptions, type ReadResult, type ScanEntry, type Semantics, type WriteOptions,
} from '../types.js';
import { ALIGN, AlignedPool, DIRECT_FLAG, readDirect, writeDirect } from './direct-io.js';
import { dropCaches, type CacheDrop } from './drop-caches.js';
import { errnoOf, fileError } from './file-errors.js';
import { detectFileSystem, isNetworkFileSystem, type FileSystemInfo } from './fs-type.js';
import { asyncIo, IO_ENGINES, syncIo, type IoEngineName, type IoHandle } from './io-engine.js';
import { decodeName, encodePath, isBucket, locate, type Layout } from './layout.js';
import { detectProfile, PROFILE_NAMES, PROFILES, type DirectMode, type Profile, type ProfileName } from './profiles.js';
import { threadpoolInfo } from './threadpool.js';

export { dropCaches, type CacheDrop } from './drop-caches.js';
export { configureThreadpool, threadpoolInfo } from './threadpool.js';

const NAME = 'file';
const CAPABILITIES: Capabilities = {
  rangeRead: true, append: true, rename: true, list: true, scan: true,
  unknownLengthWrite: true, multipart: false, maxObjectSize: Number.MAX_SAFE_INTEGER, persistent: true, positionalWrite: true, keyAndPrefixCoexist: true,
};

// O_NOFOLLOW: a symlink as the last component of a key is never followed (it could point anywhere).
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;
// writeAt: the key's own file, in place (no O_TRUNC: other writers' ranges live there too).
const IN_PLACE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW;
const NEW_FLAGS = constants.O_CREAT | constants.O_EXCL;

/** Directories whose symlink check passed are remembered; past this many the memory is dropped. */
const MAX_CHECKED_DIRS = 100_000;
/** Where the O_DIRECT probe is made: the directory of every key a run writes (`storbench/<run>/...`). */
const PROBE_DIR = 'storbench';
/** Unlinks in flight at once during deletePrefix. */
const DELETE_BATCH = 256;
/** A write's temporary file: `#tmp.<token of its driver instance>.<sequence>` (see `tmpPrefix`). */
const TEMPORARY = /^#tmp\.[0-9a-f]{12}\.\d+$/;
/** Reused read buffers kept for later reads (each `readChunk` bytes). */
const MAX_SPARE_BUFFERS = 64;
/** Reads up to this size allocate from Node's buffer pool, which is cheaper than borrowing. */
const SMALL_READ = 64 * 1024;

interface Walked { readonly key: string; readonly path: string }

/** The file driver also offers {@link dropCaches} to the runner (called between prepare and measure). */
export interface FileDriver extends Driver {
  dropCaches(): Promise<CacheDrop>;
}

/** An option given in the URL, or `undefined` so the profile decides. */
function given<T>(target: DriverContext['target'], name: string, read: () => T): T | undefined {
  const v = target.options[name];
  return v === undefined || v === '' ? undefined : read();
}

function directOption(target: DriverContext['target']): DirectMode | undefined {
  return given(target, 'direct', () => {
    const v = target.options.direct!.toLowerCase();
    if (v === 'auto') return 'auto';
    return boolOption(target, 'direct', false) ? 'on' : 'off';
  });
}

/**
 * Create the `file://` driver. Options: profile, fanout, fanoutWidth, fsync, direct, io, readChunk,
 * stripeCount, stripeSize (README.md). Options the URL leaves out come from the profile, resolved at open.
 */
export function createFileDriver(context: DriverContext): FileDriver {
  const { target } = context;
  if (target.hosts.length > 0 && !(target.hosts.length === 1 && target.hosts[0] === 'localhost')) {
    throw new UsageError(`target: file:// takes no host ("${target.hosts.join(',')}"); write file:///absolute/path`);
  }
  if (target.path === '') throw new UsageError('target: file:// needs an absolute path, e.g. file:///data/bench');
  const profileOption = given(target, 'profile', () => {
    const p = target.options.profile as ProfileName;
    if (!PROFILE_NAMES.includes(p)) throw new UsageError(`target option profile: expected one of ${PROFILE_NAMES.join(', ')}, got "${p}"`);
    return p;
  });
  const fanoutOption = given(target, 'fanout', () => intOption(target, 'fanout', 2, 0, 4));
  const widthOption = given(target, 'fanoutWidth', () => intOption(target, 'fanoutWidth', 64, 2, 256));
  const fsyncOption = given(target, 'fsync', () => boolOption(target, 'fsync', false));
  const directMode = directOption(target);
  const stripeCountOption = given(target, 'stripeCount', () => intOption(target, 'stripeCount', 1, -1, 65535));
  const stripeSizeOption = given(target, 'stripeSize', () => {
    const v = target.options.stripeSize!;
    if (!/^[0-9]+[KMG]?$/i.test(v)) throw new UsageError(`target option stripeSize: expected lfs's form (1M, 4M, 65536), got "${v}"`);
    return v;
  });
  const ioName = (target.options.io || 'async') as IoEngineName;
  if (!IO_ENGINES.includes(ioName)) throw new UsageError(`target option io: expected async or sync, got "${ioName}"`);
  const io = ioName === 'sync' ? syncIo : asyncIo;
  const readAhead = io === asyncIo;
  const readChunk = sizeOption(target, 'readChunk', 1024 * 1024);
  if (readChunk < 4096 || readChunk > 64 * 1024 * 1024) throw new UsageError('target option readChunk: expected 4KiB to 64MiB');

  // Resolved at open, once the file system (and so the profile) is known.
  let profile: Profile = PROFILES.local;
  let layout: Layout = { levels: fanoutOption ?? 2, width: widthOption ?? 64 };
  let fsync = false;
  let direct: AlignedPool | undefined;
  let directNote = 'off';
  let stripe = 'not applicable';
  let lastDrop: CacheDrop | undefined;

  // Unique per driver instance: worker threads share a pid, and NFS clients on many hosts share a directory.
  const token = randomBytes(6).toString('hex');
  const tmpPrefix = `#tmp.${token}.`;
  let tmpSeq = 0;
  let root = '';
  let fs: FileSystemInfo = { type: 'unknown', display: 'unknown', magic: '', blockSize: 0 };
  let localFs = false;
  const checkedDirs = new Set<string>();
  const spareBuffers: Buffer[] = [];

  const abs = (rel: string): string => (rel === '' ? root : `${root}/${rel}`);

  /**
   * Refuse a key whose directories pass through a symlink pointing outside the root. Each directory is
   * checked once (lstat, realpath for a symlink) and remembered; directories the driver creates are real.
   */
  async function guard(op: Operation, key: string, dirRel: string): Promise<void> {
    if (dirRel === '' || checkedDirs.has(dirRel)) return;
    if (checkedDirs.size > MAX_CHECKED_DIRS) checkedDirs.clear();
    let at = 0;
    while (at >= 0) {
      at = dirRel.indexOf('/', at + 1);
      const rel = at < 0 ? dirRel : dirRel.slice(0, at);
      if (checkedDirs.has(rel)) continue;
      let st;
      try {
        st = await io.lstat(abs(rel));
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') return; // the rest does not exist yet: created real
        throw fileError(op, key, e);
      }
      if (st.isSymbolicLink()) {
        const real = await realpath(abs(rel)).catch((e: unknown) => { throw fileError(op, key, e); });
        if (real !== root && !real.startsWith(`${root}/`)) {
          throw new StorageError('InvalidInput', NAME, op, `directory "${rel}" is a symlink pointing outside the root`, { key });
        }
      } else if (!st.isDirectory()) {
        return; // a file where a directory should be: the operation fails with ENOTDIR (NotFound)
      }
      checkedDirs.add(rel);
    }
  }

  /** Validate, check symlinks, and give the absolute directory and file of a key. */
  async function place(op: Operation, key: string): Promise<{ dir: string; file: string }> {
    checkKey(NAME, op, key);
    const loc = locate(key, layout);
    await guard(op, key, loc.dir);
    return { dir: abs(loc.dir), file: abs(loc.file) };
  }

  /** Write all of `data` at `position` (`null`: at the file offset, as O_APPEND needs). */
  async function writeAll(fh: IoHandle, data: Uint8Array, position: number | null = null): Promise<void> {
    for (let done = 0; done < data.byteLength;) {
      const at = position === null ? null : position + done;
      const { bytesWritten } = await fh.write(data, done, data.byteLength - done, at);
      done += bytesWritten;
    }
  }

  /**
   * Write a body to a new file. A streamed body is written one chunk behind: chunk k+1 is asked for while
   * chunk k is being written at its own offset (each write is a threadpool round trip, which would otherwise
   * leave the producer idle). Like Node's streams, a chunk belongs to the consumer once it is yielded.
   */
  async function writeBody(fh: IoHandle, body: Body, signal?: AbortSignal, start = 0): Promise<void> {
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
  async function appendBody(fh: IoHandle, body: Body, signal?: AbortSignal): Promise<void> {
    for await (const chunk of body instanceof Uint8Array ? [body] : body) {
      signal?.throwIfAborted();
      await writeAll(fh, chunk);
    }
  }

  async function syncDir(dir: string): Promise<void> {
    const d = await io.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /** Open a new file in `dir`, creating the directory (and its buckets) on first use. */
  async function create(dir: string, path: string, flags = direct ? CREATE_FLAGS | DIRECT_FLAG : CREATE_FLAGS): Promise<IoHandle> {
    try {
      return await io.open(path, flags, 0o644);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
      await io.mkdir(dir, { recursive: true });
      return io.open(path, flags, 0o644);
    }
  }

  /**
   * Open a key's file to write into it in place: the existing file, else a new one. `created`: this call
   * made it, so with fsync its directory entry must be synced too.
   */
  async function openInPlace(dir: string, file: string, flags: number): Promise<{ fh: IoHandle; created: boolean }> {
    try {
      return { fh: await io.open(file, flags), created: false };
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
    try {
      return { fh: await create(dir, file, flags | NEW_FLAGS), created: true };
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e; // another writer created it first
      return { fh: await io.open(file, flags), created: false };
    }
  }

  /**
   * A read body over [start, end) of an open file; closes it at the end, on error, and on return().
   * While the caller handles one chunk the next is already being read (one chunk ahead): each chunk is a
   * round trip through libuv's threadpool, and without read-ahead the thread would idle during it. The sync
   * engine reads each chunk when asked (a blocking read cannot overlap anything), into one buffer, as fio does.
   * With `reuse` (ReadOptions.reuseChunks) chunks alternate between two buffers borrowed from
   * `spareBuffers` (the caller has dropped chunk k when it asks for k+1, and k+2 goes where k was):
   * fresh 1 MiB buffers cost page faults and GC work per MiB that a benchmark would otherwise measure.
   */
  function fileBody(fh: IoHandle, key: string, start: number, end: number, reuse = false): AsyncIterable<Uint8Array> & AsyncIterator<Uint8Array> {
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
          throw fileError('read', key, e);
        }
        if (buf.length === 0) return finish();
        if (buf.length < current.length) pos = end; // the file shrank under us: end where it ends now
        if (readAhead) ahead = request();
        return { done: false, value: buf };
      },
      return: finish,
    };
  }

  /** Open a key's file for reading and check it is a regular file. */
  async function openForRead(op: Operation, key: string, file: string): Promise<{ fh: IoHandle; size: number; modified: number }> {
    const fh = await io.open(file, direct ? READ_FLAGS | DIRECT_FLAG : READ_FLAGS).catch((e: unknown) => { throw fileError(op, key, e); });
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new StorageError('NotFound', NAME, op, 'no such object (a directory)', { key });
      return { fh, size: st.size, modified: st.mtimeMs };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw fileError(op, key, e);
    }
  }

  /** Where a prefix starts: the key directory it names and the start of the names under it. */
  function splitPrefix(prefix: string): { dirKey: string; namePrefix: string; dirRel: string } {
    const cut = prefix.lastIndexOf('/');
    const dirKey = prefix.slice(0, cut + 1);
    return { dirKey, namePrefix: prefix.slice(cut + 1), dirRel: encodePath(dirKey.slice(0, -1)) };
  }

  /** Entries of a directory with their type; a missing directory is empty. lstat when d_type is unknown. */
  async function* entries(dir: string): AsyncGenerator<{ name: string; path: string; kind: 'file' | 'dir' | 'other' }> {
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 256 });
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw e;
    }
    for await (const ent of handle) {
      const path = `${dir}/${ent.name}`;
      let kind: 'file' | 'dir' | 'other' = ent.isFile() ? 'file' : ent.isDirectory() ? 'dir' : 'other';
      // Some network file systems return DT_UNKNOWN for every entry; symlinks stay 'other' (never followed).
      if (kind === 'other' && !ent.isSymbolicLink()) {
        const st = await lstat(path).catch(() => undefined);
        if (st) kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      }
      yield { name: ent.name, path, kind };
    }
  }

  /** Files of the keys under `keyDir` whose leaf starts with `namePrefix`, in directory order. */
  async function* walkDir(dir: string, keyDir: string, namePrefix: string): AsyncGenerator<Walked> {
    for await (const e of entries(dir)) {
      if (e.kind === 'dir' && layout.levels > 0 && isBucket(e.name, layout)) {
        yield* walkBuckets(e.path, layout.levels - 1, keyDir, namePrefix);
        continue;
      }
      const name = decodeName(e.name);
      if (name === undefined || !name.startsWith(namePrefix)) continue;
      if (e.kind === 'dir') yield* walkDir(e.path, `${keyDir}${name}/`, '');
      else if (e.kind === 'file' && layout.levels === 0) yield { key: keyDir + name, path: e.path };
      // With fan-out, a file outside the buckets is not one of ours: its key would not map back to it.
    }
  }

  async function* walkBuckets(dir: string, levelsLeft: number, keyDir: string, namePrefix: string): AsyncGenerator<Walked> {
    for await (const e of entries(dir)) {
      if (levelsLeft > 0) {
        if (e.kind === 'dir' && isBucket(e.name, layout)) yield* walkBuckets(e.path, levelsLeft - 1, keyDir, namePrefix);
        continue;
      }
      const name = e.kind === 'file' ? decodeName(e.name) : undefined; // temporary files decode to undefined
      if (name !== undefined && name.startsWith(namePrefix)) yield { key: keyDir + name, path: e.path };
    }
  }

  /** Every object file under a prefix, in directory order (the natural order of a POSIX scan). */
  async function* walk(op: Operation, prefix: string): AsyncGenerator<Walked> {
    checkPrefix(NAME, op, prefix);
    const { dirKey, namePrefix, dirRel } = splitPrefix(prefix);
    await guard(op, prefix, dirRel);
    try {
      yield* walkDir(abs(dirRel), dirKey, namePrefix);
    } catch (e) {
      throw fileError(op, prefix, e);
    }
  }

  /**
   * Remove the directories left under a deleted prefix (never the root, never non-empty ones), and the
   * temporary files in what wholly belongs to the prefix: a write in flight when its process was killed
   * leaves one that no key maps to, which would otherwise keep its directories forever.
   */
  async function prune(prefix: string): Promise<void> {
    const { namePrefix, dirRel } = splitPrefix(prefix);
    const whole = namePrefix === ''; // the prefix is a directory: its buckets hold only its keys
    const removeTree = async (dir: string, temporaries: boolean): Promise<void> => {
      for await (const e of entries(dir)) {
        if (e.kind === 'dir') await removeTree(e.path, temporaries);
        else if (temporaries && e.kind === 'file' && TEMPORARY.test(e.name)) await unlink(e.path).catch(() => undefined);
      }
      await rmdir(dir).catch(() => undefined); // ENOTEMPTY: a concurrent writer, or someone else's file
    };
    for await (const e of entries(abs(dirRel))) {
      const name = decodeName(e.name);
      if (e.kind === 'dir' && isBucket(e.name, layout)) await removeTree(e.path, whole);
      else if (e.kind === 'dir' && name !== undefined && name.startsWith(namePrefix)) await removeTree(e.path, true);
      else if (whole && dirRel !== '' && e.kind === 'file' && TEMPORARY.test(e.name)) await unlink(e.path).catch(() => undefined);
    }
    if (whole && dirRel !== '') await rmdir(abs(dirRel)).catch(() => undefined);
  }

  /**
   * Turn O_DIRECT on when asked (`on`: or fail) or when the file system takes it (`auto`). The probe goes
   * where runs write, under `storbench/` (same file system, symlink-checked like a key's directory), never
   * beside the user's files at the root; AlignedPool unlinks it as soon as it is open.
   */
  async function openDirect(mode: DirectMode): Promise<void> {
    if (mode === 'off') return;
    await guard('open', PROBE_DIR, PROBE_DIR);
    const probePath = `${abs(PROBE_DIR)}/${tmpPrefix}direct-probe`;
    const pool = await io.mkdir(abs(PROBE_DIR), { recursive: true })
      .then(() => AlignedPool.create(probePath, readChunk + 2 * ALIGN))
      .catch((e: unknown) => ({ unsupported: String(e) }));
    if (pool instanceof AlignedPool) {
      direct = pool;
      directNote = `on (${mode === 'auto' ? 'auto: the probe passed' : 'asked for'})`;
      return;
    }
    if (mode === 'on') throw new StorageError('Unsupported', NAME, 'open', `direct=true but O_DIRECT does not work here: ${pool.unsupported}`);
    directNote = `off (auto: ${pool.unsupported})`;
  }

  /** Lustre: give the root a default striping that its new directories and files inherit. */
  async function setStripe(): Promise<string> {
    const count = stripeCountOption ?? profile.stripeCount;
    const size = stripeSizeOption ?? profile.stripeSize;
    if (count === undefined || fs.type !== 'lustre') return 'not applicable';
    const args = ['setstripe', '-c', String(count), ...(size ? ['-S', size] : []), root];
    try {
      await promisify(execFile)('lfs', args, { timeout: 30_000 });
      return `lfs ${args.join(' ')}`;
    } catch (e) {
      return (e as { code?: string }).code === 'ENOENT' ? 'not set: lfs is not installed' : `lfs setstripe failed: ${String(e)}`;
    }
  }

  function semantics(): Semantics {
    const network = isNetworkFileSystem(fs.type);
    return {
      writeDurability: fsync
        ? 'fsync of the file before rename into place, then fsync of its directory'
        : 'page cache: written to a temporary file and renamed into place, no fsync (lost on a host crash, never seen partial)',
      readAfterWrite: network
        ? `what ${fs.display} gives after close and rename (close-to-open on NFS; clients may cache attributes)`
        : 'strong (one kernel)',
      listConsistency: 'readdir of the directory tree: every completed rename is seen; directory order, not sorted',
      fileSystem: fs.type,
      profile: profile.name,
      fsync,
      directIO: direct !== undefined,
      fanout: layout.levels === 0 ? 'none (keys are paths)' : `${layout.levels} levels x ${layout.width} buckets`,
      positionalWrite: `in place (pwrite${direct ? ' with O_DIRECT for whole pages, unaligned edges buffered' : ''}), no temporary file; `
        + (fsync ? 'fsync of the file, and of its directory when created' : 'no fsync'),
    };
  }

  return {
    name: NAME,
    capabilities: CAPABILITIES,
    blocking: io === syncIo,

    async open() {
      try {
        await mkdir(target.path, { recursive: true });
        root = await realpath(target.path);
      } catch (e) {
        throw fileError('open', undefined, e);
      }
      fs = await detectFileSystem(root);
      localFs = fs.type !== 'unknown' && !isNetworkFileSystem(fs.type);
      profile = PROFILES[profileOption ?? detectProfile(fs)];
      layout = { levels: fanoutOption ?? profile.fanout, width: widthOption ?? profile.fanoutWidth };
      fsync = (fsyncOption ?? profile.fsync) || context.durable === true;
      await openDirect(directMode ?? profile.direct);
      stripe = await setStripe();
    },
    async close() {
      if (direct) {
        await direct.close();
        direct = undefined;
      }
    },
    async dropCaches() {
      lastDrop = await dropCaches();
      return lastDrop;
    },

    system: () => fs.display,
    largeFileMode: () => profile.largeFileMode,
    semantics,
    environment(): Environment {
      const tp = threadpoolInfo();
      return {
        root, fsType: fs.type, fsName: fs.display, fsMagic: fs.magic, fsBlockSize: fs.blockSize,
        ...(fs.mount ? { mountPoint: fs.mount.mountPoint, mountSource: fs.mount.source, mountOptions: fs.mount.options } : {}),
        profile: profile.name, profileSource: profileOption ? 'given' : 'detected', profileWhy: profile.why,
        fanoutLevels: layout.levels, fanoutWidth: layout.width, fsync, readChunk,
        directIO: directNote, ...(direct ? { directSlots: direct.slots } : {}),
        largeFileMode: profile.largeFileMode, lustreStripe: stripe,
        dropCaches: lastDrop ? (lastDrop.dropped ? 'dropped before measuring' : `not dropped: ${lastDrop.detail}`) : 'not asked',
        // Reads served from this host's page cache measure memory; say so when nothing prevented it.
        ...(!direct && !lastDrop?.dropped
          ? { cacheWarning: 'neither O_DIRECT nor dropped caches: reads of recently written data may come from the page cache' }
          : {}),
        ...(io === syncIo
          ? { ioEngine: 'sync: blocking calls on the worker\'s own thread (like fio psync)' }
          : {
            ioEngine: 'async: node:fs/promises through libuv\'s threadpool', uvThreadpoolSize: tp.size, uvThreadpoolSource: tp.source,
            // More operations in flight than threads just queue inside libuv: the figure is the pool's.
            threadpoolLimited: context.concurrency > tp.size,
          }),
      };
    },

    async write(key: string, body: Body, options: WriteOptions = {}) {
      const { dir, file } = await place('write', key);
      const tmp = `${dir}/${tmpPrefix}${++tmpSeq}`;
      let fh: IoHandle | undefined;
      try {
        fh = await create(dir, tmp);
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
        throw fileError('write', key, e);
      }
    },

    async writeAt(key: string, offset: number, body: Body, options: WriteOptions = {}) {
      checkOffset(NAME, key, offset);
      const { dir, file } = await place('write', key);
      // In place, not through a temporary file and a rename: the file holds other writers' ranges. So a
      // reader may see part of this write, and a failed one leaves what it wrote (the file is not removed).
      const handles: IoHandle[] = [];
      try {
        const opened = await openInPlace(dir, file, direct ? IN_PLACE_FLAGS | DIRECT_FLAG : IN_PLACE_FLAGS);
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
        throw fileError('write', key, e);
      }
    },

    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      const { file } = await place('read', key);
      const { fh, size } = await openForRead('read', key, file);
      const { start, end } = clampRange(size, options.offset, options.length);
      return { size: end - start, body: fileBody(fh, key, start, end, options.reuseChunks === true && end - start > SMALL_READ) };
    },

    async stat(key: string): Promise<ObjectInfo> {
      const { file } = await place('stat', key);
      const st = await io.lstat(file).catch((e: unknown) => { throw fileError('stat', key, e); });
      if (st.isSymbolicLink()) throw fileError('stat', key, Object.assign(new Error('symlink'), { code: 'ELOOP' }));
      if (!st.isFile()) throw new StorageError('NotFound', NAME, 'stat', 'no such object (a directory)', { key });
      return { key, size: st.size, modified: st.mtimeMs };
    },

    async delete(key: string) {
      const { file } = await place('delete', key);
      try {
        await io.unlink(file);
      } catch (e) {
        // Missing, or a directory (a prefix of other keys when fanout=0): either way not an object.
        const code = errnoOf(e);
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw fileError('delete', key, e);
      }
    },

    async *list(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
      const pageSize = Math.max(1, options.pageSize ?? 1000);
      const stats = async (batch: Walked[]): Promise<ObjectInfo[]> => {
        const infos = await Promise.all(batch.map(async ({ key, path }): Promise<ObjectInfo | undefined> => {
          try {
            const st = await lstat(path);
            return { key, size: st.size, modified: st.mtimeMs };
          } catch (e) {
            if (errnoOf(e) === 'ENOENT') return undefined; // deleted since readdir saw it
            throw fileError('list', key, e);
          }
        }));
        return infos.filter((i): i is ObjectInfo => i !== undefined);
      };
      let batch: Walked[] = [];
      for await (const w of walk('list', prefix)) {
        batch.push(w);
        if (batch.length >= pageSize) {
          const page = await stats(batch);
          batch = [];
          if (page.length > 0) yield page;
        }
      }
      const page = batch.length > 0 ? await stats(batch) : [];
      if (page.length > 0) yield page;
    },

    async *scan(prefix: string): AsyncIterable<ScanEntry> {
      let previous: AsyncIterator<Uint8Array> | undefined;
      try {
        for await (const { key, path } of walk('scan', prefix)) {
          await previous?.return?.(); // the caller may not have drained the last body: close its file
          let opened;
          try {
            opened = await openForRead('scan', key, path);
          } catch (e) {
            if (e instanceof StorageError && e.kind === 'NotFound') continue; // deleted since readdir
            throw e;
          }
          const body = fileBody(opened.fh, key, 0, opened.size);
          previous = body;
          yield { info: { key, size: opened.size, modified: opened.modified }, body };
        }
      } finally {
        await previous?.return?.();
      }
    },

    async append(key: string, body: Body, options: WriteOptions = {}) {
      const { file } = await place('append', key);
      const fh = await io.open(file, APPEND_FLAGS).catch((e: unknown) => { throw fileError('append', key, e); });
      try {
        await appendBody(fh, body, options.signal);
        if (fsync) await fh.sync();
      } catch (e) {
        throw fileError('append', key, e);
      } finally {
        await fh.close().catch(() => undefined);
      }
    },

    async rename(from: string, to: string) {
      const src = await place('rename', from);
      const dst = await place('rename', to);
      try {
        // Only objects move: a directory (a prefix, with fanout=0) is not one.
        const st = await io.lstat(src.file);
        if (!st.isFile()) throw new StorageError('NotFound', NAME, 'rename', 'no such object', { key: from });
        try {
          await io.rename(src.file, dst.file);
        } catch (e) {
          if (errnoOf(e) !== 'ENOENT') throw e;
          await io.mkdir(dst.dir, { recursive: true });
          await io.rename(src.file, dst.file);
        }
        if (fsync) await Promise.all([syncDir(src.dir), src.dir === dst.dir ? undefined : syncDir(dst.dir)]);
      } catch (e) {
        throw fileError('rename', from, e);
      }
    },

    async deletePrefix(prefix: string): Promise<number> {
      let removed = 0;
      let batch: string[] = [];
      const flush = async (): Promise<void> => {
        const done = await Promise.all(batch.map((p) => unlink(p).then(() => 1, (e: unknown) => {
          if (errnoOf(e) === 'ENOENT') return 0;
          throw fileError('delete', prefix, e);
        })));
        for (const d of done) removed += d;
        batch = [];
      };
      for await (const { path } of walk('delete', prefix)) {
        batch.push(path);
        if (batch.length >= DELETE_BATCH) await flush();
      }
      await flush();
      await prune(prefix).catch((e: unknown) => { throw fileError('delete', prefix, e); });
      return removed;
    },
  };
}
