#!/usr/bin/env bash
# GlusterFS (Debian's 10.x): one glusterd, one single-brick volume, a FUSE mount, all on 127.0.0.1.
# Last stdout line: the file:// target URL of the mount. Idempotent: when already running, only prints it.
# Adapted from the tested shared/reference/gluster-up.sh; pitfalls in shared/notes/ceph-nfs-gluster.md:
#  - the gluster CLI refuses localhost/127.0.0.1 as a brick host, so the brick host is a NAME resolving to
#    127.0.0.1 (this host's name when it does; else "storbench-gluster", added to /etc/hosts);
#  - changes must go through glusterd's local socket (over TCP the CLI is read-only);
#  - glusterd still writes /var/run/gluster, /var/log/glusterfs and /var/lib/glusterd/{ss_brick,geo-replication}.
# Env: STORBENCH_SERVICES_STATE (state under $STORBENCH_SERVICES_STATE/gluster), GLUSTER_VOLUME (storbench).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}/gluster"
VOL="${GLUSTER_VOLUME:-storbench}"
MNT="$STATE/mnt"
URL="file://$MNT"
t0=$(date +%s%N)
log() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '[gluster-up %d.%03ds] %s\n' $((ms/1000)) $((ms%1000)) "$*" >&2; }
die() { echo "gluster up: ERROR: $*" >&2; tail -n 20 "$STATE"/log/*.log >&2 2>/dev/null || true; exit 1; }
wait_for() { local t=$1; shift; local end=$(( $(date +%s) + t ))
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.1; done; }
alive() { [ -f "$1" ] && [ "$(cat "/proc/$(cat "$1")/comm" 2>/dev/null)" = "$2" ]; }

if alive "$STATE/glusterd.pid" glusterd && mountpoint -q "$MNT" 2>/dev/null && [ -w "$MNT" ]; then
  log "already running"
  echo "$URL"
  exit 0
fi
# Half-started or crashed earlier: clean up what that run recorded before starting afresh.
[ -d "$STATE" ] && "$here/down.sh" >&2 || true

if ! command -v glusterd >/dev/null || ! command -v glusterfs >/dev/null || ! command -v gluster >/dev/null; then
  log "installing glusterfs-server glusterfs-client (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # Other services may be installing at the same time: wait for dpkg's lock instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends glusterfs-server glusterfs-client >&2 \
    || die "apt-get install glusterfs-server glusterfs-client failed"
fi
[ -e /dev/fuse ] || die "/dev/fuse is missing: this host cannot mount FUSE file systems"
command -v mountpoint >/dev/null || die "mountpoint (util-linux) is missing"

BRICK_HOST="$(hostname)"
if [ "$(getent ahostsv4 "$BRICK_HOST" | awk 'NR==1{print $1}')" != 127.0.0.1 ]; then
  BRICK_HOST=storbench-gluster
  if [ "$(getent ahostsv4 "$BRICK_HOST" | awk 'NR==1{print $1}')" != 127.0.0.1 ]; then
    [ -w /etc/hosts ] || die "no host name resolves to 127.0.0.1; add '127.0.0.1 storbench-gluster' to /etc/hosts"
    echo "127.0.0.1 storbench-gluster   # added by storbench scripts/services/gluster (brick host)" >>/etc/hosts
    log "added 127.0.0.1 storbench-gluster to /etc/hosts"
  fi
fi
if ss -Hltn 'sport = :24007' 2>/dev/null | grep -q .; then
  die "port 24007 is taken (another glusterd?); stop it first"
fi

rm -rf "$STATE"; mkdir -p "$STATE"/{glusterd,brick,mnt,log}
cat >"$STATE/glusterd.vol" <<VOLFILE
volume management
    type mgmt/glusterd
    option working-directory $STATE/glusterd
    option transport-type socket
    option transport.socket.bind-address 127.0.0.1
    option transport.socket.listen-port 24007
    option transport.socket.keepalive-time 10
    option transport.socket.keepalive-interval 2
    option transport.socket.read-fail-log off
    option ping-timeout 0
    option event-threads 1
    option max-port 60999
end-volume
VOLFILE
G() { timeout 60 gluster --mode=script "$@"; }
glusterd -f "$STATE/glusterd.vol" -p "$STATE/glusterd.pid" -l "$STATE/log/glusterd.log"   # daemonizes
wait_for 30 G peer status || die "glusterd did not answer"
log "glusterd up (pid $(cat "$STATE/glusterd.pid"))"
G volume create "$VOL" "$BRICK_HOST:$STATE/brick" force >/dev/null || die "volume create failed"   # force: brick on the root fs
G volume start "$VOL" >/dev/null || die "volume start failed"
log "volume $VOL started (brick $BRICK_HOST:$STATE/brick)"
glusterfs --volfile-server=127.0.0.1 --volfile-id="$VOL" --log-file="$STATE/log/mnt.log" \
  --pid-file="$STATE/mnt.pid" "$MNT"
wait_for 20 mountpoint -q "$MNT" || die "FUSE mount failed"
# Readiness: a real write through the mount that lands on the brick.
wait_for 20 sh -c "echo ok >'$MNT/.probe' && [ \"\$(cat '$STATE/brick/.probe')\" = ok ]" || die "write through the mount failed"
rm -f "$MNT/.probe"
log "READY: $VOL mounted at $MNT"
echo "$URL"
