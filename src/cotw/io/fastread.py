"""The fast path for reading a table: pyarrow parses, and a vectorised re-serialisation proves the
parse exact.

pyarrow's CSV parser is lenient where Python's csv module (the exact, slow path in reader.py) is
strict, e.g. `"ab"c` silently becomes `abc` and a blank line becomes a row of empty cells. So the
fast result is accepted only when writing the parsed cells back in canonical form (fmt.py's rules)
reproduces the file byte for byte: then the parse is the one the csv module would give, the file
is canonical, and every row's line is 2 + its index + the line breaks inside the cells above it.
Anything else (a BOM, CR line ends, odd quoting, a row of empty cells, any parse error) goes to the
exact path.
"""
from __future__ import annotations

import io

import numpy as np

from .csvtext import quote_cell  # canonical quoting has one definition; NEEDS_QUOTES below is its vectorised twin

BLOCK = 1 << 22  # bytes pyarrow parses at a time (16 MiB blocks parsed statements at 100k in twice the time)
BATCH = 65_536  # rows re-serialised and compared at a time, to bound memory
WORKERS = 2  # batches written at once (this machine kind has 2 cores); memory: WORKERS batches at a time
# exactly the characters Python's str.strip() removes, i.e. str.isspace() (tests/test_fastread.py checks
# the list against every code point)
_WS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
       "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _WS) + "]"
NEEDS_QUOTES = f'[,"\\n\\r]|^{_WS_CLASS}|{_WS_CLASS}$'


def read(data: bytes, fields: list[str], key: list[str]):
    """(arrow table of text cells, CSV line per row, canonical?) when `data` is written exactly as canonical
    form writes its cells (sorting aside) with exactly `fields`; None when the exact path must decide."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    header = (",".join(quote_cell(f) for f in fields) + "\n").encode("utf-8")
    if len(fields) < 2 or not data.startswith(header) or data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
        return None
    try:
        table = pcsv.read_csv(
            io.BytesIO(data),
            # a file of one block gains nothing from pyarrow's threads, whose teardown now and then aborts a
            # process that ends right after the read (apache/arrow#34314; cotw.load saw 7 in 100)
            read_options=pcsv.ReadOptions(column_names=fields, skip_rows=1, block_size=BLOCK, use_threads=len(data) > BLOCK),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={f: pa.large_string() for f in fields}, null_values=[""],
                                                strings_can_be_null=True, quoted_strings_can_be_null=True, check_utf8=True),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        return None
    # a row of empty cells (a spreadsheet's blank line): the exact path reports it. A column with no empty
    # cell rules it out without looking at the rows (the shipped tables all have one).
    if table.num_rows and all(table.column(f).null_count for f in fields):
        empty = None
        for f in fields:
            missing = pc.is_null(table.column(f))
            empty = missing if empty is None else pc.and_(empty, missing)
        if pc.any(empty).as_py():
            return None
    if not _reproduces(data, len(header), table, pa, pc):
        return None
    breaks = np.zeros(table.num_rows, dtype=np.int64)
    # the file is the header and the rows, each ending in a line break, and the cells' own breaks
    # (proven just above): when it has no more breaks than rows, no cell holds one
    if data.count(b"\n") != table.num_rows + 1:
        for f in fields:
            breaks += pc.fill_null(pc.count_substring(table.column(f), "\n"), 0).to_numpy()
    lines = 2 + np.arange(table.num_rows, dtype=np.int64)
    if table.num_rows:
        lines[1:] += np.cumsum(breaks)[:-1]
    # canonical also means sorted by the primary key (a stable sort: ties keep their order)
    canonical = True if not key else _sorted(table, key, pa, pc)
    return table, lines, canonical


def _sorted(table, key: list[str], pa, pc) -> bool:
    """Whether the rows are in the order fmt's sort gives: by the key's cells as strings (empty for a
    missing cell), compared column after column. Arrow compares UTF-8 bytewise, which is code-point
    order, the order of Python's str comparison."""
    if table.num_rows < 2:
        return True
    n = table.num_rows
    ok = None  # row i+1 >= row i on the key columns compared so far, with earlier columns deciding
    for col in reversed(key):
        c = pc.fill_null(table.column(col), pa.scalar("", table.column(col).type)).combine_chunks()
        prev, nxt = c.slice(0, n - 1), c.slice(1)
        lt = pc.less(prev, nxt)
        ok = pc.less_equal(prev, nxt) if ok is None else pc.or_(lt, pc.and_(pc.equal(prev, nxt), ok))
    return bool(pc.all(ok).as_py())


def _reproduces(data: bytes, offset: int, table, pa, pc) -> bool:
    """Whether the cells, written in canonical form, are exactly data[offset:]. Batches are written on
    both cores (arrow kernels release the GIL), at most WORKERS at a time, and compared in order."""
    from .quietarrow import pool

    view = memoryview(data)
    q, empty, comma, nl = (pa.scalar(s, pa.large_string()) for s in ('"', "", ",", "\n"))

    def write(batch):
        cells = [pc.fill_null(col, empty) if col.null_count else col for col in batch.columns]
        # one regex pass over the batch's cells, column after column (RE2 compiles the pattern once per call,
        # which cost more than the matching, column by column), then each column's share of it
        needs_all = pc.match_substring_regex(pa.concat_arrays(cells), NEEDS_QUOTES)
        parts, at = [], 0
        for part in cells:
            needs = needs_all.slice(at, len(part))  # no nulls in, none out: true_count is pc.any
            at += len(part)
            if needs.true_count:
                quoted = pc.binary_join_element_wise(q, pc.replace_substring(part, '"', '""'), q, empty)
                part = pc.if_else(needs, quoted, part)
            parts.append(part)
        lines = pc.binary_join_element_wise(*parts, comma)
        return pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines), nl)[0].as_buffer()

    batches = table.to_batches(max_chunksize=BATCH)
    if len(batches) < 2:
        return _matches((write(b) for b in batches), view, offset, pa)
    with pool(WORKERS) as workers:
        return _matches(_in_order(workers, write, batches, WORKERS), view, offset, pa)


def _in_order(pool, fn, items, window: int):
    """fn(item) for each item, in order, computed by `pool` with at most `window` results held at a time.
    Abandoning the generator cancels what has not started."""
    from collections import deque

    pending: deque = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for job in pending:
            job.cancel()


def _matches(blobs, view: memoryview, pos: int, pa) -> bool:
    """Whether the written batches, each followed by a line break, are exactly view[pos:]."""
    for blob in blobs:
        n = blob.size
        if not blob.equals(pa.py_buffer(view[pos:pos + n])) or view[pos + n:pos + n + 1] != b"\n":
            return False
        pos += n + 1
    return pos == len(view)
