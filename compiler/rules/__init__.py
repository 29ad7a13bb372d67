"""Semantic checks: small named rules over the resolved spec.

Each rule is a function registered with `@rule(code, name)`; it yields findings that carry a
spec path, never a line number. A code's first letter is its severity (`E` error, `W` warning)
and codes are stable: tools and docs refer to them. `run` executes every rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from compiler.diagnostics import Finding
from compiler.resolve import Resolved


class Context(NamedTuple):
    """What rules read: the resolved spec, the loaded data, where the spec lives, today, and the
    targets being built (none for `validate`: a rule about one target speaks only when it is built)."""

    spec: Resolved
    raw: dict[str, Any]
    spec_dir: Path
    today: dt.date
    targets: tuple[str, ...] = ()


Check = Callable[[Context], Iterable[Finding]]


class Rule(NamedTuple):
    """A registered check: its stable codes, a short name and what it verifies."""

    codes: tuple[str, ...]
    name: str
    summary: str
    check: Check


RULES: list[Rule] = []


def rule(*codes: str, name: str) -> Callable[[Check], Check]:
    """Register a check under its stable codes; its docstring's first line is its summary."""

    def register(check: Check) -> Check:
        summary = (check.__doc__ or name).strip().splitlines()[0]
        RULES.append(Rule(codes=codes, name=name, summary=summary, check=check))
        return check

    return register


def run(ctx: Context) -> list[Finding]:
    """Every finding of every rule."""
    _load_rule_modules()
    findings: list[Finding] = []
    for registered in RULES:
        found = list(registered.check(ctx))
        assert all(f.code in registered.codes for f in found), f"rule {registered.name} reports a code it does not register"
        findings += found
    return findings


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return list(RULES)


def _load_rule_modules() -> None:
    from compiler.rules import api, code, functions, logs, permissions, routes, service  # noqa: F401  (registers the rules)
