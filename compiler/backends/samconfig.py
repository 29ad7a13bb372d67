"""`samconfig.toml` beside the SAM template: what `sam deploy` would otherwise need as flags.

The stack is named after the prefix (`<prefix>-<env>` for an environment), the generated roles need
`CAPABILITY_NAMED_IAM`, `resolve_s3` lets SAM make its own artifact bucket, and each parameter that
has a value in this output (a `default`, the environment's own included) is passed as an override.
Sensitive parameters are left out: their values are given at deploy time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler import ir
from compiler.backends import Rendered

FILE = "samconfig.toml"
VERSION = 0.1  # the samconfig format version SAM CLI reads
CAPABILITIES = "CAPABILITY_NAMED_IAM"


def render(graph: ir.Graph, parameter_ids: Mapping[str, str]) -> Rendered:
    """The file for `graph`; `parameter_ids` are the template's parameter names by spec parameter."""
    parameters: dict[str, Any] = {"stack_name": graph.prefix, "capabilities": CAPABILITIES, "resolve_s3": True}
    if graph.region:
        parameters["region"] = graph.region
    overrides = [f"{parameter_ids[p.name]}={_value(p.default)}" for p in graph.parameters if p.default is not None and not p.sensitive]
    if overrides:
        parameters["parameter_overrides"] = overrides
    return Rendered(FILE, {"version": VERSION, "default": {"deploy": {"parameters": parameters}}}, "toml")


def _value(text: str) -> str:
    """A value as SAM CLI's `Key=Value` parser reads it: in double quotes, with `\\"` for a quote, when it
    holds a space or a quote or is empty (the parser unescapes nothing else, so a backslash stays as written)."""
    if text and not any(c.isspace() or c in "\"'" for c in text):
        return text
    return '"' + text.replace('"', '\\"') + '"'
