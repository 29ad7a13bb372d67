"""`NamedTuple` for the graph's records, without `typing`'s work on their annotations.

`typing.NamedTuple` checks every field's annotation when a class is made, and under `from __future__
import annotations` each is a string that it compiles into a `ForwardRef`: for the graph's forty
record types and the sixty of the whole pipeline that was a good part of the import time every
`apispec validate` pays. This
base makes the same `collections.namedtuple` classes (fields, defaults, docstring, methods, the
annotations kept as written) and skips that check; type checkers see `typing.NamedTuple` itself.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

# What `typing.NamedTuple` does not let a class body set, and what it does not copy from it.
_OWN = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace", "_asdict", "_source"})
_SKIPPED = frozenset({"__module__", "__qualname__", "__annotations__", "__orig_bases__"})


class _RecordMeta(type):
    def __new__(mcls, typename: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> Any:
        if not bases:  # the base class itself
            return super().__new__(mcls, typename, bases, namespace)
        annotations: dict[str, Any] = namespace.get("__annotations__", {})
        fields = tuple(annotations)
        defaults = [namespace[name] for name in fields if name in namespace]
        made = collections.namedtuple(typename, fields, defaults=defaults, module=namespace["__module__"])  # type: ignore[misc]
        for key, value in namespace.items():
            if key in _OWN:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            if key not in _SKIPPED and key not in fields:
                setattr(made, key, value)
        made.__qualname__ = namespace.get("__qualname__", typename)
        made.__annotations__ = annotations
        return made


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:

    class NamedTuple(metaclass=_RecordMeta):
        """Subclass it with annotated fields, as `typing.NamedTuple`."""
