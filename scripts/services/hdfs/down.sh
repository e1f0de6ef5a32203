#!/usr/bin/env bash
# Stop the daemons up.sh started, by the PIDs it recorded (SIGTERM runs Hadoop's shutdown hooks; SIGKILL after 30 s).
set -euo pipefail
. "$(dirname "$0")/common.sh"
pids=()
for f in "$STATE"/dn*.pid "$STATE"/nn.pid; do
  if pid_alive "$f"; then pids+=("$(cat "$f")"); kill "$(cat "$f")" 2>/dev/null || true; fi
  rm -f "$f"
done
for _ in $(seq 1 60); do
  alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.5
done
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
echo "hdfs stopped"
