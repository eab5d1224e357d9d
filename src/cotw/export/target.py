"""The output directory of `cotw export`: what may be replaced, how the new export is swapped in,
and which leftovers of killed runs may be removed.

cotw deletes only what a cotw export wrote. A directory counts as a previous export when it holds
the manifest (`.cotw-export.json`) and every file in it is one the manifest lists; only those files
are ever deleted, and directories only once they are empty. A non-empty directory without the
manifest, or with files the manifest does not list, is refused even with --force. What --force is
for: replacing a previous export whose files were edited since (their sha256 differs from the
manifest's). Inside the package being exported, only a folder of its own is a valid target (never the
package itself, nor anything in its descriptor's, tables', schemas' or archives' folders, nor a hidden one).

The swap is one atomic `renameat2(RENAME_EXCHANGE)` on Linux (glibc 2.28+, and a file system that
supports it: ext4, xfs, btrfs, tmpfs since Linux 5.x), so the target is never missing; elsewhere
(macOS, Windows, older kernels, file systems that answer EINVAL) it falls back to two renames, with
a short window in which the target is missing. A killed run leaves `.<name>.partial-*` or
`.<name>.old-*` beside the target; the next run removes those that are empty or a complete export,
and leaves anything else alone.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from .errors import ExportError, OutputNotEmpty


MANIFEST = ".cotw-export.json"  # marks a folder as written by cotw export, and lists what it wrote
MAX_MANIFEST = 16 << 20
SHOWN = 5  # file names quoted in a refusal


class BadTarget(ExportError):
    """The output directory cannot be used at all (its parent is a file, it is read-only, in /proc): a usage error."""


def os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def read_manifest(directory: Path) -> dict | None:
    """The manifest of a previous export ({"files": {relative path: sha256}, ...}), or None when there is
    no readable, well-formed one (then the directory is not provably cotw's)."""
    path = directory / MANIFEST
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_MANIFEST:
            return None
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and "cotw-export" in data else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    return data


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def survey(directory: Path, manifest: dict) -> tuple[list[str], list[str], list[str]]:
    """(ours, foreign, edited) relative paths of the files under `directory`: ours are regular files the
    manifest lists (edited: their content changed since), foreign is everything else (symbolic links,
    special files, unlisted files). Symbolic links are never followed."""
    listed = manifest["files"]
    ours, foreign, edited = [], [], []
    stack = [""]
    while stack:
        prefix = stack.pop()
        with os.scandir(directory / prefix if prefix else directory) as it:
            for e in it:
                rel = f"{prefix}{e.name}"
                if e.is_dir(follow_symlinks=False):
                    stack.append(rel + "/")
                elif rel == MANIFEST:
                    continue
                elif e.is_file(follow_symlinks=False) and rel in listed:
                    ours.append(rel)
                    if _sha256(directory / rel) != listed[rel]:
                        edited.append(rel)
                else:
                    foreign.append(rel)
    return sorted(ours), sorted(foreign), sorted(edited)


def _some(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(repr(n) for n in names[:SHOWN]) + more


def check_inside(out: Path, source: Path, reads: Iterable[str]) -> None:
    """Refuse an output directory that is, holds, or lies in a folder of, what the package reads.

    A folder of its own inside the package (the README's `cotw export --out downloads`) is allowed: its
    first component is none of the top-level names of the package's descriptor, tables, schemas and
    archives (`reads`, relative paths, plus `seeds`, where archives live), and no component is hidden
    (`.git`). The package's data can then never be touched, since only the folder is replaced."""
    real_out, real_src = Path(os.path.realpath(out)), Path(os.path.realpath(source))
    if real_out == real_src or real_out in real_src.parents:
        raise OutputNotEmpty(f"{out} holds the package being exported; choose another output directory")
    if real_src not in real_out.parents:
        return
    rel = real_out.relative_to(real_src).parts
    taken = {"seeds"} | {p.replace("\\", "/").lstrip("./").split("/", 1)[0] for p in reads if p}
    if rel[0] in taken:
        raise OutputNotEmpty(f"{out} is inside the package being exported ({source}), in '{rel[0]}', which the package "
                             "reads; choose a folder of its own (e.g. downloads) or one outside the package")
    hidden = next((part for part in rel if part.startswith(".")), None)
    if hidden:
        raise OutputNotEmpty(f"{out} is inside the package being exported ({source}), in the hidden folder '{hidden}'; "
                             "choose a folder of its own (e.g. downloads) or one outside the package")


def check_target(out: Path, force: bool = False, source: Path | None = None, reads: Iterable[str] = ()) -> list[str]:
    """Refuse an output directory that may not be replaced; return the files of the previous export
    there (the only files the export will delete)."""
    if source is not None:
        check_inside(out, source, reads)
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        return []
    except OSError as exc:  # e.g. ENOTDIR: a parent is a file
        raise BadTarget(f"cannot use {out} as the output directory: {os_reason(exc)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputNotEmpty(f"{out} is a symbolic link; give the directory itself (the link would be replaced)")
    if not stat.S_ISDIR(st.st_mode):
        raise OutputNotEmpty(f"{out} exists and is not a directory")
    try:
        if not os.listdir(out):
            return []
        manifest = read_manifest(out)
        if manifest is None:
            raise OutputNotEmpty(f"{out} is not empty and is not a previous cotw export (it has no {MANIFEST}); cotw never "
                                 "deletes files it did not write, even with --force: choose a new or empty directory")
        ours, foreign, edited = survey(out, manifest)
    except OSError as exc:
        raise BadTarget(f"cannot read the output directory {out}: {os_reason(exc)}") from None
    if foreign:
        raise OutputNotEmpty(f"{out} holds files that the previous cotw export did not write ({_some(foreign)}); cotw never "
                             "deletes them, even with --force: move them away or choose another directory")
    if edited and not force:
        raise OutputNotEmpty(f"{out} is a previous cotw export, but {_some(edited)} changed since it was written; "
                             "use --force to replace it anyway")
    return ours


def rejudge(out: Path, force: bool, previous: list[str]) -> list[str]:
    """The files of `out` that the swap may delete, judged again as `out` is now, just before the swap:
    another run may have exported into it meanwhile (its files are then the ones its manifest lists). A
    file that appeared during the run, or was edited since it was written (without --force), is not
    deleted: it is left in the old folder beside the new export and reported as kept."""
    manifest = read_manifest(out) if os.path.isdir(out) and not os.path.islink(out) else None
    if manifest is None:
        return previous  # no export of another run appeared: what was judged at the start stands
    try:
        ours, _foreign, edited = survey(out, manifest)
    except OSError:
        return previous
    return [f for f in ours if force or f not in edited]


def remove(directory: Path, ours: list[str]) -> bool:
    """Delete the files `ours` (regular files only), the manifest, then every directory left empty.
    Anything else stays where it is; True when `directory` is gone."""
    for rel in ours + [MANIFEST]:
        path = directory / rel
        try:
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
        except OSError:
            pass
    for root, dirs, _files in os.walk(directory, topdown=False):
        for d in dirs:
            try:
                os.rmdir(os.path.join(root, d))  # only succeeds when empty
            except OSError:
                pass
    try:
        os.rmdir(directory)
        return True
    except OSError:
        return False


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap the directories `a` and `b` in one atomic step; False (nothing done) where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no renameat2 in this libc (glibc < 2.28, some musl builds)
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)):
        return False
    raise OSError(err, os.strerror(err), str(b))


def replace(staging: Path, out: Path, ours: list[str], swap=None) -> list[Path]:
    """Put the finished export `staging` in place of `out`, then delete the previous export's files
    `ours`. Returns the directories that could not be removed because they hold something else.
    `swap` is the atomic exchange (default `exchange`); one that returns False forces the fallback."""
    import tempfile

    swap = swap or exchange

    if not os.path.lexists(out):
        os.rename(staging, out)
        return []
    if swap(staging, out):
        old = staging  # now holds the previous export
    else:
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
        os.rmdir(old)
        os.rename(out, old)
        try:
            os.rename(staging, out)
        except BaseException:
            os.rename(old, out)
            raise
    return [] if remove(old, ours) else [old]


def hold(directory: Path):
    """An open descriptor holding an exclusive lock on `directory` while a run writes into it (so that
    a concurrent run does not take it for a leftover); None where locks are unavailable."""
    try:
        import fcntl
    except ImportError:
        return None
    fd = os.open(directory, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@contextmanager
def serial(out: Path):
    """Hold an exclusive lock on the folder that holds `out` while a run judges and replaces `out`, so two
    runs exporting into one folder take turns (the second replaces the first's export by its manifest,
    instead of leaving its files behind in a folder without one). No lock where locks are unavailable."""
    try:
        import fcntl
        fd = os.open(out.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def release(fd) -> None:
    if fd is not None:
        os.close(fd)


def leftovers(out: Path) -> list[Path]:
    """Directories beside `out` that a killed run of `cotw export --out out` left."""
    prefixes = (f".{out.name}.partial-", f".{out.name}.old-")
    try:
        with os.scandir(out.parent) as it:
            return sorted(Path(e.path) for e in it if e.name.startswith(prefixes) and e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def clean_leftovers(out: Path) -> list[Path]:
    """Remove the leftovers of killed runs that are provably cotw's: not in use by a running export,
    and empty or a complete export (manifest present, every file listed). Returns those removed."""
    try:
        import fcntl
    except ImportError:  # no way to tell a leftover from a run in progress: leave them all
        return []
    removed = []
    for path in leftovers(out):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a running export holds it
            os.close(fd)
            continue
        try:
            if not os.listdir(path):
                os.rmdir(path)
                removed.append(path)
                continue
            manifest = read_manifest(path)
            if manifest is None:
                continue
            ours, foreign, _edited = survey(path, manifest)
            if not foreign and remove(path, ours):
                removed.append(path)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed
