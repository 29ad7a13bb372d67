"""The models are the single source of truth: the generated validator and JSON Schema stay current."""

from __future__ import annotations

import json

import pytest

from schemas import generate
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


def test_every_field_has_a_description_and_every_optional_field_a_default() -> None:
    schema = json.loads(generate.SCHEMA_FILE.read_text(encoding="utf-8"))
    definitions = [("Service", schema), *schema["$defs"].items()]
    for name, definition in definitions:
        required = set(definition.get("required", []))
        for field, body in definition.get("properties", {}).items():
            assert body.get("description"), f"{name}.{field} has no description"
            if field not in required:
                assert "default" in body, f"{name}.{field} has no default"
