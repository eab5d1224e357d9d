"""Command-line values made into Python values without pydantic, where that is plain.

typer 0.29 (pinned below 0.30 in pyproject.toml) turns every parameter's value into its Python type through a
pydantic TypeAdapter: importing pydantic and building the adapters cost about 100 ms of every `cotw` process,
a quarter of `cotw check` on the shipped data (benchmarks/README.md). cotw's parameters are of a few plain kinds
(text, flags, paths without typer's path options, choices, bounded numbers, lists of text). For those, a value
that is plainly valid is made into what typer's adapter makes of it, with typer's own functions where it has
them (`coerce_cli_choice`, `coerce_cli_path`); any other value (a word that is not a choice, a number out of
range or written unusually, a kind of parameter not listed here) goes to typer's adapter, so that the answer
and its message are typer's own.

A shortcut into typer's internals (`_TyperParameter._runtime_param`, `typer._coercion`): `Command` and `Group`, the
classes of cotw's commands and groups, give each parameter its coercion when typer builds the command (for `cotw`
and for typer's CliRunner alike). tests/test_cli_coerce.py holds it to typer's adapter on every parameter
of every command, and shows that `cotw check` does not import pydantic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer.core
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path

_MISS = object()  # not plainly valid: typer's adapter decides
_INT = re.compile(r"0|[1-9][0-9]{0,17}")  # digits as people type them; "+5", " 5", "5_0", "٣" go to pydantic
_FLOAT = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,6})?")


def kind(descriptor: TypeDescriptor) -> str | None:
    """Which plain kind the parameter is, or None where typer's adapter alone decides."""
    info, annotation = descriptor.parameter_info, descriptor.annotation
    if info.parser is not None or getattr(info, "click_type", None) is not None or descriptor.file_annotation is not None:
        return None
    if annotation is str or annotation is bool:
        return annotation.__name__
    if annotation is int or annotation is float:
        return "number" if not info.clamp else None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice"
    if annotation is Path:
        plain_path = (info.path_type is None and not info.exists and not info.resolve_path and info.file_okay
                      and info.dir_okay and not info.writable and not info.allow_dash)
        return "path" if plain_path else None
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return "texts"
    return None


@dataclass(frozen=True)
class Plain(RuntimeParam):
    """A parameter's coercion: the plain cases here, the others by typer's adapter (built only when needed)."""

    descriptor: Any = None
    kind: str = ""

    def _coerce_value(self, value: Any, param, ctx) -> Any:
        got = self.plainly(value, param, ctx)
        if got is not _MISS:
            return got
        slow = self.__dict__.get("_slow")
        if slow is None:
            slow = build_runtime_param(self.descriptor)
            object.__setattr__(self, "_slow", slow)
        return slow._coerce_value(value, param=param, ctx=ctx)

    def plainly(self, value: Any, param, ctx) -> Any:
        k, info, annotation = self.kind, self.parameter_info, self.annotation
        if k == "str" or k == "bool":
            return value if type(value) is annotation else _MISS
        if k == "texts":
            return list(value) if isinstance(value, (list, tuple)) and all(type(v) is str for v in value) else _MISS
        if k == "choice":
            if isinstance(value, annotation) or type(value) is str:
                try:
                    return coerce_cli_choice(value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
                except ValueError:
                    return _MISS
            return _MISS
        if k == "path":
            if type(value) is str and value and "\x00" not in value:
                value = Path(value)
            if not isinstance(value, Path):
                return _MISS
            return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)  # typer's own checks
        if k == "number":
            if type(value) is annotation:
                number = value
            elif type(value) is str and (_INT if annotation is int else _FLOAT).fullmatch(value):
                number = annotation(value)
            else:
                return _MISS
            if (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
                return _MISS
            return number
        return _MISS


def plain(param) -> None:
    """Give a typer parameter its plain coercion, where its kind is one of the plain ones."""
    descriptor = getattr(param, "type_descriptor", None)
    k = None if descriptor is None else kind(descriptor)
    if k is not None and getattr(param, "_runtime_param", _MISS) is None:
        param._runtime_param = Plain(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                                     descriptor=descriptor, kind=k)


class _Plain:
    """Every parameter of the command, and its --help option (made when first asked for), coerced by `Plain`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            plain(param)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            plain(option)
        return option


class Command(_Plain, typer.core.TyperCommand):
    """The class of every cotw command (`cls=` where it is registered)."""


class Group(_Plain, typer.core.TyperGroup):
    """The class of every cotw command group (`typer.Typer(cls=...)`)."""
