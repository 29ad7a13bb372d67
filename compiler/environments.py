"""Environments: each one's overlay merged into the spec, with the positions of what it wrote.

An environment is checked as a spec of its own: the base data with its overlay merged in (maps merge
key by key, everything else replaces) and a position index in which every element the overlay wrote
points at the overlay's line. A problem found there is then located where the overlay wrote it, and
one that only the base spec causes is recognised as the base check's and reported once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.diagnostics import SpecPath
from compiler.loader import Document, Position

KEY = "environments"
_ROOT = Position(1, 1, 1, 1)


def names(data: Any) -> list[str]:
    """The environments a loaded spec declares, in file order (none when `environments` is not a map)."""
    environments = data.get(KEY) if isinstance(data, dict) else None
    return [name for name in environments if isinstance(name, str)] if isinstance(environments, dict) else []


def overlay(data: Any, name: str) -> dict[str, Any]:
    """The overlay of environment `name` as written (an empty one when it is not a map)."""
    value = data[KEY][name]
    return value if isinstance(value, dict) else {}


def merge(base: Any, over: Any) -> Any:
    """`over` merged into `base`: maps key by key, anything else replaced; an empty (null) value changes nothing."""
    if over is None:
        return base
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return over


@dataclass(slots=True)
class Merged:
    """One environment's spec: a document of the merged data, and the paths its overlay wrote."""

    name: str
    document: Document
    written: set[SpecPath]


def merged_document(document: Document, name: str) -> Merged:
    """The spec as environment `name` deploys it: the base without `environments`, the overlay merged in."""
    data = document.data
    over = overlay(data, name)
    base = {key: value for key, value in data.items() if key != KEY}
    here: SpecPath = (KEY, name)
    written: set[SpecPath] = set()
    replaced: list[SpecPath] = []
    _walk(base, over, (), written, replaced)

    def moved(table: dict[SpecPath, Any]) -> dict[SpecPath, Any]:
        kept = {p: v for p, v in table.items() if p[:1] != (KEY,) and not any(p[: len(r)] == r for r in replaced)}
        kept.update({p[2:]: v for p, v in table.items() if len(p) > 2 and p[:2] == here})
        return kept

    merged = Document(
        path=document.path,
        data=merge(base, over),
        positions=moved(document.positions),
        numbers=moved(document.numbers),
        rejected={p[2:] for p in document.rejected if len(p) > 2 and p[:2] == here},
        split_values={p[2:]: v for p, v in document.split_values.items() if len(p) > 2 and p[:2] == here},
        lines=document.lines,
    )
    merged.positions[()] = document.positions.get((), merged.positions.get((), _ROOT))
    return Merged(name, merged, written)


def _walk(base: Any, over: Any, path: SpecPath, written: set[SpecPath], replaced: list[SpecPath]) -> None:
    """Record the paths the overlay writes, and those whose base value it replaces (not merges)."""
    if not isinstance(over, dict):
        return
    for key, value in over.items():
        where = (*path, key)
        if value is None:
            continue
        written.add(where)
        if isinstance(value, dict) and isinstance(base, dict) and isinstance(base.get(key), dict):
            _walk(base[key], value, where, written, replaced)
        else:
            replaced.append(where)
            _mark_all(value, where, written)


def _mark_all(value: Any, path: SpecPath, written: set[SpecPath]) -> None:
    written.add(path)
    if isinstance(value, dict):
        for key, item in value.items():
            _mark_all(item, (*path, key), written)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _mark_all(item, (*path, index), written)


def written_by(merged: Merged, path: SpecPath) -> bool:
    """Whether the element at `path` (or the nearest one that exists) is one the overlay wrote."""
    while path and path not in merged.document.positions:
        path = path[:-1]
    return path in merged.written
