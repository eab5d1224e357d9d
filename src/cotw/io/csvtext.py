"""How canonical CSV writes one cell: the rule shared by the exact writer (canonical.py) and the fast
reader's proof of exactness (fastread.py), kept here so neither imports the other."""
from __future__ import annotations

_SPECIAL = (",", '"', "\n", "\r")


def quote_cell(value: str) -> str:
    """A cell is quoted only when it holds a comma, a quote or a line break, or begins or ends with whitespace."""
    if value and (any(c in value for c in _SPECIAL) or value != value.strip()):
        return '"' + value.replace('"', '""') + '"'
    return value
