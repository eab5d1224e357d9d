#!/usr/bin/env bash
# Install what cotw needs on a fresh Debian machine.
#   bash scripts/setup.sh        the package itself (for `cotw check` and `cotw export`)
#   bash scripts/setup.sh test   plus the test extras and Debian's chromium (for the download-page browser test)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-main}"
if [ "$mode" = "test" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" = "0" ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
  python -m pip install -q -e '.[test]'
else
  python -m pip install -q .
fi
