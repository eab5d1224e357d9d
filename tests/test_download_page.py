"""The download page, opened from disk in a real headless browser (Debian's chromium): every link
resolves to a file of the export, the position matrix renders with a row per country, and a
screenshot is kept in the test's temporary directory."""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import cotw

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def exported(tmp_path) -> Path:
    """An export of the tiny package; its source package is beside it, in `tiny`."""
    from test_export import make_package

    from cotw.export import export

    pkg = make_package(tmp_path / "tiny")
    export(pkg, tmp_path / "dist")
    return tmp_path / "dist"


@pytest.fixture(params=["tiny", "curated"])
def page_of(request, tmp_path, pkg) -> tuple[Path, Path]:
    """(export, its source package): the tiny package, and the curated data once it passes `cotw check`."""
    if request.param == "tiny":
        return request.getfixturevalue("exported"), tmp_path / "tiny"
    from cotw.export import export

    report = cotw.validate(pkg)
    if not report.ok:
        pytest.skip(f"the curated data does not pass `cotw check` yet ({len(report.problems)} problems)")
    export(pkg, tmp_path / "curated")
    return tmp_path / "curated", pkg


def test_the_page_is_self_contained_and_escaped(exported):
    html = (exported / "index.html").read_text(encoding="utf-8")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "EU &lt;b&gt;funds&lt;/b&gt; &amp; more" in html and "<b>funds" not in html
    assert f'id="version">{cotw.__version__}<' in html
    for name in cotw.names(exported.parent / "tiny"):
        assert f'href="csv/{name}.csv"' in html and f'href="parquet/{name}.parquet"' in html


def test_the_page_links_only_to_the_formats_written(tmp_path):
    from test_export import make_package

    from cotw.export import export

    export(make_package(tmp_path / "tiny"), tmp_path / "dist", ["json"])
    html = (tmp_path / "dist" / "index.html").read_text(encoding="utf-8")
    assert 'href="json/countries.json"' in html and ".parquet" not in html and "cotw.db" not in html


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (install Debian's chromium: apt-get install -y chromium)")
def test_the_page_renders_in_a_headless_browser(page_of, tmp_path):
    from playwright.sync_api import sync_playwright

    exported, source = page_of
    page_path = exported / "index.html"
    countries = len(cotw.load("countries", source))
    dated = int(cotw.load("events", source)["date"].notna().sum() + cotw.load("statements", source)["said"].notna().sum())
    screenshot = tmp_path / "download-page.png"
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
                                                       args=ARGS, viewport={"width": 1200, "height": 900}, offline=True)
        try:
            page = context.new_page()
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(page_path.as_uri())
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
            assert len(hrefs) > 10
            for href in hrefs:
                url = urlparse(href)
                assert url.scheme == "file", href
                target = Path(unquote(url.path))
                assert target.is_file(), f"{href} does not resolve to a file"
                assert exported in target.parents
            matrix = page.locator("svg#matrix")
            assert matrix.is_visible()
            box = matrix.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100
            assert page.locator("svg#matrix g.row").count() == countries
            assert page.locator("svg#matrix .mark").count() > 0
            assert page.locator("svg#timeline").is_visible()
            assert page.locator("svg#timeline .mark").count() == dated
            page.screenshot(path=str(screenshot), full_page=True)
            assert failed == []
        finally:
            context.close()
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
