# Shared by up.sh, down.sh and status.sh (sourced). Everything the HDFS service needs to know about paths and ports.
HADOOP_VERSION=3.5.0
STATE="${STORBENCH_SERVICES_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/.services}/hdfs"
# Jars are cached outside the repository so that a fresh clone (and CI with a cache of ~/.cache) skips the download.
HADOOP_LIB="${STORBENCH_HADOOP_LIB:-${XDG_CACHE_HOME:-$HOME/.cache}/storbench/hadoop-$HADOOP_VERSION/lib}"
NN_RPC_PORT="${STORBENCH_HDFS_RPC_PORT:-8020}"
NN_HTTP_PORT="${STORBENCH_HDFS_HTTP_PORT:-9870}"
DATANODES=3
HDFS_URL="webhdfs://127.0.0.1:$NN_HTTP_PORT/storbench?user=storbench"

# True when the process recorded in $1 (a pid file) is alive.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/jvm-service.sh"

# The NameNode's FSNamesystemState bean: prints "<live datanodes> <FSState>", or nothing when it does not answer.
nn_state() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => r.json())
      .then((j) => console.log(j.beans[0].NumLiveDataNodes, j.beans[0].FSState)).catch(() => {});
  ' "http://127.0.0.1:$NN_HTTP_PORT/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState"
}
