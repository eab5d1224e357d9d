"""The download page and the pages it links, exported from a copy of the shipped package and opened
from disk in a real headless browser (Debian's chromium):

- every link resolves to a file of the export, and every `#anchor` to an element of that file;
- every row with evidence or a quotation links from where it is shown (its country's page, the
  timeline's list, its source's row list) to its highlighted span in the source viewer, and that
  span links to a list entry that holds the row: both directions, for every row;
- no horizontal scroll at 400 px (index, a source page, a country page); print media renders;
- every timeline item carries a visible text label, and dates are drawn as their EDTF bounds allow;
- the source's markup (`<u>`, `**`) reads as it should on every page; at 400 px the country table and
  the matrix say that they scroll; the timeline's gridlines are not printed; axe-core finds no
  violation on any page (the orders the pages promise are in test_page_order.py);
- the install text does not pretend `pip install cotw` resolves; the pages are escaped, self-contained
  and byte-reproducible.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import cotw

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VERBATIM = {"sections": ("section_id", "evidence"), "roles": ("role_id", "evidence"), "statements": ("statement_id", "quote"),
            "positions": ("position_id", "evidence"), "conditions": ("condition_id", "evidence"),
            "contributions": ("contribution_id", "evidence"), "events": ("event_id", "evidence"), "claims": ("claim_id", "evidence")}


def copy_package(dest: Path) -> Path:
    """A private copy of the shipped package (as conftest's `pkg`, once for the module)."""
    from conftest import PACKAGE_PARTS, ROOT

    dest.mkdir(parents=True)
    for part in PACKAGE_PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, dest / part)
    return dest


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    """(the export of the shipped data, its package)."""
    from cotw.export import export

    root = tmp_path_factory.mktemp("page")
    pkg = copy_package(root / "pkg")
    export(pkg, root / "dist")
    return root / "dist", pkg


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM,
                                                       headless=True, args=ARGS, viewport={"width": 1200, "height": 900},
                                                       offline=True)
        try:
            yield context
        finally:
            context.close()


def open_page(browser, path: Path, width: int = 1200):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(path.as_uri())
    page.failed = failed
    return page


DOM = """() => {
  const links = [...document.querySelectorAll('a')].map(a => {
    const raw = a.getAttribute('href');
    return {raw, url: raw === null ? null : new URL(raw, document.baseURI).href};
  });
  const ids = [...document.querySelectorAll('[id]')].map(el => ({
    id: el.id, inside: [...el.querySelectorAll('[id]')].map(x => x.id),
    self: el.getAttribute('href') === null ? null : new URL(el.getAttribute('href'), document.baseURI).href,
    hrefs: [...el.querySelectorAll('a[href]')].map(a => new URL(a.getAttribute('href'), document.baseURI).href)}));
  return {links, ids};
}"""


@pytest.fixture(scope="module")
def survey(site, browser) -> dict[tuple[Path, int], dict]:
    """Every HTML page of the export opened once, in one tab, at 1280 px (and the download page at 400 px
    too): {(page, width): {"dom": what DOM finds (at 1280 px), "axe": axe-core's result or None where
    axe-core for Python is not installed}}. One tab for all (a new tab per page costs a renderer each) and
    axe-core's script by URL (compiled once, not once per page)."""
    exported, _ = site
    script = axe_script_path()
    runs = [(p, 1280) for p in sorted(exported.rglob("*.html"))] + [(exported / "index.html", 400)]
    page = browser.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    out = {}
    try:
        for path, width in runs:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(path.as_uri())
            raw = page.evaluate(DOM) if width == 1280 else None
            assert failed == [], f"{path}: requests failed: {failed}"
            result = None
            if script is not None:
                page.add_script_tag(url=script.as_uri())
                page.evaluate(AXE_PARSE_ONCE)
                result = page.evaluate(AXE_RUN)
            out[path, width] = {"dom": raw, "axe": result}
    finally:
        page.close()
    return out


@pytest.fixture(scope="module")
def dom(survey) -> dict[Path, dict]:
    """For every HTML page of the export, as chromium parsed it: its links (resolved) and its elements with ids
    (each with the ids and the links inside it)."""
    return {path: {"links": got["dom"]["links"], "ids": {x["id"]: x for x in got["dom"]["ids"]}}
            for (path, width), got in survey.items() if width == 1280}


def target(url: str) -> tuple[Path, str]:
    u = urlparse(url)
    assert u.scheme == "file", url
    return Path(unquote(u.path)), unquote(u.fragment)



@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_every_link_and_anchor_resolves(site, dom):
    exported, _ = site
    assert {p.relative_to(exported).parts[0] for p in dom if len(p.relative_to(exported).parts) > 1} == {"pages"}
    checked = 0
    for path, page in dom.items():
        for link in page["links"]:
            assert link["raw"], f"{path}: an <a> without href"
            file, anchor = target(link["url"])
            assert file.is_file(), f"{path}: {link['raw']} does not resolve to a file"
            assert exported in file.parents, f"{path}: {link['raw']} leaves the export"
            if anchor:
                assert file.suffix == ".html" and anchor in dom[file]["ids"], f"{path}: {link['raw']} has no target #{anchor}"
                checked += 1
    assert checked > 1000


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_every_row_links_to_its_span_and_the_span_back_to_the_row(site, dom):
    exported, pkg = site
    sources = cotw.load("sources", pkg).set_index("source_id")
    countries = set(cotw.load("countries", pkg).code)
    rows = 0
    for table, (key, words) in VERBATIM.items():
        frame = cotw.load(table, pkg)
        for r in frame.to_dict("records"):
            rid = r[key]
            source_page = exported / "pages" / f"source-{r['source_id']}.html"
            ids = dom[source_page]["ids"]
            # on its source's page, the row is listed, and links up to its span ...
            assert rid in ids, f"{table} {rid} is not listed on {source_page.name}"
            spans = [target(h) for h in ids[rid]["hrefs"] if target(h)[0] == source_page and target(h)[1].startswith("sp")]
            assert spans, f"{table} {rid}: no link to its span"
            span = spans[0][1]
            # ... and the span (its numbered marker in the text) links down to the list entry that holds the row
            assert span in ids and ids[span]["self"], f"{table} {rid}: span {span} is not in the text"
            down = target(ids[span]["self"])
            assert down[0] == source_page and rid in ids[down[1]]["inside"], f"span {span} does not lead to {table} {rid}"
            # where the row is shown outside its source page, it links to the same span
            home = None
            if table in ("positions", "conditions", "contributions", "statements") and r.get("country") in countries:
                home = exported / "pages" / f"country-{r['country']}.html"
            elif table == "events":
                home = exported / "index.html"
            if home is not None:
                assert rid in dom[home]["ids"], f"{table} {rid} is not shown on {home.name}"
                assert source_page.as_uri() + f"#{span}" in dom[home]["ids"][rid]["hrefs"], f"{table} {rid} on {home.name} does not link to its span"
                assert any(target(h) == (home, rid) for h in ids[rid]["hrefs"]), f"{table} {rid}: its source page does not link to {home.name}"
            rows += 1
    assert rows == sum(len(cotw.load(t, pkg)) for t in VERBATIM) and rows > 500
    assert len(sources) == len(list((exported / "pages").glob("source-*.html")))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_a_source_page_highlights_what_the_data_uses_and_says_how_much(site, browser):
    exported, _ = site
    page = open_page(browser, exported / "pages" / "source-gmf-coalition-of-the-willing.html")
    try:
        marked = page.evaluate("[...document.querySelectorAll('.archive mark')].map(m => m.textContent).join('')")
        text = page.evaluate("""() => { const a = document.querySelector('.archive').cloneNode(true);
                                        a.querySelectorAll('a.ref').forEach(r => r.remove()); return a.textContent; }""")
        line = page.locator(".cover-line").inner_text()
        spans = page.locator(".archive a.ref").count()
    finally:
        page.close()
    covered, total = (int(n.replace(",", "")) for n in re.search(r"\(([\d,]+) of ([\d,]+) characters", line).groups())
    assert covered == len(re.sub(r"\s", "", marked)) and total == len(re.sub(r"\s", "", text))
    assert 0 < covered < total
    assert f"{covered / total:.0%}" in line
    assert spans == page_spans(exported / "pages" / "source-gmf-coalition-of-the-willing.html") > 100


def page_spans(path: Path) -> int:
    return len(re.findall(r'<a class="ref" id="sp\d+"', path.read_text(encoding="utf-8")))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
@pytest.mark.parametrize("rel", ["index.html", "pages/source-gmf-coalition-of-the-willing.html", "pages/country-FRA.html"])
def test_no_horizontal_scroll_at_400_px(site, browser, rel):
    exported, _ = site
    page = open_page(browser, exported / rel, width=400)
    try:
        wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        escaping = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
            const r = el.getBoundingClientRect();
            if (r.right <= document.documentElement.clientWidth + 1) return false;
            for (let p = el.parentElement; p; p = p.parentElement) {   // inside a box that scrolls on its own: fine
              const s = getComputedStyle(p);
              if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') return false;
            }
            return true;
        }).map(el => el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className).slice(0, 5)""")
    finally:
        page.close()
    assert wide[0] <= wide[1] <= 400, wide
    assert escaping == []


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_print_media_renders(site, browser, tmp_path):
    exported, _ = site
    page = open_page(browser, exported / "index.html", width=800)
    try:
        page.emulate_media(media="print")
        assert not page.locator("p.nav").first.is_visible()
        matrix = page.locator("svg#matrix").bounding_box()
        assert matrix and matrix["width"] <= 800
        labels = page.locator("#timeline .tl-label")
        assert labels.count() > 0 and all(labels.nth(i).is_visible() for i in range(labels.count()))
        pdf = page.pdf(path=str(tmp_path / "index.pdf"), format="A4")
    finally:
        page.close()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000


def placed_facts(pkg) -> dict[str, str]:
    """{fact or utterance id: shape} of what the timeline must draw, computed from the tables (not from the page)."""
    from cotw.dates import bounds

    out = {}
    for table, key, col in (("events", "fact_id", "date"), ("statements", "utterance_id", "said")):
        for fact, group in cotw.load(table, pkg).groupby(key):
            b = [bounds(d) for d in group[col].dropna()]
            lo = max((x for x, _ in b if x), default=None)
            hi = min((y for _, y in b if y), default=None)
            if lo is None and hi is None:
                continue
            if lo and hi:
                if (hi - lo).days > 62:
                    continue
                out[fact] = "day" if lo == hi else "span"
            else:
                out[fact] = "open-start" if lo is None else "open-end"
    return out


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_every_timeline_item_has_a_visible_label_and_its_dates_drawn_as_bounds(site, browser):
    exported, pkg = site
    expected = placed_facts(pkg)
    events, statements = cotw.load("events", pkg), cotw.load("statements", pkg)
    names = dict(zip(events.event_id, events.name)) | dict(zip(statements.statement_id, statements.quote.str[:20]))
    page = open_page(browser, exported / "index.html")
    try:
        items = page.locator("#timeline .tl-item")
        drawn = {}
        for i in range(items.count()):
            item = items.nth(i)
            fact = item.get_attribute("id").removeprefix("tl-")
            label = item.locator(".tl-label")
            assert label.is_visible(), fact
            text = label.inner_text()
            assert (names[fact][:30] in text.replace("\n", " ") or any(q[:20] in text for q in statements[statements.utterance_id == fact].quote)) and item.locator(".tl-when").inner_text().strip(), text
            drawn[fact] = item.get_attribute("data-shape")
            mark, track = item.locator(".tl-mark").bounding_box(), item.locator(".tl-track").bounding_box()
            if drawn[fact] == "open-start":  # open towards the unknown start: reaches the axis's beginning
                assert abs(mark["x"] - track["x"]) < 1.5
            if drawn[fact] == "open-end":
                assert abs(mark["x"] + mark["width"] - track["x"] - track["width"]) < 1.5
            if drawn[fact] == "span":
                assert mark["width"] > 2
        wide = page.locator("#timeline-wide li[id^=fact-]").count()
        axis = page.locator("#timeline .tl-head").first.locator(".tl-tick").all_inner_texts()
    finally:
        page.close()
    assert drawn == expected
    assert {"day", "span", "open-start", "open-end"} <= set(drawn.values())
    assert wide > 0  # year-precision facts are listed apart ...
    assert not any(t.endswith("2022") or t.startswith("Jan 2024") for t in axis)  # ... and do not stretch the axis


def test_the_install_text_works_from_a_clone(site):
    html = (site[0] / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "From a clone of the repository: pip install ." in text
    assert re.search(r"Once cotw is released on PyPI, pip install cotw will work too; it does not yet\.", text)
    assert "seeds/" in text and "cotw check cotw-datapackage.zip" in text


def test_the_pages_are_self_contained_escaped_and_reproducible(tmp_path):
    """Hostile text in a description, an archive and a row's evidence comes out as text, everywhere."""
    import json

    from cotw.export import export

    pkg = copy_package(tmp_path / "pkg")
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][0]["description"] = 'EU <b>funds</b> & "more"'
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    sources = cotw.load("sources", pkg)
    archive = pkg / sources.archive.iloc[0]
    hostile = 'Officials said "x < y & z" <script>alert(1)</script> then left.'
    archive.write_text(archive.read_text(encoding="utf-8") + "\n" + hostile + "\n", encoding="utf-8")
    lines = (pkg / "data/positions.csv").read_text(encoding="utf-8").splitlines()
    from conftest import edit_csv

    at = next(i for i, line in enumerate(lines, start=1) if f",{sources.source_id.iloc[0]}," in line)
    edit_csv(pkg / "data/positions.csv", at, "evidence", hostile)
    export(pkg, tmp_path / "a", validate=False)
    export(pkg, tmp_path / "b", validate=False)
    pages = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.html"))
    assert len(pages) > 20
    for rel in pages:
        html = (tmp_path / "a" / rel).read_bytes()
        assert html == (tmp_path / "b" / rel).read_bytes(), f"{rel} differs between two exports"
        text = html.decode("utf-8")
        assert "<script" not in text and "<link" not in text and " src=" not in text, rel
        assert not re.search(r'href="(?!#)[a-z]+:', text), f"{rel} links outside the export"
    index = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    assert "EU &lt;b&gt;funds&lt;/b&gt; &amp; &quot;more&quot;" in index and "<b>funds" not in index
    viewer = (tmp_path / "a" / "pages" / f"source-{sources.source_id.iloc[0]}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in viewer and "x &lt; y &amp; z" in viewer
    assert re.search(r'<mark class="d\d">[^<]*&quot;x &lt; y &amp; z&quot; &lt;script&gt;', viewer)  # located, highlighted


def test_the_page_links_only_to_the_formats_written(tmp_path):
    from cotw.export import export

    export(copy_package(tmp_path / "pkg"), tmp_path / "dist", ["json"], validate=False)
    html = (tmp_path / "dist" / "index.html").read_text(encoding="utf-8")
    assert 'href="json/countries.json"' in html and ".parquet" not in html and "cotw.db" not in html


def test_the_downloads_table_links_the_derived_summary_in_every_format_written_and_says_it_is_derived(site):
    dist, _ = site
    html = (dist / "index.html").read_text(encoding="utf-8")
    row = html.split('<tr id="table-derived-summary">', 1)[1].split("</tr>", 1)[0]
    assert "Derived by code, not curated" in row
    linked = {p for p in __import__("re").findall(r'href="([^"]+)"', row)}
    written = {str(p.relative_to(dist)) for p in dist.rglob("summary.*") if not p.name.endswith(".schema.json")}
    assert linked == written and len(written) == 4  # csv, parquet, json, jsonl


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_the_matrix_has_a_row_per_country_linking_to_its_page(site, browser, tmp_path):
    exported, pkg = site
    page = open_page(browser, exported / "index.html")
    try:
        assert page.locator("svg#matrix g.row").count() == len(cotw.load("countries", pkg))
        assert page.locator("svg#matrix .mark").count() > 50
        hrefs = page.eval_on_selector_all("svg#matrix a", "els => els.map(a => a.getAttribute('href'))")
        assert len(hrefs) == len(cotw.load("countries", pkg)) and all((exported / h).is_file() for h in hrefs)
        page.locator("svg#matrix").screenshot(path=str(tmp_path / "download-page.png"))
    finally:
        page.close()
    assert (tmp_path / "download-page.png").stat().st_size > 10_000


# ---------------------------------------------------------------- the source's markup, read as it reads

MARKUP = re.compile(r"<u>|</u>|\*\*")  # what the archived texts print as markup, and verbatim cells keep


def test_the_sources_markup_is_rendered_not_shown_on_every_page(site):
    """`<u>...</u>` reads underlined and `**` not at all, on the page, the country pages and in the viewer;
    the words and the underlined words are the cell's, and no other tag comes through."""
    import html as htmllib

    exported, pkg = site
    pages = {p: p.read_text(encoding="utf-8") for p in sorted(exported.rglob("*.html"))}
    for path, text in pages.items():
        assert "&lt;u&gt;" not in text and "&lt;/u&gt;" not in text and "**" not in text, path.name
    assert sum(text.count("<u>") for text in pages.values()) > 60
    shown = 0
    for table, (key, col) in VERBATIM.items():
        for r in cotw.load(table, pkg).to_dict("records"):
            words = r[col]
            if not isinstance(words, str) or not MARKUP.search(words):
                continue
            home = None
            if table in ("positions", "conditions", "contributions", "statements") and isinstance(r.get("country"), str):
                home, start, end = exported / "pages" / f"country-{r['country']}.html", f'<article class="card" id="{r[key]}">', "</article>"
                quote = ("<blockquote>", "</blockquote>")
            elif table == "events":
                home, start, end = exported / "index.html", f'<li id="{r[key]}">', "</li>"
                quote = ("<q>", "</q>")
            if home is None or start not in pages[home]:
                continue
            got = pages[home].split(start, 1)[1].split(end, 1)[0].split(quote[0], 1)[1].split(quote[1], 1)[0]
            assert re.sub(r"</?u>", "", got) == htmllib.escape(MARKUP.sub("", words)), (table, r[key])
            assert re.findall(r"<u>(.*?)</u>", got) == [htmllib.escape(MARKUP.sub("", u)) for u in re.findall(r"<u>(.*?)</u>", words)]
            shown += 1
    assert shown > 40


# ---------------------------------------------------------------- at 400 px, in print, and to axe-core


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_the_country_table_and_the_matrix_say_that_they_scroll_where_they_do(site, browser):
    """At 400 px both are wider than the screen: a note says so above each and a shadow marks the hidden
    side; each scrolling box can be reached by keyboard and is named. At 1280 px neither scrolls, and
    neither note is shown. No script: CSS alone."""
    exported, _ = site
    boxes = {"#country-table": "#countries-hint", "svg#matrix": "#matrix-hint"}
    state = """([inner, hint]) => { const box = document.querySelector(inner).closest('.scroll');
        const h = document.querySelector(hint);
        return {scrolls: box.scrollWidth > box.clientWidth + 1, shadow: getComputedStyle(box).backgroundImage,
                hint: h.getBoundingClientRect().height > 0 && getComputedStyle(h).display !== 'none',
                above: h.getBoundingClientRect().bottom <= box.getBoundingClientRect().top + 1,
                tab: box.tabIndex, role: box.getAttribute('role'), label: box.getAttribute('aria-label'),
                described: box.getAttribute('aria-describedby')}; }"""
    for width in (400, 1280):
        page = open_page(browser, exported / "index.html", width=width)
        try:
            for inner, hint in boxes.items():
                s = page.evaluate(state, [inner, hint])
                assert s["scrolls"] == (width == 400) == s["hint"], (width, inner, s)
                assert s["above"] or not s["hint"], (inner, s)
                assert s["shadow"].count("gradient") == 4, s["shadow"]  # two shadows and the two covers that hide them at an edge
                assert (s["tab"], s["role"], s["described"]) == (0, "region", hint[1:]) and s["label"], s
            page.emulate_media(media="print")
            assert not page.locator("#countries-hint").is_visible() and not page.locator("#matrix-hint").is_visible()
        finally:
            page.close()
    assert "<script" not in (exported / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_the_timeline_gridlines_are_drawn_on_screen_and_not_printed_as_bars(site, browser):
    """Printed, the 1px gradient stops of the gridlines came out as heavy bars: they are screen only, and
    the axis keeps its ticks in print."""
    exported, _ = site
    page = open_page(browser, exported / "index.html")
    try:
        grid = "() => getComputedStyle(document.querySelector('#timeline .tl-track')).backgroundImage"
        assert "linear-gradient" in page.evaluate(grid)
        page.emulate_media(media="print")
        assert page.evaluate(grid) == "none"
        assert page.locator("#timeline .tl-head .tl-tick").first.is_visible()
    finally:
        page.close()


def axe_script_path() -> Path | None:
    """axe-core's script as the axe-playwright-python package ships it (no network), or None without it."""
    import importlib.util

    spec = importlib.util.find_spec("axe_playwright_python")
    return None if spec is None else Path(spec.origin).with_name("axe.min.js")


def axe_script() -> Path:
    axe = pytest.importorskip("axe_playwright_python", reason="pip install -e '.[test]' (axe-core for Python)")
    return Path(axe.__file__).with_name("axe.min.js")


AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return {version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact, tags: v.tags,
          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))};
}"""

# axe-core parses every CSS colour it reads (thousands of times per page, the same few strings) through
# color.js, a third of its time on the source viewer. The parse is a pure function of the string: remember
# its result per string. Every rule still runs on every element; only a repeated parse is skipped (a string
# that does not parse is not remembered, so it fails as before). Checked equal: axe's full results
# (violations, passes, incomplete, inapplicable, every node) on every page with and without this.
AXE_PARSE_ONCE = """() => {
  const Color = axe.commons.color.Color, parse = Color.prototype.parseString, seen = new Map();
  Color.prototype.parseString = function (text) {
    const got = seen.get(text);
    if (got === undefined) {
      parse.call(this, text);
      seen.set(text, [this.r, this.g, this.b, this.alpha]);
      return this;
    }
    [this.r, this.g, this.b, this.alpha] = got;
    return this;
  };
}"""


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_no_page_has_an_accessibility_violation_that_axe_core_finds(site, survey):
    """axe-core 4.x with every rule it runs by default (WCAG 2.x A and AA, best practices) on every page at
    1280 px, and on the download page at 400 px too (where the table and the matrix scroll)."""
    exported, _ = site
    axe_script()
    found = {}
    runs = [(p, 1280) for p in sorted(exported.rglob("*.html"))] + [(exported / "index.html", 400)]
    assert list(survey) == runs
    for path, width in runs:
        result = survey[path, width]["axe"]
        assert result["version"].startswith("4.")
        for v in result["violations"]:
            found[f"{path.relative_to(exported)} @{width}px {v['id']} ({v['impact']})"] = v["nodes"]
    assert len(runs) > 20
    assert found == {}


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_remembering_axes_colour_parse_changes_none_of_its_results(site, browser):
    """AXE_PARSE_ONCE (what makes the run above affordable) leaves every result of every rule as it was:
    violations, passes, incomplete and inapplicable, node by node, with each check's data (on a country
    page: every colour the pages use, links, cards, quotes)."""
    exported, _ = site
    script = axe_script()
    full = """async () => { const r = await axe.run(document);
      return ['violations', 'passes', 'incomplete', 'inapplicable'].map(k => r[k].map(v => ({id: v.id,
             nodes: v.nodes.map(n => [n.target, n.impact, n.any, n.all, n.none])}))); }"""
    got = []
    for once in (False, True):
        page = open_page(browser, exported / "pages" / "country-SWE.html", width=1280)
        try:
            page.add_script_tag(url=script.as_uri())
            if once:
                page.evaluate(AXE_PARSE_ONCE)
            got.append(page.evaluate(full))
            if once:
                assert page.evaluate("axe.commons.color.Color.prototype.parseString.toString().includes('seen')")
        finally:
            page.close()
    assert got[0] == got[1]
    assert sum(len(v["nodes"]) for v in got[1][1] if v["id"] == "color-contrast") > 20
