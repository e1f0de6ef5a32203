#!/usr/bin/env bash
# Stop the nodes up.sh started, by the PIDs it recorded (SIGTERM drains via Cassandra's shutdown hook; SIGKILL
# after 30 s). Data stays in $STATE until the next fresh `up`.
set -euo pipefail
. "$(dirname "$0")/common.sh"
stop_pid_files "$STATE"/node*/pid
rm -f "$STATE/nodes"
echo "cassandra stopped"
