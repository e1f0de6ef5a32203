/**
 * Profiles: the defaults that make a benchmark honest on each kind of POSIX mount. Chosen with
 * `?profile=`, or detected from the mount. Every value can still be overridden by its own URL option,
 * and the resolved settings are recorded with the run (`environment()`), with the reason for each.
 */
import type { LargeFileMode } from '../types.js';
import type { FileSystemInfo } from './fs-type.js';

export const PROFILE_NAMES = ['local', 'nfs', 'mapr-nfs', 'isilon', 'lustre', 'gpfs', 'glusterfs', 'cephfs'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * What a write does: `atomic` writes a temporary file and renames it over the key's (a reader sees the old object
 * or the new one, never part of one); `in-place` creates (or truncates) the key's file itself and writes into it,
 * mdtest's and fio's create-write-close (a reader may see part of a write in progress).
 */
export const WRITE_MODES = ['atomic', 'in-place'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/** `auto`: use O_DIRECT when a probe at open shows the file system accepts it. */
export type DirectMode = 'auto' | 'on' | 'off';

export interface Profile {
  readonly name: ProfileName;
  /** fsync each file before it is renamed into place (and its directory after). */
  readonly fsync: boolean;
  /** Temporary file and rename, or the key's file written in place (`WRITE_MODES`). */
  readonly writeMode: WriteMode;
  /** O_DIRECT for object reads and writes: bypass the client's page cache. */
  readonly direct: DirectMode;
  /** Hash-bucket levels and width (./layout.ts): bounds files per directory. */
  readonly fanout: number;
  readonly fanoutWidth: number;
  /** Lustre: `lfs setstripe -c stripeCount -S stripeSize` on the root, when `lfs` is installed. */
  readonly stripeCount?: number;
  readonly stripeSize?: string;
  /**
   * IOR's two modes for large sequential work: each worker its own file, or all workers writing and
   * reading disjoint segments of one shared file. The default of a workload that does not set
   * `largeFiles` and can run either way (put-large, get-large, dfsio-*); recorded with every run.
   */
  readonly largeFileMode: LargeFileMode;
  /** Why these defaults, in one line (stored with the run). */
  readonly why: string;
}

const NFS_WHY =
  'close-to-open consistency: fsync makes the write durable on the server before it counts; ' + 'O_DIRECT keeps the client page cache from answering reads';

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  local: {
    name: 'local',
    fsync: false,
    writeMode: 'atomic',
    direct: 'off',
    fanout: 1,
    fanoutWidth: 64,
    largeFileMode: 'file-per-worker',
    why: 'a local file system: the page cache is part of what it offers; use --drop-caches for cold reads',
  },
  nfs: { name: 'nfs', fsync: true, writeMode: 'atomic', direct: 'auto', fanout: 1, fanoutWidth: 64, largeFileMode: 'file-per-worker', why: NFS_WHY },
  'mapr-nfs': {
    name: 'mapr-nfs',
    fsync: true,
    writeMode: 'atomic',
    direct: 'auto',
    fanout: 1,
    fanoutWidth: 64,
    largeFileMode: 'file-per-worker',
    why: `MapR-FS through its NFS gateway: ${NFS_WHY}; the gateway is one server per mount, so spread clients over gateways`,
  },
  isilon: {
    name: 'isilon',
    fsync: true,
    writeMode: 'atomic',
    direct: 'auto',
    fanout: 1,
    fanoutWidth: 64,
    largeFileMode: 'file-per-worker',
    why: `Isilon OneFS over NFS: ${NFS_WHY}; OneFS itself stripes and protects files across nodes`,
  },
  lustre: {
    name: 'lustre',
    fsync: false,
    writeMode: 'in-place',
    direct: 'auto',
    fanout: 1,
    fanoutWidth: 64,
    stripeCount: 1,
    stripeSize: '1M',
    largeFileMode: 'file-per-worker',
    why:
      'Lustre: file-per-worker with stripe count 1 spreads workers over OSTs (a shared file wants -c -1); ' +
      'bounded directories spare the MDS; O_DIRECT bypasses the client cache (IOR -B)',
  },
  gpfs: {
    name: 'gpfs',
    fsync: false,
    writeMode: 'in-place',
    direct: 'auto',
    fanout: 1,
    fanoutWidth: 64,
    largeFileMode: 'file-per-worker',
    why: 'GPFS: O_DIRECT bypasses the pagepool; bounded directories avoid directory-token contention between nodes',
  },
  glusterfs: {
    name: 'glusterfs',
    fsync: true,
    writeMode: 'atomic',
    direct: 'auto',
    fanout: 1,
    fanoutWidth: 64,
    largeFileMode: 'file-per-worker',
    why:
      'GlusterFS: flush-behind lets close() return before the bricks have the data, so fsync marks the write; ' +
      'DHT readdir of a huge directory visits every brick, so directories stay bounded',
  },
  cephfs: {
    name: 'cephfs',
    fsync: true,
    writeMode: 'atomic',
    direct: 'auto',
    fanout: 1,
    fanoutWidth: 64,
    largeFileMode: 'file-per-worker',
    why:
      'CephFS: with buffer caps close() only starts the write-back of the client cache, so fsync marks the write ' +
      '(data acknowledged by the OSDs, metadata in the MDS journal); caps keep clients coherent; rename is one journaled MDS operation',
  },
};

/**
 * The profile a mount calls for. NFS mounts of `/mapr/...` are MapR's gateway and `/ifs/...` Isilon's
 * (their usual export paths); any other NFS is `nfs`; CephFS (ceph-fuse or the kernel client) is `cephfs`;
 * file systems without their own profile are `local`.
 */
export function detectProfile(fs: FileSystemInfo): ProfileName {
  const type = fs.type;
  if (type.startsWith('nfs')) {
    const exported = fs.mount?.source.split(':').slice(1).join(':') ?? '';
    if (/^\/mapr(\/|$)/.test(exported)) return 'mapr-nfs';
    if (/^\/ifs(\/|$)/.test(exported)) return 'isilon';
    return 'nfs';
  }
  if (type === 'lustre') return 'lustre';
  if (type === 'gpfs') return 'gpfs';
  if (type === 'fuse.glusterfs') return 'glusterfs';
  // ceph-fuse and the kernel client: the same MDS, caps and OSDs underneath
  if (type === 'fuse.ceph-fuse' || type === 'ceph') return 'cephfs';
  return 'local';
}
