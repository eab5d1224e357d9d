"""Reading a descriptor or schema file of an untrusted package: bytes (read by safeio or the zip reader) to
a JSON value, or one located JSONError (file and line) that says what is wrong and what would be right.

The standard library's `json` parses the text, once. Alone it is not enough for hostile input: it
silently keeps the last of two equal keys in an object, accepts the non-JSON constants NaN and
Infinity, turns 1e400 into an infinite float, and recurses once per nesting level. So the parse is
told to refuse the constants and infinite numbers, an `object_pairs_hook` notes every key seen twice,
a nesting deeper than the C parser's recursion limit is caught as RecursionError, and the nesting of
the parsed value is measured without recursion. Only when one of these is wrong is the text scanned
once more, linearly (`_scan`), to say on which line.
"""
from __future__ import annotations

import json
import math
import re


class JSONError(ValueError):
    """What is wrong with a JSON file, located: `file` and (where known) `line`. The package turns it into a
    PackageError; it is its own type so that reading JSON does not depend on the package module."""

    def __init__(self, message: str, file: str, line: int | None = None):
        super().__init__(message)
        self.message, self.file, self.line = message, file, line


MAX_DEPTH = 100  # far deeper than any Data Package needs (cotw's own is 6 deep)
MAX_BYTES = 16 * 2**20  # cotw's descriptor is ~20 kB; a bigger one is not hand-curated

# a string (with whether it is closed and a ':' follows, i.e. it is an object key), a bracket, or a bare
# constant. Possessive, and an unclosed string runs to the end of the text: every character is looked at
# a bounded number of times (a pattern that must find the closing quote retries from every quote inside an
# unclosed string: quadratic, 16 s for 40 kB of escaped quotes)
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+("?)(\s*+:)?|[\[\]{}]|NaN|-?Infinity', re.S)


class _Constant(ValueError):
    pass


def loads(data: bytes, file: str) -> object:
    """The JSON value in `data`, read from `file` (the name used in messages, relative to the package)."""
    if len(data) > MAX_BYTES:
        raise JSONError(f"{file} is larger than {MAX_BYTES} bytes, the most cotw reads of a descriptor or schema file", file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise JSONError(f"{file} is not UTF-8 (byte 0x{data[exc.start]:02x} at byte {exc.start}); save it as UTF-8", file, line) from None
    if text.startswith("\ufeff"):
        raise JSONError(f"{file} starts with a byte-order mark (BOM); save it as UTF-8 without BOM", file, 1)
    duplicated = False

    def pairs(items: list) -> dict:
        nonlocal duplicated
        out = dict(items)
        duplicated = duplicated or len(out) != len(items)
        return out

    def constant(token: str):
        raise _Constant(token)

    try:
        value = json.loads(text, parse_float=_finite, parse_constant=constant, object_pairs_hook=pairs)
    except RecursionError:
        _too_deep(text, file)
        raise JSONError(_deep_message(file), file) from None  # not found again by the scan: say it unlocated
    except _Constant as exc:
        _, constant_at = _scan(text, file)
        token, pos = constant_at if constant_at else (str(exc), None)
        raise JSONError(f"{file} is not valid JSON: {token} is not a JSON number (write a number, or null)", file,
                        None if pos is None else _line(text, pos)) from None
    except json.JSONDecodeError as exc:
        raise JSONError(f"{file} is not valid JSON: {exc.msg} (column {exc.colno})", file, exc.lineno) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits, or 1e400
        raise JSONError(f"{file} holds a value cotw cannot read: {exc}", file) from None
    if _depth(value) > MAX_DEPTH:
        _too_deep(text, file)
        raise JSONError(_deep_message(file), file)
    if duplicated:
        duplicates, _ = _scan(text, file)
        if duplicates:
            key, first, second = duplicates[0]
            more = len(duplicates) - 1
            more = f" ({more} more duplicate key{'s' if more > 1 else ''} after it)" if more else ""
            raise JSONError(f"{file}: key {key!r} appears twice in the same object (lines {_line(text, first)} and {_line(text, second)}); "
                            f"JSON keeps only the last, so the first would be silently lost: remove or rename one{more}", file, _line(text, second))
        raise JSONError(f"{file}: a key appears twice in the same object; JSON keeps only the last, so the first would be "
                        "silently lost: remove or rename one", file)
    return value


def _deep_message(file: str) -> str:
    return f"{file} is nested more than {MAX_DEPTH} levels deep; cotw reads descriptors and schemas nested at most {MAX_DEPTH} levels"


def _depth(value: object) -> int:
    """How deeply `value` nests (a scalar: 0; [] or {}: 1), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = v.values()
        elif not isinstance(v, list):
            continue
        deepest = max(deepest, d)
        stack.extend((x, d + 1) for x in v if isinstance(x, (dict, list)))
    return deepest


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large to be a finite number")
    return value


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _too_deep(text: str, file: str) -> None:
    """Raise the located depth error when the scan finds the nesting deeper than MAX_DEPTH."""
    _scan(text, file)


def _scan(text: str, file: str) -> tuple[list[tuple[str, int, int]], tuple[str, int] | None]:
    """One linear pass over the tokens of `text`. Raise when the nesting is deeper than MAX_DEPTH. Return the
    duplicate keys as (key, offset of the first, offset of the second) and the first bare NaN/Infinity as
    (token, offset). Called only once the parser has found something wrong, to say where."""
    stack: list[dict[str, int] | None] = []  # per open container: its keys and their offsets (None: an array)
    duplicates: list[tuple[str, int, int]] = []
    constant = None
    for m in _TOKEN.finditer(text):
        token = m.group()
        c = token[0]
        if c == '"':
            if not m.group(1) or m.group(2) is None or not stack or stack[-1] is None:
                continue
            raw = token[: len(token) - len(m.group(2))]
            try:
                key = json.loads(raw) if "\\" in raw else raw[1:-1]
            except ValueError:
                continue  # an invalid escape: the parser reports it
            keys = stack[-1]
            if key in keys:
                duplicates.append((key, keys[key], m.start()))
            else:
                keys[key] = m.start()
        elif c in "[{":
            stack.append({} if c == "{" else None)
            if len(stack) > MAX_DEPTH:
                raise JSONError(_deep_message(file), file, _line(text, m.start()))
        elif c in "]}":
            if stack:
                stack.pop()
        elif constant is None:
            constant = (token, m.start())
    return duplicates, constant
