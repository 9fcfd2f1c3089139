"""Validate step parameters from a study file against a step's parameter dataclass.

A step declares its parameters as a frozen dataclass with typed fields (``int``,
``float``, ``str``, ``bool``, ``list[str]``, ``list[int]``, ``tuple[float, float]``,
``Literal[...]``, ``dict[str, Any]`` (a TOML table), ``X | None``). :func:`build_params`
checks every key and value and reports each error with the key's path and line in the study file.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

from cityres._shared.errors import format_choices


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + format_choices(get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None)) + (
            " (or omitted)" if type(None) in get_args(tp) else ""
        )
    if origin in (dict, Mapping):
        return "a table"
    if origin in (list, tuple):
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} values ({', '.join(_type_name(a) for a in args)})"
        inner = args[0] if args else Any
        return f"a list of {_type_name(inner)}"
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _convert(value: Any, tp: Any) -> tuple[bool, Any]:
    """(ok, converted value) for ``value`` against annotation ``tp``."""
    origin = get_origin(tp)
    if tp is Any:
        return True, value
    if origin is Literal:
        return (value in get_args(tp)), value
    if origin in (types.UnionType, typing.Union):
        for arg in get_args(tp):
            if arg is type(None):
                if value is None:
                    return True, None
                continue
            ok, out = _convert(value, arg)
            if ok:
                return True, out
        return False, value
    if origin in (dict, Mapping):
        ok = isinstance(value, Mapping) and all(isinstance(k, str) for k in value)
        return ok, (dict(value) if ok else value)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            return False, value
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                return False, value
            pairs = list(zip(value, args, strict=True))
        else:
            inner = args[0] if args else Any
            pairs = [(v, inner) for v in value]
        out = []
        for v, a in pairs:
            ok, conv = _convert(v, a)
            if not ok:
                return False, value
            out.append(conv)
        return True, tuple(out)
    if tp is bool:
        return isinstance(value, bool), value
    if tp is int:
        return (isinstance(value, int) and not isinstance(value, bool)), value
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if tp is str:
        return isinstance(value, str), value
    return isinstance(value, tp), value


def build_params(
    schema: type, raw: Mapping[str, Any], *, path: str, locate: typing.Callable[[str], str]
) -> tuple[Any, list[str]]:
    """Build ``schema(**raw)``; return (instance or None, list of error messages).

    ``path`` is the table's path in the study file (``steps[1]``); ``locate(path)`` gives
    'line N' for messages.
    """
    if not dataclasses.is_dataclass(schema):  # a programming error in a step, not user input
        raise TypeError(f"step parameters must be a dataclass; got {schema!r}")
    hints = typing.get_type_hints(schema)
    fields = {f.name: f for f in dataclasses.fields(schema)}
    errors: list[str] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = locate(f"{path}.{key}")
        at = f"{path}.{key}" + (f" ({where})" if where else "")
        if key not in fields:
            errors.append(
                f"{at}: unknown parameter {key!r}; accepted: {format_choices(sorted(fields))}"
            )
            continue
        ok, converted = _convert(value, hints[key])
        if not ok:
            errors.append(f"{at}: expected {_type_name(hints[key])}; got {value!r}")
            continue
        values[key] = converted
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and name not in raw:
            where = locate(path)
            errors.append(
                f"{path}{f' ({where})' if where else ''}: missing required parameter {name!r} "
                f"({_type_name(hints[name])})"
            )
    if errors:
        return None, errors
    return schema(**values), []


def params_to_dict(params: Any) -> dict[str, Any]:
    """A JSON-ready dict of a parameter dataclass (tuples become lists)."""

    def plain(v: Any) -> Any:
        if isinstance(v, tuple | list):
            return [plain(x) for x in v]
        if isinstance(v, Mapping):
            return {str(k): plain(x) for k, x in v.items()}
        return v

    return {f.name: plain(getattr(params, f.name)) for f in dataclasses.fields(params)}
