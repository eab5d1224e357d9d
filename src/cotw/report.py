"""Problems found by `cotw check`, collected into one report and rendered as text, JSON or GitHub annotations.

Two promises hold for any package, however hostile:

- Bounded: the report keeps at most MAX_KEPT problems per (rule, file), REPORT_MAX_KEPT in all and
  REPORT_MAX_CHARS characters of their text in all, and only counts the rest, so a million bad cells
  cost a count, not a million objects. Each problem's message, hint and value (and column and file)
  are cut to PROBLEM_MAX_MESSAGE, PROBLEM_MAX_HINT and PROBLEM_MAX_VALUE characters, saying how many
  more there were, as it is added, whoever made it (cotw's rules or frictionless). Text and GitHub
  output show at most MAX_SHOWN per (rule, file) and REPORT_MAX_SHOWN in all, then "... and N more";
  JSON lists what was kept and, per rule and file, how many more were found; the summary counts
  all. The numbers live in limits.py.
- Honest: every line printed is one problem. Text that comes from the package (cell values, file
  names, descriptor properties) may hold newlines or terminal escape sequences; `escape` turns every
  such character into a visible escape, so data can neither forge a line (e.g. "valid: 8 tables")
  nor drive the terminal. Every renderer, and every command that prints package text, uses it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from .limits import (MAX_KEPT, MAX_NAMES, MAX_SHOWN, MAX_VALUE, PROBLEM_MAX_HINT, PROBLEM_MAX_MESSAGE, PROBLEM_MAX_VALUE,
                     REPORT_MAX_CHARS, REPORT_MAX_KEPT, REPORT_MAX_SHOWN)

# C0 and C1 controls (newline, carriage return, escape, ...), DEL, and the characters that end a line
# or reorder its text (line/paragraph separators, bidirectional overrides) without being controls
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def escape(text: object) -> str:
    """`text` with every control, line-ending or bidi character written as a Python escape (`\\n`, `\\x1b`,
    `\\u2028`), so that it prints as exactly one inert line. Backslashes are left alone: messages already
    carry repr()'d values, and doubling them would only garble those."""
    text = str(text)
    return text if text.isprintable() else _UNSAFE.sub(_visible, text)


def shorten(value: object, limit: int = MAX_VALUE) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names_list(names, limit: int = MAX_NAMES, quote: bool = False) -> str:
    """`names` comma-separated (repr()'d with quote=True), at most `limit` of them, then how many more."""
    names = list(names)
    listed = ", ".join(repr(shorten(n, 40)) if quote else shorten(n, 40) for n in names[:limit])
    return listed + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


@dataclass(frozen=True)
class Problem:
    """One problem, located as precisely as the layer allows."""

    layer: str  # usage | descriptor | structure | schema | provenance | frictionless
    rule: str  # short machine name: enum, foreign-key, verbatim, ...
    message: str  # plain words, includes the offending value
    file: str | None = None  # relative to the package root, POSIX
    line: int | None = None  # physical CSV line (header = 1)
    column: str | None = None
    value: str | None = None
    hint: str | None = None
    cause: str | None = None  # the location of the problem that causes this one (e.g. a changed archive)

    def location(self) -> str:
        loc = self.file or "datapackage.json"
        if self.line is not None:
            loc += f":{self.line}"
        return loc

    def text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        caused = f" (follows from {self.cause})" if self.cause else ""
        return escape(f"{self.location()}: {self.message}{hint}{caused} [{self.rule}]")

    @property
    def group(self) -> tuple[str, str]:
        """What the output bounds count by: the rule and the file."""
        return self.rule, self.file or "datapackage.json"


def cut(text: str | None, limit: int) -> str | None:
    """`text` cut to at most `limit` characters (at least 100), saying how many were left out; a text cut
    once is not cut again."""
    if text is None or len(text) <= limit:
        return text
    kept = limit - 40  # room for the note: "… (N more characters)" for any N
    return f"{text[:kept]}… ({len(text) - kept:,} more characters)"


def bounded(problem: Problem) -> Problem:
    """`problem` with its message, hint, value, column and file cut to their budgets (limits.py)."""
    m, h, v, c, f = problem.message, problem.hint, problem.value, problem.column, problem.file
    if (len(m) <= PROBLEM_MAX_MESSAGE and (h is None or len(h) <= PROBLEM_MAX_HINT) and (v is None or len(str(v)) <= PROBLEM_MAX_VALUE)
            and (c is None or len(c) <= PROBLEM_MAX_VALUE) and (f is None or len(f) <= PROBLEM_MAX_MESSAGE)):
        return problem
    return replace(problem, message=cut(m, PROBLEM_MAX_MESSAGE), hint=cut(h, PROBLEM_MAX_HINT),
                   value=None if v is None else cut(str(v), PROBLEM_MAX_VALUE), column=cut(c, PROBLEM_MAX_VALUE),
                   file=cut(f, PROBLEM_MAX_MESSAGE))


def _size(p: Problem) -> int:
    return len(p.message) + len(p.hint or "") + len(p.value or "") + len(p.file or "") + len(p.column or "")


def _key(rule: str, file: str | None) -> tuple[str, str]:
    """The (rule, file) a problem is counted under: its file as cut by `bounded`."""
    return rule, cut(file or "datapackage.json", PROBLEM_MAX_MESSAGE)


class Problems(list):
    """A list of problems that keeps at most MAX_KEPT per (rule, file), REPORT_MAX_KEPT and
    REPORT_MAX_CHARS characters in all, each cut to its budget, and counts the rest in `omitted`.

    Adding is the only way in (`append`, `extend`, `+=`), so every producer is bounded without
    knowing it; a producer that knows a count without building the problems calls `omit`."""

    def __init__(self, problems=()):
        super().__init__()
        self.omitted: Counter[tuple[str, str]] = Counter()
        self._kept: Counter[tuple[str, str]] = Counter()
        self._chars = 0
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        key = _key(*problem.group)
        if self._kept[key] < MAX_KEPT and len(self) < REPORT_MAX_KEPT and self._chars < REPORT_MAX_CHARS:
            problem = bounded(problem)
            self._kept[key] += 1
            self._chars += _size(problem)
            super().append(problem)
        else:
            self.omitted[key] += 1

    def extend(self, problems) -> None:
        for p in problems:
            self.append(p)
        for (rule, file), n in getattr(problems, "omitted", {}).items():
            self.omit(rule, file, n)

    def __iadd__(self, problems):
        self.extend(problems)
        return self

    def full(self, rule: str, file: str | None) -> bool:
        """Whether a problem of `rule` in `file` would only be counted (so the caller need not build it)."""
        return self._kept[_key(rule, file)] >= MAX_KEPT or len(self) >= REPORT_MAX_KEPT or self._chars >= REPORT_MAX_CHARS

    def omit(self, rule: str, file: str | None, n: int = 1) -> None:
        """Count `n` problems of `rule` in `file` that were found but not built."""
        if n > 0:
            self.omitted[_key(rule, file)] += n

    def total(self) -> int:
        return len(self) + sum(self.omitted.values())


@dataclass
class Report:
    """What `cotw check` found: every problem at once (bounded, see the module docstring), plus what was checked."""

    root: str
    problems: Problems = field(default_factory=Problems)
    rows: dict[str, int] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # advice that does not make the data invalid

    def __post_init__(self):
        if not isinstance(self.problems, Problems):
            self.problems = Problems(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems.total()

    @property
    def count(self) -> int:
        """How many problems were found, including those not kept."""
        return self.problems.total()

    @property
    def usage_error(self) -> Problem | None:
        """The problem that says PATH is not a package at all (the caller's mistake), if any."""
        return next((p for p in self.problems if p.layer == "usage"), None)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    def sorted_problems(self) -> list[Problem]:
        """By layer, file and line; a problem caused by another (its `cause`) right after its cause, which
        comes first: the root cause is read before what it causes."""
        order = {"usage": -1, "descriptor": 0, "structure": 1, "schema": 2, "provenance": 3, "frictionless": 4}
        ranked = sorted(self.problems, key=lambda p: (order.get(p.layer, 9), p.file or "", p.line or 0, p.column or "", p.rule, p.message))
        causes = {p.location() for p in ranked if p.cause is None}
        caused: dict[str, list[Problem]] = {}
        for p in ranked:
            if p.cause in causes:
                caused.setdefault(p.cause, []).append(p)
        roots = sorted((p for p in ranked if p.cause not in causes),
                       key=lambda p: (order.get(p.layer, 9), p.location() not in caused, p.file or "", p.line or 0))
        out = []
        for p in roots:
            out.append(p)
            if p.cause is None:
                out.extend(caused.pop(p.location(), []))
        return out

    def to_dict(self) -> dict:
        """The report as JSON data. `problems` lists at most MAX_KEPT problems per rule and file; `omitted`
        lists, per rule and file, how many more were found and left out; `count` counts them all."""
        return {
            "valid": self.ok,
            "root": self.root,
            "layers": self.layers,
            "rows": self.rows,
            "count": self.count,
            # `cause` only where a problem has one: the other problems keep the shape they always had
            "problems": [{k: v for k, v in asdict(p).items() if k != "cause" or v is not None} for p in self.sorted_problems()],
            "omitted": [{"rule": rule, "file": file, "count": n} for (rule, file), n in sorted(self.problems.omitted.items())],
            "notices": self.notices,
        }

    def _bounded(self):
        """(problem, None) for each problem to show, in order; after the last one shown of a (rule, file)
        that has n more, (None, (rule, file, n))."""
        hidden = Counter(self.problems.omitted)
        left: Counter[tuple[str, str]] = Counter()
        shown = []
        for p in self.sorted_problems():
            if left[p.group] < MAX_SHOWN and len(shown) < REPORT_MAX_SHOWN:
                left[p.group] += 1
                shown.append(p)
            else:
                hidden[p.group] += 1
        for p in shown:
            yield p, None
            left[p.group] -= 1
            if not left[p.group] and hidden[p.group]:
                yield None, (*p.group, hidden.pop(p.group))
        for (rule, file), n in hidden.items():  # only counted, none kept: still said
            if n:
                yield None, (rule, file, n)

    def render_text(self) -> str:
        lines = []
        for p, more in self._bounded():
            if p is None:
                rule, file, n = more
                lines.append(escape(f"{file}: ... and {n} more like this [{rule}]"))
            else:
                lines.append(("  " if p.cause else "") + p.text())  # what a cause causes, indented under it
        lines.append(self.summary())
        lines.extend(escape(f"note: {n}") for n in self.notices)
        return "\n".join(lines)

    def summary(self) -> str:
        if self.ok:
            return f"valid: {len(self.rows)} tables, {sum(self.rows.values())} rows ({', '.join(self.layers)})"
        n = self.count
        return escape(f"invalid: {n} problem{'s' if n != 1 else ''} in {self.root} ({', '.join(self.layers)})")

    def render_github(self) -> str:
        out = []
        for p, more in self._bounded():
            if p is None:
                rule, file, n = more
                out.append(f"::error file={_gh(file, prop=True)},title={_gh(f'cotw: {rule}', prop=True)}::"
                           f"{_gh(f'... and {n} more like this')}")
                continue
            props = [f"file={_gh(p.file or 'datapackage.json', prop=True)}"]
            if p.line is not None:
                props.append(f"line={p.line}")
            props.append(f"title={_gh(f'cotw {p.layer}: {p.rule}', prop=True)}")
            hint = f" ({p.hint})" if p.hint else ""
            caused = f" (follows from {p.cause})" if p.cause else ""
            out.append(f"::error {','.join(props)}::{_gh(p.message + hint + caused)}")
        for n in self.notices:
            out.append(f"::notice::{_gh(n)}")
        out.append(self.summary())
        return "\n".join(out)


def _gh(text: str, prop: bool = False) -> str:
    """Escape for GitHub workflow commands (after `escape`, so no raw control character is left)."""
    text = escape(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
