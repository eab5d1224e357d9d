"""safezip at its edges (written for the mutation run, docs/mutation.md)."""
from __future__ import annotations


def test_a_zip_is_known_by_its_name_or_its_signature(tmp_path):
    from cotw.io.safezip import is_zip

    (tmp_path / "download").write_bytes(b"PK\x03\x04rest")
    (tmp_path / "empty-zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (tmp_path / "text").write_bytes(b"PK no zip")
    assert is_zip(tmp_path / "x.ZIP") is True  # by its name, unread
    assert is_zip(tmp_path / "download") is True and is_zip(tmp_path / "empty-zip") is True
    assert is_zip(tmp_path / "text") is False and is_zip(tmp_path / "missing") is False and is_zip(tmp_path) is False
