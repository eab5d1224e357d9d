"""Hostile packages, file-system side: no command of cotw reads a file outside PATH, hangs, or crashes.

Each file a package names (a data file, `data/` itself, a schema, `datapackage.json`, an archived
source, `seeds/` itself) is replaced in turn by each hostile kind of file: a symlink to a file (or a
folder) outside the package that holds a unique secret, a symlink to `/dev/zero` or `/dev/urandom`, a
FIFO, a socket, a character device node, and a directory. Every command (`check` in each output
format, `check --with-frictionless`, `fmt`, `fmt --check`, `export`, `diff`, `codebook`, and `cotw.load`,
`cotw.read`, `cotw.schema`) must then
- finish (the commands run in a child process with a time and memory limit, so a regression that
  blocks on a FIFO or reads `/dev/zero` fails here instead of hanging the suite or the machine),
- never open a file outside the package (an audit hook in the child records every open), never
  show the secret, and leave every file outside and inside the package as it was, and
- answer with the file and the reason, and the command's exit code for invalid data, never a traceback.

Commands that never read the broken file (fmt and diff do not read archived sources) must simply
succeed. Run as a script, this module is the child: `python test_hostile_files.py SPEC.json...`, one
spec per kind. The kinds run two to a child (GROUPS: the child's start-up and imports are paid once
for both), each kind within its own time limit: a kind that hangs or crashes its child fails alone, and
the kinds after it run again in a new child.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import queue
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("datapackage.json", "data", "schema", "seeds")
SECRET = f"COTW-SECRET-{uuid.uuid4().hex}"
TABLE = "conditions"  # no other table references it, so breaking it stands alone
SOURCE = "tiny-one"  # the source that conditions.csv of the tiny package cites
TIMEOUT = 150  # seconds for every position of one kind (15-30 s on 2 busy cores when nothing hangs)
MEMORY = 4 << 30  # address space of the child: a file read without a bound fails, not the machine


def base_package() -> Path:
    """The package every case breaks: the tiny package of tests/test_export.py (the real descriptor and
    schemas, every table, a few rows, two archived sources), built once. Which file is hostile, and how,
    is what these tests are about; a few rows make every command's run a fraction of the shipped data's."""
    global _BASE
    if _BASE is None:
        import atexit
        import tempfile

        from test_export import make_package

        folder = tempfile.mkdtemp(prefix="cotw-hostile-base-")
        atexit.register(shutil.rmtree, folder, True)
        _BASE = make_package(Path(folder) / "pkg")
    return _BASE


_BASE: Path | None = None


def archive_of(source: str) -> str:
    from test_export import tiny_rows

    return next(r["archive"] for r in tiny_rows()["sources"] if r["source_id"] == source)


ARCHIVE = archive_of(SOURCE)
POSITIONS = {  # position -> (path in the package, where a located answer points)
    "data-file": (f"data/{TABLE}.csv", f"data/{TABLE}.csv"),
    "data-dir": ("data", "data/"),  # every table is refused; commands stop at the first
    "schema": (f"schema/{TABLE}.json", f"schema/{TABLE}.json"),
    "descriptor": ("datapackage.json", "datapackage.json"),
    "archive": (ARCHIVE, ARCHIVE),
    "seeds-dir": ("seeds", ARCHIVE),
}
KINDS = {  # kind -> the words of the reason cotw gives
    "link-out": "resolves outside the package",
    "link-dev-zero": "resolves outside the package",
    "link-dev-urandom": "resolves outside the package",
    "fifo": "named pipe (FIFO)",
    "socket": "a socket",
    "device-zero": "a character device",
    "device-urandom": "a character device",
    "directory": "is a directory",
}
COMMANDS = ("check", "check-json", "check-github", "check-frictionless", "fmt", "fmt-check", "export", "diff", "codebook",
            "cotw.load", "cotw.read", "cotw.schema")


def reads(command: str, position: str) -> bool:
    """Whether the command opens the file at `position` at all (fmt, diff and the loaders never open
    an archived source; the codebook needs only the descriptor and the schemas)."""
    if position in ("archive", "seeds-dir"):
        return command in ("check", "check-json", "check-github", "check-frictionless", "export")
    if position in ("data-file", "data-dir"):
        return command != "codebook"
    return True


# the kinds that share a child: alike in cost, so the four groups spread evenly over the workers
GROUPS = (("link-out", "directory"), ("link-dev-zero", "link-dev-urandom"), ("fifo", "socket"), ("device-zero", "device-urandom"))


def group_of(kind: str) -> tuple[str, ...]:
    return next(g for g in GROUPS if kind in g)


def XDIST_GROUPS(item) -> str:  # each group's child runs once: its tests stay on one worker (conftest.py)
    kind = item.callspec.params.get("kind") if hasattr(item, "callspec") else None
    return "+".join(group_of(kind)) if kind else ""


def cases():
    for kind in KINDS:
        for position, (path, _) in POSITIONS.items():
            if kind == "directory" and position.endswith("-dir"):
                continue  # a directory in place of a directory is the package as shipped
            yield kind, position


# --- building the hostile packages -----------------------------------------------------------

def _with_secret_csv(text: str) -> str:
    """The table with the secret in a cell that every check prints when it reads the file."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[1][rows[0].index("country")] = SECRET
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _with_secret_archive(text: str, table: Path) -> str:
    """The archived text with the secret spliced into words a row cites, so that a verbatim hint
    that quoted the source where the cell departs from it would print the secret."""
    for row in csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"), newline="")):
        if row["source_id"] == SOURCE and len(row["evidence"]) > 40 and row["evidence"][:30] in text:
            at = text.index(row["evidence"][:30]) + 30
            return text[:at] + SECRET + text[at:]
    raise AssertionError("no evidence of conditions.csv occurs in its archive")


def _with_secret_schema(text: str) -> str:
    sch = json.loads(text)
    sch["fields"][1]["name"] = SECRET
    return json.dumps(sch, indent=2)


def _with_secret_descriptor(text: str) -> str:
    d = json.loads(text)
    next(r for r in d["resources"] if r["name"] == TABLE)["path"] = f"data/{SECRET}.csv"
    return json.dumps(d, indent=2)


def _secret_copy(pkg: Path, path: str, outside: Path) -> Path:
    """A copy, outside the package, of the file or folder at `path`, with the secret where cotw would print it."""
    src = pkg / path
    dest = outside / Path(path).name
    if src.is_dir():
        shutil.copytree(src, dest)
        inner = {"data": (f"{TABLE}.csv", _with_secret_csv),
                 "seeds": (Path(ARCHIVE).name, lambda t: _with_secret_archive(t, pkg / f"data/{TABLE}.csv"))}[path]
        target = dest / inner[0]
        target.write_text(inner[1](target.read_text(encoding="utf-8")), encoding="utf-8")
        return dest
    text = src.read_text(encoding="utf-8")
    if path == "datapackage.json":
        text = _with_secret_descriptor(text)
    elif path.startswith("schema/"):
        text = _with_secret_schema(text)
    elif path.startswith("data/"):
        text = _with_secret_csv(text)
    else:
        text = _with_secret_archive(text, pkg / f"data/{TABLE}.csv")
    dest.write_text(text, encoding="utf-8")
    return dest


def _remove(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _socket_at(path: Path) -> None:
    with contextlib.chdir(path.parent):  # a socket's path may be at most ~107 bytes: bind the bare name
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(path.name)
        finally:
            s.close()


def build(case_dir: Path, kind: str, position: str) -> Path:
    """A copy of the package with `position` replaced by a file of `kind`; the secret lives in case_dir/outside."""
    pkg = case_dir / "pkg"
    pkg.mkdir(parents=True)
    base = base_package()
    for part in PARTS:
        (shutil.copytree if (base / part).is_dir() else shutil.copy2)(base / part, pkg / part)
    (case_dir / "outside").mkdir()
    path = POSITIONS[position][0]
    target = pkg / path
    if kind == "link-out":
        outside = _secret_copy(pkg, path, case_dir / "outside")
        _remove(target)
        os.symlink(outside, target)
        return pkg
    _remove(target)
    if kind.startswith("link-dev-"):
        os.symlink("/dev/" + kind.rsplit("-", 1)[1], target)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        _socket_at(target)
    elif kind.startswith("device-"):
        minor = {"zero": 5, "urandom": 9}[kind.rsplit("-", 1)[1]]
        os.mknod(target, stat.S_IFCHR | 0o600, os.makedev(1, minor))
    elif kind == "directory":
        target.mkdir()
        (target / "inside.txt").write_text(SECRET, encoding="utf-8")
    return pkg


def can_make_device_nodes(where: Path) -> bool:
    probe = where / "probe-device"
    try:
        os.mknod(probe, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, AttributeError, OSError):
        return False
    probe.unlink()
    return True


def state(root: Path, skip: Path) -> dict[str, tuple]:
    """Every entry under root (not following links, never opening anything but regular files):
    type, size, mtime and content digest or link target."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == skip:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if Path(p) == skip:
                continue
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    content = hashlib.sha256(fh.read()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(p)
            else:
                content = None
            out[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, content)
    return out


# --- the child: run every command on each kind's packages, one JSON line per result --------------

def child(spec_files: list[str]) -> None:
    from typer.testing import CliRunner

    import conftest  # noqa: F401  (as in the suite: one click command per app, not one per invoke)
    import cotw
    from cotw.cli import app

    runner = CliRunner()
    watched: list[str] = []  # what no command may open: the case's outside folder, /dev/zero, /dev/urandom
    opened: list[str] = []

    def audit(event, args):  # every open by Python code (cotw's, frictionless's, pandas's) raises "open"
        if event == "open" and watched and isinstance(args[0], (str, bytes)) and os.path.isabs(os.fsdecode(args[0])):
            real = os.path.realpath(os.fsdecode(args[0]))
            if any(real == w or real.startswith(w + os.sep) for w in watched):
                opened.append(real)

    sys.addaudithook(audit)
    for spec_file in spec_files:
        spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
        os.environ["TMPDIR"] = tempfile.tempdir = spec["tmp"]  # each kind's temporary files in its own folder
        print(json.dumps({"kind": spec["kind"]}), flush=True)  # the kind's time limit starts
        run_kind(spec, runner, app, watched, opened)


def run_kind(spec: dict, runner, app, watched: list[str], opened: list[str]) -> None:
    import cotw

    cli = {"check": ["check"], "check-json": ["check", "--format", "json"], "check-github": ["check", "--format", "github"],
           "check-frictionless": ["check", "--with-frictionless"], "fmt": ["fmt"], "fmt-check": ["fmt", "--check"],
           "codebook": ["codebook"]}
    for case in spec["cases"]:
        pkg, out, pristine = case["pkg"], case["out"], spec["pristine"]
        for command in COMMANDS:
            print(json.dumps({"start": [case["position"], command]}), flush=True)
            record = {"position": case["position"], "command": command, "exit": None, "output": "", "error": None}
            watched[:] = [os.path.realpath(case["outside"]), "/dev/zero", "/dev/urandom"]
            opened.clear()
            if command in cli or command in ("export", "diff"):
                args = cli.get(command, []) + [pkg]
                if command == "export":
                    args = ["export", pkg, "--out", out, "--quiet"]
                elif command == "diff":
                    args = ["diff", pristine, pkg]
                result = runner.invoke(app, args)
                record["exit"] = result.exit_code
                record["output"] = result.stdout + result.stderr
                record["stdout"] = result.stdout  # JSON only on stdout (stderr names the package first)
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    record["error"] = f"{type(result.exception).__name__}: {result.exception}"
            else:
                call = getattr(cotw, command.split(".")[1])
                try:
                    value = call(TABLE, pkg)
                    record["output"] = value.to_csv() if hasattr(value, "to_csv") else repr(value)
                except (cotw.PackageError, ValueError) as exc:  # LoadError is a ValueError
                    record["error"] = f"{type(exc).__name__}: {exc}"
                except Exception as exc:  # anything else is a crash: the parent fails it
                    record["error"] = f"crash {type(exc).__name__}: {exc}"
            watched.clear()
            record["opened outside"] = sorted(set(opened))
            print(json.dumps(record), flush=True)


# --- the parent: build, run with limits, remember ---------------------------------------------------

def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.fixture(scope="session")
def reference_exit(tmp_path_factory) -> int:
    """diff's exit code for a package it cannot read at all (a folder without datapackage.json):
    a hostile file must be answered the same way."""
    from typer.testing import CliRunner

    from cotw.cli import app

    empty = tmp_path_factory.mktemp("empty")
    return CliRunner().invoke(app, ["diff", str(ROOT), str(empty)]).exit_code


def _children(specs: list[Path], timeout: float = TIMEOUT, command: tuple[str, ...] = (sys.executable, __file__)
              ) -> dict[str, tuple[list[str], str | None]]:
    """Run the kinds of `specs` in one child (`command` and the spec files) with the limits, each kind within
    `timeout` seconds of its start (the first counts the child's start): kind -> (its output lines, why it
    failed or None). A kind that hangs or crashes the child fails alone; the kinds after it run again, in a
    new child."""
    out: dict[str, tuple[list[str], str | None]] = {}
    pending = [json.loads(spec.read_text(encoding="utf-8"))["kind"] for spec in specs]
    while pending:
        todo = [spec for spec in specs if json.loads(spec.read_text(encoding="utf-8"))["kind"] in pending]
        first = json.loads(todo[0].read_text(encoding="utf-8"))
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([*command, *map(str, todo)], stdout=subprocess.PIPE, stderr=err, text=True,
                                    preexec_fn=_limits, env={**os.environ, "TMPDIR": first["tmp"]})
            lines: queue.Queue = queue.Queue()
            threading.Thread(target=lambda: [*map(lines.put, proc.stdout), lines.put(None)], daemon=True).start()
            kind, deadline, failure = pending[0], time.monotonic() + timeout, None
            while True:
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    proc.kill()
                    failure = f"did not finish within {timeout} s"
                    break
                if line is None:
                    break
                item = json.loads(line)
                if list(item) == ["kind"]:  # the next kind starts: the one before it is done
                    if kind != item["kind"]:
                        pending.remove(kind)
                    kind, deadline = item["kind"], time.monotonic() + timeout
                    out[kind] = ([], None)
                else:
                    out[kind][0].append(line)
            proc.wait()
            if failure is None and proc.returncode:
                err.seek(0)
                failure = err.read().decode(errors="replace")[-3000:]
        out[kind] = (out.get(kind, ([], None))[0], failure)
        pending.remove(kind)
    return out


@pytest.fixture(scope="session")
def matrix(tmp_path_factory):
    """run(kind) -> (records by (position, command), problems by position); each group of kinds runs once."""
    done: dict[str, tuple[dict, dict]] = {}
    skipped: set[str] = set()

    def prepare(kind: str) -> Path | None:
        """The packages of one kind, in a folder of its own, and the child's spec for them (None: not possible here)."""
        base = tmp_path_factory.mktemp(f"hostile-{kind}")
        if kind.startswith("device-") and not can_make_device_nodes(base):
            return None
        pristine = base / "pristine"
        pristine.mkdir()
        tiny = base_package()
        for part in PARTS:
            (shutil.copytree if (tiny / part).is_dir() else shutil.copy2)(tiny / part, pristine / part)
        tmp = base / "tmp"
        tmp.mkdir()
        spec = {"kind": kind, "pristine": str(pristine), "tmp": str(tmp), "cases": []}
        for k, position in cases():
            if k == kind:
                pkg = build(base / position, kind, position)
                spec["cases"].append({"position": position, "pkg": str(pkg), "out": str(base / position / "out"),
                                      "outside": str(base / position / "outside")})
        (base / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        return base / "spec.json"

    def judge(kind: str, base: Path, before: dict, lines: list[str], failure: str | None):
        tmp = base / "tmp"
        records, problems, started = {}, {}, None
        for line in lines:
            item = json.loads(line)
            if "start" in item:
                started = tuple(item["start"])
            else:
                records[(item["position"], item["command"])] = item
                started = None
        if failure:
            for key in [started] if started else []:
                records[key] = {"hung": failure}
            for k, position in cases():
                if k == kind:
                    problems.setdefault(position, []).append(f"the child failed: {failure}")
        after = state(base, skip=tmp)
        changed = sorted(set(before) ^ set(after) | {p for p in before if p in after and before[p] != after[p]})
        for position in POSITIONS:  # a change in a case's folder is that case's; elsewhere (pristine/), everyone's
            mine = [p for p in changed if p.split(os.sep)[0] in (position, "pristine", "spec.json")]
            if mine:
                problems.setdefault(position, []).append(f"changed on disk: {mine}")
        leftovers = os.listdir(tmp)
        if leftovers:
            for position in POSITIONS:
                problems.setdefault(position, []).append(f"left in the temporary directory: {leftovers}")
        return records, problems

    def run(kind: str):
        if kind not in done and kind not in skipped:
            specs = []
            for k in group_of(kind):
                spec = prepare(k)
                if spec is None:
                    skipped.add(k)
                else:
                    specs.append(spec)
            before = {spec: state(spec.parent, skip=spec.parent / "tmp") for spec in specs}
            ran = _children(specs) if specs else {}
            for spec in specs:
                k = json.loads(spec.read_text(encoding="utf-8"))["kind"]
                done[k] = judge(k, spec.parent, before[spec], *ran[k])
        if kind in skipped:
            pytest.skip("creating a device node needs CAP_MKNOD (root where the container allows it); "
                        "the FIFO, socket and /dev/zero-symlink cases still run")
        return done[kind]

    return run


@pytest.mark.parametrize("kind,position", list(cases()))
def test_every_command_finishes_and_nothing_on_disk_changes(matrix, kind, position):
    records, problems = matrix(kind)
    assert problems.get(position, []) == []
    assert all((position, c) in records for c in COMMANDS), sorted(c for c in COMMANDS if (position, c) not in records)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind,position", list(cases()))
def test_a_hostile_file_gets_a_located_answer_and_leaks_nothing(matrix, reference_exit, kind, position, command):
    records, _ = matrix(kind)
    record = records.get((position, command))
    assert record is not None, "the child stopped before this command"
    assert "hung" not in record, f"{command} did not finish: {record['hung']}"
    text = record["output"] + (record["error"] or "")
    assert record["opened outside"] == []
    assert SECRET not in text
    assert "Traceback" not in text and not (record["error"] or "").startswith("crash"), text
    file, reason = POSITIONS[position][1], KINDS[kind]
    if not reads(command, position):  # a command that never opens the file just works
        assert record["error"] is None and record["exit"] in (None, 0), text
        return
    if command == "check-json":  # one problem per object: the file in "file" or the message, the reason in the message
        text = "\n".join(f"{p['file']}: {p['message']}" for p in json.loads(record["stdout"])["problems"])
    located = [line for line in text.splitlines() if file in line and reason in line]
    assert located, f"no line names {file!r} and says {reason!r}:\n{text}"
    if command.startswith("cotw."):
        assert record["error"].split(":")[0] in ("PackageError", "LoadError"), record["error"]
    elif command == "diff":
        assert record["exit"] == reference_exit
    else:
        assert record["exit"] == 1
    if command in ("check", "check-json", "fmt", "fmt-check", "codebook"):
        # located as `file: ...` (the archive's row in sources.csv names it)
        where = "data/sources.csv:" if position in ("archive", "seeds-dir") else file if file.endswith("/") else f"{file}:"
        assert any(line.startswith(where) for line in located), located


FAKE_CHILD = """
import json, sys, time
for spec in sys.argv[1:]:
    kind = json.load(open(spec))["kind"]
    print(json.dumps({"kind": kind}), flush=True)
    if kind == "hangs":
        time.sleep(60)
    if kind == "crashes":
        sys.exit("crashed on purpose")
    print(json.dumps({"ran": kind}), flush=True)
"""


def test_a_kind_that_hangs_or_crashes_its_child_fails_alone_and_the_next_kinds_still_run(tmp_path):
    specs = []
    for kind in ("first", "hangs", "middle", "crashes", "last"):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "spec.json").write_text(json.dumps({"kind": kind, "tmp": str(tmp_path / kind)}), encoding="utf-8")
        specs.append(tmp_path / kind / "spec.json")
    started = time.monotonic()
    ran = _children(specs, timeout=3, command=(sys.executable, "-c", FAKE_CHILD))
    assert time.monotonic() - started < 30
    assert {k: [json.loads(line) for line in lines] for k, (lines, _) in ran.items()} == {
        "first": [{"ran": "first"}], "hangs": [], "middle": [{"ran": "middle"}], "crashes": [], "last": [{"ran": "last"}]}
    assert {k: why for k, (_, why) in ran.items() if why} == {"hangs": "did not finish within 3 s", "crashes": "crashed on purpose\n"}


def test_a_descriptor_named_as_path_that_is_a_fifo_is_refused_with_its_reason(pkg):
    (pkg / "datapackage.json").unlink()
    os.mkfifo(pkg / "datapackage.json")
    result = subprocess.run([sys.executable, "-c", "from cotw.cli import app; app()", "check", str(pkg / "datapackage.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == ("datapackage.json: datapackage.json is a named pipe (FIFO), not a regular file; "
                                             "it was not read [descriptor]")


@pytest.mark.parametrize("call", ["read", "schema"])
def test_the_python_api_refuses_a_table_whose_file_is_missing_instead_of_returning_nothing(pkg, call):
    import cotw

    (pkg / f"data/{TABLE}.csv").unlink()
    with pytest.raises(cotw.PackageError, match=f"file data/{TABLE}.csv of resource '{TABLE}' does not exist"):
        getattr(cotw, call)(TABLE, pkg)


if __name__ == "__main__":
    child(sys.argv[1:])
