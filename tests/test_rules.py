"""The rule registry: what rules declare, and that the runner and pipeline need no rule by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler import rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        (("functions",), ("functions",), True),
        (("functions",), ("functions", "orders"), False),
        (("api", "cors", "**"), ("api", "cors"), True),
        (("api", "cors", "**"), ("api", "cors", "allow_origins", 0), True),
        (("api", "cors", "**"), ("api", "stage"), False),
        (("**", "logging"), ("functions", "orders", "logging"), True),
        (("**", "logging", "**", "format"), ("defaults", "logging", "format"), True),
        (("**", "logging", "**", "format"), ("logging", "access_logs", "format"), True),
        (("**", "logging", "**", "format"), ("functions", "orders", "format"), False),
        (("*", "orders"), ("functions", "orders"), True),
        (("*", "orders"), ("functions", "orders", "memory"), False),
    ],
)
def test_removal_patterns(pattern: tuple[str, ...], path: tuple[str | int, ...], expected: bool) -> None:
    assert rules.matches(pattern, path) is expected


def test_codes_are_unique_and_declared_moot_codes_are_the_rules_own() -> None:
    registered = rules.all_rules()
    codes = [code for rule in registered for code in rule.codes]
    assert len(codes) == len(set(codes))
    for rule in registered:
        assert set(rule.moot_when_removed) <= set(rule.codes), rule.name
        assert all(re.fullmatch(r"[EW]\d{3}", code) for code in rule.codes), rule.name


def test_runner_and_pipeline_name_no_rule_code() -> None:
    """Adding, renaming or removing a rule never means editing the machinery that runs it."""
    rule_codes = {code for rule in rules.all_rules() for code in rule.codes}
    for module in ("compiler/pipeline.py", "compiler/rules/__init__.py", "compiler/rules/registry.py", "compiler/cli.py"):
        named = set(re.findall(r"\b[EW]\d{3}\b", (ROOT / module).read_text()))
        assert not named & rule_codes, f"{module} names {sorted(named & rule_codes)}"
