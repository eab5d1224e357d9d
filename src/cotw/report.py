"""Problems found by `cotw check`, collected into one report and rendered as text, JSON or GitHub annotations."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

MAX_VALUE = 80


def shorten(value: object, limit: int = MAX_VALUE) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One problem, located as precisely as the layer allows."""

    layer: str  # descriptor | structure | schema | provenance | frictionless
    rule: str  # short machine name: enum, foreign-key, verbatim, ...
    message: str  # plain words, includes the offending value
    file: str | None = None  # relative to the package root, POSIX
    line: int | None = None  # physical CSV line (header = 1)
    column: str | None = None
    value: str | None = None
    hint: str | None = None

    def location(self) -> str:
        loc = self.file or "datapackage.json"
        if self.line is not None:
            loc += f":{self.line}"
        return loc

    def text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.location()}: {self.message}{hint} [{self.rule}]"


@dataclass
class Report:
    """What `cotw check` found: every problem at once, plus what was checked."""

    root: str
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # advice that does not make the data invalid

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    def sorted_problems(self) -> list[Problem]:
        order = {"descriptor": 0, "structure": 1, "schema": 2, "provenance": 3, "frictionless": 4}
        return sorted(self.problems, key=lambda p: (order.get(p.layer, 9), p.file or "", p.line or 0, p.column or "", p.rule, p.message))

    def to_dict(self) -> dict:
        return {
            "valid": self.ok,
            "root": self.root,
            "layers": self.layers,
            "rows": self.rows,
            "problems": [{k: v for k, v in asdict(p).items()} for p in self.sorted_problems()],
            "notices": self.notices,
        }

    def render_text(self) -> str:
        lines = [p.text() for p in self.sorted_problems()]
        lines.append(self.summary())
        lines.extend(f"note: {n}" for n in self.notices)
        return "\n".join(lines)

    def summary(self) -> str:
        if self.ok:
            return f"valid: {len(self.rows)} tables, {sum(self.rows.values())} rows ({', '.join(self.layers)})"
        n = len(self.problems)
        return f"invalid: {n} problem{'s' if n != 1 else ''} in {self.root} ({', '.join(self.layers)})"

    def render_github(self) -> str:
        out = []
        for p in self.sorted_problems():
            props = [f"file={_gh(p.file or 'datapackage.json', prop=True)}"]
            if p.line is not None:
                props.append(f"line={p.line}")
            props.append(f"title={_gh(f'cotw {p.layer}: {p.rule}', prop=True)}")
            hint = f" ({p.hint})" if p.hint else ""
            out.append(f"::error {','.join(props)}::{_gh(p.message + hint)}")
        for n in self.notices:
            out.append(f"::notice::{_gh(n)}")
        out.append(self.summary())
        return "\n".join(out)


def _gh(text: str, prop: bool = False) -> str:
    """Escape for GitHub workflow commands."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
