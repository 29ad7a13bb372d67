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
    """The JSON Schema of `service.yaml`, for editors (every field with description and default)."""
    from pydantic import TypeAdapter
    from pydantic.json_schema import GenerateJsonSchema

    class _WithFactoryDefaults(GenerateJsonSchema):
        """Also show defaults that come from a `default_factory` (`{}`, `[]`, nested objects)."""

        def default_schema(self, schema: Any) -> Any:
            result = super().default_schema(schema)
            factory = schema.get("default_factory")
            if factory is not None and not schema.get("default_factory_takes_data"):
                from pydantic_core import to_jsonable_python

                result["default"] = to_jsonable_python(factory())
            return result

    schema = TypeAdapter(models.Service).json_schema(schema_generator=_WithFactoryDefaults)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


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
