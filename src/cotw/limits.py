"""The budgets cotw spends on one untrusted input: every number here, in code, never in the package.

A package is written by whoever sends it, schema included, so no bound can come from the package
itself. Each budget is charged where the bytes enter (the zip reader, the descriptor, the citation,
the report, the second opinion, the curation commands), and what goes over it is refused with a
located message or cut with a count of what was left out: the time, memory and output of every
command stay bounded by the size of what it was given.

The file size bounds of io/safeio.py (MAX_JSON, MAX_TEXT, MAX_TABLE), io/jsonload.py (MAX_BYTES,
nesting depth) and io/reader.py (MAX_RESYNC) are the first budget of every file; these are the rest.
Modules import their numbers from here under their own names (safezip.MAX_ZIP, report.MAX_VALUE, ...).
"""
from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB

# Zipped packages (io/safezip.py): the zip's size, its entries, their declared size in all, the
# expansion of one entry larger than ZIP_RATIO_FLOOR.
ZIP_MAX_BYTES = 2048 * MiB
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL = 8 * 1024 * MiB
ZIP_MAX_RATIO = 200  # deflate reaches ~1000 on a run of one byte; real CSV and text stay well under 20
ZIP_RATIO_FLOOR = 1 * MiB  # small entries cannot expand into much, whatever their ratio
# Real CSV and text compress 3-10 times, so a whole zip may expand to ZIP_INFLATE_RATIO times its size
# (and always to ZIP_INFLATE_FLOOR): a zip of a few megabytes cannot make cotw inflate gigabytes,
# though each of its entries stays under ZIP_MAX_RATIO.
ZIP_INFLATE_RATIO = 20
ZIP_INFLATE_FLOOR = 256 * MiB

# The descriptor (package.py): resources one package may list.
MAX_RESOURCES = 100  # the shipped package has 12; each costs ~30 ms of checks

# CITATION.cff (export/citation.py): its size, and YAML nodes (anchors and aliases are refused).
CFF_MAX_BYTES = 64 * KiB
CFF_MAX_NODES = 10_000

# The report (report.py), in every format. Per (rule, file): MAX_KEPT problems kept and listed in
# JSON, MAX_SHOWN shown in text and GitHub output. In all: REPORT_MAX_KEPT problems kept,
# REPORT_MAX_SHOWN shown, REPORT_MAX_CHARS characters of message, hint and value kept; the rest
# are counted ("... and N more"). Each problem's message, hint and value are cut to these lengths.
MAX_KEPT = 1000
MAX_SHOWN = 20
MAX_VALUE = 80  # characters of a value quoted inside a message
MAX_NAMES = 30  # names (columns, fields, enum values) listed in one message
REPORT_MAX_KEPT = 10_000
REPORT_MAX_SHOWN = 1000
REPORT_MAX_CHARS = 4_000_000
PROBLEM_MAX_MESSAGE = 1000
PROBLEM_MAX_HINT = 12_000  # room for a `cotw locate` command quoting a cell of locate.MAX_WORDS characters
PROBLEM_MAX_VALUE = 200

# --with-frictionless (check/second_opinion.py): frictionless checks an enum by scanning a list per
# cell, and builds an error object (~1 ms) for every bad row of a table each time another table
# refers to it (uncounted by its own error limit); it is run only within these bounds, and stops
# after FRICTIONLESS_MAX_ERRORS errors.
FRICTIONLESS_MAX_ENUM = 1000  # values in one field's enum
FRICTIONLESS_MAX_TARGET_PROBLEMS = 1000  # problems cotw found in tables that foreign keys refer to (at ~1 ms each per referring table: ~12 s at most for cotw's 12 tables; one broken row of sources.csv, which every table cites, already gives ~120)
FRICTIONLESS_MAX_ERRORS = 1000

# `cotw locate` (curate/locate.py): characters of the words once folded (Unicode compatibility
# forms expand: U+FDFA is 18 letters; twice locate.MAX_WORDS leaves room for a few ligatures), and
# characters of archived text searched in all.
LOCATE_MAX_WORDS = 5000  # characters of the words as given: a cell, not a page
LOCATE_MAX_ARCHIVE_BYTES = 10 * MiB
LOCATE_MAX_FOLDED = 10_000
LOCATE_MAX_SEARCHED = 32 * MiB  # ~3 s of matching per 10 MiB archive

# Provenance (check/provenance.py): code points of archived text whose index is kept from one table
# to the next (20 bytes each); a larger text is hashed BLOCK windows at a time (~40 bytes each).
PROVENANCE_MAX_INDEXED = 4_000_000
PROVENANCE_BLOCK = 1 << 21

# `cotw next-id` (curate/ids.py): digits of an id, whatever the key's pattern asks for.
ID_MAX_DIGITS = 18
