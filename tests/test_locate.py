"""`cotw locate`: misremembered words become the exact archived span, and that span passes provenance."""
from __future__ import annotations

import json
import shlex

import pytest
from hypothesis import given, settings, strategies as st

import cotw
from conftest import ROOT, edit_csv
from cotw.curate import CurateError
from cotw.curate.locate import fold, locate
from cotw.package import Package
from cotw.check.provenance import normalise

MYIND, EUD, GMF = "myind-defence-ministers-meet", "eu-diplomat-disagreement", "gmf-coalition-of-the-willing"

# (source, words as remembered, the span exactly as archived): real phrases of the archived texts
MISREMEMBERED = {
    "straight quotes for curly ones, no accent": (MYIND, '"There is a sense of urgency," Spruds added', "“There is a sense of urgency,” Sprūds added"),
    "missing commas and apostrophe style": (EUD, "Kallas the EU's foreign policy chief acknowledged the lack of",
                                            "Kallas, the EU’s foreign policy chief, acknowledged the lack of"),
    "a line break in the words, a one-letter typo": (MYIND, "We cannot jeopardise the peace\nby forgeting about the war",
                                                     "We cannot jeopardise the peace by forgetting about the war"),
    "a span across the archive's line breaks": (EUD, "Coalition of the Willing' Estonian Prime Minister",
                                                "Coalition of the Willing’\n\nEstonian Prime Minister"),
    "markup in the archive": (GMF, 'depends on the mandate of a potential "reassurance force"',
                              '<u>depends on the mandate of a potential "reassurance force</u>"'),
    "dash style": (MYIND, "purpose - whether it is deterrence, peacekeeping, or monitoring - is needed",
                   "purpose—whether it is deterrence, peacekeeping, or monitoring—is needed"),
}


def archived_text(root, source_id: str) -> str:
    import csv

    with open(root / "data/sources.csv", encoding="utf-8", newline="") as fh:
        archive = next(r["archive"] for r in csv.DictReader(fh) if r["source_id"] == source_id)
    return (root / archive).read_text(encoding="utf-8")


@pytest.mark.parametrize("source, words, span", list(MISREMEMBERED.values()), ids=list(MISREMEMBERED))
def test_misremembered_words_give_the_exact_span(root, source, words, span):
    result = locate(Package.open(root), words, source)
    best = result.matches[0]
    assert best.span == span
    text = archived_text(root, source)
    assert text[best.start:best.end] == span
    line, col = best.line, best.column
    assert text.splitlines()[line - 1][col - 1:].startswith(span.splitlines()[0])
    # the provenance rule of `cotw check`: the cell occurs in the archive up to runs of whitespace
    assert normalise(best.cell) in normalise(text) and best.cell == normalise(span)


def test_the_located_span_passes_cotw_check_in_an_evidence_cell(pkg, cli):
    result = cli("locate", GMF, 'The extent to which the EU could contribute to the Coalition of the Willing depends on the mandate of a potential "reassurance force"',
                 "--package", pkg, "--format", "json")
    cell = json.loads(result.stdout)["matches"][0]["cell"]
    assert cell == 'The extent to which the EU could contribute to the Coalition of the Willing <u>depends on the mandate of a potential "reassurance force</u>"'
    edit_csv(pkg / "data/conditions.csv", 2, "source_id", GMF)
    edit_csv(pkg / "data/conditions.csv", 2, "evidence", cell)
    report = cotw.validate(pkg)
    assert report.ok, report.render_text()


def test_check_ends_its_verbatim_message_with_the_locate_command_that_finds_the_words(pkg, cli):
    edit_csv(pkg / "data/conditions.csv", 2, "source_id", MYIND)
    edit_csv(pkg / "data/conditions.csv", 2, "section_id", "")  # the row's GMF chapter is not a part of MYIND
    edit_csv(pkg / "data/conditions.csv", 2, "evidence", '"There is a sense of urgency," Spruds added')
    [problem] = [p for p in cotw.validate(pkg).problems if p.rule == "verbatim"]
    command = f"cotw locate {MYIND} " + shlex.quote('"There is a sense of urgency," Spruds added') + f" {shlex.quote(str(pkg))}"
    assert problem.text().endswith(f"; find the words as archived with: {command}) [verbatim]")
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [f"{MYIND} (seeds/002_9dbf6375c5c84b83.txt, line 14, characters 1-43), score 100:",
                                             "“There is a sense of urgency,” Sprūds added"]
    edit_csv(pkg / "data/conditions.csv", 2, "evidence", result.stdout.splitlines()[1])
    import csv

    cited = next(r for r in csv.DictReader(open(pkg / "data/conditions.csv", encoding="utf-8"))
                 if result.stdout.splitlines()[1] in r["evidence"] and r["condition_id"] != "cd-0001")
    for col in ("basis", "date", "focus"):  # the same words of one source: one basis and date (same-words)
        edit_csv(pkg / "data/conditions.csv", 2, col, cited[col])
    assert cotw.validate(pkg).ok, [p.text() for p in cotw.validate(pkg).problems]


def test_without_a_source_every_archive_is_searched_best_first(root, cli):
    result = cli("locate", "Kallas the EU's foreign policy chief", "--format", "json", "--package", root)
    matches = json.loads(result.stdout)["matches"]
    assert result.exit_code == 0 and matches[0]["source_id"] == EUD
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)


def test_the_json_is_the_librarys_result(root, cli):
    words = "We cannot jeopardise the peace by forgeting about the war"
    result = cli("locate", MYIND, words, "--format", "json", "--package", root)
    assert json.loads(result.stdout) == locate(Package.open(root), words, MYIND).to_dict()


def test_no_match_exits_1_with_the_nearest_candidates(root, cli):
    result = cli("locate", GMF, "the quick brown fox jumps over the lazy dog", "--package", root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "no span scores 85 or more; the nearest:"
    assert lines[1].startswith(f"{GMF} (seeds/004_9a411c7324b92bc6.txt, line ") and "score" in lines[1]
    data = json.loads(cli("locate", GMF, "the quick brown fox jumps over the lazy dog", "-f", "json", "--package", root).stdout)
    assert data["found"] is False and data["matches"] == [] and data["candidates"][0]["score"] < 85


def test_unknown_source_is_a_usage_error_with_the_valid_ids(root, cli):
    result = cli("locate", "gmf", "words", "--package", root)
    assert result.exit_code == 2
    assert f"unknown source 'gmf' (did you mean '{GMF}'?); valid source_ids: coalition-stalls-bloomberg" in result.stderr


def test_empty_words_and_too_many_arguments_are_usage_errors(root, cli):
    assert cli("locate", MYIND, "<u></u>  ", "--package", root).exit_code == 2
    result = cli("locate", MYIND, "There", "is", "--package", root)
    assert result.exit_code == 2 and "put the words in quotes" in result.stderr


def test_an_archive_outside_the_package_is_not_read(pkg):
    edit_csv(pkg / "data/sources.csv", 2, "archive", "../../etc/passwd")
    result = locate(Package.open(pkg), "root:x:0:0")
    assert any("climbs out of the package" in s for s in result.skipped)
    assert all(m.archive != "../../etc/passwd" for m in result.matches + result.candidates)


def test_a_symlinked_archive_is_not_read(pkg, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("a secret outside the package\n", encoding="utf-8")
    archive = pkg / "seeds/002_9dbf6375c5c84b83.txt"
    archive.unlink()
    archive.symlink_to(secret)
    result = locate(Package.open(pkg), "a secret outside the package", MYIND)
    assert not result.found and result.skipped == ["seeds/002_9dbf6375c5c84b83.txt resolves outside the package (through a symbolic link); it was not read"]


def test_folding_keeps_a_map_back_to_the_original():
    text = "“Don’t” —\n<u>Sprūds</u>"
    folded, pos = fold(text)
    assert folded == "\"don't\" - spruds"
    assert [text[i] for i in pos] == list("“Don’t” —\nSprūds")


def _fold_one_character_at_a_time(text: str) -> tuple[str, list[int]]:
    """What `fold` means, character by character (fold itself handles runs of plain ASCII whole)."""
    from cotw.curate.locate import _BLOCK_TAGS, _TAG, _fold_char

    tags = {m.start(): (m.end(), m.group(1).lower() in _BLOCK_TAGS) for m in _TAG.finditer(text)}
    out, pos, space, i = [], [], True, 0
    while i < len(text):
        if i in tags:
            end, block = tags[i]
            if block and not space:
                out.append(" "), pos.append(i)
                space = True
            i = end
            continue
        if text[i].isspace():
            if not space:
                out.append(" "), pos.append(i)
                space = True
        else:
            for ch in _fold_char(text[i]):
                out.append(ch), pos.append(i)
                space = False
        i += 1
    if out and out[-1] == " ":
        out.pop(), pos.pop()
    return "".join(out), pos


_PIECES = list("aZ09 `'.\t\n\r\x0b\x1c\x1f\x7f\x00é…\u00adﬁ“—<>/\"=") + ["<p>", "</u>", "<br/>", "<u class='x'>", "<b>", "</div >",
                                                                               "\u2028", "\xa0", "İ", "ß", "\u0301", "\ufdfa", "  "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_folding_handles_runs_as_it_handles_each_character(text):
    assert fold(text) == _fold_one_character_at_a_time(text)


def test_folding_the_archived_texts_handles_runs_as_it_handles_each_character(root):
    for source in (MYIND, EUD, GMF):
        text = archived_text(root, source)
        assert fold(text) == _fold_one_character_at_a_time(text)


def test_words_longer_than_a_cell_are_refused(root):
    with pytest.raises(CurateError, match="give at most 5000"):
        locate(Package.open(root), "x" * 5001)


def test_long_words_are_placed_by_their_head_and_tail(root):
    text = archived_text(root, GMF)
    start = text.index("France and the United Kingdom are now actively shaping a deployment.")
    passage = text[start:start + 1500]
    passage = passage[: passage.rindex(" ")]
    words = passage.replace("the ", "teh ").replace(",", "")  # dozens of typos and missing commas
    best = locate(Package.open(root), words, GMF).matches[0]
    assert best.start == start and best.span == passage and best.score > 90


def verbatim_columns(pkg: Package) -> list[tuple[str, str]]:
    """(table, column) of every cell the provenance rule reads: the fields that name their source column."""
    return [(n, f["name"]) for n in pkg.names() for f in pkg.schema(n)["fields"] if f.get("x-verbatim-in")]


def test_every_table_with_cited_words_is_covered():
    # 0.2: the quotes of statements and the evidence of every table of observations
    names = {n for n, _ in verbatim_columns(Package.open(ROOT))}
    assert {"statements", "positions", "conditions", "contributions", "events", "claims", "roles", "sections"} <= names


@pytest.mark.parametrize("table, column", verbatim_columns(Package.open(ROOT)))
def test_a_cell_as_curated_is_found_as_itself(root, table, column):
    import csv

    field = next(f for f in Package.open(root).schema(table)["fields"] if f["name"] == column)
    with open(root / f"data/{table}.csv", encoding="utf-8", newline="") as fh:
        row = max((r for r in csv.DictReader(fh) if r[column]), key=lambda r: len(r[column]))
    best = locate(Package.open(root), row[column], row[field["x-verbatim-in"]]).matches[0]
    assert best.score == 100 and normalise(best.cell) == normalise(row[column])
