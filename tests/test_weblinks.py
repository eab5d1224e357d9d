"""Only an http(s) URL from a package becomes a link (Datasette metadata, Excel about sheet; the download page,
self-contained, shows every licence path as text),
and `cotw check` reports a descriptor link that is not one (finding 11 of issue 19)."""
from __future__ import annotations

import json

import pytest

import cotw
from cotw.weblink import web_url

EVIL = "javascript:alert(document.domain)"


@pytest.mark.parametrize("value", ["https://creativecommons.org/licenses/by/4.0/", "http://example.org/x?a=1#b", "https://example.org"])
def test_http_urls_are_links(value):
    assert web_url(value) == value


@pytest.mark.parametrize("value", [
    EVIL, "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd", "vbscript:msgbox(1)", "LICENSE", "//evil.example/x", "https:/evil.example", "https://",
    'https://example.org/"onmouseover="alert(1)', "https://example.org/<script>", "https://exa mple.org", "https://example.org/\n",
    "https://example.org/`x`", "http:\\\\evil.example", "https://[::1", None, 42, "", "https://example.org/" + "a" * 2000,
])
def test_anything_else_is_not(value):
    assert web_url(value) is None


def set_licence(pkg, path):
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["licenses"][0]["path"] = path
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")


def test_check_reports_a_licence_that_is_no_web_address(pkg, cli):
    set_licence(pkg, EVIL)
    report = cotw.validate(pkg)
    (found,) = [p for p in report.problems if p.rule == "link-scheme"]
    assert found.file == "datapackage.json"
    assert found.text().startswith("datapackage.json: licenses/0/path 'javascript:alert(document.domain)' is not an http(s) URL")
    assert cli("check", pkg).exit_code == 1


def test_check_reports_other_descriptor_links(pkg):
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["sources"] = [{"title": "x", "path": "data:text/html,x"}]
    d["contributors"][0]["path"] = "https://example.org/me"
    d["homepage"] = "file:///etc/passwd"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    found = sorted(p.message for p in cotw.validate(pkg).problems if p.rule == "link-scheme")
    assert len(found) == 2
    assert found[0].startswith("homepage 'file:///etc/passwd'") and found[1].startswith("sources/0/path 'data:text/html,x'")


def test_the_shipped_licence_is_a_web_address():
    assert not [p for p in cotw.validate().problems if p.rule == "link-scheme"]


@pytest.fixture
def exported(tmp_path, pkg):
    """Export a package (without the check, which would refuse it) whose licence is `path`."""
    from cotw.export import export

    def run(path):
        set_licence(pkg, path)
        out = tmp_path / "out"
        export(pkg, out, formats=("sqlite", "excel"), validate=False)
        return out

    return run


def about_licence(out):
    import openpyxl

    ws = openpyxl.load_workbook(out / "excel" / "cotw.xlsx")["about"]
    return next(row[1] for row in ws.iter_rows() if row[0].value == "licence")


def test_a_javascript_licence_is_no_link_anywhere(exported):
    out = exported(EVIL)
    meta = json.loads((out / "sqlite" / "metadata.json").read_text(encoding="utf-8"))
    assert "license_url" not in meta and meta["license"] == "CC-BY-4.0"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in page.split("licence", 1)[1].split("</p>", 1)[0].replace(EVIL, "") and 'href="javascript' not in page
    cell = about_licence(out)
    assert cell.hyperlink is None and EVIL in cell.value and cell.data_type == "s"


def test_an_https_licence_is_a_link_everywhere(exported):
    url = "https://creativecommons.org/licenses/by/4.0/"
    out = exported(url)
    assert json.loads((out / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["license_url"] == url
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f"(CC-BY-4.0, {url})" in page and f'href="{url}' not in page  # the page links nothing outside itself
    assert about_licence(out).hyperlink.target == url
