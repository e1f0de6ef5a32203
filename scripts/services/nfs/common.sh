# Shared by up.sh, down.sh and status.sh of the nfs service (sourced, not run).
# State: $STORBENCH_SERVICES_STATE/nfs holds ganesha.conf, logs, pid files, url and export-dir.
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/.services}/nfs"
NFS_PORT="${STORBENCH_NFS_PORT:-2049}"
MNT_PORT="${STORBENCH_NFS_MOUNT_PORT:-20048}"
URL="nfs://127.0.0.1/export"
[ "$NFS_PORT" = 2049 ] || URL="$URL?nfsport=$NFS_PORT&mountport=$MNT_PORT"

# pid_alive <pidfile> <comm>: the recorded process still runs and is what we started (not a reused PID)
pid_alive() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1")"
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# running: ganesha is ours and both NFS v3 and MOUNT v3 answer a NULL call over TCP
running() {
  pid_alive "$STATE/ganesha.pid" ganesha.nfsd &&
    timeout 5 rpcinfo -n "$NFS_PORT" -t 127.0.0.1 nfs 3 >/dev/null 2>&1 &&
    timeout 5 rpcinfo -n "$MNT_PORT" -t 127.0.0.1 mountd 3 >/dev/null 2>&1
}
