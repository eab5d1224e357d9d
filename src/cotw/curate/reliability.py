"""Reliability of the coding (content analysis): blind units for independent coders, and Krippendorff's
alpha per coded variable.

`make_units` writes, for every row of the coded tables (or of one source), a blind unit: the fixed
values only (the actor; positions its issue; claims question, subject and value; events name), the
evidence verbatim, its focus, about CONTEXT_BEFORE characters of the source before the evidence and
CONTEXT_AFTER after, the source title and, for an authored section (a GMF chapter), its title and
authors. No row id, no other coded value, no notes, no fact_id. Units are shuffled with a fixed seed
and numbered u001...; `key.json` (unit -> table and row id) is for whoever measures, never for coders;
`codings/dataset.json` is the dataset's own codes at that moment, as one coder.

`measure` reads `codings/*.json` (`{unit: {variable: value}}`, a value from the codebook or `NONE`),
computes Krippendorff's alpha (nominal; coders x units, categories as integers, NaN where a coder gave
no value) per table and variable with the `krippendorff` package, twice: with the dataset as one coder,
and between the independent coders only; and lists the units where independent coders agree with each
other and not with the dataset. `render` words it as docs/reliability.md, with the sections of a
hand-written `adjudication.md`.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..package import Package
from . import CurateError

VARIABLES = {"positions": ("value", "basis"),
             "conditions": ("condition", "stance", "applies_to", "basis"),
             "contributions": ("kind", "scope", "commitment", "basis"),
             "claims": ("basis",),
             "events": ("kind",)}
FIXED = {"positions": ("country", "issue"), "conditions": ("country",), "contributions": ("country",),
         "claims": ("question", "subject", "value"), "events": ("name",)}
CONTEXT_BEFORE, CONTEXT_AFTER = 700, 500
SEED = 20250410
DATASET = "dataset"  # the coder name of the dataset's own codes
NONE = "NONE"  # a coder's answer that no value of the codebook fits
MAX_CODING_BYTES = 50 * 1024 * 1024
_WS = re.compile(r"\s+")


def _text(v):
    return v if isinstance(v, str) and v == v else None


def _archives(pkg: Package) -> dict[str, str]:
    """source_id -> its archived text, whitespace collapsed (as provenance compares it); sources without one left out."""
    from .locate import _read_regular, source_archives

    out = {}
    for sid, rel in source_archives(pkg).items():
        try:
            out[sid] = _WS.sub(" ", _read_regular(pkg, rel).decode("utf-8", errors="replace")).strip()
        except Exception:  # noqa: BLE001 - an unreadable archive gives units without context, said in the unit
            continue
    return out


def _context(text: str | None, evidence: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    needle = _WS.sub(" ", evidence).strip()
    at = text.find(needle)
    if at < 0:
        return None, None
    return text[max(0, at - CONTEXT_BEFORE):at], text[at + len(needle):at + len(needle) + CONTEXT_AFTER]


def make_units(path, out: str | Path, source: str | None = None, seed: int = SEED) -> dict:
    """Write units.jsonl, key.json and codings/dataset.json under `out`; returns {table: units}."""
    import cotw

    pkg = Package.open(path)
    names = pkg.names()
    texts = _archives(pkg)
    read = {n: cotw.read(n, pkg.root) for n in ("sources", "sections", "people") if n in names}
    titles = dict(zip(read["sources"]["source_id"], read["sources"]["title"])) if "sources" in read else {}
    if source is not None and source not in titles:
        raise CurateError(f"source {source!r} is not a source_id in sources.csv", usage=True)
    people = dict(zip(read["people"]["person_id"], read["people"]["name"])) if "people" in read else {}
    sections = {}
    if "sections" in read:
        for sid, title, authors in zip(read["sections"]["section_id"], read["sections"]["title"], read["sections"]["authors"]):
            sections[sid] = {"title": _text(title),
                             "authors": [people.get(a, a) for a in (_text(authors) or "").split(";") if a]}
    units, key, dataset = [], {}, {}
    for table, variables in VARIABLES.items():
        if table not in names:
            continue
        df = cotw.read(table, pkg.root)
        pk = pkg.schema(table).get("primaryKey")
        pk = pk if isinstance(pk, str) else pk[0]
        for r in df.to_dict("records"):
            sid = _text(r.get("source_id"))
            if source is not None and sid != source:
                continue
            evidence = _text(r.get("evidence")) or ""
            before, after = _context(texts.get(sid), evidence)
            unit = {"table": table, "fixed": {c: _text(r.get(c)) for c in FIXED[table]},
                    "variables": {v: list(_enum(pkg, table, v)) for v in variables},
                    "source_title": _text(titles.get(sid)), "evidence": evidence, "focus": _text(r.get("focus")),
                    "before": before, "after": after}
            sec = sections.get(_text(r.get("section_id")))
            if sec:
                unit["chapter"] = sec
            units.append((unit, {"table": table, "id": r[pk]}, {v: _text(r.get(v)) or NONE for v in variables}))
    random.Random(seed).shuffle(units)
    width = max(3, len(str(len(units))))
    out = Path(out)
    (out / "codings").mkdir(parents=True, exist_ok=True)
    lines = []
    for i, (unit, k, codes) in enumerate(units, start=1):
        uid = f"u{i:0{width}d}"
        lines.append(json.dumps({"unit": uid, **unit}, ensure_ascii=False))
        key[uid], dataset[uid] = k, codes
    (out / "units.jsonl").write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    (out / "key.json").write_text(json.dumps(key, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "codings" / f"{DATASET}.json").write_text(json.dumps(dataset, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for _, k, _ in units:
        counts[k["table"]] = counts.get(k["table"], 0) + 1
    return counts


def _enum(pkg: Package, table: str, col: str) -> tuple:
    for f in pkg.schema(table)["fields"]:
        if f["name"] == col:
            return tuple(f.get("constraints", {}).get("enum") or ())
    return ()


def _json(path: Path):
    """A coder's JSON file, read as untrusted: a regular file of bounded size; a located CurateError otherwise."""
    if not path.is_file() or path.is_symlink():
        raise CurateError(f"{path}: not a regular file")
    if path.stat().st_size > MAX_CODING_BYTES:
        raise CurateError(f"{path}: larger than {MAX_CODING_BYTES} bytes")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CurateError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise CurateError(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None


def load_codings(folder: str | Path) -> dict[str, dict[str, dict[str, str]]]:
    """{coder (file stem): {unit: {variable: value}}} of every codings/*.json, checked for shape."""
    out = {}
    for f in sorted(Path(folder).glob("*.json")):
        data = _json(f)
        if not isinstance(data, dict) or not all(isinstance(u, str) and isinstance(c, dict) for u, c in data.items()):
            raise CurateError(f"{f}: expected {{unit: {{variable: value}}}}", usage=True)
        for u, c in data.items():
            bad = next(((k, v) for k, v in c.items() if not isinstance(k, str) or not (v is None or isinstance(v, str))), None)
            if bad:
                raise CurateError(f"{f}: unit {u!r}: variable {bad[0]!r} has {bad[1]!r}; a value is text from the codebook or NONE", usage=True)
        out[f.stem] = data
    return out


@dataclass
class Alpha:
    table: str
    variable: str
    units: int  # units coded by at least two coders (with the dataset)
    values: int  # distinct values given
    alpha_all: float | None  # the dataset as one coder
    alpha_coders: float | None  # independent coders only
    coders: int  # independent coders


def _alpha(rows: list[list]) -> float | None:
    """Krippendorff's alpha (nominal) of coders x units (category strings or None), None where undefined."""
    import numpy as np
    import krippendorff

    cats = sorted({v for row in rows for v in row if v is not None})
    if len(rows) < 2 or len(cats) < 1:
        return None
    index = {c: i for i, c in enumerate(cats)}
    data = np.array([[np.nan if v is None else index[v] for v in row] for row in rows], dtype=float)
    pairable = (np.sum(~np.isnan(data), axis=0) >= 2).sum()
    if pairable == 0:
        return None
    if len(cats) == 1:
        return 1.0  # every pairable value agrees: krippendorff refuses a domain of one value
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except (ValueError, ZeroDivisionError):
        return None


def measure(codings: dict, key: dict) -> tuple[list[Alpha], list[dict]]:
    """(alpha per table and variable, units where the independent coders agree with each other and not with the dataset)."""
    coders = [c for c in codings if c != DATASET]
    every = ([DATASET] if DATASET in codings else []) + coders
    out, odd = [], []
    for table, variables in VARIABLES.items():
        units = sorted(u for u, k in key.items() if isinstance(k, dict) and k.get("table") == table)
        for var in variables:
            def val(coder, u):
                v = codings.get(coder, {}).get(u, {}).get(var)
                return v if isinstance(v, str) and v else None

            rows_all = [[val(c, u) for u in units] for c in every]
            rows_ind = [[val(c, u) for u in units] for c in coders]
            coded = sum(1 for i in range(len(units)) if sum(r[i] is not None for r in rows_all) >= 2)
            values = len({v for r in rows_all for v in r if v is not None})
            if not units:
                continue
            out.append(Alpha(table, var, coded, values, _alpha(rows_all), _alpha(rows_ind), len(coders)))
            for i, u in enumerate(units):
                given = [r[i] for r in rows_ind if r[i] is not None]
                mine = val(DATASET, u)
                if len(given) >= 2 and len(set(given)) == 1 and mine is not None and given[0] != mine:
                    odd.append({"unit": u, "table": table, "id": key[u].get("id"), "variable": var, "coders": given[0], "dataset": mine})
    return out, odd


def _fmt(a: float | None) -> str:
    return "n/a" if a is None else f"{a:.3f}"


def render(alphas: list[Alpha], odd: list[dict], coders: list[str], adjudication: str | None, where: str = "reliability") -> str:
    lines = ["# Reliability of the coding", "",
             f"Generated by `cotw reliability alpha` from `{where}/codings/*.json` and `{where}/key.json`; do not edit",
             "(`cotw reliability alpha --check` fails when this page is stale). Krippendorff's alpha, nominal, per coded",
             "variable: with the dataset's own codes as one coder, and between the independent coders only. `n/a`: fewer than",
             "two coders coded a unit, or nothing to compare. Units: units coded by at least two coders (the dataset included).",
             "",
             f"Coders: {', '.join(c for c in coders if c != DATASET) or '(none yet)'}; the dataset as `{DATASET}`.", "",
             "| table | variable | alpha (dataset as a coder) | alpha (independent coders) | units | distinct values |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {a.table} | {a.variable} | {_fmt(a.alpha_all)} | {_fmt(a.alpha_coders)} | {a.units} | {a.values} |" for a in alphas]
    lines += ["", "## Where the independent coders agree with each other and not with the dataset", ""]
    if odd:
        lines += ["| unit | table | row | variable | coders | dataset |", "|---|---|---|---|---|---|"]
        lines += [f"| {o['unit']} | {o['table']} | {o['id']} | {o['variable']} | {o['coders']} | {o['dataset']} |" for o in odd]
    else:
        lines.append("None.")
    lines.append("")
    if adjudication:
        lines += [f"## Adjudication (from {where}/adjudication.md)", "", adjudication.strip(), ""]
    return "\n".join(lines)


def report(folder: str | Path, out: str | Path, check: bool = False) -> tuple[bool, str]:
    """Measure the codings under `folder` (codings/, key.json, adjudication.md) and write `out`, or with
    `check` only compare: (up to date, the page's text)."""
    folder = Path(folder)
    key_path = folder / "key.json"
    if not key_path.is_file():
        raise CurateError(f"{key_path}: no key; run `cotw reliability units --out {folder}` first", usage=True)
    key = _json(key_path)
    if not isinstance(key, dict):
        raise CurateError(f"{key_path}: expected {{unit: {{table, id}}}}", usage=True)
    codings = load_codings(folder / "codings")
    adj = folder / "adjudication.md"
    where = folder.name if folder.parent.name in ("", ".") or folder.name == "reliability" else f"{folder.parent.name}/{folder.name}"
    text = render(*measure(codings, key), list(codings), adj.read_text(encoding="utf-8") if adj.is_file() else None, where)
    out = Path(out)
    current = out.read_text(encoding="utf-8") if out.is_file() else None
    if check:
        return current == text, text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return True, text
