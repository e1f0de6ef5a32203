# Shared by up.sh, down.sh and status.sh of the yarn service (sourced): paths, ports, and the RM's REST probe.
# One ResourceManager and 2 NodeManagers on 127.0.0.1, Hadoop YARN 3.4.2 from Maven Central (see pom.xml for why not
# 3.5.0), all state under $STATE. $HADOOP_DIR is laid out like a Hadoop install (bin/yarn, etc/hadoop,
# share/hadoop/yarn/<DS jar>) so that code written for a real cluster runs unchanged with HADOOP_HOME=$HADOOP_DIR.
YARN_VERSION=3.4.2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$HERE/../../.." && pwd)/.services}/yarn"
# Jars are cached outside the repository (a fresh clone and CI with a cache of ~/.cache skip the download), in a
# folder of their own: the HDFS service's hadoop-3.5.0/lib must never be mixed with these.
YARN_LIB="${STORBENCH_YARN_LIB:-${XDG_CACHE_HOME:-$HOME/.cache}/storbench/yarn-$YARN_VERSION/lib}"
JAVA="${STORBENCH_JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"
HADOOP_DIR="$STATE/hadoop"            # HADOOP_HOME for the tests (last line of up.sh)
CONF="$HADOOP_DIR/etc/hadoop"         # HADOOP_CONF_DIR: daemons and clients read the same files
DS_JAR_NAME="hadoop-yarn-applications-distributedshell-$YARN_VERSION.jar"
NODEMANAGERS=2
# Ports: the RM's four RPC services, its web app (REST), and per NodeManager i an RPC, a localizer and a web port.
# The NM RPC port is fixed (not ephemeral) because it is part of the node's id: a restarted NodeManager then
# re-registers as the same node instead of leaving a dead one behind until the RM expires it.
RM_SCHEDULER_PORT="${STORBENCH_YARN_RM_SCHEDULER_PORT:-18030}"
RM_TRACKER_PORT="${STORBENCH_YARN_RM_TRACKER_PORT:-18031}"
RM_PORT="${STORBENCH_YARN_RM_PORT:-18032}"
RM_ADMIN_PORT="${STORBENCH_YARN_RM_ADMIN_PORT:-18033}"
RM_WEB_PORT="${STORBENCH_YARN_RM_WEB_PORT:-18088}"
NM_RPC_PORT_BASE="${STORBENCH_YARN_NM_RPC_PORT_BASE:-18060}"               # NM i: base + i
NM_LOCALIZER_PORT_BASE="${STORBENCH_YARN_NM_LOCALIZER_PORT_BASE:-18040}"   # NM i: base + i
NM_WEB_PORT_BASE="${STORBENCH_YARN_NM_WEB_PORT_BASE:-18050}"               # NM i: base + i
RM_WEB="http://127.0.0.1:$RM_WEB_PORT"

# pid_alive, stop_pid_files, ensure_jvm_jars
. "$HERE/../../lib/jvm-service.sh"

# True when the process recorded in pid file $1 runs (an exited daemon waiting to be reaped, Z, does not count).
daemon_alive() {
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# The RM's view of the cluster: prints "<activeNodes> <unhealthyNodes> <lostNodes>", or nothing when it does not answer.
rm_nodes() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => r.json())
      .then((j) => console.log(j.clusterMetrics.activeNodes, j.clusterMetrics.unhealthyNodes, j.clusterMetrics.lostNodes))
      .catch(() => {});
  ' "$RM_WEB/ws/v1/cluster/metrics"
}
