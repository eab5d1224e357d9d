"""`cotw review` lists probable missed groupings (same actor, subject and value, dates that cannot be told
apart, different fact_ids) for a curator to decide; it is never an error."""
from __future__ import annotations

import csv

from cotw.curate.review import candidates


def _set_positions(pkg, rows):
    path = pkg / "data" / "positions.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    base = {c: "" for c in header}
    base.update(date_basis="x", basis="reported_position", source_id="tomorrows-affairs-cooling-down",
                evidence="In addition to the United Kingdom and France, which lead this bloc")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows([dict(base, **r) for r in rows])


def test_same_values_overlapping_dates_different_facts_are_listed(pkg):
    _set_positions(pkg, [
        dict(position_id="po-1", fact_id="po-1", country="FRA", issue="own_troops", value="willing", date="2025-03"),
        dict(position_id="po-2", fact_id="po-2", country="FRA", issue="own_troops", value="willing", date=""),  # undated: overlaps
        dict(position_id="po-3", fact_id="po-3", country="FRA", issue="own_troops", value="willing", date="2024"),  # with po-2 too
        dict(position_id="po-4", fact_id="po-4", country="FRA", issue="own_troops", value="committed", date="2025-03"),  # another value
        dict(position_id="po-5", fact_id="po-5", country="GBR", issue="own_troops", value="willing", date="2025-03"),
        dict(position_id="po-6", fact_id="po-6", country="GBR", issue="own_troops", value="willing", date="2025-05"),  # apart
        dict(position_id="po-7", fact_id="po-7", country="DEU", issue="own_troops", value="willing", date="2025-05"),
        dict(position_id="po-8", fact_id="po-7", country="DEU", issue="own_troops", value="willing", date="2025-05"),  # one fact
    ])
    found = [c for c in candidates(pkg) if c.table == "positions"]
    assert [[r[0] for r in c.rows] for c in found] == [["po-1", "po-2", "po-3"]]
    assert "po-1" in found[0].text() and "(undated)" in found[0].text()


def test_the_command_lists_them_and_exits_0(pkg, cli):
    _set_positions(pkg, [
        dict(position_id="po-1", fact_id="po-1", country="FRA", issue="own_troops", value="willing", date="2025-03"),
        dict(position_id="po-2", fact_id="po-2", country="FRA", issue="own_troops", value="willing", date="2025-03-20"),
    ])
    result = cli("review", pkg)
    assert result.exit_code == 0
    assert "positions: country=FRA, issue=own_troops, value=willing" in result.stdout
