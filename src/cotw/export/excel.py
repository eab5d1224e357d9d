"""Excel: one workbook that opens on an `about` sheet (title, version, licence, how to cite, the
sources), then a sheet per table (with the date bounds derived from each EDTF date, as `cotw.load`
gives them), the derived per-country summary (`derived_summary`, computed by code, see summary.py)
and a codebook sheet, header row frozen and bold. Columns are as wide
as their content up to a cap; longer text wraps within the cap (every text of the codebook wraps),
and every cell is top-aligned so a row reads across. The reading form of each verbatim column
(`<field>_plain`, frames.derived_fields) follows it, the words the source underlines underlined. Text cells are always written as text, so a value that begins with `=`, `+`, `-`
or `@` never becomes a formula; dates are real dates.

openpyxl stamps the save time into docProps/core.xml and the zip entries; both are fixed here
so that the workbook's bytes depend only on the data.
"""
from __future__ import annotations

import datetime as dt
import io

from ..weblink import web_url
from .archive import entries, write_zip
from .frames import foreign_keys, kind, vocabulary

WORKBOOK = "excel/cotw.xlsx"
CODEBOOK = "codebook"
ABOUT = "about"
SUMMARY = "derived_summary"  # the sheet of the derived summary (summary.py)
FIXED = dt.datetime(2000, 1, 1)
MAX_WIDTH = 60  # characters; wider text wraps
SOURCE_COLUMNS = ("title", "publisher", "published", "published_basis", "url", "archive")  # on the about sheet, those the sources table has


def _text(cell, value: str):
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise store '=...' as a formula
    return cell


def _underlined(text: str, raw) -> object:
    """A reading-form cell: the plain words, with what the source underlines (`raw`, the verbatim cell)
    underlined as rich text; the plain string where nothing is."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from .markup import runs

    parts = runs(raw)
    if not any(under for under, _ in parts) or "".join(t for _, t in parts) != text:
        return text
    return CellRichText([TextBlock(InlineFont(u="single"), t) if under else t for under, t in parts])


class _Styles:
    """Give a new cell a style: the first cell of each kind is styled through openpyxl's attributes,
    every later one gets a copy of that cell's style indexes (`cell._style`, the copy openpyxl's own
    worksheet copier makes). Setting `cell.alignment` hashes the Alignment and looks it up in the
    workbook's list of styles, for every cell: about half the time of writing the workbook. The
    indexes are the ones openpyxl would have found, so the file's bytes are the same."""

    def __init__(self):
        self.seen: dict[str, object] = {}

    def __call__(self, cell, key: str, **attributes) -> None:
        from copy import copy

        known = self.seen.get(key)
        if known is not None:
            cell._style = copy(known)
            return
        for name, value in attributes.items():
            setattr(cell, name, value)
        self.seen[key] = copy(cell._style)


def reading_columns(fields: list[dict]) -> dict[int, int]:
    """{column of a reading form: column of the verbatim words it is derived from} (0-based)."""
    from .markup import SUFFIX

    at = {f["name"]: i for i, f in enumerate(fields)}
    return {i: at[f["x-derived-from"]] for i, f in enumerate(fields)
            if f.get("x-derived-from") in at and f["name"] == f["x-derived-from"] + SUFFIX}


def _sheet(wb, title: str, header: list[str], rows, kinds: list[str], wrap_all: bool = False,
           underline: dict[int, int] | None = None):
    """A sheet of `rows`; `wrap_all` wraps every text cell (the codebook is prose, read down a column);
    `underline` ({column: its verbatim column}, reading_columns) underlines in a reading form what the
    source underlines."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title)
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    style = _Styles()
    widths = [len(h) for h in header]
    for j, h in enumerate(header, start=1):
        c = ws.cell(row=1, column=j)
        _text(c, h)
        style(c, "header", font=Font(bold=True))
    for i, row in enumerate(rows, start=2):
        for j, (v, k) in enumerate(zip(row, kinds), start=1):
            if v is None:
                continue
            c = ws.cell(row=i, column=j)
            if k in ("date", "datetime"):
                c.value = v
                style(c, k, number_format="yyyy-mm-dd" if k == "date" else "yyyy-mm-dd hh:mm:ss", alignment=top)
                widths[j - 1] = max(widths[j - 1], 10)
            elif k in ("boolean", "number", "integer"):
                c.value = v
                widths[j - 1] = max(widths[j - 1], len(str(v)))
                style(c, "top", alignment=top)
            else:
                text = str(v)
                _text(c, text)
                if underline and j - 1 in underline and row[underline[j - 1]] is not None:
                    c.value = _underlined(text, row[underline[j - 1]])
                widest = max(len(line) for line in text.split("\n"))
                widths[j - 1] = max(widths[j - 1], widest)
                if wrap_all or widest + 2 > MAX_WIDTH or "\n" in text:  # +2: the column's margin
                    style(c, "wrap", alignment=wrap)
                else:
                    style(c, "top", alignment=top)
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(w + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def sources_table(ctx):
    """The table the verbatim columns cite (the one their source column's foreign key references), if any."""
    for name, table in ctx.tables.items():
        refs = {fields[0]: ref for fields, ref, _ in foreign_keys(table.schema, name) if len(fields) == 1}
        for f in table.fields:
            ref = refs.get(f.get("x-verbatim-in"))
            if ref in ctx.tables:
                return ctx.tables[ref]
    return None


def about(wb, ctx):
    """The first sheet: what the workbook is, and how to cite it and its sources."""
    from openpyxl.styles import Alignment, Font

    from .citation import citation

    d = ctx.pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    ws = wb.create_sheet(ABOUT)
    bold, top = Font(bold=True), Alignment(vertical="top", wrap_text=True)
    rows = [("title", d.get("title", d.get("name", "cotw"))), ("description", d.get("description", "")),
            ("version", ctx.version),
            ("licence", " ".join(x for x in (lic.get("title") or lic.get("name", ""), f"({lic['name']})" if lic.get("title") and lic.get("name") else "", lic.get("path", "")) if x)),
            ("how to cite", citation(ctx.pkg, ctx.version)),
            ("sheets", ", ".join(list(ctx.tables) + ([summary_title(ctx)] if ctx.summary is not None else []) + [CODEBOOK])
             + f" ({CODEBOOK}: every field and vocabulary value)")]
    if ctx.summary is not None:
        rows.append((summary_title(ctx), ctx.summary.resource["description"]))
    for i, (label, value) in enumerate(rows, start=1):
        _text(ws.cell(row=i, column=1), label).font = bold
        cell = _text(ws.cell(row=i, column=2), str(value))
        if label == "licence" and web_url(lic.get("path")):  # a link only to an http(s) URL, never javascript: or file:
            cell.hyperlink = lic["path"]
    src = sources_table(ctx)
    if src is not None:
        cols = [c for c in [*src.key, *SOURCE_COLUMNS] if c in src.columns]
        if len(cols) <= len(src.key):
            cols = [f["name"] for f in src.fields]
        start = len(rows) + 2
        _text(ws.cell(row=start, column=1), f"sources ({src.rows}; every row of the data cites one)").font = bold
        for j, name in enumerate(cols, start=1):
            _text(ws.cell(row=start + 1, column=j), name).font = bold
        for i, values in enumerate(zip(*(src.columns[c] for c in cols)), start=start + 2):
            for j, v in enumerate(values, start=1):
                if v is not None:
                    c = ws.cell(row=i, column=j)
                    if isinstance(v, (dt.date, dt.datetime)):
                        c.value, c.number_format = v, "yyyy-mm-dd"
                    else:
                        _text(c, str(v))
    for row in ws.iter_rows():
        for c in row:
            c.alignment = top
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90
    for letter in "CDEFGH":
        ws.column_dimensions[letter].width = 30
    return ws


def codebook_rows(ctx) -> list[tuple]:
    """One row per column of every sheet, then one per vocabulary value, derived from the Table Schemas."""
    from ..codebook import constraints

    rows = []
    every = list(ctx.tables.items()) + ([(summary_title(ctx), ctx.summary)] if ctx.summary is not None else [])
    for name, table in every:
        fk = {fields[0]: f"{ref}.{rfields[0]}" for fields, ref, rfields in foreign_keys(table.schema, name)}
        for f in table.fields:
            rows.append((name, f["name"], f.get("type", "string"), f.get("description", ""),
                         constraints(f, fk).replace("`", ""), None, None))
            for value, label in vocabulary(f):
                rows.append((name, f["name"], None, None, None, value, label))
    return rows


def sheet_titles(names: list[str]) -> list[str]:
    """Each sheet's name, in order: Excel allows at most 31 characters, unique ignoring case, and the
    about and codebook sheets have their own; a longer or clashing name is cut and numbered (`~2`)."""
    taken, out = {CODEBOOK, ABOUT}, []
    for name in names:
        title, n = name[:31], 1
        while title.casefold() in taken:
            n += 1
            title = name[:31 - len(f"~{n}")] + f"~{n}"
        taken.add(title.casefold())
        out.append(title)
    return out


def summary_title(ctx) -> str:
    """The derived summary's sheet: `derived_summary`, unless a table already has that name."""
    return sheet_titles(list(ctx.tables) + [SUMMARY])[-1]


def workbook_bytes(ctx) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter
    from zipfile import ZipFile

    wb = Workbook()
    wb.remove(wb.active)
    tables = list(ctx.tables.values()) + ([ctx.summary] if ctx.summary is not None else [])
    titles = sheet_titles(list(ctx.tables) + [SUMMARY])  # the summary's last: a table's name wins
    about(wb, ctx)
    for title, table in zip(titles, tables):
        _sheet(wb, title, [f["name"] for f in table.fields], table.records(), [kind(f) for f in table.fields],
               underline=reading_columns(table.fields))
    header = ["table", "field", "type", "description", "constraints", "value", "definition"]
    _sheet(wb, CODEBOOK, header, codebook_rows(ctx), ["string"] * len(header), wrap_all=True)
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
