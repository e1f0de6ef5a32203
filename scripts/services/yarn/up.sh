#!/usr/bin/env bash
# A real Hadoop YARN on 127.0.0.1: one ResourceManager and 2 NodeManagers (2048 MiB each, 128 MiB minimum
# container), started straight from the Hadoop 3.4.2 Maven jars (no tarball, no Hadoop shell scripts), plus a
# HADOOP_HOME-like folder for clients: bin/yarn, etc/hadoop, share/hadoop/yarn/<DistributedShell jar>.
# Ready when the RM's REST API reports 2 active NodeManagers. Idempotent: when the cluster already runs,
# NodeManagers that died are restarted and the home folder is printed again.
# Last stdout line: the absolute path of that folder (export HADOOP_HOME=<it>). Logs: $STORBENCH_SERVICES_STATE/yarn/logs/
# (container logs: logs/nm<i>/<application>/<container>/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
t0=$(date +%s)
JAVA_HOME_17="$(dirname "$(dirname "$JAVA")")"

# --- install: Debian's OpenJDK 17 and Maven, only when missing, then the 3.4.2 jars from Maven Central once ------
missing=()
[ -x "$JAVA" ] || missing+=(openjdk-17-jdk-headless)
[ -f "$YARN_LIB/.complete" ] || command -v mvn >/dev/null || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  echo "yarn: installing ${missing[*]} (apt-get)" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  # Other services may be installing at the same time: wait for the dpkg lock instead of failing.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi
ensure_jvm_jars yarn "$JAVA" "$YARN_LIB" "$here"
[ -f "$YARN_LIB/$DS_JAR_NAME" ] || { echo "yarn: $DS_JAR_NAME missing from $YARN_LIB" >&2; exit 1; }

# --- JVM options (as the HDFS service): Hadoop's JPMS opens, serial GC, bounded heaps ------------------------------
OPTS=(
  "${HADOOP_JPMS_OPTS[@]}"
  # Three JVMs (plus each app's AM and client) share 2 cores with other servers: serial GC, small code cache,
  # bounded heaps and metaspace.
  -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=160m
  -Djava.net.preferIPv4Stack=true -Dhadoop.home.dir="$HADOOP_DIR" -Dhadoop.log.dir="$STATE/logs"
)
CP="$CONF:$YARN_LIB/*"

# Start one daemon detached (own session, so it outlives this script), recording its PID. The NodeManagers hand
# JAVA_HOME (the AM's java), PATH, HADOOP_HOME and HADOOP_CONF_DIR on to containers (yarn.nodemanager.env-whitelist).
start_daemon() { # name heap class args...
  local name=$1 heap=$2 class=$3; shift 3
  # a restarted daemon keeps the log of the one that died (name.log.1, .2...): the readiness check reads name.log
  if [ -s "$STATE/logs/$name.log" ]; then
    local n=1; while [ -e "$STATE/logs/$name.log.$n" ]; do n=$((n + 1)); done
    mv "$STATE/logs/$name.log" "$STATE/logs/$name.log.$n"
  fi
  JAVA_HOME="$JAVA_HOME_17" HADOOP_HOME="$HADOOP_DIR" HADOOP_CONF_DIR="$CONF" HADOOP_YARN_HOME="$HADOOP_DIR" \
    setsid "$JAVA" "${OPTS[@]}" -Xms64m "-Xmx$heap" "-Dproc_$name" -cp "$CP" "$class" "$@" \
    >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}
# NodeManager i: own local and log dirs, its own RPC, localizer and web ports, all on 127.0.0.1.
start_nodemanager() {
  local i=$1
  mkdir -p "$STATE/nm$i/local" "$STATE/logs/nm$i"
  start_daemon "nm$i" 192m org.apache.hadoop.yarn.server.nodemanager.NodeManager \
    -D "yarn.nodemanager.local-dirs=$STATE/nm$i/local" -D "yarn.nodemanager.log-dirs=$STATE/logs/nm$i" \
    -D "yarn.nodemanager.address=127.0.0.1:$((NM_RPC_PORT_BASE + i))" \
    -D "yarn.nodemanager.localizer.address=127.0.0.1:$((NM_LOCALIZER_PORT_BASE + i))" \
    -D "yarn.nodemanager.webapp.address=127.0.0.1:$((NM_WEB_PORT_BASE + i))"
}

wait_ready() { # seconds
  local deadline=$(( $(date +%s) + $1 )) nodes="" i registered
  while [ "$(date +%s)" -lt "$deadline" ]; do
    daemon_alive "$STATE/rm.pid" || { echo "yarn: the ResourceManager exited; last lines of its log:" >&2; tail -n 30 "$STATE/logs/rm.log" >&2; return 1; }
    for i in $(seq 1 $NODEMANAGERS); do
      daemon_alive "$STATE/nm$i.pid" || { echo "yarn: NodeManager $i exited; last lines of its log:" >&2; tail -n 30 "$STATE/logs/nm$i.log" >&2; return 1; }
    done
    nodes="$(rm_nodes)"
    # The RM still counts a NodeManager that just died (for up to 30 s): each running one must also have
    # registered itself.
    if [ "${nodes%% *}" = "$NODEMANAGERS" ]; then
      registered=0
      for i in $(seq 1 $NODEMANAGERS); do
        grep -q "Registered with ResourceManager" "$STATE/logs/nm$i.log" 2>/dev/null && registered=$((registered + 1))
      done
      [ "$registered" = "$NODEMANAGERS" ] && return 0
    fi
    sleep 0.5
  done
  echo "yarn: not ready after $1 s (active unhealthy lost NodeManagers: ${nodes:-no answer from $RM_WEB}); see $STATE/logs" >&2
  return 1
}

# --- already running: heal dead NodeManagers, print the home folder -----------------------------------------------
if daemon_alive "$STATE/rm.pid"; then
  for i in $(seq 1 $NODEMANAGERS); do
    daemon_alive "$STATE/nm$i.pid" || { echo "yarn: restarting NodeManager $i" >&2; start_nodemanager "$i"; }
  done
  wait_ready 120
  echo "$HADOOP_DIR"
  exit 0
fi
# NodeManagers without their RM (it died): stop them, start a fresh cluster.
stop_pid_files "$STATE"/nm*.pid

# --- fresh cluster: the HADOOP_HOME-like folder, configuration, start -------------------------------------------
rm -rf "$STATE"
mkdir -p "$STATE"/{logs,tmp,home} "$HADOOP_DIR"/{bin,libexec,share/hadoop/yarn} "$CONF"
ln -s "$YARN_LIB/$DS_JAR_NAME" "$HADOOP_DIR/share/hadoop/yarn/$DS_JAR_NAME"
cp "$here/yarn-wrapper.sh" "$HADOOP_DIR/bin/yarn"; chmod +x "$HADOOP_DIR/bin/yarn"
cat >"$HADOOP_DIR/libexec/storbench-yarn-env.sh" <<ENV
# Written by scripts/services/yarn/up.sh; read by bin/yarn.
YARN_JAVA='$JAVA'
YARN_LIB='$YARN_LIB'
YARN_USER_HOME='$STATE/home'
YARN_TMP='$STATE/tmp'
$(declare -p HADOOP_JPMS_OPTS)
ENV
cp "$here/log4j.properties" "$here/capacity-scheduler.xml" "$CONF/"
# fs.defaultFS file:///: YARN keeps staging files, localized resources and logs on the local disk; it never
# touches the HDFS service (which runs another Hadoop version).
cat >"$CONF/core-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>fs.defaultFS</name><value>file:///</value></property>
  <property><name>hadoop.tmp.dir</name><value>$STATE/tmp</value></property>
  <property><name>hadoop.security.authentication</name><value>simple</value></property>
</configuration>
XML
# Why each setting: every address on 127.0.0.1 and outside the usual 8030-8088 ports; NodeManagers register as
# 127.0.0.1 (not the machine's name); 2048 MiB and 4 vcores per NodeManager with a 128 MiB minimum container, so
# 3-4 DistributedShell containers plus the AM fit; virtual and physical memory checks off (JVMs and Node reserve
# far more virtual memory than their container size); disk health tolerates a 99 % full disk; containers and the
# AM find the Hadoop classes through yarn.application.classpath (the conf dir and the jar cache); no RM
# recovery, no log aggregation, no timeline service; a client or NodeManager gives up on an unreachable RM after
# 2 minutes (default 15), so a DS client left behind by a stopped cluster ends; the RM declares a NodeManager
# that stopped heartbeating lost after 30 s (default 10 min).
cat >"$CONF/yarn-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>yarn.resourcemanager.hostname</name><value>127.0.0.1</value></property>
  <property><name>yarn.resourcemanager.address</name><value>127.0.0.1:$RM_PORT</value></property>
  <property><name>yarn.resourcemanager.scheduler.address</name><value>127.0.0.1:$RM_SCHEDULER_PORT</value></property>
  <property><name>yarn.resourcemanager.resource-tracker.address</name><value>127.0.0.1:$RM_TRACKER_PORT</value></property>
  <property><name>yarn.resourcemanager.admin.address</name><value>127.0.0.1:$RM_ADMIN_PORT</value></property>
  <property><name>yarn.resourcemanager.webapp.address</name><value>127.0.0.1:$RM_WEB_PORT</value></property>
  <property><name>yarn.resourcemanager.recovery.enabled</name><value>false</value></property>
  <property><name>yarn.resourcemanager.connect.max-wait.ms</name><value>120000</value></property>
  <property><name>yarn.nm.liveness-monitor.expiry-interval-ms</name><value>30000</value></property>
  <property><name>yarn.nodemanager.hostname</name><value>127.0.0.1</value></property>
  <property><name>yarn.nodemanager.resource.memory-mb</name><value>2048</value></property>
  <property><name>yarn.nodemanager.resource.cpu-vcores</name><value>4</value></property>
  <property><name>yarn.scheduler.minimum-allocation-mb</name><value>128</value></property>
  <property><name>yarn.scheduler.maximum-allocation-mb</name><value>2048</value></property>
  <property><name>yarn.nodemanager.vmem-check-enabled</name><value>false</value></property>
  <property><name>yarn.nodemanager.pmem-check-enabled</name><value>false</value></property>
  <property><name>yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage</name><value>99</value></property>
  <property><name>yarn.nodemanager.recovery.enabled</name><value>false</value></property>
  <property><name>yarn.log-aggregation-enable</name><value>false</value></property>
  <property><name>yarn.timeline-service.enabled</name><value>false</value></property>
  <property><name>yarn.application.classpath</name><value>$CONF,$YARN_LIB/*</value></property>
</configuration>
XML

start_daemon rm 256m org.apache.hadoop.yarn.server.resourcemanager.ResourceManager
for i in $(seq 1 $NODEMANAGERS); do start_nodemanager "$i"; done
wait_ready 180
echo "yarn: ready in $(( $(date +%s) - t0 )) s: ResourceManager $RM_WEB (RPC 127.0.0.1:$RM_PORT), $NODEMANAGERS NodeManagers, logs in $STATE/logs" >&2
echo "$HADOOP_DIR"
