"""The check engine behind `cotw check` and `cotw.validate`: takes a Package, gives one Report.

Stages, in order (pipeline.validate runs them):
1. descriptor: the descriptor and Table Schemas against the Data Package v2 structure (profile) and
   their own consistency (pipeline.descriptor_problems);
2. structure and schema: every table read as written (cotw.io.reader, into arrow), then every check
   derived from the Table Schemas (derive, built from the arrow blocks, plus the cross-column and
   cross-table rules) run on arrow; the checks a table fails are run again to word each failure
   (failures.describe);
3. provenance: archives match their sha256, and every evidence or quote occurs verbatim (provenance);
4. optionally frictionless as an independent second opinion (second_opinion).
Every problem is a report.Problem with a rule code such as `foreign-key` or `archive-changed`.
Heavy libraries are imported by the stages that need them, not here; data is checked and its problems
worded without pandas or pandera (cotw.io.quietarrow keeps pyarrow from importing pandas meanwhile).
"""
