#!/usr/bin/env bash
# A real HDFS on 127.0.0.1: one NameNode and 3 DataNodes (replication 3) with WebHDFS, started straight from the
# Hadoop 3.5.0 Maven jars (no Hadoop shell scripts, no tarball). Ready when 3 DataNodes are live and safe mode is off.
# Idempotent: when the cluster already runs, DataNodes that died are restarted and the URL is printed again.
# Last stdout line: the target URL. Logs: $STORBENCH_SERVICES_STATE/hdfs/logs/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
t0=$(date +%s)

JAVA="${STORBENCH_JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"

# --- install: Debian's OpenJDK 17 (Hadoop 3.5 servers require 17; not 21/25) and Maven, only when missing -------
ensure_jvm_jars hdfs "$JAVA" "$HADOOP_LIB" "$here"

# --- JVM options ---------------------------------------------------------------------------------------------------
# The JPMS opens of Hadoop's own launcher (hadoop-functions.sh, hadoop_finalize_jpms_opts) plus nio for Netty.
OPTS=(
  "${HADOOP_JPMS_OPTS[@]}"
  # Four JVMs share 2 cores and must stay under ~1.5 GB together: serial GC, small code cache, bounded heaps.
  -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m
  -Djava.net.preferIPv4Stack=true -Dhadoop.home.dir="$STATE" -Dhadoop.log.dir="$STATE/logs"
)
CP="$STATE/conf:$HADOOP_LIB/*"

# Start one daemon detached (own session, so it outlives this script), recording its PID.
start_daemon() { # name heap class args...
  local name=$1 heap=$2 class=$3; shift 3
  setsid "$JAVA" "${OPTS[@]}" -Xms64m "-Xmx$heap" "-Dproc_$name" -cp "$CP" "$class" "$@" \
    >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}
# DataNode i: own data dir; ephemeral ports on 127.0.0.1 (the NameNode learns them at registration and puts the
# HTTP one in its WebHDFS redirects), so nothing clashes with other services on this machine.
start_datanode() {
  local i=$1
  mkdir -p "$STATE/dn$i"
  start_daemon "dn$i" 192m org.apache.hadoop.hdfs.server.datanode.DataNode \
    -D "dfs.datanode.data.dir=file://$STATE/dn$i" \
    -D dfs.datanode.address=127.0.0.1:0 -D dfs.datanode.http.address=127.0.0.1:0 \
    -D dfs.datanode.ipc.address=127.0.0.1:0
}

wait_ready() { # seconds
  local deadline=$(( $(date +%s) + $1 )) state=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    pid_alive "$STATE/nn.pid" || { echo "hdfs: the NameNode exited; last lines of its log:" >&2; tail -n 20 "$STATE/logs/nn.log" >&2; return 1; }
    state="$(nn_state)"
    [ "$state" = "$DATANODES Operational" ] && return 0
    sleep 0.5
  done
  echo "hdfs: not ready after $1 s (live DataNodes, state: ${state:-no answer}); see $STATE/logs" >&2
  return 1
}

# --- already running: heal dead DataNodes, print the URL -----------------------------------------------------------
if pid_alive "$STATE/nn.pid"; then
  for i in $(seq 1 $DATANODES); do
    pid_alive "$STATE/dn$i.pid" || { echo "hdfs: restarting DataNode $i" >&2; start_datanode "$i"; }
  done
  wait_ready 120
  echo "$HDFS_URL"
  exit 0
fi

# --- fresh cluster: config, format, start -----------------------------------------------------------------------
rm -rf "$STATE"; mkdir -p "$STATE"/{conf,logs,nn,tmp}
cp "$here/log4j.properties" "$STATE/conf/"
cat >"$STATE/conf/core-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:$NN_RPC_PORT</value></property>
  <property><name>hadoop.tmp.dir</name><value>$STATE/tmp</value></property>
  <property><name>hadoop.security.authentication</name><value>simple</value></property>
</configuration>
XML
# Why each setting: dfs.datanode.hostname makes WebHDFS redirects point at 127.0.0.1 (not the machine's name);
# safemode.extension 0 and a 1 s heartbeat make the cluster ready in seconds; the recheck interval declares a killed
# DataNode dead after ~20 s instead of ~10 min; considerLoad=false avoids "could only be written to 0 nodes" when
# three DataNodes share two cores; replace-datanode-on-failure NEVER lets a write go on when a DataNode of its
# pipeline dies (3 DataNodes leave no spare); min-block-size 16 allows NNThroughputBenchmark's tiny blocks.
cat >"$STATE/conf/hdfs-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>dfs.replication</name><value>3</value></property>
  <property><name>dfs.namenode.name.dir</name><value>file://$STATE/nn</value></property>
  <property><name>dfs.namenode.rpc-address</name><value>127.0.0.1:$NN_RPC_PORT</value></property>
  <property><name>dfs.namenode.http-address</name><value>127.0.0.1:$NN_HTTP_PORT</value></property>
  <property><name>dfs.webhdfs.enabled</name><value>true</value></property>
  <property><name>dfs.permissions.enabled</name><value>false</value></property>
  <property><name>dfs.namenode.safemode.extension</name><value>0</value></property>
  <property><name>dfs.namenode.datanode.registration.ip-hostname-check</name><value>false</value></property>
  <property><name>dfs.datanode.hostname</name><value>127.0.0.1</value></property>
  <property><name>dfs.heartbeat.interval</name><value>1</value></property>
  <property><name>dfs.blockreport.initialDelay</name><value>0</value></property>
  <property><name>dfs.namenode.heartbeat.recheck-interval</name><value>5000</value></property>
  <property><name>dfs.namenode.redundancy.considerLoad</name><value>false</value></property>
  <property><name>dfs.client.block.write.replace-datanode-on-failure.policy</name><value>NEVER</value></property>
  <property><name>dfs.namenode.fs-limits.min-block-size</name><value>16</value></property>
  <property><name>dfs.datanode.du.reserved</name><value>0</value></property>
</configuration>
XML

"$JAVA" "${OPTS[@]}" -Xmx256m -cp "$CP" org.apache.hadoop.hdfs.server.namenode.NameNode \
  -format -force -nonInteractive >"$STATE/logs/format.log" 2>&1 ||
  { echo "hdfs: formatting the NameNode failed:" >&2; tail -n 20 "$STATE/logs/format.log" >&2; exit 1; }
start_daemon nn 384m org.apache.hadoop.hdfs.server.namenode.NameNode
for i in $(seq 1 $DATANODES); do start_datanode "$i"; done
wait_ready 180
echo "hdfs: ready in $(( $(date +%s) - t0 )) s: NameNode http://127.0.0.1:$NN_HTTP_PORT, $DATANODES DataNodes, logs in $STATE/logs" >&2
echo "$HDFS_URL"
