#!/usr/bin/env bash
# One line: "running <target URL>" when radosgw (and its mon and OSD) run and answer, else "stopped".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}"
. "$here/common.sh"
if pid_of mon.a >/dev/null && pid_of osd.0 >/dev/null && pid_of client.rgw.a >/dev/null && rgw_answers; then
  echo "running $(target_url)"
else
  echo stopped
fi
