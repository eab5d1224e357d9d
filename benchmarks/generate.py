"""Generate a synthetic, valid cotw data package with N statements (for benchmarks only).

    python benchmarks/generate.py 100k --out /tmp/bench/pkg-100k

What is copied from the repository, unchanged: datapackage.json, schema/, seeds/ and data/sources.csv
(so the archives and their sha256 are the curated ones). Everything else is generated:
countries, people, conditions, contributions, events, claims and N statements, with

- real foreign keys (every source_id, country, speaker_id, same_as, contradicts points to a row
  that exists; a named speaker's statements.country is the speaker's people.country);
- dates consistent with their precision (month -> first of the month, year -> 1 January,
  unknown -> empty) and never after the publication date of the row's source;
- every quote/evidence cell a verbatim span (whole words, whitespace collapsed) sampled from the
  archived seed text of the row's own source. Spans are random (start word, 4-30 words), so
  identical evidence occurs only by chance, as in a real tracker: distinct (quote, source) pairs
  grow with N until the seed texts' spans run out (reported on stdout).
- canonical form (`cotw fmt`): schema column order, rows sorted by primary key, minimal quoting.

One deviation from the repository's schemas, made only when needed: the statement_id pattern
`^st-[0-9]{4}$` (and same_as) holds at most 10,000 ids, so for N > 9,999 statements the generated
copy of schema/statements.json widens both to `^st-[0-9]{4,}$`. The other id patterns are kept;
the other tables are capped at 9,999 rows so they fit them.
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


def write_csv(path: Path, fields: list[str], cols: dict[str, list[str]], key: str) -> int:
    n = len(cols[fields[0]])
    order = sorted(range(n), key=cols[key].__getitem__)
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
        for s in sources:
            raw = (root / s["archive"]).read_bytes()
            assert hashlib.sha256(raw).hexdigest() == s["sha256"], f"{s['archive']} does not match its sha256"
            t = _WS.sub(" ", raw.decode("utf-8")).strip()
            self.text[s["source_id"]] = t
            # start offset of every word, plus a sentinel one past the end
            self.starts[s["source_id"]] = np.array([0] + [m.end() for m in re.finditer(" ", t)] + [len(t) + 1])

    def sample(self, sids: list[str], lo: int = 4, hi: int = 30) -> list[str]:
        out = []
        lengths = self.rng.integers(lo, hi + 1, size=len(sids))
        u = self.rng.random(len(sids))
        for sid, ln, r in zip(sids, lengths, u):
            st, t = self.starts[sid], self.text[sid]
            words = len(st) - 1
            ln = min(int(ln), words)
            w0 = int(r * (words - ln + 1))
            span = t[st[w0]: st[w0 + ln] - 1].strip()
            out.append(span)
        return out


def _dates(rng, n: int, published: list[dt.date | None]) -> tuple[list[str], list[str]]:
    """(date, precision) pairs consistent with the precision and not after the source's publication."""
    prec = rng.choice(np.array(["day", "month", "year", "unknown"]), size=n, p=[0.55, 0.2, 0.05, 0.2])
    offs = rng.random(n)
    base = dt.date(2025, 1, 1)
    dates, precs = [], []
    for p, o, pub in zip(prec, offs, published):
        end = pub or dt.date(2025, 12, 31)
        d = base + dt.timedelta(days=int(o * ((end - base).days + 1)))
        if p == "month":
            d = d.replace(day=1)
        elif p == "year":
            d = d.replace(month=1, day=1)
        if p == "unknown" or d > end:
            dates.append("")
            precs.append("unknown")
        else:
            dates.append(d.isoformat())
            precs.append(str(p))
    return dates, precs


def generate(n: int, out: Path, seed: int = 6) -> dict:
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copy2(REPO / "datapackage.json", out / "datapackage.json")
    shutil.copytree(REPO / "schema", out / "schema")
    shutil.copytree(REPO / "seeds", out / "seeds")
    shutil.copy2(REPO / "data" / "sources.csv", out / "data" / "sources.csv")
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: json.loads((out / r["schema"]).read_text(encoding="utf-8")) for r in desc["resources"]}
    fields = {name: [f["name"] for f in s["fields"]] for name, s in schemas.items()}

    widened = False
    id_width = 4
    if n > 9_999:
        widened = True
        id_width = len(str(n))
        st = schemas["statements"]
        for f in st["fields"]:
            if f["name"] in ("statement_id", "same_as"):
                f["constraints"]["pattern"] = "^st-[0-9]{4,}$"
        (out / "schema" / "statements.json").write_text(json.dumps(st, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    with (out / "data" / "sources.csv").open(encoding="utf-8", newline="") as fh:
        sources = list(csv.DictReader(fh))
    sids = [s["source_id"] for s in sources]
    pub = {s["source_id"]: (dt.date.fromisoformat(s["published"]) if s["published"] else None) for s in sources}
    spans = Spans(out, sources, rng)

    def pick_sources(k: int) -> list[str]:
        return [sids[i] for i in rng.integers(0, len(sids), size=k)]

    # --- countries: ISO alpha-3 states (pycountry, as the code-matches-kind rule checks) + EU, NATO
    import pycountry

    states = sorted(pycountry.countries, key=lambda c: c.alpha_3)[:60]
    codes = [c.alpha_3 for c in states] + ["EU", "NATO"]
    names = [c.name for c in states] + ["European Union", "North Atlantic Treaty Organization"]
    nc = len(codes)
    kinds = ["state"] * len(states) + ["organization"] * 2
    c_src = pick_sources(nc)
    c_ev = spans.sample(c_src)
    member = rng.random(nc) < 0.3
    m_src = pick_sources(nc)
    m_ev = spans.sample(m_src)
    stance = rng.choice(np.array(["leading", "pledged", "open", "undecided", "undisclosed", "ruled_out", "opposed", "unclear", "not_applicable"]), size=nc)
    cn_src = pick_sources(nc)
    cn_ev = spans.sample(cn_src)
    asof, asof_p = _dates(rng, nc, [pub[s] for s in c_src])
    countries = {
        "code": codes, "name": names, "kind": kinds,
        "eu_member": ["true" if m and rng.random() < 0.5 else ("false" if m else "") for m in member],
        "nato_member": ["true" if m else "" for m in member],
        "membership_source_id": [s if m else "" for s, m in zip(m_src, member)],
        "membership_evidence": [e if m else "" for e, m in zip(m_ev, member)],
        "coalition_role": list(rng.choice(np.array(["co_lead", "member", "prospective", "beneficiary", "institution", "non_member", "not_stated"]), size=nc)),
        "troop_stance": [str(s) for s in stance],
        "stance_as_of": asof, "stance_as_of_precision": asof_p,
        "summary": [f"Synthetic summary of the position of {x}." for x in names],
        "source_id": c_src, "evidence": c_ev,
        "counter_source_id": [s if st_ == "unclear" else "" for s, st_ in zip(cn_src, stance)],
        "counter_evidence": [e if st_ == "unclear" else "" for e, st_ in zip(cn_ev, stance)],
    }

    # --- people
    npeople = max(20, n // 50)
    pw = len(str(npeople))
    pids = [f"person-{i:0{pw}d}" for i in range(1, npeople + 1)]
    p_country = [codes[i] for i in rng.integers(0, nc, size=npeople)]
    p_src = pick_sources(npeople)
    people = {
        "person_id": pids, "name": [f"Person {i}" for i in range(1, npeople + 1)],
        "printed_as": ["" if rng.random() < 0.8 else f"P. {i}" for i in range(1, npeople + 1)],
        "role": ["Defence Minister" if i % 3 else "Prime Minister, as printed" for i in range(npeople)],
        "country": p_country, "source_id": p_src, "evidence": spans.sample(p_src),
    }

    def small(k: int) -> int:
        return min(9_999, max(50, k))

    # --- conditions, contributions
    def by_country(k: int, id_col: str, prefix: str, extra: dict[str, tuple]) -> dict[str, list[str]]:
        src = pick_sources(k)
        cols = {id_col: [f"{prefix}-{i:04d}" for i in range(1, k + 1)]}
        cols["country"] = [codes[i] for i in rng.integers(0, nc, size=k)]
        for col, vocab in extra.items():
            cols[col] = [str(v) for v in rng.choice(np.array(vocab), size=k)]
        cols["source_id"], cols["evidence"] = src, spans.sample(src)
        cols["notes"] = ["" if rng.random() < 0.5 else "Synthetic note, with a comma." for _ in range(k)]
        return cols

    k = small(n // 20)
    conditions = by_country(k, "condition_id", "cd", {
        "condition": ("ceasefire_first", "us_backstop", "nato_or_un_mandate", "clear_mandate", "own_defence_intact"),
        "applies_to": ("troops", "any_participation", "wider_participation", "coalition"),
        "basis": ("official_statement", "reported_position", "analyst_assessment")})
    contributions = by_country(k, "contribution_id", "ct", {
        "kind": ("troops", "training", "air", "naval", "funding", "weapons", "monitoring"),
        "status": ("pledged", "offered", "considered", "ruled_out", "ongoing"),
        "basis": ("official_statement", "reported_position", "analyst_assessment")})
    contributions["description"] = [f"Synthetic contribution {i}." for i in range(1, k + 1)]

    # --- events
    ke = small(n // 10)
    e_src = pick_sources(ke)
    e_date, e_prec = _dates(rng, ke, [pub[s] for s in e_src])
    eids = [f"ev-{i:04d}" for i in range(1, ke + 1)]
    events = {
        "event_id": eids, "name": [f"Synthetic meeting {i}" for i in range(1, ke + 1)],
        "kind": [str(v) for v in rng.choice(np.array(["summit", "ministerial", "meeting", "talks", "call"]), size=ke)],
        "date": e_date, "date_precision": e_prec,
        "date_basis": ["The source prints the date." if d else "The source prints no date." for d in e_date],
        "place": ["Brussels" if rng.random() < 0.5 else "" for _ in range(ke)],
        "participants": ["" if rng.random() < 0.5 else "Defence ministers; officials" for _ in range(ke)],
        "source_id": e_src, "evidence": spans.sample(e_src),
        "same_as": [eids[int(rng.integers(0, i))] if i and rng.random() < 0.1 else "" for i in range(ke)],
        "notes": ["" if rng.random() < 0.7 else "Synthetic, \"quoted\" note." for _ in range(ke)],
    }

    # --- claims
    kc = small(n // 20)
    cl_src = pick_sources(kc)
    lo = rng.integers(0, 1000, size=kc)
    hi = lo + rng.integers(0, 50, size=kc)
    numeric = rng.random(kc) < 0.7
    clids = [f"cl-{i:04d}" for i in range(1, kc + 1)]
    claims = {
        "claim_id": clids, "subject": [f"Synthetic figure {i}" for i in range(1, kc + 1)],
        "value": [f"{a} to {b}" if m else "several" for a, b, m in zip(lo, hi, numeric)],
        "value_min": [str(int(a)) if m else "" for a, m in zip(lo, numeric)],
        "value_max": [str(int(b)) if m else "" for b, m in zip(hi, numeric)],
        "unit": ["troops" if m else "" for m in numeric],
        "attributed_to": ["officials"] * kc, "source_id": cl_src, "evidence": spans.sample(cl_src),
        "contradicts": [clids[int(rng.integers(0, i))] if i and rng.random() < 0.1 else "" for i in range(kc)],
        "notes": [""] * kc,
    }

    # --- statements
    s_src = pick_sources(n)
    said, said_p = _dates(rng, n, [pub[s] for s in s_src])
    kind = rng.choice(np.array(["person", "unnamed", "collective"]), size=n, p=[0.7, 0.2, 0.1])
    spk = rng.integers(0, npeople, size=n)
    other_country = rng.integers(0, nc, size=n)
    sids_ = [f"st-{i:0{id_width}d}" for i in range(1, n + 1)]
    topic_vocab = ["troops", "us_role", "mandate", "ceasefire", "deterrence", "planning", "escalation", "own_defence",
                   "coalition", "negotiations", "territory", "support"]
    t1 = rng.integers(0, 12, size=n)
    t2 = rng.integers(0, 12, size=n)
    two = rng.random(n) < 0.4
    same = rng.random(n) < 0.05
    same_to = (rng.random(n) * np.arange(n)).astype(np.int64)
    speaker_id, country, label_ = [], [], []
    for k_, s_, oc in zip(kind, spk, other_country):
        if k_ == "person":
            speaker_id.append(pids[s_])
            country.append(p_country[s_])
            label_.append(f"Person {s_ + 1}, as the source describes them")
        else:
            speaker_id.append("")
            country.append(codes[oc] if k_ == "unnamed" else "")
            label_.append("An unnamed official" if k_ == "unnamed" else "The governments, together")
    statements = {
        "statement_id": sids_, "source_id": s_src, "country": country, "speaker_id": speaker_id,
        "speaker_kind": [str(k_) for k_ in kind], "speaker_label": label_,
        "said": said, "said_precision": said_p,
        "said_basis": ["The source dates the remark." if d else "The source prints no date." for d in said],
        "quote": spans.sample(s_src),
        "form": ["sentence" if r < 0.6 else "fragment" for r in rng.random(n)],
        "topics": [topic_vocab[a] + (";" + topic_vocab[b] if w else "") for a, b, w in zip(t1, t2, two)],
        "same_as": [sids_[j] if s and i else "" for i, (s, j) in enumerate(zip(same, same_to))],
        "notes": ["" if r < 0.8 else "Synthetic note: wording differs, slightly." for r in rng.random(n)],
    }

    tables = {"countries": (countries, "code"), "people": (people, "person_id"), "statements": (statements, "statement_id"),
              "conditions": (conditions, "condition_id"), "contributions": (contributions, "contribution_id"),
              "events": (events, "event_id"), "claims": (claims, "claim_id")}
    rows = {"sources": len(sources)}
    for name, (cols, key) in tables.items():
        path = next(out / r["path"] for r in desc["resources"] if r["name"] == name)
        rows[name] = write_csv(path, fields[name], cols, key)
    distinct = len(set(zip(statements["quote"], statements["source_id"])))
    size = sum(p.stat().st_size for p in (out / "data").glob("*.csv"))
    info = {"statements": n, "rows": rows, "distinct_quote_source_pairs": distinct, "widened_statement_id": widened,
            "csv_bytes": size, "statements_csv_bytes": (out / "data" / "statements.csv").stat().st_size,
            "seconds": round(time.perf_counter() - t0, 2), "seed": seed}
    (out / "GENERATED.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


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
