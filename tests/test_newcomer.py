"""Issue 18, what a newcomer meets first: one error for a table that cannot be loaded, the cause of a
changed archive reported first, one message per bad date, and documentation that says what is true."""
from __future__ import annotations

import csv
import re

import pytest

import cotw
from conftest import ROOT, edit_csv


# ---------------------------------------------------------------- cotw.load: one located LoadError


def test_an_invalid_edtf_date_is_a_located_load_error_not_an_empty_bound(pkg):
    edit_csv(pkg / "data/statements.csv", 4, "said", "2025-13-45")  # line 4: the third data row
    with pytest.raises(cotw.LoadError) as err:
        cotw.load("statements", pkg)
    exc = err.value
    assert isinstance(exc, cotw.PackageError)
    assert (exc.file, exc.row, exc.column, exc.value) == ("data/statements.csv", 3, "said", "2025-13-45")
    assert str(exc).startswith("data/statements.csv: column 'said' cannot be read as an EDTF date: '2025-13-45'")
    assert "(first at row 3); run `cotw check`" in str(exc)


def test_a_value_outside_a_vocabulary_is_the_same_located_load_error(pkg):
    edit_csv(pkg / "data/statements.csv", 5, "speaker_kind", "persn")
    with pytest.raises(cotw.LoadError) as err:
        cotw.load("statements", pkg)
    exc = err.value
    assert isinstance(exc, cotw.PackageError) and isinstance(exc, ValueError)
    assert (exc.file, exc.row, exc.column, exc.value) == ("data/statements.csv", 4, "speaker_kind", "persn")
    assert "(first at row 4: 'persn')" in str(exc)


def test_load_error_is_exported_once():
    from cotw.io import loader

    assert cotw.LoadError is loader.LoadError and issubclass(cotw.LoadError, cotw.PackageError)
    assert "LoadError" in cotw.__all__
