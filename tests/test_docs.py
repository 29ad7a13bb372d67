"""The README's generated sections (format reference, diagnostic codes) are in step with the code."""

from __future__ import annotations

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
