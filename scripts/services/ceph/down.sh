#!/usr/bin/env bash
# Stop the daemons up.sh started, by the PIDs in their pid files, and wipe the state (memstore data is RAM anyway).
# One at a time, rgw -> osd -> mon (~0.1-0.3 s each): if the mon goes first or at the same time, the OSD waits
# osd_mon_shutdown_timeout (5 s) for a mon that is gone.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}"
. "$here/common.sh"
# CephFS (scripts/services/cephfs) runs on this cluster: its mount and MDS go first, while the mon still answers.
[ -d "$STORBENCH_SERVICES_STATE/cephfs" ] && { "$here/../cephfs/down.sh" || true; }
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
n=0
for name in client.rgw.a osd.0 mon.a; do
  pid="$(pid_of "$name")" || continue        # read before signalling: a clean exit deletes the pid file
  kill -TERM "$pid" 2>/dev/null || continue
  for _ in $(seq 1 100); do gone "$pid" && break; sleep 0.05; done   # up to 5 s
  gone "$pid" || kill -KILL "$pid" 2>/dev/null
  n=$((n + 1))
done
[ "${KEEP_STATE:-0}" = 1 ] || rm -rf "$STATE"
echo "ceph down ($n daemons stopped)"
