/**
 * `nfs://host[:port]/export/path`: NFS v3 spoken from user space (MOUNT v3 + NFS v3 over TCP, RFC 1813),
 * without a kernel NFS client, root, or a client page cache between the benchmark and the server.
 * Keys are paths below `/export/path`; directories in a key are created on write. See README.md.
 *
 * The pieces: nfs-options.ts (the URL's options), nfs-mount.ts (portmapper, MOUNT, the root of the keys),
 * nfs-tree.ts (directory handles and the READDIRPLUS walk), nfs-io.ts (READ/WRITE pipelines), nfs-core.ts (the
 * operations), nfs-errors.ts (statuses to StorageErrors); nfs3.ts, rpc.ts and xdr.ts are the protocol.
 */
import { UsageError } from '../../errors.js';
import { defineCapabilities } from '../kernel/capabilities.js';
import { type ConnectContext, defineDriver } from '../kernel/define-driver.js';
import type { Target } from '../target.js';
import { connectNfs } from './nfs-core.js';
import { mapNfsError } from './nfs-errors.js';
import type { NfsSettings } from './nfs-mount.js';
import { NFS_OPTIONS, type NfsOptions } from './nfs-options.js';

export const nfsDriver = defineDriver({
  name: 'nfs',
  options: NFS_OPTIONS,
  capabilities: defineCapabilities({
    append: true,
    rename: true,
    unknownLengthWrite: true,
    positionalWrite: true,
    // a key's directories are directories on the server: `a` cannot be a file and hold `a/b`
    keyAndPrefixCoexist: false,
  }),
  mapError: mapNfsError,
  // the URL's host and export are checked when the driver is created (a suite refuses them before any run)
  checkTarget: (target, options) => void settingsOf({ target, options, concurrency: 1, durable: false }),
  connect: async (context) => connectNfs(settingsOf(context)),
});

/**
 * The target and its options resolved to what the connection needs: the defaults that depend on the URL or the run
 * (NFS port, connections, commit) filled in, and the URL checked before anything connects.
 * @throws UsageError
 */
function settingsOf({ target, options, concurrency, durable }: ConnectContext<NfsOptions>): NfsSettings {
  const { host, port } = hostOf(target);
  const urlPath = target.path === '' ? '/' : target.path;
  const exportPath = options.export;
  if (exportPath !== undefined && !(exportPath === '/' || (exportPath.startsWith('/') && (urlPath === exportPath || urlPath.startsWith(`${exportPath}/`))))) {
    throw new UsageError(`target option export: "${exportPath}" must be the start of the URL path "${urlPath}"`);
  }
  return {
    host,
    urlPath,
    exportPath,
    nfsPort: options.nfsport ?? port ?? 0,
    mountPort: options.mountport,
    portmapPort: options.portmapport,
    auth: { uid: options.uid, gid: options.gid },
    // Ganesha (like most servers) reads each connection's requests on one thread and sends its replies under
    // one lock: large READs and WRITEs go faster spread over a few connections
    connections: options.connections ?? Math.min(8, Math.max(2, Math.ceil(concurrency / 4))),
    timeoutMs: options.timeout,
    readSize: options.rsize,
    writeSize: options.wsize,
    depth: options.depth,
    atomic: options.atomic,
    commit: options.commit ?? durable,
    filesync: options.filesync,
    fileMode: options.mode,
    privileged: options.privport,
  };
}

/** The one server of the URL: `host`, `host:port`, `[v6]` or `[v6]:port`. */
function hostOf(target: Target): { host: string; port: number | undefined } {
  if (target.hosts.length !== 1) throw new UsageError('target: nfs:// needs exactly one host (nfs://host/export/path)');
  const authority = target.hosts[0]!;
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(authority);
  if (!m) throw new UsageError(`target: nfs:// host "${authority}" is not host or host:port`);
  return { host: (m[1] ?? m[2])!, port: m[3] !== undefined ? Number(m[3]) : undefined };
}
