"""The rule registry: the `@rule` decorator, the context rules read, and the runner.

Each rule is a function registered with `@rule(code, name)`; it yields findings that carry a
spec path, never a line number. A code's first letter is its severity (`E` error, `W` warning)
and codes are stable: tools and docs refer to them. `run` executes every rule.

A spec with structural errors is still checked, from what is valid in it (`structure.salvage`
removes the invalid elements). A rule declares, per code, which removed elements make its
findings moot (`moot_when_removed`): an invalid `functions` is not "a route names no function".
The runner applies the declarations and knows no rule by its code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from compiler import ir
from compiler.diagnostics import Finding, SpecPath
from compiler.records import NamedTuple
from compiler.resolve import Resolved


class Context(NamedTuple):
    """What rules read: the resolved spec and its resource graph, the loaded data, where the spec lives, and today.

    `raw` is the data the spec was resolved from; when the file had structural errors, `original`
    is the whole file as loaded and `removed` the invalid elements left out of `raw`."""

    spec: Resolved
    graph: ir.Graph
    raw: dict[str, Any]
    spec_dir: Path
    today: dt.date
    original: dict[str, Any] | None = None
    removed: frozenset[SpecPath] = frozenset()
    targets: tuple[str, ...] = ()  # the targets being built; none for `validate` (a rule about one target speaks only when it is built)


Check = Callable[[Context], Iterable[Finding]]
# A spec path in which `*` stands for any one element and `**` for any number of them (none too).
Pattern = tuple[str, ...]


class Rule(NamedTuple):
    """A registered check: its stable codes, a short name, what it verifies, and per code the
    removed elements (patterns) that make its findings moot."""

    codes: tuple[str, ...]
    name: str
    summary: str
    check: Check
    moot_when_removed: dict[str, tuple[Pattern, ...]]


RULES: list[Rule] = []


def rule(*codes: str, name: str, moot_when_removed: dict[str, tuple[Pattern, ...]] | None = None) -> Callable[[Check], Check]:
    """Register a check under its stable codes; its docstring's first line is its summary."""
    moot = moot_when_removed or {}
    assert set(moot) <= set(codes), f"rule {name} declares codes it does not register"

    def register(check: Check) -> Check:
        summary = (check.__doc__ or name).strip().splitlines()[0]
        RULES.append(Rule(codes=codes, name=name, summary=summary, check=check, moot_when_removed=moot))
        return check

    return register


def run(ctx: Context) -> list[Finding]:
    """Every finding of every registered rule, less those its rule declares moot after what was removed."""
    findings: list[Finding] = []
    for registered in RULES:
        found = list(registered.check(ctx))
        assert all(f.code in registered.codes for f in found), f"rule {registered.name} reports a code it does not register"
        moot = {code for code, patterns in registered.moot_when_removed.items() if _any_removed(patterns, ctx.removed)}
        findings += [f for f in found if f.code not in moot]
    return findings


def _any_removed(patterns: tuple[Pattern, ...], removed: frozenset[SpecPath]) -> bool:
    return any(matches(pattern, path) for pattern in patterns for path in removed)


def matches(pattern: Pattern, path: SpecPath) -> bool:
    """Whether a spec path fits a pattern (`*` one element, `**` any number of them)."""
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(matches(rest, path[i:]) for i in range(len(path) + 1))
    return bool(path) and (head == "*" or head == path[0]) and matches(rest, path[1:])


def all_rules() -> list[Rule]:
    return list(RULES)
