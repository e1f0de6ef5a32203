#!/usr/bin/env bash
# One line: "running <HADOOP_HOME>" when the ResourceManager and every NodeManager run and the RM counts them all
# active, else "stopped".
set -euo pipefail
. "$(dirname "$0")/common.sh"
ok=1
for f in "$STATE/rm.pid" $(seq -f "$STATE/nm%g.pid" 1 $NODEMANAGERS); do daemon_alive "$f" || ok=0; done
nodes="$([ "$ok" = 1 ] && rm_nodes || true)"
if [ "${nodes%% *}" = "$NODEMANAGERS" ]; then echo "running $HADOOP_DIR"; else echo stopped; fi
