"""Access-log lines: the spec's `logging.access_logs` fields with `$context` variables filled in."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

_VARIABLE = re.compile(r"\$context\.[A-Za-z0-9_.]+")
EMPTY = "-"  # what API Gateway writes for a variable that has no value


def render(fields: tuple[tuple[str, str], ...], values: Mapping[str, str | int | None]) -> str:
    """One JSON object; `values` is keyed by variable name without `$context.` (`identity.sourceIp`)."""

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(0).removeprefix("$context."))
        return EMPTY if value is None or value == "" else str(value)

    return json.dumps({key: _VARIABLE.sub(fill, template) for key, template in fields}, separators=(",", ":"), ensure_ascii=False)
