"""The generated-names rule: no two elements of the spec make the same name in any target."""

from __future__ import annotations

from collections.abc import Iterator

from compiler import naming
from compiler.diagnostics import Finding
from compiler.rules.registry import Context, rule


@rule("E701", name="generated-names")
def generated_names(ctx: Context) -> Iterator[Finding]:
    """Two elements never get the same generated name (Terraform name or CloudFormation logical id) in any target."""
    yield from naming.collisions(ctx.graph)
