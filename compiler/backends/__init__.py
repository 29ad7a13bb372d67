"""One backend per target; each renders an `ir.Graph` into files (relative path → document).

A backend only renders: names, defaults and references were all decided before the graph
was made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compiler import ir

TARGETS = ("terraform", "sam", "cloudformation")
DEFAULT_TARGETS = ("terraform", "sam")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One output file before serialization: its path inside the target directory and content."""

    path: str
    document: Any
    format: str  # "json" or "yaml"


Backend = Callable[[ir.Graph, str], list[Rendered]]


def backend(target: str) -> Backend:
    """The render function of a target; `root` is the spec directory relative to the target directory."""
    if target == "terraform":
        from compiler.backends.terraform import render
    elif target == "sam":
        from compiler.backends.sam import render
    elif target == "cloudformation":
        from compiler.backends.cloudformation import render
    else:
        raise ValueError(f"unknown target {target!r}")
    return render
