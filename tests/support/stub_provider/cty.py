"""cty values on the wire: Terraform's msgpack encoding, with unknown values as extension type 0."""

from __future__ import annotations

import json
from typing import Any, Final

import msgpack


class Unknown:
    """A value Terraform (or the provider) will only know after apply."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
_UNKNOWN_EXT: Final = msgpack.ExtType(0, b"\x00")  # what cty writes: fixext1, type 0


def _ext(code: int, data: bytes) -> Unknown:
    """cty writes unknowns as type 0, and unknowns with refinements (known prefix, not null) as type 12."""
    if code in (0, 12):
        return UNKNOWN
    raise ValueError(f"unexpected msgpack extension type {code}")


def decode(payload: bytes) -> Any:
    """A cty value from msgpack: dicts for objects and maps, lists for lists, sets and tuples."""
    if not payload:
        return None
    return msgpack.unpackb(payload, raw=False, ext_hook=_ext, strict_map_key=False)


def encode(value: Any) -> bytes:
    """The msgpack of a value built from dicts, lists, scalars, None and UNKNOWN."""

    def default(item: Any) -> Any:
        if item is UNKNOWN:
            return _UNKNOWN_EXT
        raise TypeError(f"cannot encode {item!r} as a cty value")

    data: bytes = msgpack.packb(value, default=default, use_bin_type=True)
    return data


def type_json(type_: Any) -> bytes:
    """A cty type as the JSON bytes the protocol carries (`"string"`, `["list","string"]`)."""
    return json.dumps(type_, separators=(",", ":")).encode()


def placeholder(type_: Any, name: str) -> Any:
    """A plausible known value of a cty type, for a computed attribute nothing else fills."""
    if type_ == "string":
        return f"stub-{name}"
    if type_ == "number":
        return 0
    if type_ == "bool":
        return False
    if isinstance(type_, list) and type_[0] in ("list", "set", "tuple"):
        return []
    if isinstance(type_, list) and type_[0] == "map":
        return {}
    if isinstance(type_, list) and type_[0] == "object":
        return {key: None for key in type_[1]}
    return None
