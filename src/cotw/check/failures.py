"""A failing table's failures in words, each with its CSV line, in bounded time and memory.

check_tables hands over the checks of a table that fail on arrow (derive.Checks.failing). Each runs
again here, and the rows it fails are described by its rule: per check, only the first MAX_KEPT in line
order get a message (and the row, looked up when the rule needs it); the others are only counted
(`Problems.omit`), so the summary still counts all. An empty cell a column may not hold is a `required`
problem; a check that raises is an `internal-error` problem, never a traceback.

Until 0.3.0 pandera did this with the same functions (derive.build): its lazy validation collected the
failure cases, which cotw then read back. The reports are the same (benchmarks/same_report.py): rows in
line order, and within a row the checks of whole rows first, then each column's, an empty cell before its
column's checks. Only pandera and pandas are no longer imported to say them, which took longer than the
check of the whole shipped package. tests/test_agreement.py holds these problems to the failure cases of
the pandera schema (`cotw.schema`), for every table.
"""
from __future__ import annotations

import re

import numpy as np
import pyarrow.compute as pc

from ..report import MAX_KEPT, Problem, Problems
from .blocks import Cols

_RAISED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(Error|Exception)\(")  # an exception's name and its first argument
_NONE = np.empty(0, dtype=np.int64)


def describe(pkg, table, made) -> Problems:
    """Every failure of table `table` (cotw.io.reader.Table) under its failing checks `made`, in words."""
    cols = Cols.of_arrow(table.arrow)
    registry = made.registry
    found = [_run(spec, cols, table.name) for spec in made.frame]  # (key, column, rows, failed, raised, whole row)
    for col, specs in made.columns.items():
        a = cols[col]
        if not made.nullable[col] and a.null_count:
            empty = np.flatnonzero(pc.is_null(a).to_numpy(zero_copy_only=False))
            found.append((f"not_nullable:{col}", col, empty[:MAX_KEPT], len(empty), None, False))
        found += [_run(spec, a, col) for spec in specs]
    out = Problems()
    if not found:
        return out
    # one problem per (check, row): in line order (a check that raised first), the checks in the order above
    at = np.concatenate([np.array([-1]) if raised is not None else rows for _, _, rows, _, raised, _ in found])
    which = np.concatenate([np.full(1 if raised is not None else len(rows), i) for i, (_, _, rows, _, raised, _) in enumerate(found)])
    order = np.lexsort((which, at))
    at, which = at[order].tolist(), which[order].tolist()
    for i in dict.fromkeys(which):  # each check's failures beyond those said, in the order its first one is said
        key, _, rows, failed, raised, _ = found[i]
        out.omit(registry[key].rule, table.file, failed - (1 if raised is not None else len(rows)))
    names = table.arrow.column_names
    for idx, i in zip(at, which):
        key, column, _, _, raised, whole = found[i]
        rule = registry[key]
        if raised is not None and _RAISED.match(raised):
            out.append(Problem("schema", "internal-error", f"the check {key!r} could not run ({raised}); please report this",
                               table.file, None, column))
            continue
        col = rule.column
        # a check of whole rows names no cell: the rule's column of the row says which
        row = _row(table.arrow, idx) if idx >= 0 and (rule.needs_row or whole or column != col) else None
        if raised is not None:
            value = raised
        elif row is not None and col in row:
            value = row[col]
        elif whole:  # about a column the table does not have: the row's first cell
            value = row[names[0]] if names else None
        else:
            value = cols[column][idx].as_py()
        value = None if value is None or value != value else str(value)  # NaN: an empty cell of a looked-up row
        message, hint = rule.describe(value, row)
        out.append(Problem("schema", rule.rule, message, table.file, None if idx < 0 else table.line(idx), col, value, hint))
    return out


def _run(spec, data, column: str):
    """(key, column, the first MAX_KEPT failing rows, how many fail, the exception it raised or None, whether
    it judges whole rows) of one check on a column (arrow text) or on the whole table (Cols, `column` its name)."""
    whole = isinstance(data, Cols)
    try:
        mask = spec.fn(data)
    except Exception as err:  # noqa: BLE001 (said as an internal error, with what was raised)
        said = f'"{err.args[0]}"' if err.args else ""
        return spec.key, column, _NONE, 1, f"{err.__class__.__name__}({said})", whole
    bad = np.flatnonzero(~pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
    return spec.key, column, bad[:MAX_KEPT], len(bad), None, whole


def _row(arrow, idx: int) -> dict:
    """Row `idx` as the rules' describers read it: text by column name, NaN where the cell is empty."""
    return {k: float("nan") if v is None else v for k, v in arrow.slice(idx, 1).to_pylist()[0].items()}
