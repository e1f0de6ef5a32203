#!/usr/bin/env bash
# Open MPI (Debian 12's openmpi-bin 4.1) as a multi-client launcher: no daemon to start, so `up` only installs
# openmpi-bin when mpirun is missing. As root, mpirun needs --allow-run-as-root (or OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1); more ranks than cores need --oversubscribe.
# Last stdout line: the absolute path of mpirun.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
if ! mpirun_path >/dev/null; then
  echo "mpi: installing openmpi-bin (apt-get)" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  # Other services may be installing at the same time: wait for the dpkg lock instead of failing.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    openmpi-bin >&2
fi
path="$(mpirun_path)" || { echo "mpi: mpirun not found after installing openmpi-bin" >&2; exit 1; }
echo "mpi: $("$path" --version 2>/dev/null | head -n 1) at $path" >&2
echo "$path"
