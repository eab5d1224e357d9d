"""Release cotw: date the version, build the sdist and wheel, prove the wheel alone works, tag when asked.

    python scripts/release.py --dry-run          # everything in a scratch copy: the repository is not touched
    python scripts/release.py                    # date CHANGELOG.md and CITATION.cff, build into dist/, prove
    python scripts/release.py --tag              # the same, then commit the two dated files and tag v<version>

Steps, in order; any failure stops the release with the reason (exit 1) and nothing is tagged:

1. The version is pyproject.toml's; CITATION.cff and datapackage.json must say the same.
2. The date (`--date`, default today in UTC) goes into CHANGELOG.md's heading of that version,
   `## [X.Y.Z] (not yet released)` becoming `## [X.Y.Z] - YYYY-MM-DD`, and into CITATION.cff as
   `date-released`, together (tests/test_formats.py holds the two to each other). A version dated
   already is released: it is never dated again (raise the version first), but `--dry-run` still builds
   and proves it as released.
3. The sdist is built from the tracked files (plus the two dated ones), and the wheel from the sdist,
   so the sdist is proved complete too; both by hatchling, offline.
4. The wheel alone is installed (`pip install --no-deps --no-index`) into a fresh virtual environment
   that sees the system's site-packages for the dependencies; from a folder outside the repository,
   with PYTHONPATH unset, it proves that `cotw` there is the wheel's (`cotw.__file__` inside the
   environment), that `cotw check` passes on the installed data, and that `cotw.load` reads it.
5. Only with --tag (never with --dry-run): the two dated files are committed and the commit is tagged
   `v<version>` (annotated). Pushing the tag is left to you.

Runs with the project's Python (the one cotw and hatchling are installed in): no network is used.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNRELEASED = re.compile(r"^## \[(?P<v>[^\]]+)\] \(not yet released\)[ \t]*$", re.M)
DATED = re.compile(r"^## \[(?P<v>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})[ \t]*$", re.M)


class ReleaseError(Exception):
    """A step that failed, with the reason."""


def version(root: Path) -> str:
    """pyproject.toml's version, after checking that CITATION.cff and datapackage.json say the same."""
    import json

    v = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    cff = re.search(r'^version:\s*"?([^"\n]+)"?\s*$', (root / "CITATION.cff").read_text(encoding="utf-8"), re.M)
    if not cff or cff.group(1) != v:
        raise ReleaseError(f"CITATION.cff's version ({cff.group(1) if cff else 'none'}) is not pyproject.toml's {v}")
    declared = json.loads((root / "datapackage.json").read_text(encoding="utf-8")).get("version")
    if declared != v:
        raise ReleaseError(f"datapackage.json's version ({declared}) is not pyproject.toml's {v}")
    return v


def released_on(root: Path, v: str) -> str | None:
    """The date version `v` was released, read from CHANGELOG.md and CITATION.cff (which must agree), or
    None when neither dates it."""
    changelog = next((m.group("date") for m in DATED.finditer((root / "CHANGELOG.md").read_text(encoding="utf-8"))
                      if m.group("v") == v), None)
    cff = re.search(r"^date-released:\s*['\"]?(\d{4}-\d{2}-\d{2})", (root / "CITATION.cff").read_text(encoding="utf-8"), re.M)
    cited = cff.group(1) if cff else None
    if changelog != cited:
        raise ReleaseError(f"CHANGELOG.md dates {v} {changelog or 'nowhere'} but CITATION.cff's date-released is "
                           f"{cited or 'missing'}: they must agree")
    return changelog


def date_release(root: Path, v: str, date: str) -> None:
    """Write `date` into CHANGELOG.md's heading of version `v` and into CITATION.cff, both or neither."""
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    heading = next((m for m in UNRELEASED.finditer(changelog) if m.group("v") == v), None)
    if heading is None:
        raise ReleaseError(f"CHANGELOG.md has no heading '## [{v}] (not yet released)' to date (released already?)")
    cff = (root / "CITATION.cff").read_text(encoding="utf-8")
    if re.search(r"^date-released:", cff, re.M):
        raise ReleaseError("CITATION.cff already has a date-released")
    # the comment that announced the date goes; the date follows the version
    cff = re.sub(r"^# date-released is added when.*\n(?:#(?! repository-code).*\n)*", "", cff, flags=re.M)
    cff, n = re.subn(r'^(version:.*\n)', rf"\g<1>date-released: {date}\n", cff, count=1, flags=re.M)
    if n != 1:
        raise ReleaseError("CITATION.cff has no version line")
    changelog = changelog[:heading.start()] + f"## [{v}] - {date}" + changelog[heading.end():]
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (root / "CITATION.cff").write_text(cff, encoding="utf-8")


def tracked_copy(root: Path, dest: Path) -> Path:
    """The files git tracks (as they are in the work tree), copied to `dest`: a build sees nothing stray."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = root / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kw)
    if done.returncode != 0:
        raise ReleaseError(f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def build(source: Path, out: Path) -> tuple[Path, Path]:
    """The sdist from `source`, then the wheel from the unpacked sdist; both into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    hook = "import sys, hatchling.build as b; print(getattr(b, sys.argv[1])(sys.argv[2]))"
    sdist = out / run([sys.executable, "-c", hook, "build_sdist", str(out)], cwd=source).stdout.strip().splitlines()[-1]
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(sdist) as tar:
            # our own sdist, just built; the "data" filter where this Python has it (3.11.4 and later)
            tar.extractall(tmp, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        (unpacked,) = Path(tmp).iterdir()
        wheel = out / run([sys.executable, "-c", hook, "build_wheel", str(out)], cwd=unpacked).stdout.strip().splitlines()[-1]
    return sdist, wheel


PROOF = """
import os, sys, cotw
env = os.path.realpath(sys.prefix)
here = os.path.realpath(cotw.__file__)
assert here.startswith(env + os.sep), f"cotw is imported from {here}, not from the fresh environment {env}"
table = cotw.load("statements")
assert len(table) > 0 and "said_earliest" in table.columns
print(f"cotw.load: {len(table)} statements from {os.path.dirname(here)}")
"""


def prove(wheel: Path, scratch: Path) -> list[str]:
    """Install the wheel alone into a fresh environment and run it from outside the repository."""
    venv, away = scratch / "venv", scratch / "elsewhere"
    away.mkdir()
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    # the dependencies: a venv made from a venv (the project's .venv) sees the base Python's site-packages,
    # not this one's; name this environment's as plain folders (their .pth files, such as an editable
    # install of cotw, are not run), after the fresh environment's own, where the wheel goes
    import site

    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env).stdout.strip())
    (purelib / "_release_dependencies.pth").write_text("".join(f"{d}\n" for d in site.getsitepackages()), encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--no-cache-dir",
         "--disable-pip-version-check", "-q", str(wheel)], env=env)
    said = [run([str(python), "-c", PROOF], cwd=away, env=env).stdout.strip()]
    check = run([str(venv / "bin" / "cotw"), "check"], cwd=away, env=env)
    first = check.stderr.splitlines()[0] if check.stderr else ""
    if str(venv.resolve()) not in first and str(venv) not in first:
        raise ReleaseError(f"cotw check in the fresh environment did not check its own installed data: {first}")
    said += [first, check.stdout.strip()]
    return said


def tag(root: Path, v: str) -> None:
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root).stdout.split("\n")
    others = [line for line in dirty if line.strip() and line[3:] not in ("CHANGELOG.md", "CITATION.cff")]
    if others:
        raise ReleaseError("the work tree has changes besides the dated CHANGELOG.md and CITATION.cff; commit them first:\n"
                           + "\n".join(others))
    if run(["git", "tag", "--list", f"v{v}"], cwd=root).stdout.strip():
        raise ReleaseError(f"the tag v{v} exists already")
    run(["git", "commit", "-q", "-m", f"release {v}: dated in CHANGELOG.md and CITATION.cff", "CHANGELOG.md", "CITATION.cff"], cwd=root)
    run(["git", "tag", "-a", f"v{v}", "-m", f"cotw {v}"], cwd=root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="date, build and prove in a scratch copy; touch nothing here, never tag")
    parser.add_argument("--tag", action="store_true", help="after the proof, commit the two dated files and tag v<version>")
    parser.add_argument("--date", default=dt.datetime.now(dt.timezone.utc).date().isoformat(), help="the release date (default: today, UTC)")
    parser.add_argument("--out", type=Path, default=None, help="where the sdist and wheel go (default: dist/; with --dry-run, a scratch folder)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dry_run and args.tag:
        parser.error("--dry-run never tags; leave out --tag")
    try:
        dt.date.fromisoformat(args.date)
    except ValueError:
        parser.error(f"--date {args.date!r} is not YYYY-MM-DD")
    root = args.root.resolve()
    try:
        v = version(root)
        released = released_on(root, v)
        if released and not args.dry_run:
            raise ReleaseError(f"cotw {v} was released on {released} (CHANGELOG.md and CITATION.cff say so); "
                               "raise the version to release again, or --dry-run to build and prove this release")
        with tempfile.TemporaryDirectory(prefix="cotw-release-") as tmp:
            scratch = Path(tmp)
            source = tracked_copy(root, scratch / "source")
            if not released:
                date_release(source, v, args.date)  # the copy first: the repository is dated only once all else passed
            out = args.out or (scratch / "dist" if args.dry_run else root / "dist")
            sdist, wheel = build(source, out)
            print(f"built {sdist}\nbuilt {wheel}")
            for line in prove(wheel, scratch):
                print(f"proved: {line}")
            if args.dry_run:
                print(f"dry run: cotw {v} released on {released}, built and proved as released; nothing here changed, nothing tagged"
                      if released else f"dry run: cotw {v} dated {args.date} in a copy only; nothing here changed, nothing tagged")
                return 0
            date_release(root, v, args.date)
            print(f"dated cotw {v} {args.date} in CHANGELOG.md and CITATION.cff")
        if args.tag:
            tag(root, v)
            print(f"committed and tagged v{v}; push it with: git push origin v{v}")
        else:
            print(f"not tagged (give --tag, or commit the two files and run: git tag -a v{v} -m 'cotw {v}')")
        return 0
    except ReleaseError as exc:
        print(f"release refused: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
