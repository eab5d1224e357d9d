"""References beyond foreign keys: lists of references (`x-list-of`) and keys some row must name (`x-referenced`)."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..blocks import TEXT, CheckSpec, Cols, Rule, isin, q
from ...report import names_list
from ...package import Package

CODES = ('foreign-key', 'unreferenced')  # the rule codes this module's checks report


def list_of(col: str, spec: dict, context: dict[str, Cols]) -> CheckSpec:
    """Every element of a separated list of references exists in the referenced table."""
    target = context.get(spec.get("resource"))
    field, sep = spec.get("field"), spec.get("separator", ";")
    known = set(target[field].drop_null().to_pylist()) if target is not None and field in target else None

    def missing(v):
        return [x for x in str(v).split(sep) if x not in known] if known is not None else []

    def check(df: Cols):
        if known is None or col not in df:
            return df.true()
        a = df[col]
        good = [v for v in pc.unique(a).drop_null().to_pylist() if not missing(v)]  # once per distinct list
        return pc.or_(isin(a, good), a.is_null())

    def say(v, row):
        gone = missing(v)  # a listed name each, cut and counted past a few: a cell may list thousands
        return f"{col} names {names_list(gone, quote=True)}, which {'is not a ' + str(field) if len(gone) == 1 else f'are not {field} values'} in {spec.get('resource')}", None

    return CheckSpec(f"rule:{col}-list-of", check, Rule("foreign-key", col, say))


def referenced(pkg: Package, table: str, key: str, context: dict[str, Cols]) -> CheckSpec:
    """A row of `table` exists only when some row of another table names it (the `x-referenced`
    annotation on its key, e.g. the countries inclusion policy)."""
    used: list | None = []  # the naming columns (arrow)
    for name in pkg.names():
        for k in pkg.schema(name).get("foreignKeys", []):
            ref = k.get("reference", {})
            if ref.get("resource") == table and name != table:
                other = context.get(name)
                field = k.get("fields")
                field = field[0] if isinstance(field, list) else field
                if other is None:
                    used = None  # a table could not be read: do not judge
                    break
                if field in other:
                    used.append(pc.unique(other[field]).drop_null())
        if used is None:
            break

    def check(df: Cols):
        if used is None or key not in df:
            return df.true()
        names = pa.concat_arrays(used) if used else pa.array([], TEXT)
        k = df[key]
        return pc.or_(pc.is_in(k, value_set=names), pc.is_null(k))

    return CheckSpec(f"rule:{key}-referenced", check, Rule("unreferenced", key, lambda v, r: (
        f"{key} {q(v)} is named by no row of any other table", "the inclusion policy admits a row only when another row names it: remove the row, or add the row that names it")))
