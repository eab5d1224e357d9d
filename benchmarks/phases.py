"""Where `cotw check` spends time and memory, stage by stage, in one fresh process (diagnosis, not a target).

    python benchmarks/phases.py /tmp/bench/pkg-1m [--second-opinion] [--json]

Calls the functions `cotw.check.pipeline.validate` calls, in the same order, and records after each
stage the wall time and the peak RSS so far. Stages: imports (the libraries and cotw modules the
check path loads), descriptor, read (structure: every table parsed and proven exact), schema (the
derived field checks: types, patterns, lengths, keys, safe text), rules (the cross-column and
cross-table rules of cotw.check.rules, called directly), provenance (archives and verbatim
evidence), canonical (the fmt pass for tables the reader could not prove canonical) and, with
--second-opinion, frictionless. It uses cotw's internal layer functions, so it may need updating
when they change. `profile()` runs it in a child process for run.py; `render()` writes the table.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("imports", "descriptor", "read", "schema", "rules", "provenance", "canonical", "second opinion")


def quiet_cwd() -> str:
    """An empty folder to start children in (not /tmp: `python -c` puts its working directory first on
    sys.path, and a stray /tmp/grp.py there was imported in place of the standard module)."""
    d = Path("/tmp/bench/cwd")
    d.mkdir(parents=True, exist_ok=True)
    return str(d)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str, second_opinion: bool = False) -> dict:
    t_all, c_all = time.perf_counter(), time.process_time()
    out = {s: 0.0 for s in STAGES}
    cpu = {s: 0.0 for s in STAGES}  # CPU seconds of this process (all threads): steadier than wall time on a busy machine
    peak = {}
    detail: dict[str, float] = {}

    def timed(stage, fn, *args, label=None):
        t, c = time.perf_counter(), time.process_time()
        res = fn(*args)
        dt_ = time.perf_counter() - t
        out[stage] += dt_
        cpu[stage] += time.process_time() - c
        peak[stage] = peak_mib()
        if label:
            detail[label] = detail.get(label, 0.0) + dt_
        return res

    def imports():
        import pyarrow.compute  # noqa: F401
        import pyarrow.csv  # noqa: F401
        import jsonschema  # noqa: F401
        from cotw.check import derive, pipeline, profile, rules  # noqa: F401
        from cotw.io import canonical, fastread, reader  # noqa: F401

    timed("imports", imports)
    from cotw.check import derive, pipeline
    from cotw.check.blocks import all_pass
    from cotw.io.canonical import non_canonical
    from cotw.io.quietarrow import without_pandas
    from cotw.io.reader import read_table
    from cotw.package import Package
    from cotw.report import Problems, Report

    pkg = Package.open(path)
    report = Report(root=path)
    with without_pandas():  # as `cotw check` runs: valid data needs no pandas
        timed("descriptor", pipeline.descriptor_problems, pkg, report)
        tables = {name: timed("read", read_table, pkg, name, label=f"read {name}") for name in pkg.names()}
        context = timed("schema", derive.context_of, tables)
        refs = timed("schema", derive.fk_sets, pkg, context)
        for name, t in tables.items():
            cols = context[name]
            made = timed("schema", derive.checks, pkg, name, refs, context, cols)

            def fields(made=made, cols=cols):
                for col, specs in made.columns.items():
                    if col in cols:
                        [all_pass(s.fn(cols[col])) for s in specs]
            timed("schema", fields, label=f"schema {name}")
            for spec in made.frame:
                timed("rules", lambda s=spec, c=cols: all_pass(s.fn(c)), label=f"rule {spec.key} ({name})")
        timed("provenance", pipeline.check_provenance, pkg, tables, Problems())
    unknown = [n for n, t in tables.items() if t.canonical is None]
    timed("canonical", non_canonical, pkg, unknown)
    if second_opinion:
        from cotw.check.second_opinion import frictionless_problems

        timed("second opinion", frictionless_problems, pkg)
    top = dict(sorted(detail.items(), key=lambda kv: -kv[1])[:8])
    return {"stages": out, "cpu": cpu, "peak_mib": peak, "total": time.perf_counter() - t_all,
            "total_cpu": time.process_time() - c_all, "top": top,
            "rows": sum(t.rows for t in tables.values()), "second_opinion": second_opinion,
            "not_proven_canonical": unknown, "pandas_imported": "pandas" in sys.modules}


def profile(root: Path, second_opinion: bool = False, env: dict | None = None) -> dict:
    """measure() in a fresh child process (so imports are paid as `cotw check` pays them)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), str(root), "--json"] + (["--second-opinion"] if second_opinion else [])
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=quiet_cwd())
    if res.returncode != 0:
        return {"error": res.stderr[-2000:]}
    return json.loads(res.stdout)


def _t(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def render(profiles: dict[str, dict]) -> list[str]:
    keys = [k for k, p in profiles.items() if "stages" in p]
    L = ["## Where the time goes: `cotw check` stage by stage (benchmarks/phases.py, one fresh process each)", ""]
    if not keys:
        return L + ["The profile failed: " + "; ".join(p.get("error", "?")[-300:] for p in profiles.values()), ""]
    L.append("| stage | " + " | ".join(f"{k} ({profiles[k]['rows']:,} rows)" for k in keys) + " |")
    L.append("|---|" + "---|" * len(keys))
    for s in STAGES:
        cells = []
        for k in keys:
            p = profiles[k]
            if s == "second opinion" and not p["second_opinion"]:
                cells.append("not run")
                continue
            v = p["stages"][s]
            share = v / p["total"] * 100 if p["total"] else 0
            cells.append(f"{_t(v)} ({share:.0f}%), peak {p['peak_mib'].get(s, 0):.0f} MiB")
        L.append(f"| {s} | " + " | ".join(cells) + " |")
    L.append("| total in process | " + " | ".join(_t(profiles[k]["total"]) for k in keys) + " |")
    L.append("")
    for k in keys:
        p = profiles[k]
        L.append(f"- {k}, the largest single steps: " + "; ".join(f"{name} {_t(v)}" for name, v in p["top"].items())
                 + (f". Not proven canonical by the reader (fmt pass): {', '.join(p['not_proven_canonical'])}" if p["not_proven_canonical"] else ""))
    L.append("")
    L.append("Python's own start-up (~20 ms) and the CLI (typer) are not in the stages; the rest of the whole-process time is "
             "the report. The schema stage is the derived field checks run on arrow (types, patterns, lengths, keys, safe text); "
             "rules are the cross-column and cross-table rules; pandas and pandera are not imported for valid data.")
    L.append("")
    return L


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    path = args[0] if args else str(Path(__file__).resolve().parents[1])
    res = measure(path, "--second-opinion" in argv)
    if "--json" in argv:
        print(json.dumps(res))
    else:
        for s in STAGES:
            print(f"{s:<16} {res['stages'][s]:8.3f} s  peak {res['peak_mib'].get(s, 0):7.0f} MiB")
        print(f"{'total':<16} {res['total']:8.3f} s")
        for k, v in res["top"].items():
            print(f"  {k}: {v:.3f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
