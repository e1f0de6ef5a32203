# Shared by up.sh, down.sh and status.sh (sourced): paths, ports, node layout of the Cassandra service.
CASSANDRA_VERSION=5.0.6
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
STATE="${STORBENCH_SERVICES_STATE:-$REPO/.services}/cassandra"
# Jars are cached outside the repository so that a fresh clone (and CI with a cache of ~/.cache) skips the download.
CASS_LIB="${STORBENCH_CASSANDRA_LIB:-${XDG_CACHE_HOME:-$HOME/.cache}/storbench/cassandra-$CASSANDRA_VERSION/lib}"
JAVA="${STORBENCH_JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"
KEYSPACE=storbench

# True when the process recorded in $1 (a pid file) is alive.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/jvm-service.sh"

# Node count of the cluster recorded in $STATE (0 when none was started).
recorded_nodes() { cat "$STATE/nodes" 2>/dev/null || echo 0; }

# The target URL for an N-node cluster: every node is a contact point; RF = N so each node holds every object.
# create=true: the driver creates the keyspace and tables on first use (its default is false).
cassandra_url() {
  local n=$1 hosts="" i
  for i in $(seq 1 "$n"); do hosts+="${hosts:+,}127.0.0.$i:9042"; done
  echo "cassandra://$hosts/$KEYSPACE?dc=datacenter1&create=true&replicationFactor=$n"
}

# Waits until every one of N nodes answers a CQL query and lists the other N-1 as peers (cql-ready.mjs).
cql_ready() { # nodes seconds
  node "$HERE/cql-ready.mjs" "$1" "$2"
}
