/**
 * The key space of an nfs:// driver as a directory tree on the server: directory handles by path (cached, created
 * on demand, dropped when they turn stale), file lookups, and the READDIRPLUS walk that list, scan and
 * deletePrefix share. Every path is walked with LOOKUP, which never follows a symlink.
 */
import { splitPrefix } from '../kernel/mechanics.js';
import { type Operation, StorageError } from '../types.js';
import { hasStatus } from './nfs-errors.js';
import { type Fattr, type FsInfo, FTYPE, NFS3ERR, type Nfs3Client } from './nfs3.js';

/**
 * Writes go to a temporary name in the target directory and are renamed over the key when complete,
 * so a reader never sees a partial object. list/scan hide these names; deletePrefix removes them.
 */
export const TEMP_PREFIX = '.storbench-tmp-';

/** Directory handles kept at most; past it the cache starts over (from the root). */
const MAX_CACHED_DIRS = 100_000;

export interface WalkItem {
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

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

export class NfsTree {
  /** Directory handles by path below the root; '' is the root. */
  readonly #dirs = new Map<string, Buffer>();
  readonly #resolving = new Map<string, Promise<Buffer | undefined>>();

  constructor(
    private readonly nfs: Nfs3Client,
    /** Handle of the directory the keys are paths below. */
    readonly root: Buffer,
    private readonly info: FsInfo,
  ) {
    this.#dirs.set('', root);
  }

  /** Handle of directory `path`, created (mkdir -p) when `create`; undefined when missing and not created. */
  async dirHandle(path: string, create: boolean): Promise<Buffer | undefined> {
    const hit = this.#dirs.get(path);
    if (hit) return hit;
    const inflight = this.#resolving.get(path);
    if (inflight) {
      const fh = await inflight;
      if (fh || !create) return fh;
    }
    const p = this.#resolve(path, create);
    this.#resolving.set(path, p);
    try {
      return await p;
    } finally {
      if (this.#resolving.get(path) === p) this.#resolving.delete(path);
    }
  }

  async #resolve(path: string, create: boolean): Promise<Buffer | undefined> {
    const { folder, leaf } = splitPrefix(path);
    const parent = await this.dirHandle(folder, create);
    if (!parent) return undefined;
    try {
      const { fh, attr } = await this.nfs.lookup(parent, leaf);
      if ((attr ?? (await this.nfs.getattr(fh))).type !== FTYPE.DIR) {
        if (!create) return undefined;
        // keyAndPrefixCoexist: false: a file's name cannot also be a directory of other keys
        throw new StorageError('InvalidInput', 'nfs', 'write', `"${path}" is a file, so it cannot hold other keys`, { key: path });
      }
      this.#remember(path, fh);
      return fh;
    } catch (e) {
      if (!hasStatus(e, NFS3ERR.NOENT)) throw e;
      if (!create) return undefined;
    }
    let fh: Buffer | undefined;
    try {
      fh = (await this.nfs.mkdir(parent, leaf, 0o755)).fh;
    } catch (e) {
      if (!hasStatus(e, NFS3ERR.EXIST)) throw e; // another writer made it first
    }
    fh ??= (await this.nfs.lookup(parent, leaf)).fh;
    this.#remember(path, fh);
    return fh;
  }

  #remember(path: string, fh: Buffer): void {
    if (this.#dirs.size > MAX_CACHED_DIRS) this.#forgetAll();
    this.#dirs.set(path, fh);
  }

  #forgetAll(): void {
    this.#dirs.clear();
    this.#dirs.set('', this.root);
  }

  /**
   * Run `fn` with the handle of directory `dir`. A cached handle can go stale when someone removed the
   * directory (deletePrefix, another client): then the cache is dropped and `fn` runs once more.
   */
  async inDir<T>(dir: string, create: boolean, fn: (fh: Buffer | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(await this.dirHandle(dir, create));
      } catch (e) {
        const retry = hasStatus(e, NFS3ERR.STALE) || (create && hasStatus(e, NFS3ERR.NOENT));
        if (attempt > 0 || !retry) throw e;
        this.#forgetAll();
      }
    }
  }

  /** Drop the cached handles of directories under `prefix` (they are being removed). */
  forgetUnder(prefix: string): void {
    for (const path of this.#dirs.keys()) if (path !== '' && `${path}/`.startsWith(prefix)) this.#dirs.delete(path);
  }

  /** Handle and attributes of the regular file `key`; NotFound when it is missing or not a file. */
  async lookupFile(key: string, operation: Operation): Promise<{ fh: Buffer; attr: Fattr }> {
    const { folder, leaf } = splitPrefix(key);
    const found = await this.inDir(folder, false, async (parent) => {
      if (!parent) return undefined;
      try {
        const { fh, attr } = await this.nfs.lookup(parent, leaf);
        return { fh, attr: attr ?? (await this.nfs.getattr(fh)) };
      } catch (e) {
        if (hasStatus(e, NFS3ERR.NOENT, NFS3ERR.NOTDIR)) return undefined;
        throw e;
      }
    });
    if (!found || found.attr.type !== FTYPE.REG) throw new StorageError('NotFound', 'nfs', operation, 'no such object', { key });
    return found;
  }

  /** Walk everything under a key prefix: its directory part is looked up, its last part filters names. */
  async *walkPrefix(prefix: string): AsyncGenerator<WalkItem> {
    const { folder, leaf } = splitPrefix(prefix);
    const fh = await this.dirHandle(folder, false);
    if (fh) yield* this.#walk(folder, fh, leaf);
  }

  /**
   * Depth-first walk of `dirPath` with READDIRPLUS: regular files (and temp files) as they come, and each
   * directory after everything in it. `namePrefix` filters the first directory's entries only.
   */
  async *#walk(dirPath: string, dirFh: Buffer, namePrefix: string): AsyncGenerator<WalkItem> {
    const dircount = Math.max(this.info.dtpref, 16 * 1024);
    const maxcount = Math.min(this.info.rtmax || 128 * 1024, 128 * 1024);
    const subdirs: WalkItem[] = [];
    const seen = new Set<string>();
    let cookie: Buffer | undefined;
    let verifier: Buffer | undefined;
    for (let restarts = 0, eof = false; !eof; ) {
      let page;
      try {
        page = await this.nfs.readdirplus(dirFh, cookie, verifier, dircount, maxcount);
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
            const found = await this.nfs.lookup(dirFh, name);
            fh = found.fh;
            attr = found.attr ?? (await this.nfs.getattr(fh));
          } catch (e) {
            if (hasStatus(e, NFS3ERR.NOENT, NFS3ERR.STALE)) continue; // removed since the listing
            throw e;
          }
        }
        const item: WalkItem = { kind: 'file', path: joinPath(dirPath, name), name, parent: dirFh, fh, attr };
        if (attr.type === FTYPE.DIR) subdirs.push({ ...item, kind: 'dir' });
        else if (attr.type !== FTYPE.REG) yield { ...item, kind: 'other' };
        else yield name.startsWith(TEMP_PREFIX) ? { ...item, kind: 'temp' } : item;
      }
      cookie = page.cookie;
      verifier = page.verifier;
      eof = page.eof;
    }
    for (const sub of subdirs) {
      yield* this.#walk(sub.path, sub.fh, '');
      yield sub;
    }
  }
}
