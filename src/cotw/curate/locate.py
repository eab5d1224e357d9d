"""`cotw locate`: find the verbatim span of an archived text that matches words as remembered.

Copy-paste from a web page or a PDF breaks on details the eye does not see: curly or straight
quotes, dash styles, line breaks, markup such as the GMF report's `<u>`, accents, case, a
missing comma or a typo. Both the archive and the words are folded for matching only (quotes and
dashes to one style, markup and accents dropped, whitespace collapsed, lower case), with a map from
every folded character back to its position in the archive. rapidfuzz finds the best-matching window
and its boundaries are refined to maximise the similarity; the span printed is then cut from the
ORIGINAL text, so it passes `cotw check`'s provenance rule (verbatim up to runs of whitespace).
"""
from __future__ import annotations

import csv
import os
import io
import re
import shlex
import unicodedata
from dataclasses import asdict, dataclass, field, replace

from . import CurateError
from ..limits import LOCATE_MAX_ARCHIVE_BYTES, LOCATE_MAX_FOLDED, LOCATE_MAX_SEARCHED, LOCATE_MAX_WORDS
from ..package import Package, unsafe_path_reason

THRESHOLD = 85.0  # % similarity (rapidfuzz Indel ratio); unrelated English phrases score about 50-70
MAX_WORDS = LOCATE_MAX_WORDS
MAX_ARCHIVE_BYTES = LOCATE_MAX_ARCHIVE_BYTES
CONTEXT = 40
LONGEST_WORD = 100  # a span is widened to whole words only this far: an archive without spaces is no one word
ANCHOR = 150  # characters of long words that place the start and the end of their span

_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]{0,200}?/?>")
_BLOCK_TAGS = {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_SAME = {**dict.fromkeys("‘’‚‛′`´ʼ", "'"), **dict.fromkeys("“”„‟″«»", '"'),
         **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"), "…": "...", "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": ""}
_fold_cache: dict[str, str] = {}


def _fold_char(c: str) -> str:
    out = _fold_cache.get(c)
    if out is None:
        out = _SAME.get(c)
        if out is None:
            decomposed = unicodedata.normalize("NFKD", c)
            out = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower() or c.lower()
        _fold_cache[c] = out
    return out


# one match per run the folding treats alike: whitespace (one space); words of printable ASCII but the backtick,
# one space apart (their lower case, one character for one: most of any text, handled whole); any other character
_RUNS = re.compile(r"(\s+)|([!-_a-~]+(?: [!-_a-~]+)*)|(.)", re.DOTALL)


def fold(text: str) -> tuple[str, list[int]]:
    """The text as matched, and for each of its characters the index of the original character it comes from."""
    out: list[str] = []
    pos: list[int] = []
    space = True  # no leading space
    i = 0
    for tag in (*_TAG.finditer(text), None):
        end = len(text) if tag is None else tag.start()
        for m in _RUNS.finditer(text, i, end):
            if m.group(1) is not None:
                if not space:
                    out.append(" ")
                    pos.append(m.start())
                    space = True
            elif m.group(2) is not None:
                out.append(m.group(2).lower())
                pos.extend(range(m.start(), m.end()))
                space = False
            else:
                folded = _fold_char(m.group(3))
                if folded:
                    out.append(folded)
                    pos.extend([m.start()] * len(folded))
                    space = False
        if tag is None:
            break
        if not space and tag.group(1).lower() in _BLOCK_TAGS:
            out.append(" ")
            pos.append(end)
            space = True
        i = tag.end()
    if out and out[-1] == " ":
        out.pop()
        pos.pop()
    return "".join(out), pos


@dataclass
class Match:
    """A span of an archived text, with where it is and how well it matches."""

    source_id: str
    archive: str
    score: float  # 0-100
    span: str  # the characters exactly as archived (line breaks included)
    cell: str  # the span with every run of whitespace as one space: what to paste into a cell
    start: int  # character offsets into the archived text (end exclusive)
    end: int
    line: int  # 1-based line and column (in characters) of the first and last character
    column: int
    end_line: int
    end_column: int
    before: str  # a little context, whitespace collapsed
    after: str


@dataclass
class Located:
    """Matches at or above the threshold, best first; else the nearest candidates below it."""

    words: str
    threshold: float
    matches: list[Match] = field(default_factory=list)
    candidates: list[Match] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # archives that could not be searched, and why

    @property
    def found(self) -> bool:
        return bool(self.matches)

    def to_dict(self) -> dict:
        return {"words": self.words, "threshold": self.threshold, "found": self.found,
                "matches": [asdict(m) for m in self.matches], "candidates": [asdict(m) for m in self.candidates],
                "skipped": self.skipped}


def source_archives(pkg: Package) -> dict[str, str]:
    """source_id -> archive path, read from the sources table with the csv module (no pandas: locate stays quick)."""
    try:
        rel = pkg.path("sources")
    except KeyError:
        raise CurateError("the package has no 'sources' table, so there is no archive to search") from None
    reason = unsafe_path_reason(rel)
    if reason:
        raise CurateError(f"resource 'sources' path {rel!r} {reason}; it was not read")
    data = _read_regular(pkg, rel)
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    out: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        sid, archive = row.get("source_id"), row.get("archive")
        if sid and archive and sid not in out:
            out[sid] = archive
    return out


def _read_regular(pkg: Package, rel: str, limit: int = MAX_ARCHIVE_BYTES) -> bytes:
    """The bytes of a package file, read through the one safe reader (regular files inside the package only)."""
    from ..io.safeio import UnsafeFile

    try:
        return pkg.read_bytes(rel, limit)
    except FileNotFoundError:
        raise CurateError(f"{rel} does not exist") from None
    except UnsafeFile as exc:
        raise CurateError(f"{rel} {exc.reason}") from None
    except OSError as exc:
        raise CurateError(f"cannot read {rel}: {exc.strerror}") from None


def locate(pkg: Package, words: str, source_id: str | None = None, threshold: float = THRESHOLD, limit: int = 5) -> Located:
    """The spans of the archived texts (of `source_id`, or of every source) that best match `words`."""
    if len(words) > MAX_WORDS:
        raise CurateError(f"the words are {len(words)} characters long; give at most {MAX_WORDS} (a cell, not a page)", usage=True)
    needle, _ = fold(words)
    if len(needle) > LOCATE_MAX_FOLDED:  # compatibility forms expand when folded: U+FDFA is 18 letters
        raise CurateError(f"the words are {len(needle)} characters long once folded for matching; give at most "
                          f"{LOCATE_MAX_FOLDED} (a cell, not a page)", usage=True)
    if not needle:
        raise CurateError("give the words to look for (they are empty once markup and whitespace are dropped)", usage=True)
    archives = source_archives(pkg)
    if source_id is not None and source_id not in archives:
        import difflib

        close = [s for s in archives if s.startswith(source_id)] or difflib.get_close_matches(source_id, list(archives), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise CurateError(f"unknown source '{source_id}'{hint}; valid source_ids: {', '.join(archives)}", usage=True)
    result = Located(words=words, threshold=threshold)
    found: list[Match] = []
    searched = 0  # characters of archived text searched so far: at most LOCATE_MAX_SEARCHED in all
    done: dict[str, Match | None] = {}  # archive -> its best match: sources sharing an archive search it once
    for sid, rel in archives.items():
        if source_id is not None and sid != source_id:
            continue
        if rel in done:
            if done[rel] is not None:
                found.append(replace(done[rel], source_id=sid))
            continue
        reason = unsafe_path_reason(rel)
        if reason:
            result.skipped.append(f"{rel}: {reason}")
            continue
        if searched >= LOCATE_MAX_SEARCHED:
            result.skipped.append(f"{rel}: not searched; cotw locate searches at most {LOCATE_MAX_SEARCHED:,} characters of "
                                  "archived text at once (name the source to search it)")
            continue
        try:
            text = _read_regular(pkg, rel).decode("utf-8")
        except CurateError as exc:
            result.skipped.append(exc.message)
            continue
        except UnicodeDecodeError as exc:
            result.skipped.append(f"{rel} is not UTF-8 (byte {exc.start})")
            continue
        searched += len(text)
        done[rel] = m = best_match(text, needle, sid, rel)
        if m is not None:
            found.append(m)
    found.sort(key=lambda m: -m.score)
    result.matches = [m for m in found if m.score >= threshold][:limit]
    if not result.matches:
        result.candidates = found[:3]
    return result


def best_match(text: str, needle: str, source_id: str = "", archive: str = "") -> Match | None:
    """The span of `text` that best matches the folded words `needle`."""
    from rapidfuzz import fuzz

    hay, pos = fold(text)
    if not hay:
        return None
    if len(needle) >= len(hay):
        s0, e0 = 0, len(hay)
    elif len(needle) <= 2 * ANCHOR:
        al = fuzz.partial_ratio_alignment(needle, hay)
        s0, e0 = al.dest_start, al.dest_end
    else:
        # long words: partial_ratio's cost grows with their length times the text's when nothing matches
        # well; anchor the start with their head and the end with their tail instead
        s0 = fuzz.partial_ratio_alignment(needle[:ANCHOR], hay).dest_start
        reach = s0 + len(needle) + len(needle) // 4
        e0 = s0 + fuzz.partial_ratio_alignment(needle[-ANCHOR:], hay[s0:reach]).dest_end
        if e0 <= s0 + ANCHOR:
            e0 = min(len(hay), s0 + len(needle))
    # the window has the needle's length; a missing or extra character shifts the true boundaries a
    # little. Move each end in turn to where the similarity is highest (a few dozen ratio calls, not a grid)
    k = min(24, max(4, len(needle) // 10))

    def key(s: int, e: int):
        return fuzz.ratio(needle, hay[s:e]), _on_word_boundaries(hay, s, e), -abs((e - s) - len(needle))

    s, e = s0, e0
    for _ in range(3):
        e = max(range(max(s + 1, e - k), min(len(hay), e + k) + 1), key=lambda x: key(s, x))
        s = max(range(max(0, s - k), min(e - 1, s + k) + 1), key=lambda x: key(x, e))
        if (s, e) == (s0, e0):
            break
        s0, e0 = s, e
    s, e = _snap(hay, s, e)
    score = round(fuzz.ratio(needle, hay[s:e]), 1)
    a, b = pos[s], pos[e - 1] + 1
    a, b = _balance_tags(text, a, b)
    return _match(text, a, b, score, source_id, archive)


def _on_word_boundaries(hay: str, s: int, e: int) -> int:
    left = s == 0 or not (hay[s - 1].isalnum() and hay[s].isalnum())
    right = e == len(hay) or not (hay[e - 1].isalnum() and hay[e].isalnum())
    return int(left) + int(right)


def _snap(hay: str, s: int, e: int) -> tuple[int, int]:
    """Whole words and no outer spaces: a typo in the first or last word must not cut that word."""
    a = s
    while a > 0 and s - a < LONGEST_WORD and hay[a - 1].isalnum() and hay[a].isalnum():
        a -= 1
    if not (a > 0 and hay[a - 1].isalnum() and hay[a].isalnum()):  # a word's start within reach (else: no word, keep the cut)
        s = a
    b = e
    while b < len(hay) and b - e < LONGEST_WORD and hay[b - 1].isalnum() and hay[b].isalnum():
        b += 1
    if not (b < len(hay) and hay[b - 1].isalnum() and hay[b].isalnum()):
        e = b
    while s < e and hay[s] == " ":
        s += 1
    while e > s and hay[e - 1] == " ":
        e -= 1
    return s, e


def _balance_tags(text: str, a: int, b: int) -> tuple[int, int]:
    """Take in an opening tag just before the span whose closing tag is inside it (and the converse)."""
    opened: list[str] = []
    unmatched_close: list[str] = []
    for m in _TAG.finditer(text, a, b):
        name = m.group(1).lower()
        if m.group(0).startswith("</"):
            if name in opened:
                opened.remove(name)
            else:
                unmatched_close.append(name)
        elif not m.group(0).endswith("/>"):
            opened.append(name)
    if unmatched_close:
        for m in _TAG.finditer(text, max(0, a - 210), a):
            if m.end() == a and m.group(1).lower() == unmatched_close[0] and not m.group(0).startswith("</"):
                a = m.start()
    if opened:
        m = _TAG.match(text, b)
        if m and m.group(0).startswith("</") and m.group(1).lower() == opened[-1]:
            b = m.end()
    return a, b


def _collapse(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _match(text: str, a: int, b: int, score: float, source_id: str, archive: str) -> Match:
    def line_col(i: int) -> tuple[int, int]:
        return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1

    line, col = line_col(a)
    end_line, end_col = line_col(b - 1)
    span = text[a:b]
    before = _collapse(text[max(0, a - CONTEXT * 2): a]).lstrip()[-CONTEXT:]
    after = _collapse(text[b: b + CONTEXT * 2]).rstrip()[:CONTEXT]
    return Match(source_id, archive, score, span, _collapse(span).strip(), a, b, line, col, end_line, end_col,
                 ("…" if a > CONTEXT else "") + before, after + ("…" if b + CONTEXT < len(text) else ""))


def locate_command(source_id: str, words: str, package: str | None = None) -> str:
    """The `cotw locate` command line that looks for `words` in the archive of `source_id`."""
    where = f" {_quote(package)}" if package else ""
    return f"cotw locate {_quote(source_id)} {_quote(_collapse(words).strip())}{where}"


def _quote(s: str) -> str:
    """Shell quoting that stays readable: "We're" rather than 'We'"'"'re' when double quotes are safe."""
    quoted = shlex.quote(s)
    if "'" in s and not any(c in s for c in '"$`\\!'):
        return f'"{s}"'
    return quoted


def package_option(pkg: Package) -> str:
    """The package path to name in a suggested command: as the user named it (a relative path such as "."
    is repeated as typed), or "" for a package that `cotw locate` run here finds without one (the
    package around the current directory, else the installed data) and that was not named so."""
    from ..discovery import resolve

    try:
        if pkg.root.is_absolute() and os.path.realpath(resolve(None).path) == os.path.realpath(pkg.root):
            return ""
    except Exception:  # no installed data: the path must be named
        pass
    return str(pkg.root)
