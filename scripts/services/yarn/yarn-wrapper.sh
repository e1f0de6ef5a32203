#!/usr/bin/env bash
# bin/yarn of the storbench YARN service (copied to $HADOOP_HOME/bin/yarn by up.sh). There is no Hadoop tarball, so
# this stands in for Hadoop's `yarn` script with the subcommands code written for a real cluster uses:
#   yarn jar JAR [CLASS] [args]    Hadoop's own RunJar, as the real `yarn jar`: it runs the jar's Main-Class when its
#                                  manifest names one (then CLASS, if given, is just the first argument: the DS jar
#                                  names its Client, which ignores it), else CLASS; the jar is unpacked under
#                                  <state>/tmp and removed on exit
#   yarn application|applicationattempt|container ARGS   (ApplicationCLI: -list, -status ID, -kill ID, ...)
#   yarn node ARGS | yarn queue ARGS | yarn logs ARGS     (NodeCLI, QueueCLI, LogsCLI)
#   yarn classpath | yarn version
# Clients run with -Duser.home=<state>/home, so DistributedShell stages its files under the service's state dir.
# HADOOP_CONF_DIR overrides the configuration directory; YARN_CLIENT_OPTS / HADOOP_CLIENT_OPTS add JVM options.
set -euo pipefail
home="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# YARN_JAVA, YARN_LIB, YARN_USER_HOME, YARN_TMP: written by up.sh
. "$home/libexec/storbench-yarn-env.sh"
conf="${HADOOP_CONF_DIR:-$home/etc/hadoop}"
cp="$conf:$YARN_LIB/*"
opts=(
  "${HADOOP_JPMS_OPTS[@]}"
  # short-lived clients on 2 shared cores: C1 only (faster start-up), serial GC, a small heap
  -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m -XX:MaxMetaspaceSize=128m
  -Djava.net.preferIPv4Stack=true -Dhadoop.home.dir="$home" -Duser.home="$YARN_USER_HOME"
)
# shellcheck disable=SC2206  # word splitting is the point: these hold several options
extra=(${HADOOP_CLIENT_OPTS:-} ${YARN_CLIENT_OPTS:-})
run() { exec "$YARN_JAVA" "${opts[@]}" ${extra[@]+"${extra[@]}"} "$@"; }
usage() {
  echo "usage: yarn jar JAR [CLASS] [args] | application|applicationattempt|container ARGS | node ARGS | queue ARGS | logs ARGS | classpath | version" >&2
  exit 1
}

sub="${1:-}"; shift || true
case "$sub" in
  jar)
    [ $# -ge 1 ] || usage
    [ -f "$1" ] || { echo "yarn: jar $1 not found" >&2; exit 1; }
    run -Djava.io.tmpdir="$YARN_TMP" -cp "$cp" org.apache.hadoop.util.RunJar "$@"
    ;;
  # as Hadoop's yarn script does: the subcommand is ApplicationCLI's first argument
  application|applicationattempt|container) run -cp "$cp" org.apache.hadoop.yarn.client.cli.ApplicationCLI "$sub" "$@" ;;
  node) run -cp "$cp" org.apache.hadoop.yarn.client.cli.NodeCLI "$@" ;;
  queue) run -cp "$cp" org.apache.hadoop.yarn.client.cli.QueueCLI "$@" ;;
  logs) run -cp "$cp" org.apache.hadoop.yarn.client.cli.LogsCLI "$@" ;;
  classpath) echo "$cp" ;;
  version) run -cp "$cp" org.apache.hadoop.util.VersionInfo "$@" ;;
  *) usage ;;
esac
