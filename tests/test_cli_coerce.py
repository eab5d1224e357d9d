"""cotw/cli/coerce.py makes command-line values into Python values without pydantic where that is plain, and
leaves the rest to typer's pydantic adapter: every parameter of every command answers exactly as typer's own
coercion does (the same value, or the same error and message), and `cotw check` no longer imports pydantic."""
from __future__ import annotations

import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._click import Context
from typer._coercion import build_runtime_param

from cotw.cli import app
from cotw.cli.coerce import Plain, kind


def every_param():
    """(command path, command, parameter) for every parameter of every command and group, --help included."""
    out = []
    pending = [("cotw", typer.main.get_command(app))]
    while pending:
        name, command = pending.pop()
        help_option = command.get_help_option(Context(command))
        out += [(name, command, p) for p in [*command.params, *([help_option] if help_option else [])]]
        pending += [(f"{name} {n}", c) for n, c in getattr(command, "commands", {}).items()]
    return out


PARAMS = every_param()
IDS = [f"{name}:{p.name}" for name, _, p in PARAMS]

VALUES = ["", "x", "text", "json", "github", "markdown", "TEXT", " json", "csv,parquet", "1", "0", "5", "007", "100", "101",
          "-1", "+5", " 5", "5 ", "1_000", "1e3", "0.5", "85.0", "99.999999", "99.9999999", "100.0", "100.5", "inf", "nan",
          "\u0663", "a\x00b", ".", "..", "/", "/no/such/file", "~", "-", "--", "pkg/datapackage.json", 5, 85.0, 0, True,
          False, Path("x"), Path("."), ["a", "b"], ("a",), [], ["a", 1], [Path("x")], b"bytes",
          "\udcff", "a\udcffb", "x" * 5000, "\u202e", "\ufb01", "\uff2a\uff53\uff4f\uff4e", "json\n", "1\n", "\uff15",
          "1.0e2", "0x10", "-0", "00", "0.0000001", "1" * 25]  # undecodable argv bytes, full-width digits, ...


def answer(runtime, value, param, ctx):
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the class and the words a user sees
        return ("error", type(exc).__name__, getattr(exc, "message", str(exc)))
    return ("value", type(got), got.value if isinstance(got, Enum) else got)


def test_every_parameter_of_every_command_is_coerced_without_pydantic_where_plain():
    assert len(PARAMS) > 50
    for name, _, param in PARAMS:
        assert kind(param.type_descriptor) is not None, (name, param.name, param.type_descriptor.annotation)
        assert isinstance(param.get_runtime_param(), Plain), (name, param.name)


@pytest.mark.parametrize("index", range(len(PARAMS)), ids=IDS)
def test_each_parameter_answers_as_typers_own_coercion(index):
    _, command, param = PARAMS[index]
    ctx = Context(command)
    ours, theirs = param.get_runtime_param(), build_runtime_param(param.type_descriptor)
    values = VALUES + [v for v in [param.default] if v is not None]
    annotation = param.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values += list(annotation) + [m.value for m in annotation] + [m.value.upper() for m in annotation]
    for value in values:
        assert answer(ours, value, param, ctx) == answer(theirs, value, param, ctx), (param.name, value)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{1,20}(\.[0-9]{1,8})?", fullmatch=True),
                       st.lists(st.text(max_size=5), max_size=3)), index=st.integers(0, len(PARAMS) - 1))
def test_any_value_of_any_parameter_answers_as_typers_own_coercion(value, index):
    _, command, param = PARAMS[index]
    ctx = Context(command)
    assert answer(param.get_runtime_param(), value, param, ctx) == answer(build_runtime_param(param.type_descriptor), value, param, ctx)


def test_the_commands_people_run_most_do_not_import_pydantic(root):
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('pydantic' in sys.modules, file=sys.stderr))\n"
            "from cotw.cli import app\n"
            "sys.argv = ['cotw', *sys.argv[1:]]\n"
            "app()\n")
    for args in (["check", "--format", "json", str(root)], ["locate", "--limit", "3", "--threshold", "90.5", "Kyiv", str(root)],
                 ["next-id", "statements", str(root)], ["check", "--help"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert done.stderr.splitlines()[-1] == "False", (args, done.stderr[-500:])
