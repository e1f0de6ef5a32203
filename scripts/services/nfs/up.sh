#!/usr/bin/env bash
# NFS-Ganesha (Debian) exporting a fresh temporary directory over NFS v3 on 127.0.0.1, with rpcbind on
# loopback only. Idempotent: when already running, only prints the URL. Last stdout line: the nfs:// URL.
# The exported directory is printed by status.sh and kept in $STATE/export-dir (tests read it there).
# Adapted from shared/reference/ganesha-up.sh; pitfalls in shared/notes/ceph-nfs-gluster.md section 2.
set -euo pipefail
. "$(dirname "$0")/common.sh"

t0=$(date +%s%N)
log() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '[nfs up %d.%03ds] %s\n' $((ms/1000)) $((ms%1000)) "$*" >&2; }
die() { echo "nfs up: $*" >&2; [ -f "$STATE/ganesha.log" ] && tail -n 40 "$STATE/ganesha.log" >&2; exit 1; }
wait_for() { local t=$1; shift; local end=$(( $(date +%s) + t ));
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.1; done; }

if running; then
  log "already running (pid $(cat "$STATE/ganesha.pid")), exporting $(cat "$STATE/export-dir")"
  echo "$URL"
  exit 0
fi

# ---- install (apt-get update once, only when something is missing) ----
plugins_dir() { dirname "$(dpkg -L nfs-ganesha-vfs 2>/dev/null | grep '/libfsalvfs\.so$' | head -n 1)"; }
if ! command -v ganesha.nfsd >/dev/null || ! command -v rpcbind >/dev/null || ! command -v rpcinfo >/dev/null ||
   [ "$(plugins_dir)" = . ]; then
  log "installing nfs-ganesha, nfs-ganesha-vfs, rpcbind"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nfs-ganesha nfs-ganesha-vfs rpcbind >&2
fi
PLUGINS="$(plugins_dir)"

# ---- a leftover from a crashed run: stop it by its recorded PIDs, start clean ----
"$(dirname "$0")/down.sh" >/dev/null 2>&1 || true
mkdir -p "$STATE/recovery"
EXPORT_DIR="$(mktemp -d /tmp/storbench-nfs-export.XXXXXX)"   # ext4 here; the VFS FSAL needs file handles
chmod 0777 "$EXPORT_DIR"
echo "$EXPORT_DIR" >"$STATE/export-dir"
echo "$URL" >"$STATE/url"

cat >"$STATE/ganesha.conf" <<CONF
NFS_CORE_PARAM {
    Bind_addr = 127.0.0.1;
    NFS_Port = $NFS_PORT;
    MNT_Port = $MNT_PORT;
    Protocols = 3, 4;
    Enable_NLM = false;          # no lockd/statd (v3 locking off)
    Enable_RQUOTA = false;
    Enable_UDP = false;          # TCP only
    mount_path_pseudo = true;    # v3 mounts use the pseudo path /export
    Plugins_Dir = $PLUGINS;
}
NFS_KRB5 { Active_krb5 = false; }
NFSV4 {
    Graceless = true;            # else creates get NFS3ERR_JUKEBOX / NFS4ERR_GRACE for 90 s after a restart
    Lease_Lifetime = 10;
    RecoveryBackend = fs;
    RecoveryRoot = "$STATE/recovery";
    Only_Numeric_Owners = true;
}
EXPORT_DEFAULTS { SecType = sys; Squash = No_Root_Squash; }
EXPORT {
    Export_Id = 1;
    Path = "$EXPORT_DIR";
    Pseudo = /export;
    Access_Type = RW;
    Squash = No_Root_Squash;
    Protocols = 3, 4;
    Transports = TCP;
    FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; Display_UTC_Timestamp = true; }
CONF

# ---- rpcbind on loopback only ----
# Ganesha refuses to start NFSv3 without a portmapper. rpcbind 1.2.6 always binds 0.0.0.0:111 and [::]:111
# (-h only limits UDP, and "-h 127.0.0.1" crashes it), so emulate systemd socket activation: perl binds
# /run/rpcbind.sock + 127.0.0.1:111 (+ [::1]:111) and execs rpcbind with LISTEN_FDS; rpcbind opens nothing else.
RPCBIND_PL='
use strict; use warnings; use Socket qw(:all);
BEGIN { $^F = 255 }                        # new fds: no close-on-exec, so rpcbind inherits them
my ($pidfile, $path) = (shift, "/run/rpcbind.sock");
sub mk { my ($dom, $type, $addr, $v6) = @_;
  socket(my $s, $dom, $type, 0) or return;
  setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
  setsockopt($s, IPPROTO_IPV6, IPV6_V6ONLY, 1) if $v6;
  bind($s, $addr) or return;
  if ($type == SOCK_STREAM) { listen($s, 4096) or return }
  return $s }
unlink $path;
my @s = (mk(AF_UNIX, SOCK_STREAM, pack_sockaddr_un($path)) // die("bind $path: $!\n"),
         mk(AF_INET, SOCK_STREAM, pack_sockaddr_in(111, inet_aton("127.0.0.1"))) // die("bind tcp 127.0.0.1:111: $!\n"),
         mk(AF_INET, SOCK_DGRAM,  pack_sockaddr_in(111, inet_aton("127.0.0.1"))) // die("bind udp 127.0.0.1:111: $!\n"));
for my $t (SOCK_STREAM, SOCK_DGRAM) {      # ::1 only where the host has IPv6
  my $x = mk(AF_INET6, $t, pack_sockaddr_in6(111, inet_pton(AF_INET6, "::1")), 1); push @s, $x if $x }
chmod 0666, $path;
for my $i (0 .. $#s) { fileno($s[$i]) == 3 + $i or die "fd order\n" }   # sd_listen_fds wants 3,4,...
open(my $pf, ">", $pidfile) or die "$pidfile: $!\n"; print $pf "$$\n"; close $pf;
@ENV{qw(LISTEN_PID LISTEN_FDS)} = ($$, scalar @s);
exec("rpcbind", "-f") or die "exec rpcbind: $!\n";
'
if timeout 5 rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
  log "using the rpcbind already answering on 127.0.0.1 (not ours: down leaves it alone)"
else
  setsid perl -e "$RPCBIND_PL" "$STATE/rpcbind.pid" </dev/null >"$STATE/rpcbind.log" 2>&1 &
  wait_for 10 timeout 2 rpcinfo -p 127.0.0.1 || die "rpcbind did not start: $(cat "$STATE/rpcbind.log")"
  log "rpcbind on loopback only (pid $(cat "$STATE/rpcbind.pid"))"
fi

# ---- ganesha (daemonizes at once; -p pid file, -L log) ----
ganesha.nfsd -f "$STATE/ganesha.conf" -L "$STATE/ganesha.log" -p "$STATE/ganesha.pid" -N NIV_EVENT
wait_for 30 running || die "ganesha did not answer NFS v3 and MOUNT v3 on 127.0.0.1:$NFS_PORT/$MNT_PORT"
log "ganesha (pid $(cat "$STATE/ganesha.pid")) exports $EXPORT_DIR as $URL"
echo "$URL"
