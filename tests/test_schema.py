"""The models are the single source of truth: the generated validator and JSON Schema stay current."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from schemas import generate, models
from tests.conftest import EXAMPLES, ROOT


def test_core_schema_is_current() -> None:
    assert generate.CORE_SCHEMA_FILE.read_text(encoding="utf-8") == generate.core_schema_text(), "run `python -m schemas.generate`"


def test_json_schema_is_current() -> None:
    assert generate.SCHEMA_FILE.read_text(encoding="utf-8") == generate.json_schema_text(), "run `python -m schemas.generate`"


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_validate_against_the_json_schema(example: str) -> None:
    import jsonschema
    from ruamel.yaml import YAML

    schema = json.loads(generate.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = YAML(typ="safe", pure=True).load((ROOT / "specs" / example / "service.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_examples_point_editors_at_the_schema() -> None:
    for example in EXAMPLES:
        first = (ROOT / "specs" / example / "service.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/service.schema.json"


# How a description says what leaving out a field whose default is `null` does.
_UNSET_SAYS = re.compile(r"Default: |Inherits |Required |Without it|none by default")


def _json_default(value: Any) -> Any:
    """A model default as the JSON Schema shows it: objects without their unset (`None`) members."""
    if dataclasses.is_dataclass(value):
        return {f.name: _json_default(getattr(value, f.name)) for f in dataclasses.fields(value) if getattr(value, f.name) is not None}
    if isinstance(value, dict):
        return {k: _json_default(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_default(v) for v in value]
    return value


def _schema() -> dict[str, Any]:
    return json.loads(generate.SCHEMA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _definitions(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"Service": schema, **schema["$defs"]}


def test_every_field_has_a_description_and_says_its_default() -> None:
    """Each key completes to its real default; a `null` default is left out (an editor would insert
    `handler: null`, which apispec reads as missing), and the description says what leaving it out does."""
    definitions = _definitions(_schema())
    assert set(definitions) == {"Service", "Parameter", "Statement", "FunctionLogging", "Function", "RouteTarget", "Cors", "Throttling", "Api", "AccessLogs", "Logging"}
    for name, definition in definitions.items():
        fields = {f.name: f for f in dataclasses.fields(getattr(models, name))}
        assert list(definition["properties"]) == list(fields), name
        required = set(definition.get("required", []))
        for key, field in fields.items():
            body = definition["properties"][key]
            where = f"{name}.{key}"
            assert body.get("description"), f"{where} has no description"
            assert "title" not in body, f"{where} has a title"
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                assert key in required, f"{where} has no default but is optional"
                assert "default" not in body, where
                continue
            assert key not in required, f"{where} has a default but is required"
            default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
            if default is None:
                assert "default" not in body, f"{where}: a `null` default would be inserted by completion"
                assert _UNSET_SAYS.search(body["description"]), f"{where}: say what leaving it out does"
            else:
                assert body.get("default") == _json_default(default), f"{where}: default {body.get('default')!r}, model {default!r}"


def test_no_null_defaults_or_generated_titles_anywhere() -> None:
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            assert node.get("default", ...) is not None, f"{path}: `default: null`"
            for key, value in node.items():
                if key == "properties":
                    for field, body in value.items():
                        assert "title" not in body, f"{path}.{field}: title {body['title']!r}"
                        walk(body, f"{path}.{field}")
                else:
                    walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}[{index}]")

    walk(_schema(), "#")
