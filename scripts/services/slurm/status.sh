#!/usr/bin/env bash
# One line: "running <slurm.conf path>" when munged, slurmctld and slurmd run and sinfo answers, else "stopped".
set -uo pipefail
. "$(dirname "$0")/common.sh"
if pid_of munged >/dev/null && pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null && [ -n "$(node_state)" ]; then
  echo "running $CONF"
else
  echo stopped
fi
