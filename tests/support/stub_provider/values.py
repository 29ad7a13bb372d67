"""Walk an object value along its schema block: plan computed attributes, or fill them in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.stub_provider.cty import UNKNOWN
from tests.support.stub_provider.schemas import Block

# (attribute name, its schema) -> the value for a computed attribute the configuration leaves null
Filler = Callable[[str, dict[str, Any]], Any]


def fill_computed(value: dict[str, Any] | None, block: Block, fill: Filler) -> dict[str, Any] | None:
    """A copy of `value` in which every null computed attribute, in nested blocks too, is `fill`'s."""
    if value is None:
        return None
    result = dict(value)
    for name, attribute in (block.get("attributes") or {}).items():
        if result.get(name) is None and attribute.get("computed"):
            result[name] = fill(name, attribute)
    for name, nested in (block.get("block_types") or {}).items():
        inner, mode = nested["block"], nested["nesting_mode"]
        current = result.get(name)
        if current is None or current is UNKNOWN:
            continue
        if mode in ("single", "group"):
            result[name] = fill_computed(current, inner, fill)
        elif mode == "map":
            result[name] = {key: fill_computed(item, inner, fill) for key, item in current.items()}
        else:
            result[name] = [fill_computed(item, inner, fill) for item in current]
    return result


def planned(proposed: dict[str, Any] | None, block: Block) -> dict[str, Any] | None:
    """What a provider plans for a new object: what is configured, and unknown for the rest it computes."""
    return fill_computed(proposed, block, lambda _name, _attribute: UNKNOWN)
