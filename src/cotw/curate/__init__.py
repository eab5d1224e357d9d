"""Curation: the tools a curator uses every day to extend the data.

`sources.add_source` archives a new text and records its `sources` row; `locate.locate` finds the
verbatim span of an archived text that matches words as remembered; `ids.next_id` gives the next
stable id of a table. The CLI commands `cotw source add`, `cotw locate` and `cotw next-id` are thin
shells over them. Nothing here fetches anything or reads outside the package.
"""
from __future__ import annotations


class CurateError(Exception):
    """A refusal: the input or the package does not allow the operation. Nothing was written."""

    def __init__(self, message: str, usage: bool = False):
        super().__init__(message)
        self.message = message
        self.usage = usage  # True: the caller's mistake (exit 2), not invalid data (exit 1)

    def __str__(self) -> str:
        return self.message
