"""Mutation testing of cotw's safety code: does every weakening of a rule make a test fail?

    python scripts/mutate.py                     # every target below, summary to stdout
    python scripts/mutate.py safeio --list       # the mutants of one target, not run
    python scripts/mutate.py safeio --out docs/mutation-safeio.txt

Small on purpose (mutmut and cosmic-ray run the whole suite first to map coverage, which takes cotw
8 minutes): each target names its module, the functions to mutate and the test files that cover them.
A mutant changes one thing in those functions (a comparison, `and`/`or`, a `not`, an `if`, a number, a
string that is compared, a `return` value, a `raise`, `+`/`-`, or a named weakening such as a string
prefix for the containment check). The tests are collected once; each mutant then runs in a forked
child that swaps the mutated functions into the loaded modules (every reference to them, in every
module) and runs the target's tests with `-x`: it is killed when a test fails (or the run exceeds the
time limit) and survives when all pass. Not part of CI: it takes minutes. Results: docs/mutation.md.
"""
from __future__ import annotations

import argparse
import ast
import copy
import io
import os
import signal
import sys
import time
import types
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name: (module, functions to mutate ("*": all), covering test files, named weakenings (old source, new source))
TARGETS = {
    "safeio": ("cotw.io.safeio",
               ["unsafe_path_reason", "_unnormal", "inside", "_parent", "read_bytes", "open_regular", "_within", "_bounded",
                "replace_bytes", "read_regular", "_writable"],
               ["tests/test_safeio_edges.py", "tests/test_safeio.py", "tests/test_path_form.py", "tests/test_fmt_writes.py"],
               [("os.path.commonpath([real_root, target]) != real_root", "not target.startswith(real_root)")]),
    "safezip": ("cotw.io.safezip", ["*"], ["tests/test_safezip_edges.py", "tests/test_zip_package.py"], []),
    "paths": ("cotw.export.paths", ["*"],
              ["tests/test_export_names.py",
               "tests/test_export_hostile.py::test_every_written_path_and_zip_entry_is_checked_again_by_the_writers",
               "tests/test_export_hostile.py::test_a_symlink_in_the_staging_directory_does_not_lead_a_writer_outside"],
              [("os.path.commonpath([real_root, os.path.realpath(path)]) != real_root",
                "not os.path.realpath(path).startswith(real_root)")]),
    "hint": ("cotw.check.provenance", ["_explain"], ["tests/test_hint_edges.py", "tests/test_provenance_hints.py"], []),
}

SWAP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
        ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
STRING_CALLS = {"startswith", "endswith", "split", "replace", "rstrip", "lstrip", "strip"}


@dataclass
class Mutant:
    number: int
    line: int
    kind: str
    before: str
    after: str


def _functions(tree: ast.Module, wanted: list[str]):
    """The function definitions to mutate, with their qualified names, in source order."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ("*" in wanted or node.name in wanted):
            yield node
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and ("*" in wanted or f"{node.name}.{sub.name}" in wanted):
                    yield sub


def _is_docstring(parent, node) -> bool:
    return isinstance(parent, ast.Expr) and isinstance(node, ast.Constant) and isinstance(node.value, str)


def _sites(tree: ast.Module, wanted: list[str]):
    """(node, kind, apply) for every place a mutation can go, in a fixed order. `apply()` mutates the tree in
    place and returns a short text of the change."""
    for fn in _functions(tree, wanted):
        parents = {}
        for parent in ast.walk(fn):
            for child in ast.iter_child_nodes(parent):
                parents[child] = parent
        compared = set()  # string constants that are compared or matched (their text is a rule)
        for node in ast.walk(fn):
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    for sub in ast.walk(side):
                        compared.add(sub)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STRING_CALLS:
                for arg in node.args:
                    for sub in ast.walk(arg):
                        compared.add(sub)
        for node in ast.walk(fn):
            if isinstance(node, ast.Compare):
                for i, op in enumerate(node.ops):
                    if type(op) in SWAP:
                        yield node, "compare", (lambda node=node, i=i: _swap(node, i))
            elif isinstance(node, ast.BoolOp):
                yield node, "boolop", (lambda node=node: _set(node, "op", ast.Or() if isinstance(node.op, ast.And) else ast.And()))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                yield node, "not", (lambda node=node, parents=parents: _replace(parents, node, node.operand))
            elif isinstance(node, ast.If):
                yield node.test, "if", (lambda node=node: _set(node, "test", ast.UnaryOp(ast.Not(), node.test)))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
                yield node, "arith", (lambda node=node: _set(node, "op", ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()))
            elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
                yield node, "arith", (lambda node=node: _set(node, "op", ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()))
            elif isinstance(node, ast.Constant) and not _is_docstring(parents.get(node), node):
                v = node.value
                if isinstance(v, bool):
                    yield node, "constant", (lambda node=node: _set(node, "value", not node.value))
                elif isinstance(v, int):
                    yield node, "constant", (lambda node=node: _set(node, "value", node.value + 1))
                elif isinstance(v, str) and node in compared and v:
                    yield node, "string", (lambda node=node: _set(node, "value", "\x01XX"))
            elif isinstance(node, ast.Return) and node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
                yield node, "return", (lambda node=node: _set(node, "value", ast.Constant(None)))
            elif isinstance(node, ast.Raise) and node.exc is not None:
                yield node, "raise", (lambda node=node, parents=parents: _replace(parents, node, ast.Pass()))


def _swap(node: ast.Compare, i: int) -> None:
    node.ops[i] = SWAP[type(node.ops[i])]()


def _set(node, attr, value) -> None:
    setattr(node, attr, value)


def _replace(parents, node, new) -> None:
    parent = parents[node]
    for field, value in ast.iter_fields(parent):
        if value is node:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is node:
                    value[i] = new
                    return
    raise AssertionError("node not found under its parent")


def mutants(source: str, wanted: list[str], named: list[tuple[str, str]]):
    """(Mutant, mutated source) for every site, then every named weakening."""
    lines = source.splitlines()
    count = sum(1 for _ in _sites(ast.parse(source), wanted))
    for n in range(count):
        tree = ast.parse(source)
        node, kind, apply = list(_sites(tree, wanted))[n]
        statement = _statement(tree, node)
        before = ast.unparse(statement).splitlines()[0] if statement is not None else lines[node.lineno - 1].strip()
        apply()
        ast.fix_missing_locations(tree)
        after = ast.unparse(statement).splitlines()[0] if statement is not None else "?"
        if after == before:  # e.g. an `if` whose first line is the statement itself: show the mutated node
            after = ast.unparse(node) if kind != "if" else f"if not ({ast.unparse(node)}):"
        yield Mutant(n + 1, node.lineno, kind, before, after), ast.unparse(tree)
    for i, (old, new) in enumerate(named, start=count + 1):
        if old not in source:
            raise SystemExit(f"named weakening not found in the source: {old!r}")
        line = source[: source.index(old)].count("\n") + 1
        yield Mutant(i, line, "named", old, new), source.replace(old, new, 1)


def _statement(tree, node):
    """The innermost statement (or `if` header) holding `node`, for display."""
    best = None
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.stmt) and any(n is node for n in ast.walk(stmt)):
            if best is None or (stmt.lineno >= best.lineno and getattr(stmt, "end_lineno", 0) <= getattr(best, "end_lineno", 0)):
                best = stmt
    if isinstance(best, (ast.If, ast.While, ast.For, ast.With, ast.Try, ast.FunctionDef)):
        header = copy.copy(best)
        if isinstance(header, (ast.If, ast.While, ast.For, ast.With)):
            header.body, header.orelse = [ast.Pass()], []
        return header
    return best


def _load(module: types.ModuleType, source: str) -> dict:
    ns = {"__name__": module.__name__, "__file__": module.__file__, "__package__": module.__package__,
          "__builtins__": __builtins__}
    exec(compile(source, module.__file__, "exec"), ns)
    return ns


def _same(a, b) -> bool:
    """Whether two functions were compiled from the same code and defaults (line numbers aside)."""
    if getattr(a, "__defaults__", None) != getattr(b, "__defaults__", None) or \
            getattr(a, "__kwdefaults__", None) != getattr(b, "__kwdefaults__", None):
        return False
    a, b = getattr(a, "__code__", None), getattr(b, "__code__", None)
    if a is None or b is None:
        return a is b
    return a.replace(co_firstlineno=1, co_linetable=b"") == b.replace(co_firstlineno=1, co_linetable=b"")


def _graft(old: types.FunctionType, new: types.FunctionType) -> None:
    """Give the loaded function `old` the mutated body and defaults of `new`. The function object stays the
    same, so every reference to it (imports elsewhere, a class's method table) runs the mutant; and its globals
    stay the loaded module's, so a test that monkeypatches a name of the module (`safeio._WALK`, `safeio.inside`)
    reaches the mutant too. Its closure (a method's `__class__` cell for zero-argument super()) stays too."""
    old.__code__ = new.__code__
    old.__defaults__ = new.__defaults__
    old.__kwdefaults__ = new.__kwdefaults__


def swap_in(module: types.ModuleType, source: str, reference: str) -> int:
    """Put the functions and methods of `source` that differ from those of `reference` (the same module
    unmutated, written the same way) into `module`: the loaded function objects get the mutated code
    (`_graft`), so classes, module globals and every reference elsewhere stay what they are. Returns how
    many were swapped."""
    ns, ref = _load(module, source), _load(module, reference)
    swapped = 0
    for name, value in list(ns.items()):
        old = module.__dict__.get(name)
        if isinstance(value, type) and isinstance(old, type):
            for attr, member in vars(value).items():
                fn = getattr(member, "__func__", member)
                was = vars(ref[name]).get(attr)
                if isinstance(fn, types.FunctionType) and not _same(fn, getattr(was, "__func__", was)):
                    loaded = vars(old).get(attr)
                    _graft(getattr(loaded, "__func__", loaded), fn)
                    swapped += 1
        elif isinstance(value, types.FunctionType) and isinstance(old, types.FunctionType):
            if not _same(value, ref.get(name)):
                _graft(old, value)
                swapped += 1
    return swapped


def run_child(module, source, reference, tests) -> int:
    import pytest

    if not swap_in(module, source, reference):
        return 98  # nothing changed: the mutant is not where the harness can put it
    sink = io.StringIO()
    with redirect_stdout(sink), redirect_stderr(sink):
        return int(pytest.main(["-x", "-q", "-n", "0", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]))


def run(target: str, only_list: bool = False, timeout: float | None = None, only: set[int] | None = None,
        tests: list[str] | None = None) -> dict:
    import importlib

    import pytest

    modname, wanted, default_tests, named = TARGETS[target]
    tests = tests or default_tests
    tests = [t for t in tests if (ROOT / t.split("::")[0]).exists()]
    module = importlib.import_module(modname)
    source = Path(module.__file__).read_text(encoding="utf-8")
    found = [(m, src) for m, src in mutants(source, wanted, named) if not only or m.number in only]
    reference = ast.unparse(ast.parse(source))  # the AST mutants are written back by ast.unparse too
    if only_list:
        for m, _ in found:
            print(f"{target} #{m.number} line {m.line} [{m.kind}]: {m.before}  ->  {m.after}")
        return {}
    sink = io.StringIO()
    start = time.monotonic()
    with redirect_stdout(sink), redirect_stderr(sink):
        baseline = int(pytest.main(["-q", "-n", "0", "-p", "no:cacheprovider", *tests]))  # collects (and imports) the tests once
    took = time.monotonic() - start
    if baseline != 0:
        raise SystemExit(f"{target}: the tests fail without any mutation:\n{sink.getvalue()[-3000:]}")
    limit = timeout or max(30.0, 4 * took)
    results = {"killed": [], "survived": [], "timeout": [], "unplaced": [], "tests": tests, "baseline": took}
    for m, mutated in found:
        pid = os.fork()
        if pid == 0:
            try:
                code = run_child(module, mutated, reference if m.kind != "named" else source, tests)
            except BaseException:  # a mutant that cannot even load is killed
                code = 99
            os._exit(code)
        deadline = time.monotonic() + limit
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                code = None
                break
            time.sleep(0.05)
        bucket = ("timeout" if code is None else "survived" if code == 0 else "unplaced" if code == 98 else "killed")
        results[bucket].append(m)
        print(f"{target} #{m.number}/{len(found)} line {m.line} [{m.kind}] {bucket}: {m.before}  ->  {m.after}", file=sys.stderr)
    return results


def summary(target: str, r: dict) -> str:
    n = sum(len(r[k]) for k in ("killed", "survived", "timeout", "unplaced"))
    out = [f"## {target}: {n} mutants, {len(r['killed'])} killed, {len(r['timeout'])} timed out (killed), "
           f"{len(r['survived'])} survived" + (f", {len(r['unplaced'])} not placed" if r["unplaced"] else ""), "",
           f"Tests: {', '.join(r['tests'])} (unmutated run {r['baseline']:.1f} s).", ""]
    for bucket in ("survived", "unplaced"):
        for m in r[bucket]:
            out.append(f"- {bucket} #{m.number}, line {m.line} [{m.kind}]: `{m.before}` → `{m.after}`")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=list(TARGETS), help=f"of: {', '.join(TARGETS)}")
    parser.add_argument("--list", action="store_true", help="list the mutants, do not run them")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 4 times the unmutated run, at least 30)")
    parser.add_argument("--out", type=Path, help="also write the summary to this file")
    parser.add_argument("--only", type=lambda v: {int(n) for n in v.split(",")}, help="run only these mutants (numbers, comma-separated)")
    parser.add_argument("--tests", nargs="+", help="run these tests instead of the target's own")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "tests"))
    os.chdir(ROOT)
    text = []
    for target in args.targets:
        r = run(target, args.list, args.timeout, args.only, args.tests)
        if r:
            text.append(summary(target, r))
            print(text[-1])
    if args.out and text:
        args.out.write_text("\n".join(text), encoding="utf-8")


if __name__ == "__main__":
    main()
