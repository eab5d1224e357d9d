"""`cotw source add` reads and writes only regular files inside the package: a `seeds/` (or a file under it)
that is a symbolic link out of the package is refused, never followed (finding 13 of issue 19)."""
from __future__ import annotations

import os
import sys

import pytest

from cotw.curate import CurateError
from cotw.curate.sources import add_source
from cotw.package import Package

TEXT = b"Ministers meet again\n\nThe defence ministers said: we remain ready.\n"
META = dict(title="Ministers meet again", kind="news", language="en", published_basis="Not dated.")


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def outside(tmp_path):
    """A folder outside the package holding a copy of the article (under a name an attacker hopes to learn)."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret-name-4f2a.txt").write_bytes(TEXT)
    return folder


@pytest.fixture
def opened():
    """Every path the process opens or lists from here on (an audit hook cannot be removed: it only records)."""
    seen: list[str] = []

    def hook(event, args):
        if event in ("open", "os.listdir", "os.scandir") and args:
            seen.append(str(args[0]))

    sys.addaudithook(hook)
    return seen


def test_a_seeds_link_out_of_the_package_is_refused_unread(tmp_path, pkg, outside, opened):
    article = tmp_path / "article.txt"
    article.write_bytes(TEXT)
    os.rename(pkg / "seeds", tmp_path / "real-seeds")
    os.symlink(outside, pkg / "seeds")
    before, there = snapshot(pkg), snapshot(outside)
    start = len(opened)
    with pytest.raises(CurateError) as exc:
        add_source(Package.open(pkg), article, **META)
    assert str(exc.value) == ("seeds/ is a symbolic link; cotw reads and writes only files inside the package, "
                              "so it was not followed; nothing was written")
    assert "secret-name" not in str(exc.value)
    assert not [p for p in opened[start:] if str(outside) in p or "elsewhere" in p]
    assert snapshot(pkg) == before and snapshot(outside) == there


def test_a_seed_file_that_links_out_is_neither_read_nor_named(tmp_path, pkg, outside, opened):
    article = tmp_path / "article.txt"
    article.write_bytes(TEXT)
    os.symlink(outside / "secret-name-4f2a.txt", pkg / "seeds" / "999_linked.txt")
    start = len(opened)
    added = add_source(Package.open(pkg), article, **META)
    assert added.archive.startswith("seeds/005_")  # a link's name is no archive number: the numbering ignores it
    assert not [p for p in opened[start:] if "elsewhere" in p or "999_linked" in p]


def test_a_data_folder_that_links_out_is_refused(tmp_path, pkg, opened):
    article = tmp_path / "article.txt"
    article.write_bytes(TEXT)
    os.rename(pkg / "data", tmp_path / "data-elsewhere")
    os.symlink(tmp_path / "data-elsewhere", pkg / "data")
    start = len(opened)
    with pytest.raises(CurateError) as exc:
        add_source(Package.open(pkg), article, **META)
    assert "resolves outside the package" in str(exc.value) and "nothing was written" in str(exc.value)
    assert not [p for p in opened[start:] if "data-elsewhere" in p]
    assert not any(p.name.startswith("005_") for p in (pkg / "seeds").iterdir())
