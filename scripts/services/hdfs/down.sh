#!/usr/bin/env bash
# Stop the daemons up.sh started, by the PIDs it recorded (SIGTERM runs Hadoop's shutdown hooks; SIGKILL after 30 s).
set -euo pipefail
. "$(dirname "$0")/common.sh"
stop_pid_files "$STATE"/dn*.pid "$STATE"/nn.pid
echo "hdfs stopped"
