"""The download `csv/cotw-datapackage.zip` proves itself: it carries the archived source texts, and
`cotw check`, `cotw.load`, `cotw.read` and `cotw.validate` read the zip in place, safely.

A zip is untrusted input: entries outside the package, links, duplicates and zip bombs are refused
with a located error, never a traceback, and nothing is unpacked anywhere.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

import cotw
from conftest import ROOT
from cotw.io import safezip

ZIP = "csv/cotw-datapackage.zip"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    from cotw.export import export

    out = tmp_path_factory.mktemp("zip") / "downloads"
    export(ROOT, out, ["csv"])
    return out


@pytest.fixture
def download(downloads) -> Path:
    return downloads / ZIP


def sources() -> list[dict]:
    return list(csv.DictReader(io.StringIO((ROOT / "data/sources.csv").read_text(encoding="utf-8"))))


def rezip(src: Path, dest: Path, change=None, extra=()) -> Path:
    """A copy of the zip `src`, each entry's bytes passed through change(name, data), plus `extra` (ZipInfo, bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, change(info.filename, data) if change else data)
        for info, data in extra:
            zout.writestr(info, data)
    return dest


def make_zip(dest: Path, entries) -> Path:
    """A zip of (name or ZipInfo, bytes) entries, written as given (duplicates included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the point
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return dest


def package_entries(download: Path, prefix: str = "") -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(download) as zf:
        return [(prefix + i.filename, zf.read(i)) for i in zf.infolist()]


# --- the zip carries its proof ------------------------------------------------------------------------


def test_the_zip_carries_every_archived_source_text_with_the_sha256_sources_csv_records(download):
    with zipfile.ZipFile(download) as zf:
        names = zf.namelist()
        for row in sources():
            assert row["archive"] in names
            data = zf.read(row["archive"])
            assert data == (ROOT / row["archive"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row["sha256"]
        descriptor = json.loads(zf.read("datapackage.json"))
    sources_csv = next(r for r in descriptor["resources"] if r["name"] == "sources")
    with zipfile.ZipFile(download) as zf:  # the chain: descriptor -> sources.csv -> every archived text
        assert sources_csv["hash"] == "sha256:" + hashlib.sha256(zf.read(sources_csv["path"])).hexdigest()


def valid_line() -> str:
    """What `cotw check` says of the shipped package: its tables and rows."""
    names = cotw.names(ROOT)
    return f"valid: {len(names)} tables, {sum(len(cotw.read(n, ROOT)) for n in names)} rows (descriptor, schema, provenance"


def test_check_accepts_the_zip_in_place(download, cli):
    result = cli("check", download)
    assert result.exit_code == 0, result.output
    assert result.stdout == valid_line() + ")\n"
    assert result.stderr.splitlines()[0] == f"cotw check: {download} (version {cotw.__version__})"


def test_check_of_the_downloaded_zip_by_its_relative_path_in_a_subprocess(downloads):
    run = subprocess.run([sys.executable, "-c", "from cotw.cli import app; app(prog_name='cotw')", "check",
                          f"downloads/{ZIP}", "--with-frictionless"], cwd=downloads.parent, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith(valid_line() + ", frictionless)")


def test_the_library_reads_the_zip_as_it_reads_the_folder(download):
    assert cotw.names(download) == cotw.names(ROOT)
    for name in ("statements", "countries"):
        assert cotw.load(name, download).equals(cotw.load(name, ROOT))
        assert cotw.read(name, download).equals(cotw.read(name, ROOT))
    report = cotw.validate(download)
    assert report.ok and report.root == str(download)


def test_diff_and_codebook_read_the_zip_too(download, cli):
    assert cli("diff", download, ROOT, "--exit-code").exit_code == 0
    assert cli("codebook", download).stdout == cli("codebook", ROOT).stdout


def test_corrupting_one_archived_text_inside_the_zip_fails_with_archive_changed(download, tmp_path, cli):
    row = sources()[0]
    bad = rezip(download, tmp_path / "tampered.zip",
                lambda name, data: data.replace(b"the", b"teh", 1) if name == row["archive"] else data)
    result = cli("check", bad)
    assert result.exit_code == 1
    line = next(i for i, r in enumerate(sources(), start=2) if r["archive"] == row["archive"])
    assert any(l.startswith(f"data/sources.csv:{line}: {row['archive']} has sha256 ") and l.endswith("[archive-changed]")
               for l in result.stdout.splitlines()), result.stdout


def test_a_flipped_byte_inside_the_zip_is_a_located_error_not_a_traceback(download, tmp_path, cli):
    row = sources()[-1]
    data = bytearray(download.read_bytes())
    with zipfile.ZipFile(download) as zf:
        info = zf.getinfo(row["archive"])
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)  # the entry's compressed bytes
    data[start + info.compress_size // 2] ^= 0xFF
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    result = cli("check", broken)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert any(l.startswith("data/sources.csv:") and "the zip entry is corrupt" in l and l.endswith("[unreadable-archive]")
               for l in result.stdout.splitlines()), result.stdout


def test_the_unzipped_download_passes_cotw_check_and_frictionless(download, tmp_path, cli):
    from frictionless import validate

    with zipfile.ZipFile(download) as zf:
        zf.extractall(tmp_path / "unzipped")
    result = cli("check", tmp_path / "unzipped")
    assert result.exit_code == 0, result.output
    report = validate(str(tmp_path / "unzipped" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_a_zip_of_a_single_top_level_folder_is_read_from_that_folder(download, tmp_path, cli):
    folder = make_zip(tmp_path / "cotw-main.zip", [("cotw-main/", b"")] + package_entries(download, "cotw-main/"))
    assert cli("check", folder).exit_code == 0
    assert cotw.load("countries", folder).equals(cotw.load("countries", download))


def test_fmt_refuses_a_zip_and_leaves_it_alone(download, cli):
    from cotw.io.canonical import format_package

    before = download.read_bytes()
    result = cli("fmt", download)
    assert result.exit_code == 2
    assert "is a zipped package, which is read-only; unzip it to rewrite its tables" in result.stderr
    library = format_package(cotw.Package.open(download))
    assert not library.ok and "a zipped package is read-only" in library.descriptor[0]
    assert format_package(cotw.Package.open(download), check=True).ok  # checking the form reads only
    assert download.read_bytes() == before


# --- hostile and broken zips: refused with a located error, never a traceback --------------------------


def link(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def device(name: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFCHR | 0o644) << 16
    return info, b""


HOSTILE = {
    "climbs-out": (lambda e: e + [("../evil.txt", b"x")], "zip entry '../evil.txt' climbs out of the package"),
    "absolute": (lambda e: e + [("/etc/evil.txt", b"x")], "zip entry '/etc/evil.txt' is absolute"),
    "drive": (lambda e: e + [("C:/evil.txt", b"x")], "zip entry 'C:/evil.txt' is absolute"),
    "backslash": (lambda e: e + [("data\\statements.csv", b"x")], "has a backslash in its name"),
    "symlink": (lambda e: e + [link("seeds/passwd.txt", "/etc/passwd")], "zip entry 'seeds/passwd.txt' is a symbolic link"),
    "device": (lambda e: e + [device("seeds/zero.txt")], "zip entry 'seeds/zero.txt' is not a regular file"),
    "duplicate": (lambda e: e + [e[1]], "zip entry 'data/sources.csv' occurs twice"),
    "bomb": (lambda e: e + [("seeds/zeros.txt", bytes(4 * safezip.RATIO_FLOOR))], "more than 200 times (a zip bomb?)"),
    "only-folders": (lambda e: [("a/", b""), ("a/b/", b"")], "the zip holds only folders, no files"),
    "nested-descriptor": (lambda e: [("a/b/" + n, d) for n, d in e] + [("c.txt", b"")],
                          "the zip has its datapackage.json at 'a/b/datapackage.json'; cotw reads a zip whose datapackage.json is at its top"),
    "no-descriptor": (lambda e: e[1:], "the zip holds no datapackage.json"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_zip_is_refused_whole_with_a_located_error(download, tmp_path, cli, case):
    entries, expected = HOSTILE[case]
    bad = make_zip(tmp_path / f"{case}.zip", entries(package_entries(download)))
    with pytest.raises(cotw.PackageError) as err:
        cotw.load("statements", bad)
    assert expected in err.value.message and err.value.file == str(bad)
    result = cli("check", bad)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stdout.startswith(f"{bad}: ") and expected in result.stdout


def test_a_nul_in_an_entry_name_is_refused(download, tmp_path):
    placeholder = make_zip(tmp_path / "nul.zip", package_entries(download) + [("seeds/x_y.txt", b"x")])
    placeholder.write_bytes(placeholder.read_bytes().replace(b"seeds/x_y.txt", b"seeds/x\x00y.txt"))  # zipfile cannot write it
    with pytest.raises(cotw.PackageError, match="has a NUL character in its name"):
        cotw.Package.open(placeholder)


@pytest.mark.parametrize("limit, value, expected", [
    ("MAX_ENTRIES", 5, "the zip has 18 entries, more than the 5 cotw reads"),  # descriptor, 12 tables, 5 archived texts
    ("MAX_TOTAL", 1000, "the zip expands to .* bytes, more than the 1,000 cotw reads"),
    ("MAX_ZIP", 1000, "the zip is .* bytes, more than the 1,000 cotw reads"),
])
def test_count_and_size_limits(download, monkeypatch, limit, value, expected):
    monkeypatch.setattr(safezip, limit, value)
    with pytest.raises(cotw.PackageError, match=expected):
        cotw.Package.open(download)


def declare_size(data: bytearray, info: zipfile.ZipInfo, size: int) -> None:
    """Set the uncompressed size entry `info` declares, in its local header and in its central directory record."""
    new = size.to_bytes(4, "little")
    data[info.header_offset + 22: info.header_offset + 26] = new
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        length = int.from_bytes(data[pos + 28: pos + 30], "little")
        if data[pos + 46: pos + 46 + length] == info.filename.encode():
            data[pos + 24: pos + 28] = new
            return
        pos = data.find(b"PK\x01\x02", pos + 1)
    raise AssertionError(f"no central directory record for {info.filename}")


def test_an_entry_is_never_read_beyond_its_declared_size(download, tmp_path, cli):
    """A header that understates an entry's size (its deflate stream holds more) gets a located error."""
    row = sources()[-1]
    data = bytearray(download.read_bytes())
    with zipfile.ZipFile(download) as zf:
        info = zf.getinfo(row["archive"])
    declare_size(data, info, 100)
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(data))
    with pytest.raises(OSError, match="the zip entry is corrupt"):
        cotw.Package.open(lying).read_bytes(row["archive"], 10**9)
    result = cli("check", lying)
    assert result.exit_code == 1 and "Traceback" not in result.output and "[unreadable-archive]" in result.stdout


def test_an_entry_larger_than_the_callers_limit_is_not_read(download):
    pkg = cotw.Package.open(download)
    with pytest.raises(cotw.package.UnsafeFile, match="more than the 100 cotw reads"):
        pkg.read_bytes("datapackage.json", 100)
    with pytest.raises(FileNotFoundError):
        pkg.read_bytes("data/nowhere.csv")
    with pytest.raises(cotw.package.UnsafeFile, match="is a directory"):
        pkg.read_bytes("seeds")
    with pytest.raises(cotw.package.UnsafeFile, match="climbs out"):
        pkg.read_bytes("../datapackage.json")


@pytest.mark.parametrize("content, expected", [
    (b"this is not a zip", "not a readable zip file"),
    (None, "not a readable zip file"),  # the download cut in half
])
def test_a_corrupt_zip_is_a_located_error(download, tmp_path, cli, content, expected):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(content if content is not None else download.read_bytes()[: download.stat().st_size // 2])
    result = cli("check", bad)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stdout.startswith(f"{bad}: {expected}")


def test_exporting_from_the_zip_gives_the_same_zip(download, tmp_path):
    from cotw.export import export

    export(download, tmp_path / "again", ["csv"])
    assert (tmp_path / "again" / ZIP).read_bytes() == download.read_bytes()
