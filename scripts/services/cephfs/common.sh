# Shared by up.sh, down.sh and status.sh of the cephfs service (sourced, not run).
# CephFS is a layer on the one-node Ceph of scripts/services/ceph: that service owns the cluster (ceph.conf, mon,
# OSD, their state and logs); this one adds an MDS, a file system with its two pools, and a ceph-fuse mount.
# Its own state, $STORBENCH_SERVICES_STATE/cephfs, holds the pid files, admin sockets and the mount point; its
# logs go beside the cluster's ($STORBENCH_SERVICES_STATE/ceph/log), so one copy of that folder has them all.
. "$(dirname "${BASH_SOURCE[0]}")/../ceph/common.sh"   # STATE (the cluster's), CEPH_CONF, pid_of
CEPHFS_STATE="${STORBENCH_SERVICES_STATE:?}/cephfs"
FS_NAME="${STORBENCH_CEPHFS_NAME:-storbench}"
META_POOL="cephfs.$FS_NAME.meta"
DATA_POOL="cephfs.$FS_NAME.data"
MDS_ID=a
MNT="$CEPHFS_STATE/mnt"
# A folder inside the file system rather than its root: the mount point's own directory is the mount's.
URL="file://$MNT/storbench"

# mine <pidfile> <comm>: the PID recorded there when that process still runs and is what we started (a PID
# reused by another program, or an unreaped zombie, does not count).
mine() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)"
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] \
    && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  echo "$pid"
}
mds_pid() { mine "$CEPHFS_STATE/run/mds.$MDS_ID.pid" ceph-mds; }
fuse_pid() { mine "$CEPHFS_STATE/run/ceph-fuse.pid" ceph-fuse; }
cluster_runs() { pid_of mon.a >/dev/null && pid_of osd.0 >/dev/null; }

# answers: the mount is ours and a stat through it returns (a hung FUSE daemon would block it forever: timeout).
answers() {
  fuse_pid >/dev/null && mountpoint -q "$MNT" 2>/dev/null && timeout 5 stat -t "$MNT/storbench" >/dev/null 2>&1
}
