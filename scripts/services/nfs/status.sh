#!/usr/bin/env bash
# One line: "running <url> dir=<exported directory>" or "stopped".
set -uo pipefail
. "$(dirname "$0")/common.sh"
if running; then echo "running $URL dir=$(cat "$STATE/export-dir")"; else echo stopped; fi
