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
# The installer: uv (from PyPI, into .venv) downloads and installs in parallel, pip one file after another.
# Measured on a fresh clone here, '.[test]': pip 33 s (about 90 index pages and 150 MB in turn, 28 s of CPU),
# uv 2 s to install itself and 5 s for the rest with an empty cache. uv is given the index and the certificates
# pip is told to use (PIP_INDEX_URL and PIP_CERT, else pip's configuration files) but no other pip setting;
# COTW_SETUP_PIP=1, or uv failing, installs with pip.
pip_install() {
  # --no-compile: Python compiles a module to bytecode the first time it is imported; compiling every module
  # of every dependency at install time doubled the install's CPU (measured: 51 s -> 24 s for '.[test]')
  .venv/bin/python -m pip install -q --no-compile --disable-pip-version-check "$@"
}
uv_install() {  # uv_install ARGS...: true when uv installed them
  [ -z "${COTW_SETUP_PIP:-}" ] || return 1
  if [ ! -x .venv/bin/uv ] && ! pip_install 'uv>=0.5' >/dev/null 2>&1; then
    echo "setup: uv could not be installed; installing with pip" >&2
    return 1
  fi
  # pip's settings from every file it reads (`pip config get` reads only the user's); `config list` sorts them,
  # so install.* comes after global.* and wins, as in `pip install`. Where a proxy signs with its own authority,
  # uv trusts only its bundled roots unless SSL_CERT_FILE names the bundle pip's cert does (measured under
  # `env -i PATH=/usr/bin:/bin` here: without it uv failed, and setup took 23 s with pip instead of 5 s with uv).
  local config index cert
  config=$(.venv/bin/python -m pip config list 2>/dev/null || true)
  setting() { printf '%s\n' "$config" | sed -n "s/^\(global\|install\)\.$1='\(.*\)'\$/\2/p" | tail -n 1; }
  index="${PIP_INDEX_URL:-$(setting index-url)}"
  cert="${SSL_CERT_FILE:-${PIP_CERT:-$(setting cert)}}"
  if env ${cert:+SSL_CERT_FILE="$cert"} \
       .venv/bin/uv pip install -q --python .venv/bin/python ${index:+--index-url "$index"} "$@"; then
    return 0
  fi
  echo "setup: uv could not install $*; trying pip" >&2
  return 1
}
if [ "$mode" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  if ! uv_install -e '.[test]'; then
    # the build backend first (pyproject.toml's [build-system]), so that the editable install is built in .venv
    # instead of in a new isolated environment that pip fills for it each time (measured: 16.5 -> 14 s)
    pip_install 'hatchling>=1.21' editables
    pip_install --no-build-isolation -e '.[test]'
  fi
else
  uv_install . || pip_install .
fi
echo "setup: cotw is installed in .venv; enter it with: . .venv/bin/activate" >&2
