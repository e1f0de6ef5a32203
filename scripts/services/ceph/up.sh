#!/usr/bin/env bash
# A real Ceph (Debian's Pacific 16.2) with the RADOS Gateway's S3 API on 127.0.0.1: one mon, no mgr (nothing in
# the S3 path needs it), one memstore OSD, one radosgw (beast) on $RGW_PORT, cephx off, an S3 user with fixed
# test keys and the bucket "storbench". About 3.5 s from start to the first S3 answer on a 2-core machine.
# Idempotent: when everything runs it just prints the URL; when only radosgw is gone (a test killed it), only
# radosgw is restarted. Last stdout line: the target URL. Logs: $STORBENCH_SERVICES_STATE/ceph/log/.
# Adapted from shared/reference/ceph-rgw-up.sh; pitfalls (numbered as in shared/notes/ceph-nfs-gluster.md §1)
# are commented where they are handled.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/../../.." && pwd)/.services}"
. "$here/common.sh"

t0=$(date +%s%N)
log() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '[ceph-up %d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&2; }
die() {
  echo "ceph: ERROR: $*" >&2
  for f in "$STATE"/log/{mon.a,osd.0.mkfs,osd.0,client.rgw.a}.{stderr,log}; do
    [ -s "$f" ] && { echo "== $f" >&2; tail -n 12 "$f" >&2; }
  done
  exit 1
}
# wait_for <timeout_s> <cmd...>
wait_for() {
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.1; done
}

write_credentials() {
  umask 077
  printf '[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$PROFILE" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" \
    >"$CREDENTIALS_FILE"
}

# The bucket the printed URL names, so the URL works at once; HEAD first because a repeated PUT is a 409 on some
# S3 implementations.
ensure_bucket() {
  s3curl -I "$ENDPOINT/$BUCKET" >/dev/null 2>&1 || s3curl -X PUT "$ENDPOINT/$BUCKET" >/dev/null \
    || die "CreateBucket $BUCKET failed"
}

start_rgw() {
  timeout 90 radosgw -n client.rgw.a 2>>"$STATE/log/client.rgw.a.stderr" \
    || die "radosgw did not start"   # daemonizes once RADOS init is done
  wait_for 60 rgw_answers || die "rgw did not answer on $ENDPOINT"
}

# --- already running ------------------------------------------------------------------------------------------
if pid_of mon.a >/dev/null && pid_of osd.0 >/dev/null; then
  if pid_of client.rgw.a >/dev/null && rgw_answers; then
    log "already running"
  else
    pid="$(pid_of client.rgw.a)" && { kill -KILL "$pid"; sleep 0.2; }   # ours but not answering: replace it
    log "mon and osd run, radosgw does not: restarting radosgw"
    start_rgw
    log "radosgw restarted"
  fi
  write_credentials
  ensure_bucket
  target_url
  exit 0
fi
if pid_of mon.a >/dev/null || pid_of osd.0 >/dev/null || pid_of client.rgw.a >/dev/null; then
  log "a partial cluster runs: stopping it first"
  "$here/down.sh" >&2
fi

# --- install (Debian bookworm's Ceph Pacific), only what is missing ---------------------------------------------
missing=()
for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw ceph:ceph-common radosgw-admin:ceph-common \
  monmaptool:ceph-common ceph-authtool:ceph-common jq:jq curl:curl uuidgen:uuid-runtime timeout:coreutils; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]} (apt-get; about 45 s)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  # Other services may be installing at the same time: wait for the dpkg lock instead of failing.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
  log "installed"
  t0=$(date +%s%N)   # the start time reported below excludes the install
fi

# --- configuration ----------------------------------------------------------------------------------------------
rm -rf "$STATE"
mkdir -p "$STATE"/{run,log,mon.a,osd.0,rgw.a}
FSID="$(uuidgen)"
cat >"$CEPH_CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
# the OSD's messenger ports: below 7000 so it never takes a port another service (Cassandra's 7000/7199) wants
ms bind port min = 6800
ms bind port max = 6899

auth cluster required = none
auth service required = none
auth client required = none
auth supported = none

run dir = $STATE/run
admin socket = $STATE/run/\$name.asok
pid file = $STATE/run/\$name.pid
log file = $STATE/log/\$name.log
# pitfall 7: otherwise the mon's cluster log goes to /var/log/ceph
mon cluster log file = $STATE/log/\$cluster.\$channel.log
keyring = $STATE/keyring
crash dir = $STATE/crash
log to stderr = false
err to stderr = true

# pitfall 4: a single OSD; 8 PGs per pool so RGW's 7+ pools stay under the PG-per-OSD limit
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
osd crush chooseleaf type = 0
# pitfall 5: health warnings that do not apply to a throwaway one-node cluster
mon warn on pool no redundancy = false
mon warn on pool pg num not power of two = false
mon data avail warn = 2
mon data avail crit = 1
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false
# no mgr: without this, HEALTH_WARN MGR_DOWN "no active mgr" appears 120 s after mkfs
mon mgr mkfs grace = 315360000
# pitfall 2: batch map updates every 0.1 s instead of 1 s; each of RGW's pool creations gets ~1 s faster
paxos propose interval = 0.1

[mon.a]
mon data = $STATE/mon.a

[osd]
osd data = $STATE/osd.\$id
osd objectstore = memstore
osd crush initial weight = 1
osd crush update on start = true
# memstore keeps objects in RAM (about 2x the payload); this caps it
memstore device bytes = ${STORBENCH_CEPH_MEMSTORE_BYTES:-4294967296}
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw.a]
# pitfall 1: radosgw's built-in defaults ms_mon_client_mode=secure + auth_client_required=cephx cannot work with
# auth none ("get_initial_auth_request returned -13", and a daemonizing radosgw never returns)
ms mon client mode = crc
rgw data = $STATE/rgw.a
rgw init timeout = 60
# pitfall 3: beast leaves Nagle on, which adds ~40 ms to index operations on keep-alive connections
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw dns name = localhost
rgw enable usage log = false
rgw thread pool size = 64
# RGW deletes an object's tail (everything past its first 4 MiB) through garbage collection, by default 2 h after
# the delete, once an hour: memstore (RAM) would fill up with deleted large objects during a benchmark and the
# OSD would go full ("full status failsafe engaged"). Collect 5 s after a delete instead.
rgw gc obj min wait = 5
rgw gc processor period = 5
rgw gc processor max time = 5
CONF

# --- mon ------------------------------------------------------------------------------------------------------
ceph-authtool --create-keyring "$STATE/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$STATE/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" \
  "$STATE/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$STATE/monmap" --keyring "$STATE/keyring" 2>>"$STATE/log/mon.a.stderr"
timeout 60 ceph-mon -i a 2>>"$STATE/log/mon.a.stderr" || die "ceph-mon did not start"   # daemonizes
wait_for 30 ceph --connect-timeout 2 mon stat || die "mon did not come up"
log "mon up"

# --- osd (by hand: ceph osd new + ceph-osd --mkfs; no ceph-volume) ------------------------------------------------
OSD_UUID="$(uuidgen)"
OSD_ID="$(ceph osd new "$OSD_UUID")"
[ "$OSD_ID" = 0 ] || die "unexpected osd id $OSD_ID"
ceph-osd -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$STATE/log/osd.0.mkfs.log" 2>&1 || die "osd mkfs failed"
timeout 60 ceph-osd -i 0 2>>"$STATE/log/osd.0.stderr" || die "ceph-osd did not start"   # daemonizes
wait_for 60 sh -c 'ceph osd dump --format json | jq -e ".osds[0].up == 1 and .osds[0].in == 1"' \
  || die "osd did not come up"
log "osd up"

# --- rgw ------------------------------------------------------------------------------------------------------
# radosgw-admin creates the default realm/zonegroup/zone and the .rgw.root and meta pools on first use.
radosgw-admin user create --uid=test --display-name="storbench test user" \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null 2>"$STATE/log/user-create.stderr" \
  || die "radosgw-admin user create failed"
write_credentials
log "s3 user created"
start_rgw
log "rgw answers"

# --- signed warm-up: RGW creates its bucket index, data and non-ec pools now instead of in the first test ----------
ensure_bucket
s3curl -X PUT --data-binary warm -H "Content-Type: text/plain" "$ENDPOINT/$BUCKET/.storbench-warmup" >/dev/null \
  || die "warm-up PutObject failed"
[ "$(s3curl "$ENDPOINT/$BUCKET/.storbench-warmup")" = warm ] || die "warm-up GetObject failed"
upload_id="$(s3curl -X POST "$ENDPOINT/$BUCKET/.storbench-warmup-mpu?uploads=" \
  | sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p' || true)"
[ -n "$upload_id" ] || die "warm-up CreateMultipartUpload failed"
s3curl -X DELETE "$ENDPOINT/$BUCKET/.storbench-warmup-mpu?uploadId=$upload_id" >/dev/null \
  || die "warm-up AbortMultipartUpload failed"
s3curl -X DELETE "$ENDPOINT/$BUCKET/.storbench-warmup" >/dev/null || die "warm-up DeleteObject failed"
log "READY endpoint=$ENDPOINT bucket=$BUCKET"
target_url
