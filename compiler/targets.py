"""The output targets, once: the CLI's `--target` choices, the files each target directory owns,
and the backend module that renders it all come from this table."""

from __future__ import annotations

from compiler.records import NamedTuple


class Target(NamedTuple):
    name: str
    backend: str  # the module whose `render(graph, root)` writes the target
    owned: tuple[str, ...]  # glob patterns of the files `build` owns in the target directory


TARGETS: tuple[Target, ...] = (
    Target("terraform", "compiler.backends.terraform", ("*.tf.json",)),
    Target("sam", "compiler.backends.sam", ("template.yaml", "samconfig.toml")),
    Target("cloudformation", "compiler.backends.cloudformation", ("template.yaml",)),
)
NAMES: tuple[str, ...] = tuple(t.name for t in TARGETS)
DEFAULT: tuple[str, ...] = ("terraform", "sam")
ALL = "all"  # the `--target` value that means every target


def target(name: str) -> Target:
    for candidate in TARGETS:
        if candidate.name == name:
            return candidate
    raise ValueError(f"unknown target {name!r}; the targets are {', '.join(NAMES)}")
