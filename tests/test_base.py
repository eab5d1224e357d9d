"""`cotw check --base`: a pull request's data is judged by the base's descriptor and schemas, and every change
it makes to them is a located problem of its own ([schema-changed], exit 3 when it is the only one)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

import cotw
from conftest import edit_csv

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def edit_schema(pkg, table, change):
    path = pkg / "schema" / f"{table}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def field(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


def drop_enum(schema):
    del field(schema, "stance")["constraints"]["enum"]


def drop_pattern(schema):
    del field(schema, "topics")["constraints"]["pattern"]


def drop_country_key(schema):
    schema["foreignKeys"] = [fk for fk in schema["foreignKeys"] if fk["fields"] != ["country"]]


# (table, how the contribution weakens its schema, the row it adds that only the old rule refuses, what check says)
WEAKENED = {
    "enum": ("conditions", drop_enum, (3, "stance", "require"), "data/conditions.csv:3: stance 'require' is not one of"),
    "pattern": ("statements", drop_pattern, (2, "topics", "troops;bogus"), "data/statements.csv:2: topics 'troops;bogus' does not match"),
    "foreign-key": ("statements", drop_country_key, (19, "country", "UKK"), "data/statements.csv:19: country 'UKK' is not a code in data/countries.csv"),
}


@pytest.fixture
def base(tmp_path, pkg):
    """The base branch: an untouched copy of the package (pkg is the contribution)."""
    dest = tmp_path / "base"
    shutil.copytree(pkg, dest)
    return dest


def texts(report):
    return [p.text() for p in report.sorted_problems()]


@pytest.mark.parametrize("rule", sorted(WEAKENED))
def test_a_weakened_schema_does_not_let_bad_rows_through(pkg, base, rule):
    table, weaken, (line, column, value), expected = WEAKENED[rule]
    edit_schema(pkg, table, weaken)
    edit_csv(pkg / "data" / f"{table}.csv", line, column, value)
    assert cotw.validate(pkg).ok  # judged by its own rules, the contribution passes: the attack
    report = cotw.validate(pkg, base=base)
    found = texts(report)
    assert any(t.startswith(expected) and t.endswith(f"[{rule}]") for t in found), found
    changed = [p for p in report.problems if p.rule == "schema-changed"]
    assert [p.file for p in changed] == [f"schema/{table}.json"]


def test_the_change_is_located_and_named(pkg, base):
    edit_schema(pkg, "conditions", drop_enum)
    (changed,) = [p for p in cotw.validate(pkg, base=base).problems if p.rule == "schema-changed"]
    assert changed.layer == "descriptor"
    assert "differs from the base's at /fields/4/constraints/enum (removed)" in changed.message
    assert changed.hint == "a maintainer must review this change to the rules before merging"


def test_an_unchanged_contribution_is_valid_under_its_base(pkg, base, cli):
    edit_csv(pkg / "data/statements.csv", 2, "notes", "a new note")
    result = cli("check", pkg, "--base", base)
    assert result.exit_code == 0, result.output
    assert "schema-changed" not in result.stdout
    assert "note: judged by the descriptor and schemas of the base" in result.stdout


@pytest.mark.parametrize("fmt, expected", [
    ("text", "schema/conditions.json: differs from the base's at /fields/4/constraints/enum (removed)"),
    ("github", "::error file=schema/conditions.json,title=cotw descriptor%3A schema-changed::differs from the base's"),
    ("json", '"rule": "schema-changed"'),
])
def test_a_change_of_the_rules_alone_exits_3_in_every_format(pkg, base, cli, fmt, expected):
    edit_schema(pkg, "conditions", drop_enum)
    result = cli("check", pkg, "--base", base, "--format", fmt)
    assert result.exit_code == 3, result.output
    assert expected in result.stdout


def test_a_change_of_the_rules_and_bad_data_exits_1(pkg, base, cli):
    edit_schema(pkg, "conditions", drop_enum)
    edit_csv(pkg / "data/conditions.csv", 3, "stance", "require")
    assert cli("check", pkg, "--base", base).exit_code == 1


def test_the_descriptor_is_the_base_s_too(pkg, base):
    """A contribution that points a resource at another file, or declares a new schema file, is judged by the
    base's descriptor and told so."""
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in d["resources"] if r["name"] == "conditions")
    res["schema"] = "schema/lax.json"
    shutil.copy(pkg / "schema/conditions.json", pkg / "schema/lax.json")
    edit_schema(pkg, "lax", drop_enum)
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    edit_csv(pkg / "data/conditions.csv", 3, "stance", "require")
    report = cotw.validate(pkg, base=base)
    found = texts(report)
    assert any("stance 'require' is not one of" in t for t in found), found
    changed = {p.file: p.message for p in report.problems if p.rule == "schema-changed"}
    assert set(changed) == {"datapackage.json", "schema/lax.json"}
    assert "/resources/7/schema" in changed["datapackage.json"]
    assert changed["schema/lax.json"].startswith("is new")


def test_a_broken_or_missing_schema_of_the_contribution_is_a_change(pkg, base):
    (pkg / "schema/conditions.json").write_text("{not json", encoding="utf-8")
    os.remove(pkg / "schema/events.json")
    report = cotw.validate(pkg, base=base)
    changed = {p.file: p.message for p in report.problems if p.rule == "schema-changed"}
    assert changed["schema/conditions.json"].startswith("cannot be parsed")
    assert changed["schema/events.json"].startswith("is missing")
    assert {p.rule for p in report.problems} == {"schema-changed"}  # the data itself is still judged, and valid


def test_frictionless_gets_the_base_s_schemas(pkg, base):
    from cotw.check.base import load, rebase

    edit_schema(pkg, "conditions", drop_enum)
    based = rebase(pkg, load(str(base), pkg))
    assert based.read_bytes("schema/conditions.json") == (base / "schema/conditions.json").read_bytes()
    assert based.read_bytes("./schema/conditions.json") == (base / "schema/conditions.json").read_bytes()
    assert based.read_bytes("data/conditions.csv") == (pkg / "data/conditions.csv").read_bytes()


def test_a_base_that_is_not_there_is_a_usage_error(pkg, cli):
    result = cli("check", pkg, "--base", pkg.parent / "nowhere")
    assert result.exit_code == 2
    assert "the base cannot be read" in result.stderr


# ---- a git ref of the repository being checked, read as plain data


def git(repo, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run([GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path, pkg):
    """A repository whose branch `main` holds the package under `pkg/`; the work tree is the pull request's."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copytree(pkg, repo / "pkg")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "pr")
    return repo


@needs_git
@pytest.mark.parametrize("rule", sorted(WEAKENED))
def test_a_git_ref_as_the_base(repo, rule, cli):
    table, weaken, (line, column, value), expected = WEAKENED[rule]
    pkg = repo / "pkg"
    edit_schema(pkg, table, weaken)
    edit_csv(pkg / "data" / f"{table}.csv", line, column, value)
    git(repo, "commit", "-qam", "weaken")
    result = cli("check", pkg, "--base", "main")
    assert result.exit_code == 1, result.output
    assert expected in result.stdout
    assert f"schema/{table}.json: differs from the base's at" in result.stdout
    assert "base main (" in result.stdout


@needs_git
def test_a_git_base_is_read_without_filters_and_refuses_links(repo):
    """A .gitattributes filter or textconv of the checked tree never runs; a schema that is a link in the base
    tree is not followed."""
    pkg = repo / "pkg"
    marker = repo.parent / "ran"
    (repo / ".gitattributes").write_text("*.json filter=evil diff=evil\n", encoding="utf-8")
    git(repo, "config", "filter.evil.smudge", f"touch {marker}; cat")
    git(repo, "config", "filter.evil.clean", f"touch {marker}; cat")
    git(repo, "config", "diff.evil.textconv", f"touch {marker}; cat")
    report = cotw.validate(pkg, base="main")
    assert report.ok, report.render_text()
    assert not marker.exists()
    # a base whose schema is a link (to a file outside the package)
    git(repo, "checkout", "-q", "main")
    (repo / "secret.json").write_text('{"fields": []}', encoding="utf-8")
    os.remove(pkg / "schema/events.json")
    os.symlink("../../secret.json", pkg / "schema/events.json")
    git(repo, "add", "-A", "pkg")
    git(repo, "commit", "-qm", "link")
    report = cotw.validate(pkg, base="HEAD")
    assert report.usage_error is not None
    assert "schema/events.json in the base 'HEAD' is not a regular file (git mode 120000)" in report.usage_error.message


@needs_git
@pytest.mark.parametrize("ref", ["--output=/tmp/x", "no-such-branch", "main:pkg", "HEAD@{1}\n"])
def test_a_ref_that_is_no_commit_is_a_usage_error(repo, ref, cli):
    result = cli("check", repo / "pkg", "--base", ref)
    assert result.exit_code == 2
    assert "is neither an existing folder nor" in result.stderr
    assert not os.path.exists("/tmp/x")


def test_help_says_the_exit_code(cli):
    text = " ".join(cli("check", "--help").stdout.split())
    assert "--base" in text and "Exit 3 when those changes are the only problems" in text


def test_the_ci_recipes_check_pull_requests_by_their_base(root):
    yaml = pytest.importorskip("yaml")
    readme = (root / "README.md").read_text(encoding="utf-8")
    recipe = readme.split("## Keeping a fork of the data", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    steps = yaml.safe_load(recipe)["jobs"]["cotw"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    on_pr = [s for s in steps if s.get("if") == "github.event_name == 'pull_request'"]
    assert [s["run"] for s in on_pr] == ["cotw check . --base origin/${{ github.base_ref }} --format github"]
    ci = yaml.safe_load((root / ".github/workflows/ci.yml").read_text(encoding="utf-8"))["jobs"]["test"]["steps"]
    assert ci[0]["with"]["fetch-depth"] == 0
    assert any('--base "origin/$BASE_REF"' in s.get("run", "") and s["env"]["BASE_REF"] == "${{ github.base_ref }}" for s in ci)


@needs_git
def test_a_git_base_is_read_within_its_bounds(repo, monkeypatch):
    from cotw.check import base as based

    monkeypatch.setattr(based.safeio, "MAX_JSON", 1000)
    report = cotw.validate(repo / "pkg", base="main")
    assert "datapackage.json in the base 'main' is larger than 1000 bytes; it was not read" in report.usage_error.message
    monkeypatch.undo()
    monkeypatch.setattr(based, "GIT_TIMEOUT", 0)
    report = cotw.validate(repo / "pkg", base="main")
    assert "took more than 0 s" in report.usage_error.message
