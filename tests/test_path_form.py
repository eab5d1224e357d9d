"""A resource path is written in its one normal form: `data/./countries.csv/` passed `cotw check` (the file system
resolves it) but frictionless cannot open it, so such a path is refused, located, before anything reads it
(finding 18 of issue 19)."""
from __future__ import annotations

import json

import pytest

import cotw
from cotw.io import safeio

UNNORMAL = {
    "data/./countries.csv/": "ends with '/'",
    "data/countries.csv/": "ends with '/'",
    "data/./countries.csv": "has a '.' folder",
    "./data/countries.csv": "has a '.' folder",
    "data//countries.csv": "has an empty folder name ('//')",
}


def set_path(pkg, key, value, name="countries"):
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in d["resources"] if r["name"] == name)[key] = value
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")


@pytest.mark.parametrize("path", sorted(UNNORMAL))
def test_a_resource_path_not_in_normal_form_is_refused_and_located(pkg, path):
    set_path(pkg, "path", path)
    found = [p.text() for p in cotw.validate(pkg).problems]
    assert found == [f"datapackage.json: resource 'countries' path {path!r} is not a normalised path ({UNNORMAL[path]}); "
                     f"write 'data/countries.csv'; it was not read [unsafe-path]"]


def test_a_backslash_is_refused(pkg):
    set_path(pkg, "path", "data\\countries.csv")
    found = [p.text() for p in cotw.validate(pkg).problems]
    assert found == ["datapackage.json: resource 'countries' path 'data\\\\countries.csv' contains a backslash; "
                     "write '/' between folders; it was not read [unsafe-path]"]


def test_a_schema_path_too(pkg):
    set_path(pkg, "schema", "schema/./countries.json")
    found = [p.text() for p in cotw.validate(pkg).problems]
    assert found == ["datapackage.json: resource 'countries' schema 'schema/./countries.json' is not a normalised path "
                     "(has a '.' folder); write 'schema/countries.json'; it was not read [unsafe-path]"]


@pytest.mark.parametrize("path", [*UNNORMAL, "data\\countries.csv", "a/./", "./", "."])
def test_safeio_reads_no_path_out_of_normal_form(pkg, path):
    with pytest.raises(safeio.UnsafeFile) as exc:
        safeio.read_bytes(pkg, path, safeio.MAX_JSON)
    assert "not a normalised path" in exc.value.reason or "backslash" in exc.value.reason


@pytest.mark.parametrize("path", ["data/countries.csv", "datapackage.json", "seeds/a.b.txt", ".hidden/x", "a/.b/c", "x..y"])
def test_normal_paths_pass(path):
    assert safeio.unsafe_path_reason(path) is None
