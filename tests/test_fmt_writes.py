"""`cotw fmt` writes safely: a file it cannot write is a per-file refusal that loses nothing, and it
never writes through a symbolic link.

A table is made non-canonical (a byte-order mark) so that fmt wants to rewrite it. Running as root,
file modes do not stop a write, so fmt's own rule is tested (a file or folder marked read-only is
left alone, for root too) and the system's refusals are simulated by making the call that would
write raise, as a read-only file system or a full disk would.
"""
from __future__ import annotations

import errno
import os
import stat

import pytest

from cotw.io import safeio

FILE = "data/conditions.csv"
OTHER = "data/events.csv"


def dirty(path):
    """Make the table non-canonical without changing a cell; return its bytes."""
    data = b"\xef\xbb\xbf" + path.read_bytes()
    path.write_bytes(data)
    return data


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def restore_modes(pkg):
    yield
    for p in [pkg / "data", *(pkg / "data").iterdir()]:
        if not p.is_symlink():
            p.chmod(stat.S_IMODE(p.stat().st_mode) | stat.S_IWUSR | stat.S_IXUSR * p.is_dir())


def test_a_read_only_file_is_refused_per_file_and_the_others_are_still_rewritten(pkg, cli, restore_modes):
    path, other = pkg / FILE, pkg / OTHER
    before = dirty(path)
    dirty(other)
    path.chmod(0o444)
    result = cli("fmt", pkg)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"{FILE}: refused, left untouched: it cannot be written (the file is read-only)" in result.stderr.splitlines()
    assert f"reformatted {OTHER} (byte-order mark)" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].endswith("1 refused")
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert not other.read_bytes().startswith(b"\xef\xbb\xbf")
    assert leftovers(pkg / "data") == []


def test_a_read_only_data_folder_is_refused_for_every_file_that_would_change(pkg, cli, restore_modes):
    path, other = pkg / FILE, pkg / OTHER
    before, before_other = dirty(path), dirty(other)
    (pkg / "data").chmod(0o555)
    result = cli("fmt", pkg)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for rel in (FILE, OTHER):
        assert f"{rel}: refused, left untouched: it cannot be written (its folder data/ is read-only)" in result.stderr.splitlines()
    assert path.read_bytes() == before and other.read_bytes() == before_other
    assert leftovers(pkg / "data") == []
    check = cli("fmt", "--check", pkg)  # --check writes nothing, so a read-only folder is no obstacle
    assert check.exit_code == 1 and f"would reformat {FILE} (byte-order mark)" in check.stdout


@pytest.mark.parametrize("call, error", [
    ("open", errno.EROFS),  # the temporary file cannot be created: a read-only file system
    ("write", errno.ENOSPC),  # the disk fills up half-way
    ("replace", errno.EACCES),  # the rename is refused
])
def test_a_write_the_system_refuses_loses_nothing_and_leaves_no_temporary_file(pkg, cli, monkeypatch, call, error):
    path = pkg / FILE
    before = dirty(path)
    real = getattr(os, call)

    def refuse(*args, **kwargs):
        creating = call != "open" or (len(args) > 1 and args[1] & os.O_CREAT)
        if creating and (call != "write" or len(args[1]) > 10):
            if call == "write":
                real(args[0], bytes(args[1][:10]))  # something was written before the disk filled up
            raise OSError(error, os.strerror(error))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, call, refuse)
    result = cli("fmt", pkg)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"{FILE}: refused, left untouched: it cannot be written ({os.strerror(error)})" in result.stderr.splitlines()
    assert path.read_bytes() == before
    assert leftovers(pkg / "data") == []


def test_a_symlink_to_another_file_of_the_package_stays_a_link_and_its_file_is_rewritten(pkg, cli):
    real = pkg / "data" / "conditions-real.csv"
    os.replace(pkg / FILE, real)
    os.symlink("conditions-real.csv", pkg / FILE)
    dirty(real)
    result = cli("fmt", pkg)
    assert result.exit_code == 0, result.output
    assert f"reformatted {FILE} (byte-order mark)" in result.stdout.splitlines()
    assert os.readlink(pkg / FILE) == "conditions-real.csv"
    assert not real.read_bytes().startswith(b"\xef\xbb\xbf")
    assert cli("fmt", "--check", pkg).exit_code == 0


def test_a_symlink_out_of_the_package_is_never_written_through(pkg, cli, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes((pkg / FILE).read_bytes())
    before = dirty(outside)
    mtime = outside.stat().st_mtime_ns
    (pkg / FILE).unlink()
    os.symlink(outside, pkg / FILE)
    for args in (("fmt", pkg), ("fmt", "--check", pkg)):
        result = cli(*args)
        assert result.exit_code == 1
        assert (f"{FILE}: refused, left untouched: resolves outside the package (through a symbolic link); it was not read"
                in result.stderr.splitlines())
    assert outside.read_bytes() == before and outside.stat().st_mtime_ns == mtime
    assert os.readlink(pkg / FILE) == str(outside)


def test_a_file_swapped_for_a_link_out_of_the_package_after_it_was_read_is_not_written(pkg, tmp_path):
    """The write resolves the path again: a swap between fmt's read and its write is refused."""
    outside = tmp_path / "outside.csv"
    outside.write_bytes(b"keep me\n")
    (pkg / FILE).unlink()
    os.symlink(outside, pkg / FILE)
    with pytest.raises(safeio.UnsafeFile, match="resolves outside the package"):
        safeio.replace_bytes(pkg, FILE, b"overwritten\n")
    assert outside.read_bytes() == b"keep me\n"


def test_a_table_the_system_refuses_to_read_is_a_per_file_refusal(pkg, cli, monkeypatch):
    real = os.open

    def deny(path, flags, *args, **kwargs):
        if os.path.basename(os.fsdecode(path)) == os.path.basename(FILE):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = cli("fmt", pkg)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"{FILE}: refused, left untouched: it cannot be read (Permission denied)" in result.stderr.splitlines()
