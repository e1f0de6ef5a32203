# Shared by the JVM services (hdfs, cassandra, yarn): sourced, not run.

# The JPMS opens of Hadoop's own launcher (hadoop-functions.sh, hadoop_finalize_jpms_opts) plus nio for Netty:
# what Hadoop's daemons and clients need on Java 17.
HADOOP_JPMS_OPTS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.math=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.zip=ALL-UNNAMED --add-opens=java.base/sun.security.util=ALL-UNNAMED
  --add-opens=java.base/sun.security.x509=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
  --enable-native-access=ALL-UNNAMED
)

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ensure_jvm_jars NAME JAVA LIB_DIR POM_DIR
# Installs Debian's OpenJDK 17 and Maven when missing, then resolves the runtime jars of POM_DIR/pom.xml from
# Maven Central into LIB_DIR once (LIB_DIR/.complete marks a finished download; later starts reuse it).
ensure_jvm_jars() {
  local name="$1" java="$2" lib="$3" pom_dir="$4"
  local missing=()
  [ -x "$java" ] || missing+=(openjdk-17-jdk-headless)
  [ -f "$lib/.complete" ] || command -v mvn >/dev/null || missing+=(maven)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "$name: installing ${missing[*]} (apt-get)" >&2
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
  if [ ! -f "$lib/.complete" ]; then
    echo "$name: resolving jars from Maven Central into $lib" >&2
    mkdir -p "$lib"
    # The fully qualified plugin goal keeps Maven 3.8 from picking an unpinned plugin version.
    JAVA_HOME="$(dirname "$(dirname "$java")")" mvn -B -q -f "$pom_dir/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DoutputDirectory="$lib" -DincludeScope=runtime >&2
    touch "$lib/.complete"
  fi
}

# stop_pid_files FILE... : SIGTERM each recorded PID that is alive (the JVM's shutdown hooks run), wait up to
# 30 s, then SIGKILL what is left. Removes the PID files. Touches no process it did not record.
stop_pid_files() {
  local pids=() f p alive
  for f in "$@"; do
    [ -f "$f" ] || continue
    if pid_alive "$f"; then pids+=("$(cat "$f")"); kill "$(cat "$f")" 2>/dev/null || true; fi
    rm -f "$f"
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 1 60); do
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
