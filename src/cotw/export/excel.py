"""Excel: one workbook with a sheet per table and a codebook sheet, header row frozen and bold,
widths fitted to the content (capped). Text cells are always written as text, so a value that begins
with `=`, `+`, `-` or `@` never becomes a formula; dates are real dates.

openpyxl stamps the save time into docProps/core.xml and the zip entries; both are fixed here
so that the workbook's bytes depend only on the data.
"""
from __future__ import annotations

import datetime as dt
import io

from .archive import entries, write_zip
from .frames import foreign_keys, kind, vocabulary

WORKBOOK = "excel/cotw.xlsx"
CODEBOOK = "codebook"
FIXED = dt.datetime(2000, 1, 1)
MAX_WIDTH = 60


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise store '=...' as a formula


def _sheet(wb, title: str, header: list[str], rows, kinds: list[str]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    widths = [len(h) for h in header]
    for j, h in enumerate(header, start=1):
        c = ws.cell(row=1, column=j)
        _text(c, h)
        c.font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for j, (v, k) in enumerate(zip(row, kinds), start=1):
            if v is None:
                continue
            c = ws.cell(row=i, column=j)
            if k in ("date", "datetime"):
                c.value = v
                c.number_format = "yyyy-mm-dd" if k == "date" else "yyyy-mm-dd hh:mm:ss"
                widths[j - 1] = max(widths[j - 1], 10)
            elif k in ("boolean", "number", "integer"):
                c.value = v
                widths[j - 1] = max(widths[j - 1], len(str(v)))
            else:
                _text(c, str(v))
                widths[j - 1] = max(widths[j - 1], max(len(line) for line in str(v).split("\n")))
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(w + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def codebook_rows(ctx) -> list[tuple]:
    """One row per field, then one per vocabulary value, derived from the Table Schemas."""
    from ..codebook import constraints

    rows = []
    for name, table in ctx.tables.items():
        fk = {fields[0]: f"{ref}.{rfields[0]}" for fields, ref, rfields in foreign_keys(table.schema, name)}
        for f in table.fields:
            rows.append((name, f["name"], f.get("type", "string"), f.get("description", ""),
                         constraints(f, fk).replace("`", ""), None, None))
            for value, label in vocabulary(f):
                rows.append((name, f["name"], None, None, None, value, label))
    return rows


def sheet_titles(names: list[str]) -> dict[str, str]:
    """Each table's sheet name: Excel allows at most 31 characters, unique ignoring case, and the
    codebook sheet has its own; a longer or clashing table name is cut and numbered (`~2`)."""
    taken, out = {CODEBOOK}, {}
    for name in names:
        title, n = name[:31], 1
        while title.casefold() in taken:
            n += 1
            title = name[:31 - len(f"~{n}")] + f"~{n}"
        taken.add(title.casefold())
        out[name] = title
    return out


def workbook_bytes(ctx) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter
    from zipfile import ZipFile

    wb = Workbook()
    wb.remove(wb.active)
    titles = sheet_titles(list(ctx.tables))
    for name, table in ctx.tables.items():
        _sheet(wb, titles[name], [f["name"] for f in table.fields], table.records(), [kind(f) for f in table.fields])
    header = ["table", "field", "type", "description", "constraints", "value", "definition"]
    _sheet(wb, CODEBOOK, header, codebook_rows(ctx), ["string"] * len(header))
    props = wb.properties
    props.creator, props.title = "cotw", ctx.pkg.descriptor.get("title", "cotw")
    props.created = props.modified = FIXED
    buf = io.BytesIO()
    with ZipFile(buf, "w") as zf:  # ExcelWriter directly: save_workbook would stamp the current time
        ExcelWriter(wb, zf).write_data()
    return buf.getvalue()


def write(ctx) -> list[str]:
    write_zip(ctx.path(WORKBOOK), entries(workbook_bytes(ctx)))
    return [WORKBOOK]
