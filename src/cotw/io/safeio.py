"""Files of an untrusted package: the one place where cotw opens, or rewrites, a file that a package names.

A package may come from a stranger's pull request or a download, so a file is read only when
- its path, as written, is relative and stays inside the package (no URL, no absolute path, no `..`),
- it resolves inside the package root (a symlink to `/etc/passwd` or to `~/.ssh` is refused; a symlink
  to another file of the package is followed),
- it is a regular file (a FIFO would block forever, `/dev/zero` would never end; such a file is
  refused from its `lstat`, without being opened), and
- it is no larger than a bound (memory stays bounded).
The resolved path is then walked one component at a time from the package root, each opened relative
to the one before and without following symlinks, and the file is checked again with fstat on the
open descriptor: a path swapped for a symlink between the check and the read is refused, so what is
checked is what is read. `replace_bytes` writes the same way (used by `cotw fmt`): into a new file
beside the real one, renamed over it, never through a link, never over a file marked read-only.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

MiB = 1 << 20
MAX_JSON = 64 * MiB  # datapackage.json and schema files
MAX_TEXT = 256 * MiB  # archived source texts
MAX_TABLE = 8 * 1024 * MiB  # CSV tables (the benchmarks reach 1M rows, ~150 MB)

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CHUNK = 1 << 24  # bytes one read asks for when fstat gives no size to read at once
# Walking with directory descriptors needs openat(2); elsewhere (Windows) the resolved path is opened.
_WALK = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd and bool(_NOFOLLOW and _DIRECTORY)


class UnsafeFile(Exception):
    """A file that cotw refuses to read; `reason` completes "path '...' ...".

    `rule` says why: "unsafe-path" (the path, as written or resolved, leaves the package) or
    "not-a-file" (a directory, pipe, socket or device, a file over the size bound, or one that
    changed while it was read)."""

    def __init__(self, relpath: object, reason: str, rule: str = "unsafe-path"):
        super().__init__(f"{relpath!s} {reason}")
        self.relpath = relpath
        self.reason = reason
        self.rule = rule


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
    return _unnormal(path)


def _unnormal(path: str) -> str | None:
    """Why a relative path is not written in its one normal form (frictionless, zip readers and other
    systems would open it differently, or not at all), or None. The normal form is POSIX: '/' between
    names, no '.' or empty name, no trailing '/'."""
    if "\\" in path:
        return "contains a backslash; write '/' between folders"
    names = path.split("/")
    if path.endswith("/"):
        why = "ends with '/'"
    elif "" in names:
        why = "has an empty folder name ('//')"
    elif "." in names:
        why = "has a '.' folder"
    else:
        return None
    normal = "/".join(n for n in names if n not in ("", "."))
    return f"is not a normalised path ({why}); write {normal!r}" if normal else f"is not a normalised path ({why})"


def inside(root: Path, relpath: str) -> Path:
    """The real path of `relpath` under `root`, refusing one that is unsafe as written or resolves outside."""
    return Path(_resolved(root, relpath)[1])


def _resolved(root: Path, relpath: str) -> tuple[str, str]:
    """(real path of `root`, real path of `relpath` under it), refusing as `inside` does."""
    reason = unsafe_path_reason(relpath)
    if reason:
        raise UnsafeFile(relpath, f"{reason}; it was not read")
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, relpath))
    if target != real_root and os.path.commonpath([real_root, target]) != real_root:
        raise UnsafeFile(relpath, "resolves outside the package (through a symbolic link); it was not read")
    return real_root, target


def kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, words in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return words
    return "not a regular file"


def _not_a_file(relpath: str, mode: int) -> UnsafeFile:
    if stat.S_ISDIR(mode):
        return UnsafeFile(relpath, "is a directory, not a file; it was not read", "not-a-file")
    return UnsafeFile(relpath, f"is {kind(mode)}, not a regular file; it was not read", "not-a-file")


def _changed(relpath: str) -> UnsafeFile:
    # realpath resolved every link it could: one met on the walk loops, or appeared after the check
    return UnsafeFile(relpath, "is reached through a symbolic link that loops or changed while it was read; it was not read")


def _parent(root: Path, relpath: str) -> tuple[int | None, str, Path]:
    """(descriptor of the real parent directory, or None without openat; final name; real path).

    Each directory below the real root is opened relative to the one above it, without following
    a symlink, so the descriptor is of the directory that `inside` vetted and nothing else."""
    real_root, target = _resolved(root, relpath)
    target = Path(target)
    if not _WALK:
        return None, target.name, target
    parts = Path(os.path.relpath(target, real_root)).parts
    if not parts:  # the root itself (relpath gives ".", which has no parts)
        raise UnsafeFile(relpath, "is a directory, not a file; it was not read", "not-a-file")
    if ".." in parts:  # `inside` refused it already; the walk never climbs above the root either way
        raise UnsafeFile(relpath, "resolves outside the package (through a symbolic link); it was not read")
    try:
        fd = os.open(real_root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except NotADirectoryError:
        raise UnsafeFile(relpath, "is not inside a directory; it was not read", "not-a-file") from None
    try:
        for i, part in enumerate(parts[:-1]):
            try:
                nxt = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                    raise
                where = "/".join(parts[: i + 1])
                try:
                    mode = os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode
                except OSError:
                    raise _changed(relpath) from None
                if stat.S_ISLNK(mode):
                    raise _changed(relpath) from None
                raise UnsafeFile(relpath, f"is not readable: {where} is {kind(mode)}, not a directory; it was not read", "not-a-file") from None
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd, parts[-1], target


def read_bytes(root: Path, relpath: str, limit: int) -> bytes:
    """The bytes of the regular file `relpath` inside `root`, at most `limit` of them.

    Raises FileNotFoundError when there is no such file, UnsafeFile when it may not be read, and
    OSError (e.g. permission denied) when the system refuses.
    """
    fd, size = open_regular(root, relpath, limit)
    try:
        return _bounded(fd, size, relpath, limit)
    finally:
        os.close(fd)


def open_regular(root: Path, relpath: str, limit: int) -> tuple[int, int]:
    """(open descriptor, size by fstat) of the regular file `relpath` inside `root`, checked as `read_bytes`
    checks it, for a caller that reads it in pieces (and closes it): at most `limit` bytes are to be read.

    Raises as `read_bytes` does; a file larger than `limit` is refused before it is read.
    """
    dir_fd, name, target = _parent(root, relpath)
    try:
        where = dict(dir_fd=dir_fd) if dir_fd is not None else {}
        path = name if dir_fd is not None else target
        before = os.stat(path, follow_symlinks=False, **where)
        if stat.S_ISLNK(before.st_mode):
            raise _changed(relpath)
        if not stat.S_ISREG(before.st_mode):
            raise _not_a_file(relpath, before.st_mode)  # never opened: opening a device can have effects
        try:
            fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _CLOEXEC, **where)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _changed(relpath) from None
            raise
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise _changed(relpath)
        _within(st.st_size, relpath, limit)
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def _within(size: int, label: object, limit: int) -> None:
    if size > limit:
        raise UnsafeFile(label, f"is {size:,} bytes, more than the {limit:,} cotw reads; it was not read", "not-a-file")


def _bounded(fd: int, size: int, label: object, limit: int) -> bytes:
    """The bytes of the open regular file `fd` (of `size` bytes by fstat), at most `limit` of them."""
    _within(size, label, limit)
    chunks, total = [], 0
    while True:
        # the whole file in one read when it can be (one chunk: no second copy by join); never more than
        # one byte past the bound in all, however much the file grew
        chunk = os.read(fd, min(max(size, _CHUNK), limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:  # the file grew while it was read
            raise UnsafeFile(label, f"is more than the {limit:,} bytes cotw reads; it was not read", "not-a-file")
    return b"".join(chunks)


def _writable(mode: int) -> bool:
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def replace_bytes(root: Path, relpath: str, data: bytes) -> None:
    """Replace the regular file `relpath` inside `root` by `data`, atomically, keeping its mode.

    The new bytes go to a temporary file in the real directory of the file, which is then renamed
    over it: a symlink inside the package is never written through (the real file it names is
    replaced), one that leads outside is refused, and on any failure the old file is untouched and
    the temporary file removed. A file or directory marked read-only is refused with PermissionError
    even for root, who could write it anyway: a read-only mark is the owner's "leave this alone".
    """
    dir_fd, name, target = _parent(root, relpath)
    where = dict(dir_fd=dir_fd) if dir_fd is not None else {}
    path = name if dir_fd is not None else target
    tmp = None
    try:
        st = os.stat(path, follow_symlinks=False, **where)
        if stat.S_ISLNK(st.st_mode):
            raise _changed(relpath)
        if not stat.S_ISREG(st.st_mode):
            raise _not_a_file(relpath, st.st_mode)
        parent_mode = os.fstat(dir_fd).st_mode if dir_fd is not None else os.stat(target.parent).st_mode
        if not _writable(parent_mode) or not os.access("." if dir_fd is not None else target.parent, os.W_OK, **where):
            folder = os.path.dirname(os.path.relpath(target, os.path.realpath(root)))
            raise PermissionError(errno.EACCES, f"its folder {folder + '/' if folder else '(the package root)'} is read-only")
        if not _writable(st.st_mode) or not os.access(path, os.W_OK, **where):
            raise PermissionError(errno.EACCES, "the file is read-only")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        for attempt in range(100):
            candidate = f".{name}.{os.getpid()}.{attempt}.tmp"
            candidate_path = candidate if dir_fd is not None else str(target.parent / candidate)
            try:
                fd = os.open(candidate_path, flags, 0o600, **where)
            except FileExistsError:
                continue
            tmp = candidate_path
            break
        else:
            raise FileExistsError(errno.EEXIST, "no free temporary name beside the file")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if hasattr(os, "fchmod"):
                # created 0600; keep the file's own mode, but not set-user/group-ID: the new file is the writer's
                os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))
            os.fsync(fd)
        finally:
            os.close(fd)
        if dir_fd is not None:
            os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:
            os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp, **where)
            except OSError:
                pass
        if dir_fd is not None:
            os.close(dir_fd)


def read_regular(target: str | Path, label: object, limit: int, follow: bool = False) -> bytes:
    """The bytes of the regular file at `target` (named `label` in errors), at most `limit` of them.

    A final symbolic link is refused unless `follow` (a path the user typed, such as a zip to check,
    may be a link; a path a package names may not)."""
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC
    if not follow:
        flags |= _NOFOLLOW
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a final symbolic link (os has no ELOOP: errno does)
            raise UnsafeFile(label, "is a symbolic link (or became one while it was read); it was not read") from None
        raise
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise UnsafeFile(label, "is a directory, not a file; it was not read", "not-a-file")
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(label, "is not a regular file (a pipe, socket or device); it was not read", "not-a-file")
        return _bounded(fd, st.st_size, label, limit)
    finally:
        os.close(fd)
