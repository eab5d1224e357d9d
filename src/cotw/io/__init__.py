"""Reading a package's files: the reading stage that every other stage stands on.

Takes a Package (package.py) and a table name; gives the table's bytes (safeio: only regular files
inside the package, bounded), its cells exactly as written, as arrow text, with their CSV lines and
structural problems (reader, with fastread as the proven-exact fast path), its canonical form
(canonical, the rules of `cotw fmt`, with csvtext's quoting rule) and a typed pandas DataFrame
(loader). quietarrow keeps pyarrow from importing pandas where nothing needs it.
Nothing here judges the data beyond its structure: that is the check stage's work.
"""
