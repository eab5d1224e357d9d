"""safezip at its edges (written for the mutation run, docs/mutation.md)."""
from __future__ import annotations

import pytest


def test_a_zip_is_known_by_its_name_or_its_signature(tmp_path):
    from cotw.io.safezip import is_zip

    (tmp_path / "download").write_bytes(b"PK\x03\x04rest")
    (tmp_path / "empty-zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (tmp_path / "text").write_bytes(b"PK no zip")
    assert is_zip(tmp_path / "x.ZIP") is True  # by its name, unread
    assert is_zip(tmp_path / "download") is True and is_zip(tmp_path / "empty-zip") is True
    assert is_zip(tmp_path / "text") is False and is_zip(tmp_path / "missing") is False and is_zip(tmp_path) is False


def entry(name="data/x.csv", size=0, packed=0, mode=None):
    import stat
    import zipfile

    info = zipfile.ZipInfo(name)
    info.file_size, info.compress_size = size, packed
    if mode is not None:
        info.create_system, info.external_attr = 3, (mode | 0o644) << 16
    return info


def test_a_symbolic_link_or_a_device_entry_is_refused():
    import stat

    from cotw.io.safezip import entry_problem

    assert entry_problem(entry(mode=stat.S_IFLNK)) == "is a symbolic link; cotw reads only regular files"
    assert entry_problem(entry(mode=stat.S_IFCHR)) == "is not a regular file (a device, pipe or socket)"
    assert entry_problem(entry(mode=stat.S_IFREG)) is None


def test_the_expansion_ratio_is_refused_exactly_past_its_bound():
    from cotw.io.safezip import MAX_RATIO, RATIO_FLOOR, entry_problem

    packed = RATIO_FLOOR // MAX_RATIO + 1
    assert entry_problem(entry(size=MAX_RATIO * packed, packed=packed)) is None  # at the ratio: fine
    assert "a zip bomb" in entry_problem(entry(size=MAX_RATIO * packed + 1, packed=packed))
    assert entry_problem(entry(size=RATIO_FLOOR, packed=1)) is None  # small entries may expand as they like
    assert "a zip bomb" in entry_problem(entry(size=RATIO_FLOOR + 1, packed=1))


def test_an_entry_from_a_zip_made_on_windows_has_no_file_type_and_is_read():
    from cotw.io.safezip import entry_problem

    info = entry()
    info.create_system, info.external_attr = 0, 0x20  # MS-DOS: an archive bit, no Unix mode
    assert entry_problem(info) is None


def tiny_zip(tmp_path, entries=(("datapackage.json", b"{}"), ("data/x.csv", b"a\n1\n"))):
    """A small zipped package, written here: (its bytes, the sum of its entries' sizes, how many entries)."""
    import zipfile

    path = tmp_path / "tiny.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path.read_bytes(), sum(len(d) for _, d in entries), len(entries)


@pytest.mark.parametrize("bound,reads,refusal", [
    ("MAX_ENTRIES", ("data/x.csv", b"a\n1\n"), "the zip has {n} entries, more than the {m} cotw reads"),
    ("MAX_TOTAL", ("datapackage.json", b"{}"), "the zip expands to {n} bytes, more than the {m} cotw reads"),
])
def test_the_count_of_entries_and_the_expanded_size_are_refused_exactly_past_their_bounds(tmp_path, monkeypatch, bound, reads,
                                                                                           refusal):
    from cotw.io import safezip

    data, total, count = tiny_zip(tmp_path)
    n = count if bound == "MAX_ENTRIES" else total
    monkeypatch.setattr(safezip, bound, n)
    assert safezip.ZipSource(tmp_path, data).read_bytes(reads[0], 100) == reads[1]
    monkeypatch.setattr(safezip, bound, n - 1)
    with pytest.raises(safezip.ZipRefused, match=refusal.format(n=n, m=n - 1)):
        safezip.ZipSource(tmp_path, data)


def test_the_inflation_budget_is_refused_exactly_past_its_bound(tmp_path, monkeypatch):
    """The budget in code (limits.ZIP_INFLATE_FLOOR, ZIP_INFLATE_RATIO times the zip's size), met exactly and
    passed by one byte."""
    import pytest

    from cotw.io import safezip

    data, total, _ = tiny_zip(tmp_path)
    monkeypatch.setattr(safezip, "ZIP_INFLATE_RATIO", 0)
    monkeypatch.setattr(safezip, "ZIP_INFLATE_FLOOR", total)
    assert safezip.inflate_budget(len(data)) == total
    assert safezip.ZipSource(tmp_path, data).read_bytes("data/x.csv", 100) == b"a\n1\n"
    monkeypatch.setattr(safezip, "ZIP_INFLATE_FLOOR", total - 1)
    with pytest.raises(safezip.ZipRefused, match=f"the zip expands to {total} bytes, more than 0 times"):
        safezip.ZipSource(tmp_path, data)


def test_a_file_and_a_folder_of_the_same_name_are_refused_as_one_name_twice(tmp_path):
    import zipfile

    import pytest

    from cotw.io import safezip

    entries = (("datapackage.json", b"{}"), ("data/x.csv", b"a\n"), (zipfile.ZipInfo("data/x.csv/"), b""))
    data, _, _ = tiny_zip(tmp_path, entries)
    with pytest.raises(safezip.ZipRefused, match="zip entry 'data/x.csv' occurs twice"):
        safezip.ZipSource(tmp_path, data)


@pytest.mark.parametrize("first, second", [("data/x.csv", "data/X.csv"), ("data/\u00e1.csv", "data/a\u0301.csv")])
def test_names_that_differ_only_in_case_or_normalisation_are_refused(tmp_path, first, second):
    from cotw.io import safezip

    data, _, _ = tiny_zip(tmp_path, (("datapackage.json", b"{}"), (first, b"a\n"), (second, b"b\n")))
    with pytest.raises(safezip.ZipRefused, match="differ only in case or Unicode normalisation"):
        safezip.ZipSource(tmp_path, data)


def test_a_zip_path_that_is_a_link_is_followed_and_one_that_cannot_be_read_is_refused(tmp_path):
    """The zip to check is a path the user typed: a link to it is followed (unlike a path a package names)."""
    import os

    from cotw.io import safezip

    tiny_zip(tmp_path)
    os.symlink(tmp_path / "tiny.zip", tmp_path / "link.zip")
    assert safezip.ZipSource.open(tmp_path / "link.zip").read_bytes("data/x.csv", 100) == b"a\n1\n"
    with pytest.raises(safezip.ZipRefused, match="the zip cannot be read: No such file or directory"):
        safezip.ZipSource.open(tmp_path / "missing.zip")


BIG = 3 << 20  # past safezip._CHUNK: such an entry is inflated twice, once to measure it (_measure)


def big_zip(tmp_path, size=None, crc=None):
    """A zip whose data/big.bin (random bytes, so no bomb ratio) is deflated, its central directory record
    then made to declare `size` bytes or the CRC `crc`."""
    import random

    body = random.Random(19).randbytes(BIG)
    data, _, _ = tiny_zip(tmp_path, (("datapackage.json", b"{}"), ("data/big.bin", body)))
    data = bytearray(data)
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(b"data/big.bin"))  # its central directory record
    if size is not None:
        data[at + 24: at + 28] = size.to_bytes(4, "little")
    if crc is not None:
        data[at + 16: at + 20] = crc.to_bytes(4, "little")
    return bytes(data), body


def test_a_large_deflated_entry_is_read_whole_and_checked(tmp_path, monkeypatch):
    """Measured first (inflated keeping nothing), then inflated into one buffer only when it holds exactly
    the bytes and the CRC its header declares: a lying header never costs the memory of the whole entry."""
    import zlib

    from cotw.io import safezip
    from cotw.io.safeio import UnsafeFile

    real, inflated = zlib.decompress, []
    monkeypatch.setattr(zlib, "decompress", lambda *a, **kw: (inflated.append(1), real(*a, **kw))[1])
    data, body = big_zip(tmp_path)
    assert safezip.ZipSource(tmp_path, data).read_bytes("data/big.bin", BIG) == body
    assert inflated == [1]
    for size, crc, why in ((BIG - 1, None, "holds more bytes than its header declares"),
                           (BIG + 1, None, rf"is truncated \({BIG:,} of {BIG + 1:,} bytes\)"),
                           (None, zlib.crc32(body) ^ 1, "its CRC does not match")):
        zipped, _ = big_zip(tmp_path, size, crc)
        with pytest.raises(OSError, match=why) as exc:
            safezip.ZipSource(tmp_path, zipped).read_bytes("data/big.bin", BIG + 1)
        assert not isinstance(exc.value, UnsafeFile)
    assert inflated == [1]  # none of the three was inflated into memory


@pytest.mark.parametrize("method", ["ZIP_BZIP2", "ZIP_LZMA"])
def test_an_entry_compressed_otherwise_is_read_through_zipfile_in_bounded_chunks(tmp_path, method):
    import random
    import zipfile
    import zlib

    from cotw.io import safezip

    body = random.Random(19).randbytes((1 << 20) + 4097)  # two chunks and a bit
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w", getattr(zipfile, method)) as zf:
        zf.writestr("datapackage.json", b"{}")
        zf.writestr("data/big.bin", body)
    data = bytearray(path.read_bytes())
    assert safezip.ZipSource(tmp_path, bytes(data)).read_bytes("data/big.bin", len(body)) == body
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(b"data/big.bin"))
    data[at + 16: at + 20] = (zlib.crc32(body) ^ 1).to_bytes(4, "little")
    with pytest.raises(OSError, match="the zip entry is corrupt"):
        safezip.ZipSource(tmp_path, bytes(data)).read_bytes("data/big.bin", len(body))


def patched(data: bytes, name: str, offset: int, value: int, width: int) -> bytes:
    """`data` with `width` bytes at `offset` of the central directory record of entry `name` set to `value`."""
    data = bytearray(data)
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode()))
    data[at + offset: at + offset + width] = value.to_bytes(width, "little")
    return bytes(data)


def test_an_encrypted_entry_is_refused_unread(tmp_path):
    from cotw.io import safezip
    from cotw.io.safeio import UnsafeFile

    data, _, _ = tiny_zip(tmp_path)
    with pytest.raises(UnsafeFile, match="is encrypted in the zip"):
        safezip.ZipSource(tmp_path, patched(data, "data/x.csv", 8, 1, 2)).read_bytes("data/x.csv", 100)  # flag bit 0
    assert safezip.ZipSource(tmp_path, patched(data, "data/x.csv", 8, 2, 2)).read_bytes("data/x.csv", 100) == b"a\n1\n"


@pytest.mark.parametrize("method", ["ZIP_STORED", "ZIP_DEFLATED", "ZIP_BZIP2"])
def test_a_small_entry_shorter_than_its_header_says_is_truncated(tmp_path, method):
    import zipfile

    from cotw.io import safezip

    path = tmp_path / "short.zip"
    with zipfile.ZipFile(path, "w", getattr(zipfile, method)) as zf:
        zf.writestr("datapackage.json", b"{}")
        zf.writestr("data/x.csv", b"a\n1\n")
    data = patched(path.read_bytes(), "data/x.csv", 24, 9, 4)  # declares 9 bytes; holds 4
    with pytest.raises(OSError, match=r"the zip entry is truncated \(4 of 9 bytes\)"):
        safezip.ZipSource(tmp_path, data).read_bytes("data/x.csv", 100)


def test_an_entry_read_past_its_declared_size_is_refused_even_if_the_reader_let_it_through(tmp_path, monkeypatch):
    """Two locks: zipfile stops at the declared size, and read_bytes refuses more bytes all the same."""
    import zipfile

    from cotw.io import safezip
    from cotw.io.safeio import UnsafeFile

    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("datapackage.json", b"{}")
        zf.writestr("data/x.csv", b"a\n1\n")
    monkeypatch.setattr(safezip, "_bounded_read", lambda zf, info, relpath: [b"a\n1\n", b"more"])
    with pytest.raises(UnsafeFile, match="holds more bytes than its zip header declares"):
        safezip.ZipSource(tmp_path, path.read_bytes()).read_bytes("data/x.csv", 100)


@pytest.mark.parametrize("relpath, why", [("data\\x.csv", "contains a backslash"), ("../x.csv", "climbs out"), ("data/", "ends with '/'")])
def test_a_path_not_in_normal_form_is_refused_as_from_a_folder(tmp_path, relpath, why):
    from cotw.io import safezip
    from cotw.io.safeio import UnsafeFile

    data, _, _ = tiny_zip(tmp_path)
    with pytest.raises(UnsafeFile, match=why):
        safezip.ZipSource(tmp_path, data).read_bytes(relpath, 100)


def test_stored_deflated_and_extra_field_entries_are_read_from_their_local_header_on(tmp_path):
    import zipfile

    from cotw.io import safezip

    path = tmp_path / "mixed.zip"
    extra = zipfile.ZipInfo("data/extra.csv")
    extra.compress_type, extra.extra = zipfile.ZIP_DEFLATED, b"\xfe\xca\x04\x00abcd"  # a private extra field, 4 bytes
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("datapackage.json", b"{}", zipfile.ZIP_STORED)
        zf.writestr(extra, b"e\n5\n")
    source = safezip.ZipSource(tmp_path, path.read_bytes())
    assert source.read_bytes("datapackage.json", 2) == b"{}"
    assert source.read_bytes("data/extra.csv", 4) == b"e\n5\n"


def test_a_corrupt_local_header_or_deflate_stream_is_a_corrupt_entry(tmp_path):
    import zipfile

    from cotw.io import safezip

    data, _, _ = tiny_zip(tmp_path)
    info = zipfile.ZipFile(tmp_path / "tiny.zip").getinfo("data/x.csv")
    at = info.header_offset
    no_header = data[:at] + b"XXXX" + data[at + 4:]
    with pytest.raises(OSError, match=r"the zip entry is corrupt \(no local header where the directory says\)"):
        safezip.ZipSource(tmp_path, no_header).read_bytes("data/x.csv", 100)
    start = at + 30 + len(info.filename.encode()) + len(info.extra)
    garbage = data[:start] + b"\xff" * info.compress_size + data[start + info.compress_size:]
    with pytest.raises(OSError, match=r"the zip entry is corrupt \(Error -3 while decompressing"):  # zlib.error
        safezip.ZipSource(tmp_path, garbage).read_bytes("data/x.csv", 100)
