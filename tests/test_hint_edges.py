"""The verbatim hint at its edges (written to kill the mutants of `provenance._explain` that survived the first
mutation run, docs/mutation.md): where the hint starts to quote the source, and that it never quotes more than
HINT_CHARS characters of it nor more than the cell has."""
from __future__ import annotations

import pytest

from cotw.check.provenance import HINT_CHARS, _explain

ARCHIVE = "Paris, June 4. Military planners met on Tuesday to discuss a reassurance force for Ukraine. " + "x" * 200


@pytest.mark.parametrize("matching, quotes", [(0, False), (7, False), (8, True), (9, True)])
def test_the_hint_quotes_the_source_only_from_eight_matching_characters(matching, quotes):
    needle = ARCHIVE[:matching] + "#" * 40
    message, hint = _explain(needle, ARCHIVE, "s")
    assert message.endswith("does not occur verbatim in the archived text of source 's'")
    if quotes:
        assert hint == f"the first {matching} characters match; then the cell has {'#' * HINT_CHARS!r} where the source has {ARCHIVE[matching:matching + HINT_CHARS]!r}"
    else:
        assert hint == "copy the words exactly as printed in the archived text"


def test_the_hint_quotes_no_more_of_the_source_than_the_cell_has_left():
    needle = ARCHIVE[:30] + "#"
    _, hint = _explain(needle, ARCHIVE, "s")
    assert hint == f"the first 30 characters match; then the cell has '#' where the source has {ARCHIVE[30]!r}"


def test_without_a_cache_of_composed_texts_the_unicode_hint_still_works():
    archive = "the Lithuanian minister Kęstutis Budrys said"
    needle = "Ke\u0328stutis Budrys"  # e + combining ogonek where the source has one character
    message, hint = _explain(needle, archive, "s")
    assert hint.startswith("the cell and the source differ only in Unicode normalisation")
    cache: dict = {}
    assert _explain(needle, archive, "s", cache) == (message, hint) and "s" in cache


def test_the_message_shows_the_cell_cut_at_sixty_characters():
    needle = "Military planners met on Tuesday to discuss a reassurance force, and more words " + "#" * 20
    message, _ = _explain(needle, ARCHIVE, "src-1")
    assert message == f"{needle[:59] + '…'!r} does not occur verbatim in the archived text of source 'src-1'"
