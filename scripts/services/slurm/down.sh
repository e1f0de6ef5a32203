#!/usr/bin/env bash
# Stop what up.sh started: cancel this cluster's jobs, then slurmd, slurmctld and munged by their recorded PIDs
# (SIGTERM, SIGKILL after 10 s), and any slurmstepd left from our slurmd. State stays until the next fresh `up`.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
stop() { # pid
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do gone "$1" && return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
n=0
# Jobs first (while slurmctld and munged still answer): their tasks die with their steps.
if pid_of slurmctld >/dev/null && pid_of munged >/dev/null; then
  jobs="$(timeout 5 squeue -h -o %i 2>/dev/null | tr '\n' ' ')"
  # shellcheck disable=SC2086
  [ -z "${jobs// /}" ] || timeout 10 scancel --quiet $jobs >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do [ -z "$(our_stepds)" ] && break; sleep 0.2; done
fi
for name in slurmd slurmctld; do
  pid="$(pid_of "$name")" || { rm -f "$STATE/$name.pid"; continue; }
  stop "$pid"; rm -f "$STATE/$name.pid"; n=$((n + 1))
done
for pid in $(our_stepds); do stop "$pid"; n=$((n + 1)); done
if pid="$(pid_of munged)"; then stop "$pid"; n=$((n + 1)); fi
rm -f "$STATE/munged.pid"
echo "slurm stopped ($n processes)"
