#!/usr/bin/env bash
# Start, stop and inspect the real storage servers used by tests and demos, all on 127.0.0.1.
#   npm run services -- up NAME [args]    install what NAME needs, start it; last stdout line: its target URL
#   npm run services -- down NAME         stop what `up` started (by the PIDs it recorded)
#   npm run services -- status [NAME]     one line per service: running / stopped, and the target URL
# Each service is a folder scripts/services/NAME/ with up.sh, down.sh and status.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
services_dir="$here/services"
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$(cd "$here/.." && pwd)/.services}"
mkdir -p "$STORBENCH_SERVICES_STATE"

known() { ls "$services_dir" 2>/dev/null | tr '\n' ' '; }
usage() { echo "usage: npm run services -- up|down|status [NAME] (services: $(known))" >&2; exit 2; }

cmd="${1:-}"; shift || true
case "$cmd" in
  up|down)
    name="${1:-}"; shift || true
    [ -n "$name" ] || usage
    [ -x "$services_dir/$name/$cmd.sh" ] || { echo "services: unknown service \"$name\" (known: $(known))" >&2; exit 2; }
    exec "$services_dir/$name/$cmd.sh" "$@"
    ;;
  status)
    names="${1:-$(known)}"
    for name in $names; do
      [ -x "$services_dir/$name/status.sh" ] || { echo "services: unknown service \"$name\" (known: $(known))" >&2; exit 2; }
      printf '%-10s %s\n' "$name" "$("$services_dir/$name/status.sh" 2>/dev/null || echo stopped)"
    done
    ;;
  *) usage ;;
esac
