#!/usr/bin/env bash
# Install what cotw needs on a fresh Debian machine, into a virtual environment `.venv` in this folder
# (made with the first `python3` on PATH; Debian's own is enough).
#   bash scripts/setup.sh        the package itself (for `cotw check` and `cotw export`)
#   bash scripts/setup.sh test   plus the test extras and Debian's chromium (for the download-page browser test)
# Afterwards enter the environment in your shell with `. .venv/bin/activate` (the README's commands do).
# Debian packages (python3-venv where venv is missing, chromium for `test`) are installed with apt-get,
# through sudo unless you are root, waiting up to 10 minutes for another apt or dpkg to finish.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-main}"
case "$mode" in main|test) ;; *) echo "usage: bash scripts/setup.sh [test]" >&2; exit 2 ;; esac

apt_install() {
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    sudo="sudo"
    echo "setup: installing Debian's $* with apt-get (sudo asks for your password)" >&2
  fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "setup: no python3 on PATH; on Debian: sudo apt-get install python3 python3-venv" >&2
  exit 1
fi
if ! .venv/bin/python -c "" 2>/dev/null; then
  rm -rf .venv
  if ! "$python" -m venv .venv >/dev/null 2>&1; then  # Debian's python3 has no ensurepip without python3-venv
    rm -rf .venv
    apt_install python3-venv
    "$python" -m venv .venv
  fi
fi
# --no-compile: Python compiles a module to bytecode the first time it is imported; compiling every module
# of every dependency at install time doubled the install's CPU (measured: 51 s -> 24 s for '.[test]')
if [ "$mode" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  # the build backend first (pyproject.toml's [build-system]), so that the editable install is built in .venv
  # instead of in a new isolated environment that pip fills for it each time (measured: 16.5 -> 14 s)
  .venv/bin/python -m pip install -q --no-compile --disable-pip-version-check 'hatchling>=1.21' editables
  .venv/bin/python -m pip install -q --no-compile --disable-pip-version-check --no-build-isolation -e '.[test]'
else
  .venv/bin/python -m pip install -q --no-compile --disable-pip-version-check .
fi
echo "setup: cotw is installed in .venv; enter it with: . .venv/bin/activate" >&2
