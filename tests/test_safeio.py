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
