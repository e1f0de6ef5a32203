#!/usr/bin/env bash
# One line: "running <url>" when the NameNode answers, else "stopped".
set -euo pipefail
. "$(dirname "$0")/common.sh"
if pid_alive "$STATE/nn.pid" && [ -n "$(nn_state)" ]; then echo "running $HDFS_URL"; else echo stopped; fi
