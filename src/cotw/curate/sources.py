"""`cotw source add`: archive a new source text under seeds/ and record its `sources` row.

The text is archived byte for byte as given (it must be UTF-8 text: binary files, NUL bytes,
invalid UTF-8 and a byte-order mark are refused with the reason) under a name made from its
content, `seeds/NNN_<first 16 hex digits of its sha256>.txt`, NNN being the next archive number.
The row is checked against the derived schema of `sources` before anything is written, so an
invalid option is answered with what would be right and leaves the package untouched. The
publication date is stored as given, an EDTF string (`2025-04` is a month, `../2025-04-10` on or
before a day): the string itself says how precisely the date is known. Then the
archive is written (temporary file, then linked into place: an existing file is never replaced),
then `data/sources.csv` (temporary file, then renamed over it), in canonical form; if the second
step fails, the archive just written is removed again.

An HTML page saved by a browser (`.html`, `.htm`) is read with the optional extra `cotw[html]`:
trafilatura extracts the article text, which is archived as above, and the page itself is archived
beside it under the same name with `.html`, so that the extraction can be checked against it.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import CurateError
from ..package import DESCRIPTOR, Package, UnsafeFile, unsafe_path_reason

MAX_TEXT_BYTES = 10 * 1024 * 1024  # the longest archived text is 57 kB; a source is not a book
SEEDS = "seeds"
_ARCHIVE = re.compile(r"^(\d{3,})_[0-9a-f]{16}\.txt$")
EDTF_HINT = ("EDTF: 2025-04-10 a day, 2025-04 a month, 2025 a year, 2025-05-08/2025-05-10 a span, "
             "../2025-04-10 on or before, 2025-05-10/.. on or after, XXXX-04-10 a day whose year is not printed")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls other than tab, LF, FF and CR
# options by the column they fill (what a refusal names)
OPTION = {"source_id": "--id", "title": "--title", "publisher": "--publisher", "authors": "--authors",
          "published": "--published", "published_basis": "--published-basis",
          "url": "--url", "kind": "--kind", "language": "--language", "notes": "--notes"}


@dataclass(frozen=True)
class Added:
    """What `add_source` wrote."""

    source_id: str
    archive: str  # path inside the package, e.g. seeds/005_0123456789abcdef.txt
    sha256: str
    file: str  # the sources table, e.g. data/sources.csv
    line: int  # the new row's CSV line (header = 1)
    reformatted: bool  # the table was not canonical before and was rewritten in canonical form
    page: str | None = None  # the HTML page archived beside the text it was extracted from


def read_text_file(path: str | Path, limit: int = MAX_TEXT_BYTES, check: bool = True) -> bytes:
    """The bytes of a regular file of at most `limit` bytes that holds UTF-8 text (with check=False: any
    bytes but NUL); refuses anything else."""
    name = str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CurateError(f"{name} does not exist", usage=True) from None
    except IsADirectoryError:
        raise CurateError(f"{name} is a directory, not a text file", usage=True) from None
    except OSError as exc:
        raise CurateError(f"{name} cannot be read: {exc.strerror}", usage=True) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "a pipe" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
            raise CurateError(f"{name} is {kind}, not a regular file; save the text as a file first")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise CurateError(f"{name} is larger than {limit // (1024 * 1024)} MiB; an archived source is the text of one document")
    if check:
        check_text(data, name)
    elif b"\x00" in data:
        raise CurateError(f"{name} is a binary file (it holds NUL bytes), not a page saved by a browser")
    return data


def is_html(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".html", ".htm")


def extract_text(page: bytes, name: str) -> bytes:
    """The article text of an HTML page (UTF-8, a final newline), extracted by trafilatura, the optional extra."""
    try:
        import trafilatura
    except ImportError:
        raise CurateError(f"{name} is an HTML page; extracting its text needs the optional extra: pip install 'cotw[html]' "
                          "(or save the article's text as a .txt file)", usage=True) from None
    # extract() parses the page only: nothing is fetched (links and images are not followed)
    text = trafilatura.extract(page, output_format="txt", include_comments=False, include_tables=True,
                               include_links=False, include_images=False, deduplicate=False)
    if not text or not text.strip():
        raise CurateError(f"no article text was found in {name}; save the article's text as a .txt file instead")
    data = (text.strip("\n") + "\n").encode("utf-8")
    check_text(data, f"the text extracted from {name}")
    return data


def check_text(data: bytes, name: str) -> str:
    """The text of `data`, or a refusal saying why it is not plain UTF-8 text (and where)."""
    def where(offset: int) -> str:
        line = data[:offset].count(b"\n") + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        return f"line {line}, byte {col}"

    if not data.strip():
        raise CurateError(f"{name} is empty; there is no text to archive")
    if data.startswith(b"\xef\xbb\xbf"):
        raise CurateError(f"{name} starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise CurateError(f"{name} is a binary file (a NUL byte at {where(nul)}), not text; archive the text of the document as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CurateError(f"{name} is not UTF-8: byte 0x{data[exc.start]:02x} at {where(exc.start)} ({exc.reason}); "
                          "save the text as UTF-8") from None
    ctrl = _CONTROL.search(text)
    if ctrl:
        offset = len(text[: ctrl.start()].encode("utf-8"))
        raise CurateError(f"{name} holds the control character U+{ord(ctrl.group()):04X} at {where(offset)}; it is not plain text")
    return text


def slug(title: str, max_words: int = 6, max_len: int = 60) -> str:
    """A readable source_id from a title: ASCII letters and digits, lower-case, words joined by '-'."""
    title = re.sub(r"['’ʼ]", "", title)  # "Latvia's" reads as one word: latvias
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_)[:max_words]
    out = ""
    for w in words:
        if out and len(out) + 1 + len(w) > max_len:
            break
        out = f"{out}-{w}" if out else w[:max_len]
    return out


def archive_name(pkg: Package, digest: str, archived: list[str]) -> str:
    """seeds/NNN_<16 hex>.txt, NNN one more than the highest number under seeds/ or in sources.csv."""
    seen = [Path(a).name for a in archived] + [name for name, _ in seed_files(pkg)]
    numbers = [int(m.group(1)) for m in map(_ARCHIVE.match, seen) if m]
    return f"{SEEDS}/{max(numbers, default=-1) + 1:03d}_{digest[:16]}.txt"


def seed_files(pkg: Package) -> list[tuple[str, int]]:
    """(name, size) of each regular file directly under seeds/, sorted; links, folders and special files
    are left out unread. A seeds/ that is a symbolic link (or no folder) is refused, never followed:
    cotw reads and writes only files inside the package."""
    folder = pkg.root / SEEDS
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CurateError(f"cannot read {SEEDS}/ ({exc.strerror}); nothing was written") from None
    if stat.S_ISLNK(mode):
        raise CurateError(f"{SEEDS}/ is a symbolic link; cotw reads and writes only files inside the package, "
                          f"so it was not followed; nothing was written")
    if not stat.S_ISDIR(mode):
        raise CurateError(f"{SEEDS}/ is not a directory inside the package; nothing was written")
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                out.append((entry.name, entry.stat(follow_symlinks=False).st_size))
    return sorted(out)


def _seed_bytes(pkg: Package, name: str) -> bytes | None:
    """The bytes of seeds/`name` read through safeio (only a regular file inside the package), or None."""
    from ..io.safeio import MAX_TEXT, read_bytes

    try:
        return read_bytes(pkg.root, f"{SEEDS}/{name}", MAX_TEXT)
    except (OSError, UnsafeFile):
        return None


def published_problem(value: str | None) -> str | None:
    """Why `value` cannot be the `published` cell (an EDTF date, see cotw.dates), or None when it can (or is empty)."""
    from ..dates import check

    if not value:
        return None
    why = check(value)
    return f"published {why} ({EDTF_HINT})" if why else None


def _is_installed_copy(pkg: Package) -> bool:
    return pkg.root.resolve() == (Path(__file__).resolve().parents[1] / "_package")


def add_source(pkg: Package, file: str | Path, *, title: str, published_basis: str | None = None, kind: str | None = None,
               language: str | None = None, publisher: str | None = None, authors: str | None = None,
               published: str | None = None, url: str | None = None,
               notes: str | None = None, source_id: str | None = None) -> Added:
    """Archive the text in `file` and append its row to the sources table; see the module docstring."""
    if _is_installed_copy(pkg):
        raise CurateError("this is the data installed inside the cotw package, not a clone to curate; "
                          "give the clone's package folder as PATH: cotw source add FILE PATH", usage=True)
    page = None
    if is_html(file):
        page = read_text_file(file, check=False)
        data = extract_text(page, str(file))
    else:
        data = read_text_file(file)
    digest = hashlib.sha256(data).hexdigest()
    table, header, raw = _read_sources(pkg)
    frame = table.frame
    for sid, arch, sha in zip(frame["source_id"], frame["archive"], frame["sha256"]):
        if sha == digest:
            raise CurateError(f"{file} is already archived as {arch}: source {sid!r} in {table.file} has the same sha256 ({digest[:12]}…)")
    archived = [a for a in frame["archive"].dropna()]
    target = archive_name(pkg, digest, archived)
    for name, size in seed_files(pkg):
        if size == len(data) and _seed_bytes(pkg, name) == data:
            raise CurateError(f"{file} is already archived as {SEEDS}/{name}, which no row of {table.file} cites; "
                              "add its row by hand, or remove that file if it was left behind")
    taken = set(frame["source_id"].dropna())
    if not source_id:
        base = slug(title or "") or f"source-{Path(target).name[:3]}"
        source_id, n = base, 2
        while source_id in taken:
            source_id, n = f"{base}-{n}", n + 1
    row = {"source_id": source_id, "title": title, "publisher": publisher, "authors": authors, "published": published,
           "published_basis": published_basis, "url": url, "kind": kind,
           "language": language, "archive": target, "sha256": digest, "notes": notes}
    date_problem = published_problem(published)
    # an invalid date is said here, in cotw.dates' words; the rest of the row is still checked, so every problem is said at once
    _validate_row(pkg, table, {**row, "published": None} if date_problem else row,
                  [f"{date_problem} [{OPTION['published']}]"] if date_problem else [])
    new = _with_row(raw, header, table.fields, pkg, row)
    line = _line_of(new, header_key="source_id", value=source_id)
    was_canonical = _canonical_before(raw, table.fields, pkg)
    files = [(target, data)] + ([(target[:-4] + ".html", page)] if page is not None else [])
    _write(pkg, files, table.file, new)
    return Added(source_id, target, digest, table.file, line, reformatted=not was_canonical,
                 page=files[1][0] if page is not None else None)


def _read_sources(pkg: Package):
    """The sources table as read, its header and its bytes; a table that cannot be read fully is refused."""
    from ..io.reader import read_table
    from ..check.pipeline import PARTIAL_READ

    try:
        rel = pkg.path("sources")
    except KeyError:
        raise CurateError(f"{DESCRIPTOR} declares no 'sources' table; nothing was written") from None
    reason = unsafe_path_reason(rel)
    if reason:
        raise CurateError(f"{DESCRIPTOR}: resource 'sources' path {rel!r} {reason}; nothing was written")
    path = pkg.root / rel
    if path.is_symlink() or not path.is_file():
        raise CurateError(f"{rel} is not a regular file inside the package; nothing was written")
    table = read_table(pkg, "sources")
    broken = [p for p in table.problems if p.rule in PARTIAL_READ]
    if broken or table.arrow is None:
        first = broken[0].text() if broken else f"{rel} cannot be read"
        raise CurateError(f"{first}; fix {rel} first (cotw check says what is wrong); nothing was written")
    try:  # through safeio, as read_table did: a folder on the way that links out of the package is refused
        raw = pkg.read_bytes(rel)
    except UnsafeFile as exc:
        raise CurateError(f"{rel} {exc.reason}; nothing was written") from None
    except OSError as exc:
        raise CurateError(f"cannot read {rel} ({exc.strerror}); nothing was written") from None
    text = raw.decode("utf-8").lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(text, newline="")))
    return table, header, raw


def _validate_row(pkg: Package, table, row: dict, found_before: list[str] | None = None) -> None:
    """Check the new row with the derived checks of `sources`, as `cotw check` will; refuse with every problem
    (those found before, already worded, first)."""
    import numpy as np
    import pyarrow as pa

    from ..check import derive
    from ..check.blocks import TEXT, Cols
    from ..check.failures import describe
    from ..io.reader import Table

    old = table.arrow
    new = pa.table({c: pa.array([None if row.get(c) in (None, "") else str(row[c])], TEXT) for c in old.column_names})
    both = pa.concat_tables([old, new.cast(old.schema)])
    context = {"sources": Cols.of_arrow(both)}
    made = derive.checks(pkg, "sources", derive.fk_sets(pkg, context), context).failing(context["sources"])
    found = []
    if made is not None:
        probe = Table("sources", table.file, table.fields, arrow=both, lines=np.arange(both.num_rows) + 2)  # line = index + 2
        found = [p for p in describe(pkg, probe, made) if p.line == both.num_rows + 1]  # the new row's problems only
    if found or found_before:
        lines = list(found_before or [])
        for p in found:
            hint = f" ({p.hint})" if p.hint else ""
            option = OPTION.get(p.column or "")
            lines.append(f"{p.message}{hint}" + (f" [{option}]" if option else ""))
        raise CurateError("the new sources row would be invalid; nothing was written:\n" + "\n".join(f"  {l}" for l in lines), usage=True)


def _with_row(raw: bytes, header: list[str], fields: list[str], pkg: Package, row: dict) -> bytes:
    from ..io.canonical import Unparsable, canonical
    from ..io.csvtext import quote_cell as _cell

    text = raw.decode("utf-8")
    if text and not text.endswith(("\n", "\r")):
        text += "\n"
    text += ",".join(_cell(row.get(c) or "") for c in header) + "\n"
    try:
        return canonical(text.encode("utf-8"), fields, _key(pkg))
    except Unparsable as exc:
        raise CurateError(f"{pkg.path('sources')}: {exc}; fix it first; nothing was written") from None


def _canonical_before(raw: bytes, fields: list[str], pkg: Package) -> bool:
    from ..io.canonical import Unparsable, canonical

    try:
        return canonical(raw, fields, _key(pkg)) == raw
    except Unparsable:
        return False


def _key(pkg: Package) -> list[str]:
    key = pkg.schema("sources").get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def _line_of(data: bytes, header_key: str, value: str) -> int:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    col = header.index(header_key)
    start = reader.line_num + 1
    for row in reader:
        if row and row[col] == value:
            return start
        start = reader.line_num + 1
    return start


def _write(pkg: Package, archives: list[tuple[str, bytes]], table_file: str, table_bytes: bytes) -> None:
    """Archives first (never replacing a file), then the table; undo the archives if anything fails."""
    from ..io.safeio import UnsafeFile, replace_bytes

    folder = pkg.root / SEEDS
    seed_files(pkg)  # refuses a seeds/ that is a link or no folder
    folder.mkdir(exist_ok=True)
    written: list[Path] = []

    def undo():
        for path in written:
            path.unlink()

    for archive, data in archives:
        final = pkg.root / archive
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".add.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644 & ~_umask())
            os.link(tmp, final)  # fails if the name exists: an archive is never replaced
            written.append(final)
        except FileExistsError:
            undo()
            raise CurateError(f"{archive} already exists; nothing was written") from None
        except OSError as exc:
            undo()
            raise CurateError(f"cannot write {archive} ({exc.strerror}); nothing was written") from None
        finally:
            os.unlink(tmp)
    try:
        replace_bytes(pkg.root, table_file, table_bytes)
    except (OSError, UnsafeFile) as exc:
        undo()
        names = " and ".join(a for a, _ in archives)
        why = exc.reason if isinstance(exc, UnsafeFile) else exc.strerror
        raise CurateError(f"cannot write {table_file} ({why}); the archive {names} was removed again, nothing changed") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
