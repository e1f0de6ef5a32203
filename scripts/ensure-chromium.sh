#!/usr/bin/env bash
# The page tests drive Debian's chromium through playwright-core; playwright never downloads a browser here.
# Installs the distribution package when /usr/bin/chromium is missing (apt-get update only then).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "== installing Debian's chromium (for the dashboard page tests)"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
