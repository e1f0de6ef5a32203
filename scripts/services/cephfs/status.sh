#!/usr/bin/env bash
# One line: "running <file:// URL>" when the cluster, the MDS and the ceph-fuse mount run and the mount answers,
# else "stopped".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}"
. "$here/common.sh"
if cluster_runs && mds_pid >/dev/null && answers; then
  echo "running $URL"
else
  echo stopped
fi
