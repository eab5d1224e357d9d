"""Provenance: every evidence or quote cell occurs verbatim in the archived text of its source, and
each archive is byte-for-byte the one curated (its sha256 matches sources.csv).

"Verbatim" allows one normalisation only: a run of whitespace counts as a single space. Identical
(evidence, source) pairs are checked once, so the cost grows with distinct evidence, not rows.
"""
from __future__ import annotations

import hashlib
import re

import pandas as pd

from ..io import safeio
from .blocks import text
from ..io.safeio import UnsafeFile
from ..package import Package
from ..report import Problem, shorten

_WS = re.compile(r"\s+")


def normalise(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _normalise_all(values: pd.Series) -> list[str]:
    """normalise() of every value, vectorised: RE2 with exactly the characters Python's \\s and strip() use."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..io.fastread import _WS, _WS_CLASS

    arr = pa.array(values.astype(object).tolist() if not isinstance(values.array, pd.arrays.ArrowStringArray) else values.array, type=pa.large_string())
    arr = pc.utf8_trim(pc.replace_substring_regex(arr, f"{_WS_CLASS}+", " "), _WS)
    return arr.to_pylist()


def archives(pkg: Package, sources: pd.DataFrame | None, lines=None, file: str = "data/sources.csv") -> tuple[dict[str, str], list[Problem]]:
    """The normalised archived text of each source_id, and problems with the archives themselves."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    if sources is None or not {"source_id", "archive"} <= set(sources.columns):
        return texts, problems
    for i, (sid, archive, digest) in enumerate(zip(text(sources["source_id"]), text(sources["archive"]),
                                                 text(sources["sha256"]) if "sha256" in sources else [None] * len(sources))):
        line = int(lines[i]) if lines is not None and i < len(lines) else None
        if pd.isna(sid) or pd.isna(archive):
            continue
        try:
            raw = pkg.read_bytes(archive, safeio.MAX_TEXT)
        except UnsafeFile as exc:
            problems.append(Problem("provenance", "unsafe-path", f"archive {shorten(archive)!r} {exc.reason}", file, line, "archive", archive))
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
        if isinstance(digest, str) and digest != actual:
            problems.append(Problem("provenance", "archive-changed",
                                    f"{archive} has sha256 {actual[:12]}…, but sources.csv records {digest[:12]}…: the archived text changed after curation",
                                    file, line, "sha256", digest, "restore the archived text; if a new version is intended, re-curate its rows and record the new sha256"))
        try:
            texts[sid] = normalise(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(Problem("provenance", "encoding", f"archive {archive!r} is not UTF-8 (byte {exc.start})", file, line, "archive", archive))
    return texts, problems


def verbatim(pkg: Package, name: str, frame: pd.DataFrame, lines, texts: dict[str, str], file: str) -> list[Problem]:
    """Every x-verbatim-in cell of table `name` occurs in its source's archived text."""
    from ..curate.locate import locate_command, package_option

    problems: list[Problem] = []
    where = None  # the package to name in the suggested command, found once
    fields = pkg.schema(name)["fields"]
    for f in fields:
        src_col = f.get("x-verbatim-in")
        col = f["name"]
        if not src_col or col not in frame.columns or src_col not in frame.columns:
            continue
        pairs = pd.DataFrame({"e": text(frame[col]), "s": text(frame[src_col])}).dropna()
        first = pairs.drop_duplicates()
        bad: dict[tuple[str, str], tuple[str, str | None]] = {}
        for ev, sid, needle in zip(first["e"], first["s"], _normalise_all(first["e"])):
            archive = texts.get(sid)
            if archive is None:
                continue  # unknown source: reported as a foreign-key problem
            if needle and needle in archive:
                continue
            msg, hint = _explain(needle, archive, sid)
            where = package_option(pkg) if where is None else where
            bad[(ev, sid)] = msg, f"{hint}; find the words as archived with: {locate_command(sid, needle, where or None)}"
        if not bad:
            continue
        hit = pd.MultiIndex.from_frame(pairs).isin(list(bad))
        for idx, ev, sid in zip(pairs.index[hit], pairs["e"][hit], pairs["s"][hit]):
            msg, hint = bad[(ev, sid)]
            line = int(lines[idx]) if lines is not None and idx < len(lines) else None
            problems.append(Problem("provenance", "verbatim", msg, file, line, col, ev, hint))
    return problems


def _explain(needle: str, archive: str, sid: str) -> tuple[str, str | None]:
    """Why the words are not in the source: how far they match, and what the source says there."""
    lo, hi = 0, len(needle)
    while lo < hi:  # longest prefix that occurs in the archive (presence is monotone in length)
        mid = (lo + hi + 1) // 2
        if needle[:mid] in archive:
            lo = mid
        else:
            hi = mid - 1
    msg = f"{shorten(needle, 60)!r} does not occur verbatim in the archived text of source {sid!r}"
    if lo < 8:
        return msg, "copy the words exactly as printed in the archived text"
    pos = archive.find(needle[:lo])
    got = archive[pos + lo: pos + lo + 25]
    return msg, f"the first {lo} characters match; then the cell has {needle[lo:lo + 25]!r} where the source has {got!r}"
