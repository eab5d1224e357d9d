"""Reading files of an untrusted package: the one place where cotw opens a file that a package names.

A package may come from a stranger's pull request or a download, so a file is read only when
- its path, as written, is relative and stays inside the package (no URL, no absolute path, no `..`),
- it resolves inside the package root (a symlink to `/etc/passwd` or to `~/.ssh` is refused),
- it is a regular file (a FIFO would block forever, `/dev/zero` would never end), and
- it is no larger than a bound (memory stays bounded).
It is opened non-blocking and without following a final symlink, and checked with fstat on the open
descriptor, so what is checked is what is read.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

MiB = 1 << 20
MAX_JSON = 64 * MiB  # datapackage.json and schema files
MAX_TEXT = 256 * MiB  # archived source texts
MAX_TABLE = 8 * 1024 * MiB  # CSV tables (the benchmarks reach 1M rows, ~150 MB)


class UnsafeFile(Exception):
    """A file that cotw refuses to read; `reason` completes "path '...' ..."."""

    def __init__(self, relpath: object, reason: str):
        super().__init__(f"{relpath!s} {reason}")
        self.relpath = relpath
        self.reason = reason


def unsafe_path_reason(path: object) -> str | None:
    """Why a path as written may not be read, or None when it is a plain relative path inside the package.

    Paths are checked as text before anything is opened: URLs are never fetched, absolute paths and
    paths that climb out of the package (`../`) are never read.
    """
    if not isinstance(path, str) or not path:
        return "is not a relative file path"
    if "\x00" in path:
        return "contains a NUL character"
    if "://" in path or path.startswith("//"):
        return "is a URL; cotw reads only files inside the package and never fetches"
    if path.startswith(("/", "\\", "~")) or (len(path) > 1 and path[1] == ":"):
        return "is absolute; resource paths must be relative to the package"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return "climbs out of the package ('..'); resource paths must stay inside it"
    return None


def inside(root: Path, relpath: str) -> Path:
    """The real path of `relpath` under `root`, refusing one that is unsafe as written or resolves outside."""
    reason = unsafe_path_reason(relpath)
    if reason:
        raise UnsafeFile(relpath, f"{reason}; it was not read")
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, relpath))
    if target != real_root and os.path.commonpath([real_root, target]) != real_root:
        raise UnsafeFile(relpath, "resolves outside the package (through a symbolic link); it was not read")
    return Path(target)


def read_bytes(root: Path, relpath: str, limit: int) -> bytes:
    """The bytes of the regular file `relpath` inside `root`, at most `limit` of them.

    Raises FileNotFoundError when there is no such file, UnsafeFile when it may not be read, and
    OSError (e.g. permission denied) when the system refuses.
    """
    return read_regular(inside(root, relpath), relpath, limit)


def read_regular(target: str | Path, label: object, limit: int, follow: bool = False) -> bytes:
    """The bytes of the regular file at `target` (named `label` in errors), at most `limit` of them.

    A final symbolic link is refused unless `follow` (a path the user typed, such as a zip to check,
    may be a link; a path a package names may not)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", -1):  # the final component became a symlink after resolving
            raise UnsafeFile(label, "is a symbolic link that changed while it was read; it was not read") from None
        raise
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise UnsafeFile(label, "is a directory, not a file; it was not read")
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(label, "is not a regular file (a pipe, socket or device); it was not read")
        if st.st_size > limit:
            raise UnsafeFile(label, f"is {st.st_size:,} bytes, more than the {limit:,} cotw reads; it was not read")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 24, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # the file grew while it was read
                raise UnsafeFile(label, f"is more than the {limit:,} bytes cotw reads; it was not read")
        return b"".join(chunks)
    finally:
        os.close(fd)
