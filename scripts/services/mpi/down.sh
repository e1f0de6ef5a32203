#!/usr/bin/env bash
# Nothing to stop: mpirun has no daemon (each mpirun ends with its job). Kept so `services down mpi` works.
echo "mpi: nothing to stop"
