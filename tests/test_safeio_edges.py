"""safeio at the edges its rules draw: a sibling folder whose name starts with the package's, a root that is a
link, the exact size bound, every path form. Written to kill the mutants that survived the first mutation run
(docs/mutation.md): each test fails when one comparison of the safety code is weakened."""
from __future__ import annotations

import os
import stat

import pytest

from cotw.io import safeio
from cotw.io.safeio import UnsafeFile

SECRET = b"token=sibling-4711\n"


@pytest.fixture
def sibling(tmp_path):
    """A package `pkg` and, beside it, a folder `pkg-evil` whose name begins with the package's."""
    root = tmp_path / "pkg"
    (root / "data").mkdir(parents=True)
    (root / "data" / "t.csv").write_bytes(b"a\n1\n")
    evil = tmp_path / "pkg-evil"
    evil.mkdir()
    (evil / "secret.txt").write_bytes(SECRET)
    return root


@pytest.mark.parametrize("link, target", [("data/x.csv", "../../pkg-evil/secret.txt"), ("data/sub", "../../pkg-evil")])
def test_a_link_into_a_sibling_whose_name_starts_with_the_package_s_is_refused(sibling, link, target):
    os.symlink(target, sibling / link)
    rel = "data/x.csv" if link.endswith(".csv") else "data/sub/secret.txt"
    with pytest.raises(UnsafeFile, match="resolves outside the package") as exc:
        safeio.read_bytes(sibling, rel, 1000)
    assert SECRET.decode() not in str(exc.value)
    with pytest.raises(UnsafeFile, match="resolves outside the package"):
        safeio.inside(sibling, rel)
    with pytest.raises(UnsafeFile, match="resolves outside the package"):
        safeio.open_regular(sibling, rel, 1000)
    with pytest.raises(UnsafeFile, match="resolves outside the package"):
        safeio.replace_bytes(sibling, rel, b"x")
    assert (sibling.parent / "pkg-evil" / "secret.txt").read_bytes() == SECRET


def test_a_root_reached_through_a_link_still_reads_inside(sibling, tmp_path):
    alias = tmp_path / "alias"
    os.symlink(sibling, alias)
    assert safeio.read_bytes(alias, "data/t.csv", 100) == b"a\n1\n"
    assert safeio.inside(alias, "data/t.csv") == sibling.resolve() / "data" / "t.csv"


def test_the_root_itself_is_no_file(sibling):
    os.symlink("..", sibling / "data" / "up")
    with pytest.raises(UnsafeFile, match="is a directory") as exc:
        safeio.read_bytes(sibling, "data/up", 100)
    assert exc.value.rule == "not-a-file"


@pytest.mark.parametrize("limit, ok", [(3, False), (4, True), (5, True)])
def test_the_size_bound_is_exact(sibling, limit, ok):
    if ok:
        assert safeio.read_bytes(sibling, "data/t.csv", limit) == b"a\n1\n"
    else:
        with pytest.raises(UnsafeFile, match=f"is 4 bytes, more than the {limit} cotw reads") as exc:
            safeio.read_bytes(sibling, "data/t.csv", limit)
        assert exc.value.rule == "not-a-file"


def test_an_empty_file_is_read(sibling):
    (sibling / "data" / "empty.csv").write_bytes(b"")
    assert safeio.read_bytes(sibling, "data/empty.csv", 0) == b""


@pytest.mark.parametrize("path, why", [
    ("C:/x.csv", "is absolute"), ("c:x", "is absolute"), ("c:", "is absolute"), ("~/x", "is absolute"), ("\\\\server\\x", "is absolute"),
    ("//host/x", "is a URL"), ("a://b", "is a URL"), ("data/\x00.csv", "contains a NUL"), ("a/../b", "climbs out"), ("a\\..\\b", "climbs out"), ("..\\x", "climbs out"),
    (None, "is not a relative file path"), (3, "is not a relative file path"),
])
def test_path_forms(path, why):
    assert why in safeio.unsafe_path_reason(path)


@pytest.mark.parametrize("path", ["x", "ab:c", "a~", "a/b~c", "data/x..csv", "...", "a/.../b"])
def test_names_that_only_look_odd_are_plain(path):
    assert safeio.unsafe_path_reason(path) is None


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_no_descriptor_is_left_open_by_a_read_or_a_write(sibling):
    (sibling / "data" / "sub").mkdir()
    (sibling / "data" / "sub" / "x.csv").write_bytes(b"a\n")
    before = open_descriptors()
    for _ in range(3):
        assert safeio.read_bytes(sibling, "data/sub/x.csv", 100) == b"a\n"
        safeio.replace_bytes(sibling, "data/sub/x.csv", b"a\n")
        with pytest.raises(UnsafeFile):
            safeio.read_bytes(sibling, "data/sub", 100)
        with pytest.raises(FileNotFoundError):
            safeio.read_bytes(sibling, "data/sub/missing.csv", 100)
    assert open_descriptors() == before


def test_a_file_that_grew_past_the_bound_while_it_was_read_is_refused(tmp_path):
    path = tmp_path / "grown.csv"
    path.write_bytes(b"x" * 100)
    fd = os.open(path, os.O_RDONLY)
    try:  # fstat said 4 bytes when the file was opened; it holds 100 now
        with pytest.raises(UnsafeFile, match="is more than the 10 bytes cotw reads") as exc:
            safeio._bounded(fd, 4, "data/grown.csv", 10)
        assert exc.value.rule == "not-a-file"
    finally:
        os.close(fd)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert safeio._bounded(fd, 4, "data/grown.csv", 100) == b"x" * 100  # grew, but within the bound
    finally:
        os.close(fd)


def test_without_a_free_temporary_name_a_write_is_refused_and_nothing_changes(sibling):
    for attempt in range(100):
        (sibling / "data" / f".t.csv.{os.getpid()}.{attempt}.tmp").write_bytes(b"taken")
    with pytest.raises(FileExistsError, match="no free temporary name"):
        safeio.replace_bytes(sibling, "data/t.csv", b"new\n")
    assert (sibling / "data" / "t.csv").read_bytes() == b"a\n1\n"


def test_read_regular_refuses_a_final_link_unless_told_to_follow(tmp_path):
    (tmp_path / "real.zip").write_bytes(b"PK\x03\x04rest")
    os.symlink(tmp_path / "real.zip", tmp_path / "link.zip")
    with pytest.raises(UnsafeFile, match="symbolic link"):
        safeio.read_regular(tmp_path / "link.zip", "link.zip", 100)
    assert safeio.read_regular(tmp_path / "link.zip", "link.zip", 100, follow=True) == b"PK\x03\x04rest"
    with pytest.raises(UnsafeFile, match="is a directory"):
        safeio.read_regular(tmp_path, "dir", 100)
    with pytest.raises(UnsafeFile, match="more than the 3 bytes|is 8 bytes, more than the 3"):
        safeio.read_regular(tmp_path / "real.zip", "real.zip", 3)


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.zip")
    with pytest.raises(UnsafeFile, match="is not a regular file") as exc:
        safeio.read_regular(tmp_path / "pipe.zip", "pipe.zip", 100)
    assert exc.value.rule == "not-a-file"


def test_a_file_that_grows_while_it_is_read_is_read_at_most_one_byte_past_the_bound(sibling, monkeypatch):
    """The memory bound holds however fast the file grows: cotw reads at most `limit + 1` bytes of it in all."""
    path = sibling / "data" / "t.csv"  # 4 bytes
    inode = path.stat().st_ino
    real_read, got = os.read, []

    def read_then_grow(fd, n):
        chunk = real_read(fd, n)
        if os.fstat(fd).st_ino == inode:
            got.append(len(chunk))
            if len(got) == 1:
                with open(path, "ab") as fh:
                    fh.write(b"x" * 100)
        return chunk

    monkeypatch.setattr(os, "read", read_then_grow)
    with pytest.raises(UnsafeFile, match="is more than the 10 bytes cotw reads"):
        safeio.read_bytes(sibling, "data/t.csv", 10)
    assert got[0] == 4 and sum(got) == 11


def test_the_new_bytes_are_private_until_the_file_takes_the_old_one_s_mode(sibling, monkeypatch):
    path = sibling / "data" / "t.csv"
    path.chmod(0o644)
    real_fchmod, modes = os.fchmod, []
    monkeypatch.setattr(os, "fchmod", lambda fd, mode: (modes.append(stat.S_IMODE(os.fstat(fd).st_mode)), real_fchmod(fd, mode))[1])
    umask = os.umask(0o022)
    try:
        safeio.replace_bytes(sibling, "data/t.csv", b"new\n")
    finally:
        os.umask(umask)
    assert modes == [0o600]  # nobody else could read the half-written temporary file
    assert path.read_bytes() == b"new\n" and stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_rewritten_file_keeps_its_mode_but_not_set_user_or_group_id(sibling):
    """The new file belongs to whoever runs `cotw fmt` (root, say): a set-user-ID bit that a package's file
    carries would otherwise become the writer's."""
    path = sibling / "data" / "t.csv"
    path.chmod(0o6755)
    safeio.replace_bytes(sibling, "data/t.csv", b"new\n")
    assert path.read_bytes() == b"new\n" and stat.S_IMODE(path.stat().st_mode) == 0o755


def swap_before_first_stat(monkeypatch, swap) -> None:
    """Run `swap` once, just before the first os.stat: after the walk, before replace_bytes looks at the file."""
    real_stat, done = os.stat, []

    def stat_after_swap(path, *args, **kwargs):
        if not done:
            done.append(True)
            swap()
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_after_swap)


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
@pytest.mark.parametrize("to", ["missing", "pkg-evil"])
def test_a_folder_swapped_for_a_link_after_the_walk_is_not_written_through(sibling, monkeypatch, to):
    """The write goes into the folder that was walked (by its descriptor), not to where a link now leads: every
    step (the file's mode, the folder's, the temporary file, the rename) uses the descriptor."""
    evil = sibling.parent / "pkg-evil"
    (evil / "t.csv").write_bytes(b"theirs\n")
    (evil / "t.csv").chmod(0o444)

    def swap():
        os.rename(sibling / "data", sibling / "data.old")
        os.symlink(sibling.parent / to, sibling / "data")

    swap_before_first_stat(monkeypatch, swap)
    safeio.replace_bytes(sibling, "data/t.csv", b"new\n")
    assert (sibling / "data.old" / "t.csv").read_bytes() == b"new\n"
    assert sorted(os.listdir(sibling / "data.old")) == ["t.csv"]
    assert sorted(os.listdir(evil)) == ["secret.txt", "t.csv"] and (evil / "t.csv").read_bytes() == b"theirs\n"
    assert not os.path.exists(sibling.parent / "missing")


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
def test_a_file_swapped_for_a_link_after_the_walk_is_refused_and_the_link_left_alone(sibling, monkeypatch):
    data = sibling / "data"

    def swap():
        os.rename(data / "t.csv", data / "t.old")
        os.symlink(sibling.parent / "pkg-evil" / "secret.txt", data / "t.csv")

    swap_before_first_stat(monkeypatch, swap)
    with pytest.raises(UnsafeFile, match="symbolic link that loops or changed while it was read") as exc:
        safeio.replace_bytes(sibling, "data/t.csv", b"new\n")
    assert exc.value.rule == "unsafe-path"  # a link where a file was checked: not merely "not a regular file"
    assert os.path.islink(data / "t.csv") and sorted(os.listdir(data)) == ["t.csv", "t.old"]
    assert (sibling.parent / "pkg-evil" / "secret.txt").read_bytes() == SECRET


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
def test_the_walk_never_climbs_above_the_root_even_past_a_weakened_containment_check(sibling, monkeypatch):
    """Two locks: were the containment check (`inside`, `_resolved`) to let a link out through (as a
    string-prefix comparison would), the walk still refuses a path whose real form climbs above the root."""
    os.symlink("../../pkg-evil/secret.txt", sibling / "data" / "x.csv")
    monkeypatch.setattr(safeio, "_resolved", lambda root, relpath: (os.path.realpath(root), os.path.realpath(os.path.join(root, relpath))))
    for read in (safeio.read_bytes, safeio.open_regular):
        with pytest.raises(UnsafeFile, match="resolves outside the package") as exc:
            read(sibling, "data/x.csv", 1000)
        assert exc.value.rule == "unsafe-path"
    with pytest.raises(UnsafeFile, match="resolves outside the package"):
        safeio.replace_bytes(sibling, "data/x.csv", b"x")
    assert (sibling.parent / "pkg-evil" / "secret.txt").read_bytes() == SECRET


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
def test_a_root_that_is_a_file_is_refused_as_no_folder(sibling):
    with pytest.raises(UnsafeFile, match="is not inside a directory") as exc:
        safeio.read_bytes(sibling / "data" / "t.csv", "x.csv", 100)
    assert exc.value.rule == "not-a-file"


def test_a_folder_on_the_way_that_is_not_a_folder_is_named_by_its_whole_path(sibling):
    os.mkfifo(sibling / "data" / "sub")
    with pytest.raises(UnsafeFile, match=r"is not readable: data/sub is a named pipe \(FIFO\), not a directory"):
        safeio.read_bytes(sibling, "data/sub/t.csv", 100)


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
def test_a_folder_on_the_way_that_vanishes_while_it_is_looked_at_is_refused(sibling, monkeypatch):
    (sibling / "data" / "sub").write_bytes(b"not a folder")
    swap_before_first_stat(monkeypatch, lambda: os.unlink(sibling / "data" / "sub"))
    with pytest.raises(UnsafeFile, match="loops or changed while it was read"):
        safeio.read_bytes(sibling, "data/sub/t.csv", 100)


def swap_after_first_stat(monkeypatch, swap) -> None:
    """Run `swap` once, just after the first os.stat returns: between the file's lstat and its open."""
    real_stat, done = os.stat, []

    def stat_then_swap(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if not done:
            done.append(True)
            swap()
        return result

    monkeypatch.setattr(os, "stat", stat_then_swap)


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
def test_a_file_replaced_by_another_between_its_check_and_its_open_is_refused(sibling, monkeypatch):
    """What is checked is what is read: the open file must be the one whose lstat was checked."""
    data = sibling / "data"
    (data / "other.csv").write_bytes(b"b\n2\n" * 100)
    swap_after_first_stat(monkeypatch, lambda: os.replace(data / "other.csv", data / "t.csv"))
    with pytest.raises(UnsafeFile, match="changed while it was read"):
        safeio.read_bytes(sibling, "data/t.csv", 100)


@pytest.mark.skipif(not safeio._WALK, reason="needs openat")
def test_a_file_replaced_by_a_link_between_its_check_and_its_open_is_refused(sibling, monkeypatch):
    data = sibling / "data"

    def swap():
        os.rename(data / "t.csv", data / "t.old")
        os.symlink("t.old", data / "t.csv")

    swap_after_first_stat(monkeypatch, swap)
    with pytest.raises(UnsafeFile, match="loops or changed while it was read") as exc:
        safeio.read_bytes(sibling, "data/t.csv", 100)
    assert exc.value.rule == "unsafe-path"
