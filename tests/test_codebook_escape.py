"""`cotw codebook` copies the package's own words into Markdown as text: a description with `|`, HTML, backticks
or newlines renders as those words, in its own table cell, and opens no tag, link or code span (finding 18)."""
from __future__ import annotations

import json

import pytest

from cotw.codebook import code, render, text
from cotw.package import Package

HOSTILE = "a | b <script>alert(1)</script> `x [link](javascript:alert(1)) *bold* _it_ &lt;\n# heading\n| c | d |\u2028- item"


def md():
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable("table")


@pytest.mark.parametrize("words", [HOSTILE, "`", "``a``", "x\\", "1. first", "> quote", "--- rule", "+ plus", "==="])
def test_text_renders_as_its_words(words):
    html = md().render(text(words)).strip()
    import html as h

    assert html == f"<p>{h.escape(' '.join(words.split()), quote=False)}</p>", html


@pytest.mark.parametrize("words", ["a`b", "``", "`x`", "a|b", "<script>", "a\nb"])
def test_code_is_one_span_of_its_words(words):
    import html as h

    rendered = md().render(code(words).replace("\\|", "|")).strip()
    assert rendered == f"<p><code>{h.escape(' '.join(words.split()), quote=False)}</code></p>", rendered


@pytest.fixture
def hostile(pkg):
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["description"] = HOSTILE
    d["resources"][0]["description"] = HOSTILE
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    path = pkg / "schema/sources.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["description"] = HOSTILE
    path.write_text(json.dumps(schema), encoding="utf-8")
    path = pkg / "schema/conditions.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f.get("categories"))
    field["categories"][0]["label"] = HOSTILE
    path.write_text(json.dumps(schema), encoding="utf-8")
    return pkg


def test_a_hostile_description_stays_in_its_cell_and_opens_no_tag(hostile):
    out = render(Package.open(hostile))
    html = md().render(out)
    assert "<script>" not in html and "javascript:" not in html.replace("[link](javascript:alert(1))", "")
    assert 'href="javascript' not in html and "<h1>heading" not in html and "<li>item" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # descriptor, table list, resource, field, label
    for table in html.split("<table>")[1:]:
        head = table.split("</thead>")[0].count("<th>")
        for row in table.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]:
            assert row.count("<td>") == head, row  # no cell was split or added by the words
    assert "\u2028" not in out


def test_the_shipped_codebook_is_unchanged_by_escaping(root):
    assert render(Package.open(root)) == (root / "CODEBOOK.md").read_text(encoding="utf-8")
