"""The README's generated sections (format reference, diagnostic codes) are in step with the code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compiler.docs import README, render_readme
from compiler.rules import all_rules


def test_readme_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "run `python -m compiler.docs`"


def test_rule_codes_are_unique_and_start_with_their_severity() -> None:
    codes = [code for rule in all_rules() for code in rule.codes]
    assert all(code[0] in "EW" and code[1:].isdigit() for code in codes)
    assert len(codes) == len(set(codes)), "each code belongs to one rule"
    names = [rule.name for rule in all_rules()]
    assert len(names) == len(set(names))


def _keys(schema: Any) -> Iterator[str]:
    """Every property name anywhere in a JSON Schema."""
    if isinstance(schema, dict):
        yield from schema.get("properties", {})
        for value in schema.values():
            yield from _keys(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _keys(value)


def test_readme_names_every_key_of_the_format() -> None:
    """The README's format reference covers every key the JSON Schema (made from the models) has."""
    text = README.read_text(encoding="utf-8")
    schema = json.loads((README.parent / "schemas" / "service.schema.json").read_text(encoding="utf-8"))
    missing = sorted({key for key in _keys(schema) if f"`{key}" not in text and f"{key}:" not in text})
    assert missing == []
