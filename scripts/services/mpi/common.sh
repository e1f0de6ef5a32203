# Shared by up.sh and status.sh of the mpi service (sourced).
OPENMPI_VERSION_TESTED="4.1.4-3+b1"   # Debian 12 openmpi-bin
# is_openmpi PATH: true when PATH runs Open MPI's mpirun (/usr/bin/mpirun is an alternatives link that could also
# point at MPICH's).
is_openmpi() { local v; v="$("$1" --version 2>/dev/null)" || return 1; [[ "$v" == *"Open MPI"* ]]; }
# The absolute path of Open MPI's mpirun: the mpirun on PATH when it is Open MPI's, else Debian's mpirun.openmpi;
# nothing and status 1 when Open MPI is not installed.
mpirun_path() {
  local p
  for p in "$(command -v mpirun 2>/dev/null || true)" /usr/bin/mpirun.openmpi; do
    [ -n "$p" ] && [ -x "$p" ] && is_openmpi "$p" && { echo "$p"; return 0; }
  done
  return 1
}
