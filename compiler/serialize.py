"""The one serializer: rendered documents to bytes, deterministically.

JSON (Terraform) keeps insertion order, two-space indents and a final newline. YAML
(CloudFormation/SAM) is written by a small emitter for the subset templates need, so the bytes do
not depend on a YAML library's version, and CloudFormation's short-form tags (`!Ref`, `!GetAtt`,
`!Sub`) come out as people write them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.encoder import encode_basestring as _quote  # a JSON string is a valid YAML double-quoted scalar
from typing import Any


@dataclass(frozen=True, slots=True)
class Tagged:
    """A CloudFormation short-form intrinsic: `Tagged("!GetAtt", "Fn.Arn")`."""

    tag: str
    value: str


def to_json(document: Any) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, check_circular=False) + "\n").encode()


_PLAIN = re.compile(r"^[A-Za-z/][A-Za-z0-9_./@: -]*$")
_PLAIN_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


def to_yaml(document: Any) -> bytes:
    lines: list[str] = []
    _block(document, 0, lines)
    return ("\n".join(lines) + "\n").encode()


def _block(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_key(key)}:"
            if _is_inline(item):
                lines.append(f"{head} {_inline(item)}")
            else:
                lines.append(head)
                _block(item, indent + 2, lines)
    elif isinstance(value, list):
        for item in value:
            if _is_inline(item):
                lines.append(f"{pad}- {_inline(item)}")
            else:
                nested: list[str] = []
                _block(item, indent + 2, nested)
                first = nested[0]
                lines.append(f"{pad}- {first[indent + 2 :]}")
                lines.extend(nested[1:])
    else:
        lines.append(f"{pad}{_inline(value)}")


def _is_inline(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def _inline(value: Any) -> str:
    if isinstance(value, Tagged):
        return f"{value.tag} {_scalar(value.value)}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _scalar(value)
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    raise TypeError(f"cannot write {type(value).__name__} to YAML")


def _scalar(text: str) -> str:
    if (
        _PLAIN.match(text)
        and text.lower() not in _YAML_WORDS
        and not text.endswith((":", " "))
        and ": " not in text
        and " #" not in text
    ):
        return text
    return _quote(text)


def _key(key: str) -> str:
    if _PLAIN_KEY.match(key) and key.lower() not in _YAML_WORDS:
        return key
    return _quote(key)
