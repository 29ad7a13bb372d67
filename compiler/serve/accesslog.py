"""Access-log lines: the spec's `logging.access_logs` fields with `$context` variables filled in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

_VARIABLE = re.compile(r"\$context\.[A-Za-z0-9_.]+")
EMPTY = "-"  # what API Gateway writes for a variable that has no value


def render(fields: Iterable[tuple[str, Any]], values: Mapping[str, str | int | None]) -> str:
    """One JSON object; `values` is keyed by variable name without `$context.` (`identity.sourceIp`).
    A field may be a map of fields, written as a nested object."""

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(0).removeprefix("$context."))
        return EMPTY if value is None or value == "" else str(value)

    def filled(template: Any) -> Any:
        if isinstance(template, dict):
            return {key: filled(inner) for key, inner in template.items()}
        return _VARIABLE.sub(fill, template)

    return json.dumps({key: filled(template) for key, template in fields}, separators=(",", ":"), ensure_ascii=False)
