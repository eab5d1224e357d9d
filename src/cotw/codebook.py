"""CODEBOOK.md, generated from datapackage.json: every table, field, type, constraint and
controlled-vocabulary value with its definition, plus the inclusion policy.

Regenerate with `cotw codebook --out CODEBOOK.md`; a test fails when the file is out of date.
"""
from __future__ import annotations

import re

from .package import Package

# Markdown's active characters in running text: escaped with a backslash so that a description renders
# as the words it holds (no HTML such as <script>, no link, no code span or emphasis it did not close, no
# table cell it did not open); `_` only at a word's edge (inside a word, as in source_id, it is inert)
_ACTIVE = re.compile(r"[\\`*\[\]<>|&~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BLOCK = re.compile(r"^([#>+=-])|^(\d+)([.)])")  # what would open a heading, quote, rule or list at a line's start

CONVENTIONS = """\
## Conventions

The reasoning behind the tables, with the hard cases, is in `docs/data-model.md`.

- **Provenance.** Every row of a curated table carries a `source_id` and the verbatim words of that
  source which support it (`evidence`, or `quote` for statements). `cotw check` verifies that the
  words occur in the archived text under `seeds/`, allowing only one normalisation: a run of whitespace
  counts as one space. Odd characters printed by a source (look-alike Cyrillic letters, misspellings,
  the `<u>` markup of links in the GMF report) stay in the evidence; names are normalised in `people`.
  The downloads other than CSV add after each such column its reading form `<field>_plain` (derived,
  not curated): the same words without the source's markup (`<u>`, `</u>` and `**` removed); the
  download page and the source viewer show `<u>...</u>` underlined and `**` not at all.
- **One row per report; facts are groups.** Rows that report the same fact share `fact_id`
  (`utterance_id` for quotations): the id of one row of the group, whose own key is itself. Count
  reports with rows, facts with distinct keys.
- **Who says so.** `basis` separates an actor's own words (`official_statement`), a reported
  position, an analyst's assessment and an analyst's forecast; analyst rows from an authored part of a
  report name its `section_id`, whose authors made them.
- **Dates.** Every curated date is EDTF (ISO 8601-2): `2025-04-10`, `2025-04`, `2025`,
  `2025-05-08/2025-05-10`, `../2025-04-10` (on or before), `2025-03-20/..` (on or after),
  `XXXX-04-10` (year not printed), `2025-04-10?` (uncertain); empty when the text allows none, and the
  `*_basis` column says where the date comes from or why it is open. `cotw.load` adds
  `<field>_earliest` and `<field>_latest`; no row is dated after its source can have been published.
- **Relations.** `links` holds `contradicts` (stored both ways), `part_of` and `rests_on`; both ends
  exist.
- **Reference attributes.** `countries.iso_alpha2` comes from pycountry and `countries.eu_member`
  from the EU27 column of country_converter's table; tests verify both. They are not facts about the
  coalition and carry no evidence.
- **Derived, not curated.** `cotw.summary()` (exported as `summary`) gives per country and issue the
  latest position, every value seen, whether it changed and whether the sources disagree.
- **Missing values.** Only an empty cell is missing. Text such as `NA`, `None` or `null` is text.
- **Stable ids.** Ids are never renumbered or reused; removed rows leave gaps.
- **Safe text.** Text cells hold no control characters other than tab and line breaks, and free text
  (a text field without a vocabulary or pattern) never begins with `=`, `+`, `-`, `@`, a tab or a
  carriage return, which would make a spreadsheet run the cell as a formula. `cotw check` reports
  both (`control-character`, `formula-prefix`), so the downloads carry every cell unaltered.
"""


def constraints(f: dict, fk: dict[str, str]) -> str:
    c = f.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "pattern" in c:
        parts.append(f"pattern {code(c['pattern'])}")
    for key, word in (("minLength", "min length"), ("maxLength", "max length"), ("minimum", "min"), ("maximum", "max")):
        if key in c:
            parts.append(f"{word} {text(c[key])}")
    if "enum" in c:
        parts.append("one of the values below")
    if f["name"] in fk:
        parts.append(f"→ {fk[f['name']]}")  # a code span, made in render
    if "x-verbatim-in" in f:
        parts.append(f"verbatim in the source named by {code(f['x-verbatim-in'])}; the exports other than CSV add `_plain`")
    if f.get("x-edtf"):
        parts.append("EDTF date; `cotw.load` adds `_earliest` and `_latest`")
    if f.get("x-group-key"):
        parts.append("group key: the id of a row of this table whose key is itself")
    if f.get("x-referenced"):
        parts.append("named by a row of another table")
    if isinstance(f.get("x-list-of"), dict):
        spec = f["x-list-of"]
        target = code(f"{spec.get('resource')}.{spec.get('field')}")
        parts.append(f"each {code(spec.get('separator', ';'))}-separated item → {target}")
    return "; ".join(parts)


def text(s: object) -> str:
    """`s` as Markdown text that renders as exactly these words, on one line (a description, a label)."""
    one = " ".join(str(s).split())  # newlines (and U+2028, U+2029) would end a table row or open a block
    escaped = _ACTIVE.sub(lambda m: "\\" + m.group(), one)
    return _BLOCK.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped)


def code(s: object) -> str:
    """`s` as a Markdown code span on one line, however many backticks it holds; a `|` is escaped, as a
    table cell needs (GitHub renders `\\|` inside a code span as `|`)."""
    one = " ".join(str(s).split()).replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall("`+", one)), default=0) + 1)
    pad = " " if one.startswith("`") or one.endswith("`") or not one.strip() else ""
    return f"{fence}{pad}{one}{pad}{fence}"


def _cell(s: str) -> str:
    """A table cell built here (its code spans made by `code`): kept on one line."""
    return " ".join(str(s).split())


def render(pkg: Package) -> str:
    d = pkg.descriptor
    out = [f"# Codebook: {text(d.get('title', d.get('name')))}", "",
           "_Generated from `datapackage.json` by `cotw codebook`; do not edit by hand._", "",
           text(d.get("description", "")), ""]
    lic = ", ".join(text(l.get("name", "")) for l in d.get("licenses", []))
    if lic:
        out += [f"Data licence: {lic}.", ""]
    out += [CONVENTIONS, "## Tables", ""]
    out += [f"- [{code(n)}](#{text(n)}): {text(pkg.resource(n).get('description', ''))}" for n in pkg.names()]
    out.append("")
    for name in pkg.names():
        res, sch = pkg.resource(name), pkg.schema(name)
        pk = sch.get("primaryKey") or []
        fk = {}
        for k in sch.get("foreignKeys", []):
            ref = k["reference"]
            fields = k["fields"] if isinstance(k["fields"], list) else [k["fields"]]
            rf = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            fk[fields[0]] = code(f"{ref.get('resource') or name}.{rf[0]}")
        out += [f"## {text(name)}", "", text(res.get("description", "")), "",
                f"File {code(res['path'])}; primary key {code(', '.join(pk if isinstance(pk, list) else [pk]))}.", ""]
        if res.get("x-inclusion-policy"):
            out += ["**Inclusion policy.** " + text(res["x-inclusion-policy"]), ""]
        out += ["| field | type | description | constraints |", "|---|---|---|---|"]
        for f in sch["fields"]:
            out.append(f"| {code(f['name'])} | {text(f.get('type', 'string'))} | {text(f.get('description', ''))} | {_cell(constraints(f, fk))} |")
        out.append("")
        for f in sch["fields"]:
            cats = f.get("categories") or f.get("x-vocabulary")
            if cats:
                label = code(name + "." + f["name"])
                out += [f"**{label} values**", "", "| value | definition |", "|---|---|"]
                out += [f"| {code(c['value'])} | {text(c.get('label', ''))} |" for c in cats]
                out.append("")
    return "\n".join(out).rstrip() + "\n"
