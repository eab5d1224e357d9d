"""Provenance: every evidence or quote cell occurs verbatim in the archived text of its source, and
each archive is byte-for-byte the one curated (its sha256 matches sources.csv).

"Verbatim" allows one normalisation only: a run of whitespace counts as a single space. Identical
(evidence, source) pairs are checked once, so the cost grows with distinct evidence, not rows.

Archives are read through safeio only (regular files inside the package), and only from under seeds/,
through no hidden or dot component, as written and as resolved (check.protect: code, whatever the
schema's archive pattern says). Quotes are looked up only in an archive whose bytes match the sha256 of
its row: in any other file, neither the hint nor whether a quote occurs may tell anything. The hint for
a cell that does not occur shows at most HINT_CHARS characters of the source, never more than the cell
itself claims stand there: a hint cannot be used to read a file out of the runner.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import pyarrow.compute as pc

from ..io import safeio
from . import protect
from .blocks import Cols, codes, from_numpy
from ..io.fastread import _WS as SPACES, _WS_CLASS
from ..io.safeio import UnsafeFile
from ..limits import PROVENANCE_BLOCK, PROVENANCE_MAX_INDEXED
from ..package import Package
from ..report import Problem, shorten

_WS = re.compile(r"\s+")
# a cell normalise() changes: whitespace other than a single space inside (exactly Python's \s, as RE2 classes)
_NOT_NORMAL = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in SPACES if c != " ") + "]|  |^ | $"
HINT_CHARS = 25  # the most of an archived text that a verbatim hint shows


def normalise(s: str) -> str:
    """Runs of whitespace as one space, none at the ends: `_WS.sub(" ", s).strip()`, written as split and join
    (3x faster; str.split() splits at exactly the characters \\s matches, str.isspace(): tests check every code point)."""
    return " ".join(s.split())


def _normalise_all(arr, cells: list[str] | None = None) -> list[str]:
    """normalise() of every value of arrow text `arr` (whose cells, as Python strings, may be given),
    vectorised: RE2 with exactly the characters Python's \\s and strip() use."""
    # most cells are already normal (single spaces inside, none at the ends): finding the others is a
    # match, much cheaper than a replace over every cell
    needs = pc.fill_null(pc.match_substring_regex(arr, _NOT_NORMAL), False)
    out = arr.to_pylist() if cells is None else list(cells)  # the same strings: no second copy of the text
    if pc.any(needs).as_py():
        at = np.flatnonzero(needs.to_numpy(zero_copy_only=False))
        fixed = pc.utf8_trim(pc.replace_substring_regex(arr.take(from_numpy(at)), f"{_WS_CLASS}+", " "), SPACES).to_pylist()
        for i, v in zip(at.tolist(), fixed):
            out[i] = v
    return out


def archives(pkg: Package, sources: Cols | None, lines=None, file: str = "data/sources.csv") -> tuple[dict[str, str], list[Problem]]:
    """The normalised archived text of each source_id, and problems with the archives themselves."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    if sources is None or not sources.has("source_id", "archive"):
        return texts, problems
    for i, (sid, archive, digest) in enumerate(zip(sources["source_id"].to_pylist(), sources["archive"].to_pylist(),
                                                 sources["sha256"].to_pylist() if "sha256" in sources else [None] * sources.num_rows)):
        line = int(lines[i]) if lines is not None and i < len(lines) else None
        if sid is None or archive is None:
            continue
        why = _archive_refused(pkg, archive)
        if why:
            problems.append(Problem("provenance", "unsafe-path", f"archive {shorten(archive)!r} of source {shorten(sid)!r} {why}; it was not read",
                                    file, line, "archive", archive, f"archive the source text as a file under {protect.ARCHIVE_FOLDER}/"))
            continue
        try:
            raw = pkg.read_bytes(archive, safeio.MAX_TEXT)
        except UnsafeFile as exc:
            rule = "unsafe-path" if exc.rule == "unsafe-path" else "unreadable-archive"
            problems.append(Problem("provenance", rule, f"archive {shorten(archive)!r} {exc.reason}", file, line, "archive", archive))
            continue
        except FileNotFoundError:
            problems.append(Problem("provenance", "missing-archive", f"archive {archive!r} of source {sid!r} does not exist", file, line, "archive", archive,
                                    "archive the source text under seeds/ before citing it"))
            continue
        except OSError as exc:
            problems.append(Problem("provenance", "unreadable-archive", f"cannot read archive {archive!r} of source {sid!r}: {exc.strerror}",
                                    file, line, "archive", archive))
            continue
        actual = hashlib.sha256(raw).hexdigest()
        if not isinstance(digest, str):
            problems.append(Problem("provenance", "archive-unverified",
                                    f"source {shorten(sid)!r} records no sha256 for its archive {shorten(archive)!r}, so cotw cannot tell it is the text "
                                    "that was curated, and looks up no quote in it", file, line, "sha256", None,
                                    f"record the archive's sha256 ({actual[:12]}…: `sha256sum {shorten(archive)}`)"))
            continue
        if digest != actual:
            # the quotes are not looked up in an archive that is not the one curated: neither the verbatim
            # hint nor whether a quote occurs may tell anything about a file no curator vouched for
            problems.append(Problem("provenance", "archive-changed",
                                    f"{archive} has sha256 {actual[:12]}…, but sources.csv records {digest[:12]}…: the archived text changed after curation",
                                    file, line, "sha256", digest, "restore the archived text; if a new version is intended, re-curate its rows and record "
                                    "the new sha256 (until then no quote is looked up in it)"))
            continue
        try:
            texts[sid] = normalise(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(Problem("provenance", "encoding", f"archive {archive!r} is not UTF-8 (byte {exc.start})", file, line, "archive", archive))
    return texts, problems


def _archive_refused(pkg: Package, archive: str) -> str | None:
    """Why `archive` may not be read as an archived source (see protect.archive_problem): as written, and,
    in a folder package, as its links resolve (seeds/x.txt linked to ../.git/config is refused)."""
    if safeio.unsafe_path_reason(archive):
        return None  # refused by safeio when it is read, with its own reason ('..', absolute, a URL)
    why = protect.archive_problem(archive)
    if why or pkg.zip is not None:
        return why
    import os

    try:
        real = os.path.relpath(safeio.inside(pkg.root, archive), os.path.realpath(pkg.root)).replace(os.sep, "/")
    except (UnsafeFile, OSError, ValueError):
        return None  # safeio refuses it when it is read, with its reason
    why = protect.archive_problem(real)
    return f"resolves (through a symbolic link) to {shorten(real)!r}, which {why}" if why else None


def verbatim(pkg: Package, name: str, cols: Cols, lines, texts: dict[str, str], file: str, indexes: dict | None = None) -> list[Problem]:
    """Every x-verbatim-in cell of table `name` occurs in its source's archived text. `indexes` keeps the
    index of each text (see _occurs) from one call to the next."""
    problems: list[Problem] = []
    where = None  # the package to name in the suggested command, found once
    fields = pkg.schema(name)["fields"]
    composed: dict[str, str] = {}  # source_id -> its archived text in NFC, made only when a cell needs it
    for f in fields:
        src_col = f.get("x-verbatim-in")
        col = f["name"]
        if not src_col or not cols.has(col, src_col):
            continue
        e, s = cols[col], cols[src_col]
        rows = np.flatnonzero(pc.and_(e.is_valid(), s.is_valid()).to_numpy())  # filled pairs
        code = codes(e, s)[rows]  # equal exactly for equal (evidence, source) pairs
        first = np.sort(rows[np.unique(code, return_index=True)[1]])  # each pair's first row, in row order
        firsts = (e.take(from_numpy(first)), s.take(from_numpy(first)))
        bad: dict[tuple[str, str], tuple[str, str | None]] = {}
        bad_rows = []
        # Python lists: iterating arrow cells costs ~1 µs per cell
        cells, sids = firsts[0].to_pylist(), firsts[1].to_pylist()
        needles = _normalise_all(firsts[0], cells)
        found = _occurs(needles, sids, texts, indexes)
        for row, ev, sid, needle, ok in zip(first.tolist(), cells, sids, needles, found):
            archive = texts.get(sid)
            if archive is None or ok:
                continue  # found; or an unknown source: reported as a foreign-key problem
            msg, hint = _explain(needle, archive, sid, composed)
            from ..curate.locate import locate_command, package_option  # only for a quote that is not there

            where = package_option(pkg) if where is None else where
            bad[(ev, sid)] = msg, f"{hint}; find the words as archived with: {locate_command(sid, needle, where or None)}"
            bad_rows.append(row)
        if not bad:
            continue
        hit = rows[np.isin(code, code[np.searchsorted(rows, bad_rows)])]  # every row of a pair that does not occur
        for idx, ev, sid in zip(hit.tolist(), e.take(from_numpy(hit)).to_pylist(), s.take(from_numpy(hit)).to_pylist()):
            msg, hint = bad[(ev, sid)]
            line = int(lines[idx]) if lines is not None and idx < len(lines) else None
            problems.append(Problem("provenance", "verbatim", msg, file, line, col, ev, hint))
    return problems


K = 16  # characters of a needle's start looked up in the index of a text
INDEX_FROM = 64  # needles in one text from which indexing it pays (building costs about 60 scans of it)
MAX_INDEXED = PROVENANCE_MAX_INDEXED  # characters of all texts indexed at once, at most (an index takes 20 bytes per character)
MAX_CANDIDATES = 64  # places a needle's start occurs beyond which it is looked for by scanning instead
_P = np.uint64(0x100000001B3)  # the FNV prime: any odd multiplier spreads the windows


def _occurs(needles: list[str], sids: list[str], texts: dict[str, str], indexes: dict | None = None) -> list[bool]:
    """Whether each needle occurs in the text of its source. Python's `in` scans the text per needle,
    which at scale costs far more than the rest of the check; a source with many needles is instead
    indexed once: a hash of every K-character window, sorted, so each needle's first K characters are
    found by binary search and every place they occur is verified with `startswith`. Exact either way."""
    out = [False] * len(needles)
    by_source: dict[str, list[int]] = {}
    for i, (needle, sid) in enumerate(zip(needles, sids)):
        if needle and sid in texts:
            by_source.setdefault(sid, []).append(i)
    indexes = {} if indexes is None else indexes
    for sid, at in by_source.items():
        text = texts[sid]
        long = [i for i in at if len(needles[i]) >= K]
        short = [i for i in at if len(needles[i]) < K]
        room = MAX_INDEXED - sum(len(index[0]) for index in indexes.values())
        if len(short) >= INDEX_FROM:
            _occurs_short(text, short, needles, out)
            at = long
        if len(long) < INDEX_FROM or len(text) < K:
            for i in at:
                out[i] = needles[i] in text
            continue
        for i in short if len(short) < INDEX_FROM else ():
            out[i] = needles[i] in text
        if sid not in indexes and len(text) > room:
            _occurs_blocked(text, long, needles, out)  # too large to keep its index: indexed a block at a time
            continue
        if sid not in indexes:
            indexes[sid] = _index(text)
        order, hashes, cps = indexes[sid]
        keys = _hash(np.frombuffer("".join(needles[i][:K] for i in long).encode("utf-32-le"), dtype=np.uint32).reshape(len(long), K))
        lo, hi = np.searchsorted(hashes, keys, "left"), np.searchsorted(hashes, keys, "right")
        single = np.flatnonzero(hi - lo == 1)  # most needles: one place to compare, done for all at once
        for i, good in zip((long[j] for j in single.tolist()), _compare(cps, order[lo[single]], [needles[long[j]] for j in single.tolist()])):
            out[i] = good
        for j in np.flatnonzero(hi - lo > 1).tolist():
            i, a, b = long[j], int(lo[j]), int(hi[j])
            needle = needles[i]
            if b - a > MAX_CANDIDATES:
                out[i] = needle in text
            else:
                out[i] = any(text.startswith(needle, int(pos)) for pos in order[a:b])
    return out


BLOCK = PROVENANCE_BLOCK  # window starts of a text hashed at once when its index is not kept (~40 bytes each)


def _occurs_blocked(text: str, long: list[int], needles: list[str], out: list[bool]) -> None:
    """_occurs for the needles `long` (each at least K characters) of a text whose index is not kept: the
    text is hashed BLOCK windows at a time and every needle not yet found is looked up in each block. The
    cost is the text's length times a constant plus the needles times the number of blocks, never the
    needles times the text (a scan per needle): exact, and linear in the package. A needle whose start occurs
    at several places (up to MAX_CANDIDATES) is compared in full only where its last K characters hash as
    they do in the text too (a repetitive text gives most needles many places: compared one by one, their
    count grew faster than the text)."""
    keys = _hash(np.frombuffer("".join(needles[i][:K] for i in long).encode("utf-32-le"), dtype=np.uint32).reshape(len(long), K))
    ends = _hash(np.frombuffer("".join(needles[i][-K:] for i in long).encode("utf-32-le"), dtype=np.uint32).reshape(len(long), K))
    lengths = np.fromiter((len(needles[i]) for i in long), dtype=np.int64, count=len(long))
    pending = np.arange(len(long))
    windows = len(text) - K + 1
    for a in range(0, windows, BLOCK):
        if not len(pending):
            break
        b = min(a + BLOCK, windows)
        reach = int(lengths[pending].max())  # verified within this block's code points
        cps = np.frombuffer(text[a: b - 1 + max(K, reach)].encode("utf-32-le"), dtype=np.uint32)
        every = _hash_windows(cps, len(cps) - K + 1)  # each window of the stretch; the first b - a start in this block
        h = every[: b - a]
        # the windows that start a needle: filtered by a bitmap of the needles' keys, then looked up among
        # them (few); a block is never sorted
        wanted = np.unique(keys[pending])
        bitmap = np.zeros(_BITMAP, dtype=bool)
        bitmap[(wanted % _BITMAP).astype(np.intp)] = True
        at = np.flatnonzero(bitmap[(h % _BITMAP).astype(np.intp)])
        at = at[wanted[np.minimum(np.searchsorted(wanted, h[at]), len(wanted) - 1)] == h[at]]
        by_key = np.argsort(h[at], kind="stable")
        order, hashes = at[by_key], h[at][by_key]
        del h
        lo, hi = np.searchsorted(hashes, keys[pending], "left"), np.searchsorted(hashes, keys[pending], "right")
        done = np.zeros(len(pending), dtype=bool)
        single = np.flatnonzero(hi - lo == 1)
        for j, good in zip(single.tolist(), _compare(cps, order[lo[single]], [needles[long[pending[j]]] for j in single.tolist()])):
            done[j] = out[long[pending[j]]] = good
        many = np.flatnonzero(hi - lo > 1)
        for j in many[(hi - lo)[many] > MAX_CANDIDATES].tolist():
            out[long[pending[j]]] = needles[long[pending[j]]] in text
            done[j] = True  # scanned once, whatever the answer: not looked up again
        few = many[(hi - lo)[many] <= MAX_CANDIDATES]
        if len(few):  # every place of each: kept where the needle's last window hashes alike, then compared
            counts = (hi - lo)[few]
            owner = np.repeat(few, counts)
            pos = order[np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo[few], counts)]
            last = pos.astype(np.int64) + lengths[pending[owner]] - K  # where its last K characters would start
            keep = last < len(every)  # (beyond: the needle would run past the end of the text)
            keep[keep] = every[last[keep]] == ends[pending[owner[keep]]]
            owner, pos = owner[keep], pos[keep]
            for j, good in zip(owner.tolist(), _compare(cps, pos, [needles[long[pending[j]]] for j in owner.tolist()])):
                if good:
                    done[j] = out[long[pending[j]]] = True
        pending = pending[~done]


def _occurs_short(text: str, short: list[int], needles: list[str], out: list[bool]) -> None:
    """_occurs for many needles shorter than K: for each length they have, the text's windows of that
    length are hashed a block at a time and each needle checked where its hash first occurs (a scan of
    the text only if that place holds other characters of the same hash). At most K passes over the
    text, however many needles."""
    by_width: dict[int, list[int]] = {}
    for i in short:
        by_width.setdefault(len(needles[i]), []).append(i)
    for width, group in by_width.items():
        windows = len(text) - width + 1
        if len(group) < INDEX_FROM or windows <= 0:
            for i in group:
                out[i] = needles[i] in text
            continue
        keys = _hash(np.frombuffer("".join(needles[i] for i in group).encode("utf-32-le"), dtype=np.uint32).reshape(len(group), width))
        pending = np.arange(len(group))
        for a in range(0, windows, BLOCK):
            if not len(pending):
                break
            b = min(a + BLOCK, windows)
            h = _hash_windows(np.frombuffer(text[a: b - 1 + width].encode("utf-32-le"), dtype=np.uint32), b - a, width)
            wanted = np.unique(keys[pending])
            bitmap = np.zeros(_BITMAP, dtype=bool)
            bitmap[(wanted % _BITMAP).astype(np.intp)] = True
            at = np.flatnonzero(bitmap[(h % _BITMAP).astype(np.intp)])
            seen, first = np.unique(h[at], return_index=True)
            if not len(seen):
                continue
            where = np.minimum(np.searchsorted(seen, keys[pending]), len(seen) - 1)
            hit = np.flatnonzero(seen[where] == keys[pending])
            done = np.zeros(len(pending), dtype=bool)
            for j in hit.tolist():
                i = group[pending[j]]
                # the same hash, other characters (a collision): scanned once, exact whatever the hash
                out[i] = text.startswith(needles[i], a + int(at[first[where[j]]])) or needles[i] in text
                done[j] = True
            pending = pending[~done]


COMPARED = 1 << 18  # code points of needles compared at once (bounds the arrays _compare makes: ~40 bytes each)


def _compare(cps: np.ndarray, at: np.ndarray, needles: list[str]) -> list[bool]:
    """Whether the text whose code points are `cps` has needles[k] at at[k], for every k: compared as arrays."""
    out: list[bool] = []
    start = 0
    while start < len(needles):
        end, size = start, 0
        while end < len(needles) and (size == 0 or size + len(needles[end]) <= COMPARED):
            size += len(needles[end])
            end += 1
        part = needles[start:end]
        mine = np.frombuffer("".join(part).encode("utf-32-le"), dtype=np.uint32)
        lens = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
        first = np.cumsum(lens) - lens
        pos = at[start:end].astype(np.int64)
        where = np.minimum(np.repeat(pos - first, lens) + np.arange(len(mine)), len(cps) - 1)
        same = np.logical_and.reduceat(cps[where] == mine, first) & (pos + lens <= len(cps))
        out += same.tolist()
        start = end
    return out


_BITMAP = np.uint64(1 << 22)


def _hash_windows(cps: np.ndarray, n: int, width: int = K) -> np.ndarray:
    """_hash of the first `n` windows of `width` code points of `cps`, from contiguous slices."""
    wide = cps[: n + width - 1].astype(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            h *= _P
            h += wide[j: j + n]
    return h


def _hash(windows: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of `windows` (code points, K columns); arithmetic wraps modulo 2**64."""
    h = np.zeros(len(windows), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(windows.shape[1]):
            h = h * _P + windows[:, j].astype(np.uint64)
    return h


def _index(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start of each K-character window of `text`, sorted by hash; the sorted hashes; the text's code points)."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    h = _hash_windows(cps, len(cps) - K + 1)  # the same hashes as _hash of every window, from contiguous slices
    # not a stable sort (half the time): the windows of one hash are only ever looked at all together
    # (order[lo:hi], each compared or the text scanned), so their order among themselves decides nothing
    order = np.argsort(h)
    return order, h[order], cps


def _explain(needle: str, archive: str, sid: str, composed: dict[str, str] | None = None) -> tuple[str, str | None]:
    """Why the words are not in the source: how far they match, and what the source says there.

    The source is quoted for at most HINT_CHARS characters and never for more characters than the
    cell has after the matching part: the hint shows where the cell and its source part, not the
    source's next sentence."""
    msg = f"{shorten(needle, 60)!r} does not occur verbatim in the archived text of source {sid!r}"
    unicode_hint = _normalisation(needle, archive, sid, {} if composed is None else composed)
    if unicode_hint:
        return msg, unicode_hint
    lo, hi = 0, len(needle)
    while lo < hi:  # longest prefix that occurs in the archive (presence is monotone in length)
        mid = (lo + hi + 1) // 2
        if needle[:mid] in archive:
            lo = mid
        else:
            hi = mid - 1
    if lo < 8:
        return msg, "copy the words exactly as printed in the archived text"
    pos = archive.find(needle[:lo])
    cell = needle[lo: lo + HINT_CHARS]
    got = archive[pos + lo: pos + lo + len(cell)]
    return msg, f"the first {lo} characters match; then the cell has {cell!r} where the source has {got!r}"


def _normalisation(needle: str, archive: str, sid: str, composed: dict[str, str]) -> str | None:
    """A hint when the words occur in the source once both are in Unicode normal form NFC (e.g. 'ū'
    as one character in one and as 'u' plus a combining macron in the other), else None."""
    if needle.isascii():
        return None
    nfc = unicodedata.normalize("NFC", needle)
    if sid not in composed:
        composed[sid] = unicodedata.normalize("NFC", archive)
    if nfc not in composed[sid]:
        return None
    decomposed = next((i for i, c in enumerate(needle) if unicodedata.combining(c)), None)
    if nfc != needle and decomposed:
        base = needle[decomposed - 1: decomposed + 1]
        marks = " + ".join(f"U+{ord(c):04X}" for c in base[1:])
        how = (f"the cell writes {unicodedata.normalize('NFC', base)!r} as {base[0]!r} + {marks} (decomposed, NFD) "
               "where the source has one character (NFC)")
    elif nfc == needle:
        how = "the source writes an accented letter decomposed (NFD) where the cell has one character (NFC)"
    else:
        how = "the cell and the source compose accented letters differently (NFC and NFD)"
    return (f"the cell and the source differ only in Unicode normalisation: {how}; "
            "copy the words from the archived text (or save the file in Unicode NFC)")
