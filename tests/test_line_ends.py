"""A CR or CRLF line end is reported wherever it first appears, also after a stray quote.

A quote opens a quoted cell only at the start of a cell (that is how the csv module reads it); a
quote inside a cell is a literal character and must not hide the line ends after it, as it did
when the text was split at every quote.
"""
from __future__ import annotations

import pytest

import cotw
from cotw.io.reader import _first_cr_line_end

FILE = "data/countries.csv"  # rows without quotes, so the stray one is the only one


@pytest.mark.parametrize("text, line", [
    ("a,b\r\nc,d\r\n", 1),
    ('a,b\nc,d"e\nf,g\r\n', 3),  # a stray quote inside a cell
    ('a,b\nc,"de\nf,g\r\n', 3),  # a quote that opens a cell and never closes
    ('a,b\nc,"de\nf,g\r\nh,"i"\n', 3),  # ... or "closes" inside a later cell
    ('a,"b""c\r"\n', None),  # an escaped quote inside a quoted cell
    ('a,b\nc,"x\r\ny"\nz,w\r\n', 4),  # a CRLF inside a quoted cell is content; the one after it is not
    ('a,"b\r"\n', None),
    ('a,"b""\r"\n', None),
    ("a,b\n", None),
])
def test_the_first_cr_line_end_is_found_outside_quoted_cells_only(text, line):
    assert _first_cr_line_end(text) == line


@pytest.mark.parametrize("stray", ['x"y', '"xy'])
def test_crlf_after_a_stray_quote_is_reported(pkg, cli, stray):
    path = pkg / FILE
    lines = path.read_bytes().decode("utf-8").split("\n")
    row = next(i for i in range(1, len(lines)) if '"' not in lines[i] and lines[i])
    crlf = next(i for i in range(row + 2, len(lines)) if lines[i])
    head, _, rest = lines[row].partition(",")
    lines[row] = f"{head},{stray}{rest}"  # the name cell gets a stray quote
    lines[crlf] += "\r"  # a later row ends with CRLF
    path.write_bytes("\n".join(lines).encode("utf-8"))
    found = [p.text() for p in cotw.validate(pkg).problems if p.rule == "line-ends"]
    assert found == [f"{FILE}:{crlf + 1}: the file uses CR or CRLF line ends; cotw CSVs use LF "
                     "(`cotw fmt` rewrites the file with LF line ends) [line-ends]"]
    fmt = cli("fmt", "--check", pkg)
    if stray.startswith('"'):  # a quoted cell closed and followed by more text: fmt cannot read it unambiguously
        assert fmt.stderr.splitlines()[1].startswith(f"{FILE}:{row + 1}: refused, left untouched: ")  # after the package line
    else:
        assert f"would reformat {FILE} (CR/CRLF line ends" in fmt.stdout
