"""Reading a zipped data package in place: the zip backend of `Package.read_bytes`.

A zip is as untrusted as a folder, and has dangers of its own, so it is opened only when
- it is a regular file no larger than MAX_ZIP (read once into memory: what is checked is what is read),
- every entry name is a plain relative path (no `..`, no absolute name or drive letter, no backslash,
  no NUL) and no name occurs twice (which of two `data/x.csv` would be read?),
- no entry is a symbolic link or device (Unix mode in `external_attr`),
- no two entry names differ only in case or Unicode normalisation (an unzip on macOS or Windows would
  keep one of them: another file than the one cotw checked),
- it has at most MAX_ENTRIES entries, at most MAX_TOTAL bytes uncompressed in all, and no entry
  larger than 1 MiB expands more than MAX_RATIO times (zip bombs),
- its entries expand, in all, to at most limits.ZIP_INFLATE_RATIO times the zip's size (or
  limits.ZIP_INFLATE_FLOOR): a budget in code, so a few megabytes cannot make cotw inflate gigabytes.
Reads are bounded: an entry is inflated into one buffer (no chunks joined into a copy), never beyond
its declared size or the caller's limit, and its CRC is checked. The package's `datapackage.json` is at
the top of the zip, or inside a single top-level folder (as when a folder is zipped, or a repository is downloaded as a zip).
"""
from __future__ import annotations

import errno
import io
import posixpath
import stat
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

from ..limits import (ZIP_INFLATE_FLOOR, ZIP_INFLATE_RATIO, ZIP_MAX_BYTES, ZIP_MAX_ENTRIES, ZIP_MAX_RATIO, ZIP_MAX_TOTAL,
                      ZIP_RATIO_FLOOR)
from .safeio import UnsafeFile, read_regular, unsafe_path_reason

DESCRIPTOR = "datapackage.json"
MAX_ZIP = ZIP_MAX_BYTES
MAX_ENTRIES = ZIP_MAX_ENTRIES
MAX_TOTAL = ZIP_MAX_TOTAL
MAX_RATIO = ZIP_MAX_RATIO
RATIO_FLOOR = ZIP_RATIO_FLOOR
_CHUNK = 1 << 20
_PIECE = 1 << 14  # compressed bytes inflated at once when an entry is measured


class ZipRefused(Exception):
    """The zip cannot be read as a package; `message` says why, naming the entry at fault."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_zip(path: Path) -> bool:
    """True for a file named *.zip or starting with a zip signature (a download may have lost its suffix)."""
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as fh:  # callers check is_file() first: never a FIFO or device
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why an entry may not be part of a package, or None."""
    name = info.filename
    if "\x00" in info.orig_filename:  # zipfile cuts the name at the NUL: the name as stored is what counts
        return "has a NUL character in its name"
    if "\\" in info.orig_filename:
        return "has a backslash in its name; zip entry names use '/'"
    reason = unsafe_path_reason(name.rstrip("/") or name)
    if reason:
        return reason
    kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
    if kind == stat.S_IFLNK:
        return "is a symbolic link; cotw reads only regular files"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is not a regular file (a device, pipe or socket)"
    if info.file_size > max(RATIO_FLOOR, MAX_RATIO * info.compress_size):
        return (f"expands from {info.compress_size:,} to {info.file_size:,} bytes, more than {MAX_RATIO} times "
                "(a zip bomb?)")
    return None


class ZipSource:
    """The entries of a zipped package, checked once when opened; `read_bytes` mirrors safeio.read_bytes."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self._data = data
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except Exception as exc:  # BadZipFile, struct.error, ...: a corrupt zip is an answer, never a traceback
            raise ZipRefused(f"not a readable zip file ({exc})") from None
        if len(infos) > MAX_ENTRIES:
            raise ZipRefused(f"the zip has {len(infos):,} entries, more than the {MAX_ENTRIES:,} cotw reads; nothing was read")
        files: dict[str, zipfile.ZipInfo] = {}
        seen: set[str] = set()
        folded: dict[str, str] = {}  # name in NFC, case-folded -> the name as stored
        dirs: set[str] = set()
        total = 0
        for info in infos:
            why = entry_problem(info)
            if why:
                raise ZipRefused(f"zip entry {info.orig_filename!r} {why}; nothing was read")
            key = info.filename.rstrip("/")
            if key in seen:
                raise ZipRefused(f"zip entry {key!r} occurs twice; nothing was read")
            seen.add(key)
            same = folded.setdefault(unicodedata.normalize("NFC", key).casefold(), key)
            if same != key:
                raise ZipRefused(f"zip entries {same!r} and {key!r} differ only in case or Unicode normalisation: unzipped on "
                                 "macOS or Windows, one would replace the other; nothing was read")
            total += info.file_size
            parts = key.split("/")
            dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))
            if info.is_dir():
                dirs.add(key)
            else:
                files[info.filename] = info
        if total > MAX_TOTAL:
            raise ZipRefused(f"the zip expands to {total:,} bytes, more than the {MAX_TOTAL:,} cotw reads; nothing was read")
        budget = inflate_budget(len(data))
        if total > budget:
            raise ZipRefused(f"the zip expands to {total:,} bytes, more than {ZIP_INFLATE_RATIO} times its {len(data):,} bytes "
                             f"(cotw inflates at most {budget:,} bytes of a zip this size); nothing was read")
        self.prefix = _prefix(files, seen)
        self._files = files
        self._dirs = dirs

    @classmethod
    def open(cls, path: Path) -> "ZipSource":
        try:
            data = read_regular(path, path, MAX_ZIP, follow=True)
        except UnsafeFile as exc:
            raise ZipRefused(f"the zip {exc.reason}") from None
        except OSError as exc:
            raise ZipRefused(f"the zip cannot be read: {exc.strerror}") from None
        return cls(path, data)

    def read_bytes(self, relpath: str, limit: int) -> bytes:
        """The bytes of the entry `relpath` (relative to the package), at most `limit` of them.

        Raises FileNotFoundError, UnsafeFile or OSError, exactly as reading from a folder does."""
        reason = unsafe_path_reason(relpath)  # a backslash too: not the normal form
        if reason:
            raise UnsafeFile(relpath, f"{reason}; it was not read")
        name = self.prefix + posixpath.normpath(relpath)
        info = self._files.get(name)
        if info is None:
            if name in self._dirs:
                raise UnsafeFile(relpath, "is a directory, not a file; it was not read")
            raise FileNotFoundError(errno.ENOENT, "no such entry in the zip", relpath)
        if info.flag_bits & 0x1:
            raise UnsafeFile(relpath, "is encrypted in the zip; it was not read")
        if info.file_size > limit:
            raise UnsafeFile(relpath, f"is {info.file_size:,} bytes, more than the {limit:,} cotw reads; it was not read")
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            data = self._inflate(info, relpath)
        else:  # bzip2, lzma: through zipfile, in chunks
            data = b"".join(_bounded_read(self._zip, info, relpath))
        size = len(data)
        if size > info.file_size:  # never trust the header: the read stopped as soon as it was exceeded
            raise UnsafeFile(relpath, "holds more bytes than its zip header declares; it was not read")
        if size != info.file_size:
            raise OSError(errno.EIO, f"the zip entry is truncated ({size:,} of {info.file_size:,} bytes)", relpath)
        return data

    def _inflate(self, info: zipfile.ZipInfo, relpath: str) -> bytes:
        """A stored or deflated entry's bytes, at most one beyond its declared size, inflated straight from
        the zip's bytes into one buffer; its CRC checked. A corrupt entry is an OSError."""
        at = info.header_offset
        head = self._data[at: at + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise OSError(errno.EIO, "the zip entry is corrupt (no local header where the directory says)", relpath)
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        start = at + 30 + name_len + extra_len
        packed = memoryview(self._data)[start: start + info.compress_size]
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                data = bytes(packed[: info.file_size + 1])
            elif info.file_size <= _CHUNK:
                data = zlib.decompressobj(-15).decompress(packed, info.file_size + 1)
            else:
                # zlib gathers output it cannot size in blocks, then joins them: a copy as large as the entry.
                # Inflating once to count the bytes and check the CRC (keeping none) lets the second pass
                # write into one buffer of exactly the right size
                _measure(packed, info, relpath)
                data = zlib.decompress(packed, -15, info.file_size)
        except zlib.error as exc:
            raise OSError(errno.EIO, f"the zip entry is corrupt ({exc})", relpath) from None
        finally:
            packed.release()
        if len(data) > info.file_size:  # as zipfile says it: the CRC of the declared bytes cannot match
            raise OSError(errno.EIO, "the zip entry is corrupt (it holds more bytes than its header declares)", relpath)
        if len(data) == info.file_size and zlib.crc32(data) != info.CRC:
            raise OSError(errno.EIO, "the zip entry is corrupt (its CRC does not match)", relpath)
        return data


def _measure(packed: memoryview, info: zipfile.ZipInfo, relpath: str) -> None:
    """Inflate `packed` keeping nothing: an OSError unless it holds exactly the declared bytes, with their CRC."""
    inflate, size, crc = zlib.decompressobj(-15), 0, 0
    for at in range(0, len(packed), _PIECE):
        out = inflate.decompress(packed[at: at + _PIECE])  # at most ~1032 times _PIECE bytes
        size += len(out)
        crc = zlib.crc32(out, crc)
        if size > info.file_size or inflate.eof:
            break
    if size > info.file_size:
        raise OSError(errno.EIO, "the zip entry is corrupt (it holds more bytes than its header declares)", relpath)
    if size < info.file_size:
        raise OSError(errno.EIO, f"the zip entry is truncated ({size:,} of {info.file_size:,} bytes)", relpath)
    if crc != info.CRC:
        raise OSError(errno.EIO, "the zip entry is corrupt (its CRC does not match)", relpath)


def inflate_budget(zip_bytes: int) -> int:
    """The most bytes all entries of a zip of `zip_bytes` bytes may expand to (limits.py)."""
    return max(ZIP_INFLATE_FLOOR, ZIP_INFLATE_RATIO * zip_bytes)


def _bounded_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, relpath: str) -> list[bytes]:
    """The entry's bytes in chunks, at most one byte beyond its declared size; a corrupt entry is an OSError."""
    chunks, size = [], 0
    try:
        with zf.open(info) as fh:
            while size <= info.file_size:
                chunk = fh.read(min(_CHUNK, info.file_size + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError, lzma.LZMAError...: an answer, never a traceback
        raise OSError(errno.EIO, f"the zip entry is corrupt ({exc})", relpath) from None
    return chunks


def _prefix(files: dict[str, zipfile.ZipInfo], names: set[str]) -> str:
    """Where the package starts inside the zip: '' or 'folder/' (a single top-level folder)."""
    if DESCRIPTOR in files:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    found = sorted(n for n in files if posixpath.basename(n) == DESCRIPTOR)
    if len(tops) == 1 and f"{next(iter(tops))}/{DESCRIPTOR}" in files:
        return f"{next(iter(tops))}/"
    if not files:
        raise ZipRefused("the zip holds only folders, no files: it is not a data package")
    if found:
        raise ZipRefused(f"the zip has its {DESCRIPTOR} at {found[0]!r}; cotw reads a zip whose {DESCRIPTOR} is at its top "
                         "or inside its single top-level folder")
    raise ZipRefused(f"the zip holds no {DESCRIPTOR}: it is not a data package")
