"""One backend per target; each renders an `ir.Graph` into files (relative path → document).

A backend only renders: names, defaults and references were all decided before the graph
was made.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compiler import ir, targets


@dataclass(frozen=True, slots=True)
class Rendered:
    """One output file before serialization: its path inside the target directory and content."""

    path: str
    document: Any
    format: str  # "json", "yaml" or "toml"


Backend = Callable[[ir.Graph, str], list[Rendered]]


def backend(name: str) -> Backend:
    """The render function of a target (`compiler.targets`); `root` is the spec directory relative to
    the target directory. Only the backends of the targets built are imported."""
    render: Backend = importlib.import_module(targets.target(name).backend).render
    return render
