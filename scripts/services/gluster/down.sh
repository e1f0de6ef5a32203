#!/usr/bin/env bash
# Undo up.sh: unmount, stop the volume (which stops its brick), stop glusterd, by the PIDs up.sh recorded.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}/gluster"
VOL="${GLUSTER_VOLUME:-storbench}"
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }   # exited (zombie counts)
stop_pid() { # <pid> <comm>
  local pid=$1 comm=$2
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 50); do gone "$pid" && break; sleep 0.1; done
  gone "$pid" || kill -KILL "$pid"
  echo "stopped $comm ($pid)"
}
[ -d "$STATE" ] || { echo "gluster: not running"; exit 0; }
if mountpoint -q "$STATE/mnt" 2>/dev/null; then
  umount "$STATE/mnt" 2>/dev/null || umount -l "$STATE/mnt"
  echo "unmounted $STATE/mnt"
fi
[ -f "$STATE/mnt.pid" ] && stop_pid "$(cat "$STATE/mnt.pid")" glusterfs   # the FUSE client usually exits on unmount
if [ -f "$STATE/glusterd.pid" ] && [ "$(cat "/proc/$(cat "$STATE/glusterd.pid")/comm" 2>/dev/null)" = glusterd ]; then
  timeout 30 gluster --mode=script volume stop "$VOL" >/dev/null 2>&1 && echo "volume $VOL stopped"
  stop_pid "$(cat "$STATE/glusterd.pid")" glusterd
fi
# A brick left running (glusterd died first): glusterd keeps its pid file under /var/run/gluster/vols/$VOL.
for f in /var/run/gluster/vols/"$VOL"/*.pid; do
  [ -f "$f" ] || continue
  p=$(cat "$f")
  if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = glusterfsd ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "--brick-name $STATE/brick "; then
    stop_pid "$p" glusterfsd
  fi
done
rm -rf /var/run/gluster/vols/"$VOL"
rm -rf "$STATE"
