/**
 * Getting to an nfs:// driver's root: ports from the portmapper, the export from MOUNT (the longest exported path
 * the URL path starts with), FSINFO for the server's limits, and the directory below the export made when missing.
 */
import { checkKey } from '../keys.js';
import { StorageError } from '../types.js';
import { NfsTree } from './nfs-tree.js';
import { type FsInfo, getPort, MOUNT_PROGRAM, MountClient, NFS_PROGRAM, Nfs3Client } from './nfs3.js';
import { type AuthSys, RpcPool } from './rpc.js';

/** Where and how to connect: the target and its options, resolved (src/drivers/nfs/nfs-driver.ts). */
export interface NfsSettings {
  readonly host: string;
  /** The URL's path: the export, optionally followed by a directory in it. */
  readonly urlPath: string;
  /** `?export=`: the export to mount instead of asking the server. */
  readonly exportPath: string | undefined;
  /** 0: ask the portmapper. */
  readonly nfsPort: number;
  readonly mountPort: number;
  readonly portmapPort: number;
  readonly auth: AuthSys;
  readonly connections: number;
  readonly timeoutMs: number;
  /** Bytes per READ / WRITE asked for; the server's rtmax / wtmax cap them. */
  readonly readSize: number;
  readonly writeSize: number;
  readonly depth: number;
  readonly atomic: boolean;
  readonly commit: boolean;
  readonly filesync: boolean;
  readonly fileMode: number;
  readonly privileged: boolean;
}

/** A mounted export, with the connections to its NFS port. */
export interface Mounted {
  readonly pool: RpcPool;
  readonly nfs: Nfs3Client;
  readonly tree: NfsTree;
  readonly exportPath: string;
  readonly nfsPort: number;
  readonly mountPort: number;
  readonly info: FsInfo;
  readonly readSize: number;
  readonly writeSize: number;
}

/** Mount the export of `s` and find (or make) the root of the keys. Nothing is left open when it fails. */
export async function mountExport(s: NfsSettings): Promise<Mounted> {
  const [mountPort, nfsPort] = await Promise.all([
    s.mountPort || getPort(s.host, s.portmapPort, MOUNT_PROGRAM, 3, s.timeoutMs),
    s.nfsPort || getPort(s.host, s.portmapPort, NFS_PROGRAM, 3, s.timeoutMs),
  ]);
  if (!mountPort || !nfsPort) {
    throw new StorageError('Unavailable', 'nfs', 'open', `${s.host} has no ${!mountPort ? 'MOUNT' : 'NFS'} v3 over TCP registered with its portmapper`);
  }
  const mount = new MountClient(s.host, mountPort, s.auth, s.timeoutMs, s.privileged);
  let pool: RpcPool | undefined;
  try {
    const exportPath = s.exportPath ?? (await findExport(mount, s.host, s.urlPath));
    const exportRoot = await mount.mount(exportPath);
    pool = new RpcPool({ host: s.host, port: nfsPort, auth: s.auth, connections: s.connections, timeoutMs: s.timeoutMs, privileged: s.privileged });
    const nfs = new Nfs3Client(pool);
    const info = await nfs.fsinfo(exportRoot);
    let root = exportRoot;
    const sub = s.urlPath.slice(exportPath.replace(/\/+$/, '').length).replace(/^\/+|\/+$/g, '');
    if (sub !== '') {
      checkKey('nfs', 'open', sub);
      root = (await new NfsTree(nfs, exportRoot, info).dirHandle(sub, true))!;
    }
    return {
      pool,
      nfs,
      tree: new NfsTree(nfs, root, info),
      exportPath,
      nfsPort,
      mountPort,
      info,
      readSize: Math.max(4096, Math.min(s.readSize, info.rtmax || s.readSize)),
      writeSize: Math.max(4096, Math.min(s.writeSize, info.wtmax || s.writeSize)),
    };
  } catch (e) {
    pool?.close();
    throw e;
  } finally {
    mount.close();
  }
}

/** The export is the longest exported path the URL path starts with; the rest is a directory in it. */
async function findExport(mount: MountClient, host: string, urlPath: string): Promise<string> {
  const exported = await mount.exports().catch(() => [] as string[]);
  const match = exported.filter((e) => e === '/' || urlPath === e || urlPath.startsWith(`${e.replace(/\/+$/, '')}/`)).sort((a, b) => b.length - a.length)[0];
  if (match !== undefined) return match;
  // servers answer MNT3ERR_ACCES for a path they do not export; say what is exported instead
  if (exported.length > 0) throw new StorageError('NotFound', 'nfs', 'open', `${host} does not export ${urlPath} (exports: ${exported.join(', ')})`);
  return urlPath; // a server that lists nothing: try the path as it is
}

/** Tell the server's mount list we left; best effort, it holds no state that matters. */
export async function unmountExport(s: NfsSettings, m: Mounted): Promise<void> {
  const mount = new MountClient(s.host, m.mountPort, s.auth, 2_000, s.privileged);
  await mount.unmount(m.exportPath).catch(() => undefined);
  mount.close();
}
