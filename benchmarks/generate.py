"""Generate a synthetic, valid cotw 0.2 data package with N statements (for benchmarks only).

    python benchmarks/generate.py 100k --out /tmp/bench/pkg-100k

Copied from the repository, unchanged: datapackage.json, schema/, seeds/, data/sources.csv and
data/sections.csv (so the archives, their sha256 and the authored sections are the curated ones;
the shipped people are kept too, since sections name them as authors). Everything else is generated,
valid against the real schemas and cross-table rules, at sizes proportional to N:

    statements N · positions N/10 · conditions, contributions, claims N/20 · events N/10 ·
    people N/50 (+ the shipped ones) · roles 1.5 per generated person · links about N/2 ·
    countries: the states, organisations and coalition that some row names (at most 60 + 3)

- real foreign keys, every country named by some row (`x-referenced`), group keys (`utterance_id`,
  `fact_id`) that name a representative row whose key is itself, positions whose value belongs to
  their issue, no own-troops contribution to the coalition, value_min <= value_max;
- EDTF dates of every accepted shape (day, month, year, span, open start or end, unspecified day,
  uncertain), none starting after the latest publication day its source allows;
- rows from a source with authored sections name a section of that source;
- the rules of issue 20 (see `harmonise`): rows of one fact share their coded values, rows citing the same
  words share basis and date, rows sharing one evidence have distinct focus, contradicts links join rows
  about the same thing at overlapping dates; event_id and focus are empty otherwise;
- links: rests_on (observation -> statement), part_of (statement -> statement) and contradicts
  (stored both ways, within one table), no duplicate or self link;
- every quote/evidence cell a verbatim span of whole words (whitespace collapsed) sampled from the
  archived text of the row's own source, never beginning like a spreadsheet formula. Spans are
  random (start word, 4-30 words), so distinct (quote, source) pairs grow with N;
- canonical form (`cotw fmt`): schema column order, rows sorted by primary key, minimal quoting.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
_WS = re.compile(r"\s+")
_SPECIAL = (",", '"', "\n", "\r")
_FORMULA = tuple("=+-@\t\r")
COPIED = ("sources", "sections")
MODEL = "0.3"  # the data model generated (0.3: event_id, focus, the rules of issue 20); run.py regenerates a package generated for another
LATEST = dt.date(2025, 4, 10)  # no generated date starts later: the earliest publication bound among the sources


def parse_size(s: str) -> int:
    s = s.lower().replace("_", "")
    if s in SIZES:
        return SIZES[s]
    if s.endswith("k"):
        return int(float(s[:-1]) * 1_000)
    if s.endswith("m"):
        return int(float(s[:-1]) * 1_000_000)
    return int(s)


def label(n: int) -> str:
    for k, v in SIZES.items():
        if v == n:
            return k
    return str(n)


def _cell(v: str) -> str:
    # the canonical quoting rule of cotw.io.csvtext: quote only when needed, or when the cell has edge whitespace
    if v and (any(c in v for c in _SPECIAL) or v != v.strip()):
        return '"' + v.replace('"', '""') + '"'
    return v


def write_csv(path: Path, fields: list[str], cols: dict[str, list[str]], key: list[str]) -> int:
    missing = [f for f in fields if f not in cols]
    assert not missing, f"{path.name}: no generated column {missing}"
    n = len(cols[fields[0]])
    assert all(len(cols[f]) == n for f in fields), f"{path.name}: columns of different lengths"
    if len(key) == 1:
        order = sorted(range(n), key=cols[key[0]].__getitem__)
    else:
        keys = [cols[k] for k in key]
        order = sorted(range(n), key=lambda i: [k[i] for k in keys])
    columns = [cols[f] for f in fields]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(fields) + "\n")
        buf = []
        for i in order:
            buf.append(",".join(_cell(c[i]) for c in columns))
            if len(buf) >= 50_000:
                fh.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            fh.write("\n".join(buf) + "\n")
    return n


class Spans:
    """Verbatim word spans from each source's archived text (whitespace collapsed, the one normalisation allowed)."""

    def __init__(self, root: Path, sources: list[dict], rng: np.random.Generator):
        self.rng = rng
        self.text: dict[str, str] = {}
        self.starts: dict[str, np.ndarray] = {}
        self.ok: dict[str, np.ndarray] = {}
        for s in sources:
            raw = (root / s["archive"]).read_bytes()
            assert hashlib.sha256(raw).hexdigest() == s["sha256"], f"{s['archive']} does not match its sha256"
            t = _WS.sub(" ", raw.decode("utf-8")).strip()
            self.text[s["source_id"]] = t
            # start offset of every word, plus a sentinel one past the end
            st = np.array([0] + [m.end() for m in re.finditer(" ", t)] + [len(t) + 1])
            self.starts[s["source_id"]] = st
            # words a cell may begin with: not like a spreadsheet formula (the formula-prefix rule)
            self.ok[s["source_id"]] = np.array([i for i in range(len(st) - 1) if not t[st[i]:].startswith(_FORMULA)])

    def sample(self, sids: list[str], lo: int = 4, hi: int = 30) -> list[str]:
        out = []
        lengths = self.rng.integers(lo, hi + 1, size=len(sids))
        u = self.rng.random(len(sids))
        for sid, ln, r in zip(sids, lengths, u):
            st, t, ok = self.starts[sid], self.text[sid], self.ok[sid]
            words = len(st) - 1
            w0 = int(ok[int(r * len(ok))])
            ln = max(1, min(int(ln), words - w0))
            out.append(t[st[w0]: st[w0 + ln] - 1].strip())
        return out


def edtf_dates(rng, n: int, empty: float = 0.15) -> list[str]:
    """EDTF values of every shape cotw accepts, none starting after LATEST."""
    base = dt.date(2025, 1, 1)
    days = (LATEST - base).days
    d0 = [base + dt.timedelta(days=int(x)) for x in rng.integers(0, days + 1, size=n)]
    d1 = rng.integers(1, 4, size=n)
    shape = rng.choice(9, size=n, p=[0.5 - empty / 2, 0.15, 0.03, 0.05, 0.03, 0.03, 0.03, 0.03, 0.15 - empty / 2 + empty])
    out = []
    for d, k, s in zip(d0, d1, shape):
        iso = d.isoformat()
        out.append((
            iso if s == 0 else iso[:7] if s == 1 else iso[:4] if s == 2
            else f"{iso}/{(d + dt.timedelta(days=int(k))).isoformat()}" if s == 3
            else f"../{iso}" if s == 4 else f"{iso}/.." if s == 5
            else f"{iso[:7]}-XX" if s == 6 else f"{iso}?" if s == 7 else ""))
    return out


def group_keys(rng, ids: list[str], share: float = 0.2) -> list[str]:
    """A group key per row: its own id (a representative), or the id of the nearest representative before it."""
    n = len(ids)
    rep = rng.random(n) >= share
    if n:
        rep[0] = True
    last = np.maximum.accumulate(np.where(rep, np.arange(n), 0))
    return [ids[j] for j in last]


def ids(prefix: str, k: int, start: int = 1) -> list[str]:
    width = max(4, len(str(k + start)))
    return [f"{prefix}-{i:0{width}d}" for i in range(start, start + k)]


def harmonise(tables: dict[str, dict[str, list[str]]]) -> None:
    """Make the generated observations meet the rules of issue 20, as curated rows do: empty event_id and
    focus columns; the rows of one fact take their representative's coded values (fact-values; a member's
    speaker is dropped, as its country may change); rows citing the same words of a source (identical or
    nested evidence) share the basis and date of the first of them (same-words); rows sharing source,
    evidence and fixed values get distinct focus words (focus)."""
    from cotw.check.rules._shared import CODED, FIXED, OBSERVATIONS
    from cotw.check.rules.citations import _clusters

    keys = {"positions": "position_id", "conditions": "condition_id", "contributions": "contribution_id", "claims": "claim_id",
            "events": "event_id"}
    for name, t in tables.items():
        k = len(t[keys[name]])
        if name in OBSERVATIONS:
            t["event_id"], t["focus"] = [""] * k, [""] * k
        at = {rid: i for i, rid in enumerate(t[keys[name]])}
        for i, fid in enumerate(t["fact_id"]):
            r = at[fid]
            if r != i:
                for c in CODED[name]:
                    if c in t:
                        t[c][i] = t[c][r]
                if "speaker_id" in t:
                    t["speaker_id"][i] = ""
    rows = [(name, i, tables[name]["source_id"][i], tables[name]["evidence"][i], None)
            for name in OBSERVATIONS for i in range(len(tables[name]["source_id"]))]
    parent = list(range(len(rows)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in _clusters(rows):
        first = find(members[0][0])
        for m in members[1:]:
            parent[find(m[0])] = first
    for x, (name, i, *_) in enumerate(rows):
        rname, r = rows[find(x)][:2]
        if (rname, r) != (name, i):
            t, rt = tables[name], tables[rname]
            if t["basis"][i] != rt["basis"][r] and "speaker_id" in t:
                t["speaker_id"][i] = ""  # an official statement's speaker must hold an office of its country
            t["basis"][i], t["date"][i], t["date_basis"][i] = rt["basis"][r], rt["date"][r], rt["date_basis"][r]
    for name in OBSERVATIONS:
        t = tables[name]
        groups: dict[tuple, list[int]] = {}
        for i in range(len(t["source_id"])):
            groups.setdefault((t["source_id"][i], t["evidence"][i], *(t[c][i] for c in FIXED[name])), []).append(i)
        for at in groups.values():
            if len(at) > 1:
                words = t["evidence"][at[0]].split(" ")
                for j, i in enumerate(at):
                    t["focus"][i] = " ".join(words[: min(len(words), j + 1)]) if j + 1 <= len(words) else ""


def contradicting(table: dict[str, list[str]], col: str, most: int) -> list[tuple[str, str]]:
    """Up to `most` pairs of rows that may contradict: the same subject, different facts, dates that overlap."""
    from cotw.check.rules.contradictions import SUBJECT, _bounds

    name = {"position_id": "positions", "condition_id": "conditions", "contribution_id": "contributions", "claim_id": "claims"}[col]
    groups: dict[tuple, list[int]] = {}
    for i in range(len(table[col])):
        groups.setdefault(tuple(table[c][i] for c in SUBJECT[name]), []).append(i)
    out = []
    for at in groups.values():
        for x, y in zip(at, at[1:]):
            (lo1, hi1), (lo2, hi2) = _bounds(table["date"][x]), _bounds(table["date"][y])
            apart = (hi1 is not None and lo2 is not None and hi1 < lo2) or (hi2 is not None and lo1 is not None and hi2 < lo1)
            if table["fact_id"][x] != table["fact_id"][y] and not apart:
                out.append((table[col][x], table[col][y]))
                if len(out) >= most:
                    return out
    return out


def generate(n: int, out: Path, seed: int = 6) -> dict:
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copy2(REPO / "datapackage.json", out / "datapackage.json")
    shutil.copytree(REPO / "schema", out / "schema")
    shutil.copytree(REPO / "seeds", out / "seeds")
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["name"]: r["path"] for r in desc["resources"]}
    for name in COPIED:
        shutil.copy2(REPO / paths[name], out / paths[name])
    schemas = {r["name"]: json.loads((out / r["schema"]).read_text(encoding="utf-8")) for r in desc["resources"]}
    fields = {name: [f["name"] for f in s["fields"]] for name, s in schemas.items()}

    def read(name):
        with (REPO / paths[name]).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    sources = read("sources")
    sids = [s["source_id"] for s in sources]
    spans = Spans(out, sources, rng)
    sections: dict[str, list[str]] = {}
    for s in read("sections"):
        sections.setdefault(s["source_id"], []).append(s["section_id"])

    def pick(pool: list[str], k: int) -> list[str]:
        return [pool[i] for i in rng.integers(0, len(pool), size=k)]

    def section_of(src: list[str]) -> list[str]:
        return [pick(sections[s], 1)[0] if s in sections else "" for s in src]

    def maybe(values: list[str], p: float) -> list[str]:
        return [v if r < p else "" for v, r in zip(values, rng.random(len(values)))]

    def notes(k: int, p: float = 0.3) -> list[str]:
        return maybe([f"Synthetic note {i}, with a comma and \"quotes\"." for i in range(k)], p)

    # --- countries: a pool of ISO alpha-3 states (as code-matches-kind checks) + EU, NATO, COALITION;
    # only those some row names are written (the inclusion policy: x-referenced)
    import pycountry

    states = sorted(pycountry.countries, key=lambda c: c.alpha_3)[:60]
    pool = [c.alpha_3 for c in states] + ["EU", "NATO", "COALITION"]

    # --- people: the shipped ones (sections name them as authors) and generated ones
    shipped_people = read("people")
    npeople = max(20, n // 50)
    pids = ids("person", npeople)
    people = {"person_id": [p["person_id"] for p in shipped_people] + pids,
              "name": [p["name"] for p in shipped_people] + [f"Person {i}" for i in range(1, npeople + 1)],
              "printed_as": [p["printed_as"] for p in shipped_people] + maybe([f"P. {i}" for i in range(1, npeople + 1)], 0.2),
              "notes": [p["notes"] for p in shipped_people] + notes(npeople, 0.1)}
    speakers = people["person_id"]

    # --- roles
    kr = npeople * 3 // 2
    r_src = pick(sids, kr)
    roles = {"role_id": ids("rl", kr), "person_id": pick(speakers, kr),
             "role": pick(["Defence Minister", "Prime Minister", "Foreign Minister, as printed", "spokesperson"], kr),
             "country": maybe(pick(pool, kr), 0.9), "source_id": r_src, "evidence": spans.sample(r_src), "notes": notes(kr, 0.1)}

    # --- statements
    s_src = pick(sids, n)
    st_ids = ids("st", n)
    kind = rng.choice(np.array(["person", "unnamed", "collective"]), size=n, p=[0.7, 0.2, 0.1])
    spk = pick(speakers, n)
    topic_vocab = ["troops", "us_role", "mandate", "ceasefire", "deterrence", "planning", "escalation", "own_defence",
                   "coalition", "negotiations", "territory", "support"]
    t1, t2, two = rng.integers(0, 12, size=n), rng.integers(0, 12, size=n), rng.random(n) < 0.4
    country = [pool[i % len(pool)] for i in range(min(n, len(pool)))] + maybe(pick(pool, max(0, n - len(pool))), 0.85)
    said = edtf_dates(rng, n)
    form = ["sentence" if r < 0.6 else "fragment" for r in rng.random(n)]
    statements = {
        "statement_id": st_ids, "utterance_id": group_keys(rng, st_ids), "source_id": s_src, "country": country,
        "speaker_id": [s if k == "person" else "" for s, k in zip(spk, kind)], "speaker_kind": [str(k) for k in kind],
        "speaker_label": [f"{s}, as the source describes them" if k == "person" else
                          "An unnamed official" if k == "unnamed" else "The governments, together" for s, k in zip(spk, kind)],
        "said": said, "said_basis": ["The source dates the remark." if d else "The source prints no date." for d in said],
        "quote": spans.sample(s_src), "form": form,
        "topics": [topic_vocab[a] + (";" + topic_vocab[b] if w and b != a else "") for a, b, w in zip(t1, t2, two)],
        "notes": notes(n, 0.2),
    }

    basis = ["official_statement", "reported_position", "analyst_assessment", "analyst_forecast"]

    def observation(prefix: str, id_col: str, k: int, extra) -> dict[str, list[str]]:
        """The columns every observation table shares (positions, conditions, contributions)."""
        src = pick(sids, k)
        oid = ids(prefix, k)
        date = edtf_dates(rng, k, empty=0.4)
        kinds = rng.random(k)
        cols = {id_col: oid, "fact_id": group_keys(rng, oid), "country": pick(pool, k), **extra(k),
                "date": date, "date_basis": ["The source dates it." if d else "The source prints no date." for d in date],
                "basis": pick(basis, k), "speaker_id": [s if r < 0.3 else "" for s, r in zip(pick(speakers, k), kinds)],
                "section_id": section_of(src), "source_id": src, "evidence": spans.sample(src), "notes": notes(k)}
        return cols

    def position_values(k):
        issue = pick(["own_troops", "participation", "deployment"], k)
        vals = {"own_troops": ["committed", "willing", "undecided", "ruled_out"],
                "participation": ["leads", "joined", "prospective", "declined"], "deployment": ["supports", "reservations", "opposes"]}
        return {"issue": issue, "value": [pick(vals[i], 1)[0] for i in issue]}

    positions = observation("po", "position_id", max(50, n // 10), position_values)
    conditions = observation("cd", "condition_id", max(50, n // 20), lambda k: {
        "condition": pick(schemas_enum(schemas, "conditions", "condition"), k),
        "stance": pick(["requires", "prefers", "reason_against", "not_required"], k),
        "applies_to": pick(["own_troops", "participation", "coalition", "deployment"], k)})

    def contribution_values(k):
        kinds = pick(schemas_enum(schemas, "contributions", "kind"), k)
        scope = pick(["coalition", "bilateral", "eu", "nato", "unspecified"], k)
        scope = ["bilateral" if a == "troops" and s == "coalition" else s for a, s in zip(kinds, scope)]  # own troops are positions
        return {"kind": kinds, "scope": scope, "commitment": pick(["provided", "pledged", "offered", "considered", "ruled_out"], k),
                "description": [f"Synthetic contribution {i}." for i in range(1, k + 1)]}

    contributions = observation("ct", "contribution_id", max(50, n // 20), contribution_values)

    # A named speaker speaks for the country of one of their offices (statements; official statements of
    # positions and conditions): such rows take the country of one of the speaker's roles.
    offices: dict[str, list[str]] = {}
    for person, c in zip(roles["person_id"], roles["country"]):
        if c:
            offices.setdefault(person, []).append(c)
    for table, official_only in ((statements, False), (positions, True), (conditions, True)):
        basis_col = table.get("basis") or [""] * len(table["country"])
        for i, (s, b) in enumerate(zip(table["speaker_id"], basis_col)):
            if s in offices and (not official_only or b == "official_statement"):
                table["country"][i] = offices[s][i % len(offices[s])]

    # --- events
    ke = max(50, n // 10)
    e_src = pick(sids, ke)
    e_ids = ids("ev", ke)
    e_date = edtf_dates(rng, ke, empty=0.3)
    events = {
        "event_id": e_ids, "fact_id": group_keys(rng, e_ids), "name": [f"Synthetic meeting {i}" for i in range(1, ke + 1)],
        "kind": pick(schemas_enum(schemas, "events", "kind"), ke), "date": e_date,
        "date_basis": ["The source prints the date." if d else "The source prints no date." for d in e_date],
        "place": maybe(["Brussels"] * ke, 0.5), "host": maybe(pick(pool, ke), 0.3),
        "participants": maybe(["Defence ministers; officials"] * ke, 0.5),
        "source_id": e_src, "evidence": spans.sample(e_src), "notes": notes(ke)}

    # --- claims
    kc = max(50, n // 20)
    c_src = pick(sids, kc)
    c_ids = ids("cl", kc)
    lo = rng.integers(0, 1000, size=kc)
    hi = lo + rng.integers(0, 50, size=kc)
    numeric = rng.random(kc) < 0.7
    c_date = edtf_dates(rng, kc, empty=0.5)
    claims = {
        "claim_id": c_ids, "fact_id": group_keys(rng, c_ids), "question": [f"synthetic-question-{i % 500}" for i in range(kc)],
        "subject": [f"Synthetic figure {i}" for i in range(1, kc + 1)],
        "value": [f"{a} to {b}" if m else "several" for a, b, m in zip(lo, hi, numeric)],
        "value_min": [str(int(a)) if m else "" for a, m in zip(lo, numeric)],
        "value_max": [str(int(b)) if m else "" for b, m in zip(hi, numeric)],
        "unit": ["troops" if m else "" for m in numeric], "date": c_date,
        "date_basis": ["The source dates it." if d else "The source prints no date." for d in c_date],
        "attributed_to": ["officials"] * kc, "basis": pick(basis, kc), "section_id": section_of(c_src),
        "source_id": c_src, "evidence": spans.sample(c_src), "notes": notes(kc)}

    harmonise({"positions": positions, "conditions": conditions, "contributions": contributions, "claims": claims, "events": events})

    # --- links: rests_on (observation -> statement), part_of (fragment -> statement), contradicts (both ways)
    links: set[tuple[str, str, str]] = set()
    for table, col in ((positions, "position_id"), (conditions, "condition_id"), (contributions, "contribution_id"), (claims, "claim_id")):
        obs = table[col]
        chosen = rng.random(len(obs)) < 0.5
        for o, t in zip([o for o, c in zip(obs, chosen) if c], pick(st_ids, int(chosen.sum()))):
            links.add((o, "rests_on", t))
        for x, y in contradicting(table, col, max(1, len(obs) // 50)):
            links.add((x, "contradicts", y))
            links.add((y, "contradicts", x))
    frag = [s for s, f in zip(st_ids, form) if f == "fragment"]
    for x, y in zip(frag[: n // 20], pick(st_ids, len(frag[: n // 20]))):
        if x != y:
            links.add((x, "part_of", y))
    links_ = sorted(links)
    links_cols = {"from_id": [x for x, _, _ in links_], "relation": [r for _, r, _ in links_], "to_id": [y for _, _, y in links_],
                  "note": [f"Synthetic {r} link." for _, r, _ in links_]}

    # --- countries named by some row
    named = set(statements["country"]) | set(roles["country"]) | set(events["host"])
    for t in (positions, conditions, contributions):
        named |= set(t["country"])
    named.discard("")
    by_code = {c.alpha_3: c for c in states}
    codes = sorted(named)
    kinds_ = ["state" if c in by_code else "coalition" if c == "COALITION" else "organisation" for c in codes]
    countries = {
        "code": codes,
        "name": [by_code[c].name if c in by_code else {"EU": "European Union", "NATO": "North Atlantic Treaty Organization",
                                                       "COALITION": "Coalition of the willing"}[c] for c in codes],
        "kind": kinds_, "iso_alpha2": [by_code[c].alpha_2 if c in by_code else "" for c in codes],
        "eu_member": [pick(["true", "false", ""], 1)[0] if k == "state" else "" for k in kinds_], "notes": notes(len(codes))}

    tables = {"countries": countries, "people": people, "roles": roles, "statements": statements, "positions": positions,
              "conditions": conditions, "contributions": contributions, "events": events, "claims": claims, "links": links_cols}
    rows = {}
    for name in COPIED:
        with (out / paths[name]).open(encoding="utf-8") as fh:
            rows[name] = sum(1 for _ in csv.reader(fh)) - 1
    for name, cols in tables.items():
        pk = schemas[name]["primaryKey"]
        rows[name] = write_csv(out / paths[name], fields[name], cols, [pk] if isinstance(pk, str) else pk)
    missing = set(paths) - set(rows)
    assert not missing, f"tables not generated: {missing}"
    distinct = len(set(zip(statements["quote"], statements["source_id"])))
    size = sum(p.stat().st_size for p in (out / "data").glob("*.csv"))
    info = {"model": MODEL, "statements": n, "rows": rows, "distinct_quote_source_pairs": distinct,
            "csv_bytes": size, "statements_csv_bytes": (out / paths["statements"]).stat().st_size,
            "seconds": round(time.perf_counter() - t0, 2), "seed": seed}
    (out / "GENERATED.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def schemas_enum(schemas: dict, table: str, field: str) -> list[str]:
    """The vocabulary of a field, from the real schema (so a new value in the schema is generated too)."""
    return next(f["constraints"]["enum"] for f in schemas[table]["fields"] if f["name"] == field)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("size", help="number of statements: 1k, 10k, 100k, 1m or an integer")
    ap.add_argument("--out", type=Path, help="output directory (default /tmp/bench/pkg-SIZE)")
    ap.add_argument("--seed", type=int, default=6)
    a = ap.parse_args(argv)
    n = parse_size(a.size)
    out = a.out or Path("/tmp/bench") / f"pkg-{label(n)}"
    info = generate(n, out, a.seed)
    print(json.dumps({"out": str(out), **info}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
