"""The index that finds many quotes in one archived text answers exactly as Python's `in` does."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cotw.check import provenance
from cotw.check.provenance import K, _occurs


def spans(text: str, rng: random.Random, n: int) -> list[str]:
    """Needles: spans of the text (found), the same spans altered (mostly not found), and short ones."""
    out = []
    for _ in range(n):
        a = rng.randrange(len(text))
        b = min(len(text), a + rng.choice([1, K - 1, K, K + 1, 40, 200]))
        span = text[a:b]
        out.append(rng.choice([span, span + "x", "y" + span, span[:-1] + "\u00e9", span.upper()]))
    return out


@pytest.mark.parametrize("text", [
    "The coalition met in Paris. " * 50 + "Ukraine's security guarantees were discussed at length.",
    "a" * 3000,                                           # every window alike: more places than MAX_CANDIDATES
    "Zelensky said: «мир через силу» — 𝄞 peace through strength. " * 20,  # beyond Latin-1 and the BMP
], ids=["repeated-prose", "one-letter", "beyond-latin-1"])
def test_many_needles_are_found_exactly_where_in_finds_them(text):
    rng = random.Random(7)
    needles = spans(text, rng, 400) + ["", "a" * 2999 + "b", text, text + " "]
    assert _occurs(needles, ["s"] * len(needles), {"s": text}) == [bool(n) and n in text for n in needles]


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="ab c\u00e9\U0001d11e", min_size=K, max_size=400), seed=st.integers(0, 10**6))
def test_the_index_agrees_with_in_on_any_text(text, seed):
    needles = spans(text, random.Random(seed), provenance.INDEX_FROM + 10)
    assert _occurs(needles, ["s"] * len(needles), {"s": text}) == [bool(n) and n in text for n in needles]


def test_a_needle_of_an_unknown_source_is_not_looked_for():
    assert _occurs(["abc", "abc"], ["s", "t"], {"s": "xabcx"}) == [True, False]


def test_texts_beyond_the_index_budget_are_scanned(monkeypatch):
    text = "The coalition met in Paris and in London. " * 10
    needles = spans(text, random.Random(3), 100)
    monkeypatch.setattr(provenance, "MAX_INDEXED", len(text) + 10)  # room for one text's index, not two
    indexes: dict = {}
    got = _occurs(needles * 2, ["s"] * 100 + ["t"] * 100, {"s": text, "t": text + "!"}, indexes)
    assert list(indexes) == ["s"]
    assert got == [n in text for n in needles] + [n in text + "!" for n in needles]


def test_needles_are_compared_in_parts_as_in_one(monkeypatch):
    text = "Ukraine's partners met in Paris on 27 March. Ukraine's partners met again in London. " * 5
    needles = spans(text, random.Random(11), 200)
    want = [n in text for n in needles]
    monkeypatch.setattr(provenance, "COMPARED", 40)  # a part holds a needle or two; a longer needle is a part of its own
    assert _occurs(needles, ["s"] * len(needles), {"s": text}) == want


def test_needles_whose_start_occurs_once_are_compared_in_full():
    rng = random.Random(5)
    words = ["coalition", "Ukraine", "troops", "ceasefire", "backstop", "mandate", "Paris", "London", "Kyiv", "guarantee"]
    text = " ".join(f"{rng.choice(words)}{rng.randrange(10**6)}" for _ in range(600))  # no 16-character window repeats
    needles = spans(text, rng, 300)
    found = _occurs(needles, ["s"] * len(needles), {"s": text})
    assert found == [n in text for n in needles] and 0 < sum(found) < len(found)


def test_normalise_is_the_whitespace_regex_for_every_code_point():
    """normalise() splits and joins (fast); it must give what `\\s+` -> ' ' then strip() gives, for every
    character: the archived texts and the quotes are both normalised, and a quote is matched against them."""
    import re
    import sys

    ws = re.compile(r"\s+")
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    assert [c for c in chars if bool(ws.fullmatch(c)) != c.isspace()] == []
    for c in [c for c in chars if c.isspace()] + ["a", "\u200b", "\ufeff"]:  # and a few that look blank but are not
        raw = f"{c}{c}x{c}y {c}\n z{c}"
        assert provenance.normalise(raw) == ws.sub(" ", raw).strip(), repr(c)


def test_index_finds_quotes_whatever_the_order_of_windows_with_one_hash():
    """_index sorts the windows' hashes without a stable sort: windows of one hash (here, every window of a
    repeated text) may come in any order, and every one of them is still a candidate."""
    text = "ab" * 400 + "the quoted words" + "ab" * 400
    needles = ["ab" * 20, "ba" * 20 + "x", "ab" * 8 + "the quoted words", "the quoted words" + "ab" * 8, "ab" * 8 + "x"]
    got = _occurs(needles * 20, ["s"] * (len(needles) * 20), {"s": text})
    assert got == [n in text for n in needles] * 20
