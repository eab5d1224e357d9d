"""Generated artefacts do not drift: CODEBOOK.md is exactly what `cotw codebook` generates."""
from __future__ import annotations

import cotw
from cotw.codebook import render


def test_codebook_is_up_to_date(root):
    expected = render(cotw.Package.open(root))
    assert (root / "CODEBOOK.md").read_text(encoding="utf-8") == expected, "run `cotw codebook --out CODEBOOK.md`"


def test_codebook_defines_every_vocabulary_value(root):
    text = (root / "CODEBOOK.md").read_text(encoding="utf-8")
    pkg = cotw.Package.open(root)
    for name in pkg.names():
        for field in pkg.schema(name)["fields"]:
            for value in field.get("constraints", {}).get("enum", []):
                assert f"| `{value}` | " in text, (name, field["name"], value)
    assert "**Inclusion policy.**" in text


def test_codebook_command_checks_drift(root, cli, tmp_path):
    stale = tmp_path / "CODEBOOK.md"
    stale.write_text("old\n", encoding="utf-8")
    result = cli("codebook", root, "--out", stale, "--check")
    assert result.exit_code == 1 and "is out of date" in result.stderr
    assert cli("codebook", root, "--out", stale).exit_code == 0
    assert cli("codebook", root, "--out", stale, "--check").exit_code == 0

