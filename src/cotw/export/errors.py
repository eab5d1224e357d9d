"""Why an export was refused: the errors of `cotw export`, in a module of their own so that every writer
can raise them without importing the export package itself."""
from __future__ import annotations


class ExportError(Exception):
    """The export was refused; nothing was written and the previous output is untouched."""


class InvalidData(ExportError):
    """The data fails `cotw check`; `report` is the Report."""

    def __init__(self, report):
        super().__init__(f"the data is invalid ({report.count} problems); run `cotw check`")
        self.report = report


class OutputNotEmpty(ExportError):
    """The output directory holds files that are not a previous export."""
