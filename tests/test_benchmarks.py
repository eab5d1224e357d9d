"""The benchmark generator writes packages that `cotw check` accepts as valid and canonical, against the
repository's own schemas: a benchmark of an invalid package would time the error path, not the check."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import cotw

ROOT = Path(__file__).resolve().parents[1]


def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_generated_package_is_valid_and_canonical(tmp_path):
    gen = _generate()
    info = gen.generate(300, tmp_path / "pkg")
    report = cotw.validate(tmp_path / "pkg")
    assert report.ok, [p.message for p in report.problems][:5]
    assert report.notices == []  # canonical form: the check's fmt notice stays silent
    assert set(info["rows"]) == set(cotw.names()) and info["rows"]["statements"] == 300
    assert info["model"] == gen.MODEL
    assert json.loads((tmp_path / "pkg" / "GENERATED.json").read_text())["statements"] == 300
    # the schemas are the repository's, unchanged
    for name in cotw.names():
        rel = cotw.Package.open(ROOT).resource(name)["schema"]
        assert (tmp_path / "pkg" / rel).read_bytes() == (ROOT / rel).read_bytes()


def test_the_generated_rows_exercise_the_rules(tmp_path):
    """Breaking one generated link is reported: the rules run on the generated tables, not around them."""
    _generate().generate(300, tmp_path / "pkg")
    links = tmp_path / "pkg" / "data" / "links.csv"
    lines = links.read_text(encoding="utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if ",contradicts," in line)
    lines.pop(i)  # one direction of a symmetric pair
    links.write_text("\n".join(lines), encoding="utf-8")
    report = cotw.validate(tmp_path / "pkg")
    assert not report.ok and any("contradicts" in p.message for p in report.problems)


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_times_cotw_check_before_and_after():
    """benchmarks/run.py --before: the same `cotw check` with two source trees, alternating; the children run
    this tree's code (not whichever cotw is installed) from a folder of their own (not the shared /tmp)."""
    import os

    run = _bench("run")
    assert run.ENV["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT / "src")
    assert run.quiet_cwd() != "/tmp" and not any(Path(run.quiet_cwd()).glob("*.py"))
    label, src, pkg = run.before_tree(str(ROOT))  # a folder: its src/ and its package
    assert (src, pkg) == ((ROOT / "src").resolve(), ROOT.resolve())
    ba = run.before_after([("shipped", ROOT)], src, 2, lambda msg: None)
    r = ba["shipped"]
    assert r["before"]["exit"] == r["after"]["exit"] == [0] and r["n"] == 2
    assert r["before"]["cpu"] > 0 and r["after"]["cpu"] > 0 and r["paired_cpu"] > 0 and r["paired_wall"] > 0
    lines = run.render_before_after(ba, label, 2)
    assert lines[0].startswith("## Before/after") and any(line.startswith("| shipped | ") for line in lines)
