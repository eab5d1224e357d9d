"""The rules of issue 20: focus, same words, facts, contradicts links and notes, each on tiny tables
(the rule's answer per row) and, through `cotw check`, located at the row's line with a hint."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cotw
from cotw.check import rules
from cotw.check.blocks import Cols
from cotw.package import Package

N = None
EV = "Latvia does not rule out troops, as long as its own defence posture stays intact."


def frame(**cols):
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})


def passed(spec, df) -> list[bool]:
    out = spec.fn(Cols.of_frame(df))
    assert len(out) == len(df) and out.null_count == 0
    return out.to_pylist()


def test_focus_must_occur_in_its_evidence():
    df = frame(evidence=[EV, EV, EV], focus=["its own defence posture", "its defence posture", N])
    assert passed(rules.focus_within("focus", "evidence"), df) == [True, False, True]


def test_rows_sharing_one_evidence_need_distinct_non_empty_focus():
    df = frame(condition_id=["cd-1", "cd-2", "cd-3", "cd-4", "cd-5", "cd-6"], country=["LVA", "LVA", "LVA", "EST", "LVA", "LVA"],
               source_id=["s", "s", "s", "s", "t", "t"], evidence=[EV] * 6,
               focus=["does not rule out troops", "its own defence posture", N, N, "troops", "troops"])
    # cd-1..3 share source, evidence and country: cd-3 has no focus (cd-1 and cd-2 have theirs, distinct);
    # cd-4 is another country; cd-5 and cd-6 share a focus
    assert passed(rules.focus_distinct("conditions", "condition_id"), df) == [True, True, False, True, False, False]
    df = frame(condition_id=["cd-1", "cd-2"], country=["LVA", "LVA"], source_id=["s", "s"], evidence=[EV, EV],
               focus=["does not rule out troops", "its own defence posture"])
    assert passed(rules.focus_distinct("conditions", "condition_id"), df) == [True, True]


def _obs(ids, basis, date, focus, evidence=None, source="s"):
    n = len(ids)
    return frame(position_id=ids, source_id=[source] * n, evidence=evidence or [EV] * n, focus=focus, basis=basis, date=date)


def test_rows_citing_the_same_words_agree_on_basis_and_date():
    keys = {"positions": "position_id", "claims": "claim_id"}
    df = _obs(["po-1", "po-2", "po-3", "po-4"], ["official_statement", "reported_position", "reported_position", "official_statement"],
              ["2025-03", "2025-03", "2025-03", "2025-04"],
              ["does not rule out troops", "its own defence posture", N, "does not rule out troops"])
    spec = rules.same_words("positions", "position_id", {}, keys)
    # po-1 and po-2 have focus spans that do not overlap: different words; po-3 (whole evidence) overlaps both,
    # and differs in basis from po-1 and po-4; po-4 cites po-1's words with another date
    assert passed(spec, df) == [False, True, False, False]


def test_same_words_reach_across_tables_and_into_nested_evidence():
    inner = "its own defence posture stays intact"
    claims = Cols.of_frame(frame(claim_id=["cl-1"], source_id=["s"], evidence=[inner], focus=[N], basis=["reported_fact"], date=[N]))
    spec = rules.same_words("positions", "position_id", {"claims": claims}, {"positions": "position_id", "claims": "claim_id"})
    df = _obs(["po-1", "po-2", "po-3"], ["reported_fact", "official_statement", "official_statement"], [N, N, N],
              ["its own defence posture", "does not rule out troops", N], evidence=[EV, EV, "something else entirely"])
    # po-1's focus lies in the claim's words (nested in its evidence) and agrees; po-2's focus lies outside them
    # and po-1's; po-3 cites other words
    assert passed(spec, df) == [True, True, True]
    df = _obs(["po-1"], ["official_statement"], [N], [N])
    assert passed(spec, df) == [False]
    df = _obs(["po-1"], ["reported_fact"], [N], [N], source="other")
    assert passed(spec, df) == [True]  # another source's words are other words


def test_rows_of_one_fact_agree_on_every_coded_value():
    df = frame(position_id=["po-1", "po-2", "po-3", "po-4"], fact_id=["po-1", "po-1", "po-1", "po-4"],
               country=["LVA"] * 4, issue=["own_troops"] * 4, value=["willing", "willing", "committed", "undecided"])
    assert passed(rules.fact_agrees("positions", "position_id"), df) == [True, True, False, True]


def _links_pkg(tmp_path):
    """The repository's descriptor and schemas (for the id prefixes), no data needed by the rule."""
    from conftest import ROOT

    return Package.open(ROOT)


@pytest.mark.parametrize("a,b,ok", [
    (dict(country="LVA", issue="own_troops", date="2025-03", fact_id="po-1"), dict(country="LVA", issue="own_troops", date=N, fact_id="po-2"), True),
    (dict(country="LVA", issue="own_troops", date="2025-03", fact_id="po-1"), dict(country="LVA", issue="own_troops", date="2025-03-20/..", fact_id="po-2"), True),
    (dict(country="LVA", issue="own_troops", date="2025-02", fact_id="po-1"), dict(country="LVA", issue="own_troops", date="2025-03-20/..", fact_id="po-2"), False),
    (dict(country="LVA", issue="own_troops", date=N, fact_id="po-1"), dict(country="LVA", issue="own_troops", date=N, fact_id="po-1"), False),
    (dict(country="LVA", issue="own_troops", date=N, fact_id="po-1"), dict(country="LVA", issue="deployment", date=N, fact_id="po-2"), False),
    (dict(country="LVA", issue="own_troops", date=N, fact_id="po-1"), dict(country="EST", issue="own_troops", date=N, fact_id="po-2"), False),
])
def test_contradicts_joins_rows_about_the_same_thing_that_cannot_be_told_apart_in_time(tmp_path, a, b, ok):
    positions = frame(position_id=["po-1", "po-2"], **{k: [a[k], b[k]] for k in a})
    links = frame(from_id=["po-1", "po-2", "po-1"], relation=["contradicts", "contradicts", "rests_on"], to_id=["po-2", "po-1", "st-1"])
    spec, = rules.contradicts_rules(_links_pkg(tmp_path), {"positions": Cols.of_frame(positions)})
    assert passed(spec, links) == [ok, ok, True]


def test_a_note_never_says_the_row_is_coded_otherwise():
    spec = rules.note_matches_coding(Package.open(cotw_root()).schema("positions"))
    df = frame(issue=["own_troops"] * 6, value=["undecided", "willing", "undecided", "undecided", "willing", "undecided"],
               basis=["analyst_forecast"] * 6,
               notes=["Coded willing, as the data model codes it.", "Coded willing, as the data model codes it.",
                      "not coded as willing: no pledge.", "0.1 coded it willing.", "Coded own_troops willing for that stage only.",
                      "is coded as the weaker 'undecided', since"])
    assert passed(spec, df) == [False, True, True, True, True, True]


def cotw_root():
    from conftest import ROOT

    return ROOT


@pytest.mark.parametrize("table,column,rule", [
    ("positions", "focus", "focus"), ("positions", "basis", "same-words"), ("positions", "value", "fact-values"),
    ("positions", "notes", "note-coded"),
])
def test_cotw_check_locates_each_new_problem_with_a_hint(pkg, table, column, rule):
    """Two new rows of a tiny edit to the package copy: the problem is at the new row's line, with a hint."""
    import csv

    path = pkg / "data" / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0])
    base = dict(rows[0])
    a = dict(base, position_id="po-9000", fact_id="po-9000", focus="")
    b = dict(base, position_id="po-9001", fact_id="po-9000", focus="")
    if column == "focus":
        a["focus"] = b["focus"] = base["evidence"][:12]
    elif column == "basis":
        b["basis"] = "analyst_forecast" if base["basis"] != "analyst_forecast" else "official_statement"
        a["focus"], b["focus"] = base["evidence"][:12], base["evidence"][:20]
    elif column == "value":
        b["issue"], b["value"] = ("deployment", "supports") if base["issue"] != "deployment" else ("own_troops", "willing")
        a["focus"], b["focus"] = base["evidence"][:12], base["evidence"][-12:]
    else:
        a["focus"], b["focus"] = base["evidence"][:12], base["evidence"][-12:]
        b["notes"] = f"Coded {'ruled_out' if base['value'] != 'ruled_out' else 'willing'}, as the text says."
        b["issue"], b["value"] = "own_troops", "undecided" if base["value"] == "ruled_out" else base["value"]
    with open(path, "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, header, lineterminator="\n").writerows([a, b])
    line = len(rows) + 3  # b's line (header = 1)
    found = [p for p in cotw.validate(pkg).problems if p.file == f"data/{table}.csv" and p.rule == rule and p.line == line]
    assert found and found[0].hint, [(p.rule, p.line, p.message) for p in cotw.validate(pkg).problems if p.line and p.line > len(rows)]


def test_same_words_names_the_other_row_and_says_an_empty_date_is_empty():
    keys = {"positions": "position_id"}
    df = _obs(["po-1", "po-2"], ["official_statement", "official_statement"], ["2025-03", N], [N, N])
    spec = rules.same_words("positions", "position_id", {}, keys)
    assert passed(spec, df) == [False, False]
    message, hint = spec.rule.describe(EV, df.iloc[1])
    assert message == "po-1 (positions) cites the same words of source 's', but its date is '2025-03' and this row's empty"
    assert "focus" in hint


def test_same_words_gives_each_table_its_answer_when_tables_are_judged_at_once():
    """`cotw check` judges two tables at a time on large packages: the shared judgement of the four tables is
    made once, under a lock, and each table gets its own rows' answer."""
    from concurrent.futures import ThreadPoolExecutor

    keys = {"positions": "position_id", "claims": "claim_id"}
    pos = Cols.of_frame(_obs(["po-1", "po-2"], ["official_statement", "reported_position"], [N, N], [N, "troops"]))
    cla = Cols.of_frame(frame(claim_id=["cl-1"], source_id=["s"], evidence=[EV], focus=[N], basis=["reported_fact"], date=[N]))
    context = {"positions": pos, "claims": cla}
    specs = {"positions": rules.same_words("positions", "position_id", context, keys),
             "claims": rules.same_words("claims", "claim_id", context, keys)}
    with ThreadPoolExecutor(2) as pool:
        got = dict(pool.map(lambda n: (n, specs[n].fn(context[n]).to_pylist()), ["positions", "claims"] * 20))
    assert got == {"positions": [False, False], "claims": [False]}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("ab\x00", min_size=1, max_size=6), unique=True, max_size=12))
def test_nested_evidence_is_every_pair_where_a_longer_text_contains_a_shorter(texts):
    """The search for nested evidence (issue 19: one search in C per text, no loop over every longer text)
    finds exactly the pairs a comparison of every two texts finds, in the same order; a separator
    character inside the texts matches across no two of them."""
    from cotw.check.rules.citations import _nested

    texts = sorted(texts, key=len)
    want = [(inner, outer) for j, inner in enumerate(texts) for outer in texts[j + 1:] if len(outer) > len(inner) and inner in outer]
    assert list(_nested(texts)) == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["s1", "s2"]), st.sampled_from(["ab", "abc", "xabcx", "bc", "q"]),
                          st.sampled_from(["", "a", "b", "c", "zz"]), st.sampled_from(["quoted", "reported_fact"]),
                          st.sampled_from(["", "2025-03", "2025-03-02", "2025-04", "not-a-date"])), max_size=14))
def test_same_words_skips_only_groups_in_which_nothing_can_conflict(cells):
    """_judge asks _clusters only for groups with two bases or two compared dates; judging every group
    (what _clusters yields unfiltered) marks exactly the same rows."""
    from cotw.check.rules import citations

    rows = [("positions", f"po-{i:04d}", src, ev, focus, basis, date) for i, (src, ev, focus, basis, date) in enumerate(cells)]
    want: set[int] = set()
    for members in citations._clusters(rows):
        citations._conflicts([(s, e, i, (rows[i][5],)) for i, s, e in members], want)
        citations._conflicts([(s, e, i, (rows[i][6],)) for i, s, e in members if citations._edtf_or_empty(rows[i][6])], want)
    assert citations._judge(rows) == want


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text("ab", min_size=1, max_size=5),
                       st.lists(st.tuples(st.sampled_from(["quoted", "reported_fact", "official_statement"]),
                                          st.sampled_from(["", "2025-03", "2025-04", "not-a-date"])), min_size=1, max_size=3),
                       max_size=14),
       st.sampled_from([0, 1, 2, 16]))
def test_nested_evidence_looked_for_by_class_is_every_pair_whose_rows_can_disagree(cells, limit):
    """With the rows' labels, the nested pairs found class by class (up to CLASS_LIMIT classes) or judged a
    pair of classes at a time (beyond) are exactly the pairs of all nested pairs whose rows carry two bases or
    two compared dates between them: no pair that can conflict is missed."""
    from unittest import mock

    from cotw.check.rules import citations

    rows, evidences = [], {}
    for text, labels in cells.items():
        for basis, date in labels:
            evidences.setdefault(text, []).append(len(rows))
            rows.append((basis, date))

    def label(i):
        return rows[i][0], (rows[i][1],) if citations._edtf_or_empty(rows[i][1]) else ()

    def varied(at):
        return len({rows[i][0] for i in at}) > 1 or len({d for i in at for d in label(i)[1]}) > 1

    want = {(i, o) for i, o in citations._nested(sorted(evidences, key=len)) if varied(evidences[i] + evidences[o])}
    with mock.patch.object(citations, "CLASS_LIMIT", limit):
        got = list(citations._nested_between(evidences, label))
    assert sorted(got) == sorted(want) and len(got) == len(set(got))


@pytest.mark.parametrize("value, says", [([], "[] is not of type 'string'"), ({"a": 1}, "is not of type 'string'"),
                                         ("nope", "x-within names 'nope', which is not another field of the table"),
                                         ("focus", "x-within names 'focus', which is not another field of the table"),
                                         ("date_basis", None)])
def test_an_x_within_that_cannot_work_is_a_located_schema_error_not_a_crash(pkg, cli, value, says):
    """Found by tests/test_hostile_descriptor.py: `x-within: []` made `cotw check` raise TypeError. Any value but the
    name of another string field of the table is reported where it is, and the rest of the check still runs."""
    import json

    path = pkg / "schema/conditions.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == "focus")["x-within"] = value
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    result = cli("check", pkg)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stdout.splitlines() if "x-within" in line]
    if says is None:  # another string field: a working annotation (the focus cells are then looked for in it)
        assert lines == [] and result.exit_code in (0, 1)
    else:
        assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("schema/conditions.json: ") and says in lines[0], result.stdout
        assert lines[0].endswith("[table-schema]")


def _focus_distinct_by_every_row(ids, source, evidence, focus, country, issue) -> list[bool]:
    """focus-distinct by its definition, every pair of rows compared (the reference): a row fails when another
    row shares its source, evidence (present) and fixed values, and its focus is empty or the other's too."""
    key = list(zip(source, evidence, country, issue))
    return [not (evidence[i] is not None and any(j != i and key[j] == key[i] and (focus[i] is None or focus[j] == focus[i])
                                                 for j in range(len(ids))))
            for i in range(len(ids))]


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["s1", "s2"]), st.sampled_from([None, "", "a", "b", "a b", "é"]),
                               st.sampled_from([None, "a", "b", "x"]), st.sampled_from(["FRA", "GBR"]),
                               st.sampled_from(["own_troops", "air"])), max_size=30))
def test_focus_distinct_judges_only_shared_evidence_and_agrees_with_grouping_every_row(rows):
    import pyarrow as pa

    ids = [f"po-{i:04d}" for i in range(len(rows))]
    source, evidence, focus, country, issue = (list(c) for c in zip(*rows)) if rows else ([], [], [], [], [])
    table = pa.table({"position_id": pa.array(ids, pa.string()), "source_id": pa.array(source, pa.string()),
                      "evidence": pa.array(evidence, pa.string()), "focus": pa.array(focus, pa.string()),
                      "country": pa.array(country, pa.string()), "issue": pa.array(issue, pa.string())})
    got = rules.focus_distinct("positions", "position_id").fn(Cols.of_arrow(table))
    assert got.to_pylist() == _focus_distinct_by_every_row(ids, source, evidence, focus, country, issue)
