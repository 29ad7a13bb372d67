"""Generate `core_schema.json` and `service.schema.json` from `models` (run `python -m schemas.generate`).

Both files are committed; `tests/test_schema.py` fails when either is stale. This is the only
module that imports pydantic's Python layer.

`core_schema.json` is pydantic's compiled (pydantic-core) schema of `models.Service`, with the
Python objects it holds written as `{"$py": "Service"}` (a model class) or `{"$py": "dict"}`;
`schemas.core_schema()` reads it back. JSON because it loads in well under a millisecond, where
the same data as a Python module took several on every `apispec validate`.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from schemas import models

HERE = Path(__file__).parent
CORE_SCHEMA_FILE = HERE / "core_schema.json"
SCHEMA_FILE = HERE / "service.schema.json"
SCHEMA_ID = "https://apispec.dev/schemas/service-v1.json"

# Keys of pydantic's core schema that only serve serialization or JSON Schema generation.
_DROPPED_KEYS = frozenset({"metadata", "serialization"})


def core_schema() -> dict[str, Any]:
    """The pydantic-core schema of `models.Service`, made strict for scalars and deterministic."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(models.Service).core_schema
    return _normalise(schema)  # type: ignore[no-any-return]


def _normalise(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _normalise(v) for k, v in node.items() if k not in _DROPPED_KEYS}
        if "ref" in out:  # pydantic's refs end in id(); the class name is unique and stable
            out["ref"] = out["ref"].split(":")[0].rsplit(".", 1)[-1]
        if out.get("schema_ref"):
            out["schema_ref"] = out["schema_ref"].split(":")[0].rsplit(".", 1)[-1]
        if out.get("type") == "definition-ref":
            out["schema_ref"] = out["schema_ref"].split(":")[0].rsplit(".", 1)[-1]
        if out.get("type") == "dataclass":
            # YAML already types scalars, so the config is strict; a mapping must still be
            # accepted where a dataclass is expected.
            out["strict"] = False
        return out
    if isinstance(node, list | tuple):
        return [_normalise(v) for v in node]
    return node


def _encode(node: Any) -> Any:
    if isinstance(node, type):
        if node.__module__ == models.__name__:
            return {"$py": node.__qualname__}
        if node in (dict, list):
            return {"$py": node.__name__}
    raise TypeError(f"cannot write {node!r} into the core schema")


def core_schema_text() -> str:
    """`core_schema.json` as written to disk."""
    return json.dumps(core_schema(), indent=1, default=_encode) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of `service.yaml`, for editors.

    pydantic's schema of `models.Service`, with three changes that only editors see:
    - every field and object has its description and no title: the titles pydantic makes from
      field and class names added nothing, and yaml-language-server's hover showed them once per
      `anyOf` branch ("Retention Days || Retention Days");
    - defaults that come from a `default_factory` (`{}`, `[]`, nested objects) are shown, and a
      `null` default is not: editors insert a default when completing a key, and `handler: null`
      means "missing" to apispec. Such a field's description says what leaving it out does;
    - the checks of `editor_checks()` are added.
    """
    from pydantic import TypeAdapter
    from pydantic.json_schema import GenerateJsonSchema

    class _ForEditors(GenerateJsonSchema):
        def default_schema(self, schema: Any) -> Any:
            result = super().default_schema(schema)
            factory = schema.get("default_factory")
            if factory is not None and not schema.get("default_factory_takes_data"):
                from pydantic_core import to_jsonable_python

                result["default"] = _without_nulls(to_jsonable_python(factory()))
            if "default" in result and result["default"] is None:
                del result["default"]
            return result

        def field_title_should_be_set(self, schema: Any) -> bool:
            return False  # "Retention Days" for `retention_days` says nothing the key does not

        def dataclass_schema(self, schema: Any) -> Any:
            result = super().dataclass_schema(schema)
            # yaml-language-server heads a field's hover with the nearest title, so a class name
            # ("Function || Function" over `handler`) would stand where nothing should.
            result.pop("title", None)
            return result

    schema = TypeAdapter(models.Service).json_schema(schema_generator=_ForEditors)
    definitions = {"Service": schema, **schema["$defs"]}
    for (definition, field, *steps), additions in editor_checks().items():
        node = definitions[definition]["properties"][field]
        for step in steps:
            node = _not_null(node) if step == NOT_NULL else node[step]
        assert not additions.keys() & node.keys(), f"{definition}.{field}: pydantic already sets {sorted(additions.keys() & node.keys())}"
        node.update(additions)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _without_nulls(value: Any) -> Any:
    """A default object without its `null` members (they are the unset optional fields)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


NOT_NULL = "(not null)"  # a step of `editor_checks()`: the branch of `anyOf: [..., {type: null}]` that is not null


def _not_null(node: dict[str, Any]) -> dict[str, Any]:
    branches = [b for b in node["anyOf"] if b != {"type": "null"}]
    assert len(branches) == 1, node
    return branches[0]  # type: ignore[no-any-return]


def _ecma(pattern: str) -> str:
    r"""A rule's Python regex (`^...\Z`) as a JSON Schema (ECMA-262) pattern, which has no `\Z`."""
    assert pattern.startswith("^") and pattern.endswith(r"\Z") and pattern.count(r"\Z") == 1, pattern
    return pattern[:-2] + "$"


# The day compiler/awsdata.py's facts were checked (its docstring says so; a test holds them
# together). The runtimes offered as examples are the ones usable on that day, so the schema does
# not change with the calendar. Move it when awsdata's runtime table is checked again.
RUNTIMES_AS_OF = date(2026, 11, 25)


def editor_checks() -> dict[tuple[str | int, ...], dict[str, Any]]:
    """Keywords added to the JSON Schema only, by (definition, field, steps into the field's schema).

    They let editors complete and flag what apispec's rules check. The rules (compiler/rules, with
    their "did you mean" messages) stay the authority, and the validator (core_schema.json) never
    sees these keywords. Values come from compiler/awsdata.py and the rules' own regexes; the route
    path pattern mirrors compiler/routekeys.py. tests/test_schema.py checks that each agrees with
    the rule it stands for.
    """
    from compiler import awsdata
    from compiler.resolve import DEFAULT_STAGE
    from compiler.routekeys import ROUTE_METHODS

    # The rules' regexes are private to their modules; they are read here so that each is written once.
    from compiler.rules import api, functions, permissions, service

    retention = {"enum": list(awsdata.LOG_RETENTION_DAYS)}
    # Runtimes are `examples`, not an `enum`: editors complete them but flag no others. An enum
    # committed here would go stale as AWS adds runtimes, and rule E211 already rejects unknown and
    # deprecated ones with a "did you mean". Preview runtimes are not offered.
    runtimes = [
        r.identifier for r in awsdata.RUNTIMES.values() if not r.preview and awsdata.runtime_problem(r.identifier, RUNTIMES_AS_OF) is None
    ]
    methods = "|".join(ROUTE_METHODS)
    stage = _ecma(api._STAGE.pattern).removeprefix("^").removesuffix("$")
    context_prefixes = "|".join(map(re.escape, awsdata.HTTP_API_CONTEXT_PREFIXES))
    context = "an HTTP API `$context` variable, e.g. `$context.requestId`"
    checks: dict[tuple[str | int, ...], dict[str, Any]] = {
        ("Service", "apispec"): {"enum": list(models.SUPPORTED_VERSIONS)},
        ("Service", "region", NOT_NULL): {"pattern": _ecma(awsdata.REGION_PATTERN), "patternErrorMessage": "an AWS region code such as `us-east-1`"},
        ("Service", "parameters"): {
            "propertyNames": {"pattern": _ecma(service._PARAMETER_NAME.pattern), "patternErrorMessage": "parameter names are `[a-z][a-z0-9_]*`"}
        },
        ("Service", "functions"): {
            "propertyNames": {"pattern": _ecma(functions._KEY.pattern), "patternErrorMessage": "function keys are `[a-z][a-z0-9_-]*` (lower case)"}
        },
        ("Service", "routes"): {
            "propertyNames": {
                "pattern": rf"^(?:\$default|(?:{methods}) {_ROUTE_PATH})$",
                "patternErrorMessage": (
                    f"route keys are `$default` or `\"METHOD /path\"`: METHOD one of {', '.join(ROUTE_METHODS)} (upper case); "
                    "the path `/` or `/`-separated segments, no trailing `/`; parameters `{name}`, the last may be `{name+}`"
                ),
            }
        },
        ("Function", "runtime"): {"examples": runtimes},
        ("Statement", "sid", NOT_NULL): {"pattern": _ecma(permissions._SID.pattern), "patternErrorMessage": "letters and digits only"},
        ("Statement", "actions", "items"): {
            "pattern": _ecma(permissions.ACTION.pattern),
            "patternErrorMessage": "an IAM action `service:Action`, e.g. `sqs:SendMessage`",
        },
        ("FunctionLogging", "retention_days", "anyOf", 0): retention,  # the integer branch (beside `never` and null)
        ("Api", "stage"): {
            "pattern": f"^(?:{re.escape(DEFAULT_STAGE)}|{stage})$",
            "patternErrorMessage": "`$default` or 1 to 128 letters, digits, `-` or `_`",
        },
        ("Logging", "retention_days", "anyOf", 0): retention,
        ("AccessLogs", "retention_days", "anyOf", 0): retention,
        ("AccessLogs", "fields", NOT_NULL): {
            "minProperties": 1,
            "propertyNames": {"pattern": _ecma(api._FIELD_NAME.pattern), "patternErrorMessage": "no `$` (API Gateway reads it as a variable) and no control characters"},
        },
    }
    variable = {
        "anyOf": [
            {"enum": sorted(awsdata.HTTP_API_CONTEXT_VARIABLES), "errorMessage": context},
            {"pattern": f"^(?:{context_prefixes}).+", "patternErrorMessage": context},  # `$context.authorizer.<key>`
        ]
    }
    # A field is a variable or a map of them, three levels deep: the text branch of each level.
    level: tuple[str | int, ...] = ("AccessLogs", "fields", NOT_NULL, "additionalProperties")
    for _ in range(3):
        checks[(*level, "anyOf", 0)] = variable
        level = (*level, "anyOf", 1, "additionalProperties")
    checks[level] = variable
    return checks


# A route path as compiler/routekeys.py checks it: `/`, or `/`-separated segments that are literals
# or `{name}`, the last one possibly `{name+}`. (That each name appears once is left to rule E302.)
_LITERAL = "[A-Za-z0-9._~!$&'()*,;=:@-]+"
_PARAM = "[A-Za-z0-9._-]+"
_ROUTE_PATH = rf"(?:/|(?:/(?:{_LITERAL}|\{{{_PARAM}\}}))*/(?:{_LITERAL}|\{{{_PARAM}\+?\}}))"


def json_schema_text() -> str:
    """`service.schema.json` as written to disk."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    CORE_SCHEMA_FILE.write_text(core_schema_text(), encoding="utf-8")
    SCHEMA_FILE.write_text(json_schema_text(), encoding="utf-8")
    print(f"wrote {CORE_SCHEMA_FILE.name} and {SCHEMA_FILE.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
