/**
 * Which file system holds a path: statfs(2)'s magic number, refined by /proc/self/mountinfo (which
 * names the FUSE subtype — `fuse.glusterfs`, `fuse.ceph-fuse`, `fuse.sshfs` — and NFS versions) and
 * the mount's point, source and options. Results compare only when readers know ext4 from GlusterFS.
 */
import { readFile, statfs } from 'node:fs/promises';

/** statfs f_type values (linux/magic.h and the vendors' headers) → the file system's usual name. */
const MAGIC: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'], // ext2, ext3 and ext4 share one magic; mountinfo tells them apart
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
  [0x794c7630, 'overlay'],
  [0x65735546, 'fuse'],
  [0x6969, 'nfs'],
  [0x0bd00bd0, 'lustre'],
  [0x47504653, 'gpfs'],
  [0x7461636f, 'ocfs2'],
  [0x01161970, 'gfs2'],
  [0x00c36400, 'ceph'],
  [0x2fc12fc1, 'zfs'],
  [0x19830326, 'beegfs'],
  [0xf2f52010, 'f2fs'],
  [0xca451a4e, 'bcachefs'],
  [0xfe534d42, 'smb2'],
  [0xff534d42, 'cifs'],
  [0x01021997, '9p'],
  [0x5346544e, 'ntfs'],
  [0x4d44, 'vfat'],
  [0x2011bab0, 'exfat'],
  [0x73717368, 'squashfs'],
]);

/** Names shown in reports, by file system type (mountinfo's form, FUSE subtypes included). */
const DISPLAY: Readonly<Record<string, string>> = {
  ext2: 'ext2',
  ext3: 'ext3',
  ext4: 'ext4',
  xfs: 'XFS',
  btrfs: 'Btrfs',
  tmpfs: 'tmpfs',
  ramfs: 'ramfs',
  overlay: 'overlayfs',
  nfs: 'NFS',
  nfs4: 'NFSv4',
  lustre: 'Lustre',
  gpfs: 'GPFS (IBM Storage Scale)',
  ocfs2: 'OCFS2',
  gfs2: 'GFS2',
  ceph: 'CephFS',
  'fuse.ceph-fuse': 'CephFS (ceph-fuse)',
  zfs: 'ZFS',
  beegfs: 'BeeGFS',
  'fuse.glusterfs': 'GlusterFS',
  'fuse.maprfuse': 'MapR-FS (FUSE)',
  'fuse.sshfs': 'SSHFS',
  'fuse.s3fs': 's3fs',
  virtiofs: 'virtiofs',
  cifs: 'SMB/CIFS',
  smb2: 'SMB/CIFS',
  smb3: 'SMB/CIFS',
};

/** One line of /proc/self/mountinfo, the fields we use. */
export interface MountEntry {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
  /** Per-mount and per-superblock options, secrets removed. */
  readonly options: string;
}

/** What {@link detectFileSystem} found. */
export interface FileSystemInfo {
  /** Best name of the type: mountinfo's (`fuse.glusterfs`, `nfs4`, `ext4`), else the magic's. */
  readonly type: string;
  /** The name for reports: `GlusterFS`, `ext4`, `Lustre`... */
  readonly display: string;
  /** statfs f_type in hex (`0x65735546`), `''` when statfs failed. */
  readonly magic: string;
  /** statfs f_bsize: the optimal transfer block size. */
  readonly blockSize: number;
  readonly mount?: MountEntry;
}

// Options whose value may be a credential (cifs `password=`, ceph `secret=`) never leave the process.
const SECRET_OPTION = /^(password|pass|secret|secretfile|key|token|credentials?)=/i;

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Parse /proc/self/mountinfo text (see proc(5)). Exported for tests. */
export function parseMountinfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const before = line.slice(0, sep).split(' ');
    const after = line.slice(sep + 3).split(' ');
    if (before.length < 6 || after.length < 2) continue;
    const options = [before[5] ?? '', after[2] ?? '']
      .join(',')
      .split(',')
      .filter((o) => o !== '' && !SECRET_OPTION.test(o));
    mounts.push({
      mountPoint: unescapeMount(before[4] ?? ''),
      fsType: after[0] ?? '',
      source: unescapeMount(after[1] ?? ''),
      options: [...new Set(options)].join(','),
    });
  }
  return mounts;
}

/** The mount holding `path` (an absolute, symlink-free path): the last, longest matching mount point. */
export function mountOf(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const p = m.mountPoint;
    const inside = p === '/' || path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`);
    // Later lines are mounted over earlier ones at the same point, so ">=" keeps the last.
    if (inside && (!best || p.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Report name for a type (`fuse.glusterfs` → `GlusterFS`); unknown types are shown as they are. */
export function displayName(type: string): string {
  return DISPLAY[type] ?? (type.startsWith('fuse.') ? `FUSE (${type.slice(5)})` : type);
}

/**
 * Detect the file system of `realPath` (already resolved with realpath). Never throws: a host without
 * /proc (or a statfs the kernel refuses) gives `unknown`.
 */
export async function detectFileSystem(realPath: string): Promise<FileSystemInfo> {
  const [st, mountinfo] = await Promise.all([statfs(realPath).catch(() => undefined), readFile('/proc/self/mountinfo', 'utf8').catch(() => '')]);
  const mount = mountOf(parseMountinfo(mountinfo), realPath);
  const magicType = st ? MAGIC.get(st.type) : undefined;
  // Trust mountinfo when it agrees with statfs or refines it (ext4 vs ext3, fuse vs fuse.glusterfs,
  // nfs vs nfs4); fall back to the magic alone when no mount line matched (containers hide some).
  let type = magicType ?? 'unknown';
  if (mount && (!magicType || mount.fsType.startsWith(magicType) || (magicType === 'ext4' && /^ext[234]$/.test(mount.fsType)))) {
    type = mount.fsType;
  }
  return {
    type,
    display: type === 'unknown' && st ? `unknown (0x${st.type.toString(16)})` : displayName(type),
    magic: st ? `0x${st.type.toString(16).padStart(8, '0')}` : '',
    blockSize: st ? st.bsize : 0,
    ...(mount ? { mount } : {}),
  };
}

/** True for file systems whose data lives on other hosts (close() may still be sending it). */
export function isNetworkFileSystem(type: string): boolean {
  return /^(nfs|fuse|lustre|gpfs|ceph|beegfs|cifs|smb|9p|ocfs2|gfs2)/.test(type);
}
