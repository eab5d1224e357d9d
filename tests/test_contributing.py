"""CONTRIBUTING.md's walk-through is one real session: every `$` line runs, in order, on a scratch copy of the
package, and prints exactly what the document shows (errors included, as a terminal shows them)."""
from __future__ import annotations

from test_readme import console_steps, run_step


def test_the_walk_through_prints_what_it_shows(root, pkg):
    steps = console_steps((root / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    assert any(c.startswith("cotw source add") for c, _ in steps) and any(c.startswith("cotw locate") for c, _ in steps)
    for command, expected in steps:
        assert run_step(command, pkg, with_stderr=True) == expected, command
