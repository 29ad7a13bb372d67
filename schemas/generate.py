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
import sys
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

    pydantic's schema of `models.Service`, with two changes that only editors see:
    - every field has its description and no auto-generated title (an editor's hover showed
      "Retention Days || Retention Days" for a nullable field, one title per `anyOf` branch);
    - defaults that come from a `default_factory` (`{}`, `[]`, nested objects) are shown, and a
      `null` default is not: editors insert a default when completing a key, and `handler: null`
      means "missing" to apispec. Such a field's description says what leaving it out does.
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

    schema = TypeAdapter(models.Service).json_schema(schema_generator=_ForEditors)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _without_nulls(value: Any) -> Any:
    """A default object without its `null` members (they are the unset optional fields)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


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
