# Shared by up.sh, down.sh and status.sh of the slurm service (sourced): paths, ports, and how to find our daemons.
# munged + slurmctld + slurmd, single node on 127.0.0.1, all state under $STATE (never /etc/slurm, /etc/munge,
# /run/munge or /var/spool/slurm*): every Slurm command reads $SLURM_CONF, which common.sh exports.
SLURM_VERSION_TESTED="22.05.8-4+deb12u3"   # Debian 12 slurm-wlm; munge 0.5.15-2+deb12u1
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/.services}/slurm"
CTLD_PORT="${STORBENCH_SLURM_CTLD_PORT:-18917}"
SLURMD_PORT="${STORBENCH_SLURM_SLURMD_PORT:-18918}"
SRUN_PORTS="${STORBENCH_SLURM_SRUN_PORTS:-18930-18960}"
# Task slots the node advertises (config_overrides): more than the 2 real cores, so 3-4 tasks fit on one node.
SLURM_CPUS="${STORBENCH_SLURM_CPUS:-4}"
NODE_NAME="$(hostname -s)"   # slurmctld refuses to start unless SlurmctldHost names this machine
CONF="$STATE/etc/slurm.conf"
MUNGE_SOCKET="$STATE/munge-run/munge.socket.2"
export SLURM_CONF="$CONF"

# pid_of NAME: the PID recorded in $STATE/NAME.pid when that process is alive and really that daemon (munged,
# slurmctld or slurmd), so a recycled PID is never signalled.
pid_of() {
  local f="$STATE/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [ -n "$pid" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1   # an unreaped zombie is gone
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 1
  echo "$pid"
}

# The node's state as sinfo reports it ("idle", "mixed", "alloc", "down*"...), or nothing when slurmctld does not answer.
node_state() { timeout 5 sinfo -h -o %T 2>/dev/null | head -n 1; }

# slurmstepd processes of this cluster (they inherit SLURM_CONF=$CONF from our slurmd and outlive it).
our_stepds() {
  local d pid
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [ "$(cat "$d/comm" 2>/dev/null)" = slurmstepd ] || continue
    tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF "SLURM_CONF=$CONF" && echo "$pid"
  done
  return 0
}
