/**
 * The procedures of NFS v3 and MOUNT v3 (RFC 1813) and the portmapper's GETPORT (RFC 1833), encoded
 * and decoded on top of the RPC pool. A non-OK status throws {@link NfsStatusError}; nothing here
 * retries or caches: that is the driver's business.
 */
import { type AuthSys, RpcConnection, RpcPool } from './rpc.js';
import type { XdrReader, XdrWriter } from './xdr.js';

export const PORTMAP_PROGRAM = 100000;
export const MOUNT_PROGRAM = 100005;
export const NFS_PROGRAM = 100003;

/** NFS v3 status codes (nfsstat3) and MOUNT v3 codes (mountstat3, a subset with the same values). */
export const NFS3ERR = {
  PERM: 1,
  NOENT: 2,
  IO: 5,
  NXIO: 6,
  ACCES: 13,
  EXIST: 17,
  XDEV: 18,
  NODEV: 19,
  NOTDIR: 20,
  ISDIR: 21,
  INVAL: 22,
  FBIG: 27,
  NOSPC: 28,
  ROFS: 30,
  MLINK: 31,
  NAMETOOLONG: 63,
  NOTEMPTY: 66,
  DQUOT: 69,
  STALE: 70,
  REMOTE: 71,
  BADHANDLE: 10001,
  NOT_SYNC: 10002,
  BAD_COOKIE: 10003,
  NOTSUPP: 10004,
  TOOSMALL: 10005,
  SERVERFAULT: 10006,
  BADTYPE: 10007,
  JUKEBOX: 10008,
} as const;

const STATUS_NAME = new Map<number, string>(Object.entries(NFS3ERR).map(([k, v]) => [v, `NFS3ERR_${k}`]));

/** The name of an nfsstat3 (`NFS3ERR_NOENT`), or `NFS3ERR_<number>` for a status RFC 1813 does not name. */
export function statusName(status: number): string {
  return STATUS_NAME.get(status) ?? `NFS3ERR_${status}`;
}

/** A procedure answered with a status other than NFS3_OK / MNT3_OK. */
export class NfsStatusError extends Error {
  constructor(
    readonly status: number,
    readonly procedure: string,
  ) {
    super(`${procedure} failed: ${STATUS_NAME.get(status) ?? `status ${status}`}`);
    this.name = 'NfsStatusError';
  }
}

/** ftype3 */
export const FTYPE = { REG: 1, DIR: 2, BLK: 3, CHR: 4, LNK: 5, SOCK: 6, FIFO: 7 } as const;

/** stable_how: how far a WRITE must go before the server answers. */
export const STABLE = { UNSTABLE: 0, DATA_SYNC: 1, FILE_SYNC: 2 } as const;

/** The attributes storbench uses from fattr3. */
export interface Fattr {
  readonly type: number;
  readonly mode: number;
  readonly size: number;
  readonly fileid: number;
  /** mtime in ms since the epoch. */
  readonly mtime: number;
}

export interface FsInfo {
  readonly rtmax: number;
  readonly rtpref: number;
  readonly wtmax: number;
  readonly wtpref: number;
  readonly dtpref: number;
  readonly maxfilesize: number;
}

export interface DirEntry {
  readonly name: string;
  readonly attr: Fattr | undefined;
  readonly fh: Buffer | undefined;
}

export interface DirPage {
  readonly entries: DirEntry[];
  /** Cookie of the last entry (8 raw bytes: servers use all 64 bits, so never turn it into a number). */
  readonly cookie: Buffer;
  readonly verifier: Buffer;
  readonly eof: boolean;
}

const NFS3_FHSIZE = 64;
const ZERO8 = Buffer.alloc(8);

// ---------- decoding of the shared structures ----------

function fattr3(r: XdrReader): Fattr {
  const type = r.u32();
  const mode = r.u32();
  r.skip(12); // nlink, uid, gid
  const size = r.u64();
  r.skip(8 + 8 + 8); // used, rdev, fsid
  const fileid = r.u64();
  r.skip(8); // atime
  const mtime = r.u32() * 1000 + Math.floor(r.u32() / 1e6);
  r.skip(8); // ctime
  return { type, mode, size, fileid, mtime };
}

function postOpAttr(r: XdrReader): Fattr | undefined {
  return r.bool() ? fattr3(r) : undefined;
}

function skipWcc(r: XdrReader): void {
  if (r.bool()) r.skip(24); // pre_op_attr: size, mtime, ctime
  postOpAttr(r);
}

function postOpFh(r: XdrReader): Buffer | undefined {
  return r.bool() ? Buffer.from(r.opaque(NFS3_FHSIZE)) : undefined;
}

/** A handle is kept beyond the reply, so it is copied out of the reply buffer. */
function fh3(r: XdrReader): Buffer {
  return Buffer.from(r.opaque(NFS3_FHSIZE));
}

function diropargs(w: XdrWriter, dir: Buffer, name: string): void {
  w.opaque(dir).string(name);
}

/** sattr3 setting only the mode (and the size, to truncate on create). */
function sattr3(w: XdrWriter, mode: number | undefined, size?: number): void {
  if (mode === undefined) w.bool(false);
  else w.bool(true).u32(mode);
  w.bool(false).bool(false); // uid, gid
  if (size === undefined) w.bool(false);
  else w.bool(true).u64(size);
  w.u32(0).u32(0); // atime, mtime: DONT_CHANGE
}

// ---------- portmapper and MOUNT ----------

/** PMAPPROC_GETPORT over TCP: the port a program listens on, 0 when it is not registered. */
export async function getPort(host: string, portmapPort: number, program: number, version: number, timeoutMs: number): Promise<number> {
  const conn = new RpcConnection(host, portmapPort, Buffer.alloc(16) /* AUTH_NONE credential and verifier */, timeoutMs);
  try {
    const r = await conn.call(PORTMAP_PROGRAM, 2, 3, (w) => w.u32(program).u32(version).u32(6 /* TCP */).u32(0));
    return r.u32();
  } finally {
    conn.close();
  }
}

/** The MOUNT v3 calls storbench makes, on a short-lived connection. */
export class MountClient {
  private readonly pool: RpcPool;

  constructor(host: string, port: number, auth: AuthSys, timeoutMs: number, privileged = false) {
    this.pool = new RpcPool({ host, port, auth, connections: 1, timeoutMs, privileged });
  }

  /** MOUNTPROC3_MNT: the root file handle of an exported path. */
  async mount(path: string): Promise<Buffer> {
    const r = await this.pool.call(MOUNT_PROGRAM, 3, 1, (w) => w.string(path));
    const status = r.u32();
    if (status !== 0) throw new NfsStatusError(status, `MOUNT ${path}`);
    return fh3(r);
  }

  /** MOUNTPROC3_UMNT: tells the server we are gone (it only updates its list of mounts). */
  async unmount(path: string): Promise<void> {
    await this.pool.call(MOUNT_PROGRAM, 3, 3, (w) => w.string(path));
  }

  /** MOUNTPROC3_EXPORT: the exported paths. */
  async exports(): Promise<string[]> {
    const r = await this.pool.call(MOUNT_PROGRAM, 3, 5);
    const out: string[] = [];
    for (let n = 0; r.bool() && n < 100_000; n++) {
      out.push(r.string(1024));
      for (let g = 0; r.bool() && g < 100_000; g++) r.string(255); // groups allowed to mount it
    }
    return out;
  }

  close(): void {
    this.pool.close();
  }
}

// ---------- NFS v3 ----------

/** NFS v3 procedures over a pool of connections. */
export class Nfs3Client {
  constructor(private readonly pool: RpcPool) {}

  private async call(proc: number, name: string, args: (w: XdrWriter) => void, payload?: Uint8Array): Promise<XdrReader> {
    const r = await this.pool.call(NFS_PROGRAM, 3, proc, args, payload);
    const status = r.u32();
    if (status !== 0) throw new NfsStatusError(status, name);
    return r;
  }

  /** NULL: a round trip that does nothing (reachability). */
  async ping(): Promise<void> {
    await this.pool.call(NFS_PROGRAM, 3, 0);
  }

  async getattr(fh: Buffer): Promise<Fattr> {
    return fattr3(await this.call(1, 'GETATTR', (w) => w.opaque(fh)));
  }

  async lookup(dir: Buffer, name: string): Promise<{ fh: Buffer; attr: Fattr | undefined }> {
    const r = await this.call(3, 'LOOKUP', (w) => diropargs(w, dir, name));
    const fh = fh3(r);
    return { fh, attr: postOpAttr(r) };
  }

  /** READ: `data` is a view into the reply record (no copy). */
  async read(fh: Buffer, offset: number, count: number): Promise<{ data: Buffer; eof: boolean }> {
    const r = await this.call(6, 'READ', (w) => w.opaque(fh).u64(offset).u32(count));
    postOpAttr(r);
    r.u32(); // count, repeated as the opaque's length
    const eof = r.bool();
    return { data: r.opaque(), eof };
  }

  /** WRITE `data` at `offset`. Returns the bytes written, the stability reached and the write verifier. */
  async write(fh: Buffer, offset: number, data: Uint8Array, stable: number): Promise<{ count: number; committed: number; verifier: Buffer }> {
    const r = await this.call(7, 'WRITE', (w) => w.opaque(fh).u64(offset).u32(data.length).u32(stable), data);
    skipWcc(r);
    const count = r.u32();
    const committed = r.u32();
    return { count, committed, verifier: Buffer.from(r.fixed(8)) };
  }

  /**
   * CREATE `name` in `dir`. UNCHECKED with `truncate` sets the size to 0, replacing an existing file's
   * content; GUARDED fails with EXIST when the name exists.
   */
  async create(
    dir: Buffer,
    name: string,
    how: 'unchecked' | 'guarded',
    mode: number,
    truncate: boolean,
  ): Promise<{ fh: Buffer | undefined; attr: Fattr | undefined }> {
    const r = await this.call(8, 'CREATE', (w) => {
      diropargs(w, dir, name);
      w.u32(how === 'unchecked' ? 0 : 1);
      sattr3(w, mode, truncate ? 0 : undefined);
    });
    const fh = postOpFh(r);
    return { fh, attr: postOpAttr(r) };
  }

  async mkdir(dir: Buffer, name: string, mode: number): Promise<{ fh: Buffer | undefined; attr: Fattr | undefined }> {
    const r = await this.call(9, 'MKDIR', (w) => {
      diropargs(w, dir, name);
      sattr3(w, mode);
    });
    const fh = postOpFh(r);
    return { fh, attr: postOpAttr(r) };
  }

  async remove(dir: Buffer, name: string): Promise<void> {
    await this.call(12, 'REMOVE', (w) => diropargs(w, dir, name));
  }

  async rmdir(dir: Buffer, name: string): Promise<void> {
    await this.call(13, 'RMDIR', (w) => diropargs(w, dir, name));
  }

  async rename(fromDir: Buffer, fromName: string, toDir: Buffer, toName: string): Promise<void> {
    await this.call(14, 'RENAME', (w) => {
      diropargs(w, fromDir, fromName);
      diropargs(w, toDir, toName);
    });
  }

  /**
   * READDIRPLUS: one page of entries with attributes and handles. Start with `cookie` and `verifier`
   * undefined; continue with the page's own.
   */
  async readdirplus(dir: Buffer, cookie: Buffer | undefined, verifier: Buffer | undefined, dircount: number, maxcount: number): Promise<DirPage> {
    const r = await this.call(17, 'READDIRPLUS', (w) =>
      w
        .opaque(dir)
        .fixed(cookie ?? ZERO8)
        .fixed(verifier ?? ZERO8)
        .u32(dircount)
        .u32(maxcount),
    );
    postOpAttr(r);
    const nextVerifier = Buffer.from(r.fixed(8));
    const entries: DirEntry[] = [];
    let last = cookie ?? ZERO8;
    while (r.bool()) {
      r.skip(8); // fileid
      const name = r.string(4096);
      last = Buffer.from(r.fixed(8));
      const attr = postOpAttr(r);
      const fh = postOpFh(r);
      entries.push({ name, attr, fh });
    }
    return { entries, cookie: last, verifier: nextVerifier, eof: r.bool() };
  }

  async fsinfo(root: Buffer): Promise<FsInfo> {
    const r = await this.call(19, 'FSINFO', (w) => w.opaque(root));
    postOpAttr(r);
    const rtmax = r.u32();
    const rtpref = r.u32();
    r.u32(); // rtmult
    const wtmax = r.u32();
    const wtpref = r.u32();
    r.u32(); // wtmult
    const dtpref = r.u32();
    const maxfilesize = r.u64();
    return { rtmax, rtpref, wtmax, wtpref, dtpref, maxfilesize };
  }

  /** COMMIT the whole file to stable storage; returns the write verifier to compare with the WRITEs'. */
  async commit(fh: Buffer): Promise<Buffer> {
    const r = await this.call(21, 'COMMIT', (w) => w.opaque(fh).u64(0).u32(0));
    skipWcc(r);
    return Buffer.from(r.fixed(8));
  }
}
