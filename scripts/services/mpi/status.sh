#!/usr/bin/env bash
# One line: "running <mpirun path>" when Open MPI's mpirun is installed (there is no daemon), else "stopped".
set -uo pipefail
. "$(dirname "$0")/common.sh"
if p="$(mpirun_path)"; then echo "running $p"; else echo stopped; fi
