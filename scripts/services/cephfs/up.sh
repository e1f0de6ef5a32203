#!/usr/bin/env bash
# CephFS on the one-node Ceph of scripts/services/ceph (Debian's Pacific 16.2): one MDS, the file system
# "storbench" on two pools sized for one OSD (size 1, min_size 1, 8 PGs each), mounted with ceph-fuse at
# $STORBENCH_SERVICES_STATE/cephfs/mnt. Last stdout line: the file:// target URL (a folder in the file system).
# The cluster has one source of truth, the ceph service: when its mon and OSD do not run, this runs
# `services up ceph` first (and leaves the cluster running at `down cephfs`; `services down ceph` stops it, and
# this file system with it). Idempotent: when the MDS and the mount run and answer, it only prints the URL.
# Logs: $STORBENCH_SERVICES_STATE/ceph/log/{mds.a,ceph-fuse}.log. Env: STORBENCH_CEPHFS_NAME (storbench).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}"
. "$here/common.sh"

t0=$(date +%s%N)
log() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '[cephfs-up %d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&2; }
die() {
  echo "cephfs: ERROR: $* (npm run services -- down cephfs undoes what was started)" >&2
  for f in "$STATE"/log/{mds.$MDS_ID,ceph-fuse,mon.a}.{stderr,log}; do
    [ -s "$f" ] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}
# wait_for <timeout_s> <cmd...>
wait_for() {
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.2; done
}

if cluster_runs && mds_pid >/dev/null && answers; then
  log "already running"
  echo "$URL"
  exit 0
fi
# Half-started, or left over from a cluster that is gone: undo what was recorded before starting afresh.
[ -d "$CEPHFS_STATE" ] && { "$here/down.sh" >&2 || true; }

# --- install (the same Pacific as the cluster's ceph-osd), only what is missing --------------------------------
missing=()
command -v ceph-mds >/dev/null 2>&1 || missing+=(ceph-mds)
command -v ceph-fuse >/dev/null 2>&1 || missing+=(ceph-fuse)
# fusermount for the unmount; fuse3 "Breaks: fuse", so only when neither generation is there
command -v fusermount3 >/dev/null 2>&1 || command -v fusermount >/dev/null 2>&1 || missing+=(fuse3)
command -v mountpoint >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  # Other services may be installing at the same time: wait for the dpkg lock instead of failing.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  # ceph-mds pulls in the "ceph" metapackage and with it ceph-mgr (installed, never started here)
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
  log "installed"
fi
[ -e /dev/fuse ] || die "/dev/fuse is missing: this host cannot mount FUSE file systems"

# --- the cluster ------------------------------------------------------------------------------------------------
if cluster_runs; then
  log "using the running ceph cluster"
else
  log "ceph does not run: starting it (services up ceph)"
  "$here/../ceph/up.sh" >&2 || die "services up ceph failed"
  log "ceph up"
fi
t0=$(date +%s%N)   # the start time reported below excludes the install and the cluster's start

# --- pools and file system (mon commands only: nothing here needs a mgr) ----------------------------------------
C() { timeout 30 ceph --connect-timeout 10 "$@"; }
if ! C fs get "$FS_NAME" >/dev/null 2>&1; then
  for pool in "$META_POOL" "$DATA_POOL"; do
    # one OSD: one copy is all there can be (size 1 gives min_size 1); 8 PGs each beside RGW's pools
    C osd pool create "$pool" 8 8 replicated --size 1 --autoscale-mode off >/dev/null 2>&1 \
      || die "osd pool create $pool failed"
  done
  C fs new "$FS_NAME" "$META_POOL" "$DATA_POOL" >/dev/null 2>&1 || die "fs new $FS_NAME failed"
  # no standby MDS on one node: without this the cluster reports MDS_INSUFFICIENT_STANDBY
  C fs set "$FS_NAME" standby_count_wanted 0 >/dev/null 2>&1 || die "fs set standby_count_wanted failed"
  log "file system $FS_NAME created (pools $META_POOL, $DATA_POOL)"
fi

# --- mds --------------------------------------------------------------------------------------------------------
rm -rf "$CEPHFS_STATE"
mkdir -p "$CEPHFS_STATE"/{run,mnt,mds.$MDS_ID}
# pid file and admin socket here (the cluster's [global] would put them in ceph/run); cache capped at 256 MiB
# (default 4 GiB) for a test host; no keyring: cephx is off in the cluster.
timeout 60 ceph-mds -i "$MDS_ID" --mds-data "$CEPHFS_STATE/mds.$MDS_ID" \
  --pid-file "$CEPHFS_STATE/run/mds.$MDS_ID.pid" --admin-socket "$CEPHFS_STATE/run/mds.$MDS_ID.asok" \
  --log-file "$STATE/log/mds.$MDS_ID.log" --mds-cache-memory-limit 268435456 \
  >>"$STATE/log/mds.$MDS_ID.stderr" 2>&1 || die "ceph-mds did not start"   # daemonizes
mds_active() {
  C fs dump --format json 2>/dev/null | jq -e --arg fs "$FS_NAME" \
    '[.filesystems[].mdsmap | select(.fs_name == $fs) | .info[] | select(.state == "up:active")] | length > 0'
}
wait_for 60 mds_active || die "the MDS did not become active for $FS_NAME within 60 s"
log "mds.$MDS_ID active (pid $(mds_pid || echo '?'))"

# --- ceph-fuse mount --------------------------------------------------------------------------------------------
# ceph-fuse forks once the mount is made; the parent's exit status is the mount's.
timeout 60 ceph-fuse --id admin --client-fs "$FS_NAME" \
  --pid-file "$CEPHFS_STATE/run/ceph-fuse.pid" --admin-socket "$CEPHFS_STATE/run/ceph-fuse.asok" \
  --log-file "$STATE/log/ceph-fuse.log" "$MNT" >>"$STATE/log/ceph-fuse.stderr" 2>&1 || die "ceph-fuse failed to mount"
wait_for 20 mountpoint -q "$MNT" || die "ceph-fuse did not mount $MNT"
# Readiness: a write, a read back and a delete through the mount, each bounded (a stuck FUSE call never returns).
probe() {
  timeout 5 mkdir -p "$MNT/storbench" && timeout 5 sh -c "echo ok >'$MNT/storbench/.probe'" \
    && [ "$(timeout 5 cat "$MNT/storbench/.probe")" = ok ] && timeout 5 rm -f "$MNT/storbench/.probe"
}
wait_for 30 probe || die "the mount at $MNT did not answer within 30 s"
log "READY: $FS_NAME mounted at $MNT (ceph-fuse pid $(fuse_pid || echo '?'))"
echo "$URL"
