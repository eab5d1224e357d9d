"""Zip files whose bytes depend only on their content: fixed entry dates (1980-01-01), fixed
permissions, deflate at a fixed level, entries in the order given."""
from __future__ import annotations

import zipfile
from pathlib import Path

from .paths import entry

EPOCH = (1980, 1, 1, 0, 0, 0)


def write_zip(path: Path, entries: list[tuple[str, bytes]]) -> None:
    for name, _data in entries:  # before the file is created: no entry may unzip outside its folder
        entry(name)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permissions below are read as such everywhere
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def entries(path_or_bytes) -> list[tuple[str, bytes]]:
    """The entries of a zip, in archive order."""
    import io

    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with zipfile.ZipFile(src) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]
