/**
 * `nfs://host[:port]/export/path`: NFS v3 spoken from user space (MOUNT v3 + NFS v3 over TCP, RFC 1813),
 * without a kernel NFS client, root, or a client page cache between the benchmark and the server.
 * Keys are paths below `/export/path`; directories in a key are created on write. See README.md.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { checkKey, checkOffset, checkPrefix, chunksOf, clampRange } from '../keys.js';
import { boolOption, intOption, sizeOption } from '../target.js';
import {
  StorageError, type Body, type Capabilities, type Driver, type DriverContext, type Environment, type ListOptions,
  type ObjectInfo, type ReadOptions, type ReadResult, type ScanEntry, type Semantics, type WriteOptions,
} from '../types.js';
import { FTYPE, MOUNT_PROGRAM, MountClient, NFS3ERR, NFS_PROGRAM, Nfs3Client, STABLE, getPort, type Fattr, type FsInfo } from './nfs3.js';
import { hasStatus, toStorageError } from './nfs-errors.js';
import { RpcPool, type AuthSys } from './rpc.js';

const NAME = 'nfs';

/**
 * Writes go to a temporary name in the target directory and are renamed over the key when complete,
 * so a reader never sees a partial object. list/scan hide these names; deletePrefix removes them.
 */
const TEMP_PREFIX = '.storbench-tmp-';

const CAPABILITIES: Capabilities = {
  rangeRead: true, append: true, rename: true, list: true, scan: true,
  unknownLengthWrite: true, multipart: false, maxObjectSize: Number.MAX_SAFE_INTEGER, persistent: true, positionalWrite: true, keyAndPrefixCoexist: false,
};

/** Removes kept in flight by deletePrefix. */
const DELETE_WINDOW = 32;

interface WalkItem {
  /** `other`: symlinks, fifos... never objects, but removed by deletePrefix. */
  readonly kind: 'file' | 'temp' | 'dir' | 'other';
  /** Path below the driver root. */
  readonly path: string;
  readonly name: string;
  /** Handle of the directory holding the entry. */
  readonly parent: Buffer;
  readonly fh: Buffer;
  readonly attr: Fattr;
}

function split(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { dir: '', name: path } : { dir: path.slice(0, slash), name: path.slice(slash + 1) };
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
function parseHost(authority: string): { host: string; port: number | undefined } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(authority);
  if (!m) throw new UsageError(`target: nfs:// host "${authority}" is not host or host:port`);
  return { host: (m[1] ?? m[2])!, port: m[3] !== undefined ? Number(m[3]) : undefined };
}

/** Create an `nfs://` driver. Options are read here so that a wrong one fails before anything connects. */
export function createNfsDriver(context: DriverContext): Driver {
  const { target } = context;
  if (target.hosts.length !== 1) throw new UsageError('target: nfs:// needs exactly one host (nfs://host/export/path)');
  const { host, port: urlPort } = parseHost(target.hosts[0]!);
  const urlPath = target.path === '' ? '/' : target.path;
  const opt = {
    exportPath: target.options['export'],
    nfsPort: intOption(target, 'nfsport', urlPort ?? 0, 0, 65535),
    mountPort: intOption(target, 'mountport', 0, 0, 65535),
    portmapPort: intOption(target, 'portmapport', 111, 1, 65535),
    uid: intOption(target, 'uid', process.getuid?.() ?? 0, 0, 2 ** 32 - 1),
    gid: intOption(target, 'gid', process.getgid?.() ?? 0, 0, 2 ** 32 - 1),
    // Ganesha (like most servers) reads each connection's requests on one thread and sends its replies under
    // one lock: large READs and WRITEs go faster spread over a few connections
    connections: intOption(target, 'connections', Math.min(8, Math.max(2, Math.ceil(context.concurrency / 4))), 1, 256),
    timeoutMs: intOption(target, 'timeout', 30_000, 100, 3_600_000),
    readSize: sizeOption(target, 'rsize', 1024 * 1024),
    writeSize: sizeOption(target, 'wsize', 1024 * 1024),
    depth: intOption(target, 'depth', 4, 1, 256),
    atomic: boolOption(target, 'atomic', true),
    commit: boolOption(target, 'commit', context.durable ?? false),
    filesync: boolOption(target, 'filesync', false),
    fileMode: intOption(target, 'mode', 0o644, 0, 0o7777),
    privileged: boolOption(target, 'privport', false),
  };
  if (opt.exportPath !== undefined && !(opt.exportPath === '/' || (opt.exportPath.startsWith('/') && (urlPath === opt.exportPath || urlPath.startsWith(`${opt.exportPath}/`))))) {
    throw new UsageError(`target option export: "${opt.exportPath}" must be the start of the URL path "${urlPath}"`);
  }
  const auth: AuthSys = { uid: opt.uid, gid: opt.gid };

  let pool: RpcPool | undefined;
  let nfs: Nfs3Client | undefined;
  let rootFh: Buffer | undefined;
  let exportPath = '';
  let mountPort = 0;
  let nfsPort = 0;
  let info: FsInfo | undefined;
  let readSize = opt.readSize;
  let writeSize = opt.writeSize;
  /** Directory handles by path below the root; '' is the root. Cleared when a handle turns stale. */
  const dirs = new Map<string, Buffer>();
  const resolving = new Map<string, Promise<Buffer | undefined>>();

  function client(): Nfs3Client {
    if (!nfs) throw new StorageError('Unexpected', NAME, 'open', 'driver used before open() or after close()');
    return nfs;
  }

  // ---------- directories ----------

  /** Handle of directory `path`, created (mkdir -p) when `create`; undefined when missing and not created. */
  async function dirHandle(path: string, create: boolean): Promise<Buffer | undefined> {
    const hit = dirs.get(path);
    if (hit) return hit;
    const inflight = resolving.get(path);
    if (inflight) {
      const fh = await inflight;
      if (fh || !create) return fh;
    }
    const p = resolveDir(path, create);
    resolving.set(path, p);
    try {
      return await p;
    } finally {
      if (resolving.get(path) === p) resolving.delete(path);
    }
  }

  async function resolveDir(path: string, create: boolean): Promise<Buffer | undefined> {
    const { dir, name } = split(path);
    const parent = await dirHandle(dir, create);
    if (!parent) return undefined;
    const c = client();
    try {
      const { fh, attr } = await c.lookup(parent, name);
      if ((attr ?? (await c.getattr(fh))).type !== FTYPE.DIR) {
        if (!create) return undefined;
        throw new StorageError('InvalidInput', NAME, 'write', `"${path}" is a file, so it cannot hold other keys`, { key: path });
      }
      if (dirs.size > 100_000) dirs.clear();
      dirs.set(path, fh);
      return fh;
    } catch (e) {
      if (!hasStatus(e, NFS3ERR.NOENT) || !create) {
        if (hasStatus(e, NFS3ERR.NOENT)) return undefined;
        throw e;
      }
    }
    let fh: Buffer | undefined;
    try {
      fh = (await c.mkdir(parent, name, 0o755)).fh;
    } catch (e) {
      if (!hasStatus(e, NFS3ERR.EXIST)) throw e; // another writer made it first
    }
    fh ??= (await c.lookup(parent, name)).fh;
    dirs.set(path, fh);
    return fh;
  }

  /**
   * Run `fn` with the handle of directory `dir`. A cached handle can go stale when someone removed the
   * directory (deletePrefix, another client): then the cache is dropped and `fn` runs once more.
   */
  async function inDir<T>(dir: string, create: boolean, fn: (fh: Buffer | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(await dirHandle(dir, create));
      } catch (e) {
        const retry = hasStatus(e, NFS3ERR.STALE) || (create && hasStatus(e, NFS3ERR.NOENT));
        if (attempt > 0 || !retry || dirs.size === 0) throw e;
        dirs.clear();
        dirs.set('', rootFh!);
      }
    }
  }

  function forgetDirsUnder(prefix: string): void {
    for (const path of dirs.keys()) if (path !== '' && `${path}/`.startsWith(prefix)) dirs.delete(path);
  }

  /** Handle and attributes of the regular file `key`; NotFound when it is missing or not a file. */
  async function lookupFile(key: string, op: 'read' | 'stat' | 'append' | 'rename'): Promise<{ fh: Buffer; attr: Fattr }> {
    const { dir, name } = split(key);
    const found = await inDir(dir, false, async (parent) => {
      if (!parent) return undefined;
      const c = client();
      try {
        const { fh, attr } = await c.lookup(parent, name);
        return { fh, attr: attr ?? (await c.getattr(fh)) };
      } catch (e) {
        if (hasStatus(e, NFS3ERR.NOENT, NFS3ERR.NOTDIR)) return undefined;
        throw e;
      }
    });
    if (!found || found.attr.type !== FTYPE.REG) throw new StorageError('NotFound', NAME, op, 'no such object', { key });
    return found;
  }

  // ---------- data ----------

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

  /** WRITE one block, looping on short writes (a server may accept fewer bytes than sent). */
  async function writeBlock(fh: Buffer, offset: number, data: Uint8Array, stable: number, verifiers: Set<string>): Promise<void> {
    let done = 0;
    for (let rounds = 0; done < data.length; rounds++) {
      const r = await client().write(fh, offset + done, done === 0 ? data : data.subarray(done), stable);
      if (r.committed !== STABLE.FILE_SYNC) verifiers.add(r.verifier.toString('hex'));
      if (r.count === 0 && rounds > 16) throw new StorageError('Unexpected', NAME, 'write', 'server keeps accepting 0 bytes');
      done += r.count;
    }
  }

  /**
   * Write `body` at `start` with up to `depth` WRITEs in flight, then COMMIT when asked. A COMMIT
   * verifier that differs from the WRITEs' means the server restarted and lost unstable data.
   */
  async function writeData(fh: Buffer, body: Body, start: number, signal: AbortSignal | undefined): Promise<number> {
    const stable = opt.filesync ? STABLE.FILE_SYNC : STABLE.UNSTABLE;
    const verifiers = new Set<string>();
    const window = new Set<Promise<void>>();
    let failure: unknown;
    let offset = start;
    try {
      for await (const block of blocks(body, writeSize)) {
        signal?.throwIfAborted();
        if (failure) break;
        const p: Promise<void> = writeBlock(fh, offset, block, stable, verifiers)
          .catch((e: unknown) => { failure ??= e; })
          .finally(() => window.delete(p));
        window.add(p);
        offset += block.length;
        while (window.size >= opt.depth) await Promise.race(window);
      }
    } finally {
      await Promise.all(window);
    }
    if (failure) throw failure;
    if (opt.commit && !opt.filesync && offset > start) {
      const committed = (await client().commit(fh)).toString('hex');
      if (verifiers.size > 1 || (verifiers.size === 1 && !verifiers.has(committed))) {
        throw new StorageError('Unavailable', NAME, 'write', 'the server restarted during the write (write verifier changed): data must be written again', { temporary: true });
      }
    }
    return offset - start;
  }

  /** READ `[start, end)` with up to `depth` READs in flight, yielding in order. */
  async function* readBody(fh: Buffer, start: number, end: number, key: string, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
    const queue: Promise<{ data: Buffer; eof: boolean }>[] = [];
    let next = start;
    const issue = (): void => {
      const n = Math.min(readSize, end - next);
      const p = readPiece(fh, next, n);
      p.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
      queue.push(p);
      next += n;
    };
    try {
      while (next < end && queue.length < opt.depth) issue();
      while (queue.length > 0) {
        const { data, eof } = await queue.shift()!;
        signal?.throwIfAborted();
        if (data.length > 0) yield data;
        if (eof) return; // the file shrank since its size was read
        if (next < end) issue();
      }
    } catch (e) {
      throw toStorageError(e, 'read', key);
    }
  }

  /** READ exactly `count` bytes at `offset` unless the file ends first; short reads are continued. */
  async function readPiece(fh: Buffer, offset: number, count: number): Promise<{ data: Buffer; eof: boolean }> {
    const first = await client().read(fh, offset, count);
    if (first.data.length >= count || first.eof) return first;
    const parts = [first.data];
    let got = first.data.length;
    for (let rounds = 0; got < count && rounds < 1_000; rounds++) {
      const r = await client().read(fh, offset + got, count - got);
      parts.push(r.data);
      got += r.data.length;
      if (r.eof) return { data: Buffer.concat(parts, got), eof: true };
      if (r.data.length === 0) break;
    }
    return { data: Buffer.concat(parts, got), eof: false };
  }

  // ---------- walking ----------

  /**
   * Depth-first walk of `dirPath` with READDIRPLUS: regular files (and temp files) as they come, and each
   * directory after everything in it. `namePrefix` filters the first directory's entries only.
   */
  async function* walk(dirPath: string, dirFh: Buffer, namePrefix: string): AsyncGenerator<WalkItem> {
    const c = client();
    const dircount = Math.max(info?.dtpref ?? 0, 16 * 1024);
    const maxcount = Math.min(info?.rtmax ?? 128 * 1024, 128 * 1024);
    const subdirs: WalkItem[] = [];
    const seen = new Set<string>();
    let cookie: Buffer | undefined;
    let verifier: Buffer | undefined;
    for (let restarts = 0, eof = false; !eof;) {
      let page;
      try {
        page = await c.readdirplus(dirFh, cookie, verifier, dircount, maxcount);
      } catch (e) {
        // the directory changed under the cookie (entries removed meanwhile): start over, skipping what was seen
        if (!hasStatus(e, NFS3ERR.BAD_COOKIE) || ++restarts > 100) throw e;
        cookie = verifier = undefined;
        continue;
      }
      for (const entry of page.entries) {
        const { name } = entry;
        if (name === '.' || name === '..' || !name.startsWith(namePrefix) || seen.has(name)) continue;
        seen.add(name);
        let { fh, attr } = entry;
        if (!fh || !attr) {
          try {
            const found = await c.lookup(dirFh, name);
            fh = found.fh;
            attr = found.attr ?? (await c.getattr(fh));
          } catch (e) {
            if (hasStatus(e, NFS3ERR.NOENT, NFS3ERR.STALE)) continue; // removed since the listing
            throw e;
          }
        }
        const item: WalkItem = { kind: 'file', path: join(dirPath, name), name, parent: dirFh, fh, attr };
        if (attr.type === FTYPE.DIR) subdirs.push({ ...item, kind: 'dir' });
        else if (attr.type !== FTYPE.REG) yield { ...item, kind: 'other' };
        else yield name.startsWith(TEMP_PREFIX) ? { ...item, kind: 'temp' } : item;
      }
      cookie = page.cookie;
      verifier = page.verifier;
      eof = page.eof;
    }
    for (const sub of subdirs) {
      yield* walk(sub.path, sub.fh, '');
      yield sub;
    }
  }

  /** Walk everything under a key prefix: its directory part is looked up, its last part filters names. */
  async function* walkPrefix(prefix: string): AsyncGenerator<WalkItem> {
    const { dir, name } = split(prefix);
    const fh = await dirHandle(dir, false);
    if (fh) yield* walk(dir, fh, name);
  }

  function objectInfo(key: string, attr: Fattr): ObjectInfo {
    return { key, size: attr.size, modified: attr.mtime };
  }

  return {
    name: NAME,
    capabilities: CAPABILITIES,

    async open() {
      if (nfs) return;
      try {
        [mountPort, nfsPort] = await Promise.all([
          opt.mountPort || getPort(host, opt.portmapPort, MOUNT_PROGRAM, 3, opt.timeoutMs),
          opt.nfsPort || getPort(host, opt.portmapPort, NFS_PROGRAM, 3, opt.timeoutMs),
        ]);
        if (!mountPort || !nfsPort) {
          throw new StorageError('Unavailable', NAME, 'open', `${host} has no ${!mountPort ? 'MOUNT' : 'NFS'} v3 over TCP registered with its portmapper`);
        }
        const mount = new MountClient(host, mountPort, auth, opt.timeoutMs, opt.privileged);
        try {
          exportPath = opt.exportPath ?? urlPath;
          if (opt.exportPath === undefined) {
            // the export is the longest exported path the URL path starts with; the rest is a directory in it
            const exported = await mount.exports().catch(() => [] as string[]);
            const match = exported
              .filter((e) => e === '/' || urlPath === e || urlPath.startsWith(`${e.replace(/\/+$/, '')}/`))
              .sort((a, b) => b.length - a.length)[0];
            if (match !== undefined) exportPath = match;
            // servers answer MNT3ERR_ACCES for a path they do not export; say what is exported instead
            else if (exported.length > 0) {
              throw new StorageError('NotFound', NAME, 'open', `${host} does not export ${urlPath} (exports: ${exported.join(', ')})`);
            }
          }
          const exportRoot = await mount.mount(exportPath);
          pool = new RpcPool({ host, port: nfsPort, auth, connections: opt.connections, timeoutMs: opt.timeoutMs, privileged: opt.privileged });
          nfs = new Nfs3Client(pool);
          info = await nfs.fsinfo(exportRoot);
          readSize = Math.max(4096, Math.min(opt.readSize, info.rtmax || opt.readSize));
          writeSize = Math.max(4096, Math.min(opt.writeSize, info.wtmax || opt.writeSize));
          dirs.set('', exportRoot);
          const sub = urlPath.slice(exportPath.replace(/\/+$/, '').length).replace(/^\/+|\/+$/g, '');
          if (sub !== '') {
            checkKey(NAME, 'open', sub);
            const fh = await dirHandle(sub, true);
            dirs.clear();
            dirs.set('', fh!);
          }
          rootFh = dirs.get('');
        } finally {
          mount.close();
        }
      } catch (e) {
        pool?.close();
        pool = nfs = undefined;
        throw toStorageError(e, 'open');
      }
    },

    async close() {
      if (!pool) return;
      pool.close();
      pool = nfs = undefined;
      dirs.clear();
      // tell the server's mount list we left; best effort, it holds no state that matters
      const mount = new MountClient(host, mountPort, auth, 2_000, opt.privileged);
      await mount.unmount(exportPath).catch(() => undefined);
      mount.close();
    },

    system: () => 'NFSv3',

    semantics: (): Semantics => ({
      writeDurability: opt.filesync
        ? 'every WRITE FILE_SYNC (on stable storage before the server answers)'
        : opt.commit
          ? 'UNSTABLE WRITEs, then COMMIT (stable storage) before the object is published'
          : 'UNSTABLE WRITEs acknowledged from the server\'s memory, no COMMIT: a server crash may lose them',
      readAfterWrite: 'strong: no client cache, every read goes to the server',
      listConsistency: 'READDIRPLUS walk of the directory tree, unsorted; temporary files of writes in progress hidden',
      protocol: 'NFSv3 over TCP (user-space ONC RPC)',
      publish: opt.atomic ? 'temporary name, then RENAME over the key' : 'written in place (readers may see a partial object)',
      positionalWrite: 'in place: WRITEs at the offset into the key itself (CREATE without truncation when missing), as durable as write',
      writeSize,
      readSize,
    }),

    environment: (): Environment => ({
      host,
      export: exportPath,
      nfsPort,
      mountPort,
      rtmax: info?.rtmax ?? 0,
      wtmax: info?.wtmax ?? 0,
      readSize,
      writeSize,
      connections: opt.connections,
      depth: opt.depth,
      atomic: opt.atomic,
      commit: opt.commit,
      filesync: opt.filesync,
      uid: opt.uid,
      gid: opt.gid,
      privport: opt.privileged,
    }),

    async write(key: string, body: Body, options: WriteOptions = {}) {
      checkKey(NAME, 'write', key);
      const { dir, name } = split(key);
      const tempName = opt.atomic ? `${TEMP_PREFIX}${randomBytes(8).toString('hex')}` : name;
      let created: { parent: Buffer; fh: Buffer } | undefined;
      try {
        created = await inDir(dir, true, async (parent) => {
          const c = client();
          // UNCHECKED + size 0: a fresh file, or an existing one emptied (the non-atomic overwrite)
          const r = await c.create(parent!, tempName, 'unchecked', opt.fileMode, true);
          return { parent: parent!, fh: r.fh ?? (await c.lookup(parent!, tempName)).fh };
        });
        await writeData(created.fh, body, 0, options.signal);
        if (opt.atomic) await client().rename(created.parent, tempName, created.parent, name);
      } catch (e) {
        if (created && opt.atomic) await client().remove(created.parent, tempName).catch(() => undefined);
        throw toStorageError(e, 'write', key);
      }
    },

    async writeAt(key: string, offset: number, body: Body, options: WriteOptions = {}) {
      checkKey(NAME, 'write', key);
      checkOffset(NAME, key, offset);
      const { dir, name } = split(key);
      try {
        const fh = await inDir(dir, true, async (parent) => {
          const c = client();
          let found: { fh: Buffer; attr: Fattr | undefined };
          try {
            found = await c.lookup(parent!, name);
          } catch (e) {
            if (!hasStatus(e, NFS3ERR.NOENT)) throw e;
            // UNCHECKED without a size: creates the file, or leaves one another writer just created as it is
            const r = await c.create(parent!, name, 'unchecked', opt.fileMode, false);
            found = r.fh ? { fh: r.fh, attr: r.attr } : await c.lookup(parent!, name);
          }
          const type = (found.attr ?? (await c.getattr(found.fh))).type;
          if (type !== FTYPE.REG) throw new StorageError('InvalidInput', NAME, 'write', 'the key is a directory or a special file, not an object', { key });
          return found.fh;
        });
        await writeData(fh, body, offset, options.signal);
      } catch (e) {
        throw toStorageError(e, 'write', key);
      }
    },

    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      checkKey(NAME, 'read', key);
      try {
        const { fh, attr } = await lookupFile(key, 'read');
        const { start, end } = clampRange(attr.size, options.offset, options.length);
        return { size: end - start, body: readBody(fh, start, end, key, options.signal) };
      } catch (e) {
        throw toStorageError(e, 'read', key);
      }
    },

    async stat(key: string) {
      checkKey(NAME, 'stat', key);
      try {
        return objectInfo(key, (await lookupFile(key, 'stat')).attr);
      } catch (e) {
        throw toStorageError(e, 'stat', key);
      }
    },

    async delete(key: string) {
      checkKey(NAME, 'delete', key);
      const { dir, name } = split(key);
      try {
        await inDir(dir, false, async (parent) => {
          if (!parent) return;
          try {
            await client().remove(parent, name);
          } catch (e) {
            // missing, or a directory (not an object): nothing to delete
            if (!hasStatus(e, NFS3ERR.NOENT, NFS3ERR.ISDIR, NFS3ERR.NOTDIR)) throw e;
          }
        });
      } catch (e) {
        throw toStorageError(e, 'delete', key);
      }
    },

    async *list(prefix: string, options: ListOptions = {}) {
      checkPrefix(NAME, 'list', prefix);
      const pageSize = Math.max(1, options.pageSize ?? 1000);
      let page: ObjectInfo[] = [];
      try {
        for await (const item of walkPrefix(prefix)) {
          if (item.kind !== 'file') continue;
          page.push(objectInfo(item.path, item.attr));
          if (page.length >= pageSize) {
            yield page;
            page = [];
          }
        }
      } catch (e) {
        throw toStorageError(e, 'list', prefix);
      }
      if (page.length > 0) yield page;
    },

    async *scan(prefix: string, options: ListOptions = {}): AsyncIterable<ScanEntry> {
      checkPrefix(NAME, 'scan', prefix);
      try {
        for await (const item of walkPrefix(prefix)) {
          if (item.kind !== 'file') continue;
          yield { info: objectInfo(item.path, item.attr), body: readBody(item.fh, 0, item.attr.size, item.path, options.signal) };
        }
      } catch (e) {
        throw toStorageError(e, 'scan', prefix);
      }
    },

    async append(key: string, body: Body, options: WriteOptions = {}) {
      checkKey(NAME, 'append', key);
      try {
        const { fh, attr } = await lookupFile(key, 'append');
        await writeData(fh, body, attr.size, options.signal);
      } catch (e) {
        throw toStorageError(e, 'append', key);
      }
    },

    async rename(from: string, to: string) {
      checkKey(NAME, 'rename', from);
      checkKey(NAME, 'rename', to);
      const src = split(from);
      const dst = split(to);
      try {
        await lookupFile(from, 'rename');
        const fromDir = await dirHandle(src.dir, false);
        await inDir(dst.dir, true, async (toDir) => client().rename(fromDir!, src.name, toDir!, dst.name));
      } catch (e) {
        throw toStorageError(e, 'rename', from);
      }
    },

    async deletePrefix(prefix: string) {
      checkPrefix(NAME, 'delete', prefix);
      const c = client();
      let removed = 0;
      const window = new Set<Promise<void>>();
      let failure: unknown;
      const flush = async (): Promise<void> => {
        await Promise.all(window);
        if (failure) throw failure;
      };
      try {
        for await (const item of walkPrefix(prefix)) {
          if (item.kind === 'dir') {
            await flush();
            await c.rmdir(item.parent, item.name).catch((e: unknown) => {
              // something was written meanwhile, or it is already gone: leave it
              if (!hasStatus(e, NFS3ERR.NOTEMPTY, NFS3ERR.EXIST, NFS3ERR.NOENT)) throw e;
            });
            continue;
          }
          const counts = item.kind === 'file';
          const p: Promise<void> = c.remove(item.parent, item.name)
            .then(() => { if (counts) removed++; }, (e: unknown) => { if (!hasStatus(e, NFS3ERR.NOENT)) failure ??= e; })
            .finally(() => window.delete(p));
          window.add(p);
          while (window.size >= DELETE_WINDOW) await Promise.race(window);
        }
        await flush();
        // "a/b/" also names the directory a/b itself
        const { dir, name } = split(prefix);
        if (name === '' && dir !== '') {
          const parentPath = split(dir);
          const parent = await dirHandle(parentPath.dir, false);
          if (parent) {
            await c.rmdir(parent, parentPath.name).catch((e: unknown) => {
              if (!hasStatus(e, NFS3ERR.NOTEMPTY, NFS3ERR.EXIST, NFS3ERR.NOENT)) throw e;
            });
          }
        }
      } catch (e) {
        throw toStorageError(e, 'delete', prefix);
      } finally {
        await Promise.all(window);
        forgetDirsUnder(prefix);
      }
      return removed;
    },
  };
}
