# Shared by up.sh, down.sh and status.sh of the ceph service: where things live and how to find our daemons.
# One mon, one memstore OSD and one radosgw on 127.0.0.1, all state under $STATE (never /var/lib/ceph).
STATE="${STORBENCH_SERVICES_STATE:?}/ceph"
RGW_PORT="${STORBENCH_CEPH_RGW_PORT:-7480}"
MON_V2_PORT="${STORBENCH_CEPH_MON_V2_PORT:-3300}"
MON_V1_PORT="${STORBENCH_CEPH_MON_V1_PORT:-6789}"
BUCKET="${STORBENCH_CEPH_BUCKET:-storbench}"
# Fixed test credentials of the S3 user "test" (a throwaway loopback cluster). They reach the driver through
# an AWS shared-credentials file, so the printed target URL carries no secret.
S3_ACCESS_KEY="TESTACCESSKEY0000000"
S3_SECRET_KEY="testsecretkey0000000000000000000000000000"
PROFILE="storbench-ceph"
CREDENTIALS_FILE="$STATE/aws-credentials"
ENDPOINT="http://127.0.0.1:$RGW_PORT"
export CEPH_CONF="$STATE/ceph.conf"   # every ceph tool (ceph, radosgw-admin) reads this

target_url() {
  echo "s3://$BUCKET?endpoint=$ENDPOINT&region=us-east-1&pathStyle=true&profile=$PROFILE&credentialsFile=$CREDENTIALS_FILE"
}

# pid_of <daemon name>: the PID from its pid file when that process is alive and really our ceph daemon.
pid_of() {
  local f="$STATE/run/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [ -n "$pid" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1   # an unreaped zombie is gone
  grep -qE '^(ceph-(mon|osd)|radosgw)$' "/proc/$pid/comm" 2>/dev/null || return 1
  echo "$pid"
}

# An anonymous GET / answers (ListAllMyBuckets for the anonymous user) once radosgw serves S3.
rgw_answers() { curl -sf -m 2 -o /dev/null "$ENDPOINT/"; }

# curl >= 7.75 signs SigV4; RGW needs x-amz-content-sha256, which curl 7.88 does not add by itself, and
# curl 7.88 signs a bare "?uploads" wrongly (SignatureDoesNotMatch): write "?uploads=".
s3curl() {
  curl -sf -m 20 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
