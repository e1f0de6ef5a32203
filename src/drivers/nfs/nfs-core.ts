/**
 * The operations of a mounted nfs:// export (README.md lists the NFS procedures each one makes). Keys and prefixes
 * arrive checked, and what the client throws is mapped by nfs-errors.ts: this file is only the protocol's use.
 */
import { randomBytes } from 'node:crypto';
import type { DriverCore } from '../kernel/define-driver.js';
import { forEachLimited, paginate, splitPrefix } from '../kernel/mechanics.js';
import { clampRange } from '../keys.js';
import {
  type Body,
  type Environment,
  type ListOptions,
  type ObjectInfo,
  type ReadOptions,
  type ReadResult,
  type ScanEntry,
  type Semantics,
  StorageError,
  type WriteOptions,
} from '../types.js';
import { hasStatus } from './nfs-errors.js';
import { readBody, type Transfer, writeData } from './nfs-io.js';
import { mountExport, type NfsSettings, unmountExport } from './nfs-mount.js';
import { TEMP_PREFIX, type WalkItem } from './nfs-tree.js';
import { type Fattr, FTYPE, NFS3ERR } from './nfs3.js';

/** Removes kept in flight by deletePrefix. */
const DELETE_WINDOW = 32;

function objectInfo(key: string, attr: Fattr): ObjectInfo {
  return { key, size: attr.size, modified: attr.mtime };
}

/** Mount the export and return the driver core speaking to it. */
export async function connectNfs(s: NfsSettings): Promise<DriverCore> {
  const m = await mountExport(s);
  const { nfs, tree } = m;
  const io: Transfer = { nfs, readSize: m.readSize, writeSize: m.writeSize, depth: s.depth, filesync: s.filesync, commit: s.commit };

  /** RMDIR that leaves alone a directory written to meanwhile, or already gone. */
  async function removeDirIfEmpty(parent: Buffer, name: string): Promise<void> {
    await nfs.rmdir(parent, name).catch((e: unknown) => {
      if (!hasStatus(e, NFS3ERR.NOTEMPTY, NFS3ERR.EXIST, NFS3ERR.NOENT)) throw e;
    });
  }

  /**
   * Remove everything under `prefix`: the walk yields each directory after its contents, so the REMOVEs before
   * it (up to DELETE_WINDOW in flight) are finished before its RMDIR. Resolves with the objects removed.
   */
  async function removeTree(prefix: string): Promise<number> {
    let removed = 0;
    const items = tree.walkPrefix(prefix);
    /** Where the walk stopped: at a directory (all of whose contents came before it), or at its end. */
    const stop: { directory?: WalkItem | undefined; end?: boolean } = {};
    /** The walk's items up to its next directory, or to its end. */
    async function* untilDirectory(): AsyncIterable<WalkItem> {
      stop.directory = undefined;
      for (;;) {
        const next = await items.next();
        if (next.done) {
          stop.end = true;
          return;
        }
        if (next.value.kind === 'dir') {
          stop.directory = next.value;
          return;
        }
        yield next.value;
      }
    }
    try {
      while (!stop.end) {
        await forEachLimited(untilDirectory(), DELETE_WINDOW, async (item) => {
          try {
            await nfs.remove(item.parent, item.name);
            if (item.kind === 'file') removed++; // temporary files and symlinks are not objects
          } catch (e) {
            if (!hasStatus(e, NFS3ERR.NOENT)) throw e;
          }
        });
        if (stop.directory) await removeDirIfEmpty(stop.directory.parent, stop.directory.name);
      }
    } finally {
      await items.return(undefined);
    }
    return removed;
  }

  return {
    async close() {
      m.pool.close();
      await unmountExport(s, m);
    },

    system: () => 'NFSv3',

    semantics: (): Semantics => ({
      writeDurability: s.filesync
        ? 'every WRITE FILE_SYNC (on stable storage before the server answers)'
        : s.commit
          ? 'UNSTABLE WRITEs, then COMMIT (stable storage) before the object is published'
          : "UNSTABLE WRITEs acknowledged from the server's memory, no COMMIT: a server crash may lose them",
      readAfterWrite: 'strong: no client cache, every read goes to the server',
      listConsistency: 'READDIRPLUS walk of the directory tree, unsorted; temporary files of writes in progress hidden',
      protocol: 'NFSv3 over TCP (user-space ONC RPC)',
      publish: s.atomic ? 'temporary name, then RENAME over the key' : 'written in place (readers may see a partial object)',
      positionalWrite: 'in place: WRITEs at the offset into the key itself (CREATE without truncation when missing), as durable as write',
      writeSize: m.writeSize,
      readSize: m.readSize,
    }),

    environment: (): Environment => ({
      host: s.host,
      export: m.exportPath,
      nfsPort: m.nfsPort,
      mountPort: m.mountPort,
      rtmax: m.info.rtmax,
      wtmax: m.info.wtmax,
      readSize: m.readSize,
      writeSize: m.writeSize,
      connections: s.connections,
      depth: s.depth,
      atomic: s.atomic,
      commit: s.commit,
      filesync: s.filesync,
      uid: s.auth.uid,
      gid: s.auth.gid,
      privport: s.privileged,
    }),

    async write(key: string, body: Body, options: WriteOptions = {}) {
      const { folder, leaf } = splitPrefix(key);
      const tempName = s.atomic ? `${TEMP_PREFIX}${randomBytes(8).toString('hex')}` : leaf;
      let created: { parent: Buffer; fh: Buffer } | undefined;
      try {
        created = await tree.inDir(folder, true, async (parent) => {
          // UNCHECKED + size 0: a fresh file, or an existing one emptied (the non-atomic overwrite)
          const r = await nfs.create(parent!, tempName, 'unchecked', s.fileMode, true);
          return { parent: parent!, fh: r.fh ?? (await nfs.lookup(parent!, tempName)).fh };
        });
        await writeData(io, created.fh, body, 0, options.signal);
        if (s.atomic) await nfs.rename(created.parent, tempName, created.parent, leaf);
      } catch (e) {
        if (created && s.atomic) await nfs.remove(created.parent, tempName).catch(() => undefined);
        throw e;
      }
    },

    async writeAt(key: string, offset: number, body: Body, options: WriteOptions = {}) {
      const { folder, leaf } = splitPrefix(key);
      const fh = await tree.inDir(folder, true, async (parent) => {
        let found: { fh: Buffer; attr: Fattr | undefined };
        try {
          found = await nfs.lookup(parent!, leaf);
        } catch (e) {
          if (!hasStatus(e, NFS3ERR.NOENT)) throw e;
          // UNCHECKED without a size: creates the file, or leaves one another writer just created as it is
          const r = await nfs.create(parent!, leaf, 'unchecked', s.fileMode, false);
          found = r.fh ? { fh: r.fh, attr: r.attr } : await nfs.lookup(parent!, leaf);
        }
        const type = (found.attr ?? (await nfs.getattr(found.fh))).type;
        if (type !== FTYPE.REG) throw new StorageError('InvalidInput', 'nfs', 'write', 'the key is a directory or a special file, not an object', { key });
        return found.fh;
      });
      await writeData(io, fh, body, offset, options.signal);
    },

    async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
      const { fh, attr } = await tree.lookupFile(key, 'read');
      const { start, end } = clampRange(attr.size, options.offset, options.length);
      return { size: end - start, body: readBody(io, fh, start, end, options.signal) };
    },

    async stat(key: string) {
      return objectInfo(key, (await tree.lookupFile(key, 'stat')).attr);
    },

    async delete(key: string) {
      const { folder, leaf } = splitPrefix(key);
      await tree.inDir(folder, false, async (parent) => {
        if (!parent) return;
        try {
          await nfs.remove(parent, leaf);
        } catch (e) {
          // missing, or a directory (not an object): nothing to delete
          if (!hasStatus(e, NFS3ERR.NOENT, NFS3ERR.ISDIR, NFS3ERR.NOTDIR)) throw e;
        }
      });
    },

    list(prefix: string, options: ListOptions = {}) {
      return paginate(files(tree.walkPrefix(prefix)), options.pageSize ?? 1000);
    },

    async *scan(prefix: string, options: ListOptions = {}): AsyncIterable<ScanEntry> {
      for await (const item of tree.walkPrefix(prefix)) {
        if (item.kind !== 'file') continue;
        yield { info: objectInfo(item.path, item.attr), body: readBody(io, item.fh, 0, item.attr.size, options.signal) };
      }
    },

    async append(key: string, body: Body, options: WriteOptions = {}) {
      const { fh, attr } = await tree.lookupFile(key, 'append');
      await writeData(io, fh, body, attr.size, options.signal);
    },

    async rename(from: string, to: string) {
      const src = splitPrefix(from);
      const dst = splitPrefix(to);
      await tree.lookupFile(from, 'rename');
      const fromDir = await tree.dirHandle(src.folder, false);
      await tree.inDir(dst.folder, true, async (toDir) => nfs.rename(fromDir!, src.leaf, toDir!, dst.leaf));
    },

    async deletePrefix(prefix: string) {
      try {
        const removed = await removeTree(prefix);
        // "a/b/" also names the directory a/b itself
        const { folder, leaf } = splitPrefix(prefix);
        if (leaf === '' && folder !== '') {
          const parentPath = splitPrefix(folder);
          const parent = await tree.dirHandle(parentPath.folder, false);
          if (parent) await removeDirIfEmpty(parent, parentPath.leaf);
        }
        return removed;
      } finally {
        tree.forgetUnder(prefix);
      }
    },
  };
}

/** The objects of a walk: regular files, without the temporary files of writes in progress. */
async function* files(items: AsyncIterable<WalkItem>): AsyncIterable<ObjectInfo> {
  for await (const item of items) if (item.kind === 'file') yield objectInfo(item.path, item.attr);
}
