#!/usr/bin/env bash
# A real Apache Cassandra 5.0 on 127.0.0.1 (1 node) or 127.0.0.1-3 (--nodes 3, or STORBENCH_CASSANDRA_NODES=3),
# started straight from the Maven Central jars on Java 17 (no tarball, no shell scripts of Cassandra's).
# Ready when every node answers CQL and sees the others as peers. Idempotent: when the cluster already runs,
# nodes that died are restarted on their data and the URL is printed again.
# Last stdout line: the target URL. Logs: $STORBENCH_SERVICES_STATE/cassandra/node<i>/logs/.
# Heap per node: STORBENCH_CASSANDRA_HEAP (default 512m).
set -euo pipefail
. "$(dirname "$0")/common.sh"
t0=$(date +%s)

NODES="${STORBENCH_CASSANDRA_NODES:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="${2:-}"; shift 2 ;;
    --nodes=*) NODES="${1#--nodes=}"; shift ;;
    *) echo "cassandra: unknown argument $1 (usage: up [--nodes 1|2|3])" >&2; exit 2 ;;
  esac
done
case "$NODES" in 1|2|3) ;; *) echo "cassandra: --nodes must be 1, 2 or 3 (got \"$NODES\")" >&2; exit 2 ;; esac
HEAP="${STORBENCH_CASSANDRA_HEAP:-512m}"

# --- install: Debian's OpenJDK 17 (Cassandra 5.0 runs on 11 or 17 only) and Maven, only when missing ---------------
ensure_jvm_jars cassandra "$JAVA" "$CASS_LIB" "$HERE"
[ -d "$REPO/node_modules/cassandra-driver" ] || { echo "cassandra: run npm ci first (the readiness probe uses cassandra-driver)" >&2; exit 1; }

# --- JVM options: conf/jvm-server.options + jvm17-server.options of Cassandra 5.0, trimmed for a small heap --------
# Dropped on purpose: AlwaysPreTouch (slow start, whole heap resident at once), UseNUMA, HeapDumpOnOutOfMemoryError
# (would write heap-sized files), G1HeapRegionSize=16m (too coarse for a 512 MiB heap).
JVM=(
  "-Xms$HEAP" "-Xmx$HEAP" -Xss256k -XX:MaxMetaspaceSize=256m -XX:ReservedCodeCacheSize=96m
  -ea -da:net.openhft... -XX:+UseThreadPriorities -XX:+UseTLAB -XX:+ResizeTLAB -XX:+PerfDisableSharedMem
  -Djava.net.preferIPv4Stack=true -XX:+ExitOnOutOfMemoryError
  -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1RSetUpdatingPauseTimePercent=5
  -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70 -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1
  -Djdk.attach.allowAttachSelf=true
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true
  -Dio.netty.allocator.maxOrder=11
  # jamm measures object sizes for memtable accounting; without the agent 5.0 falls back to Unsafe guessing.
  "-javaagent:$CASS_LIB/jamm-0.4.0.jar"
  -Dchronicle.analytics.disable=true -Djava.security.manager=allow
  -Dcassandra.skip_wait_for_gossip_to_settle=0
)

# Murmur3 tokens evenly spaced over the ring: -2^63 + i * 2^64 / N.
tokens_for() {
  case "$1" in 1) echo 0 ;; 2) echo "-9223372036854775808 0" ;;
    3) echo "-9223372036854775808 -3074457345618258603 3074457345618258602" ;; esac
}

# Start node i detached (own session, so it outlives this script), recording its PID.
start_node() { # i
  local i=$1 node="$STATE/node$1" extra=()
  # A joining node waits RING_DELAY (30 s) for gossip; 10 s is what Cassandra's own simulator uses.
  [ "$NODES" -gt 1 ] && extra+=(-Dcassandra.ring_delay_ms=10000)
  setsid "$JAVA" "${JVM[@]}" "${extra[@]}" \
    -Dcassandra.config="file://$node/conf/cassandra.yaml" -Dcassandra.storagedir="$node" \
    -Dcassandra.logdir="$node/logs" -Dlogback.configurationFile="$node/conf/logback.xml" \
    -Dcassandra-foreground=yes -Dcassandra.jmx.local.port=$((7099 + 100 * i)) \
    -Dcassandra.triggers_dir="$node/triggers" \
    -cp "$node/conf:$CASS_LIB/*" org.apache.cassandra.service.CassandraDaemon \
    >"$node/logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$node/pid"
}

# Wait until node i logs that CQL listens (or dies), so the next node finds a live seed.
wait_listening() { # i seconds
  local i=$1 node="$STATE/node$1" deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    grep -q "Starting listening for CQL clients" "$node/logs/system.log" 2>/dev/null && return 0
    pid_alive "$node/pid" || { echo "cassandra: node $i exited; last lines of its log:" >&2; tail -n 30 "$node/logs/stdout.log" "$node/logs/system.log" >&2 2>/dev/null; return 1; }
    sleep 0.5
  done
  echo "cassandra: node $i not listening after $2 s; see $node/logs" >&2
  return 1
}

# --- already running: heal dead nodes, print the URL ---------------------------------------------------------------
running=$(recorded_nodes)
alive=0
for i in $(seq 1 "$running"); do pid_alive "$STATE/node$i/pid" && alive=$((alive + 1)); done
if [ "$alive" -gt 0 ]; then
  if [ "$running" != "$NODES" ]; then
    echo "cassandra: already running with $running node(s); run 'npm run services -- down cassandra' before asking for $NODES" >&2
    exit 1
  fi
  for i in $(seq 1 "$NODES"); do
    if ! pid_alive "$STATE/node$i/pid"; then
      echo "cassandra: restarting node $i on its data" >&2
      : >"$STATE/node$i/logs/system.log"
      start_node "$i"; wait_listening "$i" 180
    fi
  done
  cql_ready "$NODES" 120
  echo "$(cassandra_url "$NODES")"
  exit 0
fi

# --- fresh cluster: config per node, start node 1 (the seed), then the others one by one ----------------------------
# Wiped every time: cluster name and tokens are persisted in system.local and must match the config.
rm -rf "$STATE"; mkdir -p "$STATE"
read -r -a TOKENS <<<"$(tokens_for "$NODES")"
for i in $(seq 1 "$NODES"); do
  node="$STATE/node$i"
  mkdir -p "$node"/{conf,data,commitlog,saved_caches,hints,cdc_raw,logs,triggers}
  sed -e "s#@NODE@#$node#g" -e "s#@IP@#127.0.0.$i#g" -e "s#@TOKEN@#${TOKENS[$((i - 1))]}#g" \
    "$HERE/cassandra.yaml.tmpl" >"$node/conf/cassandra.yaml"
  cp "$HERE/logback.xml" "$node/conf/"
done
echo "$NODES" >"$STATE/nodes"
# Sequential start: on 2 shared cores, parallel JVM start-ups only slow each other down.
for i in $(seq 1 "$NODES"); do
  start_node "$i"
  wait_listening "$i" 240
  echo "cassandra: node $i listening after $(( $(date +%s) - t0 )) s" >&2
done
cql_ready "$NODES" 120
echo "cassandra: $NODES node(s) ready in $(( $(date +%s) - t0 )) s" >&2
cassandra_url "$NODES"
