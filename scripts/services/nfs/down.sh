#!/usr/bin/env bash
# Stop what up.sh started, by the PIDs it recorded (ganesha; rpcbind only if up.sh started it),
# then remove the exported directory and the state.
set -uo pipefail
. "$(dirname "$0")/common.sh"
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
stop() { # <pidfile> <comm>
  pid_alive "$1" "$2" || return 1
  local pid; pid="$(cat "$1")"
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do gone "$pid" && break; sleep 0.05; done
  gone "$pid" || kill -KILL "$pid" 2>/dev/null
  echo "stopped $2 ($pid)"
}
stop "$STATE/ganesha.pid" ganesha.nfsd
# our rpcbind came with its socket file; a system rpcbind (not started by us) is left alone
stop "$STATE/rpcbind.pid" rpcbind && rm -f /run/rpcbind.sock
if [ -f "$STATE/export-dir" ]; then
  dir="$(cat "$STATE/export-dir")"
  case "$dir" in /tmp/storbench-nfs-export.*) rm -rf "$dir" ;; esac
fi
rm -rf "$STATE"
