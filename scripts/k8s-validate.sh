#!/usr/bin/env bash
# Validate Kubernetes manifests offline: `bash scripts/k8s-validate.sh FILE...` checks every document of every
# FILE with PyPI's kubernetes-validate --strict (an unknown field or a wrong type fails) against the schemas of
# each version in K8S_VERSIONS, and exits 1 if any document is invalid for any of them. kubernetes-validate
# ships the schemas of 1.25.0 to 1.37.0 (its own version is the newest, and its default); 1.31.0 is the oldest
# that k8s-manifest promises (podFailurePolicy went GA there; the schemas before 1.29 want onPodConditions in
# each rule). It is installed once, pinned, into a venv under node_modules/.cache. Schema validation is a floor:
# it accepts a misspelt enum value (completionMode: Indexd).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
KUBERNETES_VALIDATE_VERSION=1.37.0
K8S_VERSIONS=(1.31.0 1.37.0)
venv="$root/node_modules/.cache/storbench/k8s-validate-venv"

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/k8s-validate.sh FILE..." >&2
  exit 2
fi

mkdir -p "$(dirname "$venv")"
# one install at a time: two concurrent first uses would build the same venv over each other
exec 9>"$venv.lock"
flock 9
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$KUBERNETES_VALIDATE_VERSION" ]; then
  echo "== installing kubernetes-validate==$KUBERNETES_VALIDATE_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
  echo "$KUBERNETES_VALIDATE_VERSION" >"$venv/.installed"
fi
flock -u 9

status=0
for version in "${K8S_VERSIONS[@]}"; do
  echo "== kubernetes-validate --strict -k $version $*"
  rc=0
  out="$("$venv/bin/kubernetes-validate" --strict --kubernetes-version "$version" "$@" 2>&1)" || rc=$?
  printf '%s\n' "$out"
  # the tool only warns (exit 0) about a kind it has no schema for (a misspelt kind), and passes a file
  # without documents: neither was validated, so both fail here
  if [ "$rc" -ne 0 ] || grep -q '^WARN ' <<<"$out" || ! grep -q ' passed for resource ' <<<"$out"; then status=1; fi
done
exit "$status"
