#!/usr/bin/env bash
# Stop the daemons up.sh started, by the PIDs it recorded: the NodeManagers first (SIGTERM: they kill their running
# containers and unregister), then the ResourceManager (SIGKILL after 30 s). A container process left behind (its
# working directory is under this service's NodeManager dirs) is killed too. State stays until the next fresh `up`.
set -euo pipefail
. "$(dirname "$0")/common.sh"
stop_pid_files "$STATE"/nm*.pid
stop_pid_files "$STATE"/rm.pid
left=()
for d in /proc/[0-9]*; do
  case "$(readlink "$d/cwd" 2>/dev/null)" in "$STATE"/nm*/local/*) left+=("${d#/proc/}") ;; esac
done
if [ ${#left[@]} -gt 0 ]; then
  echo "yarn: killing ${#left[@]} container process(es) left behind: ${left[*]}" >&2
  kill -9 "${left[@]}" 2>/dev/null || true
fi
echo "yarn stopped"
