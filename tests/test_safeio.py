"""safeio: the one place cotw opens a file a package names. Only regular files inside the package are read."""
from __future__ import annotations

import os

import pytest

from cotw.io import safeio
from cotw.io.safeio import UnsafeFile


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "pkg"
    (root / "data").mkdir(parents=True)
    (root / "data" / "t.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "secret.txt").write_bytes(b"token=hunter2\n")
    return root


def test_a_regular_file_inside_is_read(tree):
    assert safeio.read_bytes(tree, "data/t.csv", 100) == b"a,b\n1,2\n"


def test_a_symlink_inside_the_package_to_a_file_inside_is_read(tree):
    os.symlink("t.csv", tree / "data" / "alias.csv")
    assert safeio.read_bytes(tree, "data/alias.csv", 100) == b"a,b\n1,2\n"


@pytest.mark.parametrize("link", ["data/x.csv", "data"])
def test_a_symlink_that_resolves_outside_is_refused(tree, link):
    target = tree.parent / "secret.txt" if link.endswith(".csv") else tree.parent
    if link == "data":
        os.rename(tree / "data", tree / "data.real")
        (tree.parent / "t.csv").write_bytes(b"outside\n")
    os.symlink(target, tree / link)
    rel = "data/x.csv" if link.endswith(".csv") else "data/t.csv"
    with pytest.raises(UnsafeFile, match="resolves outside the package"):
        safeio.read_bytes(tree, rel, 100)


def test_a_fifo_is_refused_without_blocking(tree):
    os.mkfifo(tree / "data" / "fifo.csv")
    with pytest.raises(UnsafeFile, match="not a regular file"):
        safeio.read_bytes(tree, "data/fifo.csv", 100)


def test_a_device_is_refused(tree):
    os.symlink("/dev/zero", tree / "data" / "zero.csv")  # resolves outside, refused before opening
    with pytest.raises(UnsafeFile):
        safeio.read_bytes(tree, "data/zero.csv", 100)


def test_a_file_over_the_bound_is_refused(tree):
    with pytest.raises(UnsafeFile, match="more than the 4 cotw reads"):
        safeio.read_bytes(tree, "data/t.csv", 4)


@pytest.mark.parametrize("path,why", [("../secret.txt", "climbs out"), ("/etc/passwd", "absolute"),
                                      ("https://example.org/x.csv", "URL"), ("", "not a relative file path")])
def test_paths_unsafe_as_written_are_refused_before_anything_is_opened(tree, path, why):
    with pytest.raises(UnsafeFile, match=why):
        safeio.read_bytes(tree, path, 100)


def test_a_missing_file_is_not_found(tree):
    with pytest.raises(FileNotFoundError):
        safeio.read_bytes(tree, "data/none.csv", 100)


def test_a_folder_swapped_for_a_link_out_after_the_check_is_not_followed(tree, monkeypatch):
    """The path is walked one component at a time without following links, so a swap between the
    check (realpath) and the read cannot lead outside."""
    outside = tree.parent / "elsewhere"
    outside.mkdir()
    (outside / "t.csv").write_bytes(b"secret\n")
    checked = safeio._resolved  # the check: realpath of the root and of the file

    def check_then_swap(root, relpath):
        real = checked(root, relpath)
        os.rename(tree / "data", tree / "data.old")
        os.symlink(outside, tree / "data")
        return real

    monkeypatch.setattr(safeio, "_resolved", check_then_swap)
    with pytest.raises(UnsafeFile, match="symbolic link that loops or changed while it was read"):
        safeio.read_bytes(tree, "data/t.csv", 100)


def test_a_special_file_is_refused_from_lstat_without_being_opened(tree, monkeypatch):
    os.mkfifo(tree / "data" / "fifo.csv")
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **kw: (opened.append(os.fsdecode(path)), real_open(path, *a, **kw))[1])
    with pytest.raises(UnsafeFile, match=r"is a named pipe \(FIFO\), not a regular file"):
        safeio.read_bytes(tree, "data/fifo.csv", 100)
    assert "fifo.csv" not in [os.path.basename(p) for p in opened]


def test_a_folder_on_the_way_that_is_not_a_folder_is_named(tree):
    os.rename(tree / "data", tree / "data.old")
    os.mkfifo(tree / "data")
    with pytest.raises(UnsafeFile, match=r"is not readable: data is a named pipe \(FIFO\), not a directory") as err:
        safeio.read_bytes(tree, "data/t.csv", 100)
    assert err.value.rule == "not-a-file"


def test_a_symlink_loop_is_refused(tree):
    os.symlink("loop.csv", tree / "data" / "loop.csv")
    with pytest.raises(UnsafeFile, match="loops"):
        safeio.read_bytes(tree, "data/loop.csv", 100)


def test_rules_tell_a_path_that_leaves_the_package_from_a_file_that_is_not_a_regular_file(tree):
    os.symlink(tree.parent / "secret.txt", tree / "data" / "out.csv")
    (tree / "data" / "dir.csv").mkdir()
    with pytest.raises(UnsafeFile) as out:
        safeio.read_bytes(tree, "data/out.csv", 100)
    with pytest.raises(UnsafeFile) as folder:
        safeio.read_bytes(tree, "data/dir.csv", 100)
    assert (out.value.rule, folder.value.rule) == ("unsafe-path", "not-a-file")


def test_replace_bytes_replaces_atomically_and_keeps_the_mode(tree):
    path = tree / "data" / "t.csv"
    path.chmod(0o640)
    safeio.replace_bytes(tree, "data/t.csv", b"new\n")
    assert path.read_bytes() == b"new\n" and (path.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in (tree / "data").iterdir()) == ["t.csv"]


def test_replace_bytes_replaces_the_real_file_of_a_link_inside_and_keeps_the_link(tree):
    os.symlink("t.csv", tree / "data" / "alias.csv")
    safeio.replace_bytes(tree, "data/alias.csv", b"new\n")
    assert os.readlink(tree / "data" / "alias.csv") == "t.csv"
    assert (tree / "data" / "t.csv").read_bytes() == b"new\n"


@pytest.mark.parametrize("make, why", [
    (lambda p: os.symlink(p.parent.parent.parent / "secret.txt", p), "resolves outside the package"),
    (lambda p: os.mkfifo(p), "named pipe"),
    (lambda p: p.mkdir(), "is a directory"),
])
def test_replace_bytes_refuses_what_read_bytes_refuses(tree, make, why):
    target = tree / "data" / "x.csv"
    make(target)
    with pytest.raises(UnsafeFile, match=why):
        safeio.replace_bytes(tree, "data/x.csv", b"new\n")
    assert (tree.parent / "secret.txt").read_bytes() == b"token=hunter2\n"


def test_replace_bytes_leaves_a_read_only_file_alone_even_for_root(tree):
    path = tree / "data" / "t.csv"
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="the file is read-only"):
        safeio.replace_bytes(tree, "data/t.csv", b"new\n")
    assert path.read_bytes() == b"a,b\n1,2\n"


def test_without_openat_the_same_rules_hold(tree, monkeypatch):
    """Where the system has no openat (Windows), the resolved path is opened directly: the rules stay."""
    monkeypatch.setattr(safeio, "_WALK", False)
    os.symlink(tree.parent / "secret.txt", tree / "data" / "out.csv")
    os.mkfifo(tree / "data" / "fifo.csv")
    assert safeio.read_bytes(tree, "data/t.csv", 100) == b"a,b\n1,2\n"
    for rel, why in (("data/out.csv", "resolves outside"), ("data/fifo.csv", "named pipe"), ("data", "is a directory")):
        with pytest.raises(UnsafeFile, match=why):
            safeio.read_bytes(tree, rel, 100)
        with pytest.raises(UnsafeFile, match=why):
            safeio.replace_bytes(tree, rel, b"x\n")
    safeio.replace_bytes(tree, "data/t.csv", b"new\n")
    assert (tree / "data" / "t.csv").read_bytes() == b"new\n"
    assert sorted(p.name for p in (tree / "data").iterdir()) == ["fifo.csv", "out.csv", "t.csv"]
