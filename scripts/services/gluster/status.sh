#!/usr/bin/env bash
# One line: "running file:///.../mnt" when glusterd and the FUSE mount are up, else "stopped".
here="$(cd "$(dirname "$0")" && pwd)"
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}/gluster"
if [ -f "$STATE/glusterd.pid" ] && [ "$(cat "/proc/$(cat "$STATE/glusterd.pid")/comm" 2>/dev/null)" = glusterd ] \
  && mountpoint -q "$STATE/mnt" 2>/dev/null; then
  echo "running file://$STATE/mnt"
else
  echo stopped
fi
