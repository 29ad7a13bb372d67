"""The one serializer: its JSON is `json.dumps`'s, its YAML reads back as written in YAML 1.1 and 1.2."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.serialize import GENERATED, to_json, to_yaml

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _text
_documents = st.dictionaries(
    _text,
    st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4), max_leaves=20),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_json_is_the_standard_library_indented_form(document: dict[str, Any]) -> None:
    expected = json.dumps({"//": GENERATED, **document}, indent=2, ensure_ascii=False) + "\n"
    assert to_json(document).decode() == expected


@pytest.mark.parametrize("serialize", [to_json, to_yaml])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), object()])
def test_refuses_what_templates_cannot_hold(serialize: Callable[[Any], bytes], value: object) -> None:
    with pytest.raises(TypeError):
        serialize({"x": value})


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1e-05, "1.0e-05"),  # YAML 1.1 reads `1e-05` as text
        (2.5e16, "2.5e+16"),
        (0.5, "0.5"),
        ("Orders API\n", '"Orders API\\n"'),  # a `|` block's text: `$` in a pattern would match before its newline
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", '"\\U0001f3f4\\U000e0067\\U000e0062\\U000e0073\\U000e0063\\U000e0074\\U000e007f"'),
    ],
)
def test_yaml_scalars(value: object, written: str) -> None:
    assert to_yaml({"x": value}).decode().splitlines()[1] == f"x: {written}"


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_yaml_reads_back_as_written(document: dict[str, Any]) -> None:
    text = to_yaml(document).decode()
    assert yaml.safe_load(text) == (document or None)  # YAML 1.1, as cfn-lint and the SAM CLI read it
    assert YAML(typ="safe", pure=True).load(io.StringIO(text)) == (document or None)  # YAML 1.2
