"""docs/cookbook.md answers the nine questions of issue 10 with recipes whose printed output is what the
data gives: doctest runs every example, and scripts/cookbook.py rewrites the outputs when the data changes."""
from __future__ import annotations

import doctest
import re
import subprocess
import sys

import pytest

FLAGS = doctest.NORMALIZE_WHITESPACE


@pytest.fixture(scope="module")
def page(root):
    return root / "docs" / "cookbook.md"


def run_doctest(path):
    """doctest's result for the page, giving back the pandas options the page sets for itself, so
    that the tests that run after it print frames as before."""
    import pandas as pd

    from contextlib import chdir

    options = re.findall(r'pd\.set_option\("([^"]+)"', path.read_text(encoding="utf-8"))
    with pd.option_context(*[x for name in options for x in (name, pd.get_option(name))]), chdir(path.parents[1]):
        return doctest.testfile(str(path), module_relative=False, optionflags=FLAGS, verbose=False)  # DATA is relative to the root


def generator(root, *args):
    return subprocess.run([sys.executable, str(root / "scripts" / "cookbook.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=root)


def with_stale_outputs(text: str) -> str:
    """`text` with every example's printed output replaced by a line no recipe prints."""
    test = doctest.DocTestParser().get_doctest(text, {}, "cookbook", None, 0)
    lines = text.splitlines(keepends=True)
    for example in sorted((e for e in test.examples if e.want), key=lambda e: e.lineno, reverse=True):
        start = example.lineno + example.source.count("\n")
        lines[start:start + example.want.count("\n")] = ["stale output\n"]
    return "".join(lines)


def test_every_recipe_runs_and_prints_what_the_data_gives(page):
    text = page.read_text(encoding="utf-8")
    result = run_doctest(page)
    assert result.failed == 0
    # every `>>>` line on the page is an example doctest ran (none hides outside its reach)
    assert result.attempted == len(re.findall(r"^>>> ", text, flags=re.M))


def test_each_of_the_nine_questions_has_a_recipe_with_output(page):
    text = page.read_text(encoding="utf-8")
    sections = {int(m.group(1)): m.group(2) for m in re.finditer(r"^## (\d+)\. .*\n((?:(?!^## ).*\n?)*)", text, flags=re.M)}
    assert sorted(sections) == list(range(1, 10))
    for number, body in sections.items():
        examples = doctest.DocTestParser().get_examples(body)
        assert examples, f"question {number} has no recipe"
        assert any(e.want.strip() for e in examples), f"question {number} prints nothing"


def test_no_code_fence_is_read_as_output(page):
    # a block must end with a blank line, or doctest takes its closing ``` for expected output
    # (and the generator would overwrite the fence)
    examples = doctest.DocTestParser().get_examples(page.read_text(encoding="utf-8"))
    assert not [e.source for e in examples if "```" in e.want]


def test_no_output_is_elided_or_skipped(page):
    text = page.read_text(encoding="utf-8")
    assert "ELLIPSIS" not in text and "SKIP" not in text


def test_a_stale_output_fails_the_page_and_the_generator_rewrites_it(root, page, tmp_path):
    current = page.read_text(encoding="utf-8")
    stale = tmp_path / "cookbook.md"
    stale.write_text(with_stale_outputs(current), encoding="utf-8")
    assert run_doctest(stale).failed > 0

    check = generator(root, stale, "--check")
    assert check.returncode == 1 and "stale" in check.stderr + check.stdout
    assert "stale output" in stale.read_text(encoding="utf-8"), "--check changes nothing"

    assert generator(root, stale).returncode == 0
    assert stale.read_text(encoding="utf-8") == current
    assert generator(root, stale, "--check").returncode == 0


def test_the_generator_reports_a_failing_recipe_and_writes_nothing(root, page, tmp_path):
    broken = tmp_path / "cookbook.md"
    text = page.read_text(encoding="utf-8") + '\n```pycon\n>>> cotw.load("no-such-table")\n\n```\n'
    broken.write_text(text, encoding="utf-8")
    line = text.count("\n") - 2
    result = generator(root, broken)
    assert result.returncode == 1
    assert f"{broken}:{line}: " in result.stderr and "UnknownTable" in result.stderr and "not rewritten" in result.stderr
    assert broken.read_text(encoding="utf-8") == text
