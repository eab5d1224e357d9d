"""Where `cotw check` spends time and memory, layer by layer, in one process (diagnosis, not a target).

    python benchmarks/phases.py /tmp/bench/pkg-1m

Calls the same functions `cotw.check.pipeline.validate` calls, in the same order, and prints after each
step the wall time, the current RSS and the peak RSS so far. It uses cotw's internal layer
functions, so it may need updating when they change.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path: str) -> None:
    t_all = time.perf_counter()
    rows = []

    def step(name, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        rows.append((name, time.perf_counter() - t, rss_mib(), peak_mib()))
        print(f"{name:<40} {rows[-1][1]:8.2f} s  rss {rows[-1][2]:7.0f} MiB  peak {rows[-1][3]:7.0f} MiB", flush=True)
        return out

    def imports():
        import pandas  # noqa: F401
        import pandera.pandas  # noqa: F401
        import frictionless  # noqa: F401

    step("import pandas, pandera, frictionless", imports)
    from cotw.check import pipeline as validation
    from cotw.package import Package
    from cotw.report import Report
    from cotw.io.reader import read_table
    from cotw.check import derive, provenance

    pkg = Package.open(path)
    report = Report(root=path)
    step("layer 1: descriptor_problems", validation.descriptor_problems, pkg, report)
    tables = {}
    for name in pkg.names():
        tables[name] = step(f"read_table({name})", read_table, pkg, name)
    frames = {n: t.frame for n, t in tables.items() if t.frame is not None}
    refs = step("derive.fk_sets", derive.fk_sets, pkg, frames)
    import pandera.pandas as pa

    for name, t in tables.items():
        sch = step(f"derive.build({name})", derive.build, pkg, name, refs, frames)

        def val(sch=sch, t=t):
            try:
                sch.validate(t.frame, lazy=True)
            except pa.errors.SchemaErrors as exc:
                return exc
        step(f"pandera validate({name})", val)
    src = tables.get("sources")
    texts, _ = step("provenance.archives", provenance.archives, pkg, src.frame, src.lines, src.file)
    for name, t in tables.items():
        step(f"provenance.verbatim({name})", provenance.verbatim, pkg, name, t.frame, t.lines, texts, t.file)
    from cotw.io.canonical import non_canonical

    step("fmt.non_canonical (valid data only)", non_canonical, pkg)
    print(f"{'total':<40} {time.perf_counter() - t_all:8.2f} s  peak {peak_mib():7.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1]))
