#!/usr/bin/env bash
# One line: "running <url>" when every recorded node is alive and answers CQL, else "stopped".
set -euo pipefail
. "$(dirname "$0")/common.sh"
n=$(recorded_nodes)
[ "$n" -gt 0 ] || { echo stopped; exit 0; }
for i in $(seq 1 "$n"); do pid_alive "$STATE/node$i/pid" || { echo stopped; exit 0; }; done
if cql_ready "$n" 3 2>/dev/null; then echo "running $(cassandra_url "$n")"; else echo stopped; fi
