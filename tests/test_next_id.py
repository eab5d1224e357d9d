"""`cotw next-id TABLE`: the next stable id, read from the key's pattern and the highest id present."""
from __future__ import annotations

import csv
import re

import pytest

from conftest import edit_csv
from cotw.curate.ids import counter_tables, next_id
from cotw.package import Package

# in the descriptor's order; sources, sections and people are keyed by slugs, countries by codes, links by three columns
COUNTERS = {"roles": "rl-", "statements": "st-", "positions": "po-", "conditions": "cd-", "contributions": "ct-",
            "events": "ev-", "claims": "cl-"}


def highest(path, key) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return max(int(row[key].split("-")[1]) for row in csv.DictReader(fh))


def test_the_tables_with_numbered_ids_are_found_from_their_key_patterns(pkg):
    assert counter_tables(Package.open(pkg)) == list(COUNTERS)


@pytest.mark.parametrize("table", list(COUNTERS))
def test_next_id_is_one_more_than_the_highest(pkg, cli, table):
    key = Package.open(pkg).schema(table)["primaryKey"][0]
    expected = f"{COUNTERS[table]}{highest(pkg / f'data/{table}.csv', key) + 1:04d}"
    result = cli("next-id", table, "--package", pkg)
    assert result.exit_code == 0 and result.stdout == expected + "\n"


def test_a_gap_is_not_filled_and_the_highest_counts(pkg):
    # ids are never reused: a gap left by a removed row stays a gap
    gap = highest(pkg / "data/statements.csv", "statement_id") + 100
    edit_csv(pkg / "data/statements.csv", 3, "statement_id", f"st-{gap}")
    assert next_id(Package.open(pkg), "statements") == f"st-{gap + 1}"


def test_more_digits_when_four_are_used_up(pkg):
    edit_csv(pkg / "data/claims.csv", 2, "claim_id", "cl-9999")
    assert next_id(Package.open(pkg), "claims") == "cl-10000"


def test_unknown_table_is_answered_with_the_valid_names(pkg, cli):
    result = cli("next-id", "statments", "--package", pkg)
    assert result.exit_code == 2
    assert "unknown table 'statments' (did you mean 'statements'?); valid names: sources, sections, countries, people, roles" in result.stderr


def test_a_table_keyed_by_a_slug_has_no_next_id(pkg, cli):
    result = cli("next-id", "people", "--package", pkg)
    assert result.exit_code == 2
    assert "table 'people' is not keyed by a numbered id; tables that are: roles, statements, positions, conditions, contributions, events, claims" in result.stderr


def test_a_table_that_cannot_be_read_fully_gets_no_guess(pkg, cli):
    path = pkg / "data/events.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'ev-9000,"unbalanced\n', encoding="utf-8")
    result = cli("next-id", "events", "--package", pkg)
    assert result.exit_code == 1
    assert re.search(r"data/events\.csv:\d+: .*the next id is not known", result.stderr)


def test_the_help_names_every_table_with_a_numbered_id(root, cli):
    result = cli("next-id", "--help")
    assert result.exit_code == 0
    assert all(name in result.stdout for name in counter_tables(Package.open(root)))
