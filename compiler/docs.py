"""Generated parts of the README: the format reference (from the JSON Schema) and the rule list.

`python -m compiler.docs` rewrites the marked sections of README.md; `tests/test_docs.py` fails
when they are stale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from compiler.diagnostics import PIPELINE_CODES
from compiler.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCHEMA = ROOT / "schemas" / "service.schema.json"
_SECTIONS = ("format-reference", "rules")
# Where each object of the format sits, in the order the reference lists them: every model the JSON
# Schema defines must have its line (a new one without it stops `python -m compiler.docs`).
_WHERE = {
    "Service": "top level",
    "Parameter": "`parameters.<name>`",
    "Function": "`functions.<key>` and `defaults`",
    "Statement": "`functions.<key>.permissions[]`",
    "FunctionLogging": "`functions.<key>.logging`",
    "Vpc": "`functions.<key>.vpc`",
    "Event": "`functions.<key>.events[]`",
    "Build": "`functions.<key>.build`",
    "RouteTarget": "`routes.<route key>` (long form)",
    "Api": "`api`",
    "Authorizer": "`api.authorizers.<name>`",
    "Domain": "`api.domain`",
    "Cors": "`api.cors`",
    "Throttling": "`api.throttling`",
    "Logging": "`logging`",
    "AccessLogs": "`logging.access_logs` (object form)",
    "Environment": "`environments.<name>` (an overlay: these keys, merged into the spec)",
    "Terraform": "`terraform`",
    "Backend": "`terraform.backend`",
    "S3Backend": "`terraform.backend.s3`",
}


def format_reference(schema: dict[str, Any]) -> str:
    """One table per object of the format: key, type, default, description."""
    definitions = {"Service": schema, **schema["$defs"]}
    if unplaced := sorted(set(definitions) - set(_WHERE)):
        raise SystemExit(f"compiler/docs.py: say where {', '.join(unplaced)} sit in the format (`_WHERE`)")
    parts = []
    for name in _WHERE:
        definition = definitions[name]
        required = set(definition.get("required", []))
        rows = ["| key | type | default | description |", "|---|---|---|---|"]
        for key, body in definition["properties"].items():
            if key in required:
                default = "required"
            elif "default" in body:
                default = f"`{json.dumps(body['default'])}`"
            else:
                default = "—"  # unset (null): the description says what that does
            rows.append(f"| `{key}` | {_type(body)} | {default} | {_cell(body.get('description', ''))} |")
        parts.append(f"#### {_WHERE[name]}\n\n{_cell(definition.get('description', ''))}\n\n" + "\n".join(rows))
    return "\n\n".join(parts)


def _type(body: dict[str, Any]) -> str:
    if "$ref" in body:
        return str(body["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in body and "type" not in body:  # with a `type`, the branches only narrow it down
        return " or ".join(_type(b) for b in body["anyOf"] if b.get("type") != "null")
    if "enum" in body and all(isinstance(v, str) for v in body["enum"]):  # numbers are listed in the description
        return " \\| ".join(f"`{v}`" for v in body["enum"])
    if "const" in body:
        return f"`{body['const']}`"
    kind = body.get("type", "any")
    if kind == "array":
        return f"list of {_type(body.get('items', {}))}"
    if kind == "object" and isinstance(body.get("additionalProperties"), dict):
        return f"map of {_type(body['additionalProperties'])}"
    if kind == "object":
        return "map"
    return {"string": "str", "integer": "int", "number": "number", "boolean": "bool"}.get(kind, str(kind))


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rules_reference() -> str:
    """Every diagnostic code: its check and what it verifies."""
    rows = ["| codes | check | what it verifies |", "|---|---|---|"]
    rows += [f"| {code} | (reading and structure) | {_cell(summary)} |" for code, summary in PIPELINE_CODES.items()]
    rows += [f"| {', '.join(rule.codes)} | `{rule.name}` | {_cell(rule.summary)} |" for rule in sorted(all_rules(), key=lambda r: r.codes[0][1:])]
    return "\n".join(rows)


def render_readme(text: str) -> str:
    """README text with the generated sections replaced."""
    generated = {"format-reference": format_reference(json.loads(SCHEMA.read_text(encoding="utf-8"))), "rules": rules_reference()}
    for section in _SECTIONS:
        pattern = re.compile(rf"(<!-- {section}:start -->\n).*?(<!-- {section}:end -->)", re.DOTALL)
        text = pattern.sub(lambda m, s=section: m.group(1) + generated[s] + "\n" + m.group(2), text)  # type: ignore[misc]
    return text


def main() -> int:
    README.write_text(render_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
