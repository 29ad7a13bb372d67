"""The IAM policy a Lambda authorizer may answer with, evaluated for one route ARN as API Gateway does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

_INVOKE_ACTIONS = ("execute-api:Invoke", "execute-api:*", "*")


class PolicyError(ValueError):
    """The policy document is not one API Gateway can evaluate; the message says why."""


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def parse_policy(document: object) -> tuple[Statement, ...]:
    """The statements of `policyDocument`; `Statement`, `Action` and `Resource` may each be one or a list."""
    if not isinstance(document, dict):
        raise PolicyError("policyDocument must be an object")
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    statements = []
    for item in items:
        if not isinstance(item, dict):
            raise PolicyError("policyDocument.Statement must be an object or a list of objects")
        effect = item.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"a statement's Effect must be Allow or Deny, got {effect!r}")
        statements.append(Statement(effect, _strings(item.get("Action"), "Action"), _strings(item.get("Resource"), "Resource")))
    return tuple(statements)


def allows(statements: tuple[Statement, ...], arn: str) -> bool:
    """Whether the policy allows invoking `arn`: an explicit Deny wins over any Allow; nothing allows by default."""
    relevant = [s for s in statements if _covers(s, arn)]
    return any(s.effect == "Allow" for s in relevant) and not any(s.effect == "Deny" for s in relevant)


def _covers(statement: Statement, arn: str) -> bool:
    acts = any(_pattern(a).fullmatch(action) for action in _INVOKE_ACTIONS for a in statement.actions)
    return acts and any(_pattern(resource).fullmatch(arn) for resource in statement.resources)


@cache
def _pattern(text: str) -> re.Pattern[str]:
    """IAM's wildcards: `*` any characters (`/` too), `?` one character; the rest is literal."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text), re.DOTALL)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"a statement's {what} must be a string or a list of strings")
    return tuple(values)
