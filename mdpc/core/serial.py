"""Typed records to and from JSON: dataclass fields name their JSON key (French, the files' format).

A record field declared with :func:`key` is written under that key by ``to_json`` and read back by
``from_json``, nested records, lists, dicts and enums included; an enum is written as its value (its
French label). ``omit_none`` leaves a field out of the JSON while it is ``None``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing


def key(name: str, *, omit_none: bool = False, **kwargs) -> dataclasses.Field:
    """A dataclass field stored under the JSON key `name`."""
    return dataclasses.field(metadata={"json": name, "omit_none": omit_none}, **kwargs)


class JsonRecord:
    """Mixin for dataclasses whose fields carry their JSON key (see :func:`key`)."""

    def to_json(self) -> dict:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_none"):
                continue
            out[f.metadata.get("json", f.name)] = _dump(value)
        return out

    @classmethod
    def from_json(cls, data: dict):
        return cls(**{attr: _load(tp, data[name]) for attr, name, tp in _plan(cls) if name in data})


@functools.cache
def _plan(cls) -> tuple[tuple[str, str, object], ...]:
    """(attribute, JSON key, type) of each field of a record class, once per class: ``typing.get_type_hints``
    evaluates every annotation again at each call, most of the time of reading a cohort's records."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, f.metadata.get("json", f.name), hints[f.name]) for f in dataclasses.fields(cls))


def _dump(value):
    if isinstance(value, JsonRecord):
        return value.to_json()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _load(tp, value):
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _load(inner[0], value) if len(inner) == 1 else value
    if isinstance(tp, type) and issubclass(tp, JsonRecord):
        return tp.from_json(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if origin is list:
        return [_load(args[0], v) for v in value]
    if origin is tuple:
        return tuple(_load(args[0], v) for v in value)
    if origin is dict:
        return {k: _load(args[1], v) for k, v in value.items()}
    return value
