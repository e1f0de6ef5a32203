#!/usr/bin/env bash
# npm test: type-check, start every real storage server the tests need (or use running ones), run all tests.
# Each service's target URL reaches the tests as STORBENCH_TEST_<NAME> (e.g. STORBENCH_TEST_CEPH=s3://...).
# Set one yourself to test against a server you already run; set STORBENCH_SERVICES="" to test only
# the local drivers (mem://, file://, null://).
set -euo pipefail
cd "$(dirname "$0")/.."
export STORBENCH_SERVICES_STATE="${STORBENCH_SERVICES_STATE:-$PWD/.services}"
mkdir -p test-artifacts "$STORBENCH_SERVICES_STATE"

echo "== type check (tsc --noEmit)"
npx tsc --noEmit
echo "== lint and format check (biome check: npm run lint; npx biome check --write . fixes the format)"
npx biome check --error-on-warnings .
bash scripts/ensure-chromium.sh  # Debian's chromium for the dashboard page tests (never a downloaded browser)

started=()
cleanup() {
  for name in "${started[@]}"; do
    echo "== stopping $name"
    # the server's own logs (down removes its state): kept for a failure seen only in CI
    for dir in log logs; do
      [ -d "$STORBENCH_SERVICES_STATE/$name/$dir" ] || continue
      rm -rf "test-artifacts/$name-logs"
      cp -r "$STORBENCH_SERVICES_STATE/$name/$dir" "test-artifacts/$name-logs" 2>/dev/null || true
    done
    bash scripts/services.sh down "$name" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

services="${STORBENCH_SERVICES-$(ls scripts/services 2>/dev/null | tr '\n' ' ')}"
for name in $services; do
  var="STORBENCH_TEST_$(echo "$name" | tr '[:lower:]-' '[:upper:]_')"
  if [ -n "${!var:-}" ]; then
    echo "== $name: using $var=${!var}"
    continue
  fi
  echo "== starting $name (log: test-artifacts/service-$name.log)"
  t0=$(date +%s)
  if ! bash scripts/services.sh up "$name" >"test-artifacts/service-$name.log" 2>&1; then
    echo "!! $name failed to start; last lines of its log:" >&2
    tail -n 30 "test-artifacts/service-$name.log" >&2
    exit 1
  fi
  started+=("$name")
  url="$(tail -n 1 "test-artifacts/service-$name.log")"
  export "$var=$url"
  echo "   $name up in $(( $(date +%s) - t0 ))s: $url"
done

echo "== tests"
files=$(find test -name '*.test.ts' | sort)
# shellcheck disable=SC2086
node --import tsx --test --test-concurrency=1 --test-timeout=600000 ${STORBENCH_TEST_FILES:-$files}
