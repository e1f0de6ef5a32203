#!/usr/bin/env bash
# Undo up.sh: unmount (fusermount -u), stop the ceph-fuse client and the MDS by the PIDs up.sh recorded, then
# remove the file system and its two pools, so the cluster is as `services up ceph` made it (and its memstore
# gives the RAM back). The cluster itself keeps running: `services down ceph` stops it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}"
. "$here/common.sh"
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# stop <pid> <name>: SIGTERM, up to 5 s, then SIGKILL
stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do gone "$1" && break; sleep 0.1; done
  gone "$1" || kill -KILL "$1" 2>/dev/null
  echo "stopped $2 ($1)"
}
[ -d "$CEPHFS_STATE" ] || { echo "cephfs: not running"; exit 0; }

fuse="$(fuse_pid)" || fuse=""       # read before the unmount: the client exits and removes its pid file
mds="$(mds_pid)" || mds=""
if mountpoint -q "$MNT" 2>/dev/null; then
  um=fusermount3; command -v "$um" >/dev/null 2>&1 || um=fusermount
  # a client whose MDS or mon is gone can hang in the unmount: bounded, then lazily detached
  timeout 10 "$um" -u "$MNT" 2>/dev/null || timeout 10 umount "$MNT" 2>/dev/null || umount -l "$MNT"
  echo "unmounted $MNT"
fi
if [ -n "$fuse" ]; then   # the client exits by itself once unmounted; give it 2 s to flush and close its session
  for _ in $(seq 1 20); do gone "$fuse" && break; sleep 0.1; done
  gone "$fuse" || stop "$fuse" ceph-fuse
fi
# The MDS first, by its PID: `ceph fs fail` while it runs makes it respawn as a standby, and a respawned
# ceph-mds daemonizes again under a new PID. A stopped MDS tells the mon it is gone, so the rank is failed at once.
[ -n "$mds" ] && stop "$mds" ceph-mds
if cluster_runs; then
  C() { timeout 30 ceph --connect-timeout 10 "$@"; }
  C fs fail "$FS_NAME" >/dev/null 2>&1
  if C fs rm "$FS_NAME" --yes-i-really-mean-it >/dev/null 2>&1; then
    for pool in "$META_POOL" "$DATA_POOL"; do
      C osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it >/dev/null 2>&1
    done
    echo "file system $FS_NAME and its pools removed"
  fi
fi
rm -rf "$CEPHFS_STATE"
echo "cephfs down"
