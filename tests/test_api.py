"""The Python API: one list of table names drives loading, schemas and errors."""
from __future__ import annotations

import pandas as pd
import pytest

import cotw

NAMES = cotw.names()


def test_names_follow_the_descriptor(root):
    import json

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    assert NAMES == [r["name"] for r in descriptor["resources"]]
    assert NAMES[:6] == ["sources", "sections", "countries", "people", "roles", "statements"]  # what others refer to comes first
    assert NAMES[-1] == "links"  # links refer to rows of every observation table


@pytest.mark.parametrize("name", NAMES)
def test_every_table_loads_with_real_dtypes(name):
    frame = cotw.load(name)
    assert len(frame) > 0
    pkg = cotw.Package.open()
    for field in pkg.schema(name)["fields"]:
        col = frame[field["name"]]
        if "enum" in field.get("constraints", {}):
            assert isinstance(col.dtype, pd.CategoricalDtype)
            assert list(col.dtype.categories) == field["constraints"]["enum"]
        elif field["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(col.dtype)
        elif field["type"] == "boolean":
            assert col.dtype == "boolean"
        elif field["type"] == "number":
            assert col.dtype == "Float64"
        else:
            assert pd.api.types.is_string_dtype(col.dtype)


@pytest.mark.parametrize("name", NAMES)
def test_derived_schema_accepts_both_text_and_typed_frames(name):
    schema = cotw.schema(name)
    schema.validate(cotw.read(name), lazy=True)
    schema.validate(cotw.load(name), lazy=True)


def test_load_all_has_every_table():
    assert list(cotw.load_all()) == NAMES


@pytest.mark.parametrize("call", [cotw.load, cotw.schema, cotw.read])
def test_unknown_table_is_answered_with_the_valid_names(call):
    with pytest.raises(KeyError) as info:
        call("statement")
    message = str(info.value)
    assert "unknown table 'statement' (did you mean 'statements'?)" in message
    assert "valid names: " + ", ".join(NAMES) in message


def test_literal_na_text_stays_text(pkg):
    from conftest import edit_csv

    edit_csv(pkg / "data" / "statements.csv", 2, "notes", "NA")
    edit_csv(pkg / "data" / "people.csv", 2, "printed_as", "None")
    statements = cotw.load("statements", pkg)
    assert statements.loc[0, "notes"] == "NA"
    assert cotw.load("people", pkg).loc[0, "printed_as"] == "None"
    assert cotw.validate(pkg).ok


def test_version_comes_from_package_metadata():
    from importlib.metadata import version

    assert cotw.__version__ == version("cotw")


def test_validate_returns_the_report_that_check_prints(cli):
    report = cotw.validate()
    result = cli("check", "--format", "json")
    import json

    assert json.loads(result.stdout) == report.to_dict()
    assert result.exit_code == 0


def test_docstring_examples():
    import doctest

    result = doctest.testmod(cotw)
    assert result.attempted > 0 and result.failed == 0
