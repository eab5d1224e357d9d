"""Links: both ends exist, contradicts is stored both ways, and each relation joins the tables it is for."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..blocks import TEXT, CheckSpec, Cols, Rule
from ...report import shorten
from ...package import Package

CODES = ('link',)  # the rule codes this module's checks report


def _prefixes(pkg: Package) -> dict[str, str]:
    """{id prefix: table} for tables whose single-field primary key has a pattern like ^po-[0-9]{4,}$."""
    import re

    out = {}
    for name in pkg.names():
        sch = pkg.schema(name)
        pk = sch.get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        if len(pk) != 1:
            continue
        for f in sch["fields"]:
            m = re.match(r"^\^([a-z]+)-\[0-9\]", str(f.get("constraints", {}).get("pattern", ""))) if f.get("name") == pk[0] else None
            if m:
                out[m.group(1)] = name
    return out


def links_rules(pkg: Package, context: dict[str, Cols]) -> list[CheckSpec]:
    """Both ends of a link exist; contradicts is stored both ways; part_of joins statements; rests_on
    points from an observation to a statement; no row links to itself."""
    tables = _prefixes(pkg)
    ids: dict[str, object] = {}  # prefix -> the keys of its table (arrow); a table that could not be read is not judged
    for prefix, name in tables.items():
        other = context.get(name)
        pk = (pkg.schema(name).get("primaryKey") or [None])
        pk = pk if isinstance(pk, str) else pk[0]
        if other is not None and pk in other:
            ids[prefix] = other[pk]
    known: dict[str, set] = {}  # the same as Python sets, built only when a failure is described

    def exists(v) -> bool:
        prefix = str(v).split("-", 1)[0]
        if prefix not in tables:
            return False  # no table's ids look like this: the link names nothing (a schema without the id pattern lets it through)
        if prefix in ids and prefix not in known:
            known[prefix] = set(ids[prefix].drop_null().to_pylist())
        return prefix not in ids or v in known[prefix]  # a table that could not be read is not judged

    def prefix_of(a):
        """What str(v).split("-")[0] gives for each cell ('nan' for a missing one, as str(NaN))."""
        return pc.list_element(pc.split_pattern(pc.fill_null(a, "nan"), "-", max_splits=1), 0)

    def all_exist(a):
        """Null, or a key of the table its prefix names; a prefix of a table that could not be read is not
        judged; a prefix that names no table names nothing."""
        head = prefix_of(a)
        ok = pc.is_null(a)
        unread = [p for p in tables if p not in ids]
        fine = pc.is_in(head, value_set=pa.array(unread, TEXT))
        for prefix, keys in ids.items():
            fine = pc.or_(fine, pc.and_(pc.equal(head, prefix), pc.is_in(a, value_set=keys)))
        return pc.or_(ok, pc.fill_null(fine, False))

    def ends_exist(df: Cols):
        if not df.has("from_id", "to_id"):
            return df.true()
        a = df["from_id"]
        both = all_exist(pa.chunked_array(a.chunks + df["to_id"].chunks, TEXT))  # one hash table per key set
        return pc.and_(both.slice(0, len(a)), both.slice(len(a)))

    def say_missing(v, row):
        gone = [shorten(x) for x in (row.get("from_id"), row.get("to_id")) if isinstance(x, str) and not exists(x)]
        row = {k: shorten(row.get(k)) for k in ("from_id", "relation", "to_id")}
        where = tables.get(gone[0].split("-")[0])
        return (f"link {row.get('from_id')} {row.get('relation')} {row.get('to_id')}: {', '.join(gone)} {'is' if len(gone) == 1 else 'are'} not a row of {where}" if where else
                f"link {row.get('from_id')} {row.get('relation')} {row.get('to_id')}: {', '.join(gone)} {'is' if len(gone) == 1 else 'are'} not the id of a row of any table"), (
            None if where else f"a link joins rows by their ids, which begin with {', '.join(sorted(p + '-' for p in tables))}")

    def symmetric(df: Cols):
        """A contradicts row's reverse is a row too. Cells are compared by their code in one dictionary
        of both columns, a missing cell (code 0) equal to a missing one, as the tuples of Python's set were."""
        if not df.has("from_id", "relation", "to_id"):
            return df.true()
        a, b = df["from_id"], df["to_id"]
        is_c = pc.fill_null(pc.equal(df["relation"], "contradicts"), False)
        codes = pc.dictionary_encode(pa.chunked_array(a.chunks + b.chunks, TEXT)).combine_chunks().indices
        codes = pc.add(pc.fill_null(pc.cast(codes, pa.int64()), -1), 1)
        n, width = len(a), len(codes) + 1
        ca, cb = codes.slice(0, n), codes.slice(n)
        pairs = pc.add(pc.multiply(ca, width), cb)
        have = pc.filter(pairs, is_c)  # the reverse of a contradicts row must itself be a contradicts row
        reverse = pc.add(pc.multiply(cb, width), ca)
        return pc.or_(pc.invert(is_c), pc.is_in(reverse, value_set=have))

    def well_typed(df: Cols):
        if not df.has("from_id", "relation", "to_id"):
            return df.true()
        x, y = df["from_id"], df["to_id"]
        rel = df["relation"]
        px, py = prefix_of(x), prefix_of(y)

        def only(relation, ok):  # rel != relation or ok (a missing relation is none of them)
            return pc.or_(pc.invert(pc.fill_null(pc.equal(rel, relation), False)), ok)

        distinct = pc.fill_null(pc.not_equal(x, y), True)  # NaN != anything, itself included
        ok = pc.and_(distinct, only("part_of", pc.and_(pc.equal(px, "st"), pc.equal(py, "st"))))
        ok = pc.and_(ok, only("rests_on", pc.and_(pc.is_in(px, value_set=pa.array(["po", "cd", "ct", "cl"], TEXT)), pc.equal(py, "st"))))
        ok = pc.and_(ok, only("contradicts", pc.equal(px, py)))
        return ok

    def say_typed(v, row):
        x, rel, y = (shorten(row.get(k)) for k in ("from_id", "relation", "to_id"))
        if row.get("from_id") == row.get("to_id"):
            return f"link {x} {rel} {y} links a row to itself", None
        need = {"part_of": "a statement to a statement", "rests_on": "a position, condition, contribution or claim to a statement",
                "contradicts": "two rows of the same table"}.get(rel, "?")
        return f"link {x} {rel} {y}: {rel} joins {need}", None

    return [CheckSpec("rule:link-ends-exist", ends_exist, Rule("link", "from_id", say_missing, needs_row=True)),
            CheckSpec("rule:contradicts-symmetric", symmetric, Rule("link", "relation", lambda v, r: (
                f"{shorten(r.get('from_id'))} contradicts {shorten(r.get('to_id'))}, but {shorten(r.get('to_id'))} contradicts {shorten(r.get('from_id'))} is missing",
                "contradicts is symmetric: add the reverse row"), needs_row=True)),
            CheckSpec("rule:link-types", well_typed, Rule("link", "relation", say_typed, needs_row=True))]
