import type { z } from 'zod';
import { defineOptions, option } from '../kernel/options.js';

const MiB = 1024 * 1024;
const PORT = 65535;
const ID = 2 ** 32 - 1;

/** `nfs://` options (README.md shows them in a table). AUTH_SYS carries no credential, so none is secret. */
export const NFS_OPTIONS = defineOptions({
  /**
   * The exported path to mount, for servers that do not list their exports; it must be the start of the URL path.
   * @default the longest export the URL path starts with (MOUNT `EXPORT`)
   */
  export: option.text(),
  /** NFS v3 TCP port (2049 on most servers); 0 asks the portmapper. @default the port in the URL, else the portmapper's */
  nfsport: option.integer(undefined, 0, PORT),
  /** MOUNT v3 TCP port; 0 asks the portmapper. @default 0 */
  mountport: option.integer(0, 0, PORT),
  /** Port of the portmapper (rpcbind). @default 111 */
  portmapport: option.integer(111, 1, PORT),
  /** AUTH_SYS user id sent with every call. @default this process's uid */
  uid: option.integer(process.getuid?.() ?? 0, 0, ID),
  /** AUTH_SYS group id sent with every call. @default this process's gid */
  gid: option.integer(process.getgid?.() ?? 0, 0, ID),
  /**
   * TCP connections to the NFS port, opened as calls pile up (a call goes to the least busy one).
   * @default ceil(concurrency / 4), from 2 to 8
   */
  connections: option.integer(undefined, 1, 256),
  /** Milliseconds a call may wait for its reply (then `Timeout`). @default 30000 */
  timeout: option.integer(30_000, 100, 3_600_000),
  /** Bytes per READ, capped by the server's `rtmax` (FSINFO). @default 1MiB */
  rsize: option.size(MiB),
  /** Bytes per WRITE, capped by the server's `wtmax` (FSINFO). @default 1MiB */
  wsize: option.size(MiB),
  /** READs or WRITEs kept in flight for one object (read-ahead, write-behind). @default 4 */
  depth: option.integer(4, 1, 256),
  /** Write to a temporary name, then RENAME over the key; `false` writes in place. @default true */
  atomic: option.boolean(true),
  /** COMMIT the file (stable storage) before it is published. @default the run's `durable` flag */
  commit: option.boolean(undefined),
  /** Send every WRITE as FILE_SYNC (stable before the server answers; no COMMIT needed). @default false */
  filesync: option.boolean(false),
  /** Mode of created files, in decimal (420 is 0o644). @default 420 */
  mode: option.integer(0o644, 0, 0o7777),
  /** Connect from local ports below 1024, for servers exporting with `secure`; needs root. @default false */
  privport: option.boolean(false),
});

/** The parsed `nfs://` options. */
export type NfsOptions = z.output<typeof NFS_OPTIONS>;
