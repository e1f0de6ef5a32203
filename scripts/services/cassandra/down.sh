#!/usr/bin/env bash
# Stop the nodes up.sh started, by the PIDs it recorded (SIGTERM drains via Cassandra's shutdown hook; SIGKILL
# after 30 s). Data stays in $STATE until the next fresh `up`.
set -euo pipefail
. "$(dirname "$0")/common.sh"
pids=()
for f in "$STATE"/node*/pid; do
  [ -f "$f" ] || continue
  if pid_alive "$f"; then pids+=("$(cat "$f")"); kill "$(cat "$f")" 2>/dev/null || true; fi
  rm -f "$f"
done
for _ in $(seq 1 60); do
  alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.5
done
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
rm -f "$STATE/nodes"
echo "cassandra stopped"
