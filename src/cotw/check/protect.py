"""Protections that hold whatever a package's schema says.

A pull request controls its own datapackage.json and schema/*.json, so a protection that lived in the
schema could be switched off by the very change it should judge. The schema may add rules; these
are code, and no schema removes them:

- `archive_problem`: an archived source (`sources.archive`) is read only from under `seeds/`, and no
  component of its path (as written, and as it resolves) is hidden (`.git`, `.env`) or a dot.
- `field_name_problem`: no field name (a header cell of every CSV download) begins like a formula or
  holds a control character (profile.schema_problems reports it as a table-schema error).
- `text_checks` (in derive.py, which builds the checks): no cell of any field, whatever its type, pattern, vocabulary or format, holds a control
  character other than tab and line breaks or is longer than an Excel cell (32,767 characters); no cell
  but a number (which its type check proves is one) begins like a spreadsheet formula (`=`, `+`, `-`,
  `@`, tab, carriage return).
- `re2_pattern` and `fullmatch`: every pattern of a schema is matched by RE2, in time linear in the
  cell, never by Python's backtracking `re` (`(\\w+)+y` on 25 characters took 8 s there). Python's
  meaning is kept: `\\d`, `\\w`, `\\s` and their negations are written out as the exact classes of
  code points Python's `re` gives them (RE2's own are ASCII only). A construct RE2 has no linear
  equivalent for (a word boundary, a back-reference, a look-around) is refused with its reason:
  `cotw check` reports it as a located table-schema error (see profile.pattern_problem).
- The verbatim hint ("the cell has ... where the source has ...") quotes only an archive whose bytes
  match the sha256 of its row (see provenance.archives): a file the contributor did not curate is never
  shown.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

# --- archives -------------------------------------------------------------------------------------

ARCHIVE_FOLDER = "seeds"


def archive_problem(path: str) -> str | None:
    """Why `path` (relative, POSIX, as written in sources.csv or as it resolves) may not be an archived
    source, or None: it must lie under seeds/, and no component may begin with a dot."""
    parts = path.split("/")
    if any(p.startswith(".") for p in parts):
        return f"has a hidden or dot component; archives are read only from under {ARCHIVE_FOLDER}/, from no hidden file or folder"
    if len(parts) < 2 or parts[0] != ARCHIVE_FOLDER or not all(parts):
        return f"is not under {ARCHIVE_FOLDER}/; cotw reads archived sources only from there"
    return None


# --- safe text --------------------------------------------------------------------------------------

# Characters that make a spreadsheet treat a CSV cell as a formula (OWASP "CSV injection"), and the
# control characters that XML (so XLSX) cannot store. One pattern per regex dialect: pyarrow's RE2
# writes code points as \x{...}, Python's re as \u....
FORMULA_RE2 = r"^[=+\-@\t\r]"  # the same in Python's re
CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{FFFE}\x{FFFF}]"
CONTROL_RX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
TEXT_RULES = ("control-character:", "formula-prefix:")
MAX_CELL = 32_767  # characters: the most an Excel cell holds (a schema without maxLength bounds nothing)
NUMERIC = ("number", "integer")  # types whose check admits only numbers (blocks.NUMBER): '-5' is no formula


def field_name_problem(name: str) -> str | None:
    """Why a field name may not be used, or None: it heads a column of every CSV download, where a name
    that begins like a formula runs as one, and XML (the Excel workbook) cannot store a control character."""
    if re.match(FORMULA_RE2, name):
        return (f"begins with {name[:1]!r}, which makes a spreadsheet run the CSV download's header cell as a formula; "
                "begin the name with a letter")
    if CONTROL_RX.search(name):
        return "holds a control character, which spreadsheets and XML cannot store"
    return None


def formula_exempt(field: dict) -> bool:
    """Whether a field's cells may begin with '-' or '+': only a number or integer field, whose type check
    (code, not schema) admits nothing but numbers. A pattern, vocabulary, format or trueValues exempts nothing."""
    return field.get("type", "string") in NUMERIC


def free_of(a, re2: str):
    """True for the cells in which the RE2 pattern does not occur (unanchored), and for missing cells."""
    found = pc.match_substring_regex(a, re2)
    return pc.invert(found if found.null_count == 0 else pc.fill_null(found, False))


# --- patterns: RE2 only -------------------------------------------------------------------------------

class PatternRefused(ValueError):
    """A schema pattern cotw will not run: `reason` says why, in words that follow the pattern."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_CLASS_ESCAPES = "dDwWsS"
_CONTROL_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_HEX = {"x": 2, "u": 4, "U": 8}


def _cp(n: int) -> str:
    return f"\\x{{{n:x}}}"


# Python's \s (Py_UNICODE_ISSPACE) as (first, last) ranges, for the Unicode versions whose tables it was
# read from: Python 3.11's 14.0.0 (tests/test_hostile_03.py compares it with a scan of the running Python).
# cotw's own sources.url pattern uses \S, so every `cotw check` needs it; another version is worked out.
_SPACE = ((0x9, 0xD), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
          (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000))
_SPACE_READ_FROM = ("14.0.0",)


@lru_cache(maxsize=None)
def _ranges(escape: str) -> tuple[tuple[int, int], ...]:
    if escape == "s" and unicodedata.unidata_version in _SPACE_READ_FROM:
        return _SPACE
    return _scan(escape)


def _scan(escape: str) -> tuple[tuple[int, int], ...]:
    """The code points Python's `re` gives `\\d`, `\\w` or `\\s` in a str pattern, as (first, last) ranges,
    worked out from the running Python's own Unicode tables; surrogates left out. `\\s` is what `str.split`
    splits at (both are Py_UNICODE_ISSPACE), found in a few ms; `\\d` and `\\w` by a scan with `re` itself
    (`\\d` as the gaps between runs of `\\D`: fewer, longer matches, so about half the time)."""
    import numpy as np

    out: list[tuple[int, int]] = []
    for lo, hi in ((0, 0xD800), (0xE000, 0x110000)):  # RE2 reads UTF-8, which has no surrogates
        chars = str(np.arange(lo, hi, dtype="<u4"), "utf-32-le")  # decoded from the array's buffer: no copy to bytes first
        if escape == "s":
            out += [(lo + a, lo + b) for a, b in _space_runs(chars)]
        elif escape == "d":
            out += [(lo + a, lo + b) for a, b in _gaps([(m.start(), m.end() - 1) for m in re.finditer(r"\D+", chars)], len(chars))]
        else:
            out += [(lo + m.start(), lo + m.end() - 1) for m in re.finditer(f"\\{escape}+", chars)]
    return tuple(out)


def _space_runs(chars: str) -> list[tuple[int, int]]:
    """The runs of whitespace in `chars` as (first, last) positions: the gaps `str.split()` leaves between
    its words (the runs are a few characters long, so walking them costs nothing)."""
    out, pos = [], 0
    for word in chars.split():
        start = pos
        while chars[pos].isspace():
            pos += 1
        if pos > start:
            out.append((start, pos - 1))
        pos += len(word)
    if pos < len(chars):
        out.append((pos, len(chars) - 1))
    return out


def _gaps(runs: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """The positions of 0..n-1 not in `runs` (sorted, disjoint (first, last) pairs), as (first, last) pairs."""
    out, nxt = [], 0
    for a, b in runs:
        if a > nxt:
            out.append((nxt, a - 1))
        nxt = b + 1
    if nxt < n:
        out.append((nxt, n - 1))
    return out


def _complement(ranges) -> list[tuple[int, int]]:
    out, nxt = [], 0
    for lo, hi in ranges:
        for a, b in ((nxt, lo - 1),):
            out += [(a, min(b, 0xD7FF)), (max(a, 0xE000), b)] if a <= 0xDFFF and b >= 0xD800 else [(a, b)]
        nxt = hi + 1
    out += [(nxt, 0xD7FF), (0xE000, 0x10FFFF)] if nxt <= 0xD7FF else [(max(nxt, 0xE000), 0x10FFFF)]
    return [(a, b) for a, b in out if a <= b]


@lru_cache(maxsize=None)
def class_body(escape: str) -> str:
    """The inside of an RE2 character class (ranges of \\x{...}) holding exactly the code points Python's
    `re` gives `\\<escape>` (d, D, w, W, s, S). Worked out once per process and escape: \\s is known
    (_SPACE) or ~5 ms, \\d ~15 ms, \\w ~30 ms."""
    ranges = _ranges(escape.lower())
    if escape.isupper():
        ranges = _complement(ranges)
    return "".join(_cp(a) if a == b else f"{_cp(a)}-{_cp(b)}" for a, b in ranges)


@lru_cache(maxsize=1024)
def re2_pattern(pattern: str) -> str:
    """`pattern` (a Table Schema pattern, read by Python's `re` as frictionless does) rewritten for RE2 with
    the same meaning, or PatternRefused. Escapes whose meaning differs are written out: the classes as
    Python's exact code points, \\Z as \\z, \\uXXXX, \\N{...} and control escapes as \\x{...}; an
    escaped symbol as its code point. What RE2 cannot do in linear time (back-references, word
    boundaries, look-arounds) is refused, here or by RE2's compiler."""
    if any("\ud800" <= c <= "\udfff" for c in pattern):
        raise PatternRefused("holds a lone surrogate (\\ud800-\\udfff), which is no character")
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise PatternRefused("ends with a lone backslash")
            e = pattern[i + 1]
            i += 2
            if e in _CLASS_ESCAPES:
                body = class_body(e)
                out.append(body if in_class else f"[{body}]")
            elif e in _CONTROL_ESCAPES:
                out.append(_cp(_CONTROL_ESCAPES[e]))
            elif e == "b" and in_class:
                out.append(_cp(8))  # backspace, inside a class
            elif e in "bB":
                raise PatternRefused(f"uses \\{e}, a word boundary, which regex engines disagree on; write the characters around it instead")
            elif e == "A" and not in_class:
                out.append("\\A")
            elif e == "Z" and not in_class:
                out.append("\\z")  # Python's \Z is the very end of the text: RE2's \z
            elif e in _HEX:
                digits = pattern[i: i + _HEX[e]]
                if len(digits) != _HEX[e] or not all(d in "0123456789abcdefABCDEF" for d in digits):
                    raise PatternRefused(f"has an incomplete escape \\{e}{digits}")
                out.append(_cp(int(digits, 16)))
                i += _HEX[e]
            elif e == "N" and pattern[i: i + 1] == "{" and "}" in pattern[i:]:
                name = pattern[i + 1: pattern.index("}", i)]
                try:
                    out.append(_cp(ord(unicodedata.lookup(name))))
                except KeyError:
                    raise PatternRefused(f"names an unknown character \\N{{{name[:40]}}}") from None
                i += len(name) + 2
            elif e.isdigit():
                raise PatternRefused(f"uses \\{e} (a back-reference or an octal escape), which RE2 cannot match in linear time; "
                                     "write a character as \\xhh or \\uhhhh")
            elif e.isascii() and e.isalnum():
                raise PatternRefused(f"uses the escape \\{e}, which cotw does not know")
            else:
                out.append(_cp(ord(e)))  # an escaped symbol is that character
        elif in_class:
            if c == "]":
                in_class = False
                out.append("]")
            elif c == "[":
                out.append("\\[")  # a literal in Python; RE2 would read [:alpha:] as a class
            else:
                out.append(c)
            i += 1
        elif c == "[":
            in_class = True
            out.append("[")
            i += 1
            if pattern[i: i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i: i + 1] == "]":  # a ] first in a class is a literal in Python
                out.append("\\]")
                i += 1
        elif c == "{" and (m := _OPEN_MIN.match(pattern, i)):
            out.append("{0," + m.group(1) + "}")  # Python's x{,3} is x{0,3}; RE2 would read it as text
            i = m.end()
        else:
            out.append(c)
            i += 1
    if in_class:
        raise PatternRefused("has a character class [ that is never closed")
    return "".join(out)


_OPEN_MIN = re.compile(r"\{,([0-9]+)\}")


@lru_cache(maxsize=1024)
def anchored(pattern: str) -> str:
    """The RE2 pattern that matches a cell wholly as `pattern` does (Table Schema patterns are anchored)."""
    return f"^(?:{re2_pattern(pattern)})$"


def fullmatch(a, pattern: str):
    """Cells of arrow text `a` that match `pattern` as a whole, by RE2 (linear in the cells); False where
    missing. PatternRefused for a pattern cotw does not run (`cotw check` reports it first)."""
    try:
        found = pc.match_substring_regex(a, anchored(pattern))
        return found if found.null_count == 0 else pc.fill_null(found, False)  # no kernel call when nothing is missing
    except pa.ArrowInvalid as exc:
        raise PatternRefused(f"cannot be used: RE2 rejects it ({str(exc).removeprefix('Invalid regular expression: ')[:80]})") from None


def matches(pattern: str, value: str) -> bool:
    """Whether one value matches `pattern` as a whole (by RE2, as `fullmatch`)."""
    return bool(fullmatch(pa.array([value], pa.large_string()), pattern)[0].as_py())
