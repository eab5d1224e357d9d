"""Does a change to the check engine keep every problem byte-identical? Compare the full JSON report of
two source trees on a package, as given and with ~1% of its cells broken (diagnosis, not a test).

    git worktree add /tmp/before <commit>
    python benchmarks/same_report.py /tmp/before/src src PKG [--rate 0.01] [--seed 1]

The corrupted copy (written to /tmp/same-report/, never into the package) drops ~rate of the rows of
every table (dangling references, one-sided links, unreferenced keys), duplicates a row (keys), and
sets ~rate of the cells to one of: empty, another row's cell of the column or of any column, the cell
with a suffix, the cell upper-cased, or a value some rule is about (dates after publication,
day-first dates, formula prefixes, control characters, ids, relations, bases). Each tree runs in a
fresh process; the reports (problems with rule, file, line, column, value, message, hint; counts;
notices) must be equal. Exit 0 when both packages give the same reports, 1 otherwise.
"""
from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

CHOICES = ["2031-01-01", "10.4.2025", "2025-13", "=1+1", "st-0000001", "po-0000002", "FRA", "person",
           "contradicts", "part_of", "rests_on", "official_statement", "a\x01b"]
DUMP = ("import json, sys; from cotw.check.pipeline import validate; d = validate(sys.argv[1]).to_dict(); "
        "d.pop('root', None); print(json.dumps(d, sort_keys=True, ensure_ascii=False, default=str))")


def quiet_cwd() -> str:
    """An empty folder to start children in (not /tmp: `python -c` puts its working directory first on
    sys.path, and a stray /tmp/grp.py there was imported in place of the standard module)."""
    d = Path("/tmp/bench/cwd")
    d.mkdir(parents=True, exist_ok=True)
    return str(d)


def corrupt(src: Path, dst: Path, rate: float, seed: int) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".git", "src", "tests", "node_modules"))
    rng = random.Random(seed)
    for f in sorted((dst / "data").glob("*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            head, *body = list(csv.reader(fh))
        body = [r for r in body if rng.random() > rate]
        n = len(body)
        for r in body:
            for j in range(len(r)):
                if rng.random() < rate and n:
                    r[j] = [lambda: "", lambda: body[rng.randrange(n)][j], lambda: r[j] + rng.choice(["x", " ", "-1", "/2025"]),
                            lambda: body[rng.randrange(n)][rng.randrange(len(r))], lambda: rng.choice(CHOICES),
                            lambda: r[j].upper()][rng.randrange(6)]()
        if n > 3:
            body.append(list(body[rng.randrange(n)]))
        with open(f, "w", newline="", encoding="utf-8") as out:
            csv.writer(out, lineterminator="\n").writerows([head] + body)


def report(src: str, pkg: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    res = subprocess.run([sys.executable, "-c", DUMP, str(pkg)], capture_output=True, text=True, env=env, cwd=quiet_cwd())
    if res.returncode != 0:
        raise SystemExit(f"{src}: {res.stderr[-2000:]}")
    return json.loads(res.stdout)


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    before, after, pkg = args[0], args[1], Path(args[2]).resolve()
    broken = Path("/tmp/same-report") / (pkg.name + "-broken")
    corrupt(pkg, broken, float(opts.get("rate", 0.01)), int(opts.get("seed", 1)))
    same = True
    for p in (pkg, broken):
        a, b = report(before, p), report(after, p)
        listed = len(a.get("problems", []))
        print(f"{'SAME' if a == b else 'DIFFERENT'}: {p} ({a.get('count')} problems, {listed} listed)")
        if a != b:
            same = False
            pa_, pb = a.get("problems", []), b.get("problems", [])
            for x, y in zip(pa_, pb):
                if x != y:
                    print(f"  first difference:\n    before {x}\n    after  {y}")
                    break
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
