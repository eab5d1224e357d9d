"""scripts/setup.sh chooses its installer as it says: uv, installed into .venv by pip, where it can; pip where uv
cannot be installed, where uv fails, or where COTW_SETUP_PIP is set; pip's index-url and cert passed on to uv.

The script runs for real here, in a copy of the project whose `.venv/bin/python`, `uv` and `chromium` are
stand-ins that write down how they were called (the real installs, which need the package index, are what
.ci/run does on every clean clone)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON = """#!/bin/bash
printf 'python %s\\n' "$*" >> "$LOG"
case "$*" in
  "-c ") exit 0 ;;  # the script asks whether .venv works
  "-m pip config list")  # as pip prints it: every file's settings merged, sorted by key
    [ -n "${CONF_CERT:-}" ] && echo "global.cert='$CONF_CERT'"
    [ -n "${CONF_INDEX:-}" ] && echo "global.index-url='$CONF_INDEX'"
    [ -n "${CONF_INSTALL_INDEX:-}" ] && echo "install.index-url='$CONF_INSTALL_INDEX'"
    exit 0 ;;
  *"pip install"*"uv>=0.5"*) [ -n "${NO_UV:-}" ] && exit 1; cp "$UV_STUB" "$(dirname "$0")/uv"; exit 0 ;;
esac
exit 0
"""
UV = """#!/bin/bash
[ -n "${SSL_CERT_FILE:-}" ] && printf 'uv trusts %s\\n' "$SSL_CERT_FILE" >> "$LOG"
printf 'uv %s\\n' "$*" >> "$LOG"
exit "${UV_EXIT:-0}"
"""


@pytest.fixture
def project(tmp_path, root) -> Path:
    proj = tmp_path / "proj"
    (proj / "scripts").mkdir(parents=True)
    shutil.copy2(root / "scripts/setup.sh", proj / "scripts/setup.sh")
    (proj / ".venv/bin").mkdir(parents=True)
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for path, text in ((proj / ".venv/bin/python", PYTHON), (tmp_path / "uv-stub", UV), (bin_ / "chromium", "#!/bin/sh\n")):
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
    (bin_ / "python3").symlink_to(sys.executable)
    return proj


def setup(project: Path, *args: str, **env: str) -> tuple[list[str], str]:
    log = project.parent / "calls.log"
    log.unlink(missing_ok=True)
    (project / ".venv/bin/uv").unlink(missing_ok=True)  # each run starts from a .venv without uv
    base = {"PATH": f"{project.parent / 'bin'}:/usr/bin:/bin", "HOME": str(project.parent), "LOG": str(log),
            "UV_STUB": str(project.parent / "uv-stub")}
    done = subprocess.run(["bash", "scripts/setup.sh", *args], cwd=project, capture_output=True, text=True,
                          env={**base, **env}, timeout=60)
    assert done.returncode == 0, done.stderr
    return log.read_text(encoding="utf-8").splitlines(), done.stderr


def test_uv_installs_the_package_and_its_test_tools_where_it_can(project):
    calls, err = setup(project, "test")
    assert any("pip install" in c and "uv>=0.5" in c for c in calls)
    assert "uv pip install -q --python .venv/bin/python -e .[test]" in calls
    assert not any(c.startswith("python -m pip install") and ".[test]" in c for c in calls), calls
    assert "enter it with: . .venv/bin/activate" in err

    calls, _ = setup(project)  # the main job: the package itself, not editable
    assert calls[-1] == "uv pip install -q --python .venv/bin/python ."


def test_pip_installs_where_uv_fails_or_cannot_be_installed_or_is_not_wanted(project):
    with_pip = ["python -m pip install -q --no-compile --disable-pip-version-check hatchling>=1.21 editables",
                "python -m pip install -q --no-compile --disable-pip-version-check --no-build-isolation -e .[test]"]
    calls, err = setup(project, "test", UV_EXIT="1")
    assert "uv pip install -q --python .venv/bin/python -e .[test]" in calls and calls[-2:] == with_pip
    assert "uv could not install -e .[test]; trying pip" in err

    calls, err = setup(project, "test", NO_UV="1")
    assert calls[-2:] == with_pip and not any(c.startswith("uv ") for c in calls)
    assert "uv could not be installed; installing with pip" in err

    calls, _ = setup(project, "test", COTW_SETUP_PIP="1")
    assert calls[-2:] == with_pip and not any("uv" in c for c in calls), calls

    calls, _ = setup(project, COTW_SETUP_PIP="1")
    assert calls[-1] == "python -m pip install -q --no-compile --disable-pip-version-check ."


def test_uv_uses_the_index_pip_is_told_to_use(project):
    calls, _ = setup(project, CONF_INDEX="https://mirror.example/simple")
    assert calls[-1] == "uv pip install -q --python .venv/bin/python --index-url https://mirror.example/simple ."
    calls, _ = setup(project, PIP_INDEX_URL="https://env.example/simple", CONF_INDEX="https://mirror.example/simple")
    assert calls[-1] == "uv pip install -q --python .venv/bin/python --index-url https://env.example/simple ."
    calls, _ = setup(project, CONF_INDEX="https://mirror.example/simple",  # install.* over global.*, as pip reads them
                     CONF_INSTALL_INDEX="https://install.example/simple")
    assert calls[-1] == "uv pip install -q --python .venv/bin/python --index-url https://install.example/simple ."


def test_uv_trusts_the_certificates_pip_is_told_to_trust(project):
    """Behind a proxy that signs with its own authority (this machine's), uv with only its bundled roots could not
    reach the index under `env -i` and setup fell back to pip: uv is given the bundle pip's cert names."""
    calls, _ = setup(project, CONF_CERT="/etc/proxy ca.pem")
    assert calls[-2:] == ["uv trusts /etc/proxy ca.pem", "uv pip install -q --python .venv/bin/python ."]
    calls, _ = setup(project, PIP_CERT="/env/ca.pem", CONF_CERT="/etc/proxy ca.pem")
    assert calls[-2] == "uv trusts /env/ca.pem"
    calls, _ = setup(project, SSL_CERT_FILE="/callers/ca.pem", PIP_CERT="/env/ca.pem")  # the caller's own choice stays
    assert calls[-2] == "uv trusts /callers/ca.pem"
    calls, _ = setup(project)  # nothing configured: uv's own roots, as before
    assert not any(c.startswith("uv trusts") for c in calls)
    assert calls[-1] == "uv pip install -q --python .venv/bin/python ."
