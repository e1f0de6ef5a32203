#!/usr/bin/env bash
# Fuzz the HTTP API from its own OpenAPI document: `storbench serve` on a free 127.0.0.1 port, with a token
# and a seeded database, then openapi-spec-validator on /docs/json (is it valid OpenAPI?) and schemathesis
# against it with the token (does every answer match it?). Fails on an invalid document, any 5xx, and any
# status, content type or body the document does not describe. Run by test/dashboard/schemathesis.test.ts.
#
# Both tools come from PyPI, pinned, into a venv under ~/.cache/storbench made once and then reused (no
# other network). Debian's python3 needs python3-venv for that: installed here when missing.
#
# Environment: STORBENCH_SCHEMATHESIS_EXAMPLES (test cases per operation and phase, default 25),
# STORBENCH_SCHEMATHESIS_SEED (default 42), STORBENCH_SCHEMATHESIS_DOC (fuzz this document file instead of
# the server's own /docs/json, still against the server: how the test shows that a bad document fails).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS=4.32.5
SPEC_VALIDATOR=0.9.0
examples="${STORBENCH_SCHEMATHESIS_EXAMPLES:-25}"
seed="${STORBENCH_SCHEMATHESIS_SEED:-42}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/storbench"
venv="$cache/schemathesis-$SCHEMATHESIS-validator-$SPEC_VALIDATOR"

mkdir -p "$cache"
# One installer at a time (two test runs on one machine share the cache).
exec 9>"$cache/schemathesis.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    echo "== installing Debian's python3-venv (for schemathesis)"
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  echo "== installing schemathesis $SCHEMATHESIS and openapi-spec-validator $SPEC_VALIDATOR into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS" "openapi-spec-validator==$SPEC_VALIDATOR"
  touch "$venv/.complete"
fi
flock -u 9

work="$(mktemp -d "${TMPDIR:-/tmp}/storbench-schemathesis.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

node --import tsx test/dashboard/seed-db.ts "$work/api.db"
token="schemathesis-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
# No scheduler: a schedule that the fuzzer manages to add never runs (run-now answers its documented 409).
STORBENCH_TOKEN="$token" node bin/storbench.cjs serve --port 0 --no-scheduler --db "$work/api.db" >"$work/serve.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'at http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -n 1 | cut -c4- || true)"
  if [ -n "$url" ]; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "!! storbench serve did not start:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
echo "== storbench serve at $url (database seeded by test/dashboard/seed-db.ts)"

doc="$(realpath "${STORBENCH_SCHEMATHESIS_DOC:-$work/openapi.json}")"
if [ -z "${STORBENCH_SCHEMATHESIS_DOC:-}" ]; then
  "$venv/bin/python" -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=30).read())' \
    "$url/docs/json" "$doc"
fi
echo "== openapi-spec-validator $doc"
"$venv/bin/openapi-spec-validator" "$doc"

echo "== schemathesis: $examples examples per operation, seed $seed"
status=0
# From the scratch folder: schemathesis keeps a replay cache (.schemathesis/) where it runs.
(cd "$work" && "$venv/bin/st" run "$doc" --url "$url" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --seed "$seed" --max-examples "$examples" --workers 1 --request-timeout 10 \
  --generation-database none --no-color) || status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "!! storbench serve died during the run:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
# The server's log holds the stack of any 500 (answered without internals).
if [ "$status" -ne 0 ] && [ -s "$work/serve.log" ]; then
  echo "== storbench serve log" >&2
  tail -n 50 "$work/serve.log" >&2
fi
exit "$status"
