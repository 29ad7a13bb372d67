"""Semantic checks: small named rules over the resolved spec and its graph, one family per module.

Importing this package registers every rule (`compiler.rules.registry`); `run` then executes them.
A new rule module is added to the import below; a new rule in an existing module needs nothing here.
"""

from __future__ import annotations

from compiler.rules import (  # noqa: F401  (registers the rules)
    api,
    authorizers,
    code,
    environments,
    functions,
    least_privilege,
    logs,
    names,
    permissions,
    routes,
    service,
    surface,
    triggers,
)
from compiler.rules.registry import Context, Rule, all_rules, matches, rule, run

__all__ = ["Context", "Rule", "all_rules", "matches", "rule", "run"]
