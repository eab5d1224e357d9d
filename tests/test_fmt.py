"""`cotw fmt`: canonical form, idempotent, never changes a cell, refuses what it cannot parse.

The property tests run HYPOTHESIS_PROFILE=dev (50 examples) locally and =ci (1000) in CI; each module keeps its own counts.
"""
from __future__ import annotations

import csv
import io
import os
import random
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cotw
from cotw.io.canonical import Unparsable, canonical
from cotw.package import Package

settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

FILE = "data/conditions.csv"

# --- strategies: arbitrary valid tables, written in arbitrary non-canonical ways -----------------

TRICKY = ["NA", "None", "null", "N/A", "nan", "", " ", ",", '"', '""', "a,b", 'say "hi"', "line\nbreak", "cr\rlf\r\n",
          " lead", "trail ", "\t", "\ufeffbom-inside", "é", "Сoalition", "\u2028", "\x85", "\x00"]
cell = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
key = st.one_of(st.sampled_from(["NA", "None", "null", " x", "x ", "a,b", '"q"']), st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12))
names = st.lists(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True), min_size=2, max_size=6, unique=True)


@st.composite
def tables(draw):
    """(fields, primary key, rows as dicts): the primary key is unique and non-empty, like a valid table's."""
    fields = draw(names)
    pk = fields[: draw(st.integers(1, min(2, len(fields) - 1)))]
    n = draw(st.integers(0, 12))
    keys = draw(st.lists(st.tuples(*[key for _ in pk]), min_size=n, max_size=n, unique=True))
    rows = []
    for k in keys:
        row = dict(zip(pk, k))
        for f in fields[len(pk):]:
            row[f] = draw(cell)
        rows.append(row)
    return fields, pk, rows


@st.composite
def writings(draw, fields, rows):
    """The bytes of the table written in an arbitrary, non-canonical but unambiguous way."""
    rnd = draw(st.randoms(use_true_random=False))
    order = fields[:]
    rnd.shuffle(order)
    body = rows[:]
    rnd.shuffle(body)
    quote_all = draw(st.booleans())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    def render(v: str) -> str:  # quoted when it must be; over-quoted at random
        if any(c in v for c in ',"\r\n') or quote_all or rnd.random() < 0.3:
            return '"' + v.replace('"', '""') + '"'
        return v

    buf = io.StringIO()
    buf.write(",".join(map(render, order)) + end)
    for r in body:
        buf.write(",".join(render(r[f]) for f in order) + end)
        if rnd.random() < 0.2:
            buf.write(end)  # a blank line
    text = buf.getvalue()
    if draw(st.booleans()):
        text = text[: -len(end)]  # no final line end
    bom = draw(st.booleans())
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True))


def by_key(rows: list[list[str]] | list[dict], fields: list[str], pk: list[str]) -> dict:
    if rows and isinstance(rows[0], list):
        header, *body = rows
        rows = [dict(zip(header, r)) for r in body]
    return {tuple(r[k] for k in pk): {f: r[f] for f in fields} for r in rows}


@pytest.mark.slow
@PROFILE
@given(data=st.data(), table=tables())
def test_fmt_never_changes_a_cell_and_is_idempotent_and_canonical(data, table):
    fields, pk, rows = table
    written = data.draw(writings(fields, rows))
    out = canonical(written, fields, pk)
    parsed = parse(out)
    assert parsed[0] == fields  # schema order
    assert by_key(parsed, fields, pk) == by_key(rows, fields, pk)  # the same cells, row for row
    assert len(parsed) == len(rows) + 1
    assert canonical(out, fields, pk) == out  # idempotent
    keys = [[r[fields.index(k)] for k in pk] for r in parsed[1:]]
    assert keys == sorted(keys)  # sorted by primary key
    assert not out.startswith(b"\xef\xbb\xbf") and out.endswith(b"\n")
    outside = out.decode("utf-8").split('"')[::2]  # the text outside quoted cells
    assert not any("\r" in part for part in outside)  # LF line ends
    assert not any(line != line.rstrip() for part in outside for line in part.split("\n")[:-1])  # no trailing whitespace
    assert not any(line != line.rstrip() for line in outside[-1].split("\n"))


def csv_cell(value: str, quoting: int) -> str:
    """One cell as the csv module writes it (an independent reference for canonical quoting)."""
    if value == "":
        return ""
    buf = io.StringIO()
    csv.writer(buf, quoting=quoting, lineterminator="\r\n").writerow([value])  # CR and LF both get quoted
    return buf.getvalue()[:-2]


@pytest.mark.slow
@PROFILE
@given(table=tables())
def test_canonical_quoting_is_minimal(table):
    """Canonical = csv's QUOTE_MINIMAL, except that a cell with leading or trailing whitespace is quoted."""
    fields, pk, rows = table
    rows = sorted(rows, key=lambda r: [r[k] for k in pk])
    expected = "".join(",".join(csv_cell(v, csv.QUOTE_ALL if v != v.strip() else csv.QUOTE_MINIMAL) for v in r) + "\n"
                       for r in [fields, *([r[f] for f in fields] for r in rows)])
    written = io.StringIO()
    csv.writer(written, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([fields, *([r[f] for f in fields] for r in rows)])
    assert canonical(written.getvalue().encode("utf-8"), fields, pk).decode("utf-8") == expected


# --- the command on a package -----------------------------------------------------------------

def cells(path) -> dict:
    header, *body = parse(path.read_bytes())
    return {r[0]: dict(zip(header, r)) for r in body}


def scramble(path, seed: int = 1) -> None:
    """Shuffle rows and columns, quote everything, CRLF and a BOM: the same cells, far from canonical."""
    header, *body = parse(path.read_bytes())
    rnd = random.Random(seed)
    order = list(range(len(header)))
    rnd.shuffle(order)
    rnd.shuffle(body)
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerows([[r[i] for i in order] for r in [header, *body]])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8") + b"\r\n")


def test_fmt_rewrites_a_scrambled_table_back_to_the_same_cells(pkg, cli):
    path = pkg / FILE
    original, before = path.read_bytes(), cells(path)
    scramble(path)
    assert not cotw.validate(pkg).ok
    check = cli("fmt", "--check", pkg)
    assert check.exit_code == 1
    assert f"would reformat {FILE} (byte-order mark, CR/CRLF line ends, blank lines, column order, rows not sorted by condition_id)" in check.stdout
    assert check.stdout.rstrip().endswith("run `cotw fmt` to rewrite them")
    result = cli("fmt", pkg)
    assert result.exit_code == 0, result.output
    assert f"reformatted {FILE} (" in result.stdout
    assert cells(path) == before
    assert cotw.validate(pkg).ok
    assert path.read_bytes() == canonical(original, list(before[next(iter(before))]), ["condition_id"])
    again = cli("fmt", pkg)
    assert again.exit_code == 0 and again.stdout.startswith("0 reformatted, ")
    assert cli("fmt", "--check", pkg).exit_code == 0


def test_fmt_check_exit_codes_and_leaves_files_alone(pkg, cli):
    clean = cli("fmt", "--check", pkg)
    names = Package.open(pkg).names()
    if clean.exit_code == 1:  # the shipped data may be mid-edit: canonicalise the copy first
        assert cli("fmt", pkg).exit_code == 0
        clean = cli("fmt", "--check", pkg)
    assert clean.exit_code == 0 and clean.stdout == f"0 would reformat, {len(names)} already canonical, 0 refused\n"
    path = pkg / FILE
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()
    dirty = cli("fmt", "--check", pkg)
    assert dirty.exit_code == 1
    assert dirty.stdout.splitlines()[0] == f"would reformat {FILE} (quoting or final newline)"
    assert path.read_bytes() == before


def test_check_points_to_fmt_when_valid_but_not_canonical(pkg, cli):
    if cli("fmt", pkg).exit_code != 0:
        pytest.skip("the shipped data does not format cleanly right now")
    path = pkg / FILE
    header, *body = parse(path.read_bytes())
    if len(body) < 2:
        pytest.skip("needs two rows")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *reversed(body)])
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = cli("check", pkg)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"note: valid, but not in canonical form: {FILE}; run `cotw fmt` to rewrite them"
    report = cotw.validate(pkg)
    assert report.ok and report.notices == [f"valid, but not in canonical form: {FILE}; run `cotw fmt` to rewrite them"]


def test_fmt_keeps_the_file_mode(pkg, cli):
    path = pkg / FILE
    path.chmod(0o664)
    scramble(path)
    assert cli("fmt", pkg).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


@pytest.mark.parametrize("case, damage, message", [
    ("unbalanced quote", lambda b: b.rstrip(b"\n") + b'\n"x,never closed\n', "data/conditions.csv:{last}: refused, left untouched: a quoted cell opened on line {last} is never closed"),
    ("short row", lambda b: b + b"cd-9999,FRA\n", "data/conditions.csv:{last}: refused, left untouched: the row has 2 cells; the header has {width}"),
    ("unknown column", lambda b: b.replace(b"notes", b"remarks", 1), "data/conditions.csv:1: refused, left untouched: the header does not have exactly the schema's columns (not in the schema: 'remarks'; missing: 'notes')"),
    ("not UTF-8", lambda b: b + "cd-9999,Fran\u00e7ais\n".encode("latin-1"), "data/conditions.csv:{last}: refused, left untouched: byte 0xe7 at byte {pos} is not UTF-8; save the file as UTF-8"),
    ("duplicate column", lambda b: b.replace(b"notes", b"evidence", 1), "data/conditions.csv:1: refused, left untouched: a column appears twice in the header"),
    ("semicolons", lambda b: b.replace(b",", b";"), "data/conditions.csv:1: refused, left untouched: the header is one column: the file is not comma-delimited"),
    ("empty", lambda b: b"", "data/conditions.csv:1: refused, left untouched: the file is empty"),
])
@pytest.mark.parametrize("check", [False, True])
def test_fmt_refuses_what_it_cannot_parse_and_leaves_it_untouched(pkg, cli, case, damage, message, check):
    path = pkg / FILE
    data = damage(path.read_bytes())
    path.write_bytes(data)
    last = data.rstrip(b"\n").count(b"\n") + 1
    width = len(Package.open(pkg).schema("conditions")["fields"])
    pos = data.find(b"\xe7")
    result = cli("fmt", *(["--check"] if check else []), pkg)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message.format(last=last, width=width, pos=pos) in result.stderr.splitlines()
    assert path.read_bytes() == data
    assert result.stdout.rstrip().endswith("1 refused")


def test_canonical_raises_unparsable_with_a_line():
    with pytest.raises(Unparsable) as err:
        canonical(b'a,b\n1,"x"y\n', ["a", "b"], ["a"])
    assert err.value.line == 2
    assert str(err.value) == "line 2: a quoted cell is closed and then followed by more text before the next comma"
