"""Bounded by construction: each untrusted input has a budget, in code (cotw/limits.py), charged where
its bytes enter. Every test here runs the hostile case in a child process with its address space
limited (RLIMIT_AS) and a time limit, so a regression fails instead of taking the machine; the
scans that must be linear are timed on an input and on the same input doubled."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import cpu
from cotw import limits

GiB = 1 << 30


def _limit(memory: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    return apply


def run(code: str, *args, memory: int = 2 * GiB, timeout: float = 60) -> subprocess.CompletedProcess:
    """`code` run by a fresh Python with sys.argv[1:] = args, within `memory` bytes of address space."""
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_limit(memory), env={**os.environ, "PYTHONHASHSEED": "0"})


def cli(*args, memory: int = 2 * GiB, timeout: float = 60) -> subprocess.CompletedProcess:
    return run("import sys; from cotw.cli import app; sys.argv[0] = 'cotw'; app()", *args, memory=memory, timeout=timeout)


def best_of(n: int, fn) -> float:
    """The least CPU time of `n` runs of `fn` (this process's, every thread's: what other processes on the
    machine do barely moves it, where wall time would make a doubling test flake under load)."""
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def assert_linear(make, measure, size: int, runs: int = 3, ratio: float = 2.5, most: int = 9) -> None:
    """`measure(make(2 * size))` takes at most `ratio` times `measure(make(size))`, each the best of at least
    `runs` runs. The runs alternate, small then large, so that both sizes meet the same load on the machine
    (measured in a full run: three small runs, then three large ones, once gave 3.4x, the other worker having
    started something heavy between them). Where the ratio is still over after `runs`, up to `most` runs of
    each are taken: a best time only falls, and a scan that is not linear stays over whatever the number of
    runs (a quadratic one takes about 4x, every run)."""
    small, large = make(size), make(2 * size)
    t1 = t2 = float("inf")
    for done in range(1, most + 1):
        t1 = min(t1, best_of(1, lambda: measure(small)))
        t2 = min(t2, best_of(1, lambda: measure(large)))
        if done >= runs and t2 <= ratio * t1:
            return
    raise AssertionError(f"doubling the input took {t2 / t1:.1f} times as long ({t1:.2f} s -> {t2:.2f} s), best of {most} runs each")


# ---------------------------------------------------------------- 5. CITATION.cff


def test_a_yaml_alias_bomb_in_the_citation_is_not_expanded(pkg):
    levels = ['cff-version: 1.2.0', 'title: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f'k{i}: &a{i} [' + ",".join([f"*a{i - 1}"] * 9) + ']' for i in range(1, 9)]
    (pkg / "CITATION.cff").write_text("\n".join(levels + ["authors: [{name: *a8}]"]) + "\n", encoding="utf-8")
    assert (pkg / "CITATION.cff").stat().st_size < 600
    proc = run("import sys; from cotw.package import Package; from cotw.export.citation import citation\n"
               "print(citation(Package.open(sys.argv[1]), '9.9'))", pkg, memory=1 * GiB, timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "lol" not in proc.stdout and len(proc.stdout) < 2000  # cited from datapackage.json instead


def test_a_plain_citation_is_still_read(pkg):
    from cotw.export.citation import citation, read_cff
    from cotw.package import Package

    (pkg / "CITATION.cff").write_text("cff-version: 1.2.0\ntitle: Plain title\nauthors:\n  - name: A. Writer\n", encoding="utf-8")
    assert read_cff(Package.open(pkg))["title"] == "Plain title"
    assert citation(Package.open(pkg), "1.0").startswith("A. Writer. Plain title.")
    (pkg / "CITATION.cff").write_text("title: x\nauthors: " + "[" * 20 + "]" * 20 + "\n" + "k: [" + ",".join(["1"] * (limits.CFF_MAX_NODES + 10)) + "]\n", encoding="utf-8")
    assert read_cff(Package.open(pkg)) is None  # more nodes than the budget


# ---------------------------------------------------------------- 15. next-id


def test_next_id_makes_no_id_wider_than_its_budget(pkg):
    schema = pkg / "schema/claims.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("^cl-[0-9]{4,}$", "^cl-[0-9]{999999999}$"), encoding="utf-8")
    proc = cli("next-id", "claims", "--package", pkg, memory=1 * GiB, timeout=30)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and len(out) < 2000, out[:2000]
    assert f"at most {limits.ID_MAX_DIGITS} digits" in out and "Traceback" not in out


def test_next_id_refuses_an_id_in_the_data_wider_than_its_budget(pkg):
    from conftest import edit_csv

    edit_csv(pkg / "data/claims.csv", 2, "claim_id", "cl-" + "9" * 5000)
    proc = cli("next-id", "claims", "--package", pkg, memory=1 * GiB, timeout=30)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and len(out) < 2000 and "Traceback" not in out, out[:2000]
    assert f"more than {limits.ID_MAX_DIGITS} digits" in out


# ---------------------------------------------------------------- 4 and 16. zipped packages


def zip_package(pkg: Path, dest: Path, replace: dict | None = None, extra: dict | None = None) -> Path:
    """The package folder `pkg` zipped into `dest`; replace[name] (an iterable of byte chunks) stands for
    that file's bytes, and extra[name] adds an entry."""
    replace, extra = replace or {}, extra or {}
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(p for p in pkg.rglob("*") if p.is_file()):
            name = path.relative_to(pkg).as_posix()
            if name in replace:
                with zf.open(name, "w", force_zip64=True) as fh:
                    for chunk in replace[name]:
                        fh.write(chunk)
            else:
                zf.write(path, name)
        for name, data in extra.items():
            zf.writestr(name, data)
    return dest


def test_a_zip_that_inflates_past_its_budget_is_refused_unread(pkg, tmp_path):
    import random

    rnd = random.Random(1)
    block = "".join(f"cl-{rnd.randint(0, 9999):04d},{rnd.random()},text {rnd.randint(0, 10 ** 9)}\n" for _ in range(20)).encode()
    mib = block * ((1 << 20) // len(block))
    size = limits.ZIP_INFLATE_FLOOR + 40 * (1 << 20)
    bomb = zip_package(pkg, tmp_path / "bomb.zip", replace={"data/claims.csv": (mib for _ in range(size // len(mib) + 1))})
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo("data/claims.csv")
    assert 20 * bomb.stat().st_size < info.file_size < 200 * info.compress_size  # under the ratio rule of one entry
    t = cpu()
    proc = cli("check", bomb, "--format", "json", memory=2 * GiB, timeout=60)
    assert cpu() - t < 20
    assert proc.returncode == 1, proc.stderr[-2000:]
    problem = json.loads(proc.stdout)["problems"][0]
    assert problem["file"] == str(bomb) and "more than 20 times its" in problem["message"] and "nothing was read" in problem["message"]


def test_a_zip_within_its_budget_is_inflated_once_into_one_buffer(pkg, tmp_path):
    # 200 MiB of table in a zip of a few MiB (within the floor): read in well under twice its size
    import random

    rnd = random.Random(2)
    block = "".join(f"cl-{rnd.randint(0, 9999):04d},{rnd.random()},text {rnd.randint(0, 10 ** 9)}\n" for _ in range(20)).encode()
    mib = block * ((1 << 20) // len(block))
    big = zip_package(pkg, tmp_path / "big.zip", replace={"data/claims.csv": (mib for _ in range(200))})
    code = ("import resource, sys; from cotw.package import Package\n"
            "pkg = Package.open(sys.argv[1]); before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "data = pkg.read_bytes('data/claims.csv')\n"
            "print(len(data), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)")
    proc = run(code, big, memory=2 * GiB, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    size, grown_kib = map(int, proc.stdout.split())
    assert size == 200 * len(mib) and grown_kib * 1024 < 1.3 * size


@pytest.mark.parametrize("first, second", [
    ("data/claims.csv", "data/Claims.csv"),
    ("seeds/caf\u00e9.txt", "seeds/cafe\u0301.txt"),  # NFC and NFD
    ("data/claims.csv", "DATA/claims.csv"),
])
def test_zip_entries_that_differ_only_in_case_or_normalisation_are_refused(pkg, tmp_path, first, second):
    extra = {first: b"a\n", second: b"b\n"} if first != "data/claims.csv" else {second: b"b\n"}
    bad = zip_package(pkg, tmp_path / "twins.zip", extra=extra)
    proc = cli("check", bad, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "differ only in case or Unicode normalisation" in proc.stdout and repr(second) in proc.stdout


# ---------------------------------------------------------------- 8. resources


def _with_resources(pkg: Path, n: int) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    model = next(r for r in desc["resources"] if r["name"] == "countries")
    desc["resources"] += [{**model, "name": f"copy{i}"} for i in range(n - len(desc["resources"]))]
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")


def test_a_package_of_more_resources_than_the_budget_is_refused_unread(pkg):
    _with_resources(pkg, 1000)
    t = cpu()
    proc = cli("check", pkg, timeout=60)
    assert cpu() - t < 15
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert f"lists 1,000 resources, more than the {limits.MAX_RESOURCES}" in proc.stdout


def test_a_package_within_the_resource_budget_is_read(pkg):
    from cotw.package import Package

    _with_resources(pkg, limits.MAX_RESOURCES)
    assert len(Package.open(pkg).names()) == limits.MAX_RESOURCES


# ---------------------------------------------------------------- 14. locate


def _sources_citing_one_archive(pkg: Path, n: int, text: bytes) -> None:
    import csv
    import hashlib
    import io

    path = pkg / "data/sources.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    (pkg / rows[0]["archive"]).write_bytes(text)
    rows[0]["sha256"] = hashlib.sha256(text).hexdigest()
    rows += [{**rows[0], "source_id": f"copy-{i}"} for i in range(n - 1)]
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_locate_searches_an_archive_once_however_many_sources_cite_it(pkg):
    from cotw.curate.locate import locate
    from cotw.package import Package

    words = "the quick brown fox jumps over the lazy dog near the river bank"
    text = (("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4 + "\n") * 4000 + words + "\n").encode()

    def make(n):
        import shutil

        copy = pkg.parent / f"pkg{n}"
        shutil.copytree(pkg, copy)
        _sources_citing_one_archive(copy, n, text)
        return Package.open(copy)

    def measure(p):
        found = locate(p, words)
        assert found.matches and found.matches[0].score == 100

    assert_linear(make, measure, 4, runs=2, ratio=1.6)  # 4 and 8 sources: the archive is searched once


def test_locate_bounds_the_words_once_folded(pkg):
    t = cpu()
    proc = cli("locate", "--package", pkg, "\ufdfa" * 4000, timeout=60)  # 4,000 characters, 72,000 once folded
    assert cpu() - t < 20
    assert proc.returncode == 2 and "once folded" in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]


# ---------------------------------------------------------------- 6. provenance


@pytest.mark.parametrize("block", [5, 37, 1 << 21])
@pytest.mark.parametrize("text", [
    "The coalition met in Paris. " * 50 + "Ukraine's security guarantees were discussed at length.",
    "a" * 3000,
    "Zelensky said: «мир через силу» — 𝄞 peace through strength. " * 20,
], ids=["repeated-prose", "one-letter", "beyond-latin-1"])
def test_a_text_too_large_to_keep_its_index_is_searched_exactly(monkeypatch, text, block):
    import random

    from cotw.check import provenance
    from test_provenance_index import spans

    monkeypatch.setattr(provenance, "MAX_INDEXED", 0)
    monkeypatch.setattr(provenance, "BLOCK", block)
    needles = spans(text, random.Random(block), 300) + ["a" * 2999 + "b", text, text + " ", text[-provenance.K:]]
    indexes: dict = {}
    assert provenance._occurs(needles, ["s"] * len(needles), {"s": text}, indexes) == [bool(n) and n in text for n in needles]
    assert not indexes
    short = [text[a: a + w] + tail for a in range(0, len(text), 7) for w in (1, 3, provenance.K - 1) for tail in ("", "\u00e9")]
    short = [n[: provenance.K - 1] for n in short] + [text[-1], text[-3:], "\U0001d11e", "zq"]
    monkeypatch.setattr(provenance, "INDEX_FROM", 2)  # every width through the hashed path
    assert provenance._occurs(short, ["s"] * len(short), {"s": text}, {}) == [bool(n) and n in text for n in short]


def test_quotes_in_an_archive_over_the_index_budget_are_found_in_linear_time():
    import random

    from cotw.check import provenance

    def make(n):  # an archive of n * 1.1 M characters (over MAX_INDEXED from n = 4), quoted n * 1000 times
        rng = random.Random(n)
        words = [f"{w}{i}" for i, w in enumerate(["coalition", "troops", "ceasefire", "mandate", "Kyiv"] * 400)]
        text = " ".join(rng.choice(words) for _ in range(n * 110_000))
        starts = [rng.randrange(len(text) - 200) for _ in range(n * 1000)]
        return text, [text[a: a + 120] for a in starts]

    def measure(case):
        text, needles = case
        assert all(provenance._occurs(needles, ["s"] * len(needles), {"s": text}, {}))

    assert len(make(4)[0]) > provenance.MAX_INDEXED
    assert_linear(make, measure, 4)  # 1.9-2.4x on an idle machine; once 2.55x (best of two) and 3.4x (best of three, not alternated) in full runs


# ---------------------------------------------------------------- 9. output


def make_loud(pkg: Path, enum: list[str]) -> Path:
    """`pkg` with problems that carry huge text: a 5 MB cell, a cell not in an enum of `enum` more values, a
    6,000-character pattern."""
    from conftest import edit_csv

    schema = json.loads((pkg / "schema/claims.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in schema["fields"]}
    fields["basis"]["constraints"]["enum"] += enum
    fields["unit"]["constraints"]["pattern"] = "^(?:" + "u?" * 3_000 + ")$"
    (pkg / "schema/claims.json").write_text(json.dumps(schema), encoding="utf-8")
    edit_csv(pkg / "data/claims.csv", 3, "basis", "no-such-basis")
    for line in range(2, 40):
        edit_csv(pkg / "data/claims.csv", line, "unit", "not a unit")
    edit_csv(pkg / "data/claims.csv", 2, "subject", "HUGE")
    path = pkg / "data/claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",HUGE,", "," + "S" * 5_000_000 + ",", 1), encoding="utf-8")
    return pkg


@pytest.fixture
def loud(pkg) -> Path:
    return make_loud(pkg, [f"basis-{i:06d}" for i in range(100_000)])


def _cut(text: str, limit: int) -> bool:
    return text is None or len(text) <= limit + 40


def test_every_format_bounds_each_problem_and_the_whole_output(loud):
    import cotw

    checked = cotw.validate(loud)
    for fmt, out in (("text", checked.render_text()), ("github", checked.render_github()), ("json", json.dumps(checked.to_dict()))):
        assert len(out) < 400_000, (fmt, len(out))
        assert "S" * 1000 not in out and "basis-000100" not in out and "u?" * 500 not in out
        if fmt == "json":
            report = json.loads(out)
            for p in report["problems"]:
                assert _cut(p["message"], limits.PROBLEM_MAX_MESSAGE) and _cut(p["value"], limits.PROBLEM_MAX_VALUE)
            assert any(p["rule"] == "enum" and "more)" in p["message"] for p in report["problems"])  # says how many more
            assert any(p["rule"] == "maxLength" and p["value"].endswith("more characters)") for p in report["problems"])


def test_frictionless_messages_are_cut_too(pkg):
    # an enum within the second opinion's budget, of long values: frictionless's note lists them all
    loud = make_loud(pkg, [f"basis-{i:06d}-" + "v" * 200 for i in range(limits.FRICTIONLESS_MAX_ENUM - 10)])
    proc = cli("check", loud, "--with-frictionless", "--format", "json", timeout=180)
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    second = [p for p in report["problems"] if p["layer"] == "frictionless"]
    assert second and len(proc.stdout) < 1_000_000
    for p in second:
        assert _cut(p["message"], limits.PROBLEM_MAX_MESSAGE) and _cut(p["value"], limits.PROBLEM_MAX_VALUE), p["message"][:300]


def test_the_report_keeps_and_shows_a_bounded_number_of_problems_in_all():
    from cotw.report import Problem, Report

    report = Report(root="x")
    for f in range(30):
        for rule in ("a", "b", "c", "d", "e"):
            report.extend(Problem("schema", rule, "m" * 5000, f"data/{f}.csv", line) for line in range(200))
    assert len(report.problems) <= limits.REPORT_MAX_KEPT
    assert sum(len(p.message) for p in report.problems) <= limits.REPORT_MAX_CHARS + limits.PROBLEM_MAX_MESSAGE + 100
    assert report.count == 30 * 5 * 200  # every problem counted
    shown = [line for line in report.render_text().splitlines() if "[" in line and "more like this" not in line]
    assert len(shown) <= limits.REPORT_MAX_SHOWN
    assert sum(len(p["message"]) for p in report.to_dict()["problems"]) <= limits.REPORT_MAX_CHARS + limits.PROBLEM_MAX_MESSAGE


# ---------------------------------------------------------------- 10. --with-frictionless


def test_frictionless_is_not_run_on_a_referred_table_with_many_bad_rows(pkg):
    # 2,000 repeated rows of countries.csv, which a dozen tables refer to: frictionless built an error for
    # each once per referring table (42 s; 200,000 rows: hours)
    import cotw

    path = pkg / "data/countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]] * 2000) + "\n", encoding="utf-8")
    t = cpu()
    report = cotw.validate(pkg, with_frictionless=True)
    assert cpu() - t < 30
    assert "frictionless" not in report.layers and report.count >= 2000
    assert any(n.startswith("frictionless was not run: cotw found") for n in report.notices), report.notices


def test_frictionless_is_not_run_on_an_enum_beyond_its_budget(pkg):
    schema = json.loads((pkg / "schema/claims.json").read_text(encoding="utf-8"))
    basis = next(f for f in schema["fields"] if f["name"] == "basis")
    basis["constraints"]["enum"] += [f"basis-{i:06d}" for i in range(limits.FRICTIONLESS_MAX_ENUM)]
    (pkg / "schema/claims.json").write_text(json.dumps(schema), encoding="utf-8")
    report = json.loads(cli("check", pkg, "--with-frictionless", "--format", "json", timeout=120).stdout)
    assert "frictionless" not in report["layers"] and report["valid"]
    assert any("has an enum of" in n for n in report["notices"]), report["notices"]


def test_many_short_quotes_are_found_in_linear_time():
    import random

    from cotw.check import provenance

    def make(n):  # n * 100,000 characters quoted n * 3000 times, 3 to 15 characters at a time
        rng = random.Random(n)
        text = "".join(rng.choice("abcdefghij klmnopqrstuvwxyz") for _ in range(n * 100_000))
        starts = [rng.randrange(len(text) - 20) for _ in range(n * 3000)]
        return text, [text[a: a + rng.randrange(3, provenance.K)].strip() or "a" for a in starts]

    def measure(case):
        text, needles = case
        assert all(provenance._occurs(needles, ["s"] * len(needles), {"s": text}, {}))

    assert_linear(make, measure, 4)  # 1.9-2.4x on an idle machine (numpy's arrays leave the cache as the input doubles)


def test_locate_stops_at_its_budget_of_archived_text_and_says_so(pkg, monkeypatch):
    from cotw.curate import locate as loc
    from cotw.package import Package

    monkeypatch.setattr(loc, "LOCATE_MAX_SEARCHED", 1000)  # the rule, at the size of the shipped archives
    found = loc.locate(Package.open(pkg), "coalition of the willing")
    assert len(loc.source_archives(Package.open(pkg))) - 1 == len(found.skipped)  # the first archive is searched
    assert all("not searched; cotw locate searches at most 1,000 characters" in s for s in found.skipped)
