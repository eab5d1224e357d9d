"""The export's name and path rules one by one, at their edges (export/paths.py). Written for the mutation run
(docs/mutation.md): each test fails when one comparison of a rule is weakened."""
from __future__ import annotations

import os

import pytest

from cotw.export.paths import MAX_NAME, UnsafeName, check_names, entry, inside, page_stem, stem, table_file


@pytest.mark.parametrize("name", ["a", "A", "0", "_x", "a.b-c_d", "x" * MAX_NAME])
def test_a_plain_name_is_its_own_stem(name):
    assert stem(name) == name and table_file("csv", name, ".csv") == f"csv/{name}.csv"


@pytest.mark.parametrize("name", ["", ".x", "-x", "a/b", "..", "a b", "é", "x" * (MAX_NAME + 1), None, 3, "a\n"])
def test_anything_else_is_refused(name):
    with pytest.raises(UnsafeName, match="cannot be used in a file name"):
        stem(name)


def test_names_differing_only_by_case_are_refused_and_distinct_ones_pass():
    check_names(["a", "b", "a.b"])
    with pytest.raises(UnsafeName, match="'Sources' and 'sources' differ only by case"):
        check_names(["Sources", "x", "sources"])


@pytest.mark.parametrize("rel", ["csv/x.csv", "x", "a/b/c.json", "a.b/..c", "index.html"])
def test_plain_relative_entries_pass(rel):
    assert entry(rel) == rel


@pytest.mark.parametrize("rel", ["", "/", "/x", "\\x", "a\\b", "C:x", "a\x1fb", "a\x00", "./x", "a/./b", "../x", "a/..", "a/", "a//b"])
def test_entries_that_could_leave_or_hide_are_refused(rel):
    with pytest.raises(UnsafeName, match="not a plain relative path"):
        entry(rel)


def test_a_space_and_a_high_character_are_plain():
    assert entry("a b/\x7f é") == "a b/\x7f é"


def test_inside_refuses_a_link_to_a_sibling_whose_name_starts_with_the_target_s(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "out-evil").mkdir()
    os.symlink(tmp_path / "out-evil", out / "csv")
    with pytest.raises(UnsafeName, match="resolves outside"):
        inside(out, "csv/x.csv")
    assert inside(out, "json/x.json") == out / "json" / "x.json"


def test_inside_accepts_a_target_reached_through_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "alias")
    assert inside(tmp_path / "alias", "x.csv") == tmp_path / "alias" / "x.csv"


@pytest.mark.parametrize("value, upper, expected", [
    ("AUS", True, "-AUS"), ("aus", False, "-aus"), ("eu-diplomat", False, "-eu-diplomat"), ("", True, None), (None, False, None),
])
def test_a_safe_id_in_its_table_s_case_names_its_page(value, upper, expected):
    assert page_stem(value, upper) == expected


@pytest.mark.parametrize("value, upper", [("aus", True), ("Aus", True), ("AUS", False), ("Aus", False), ("../x", False), (".x", False), ("a b", True)])
def test_any_other_id_gets_a_hash(value, upper):
    got = page_stem(value, upper)
    assert got.startswith("_") and len(got) == 21 and got != page_stem(value + "x", upper)
    assert got == page_stem(value, upper)


def test_ids_differing_only_by_case_never_share_a_page():
    assert page_stem("AUS", True) != page_stem("aus", True)
    assert page_stem("abc", False) != page_stem("ABC", False)
    assert page_stem("A1", True) == "-A1" and page_stem("a1", False) == "-a1"  # digits have no case

