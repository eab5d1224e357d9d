"""The source markup that verbatim cells keep (`<u>...</u>`, `**...**`) and its reading form: on the
pages escaped first, then only those two markups turned into an underline and nothing; in the typed
exports removed (`<field>_plain`, tested in test_export.py)."""
from __future__ import annotations

import re

import pytest

from cotw.export.markup import Reader, html, plain


def test_the_two_markups_are_rendered_and_everything_else_escaped():
    cell = 'Macron <u>said</u> it was **urgent**: "x < y & z" <b>bold?</b> <script>alert(1)</script> <U>no</U>'
    assert html(cell) == ('Macron <u>said</u> it was urgent: &quot;x &lt; y &amp; z&quot; &lt;b&gt;bold?&lt;/b&gt; '
                          '&lt;script&gt;alert(1)&lt;/script&gt; &lt;U&gt;no&lt;/U&gt;')
    assert plain(cell) == 'Macron said it was urgent: "x < y & z" <b>bold?</b> <script>alert(1)</script> <U>no</U>'
    assert plain(None) is None and html(None) == ""


@pytest.mark.parametrize("cell, want", [
    ("a </u>b<u>c", "a b<u>c</u>"),  # an unmatched tag is dropped, an unclosed one closed
    ("<u><u>a</u></u>b", "<u>a</u>b"),
    ("**a** <u>b **c**</u>", "a <u>b c</u>"),
    ("<u>\u202eevil</u>", "<u>&lt;U+202E&gt;evil</u>"),  # bidirectional controls shown, not obeyed, inside too
])
def test_unbalanced_markup_still_gives_well_formed_html(cell, want):
    assert html(cell) == want


TEXT = 'Intro "q" <u>under & lined</u> then **bold** and <u>two\nlines</u> end </u> stray <u>open'


def underlined(fragment: str) -> list[bool]:
    """For each character of the text an HTML fragment shows: is it underlined (the tags must nest)."""
    out, depth = [], 0
    for token in re.split(r"(<u>|</u>)", fragment):
        if token == "<u>":
            depth += 1
        elif token == "</u>":
            depth -= 1
            assert depth >= 0
        else:
            text = token.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
            out += [depth > 0] * len(text)
    assert depth == 0
    return out


def test_rendering_in_pieces_cut_anywhere_gives_what_the_whole_gives():
    """The source viewer cuts an archive at every span's ends, even inside a markup token: each piece
    must be well-formed on its own, and together they must read as the whole text does."""
    whole = html(TEXT)
    want = underlined(whole)
    assert "".join(c for c, u in zip(plain(TEXT), want) if u) == "under & linedtwo\nlinesopen"
    for i in range(len(TEXT) + 1):
        for j in range(i, len(TEXT) + 1, 3):
            reader = Reader(TEXT)
            pieces = [reader.html(a, b) for a, b in ((0, i), (i, j), (j, len(TEXT)))]
            got = []
            for piece in pieces:
                got += underlined(piece)  # asserts each piece nests on its own
            assert got == want, (i, j, pieces)
            assert re.sub(r"</?u>", "", "".join(pieces)) == re.sub(r"</?u>", "", whole)


def test_runs_give_the_words_as_they_read_with_what_is_underlined():
    from cotw.export.markup import runs

    assert runs('a <u>b **c**</u> d</u> <u>e') == [(False, "a "), (True, "b c"), (False, " d "), (True, "e")]
    assert "".join(t for _, t in runs(TEXT)) == plain(TEXT) and runs("") == [] and runs(None) == []
