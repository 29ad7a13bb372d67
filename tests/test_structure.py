"""The compiler's structure: no import cycles, and every graph node type handled by every backend."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from compiler import ir, naming
from compiler.backends import cloudformation, sam, terraform

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The compiler modules a module imports at its top level (imports inside functions are deferred on purpose).

    `from package import module` imports the module (a package's `__init__` always runs first)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue  # for the type checker only
        for child in ast.walk(node) if isinstance(node, ast.Import | ast.ImportFrom) else ():
            if isinstance(child, ast.Import):
                found |= {alias.name for alias in child.names}
            elif isinstance(child, ast.ImportFrom) and child.module:
                submodules = {f"{child.module}.{alias.name}" for alias in child.names} & modules
                found |= submodules if len(submodules) == len(child.names) else {child.module, *submodules}
    return found & modules


def _graph(root: Path) -> dict[str, set[str]]:
    modules = {_module_name(path, root): path for path in (root / "compiler").rglob("*.py")}
    return {name: _imports(path, set(modules)) - {name} for name, path in modules.items()}


def test_compiler_has_no_import_cycle() -> None:
    assert _cycle(_graph(ROOT)) is None


def _cycle(graph: dict[str, set[str]]) -> str | None:
    """One import cycle of the graph, as `a -> b -> a`, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> str | None:
        state[module] = "open"
        stack.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return " -> ".join([*stack[stack.index(imported) :], imported])
            found = visit(imported) if imported not in state else None
            if found:
                return found
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        found = visit(module) if module not in state else None
        if found:
            return found
    return None


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "compiler").mkdir()
    (tmp_path / "compiler" / "a.py").write_text("from compiler.b import x\n")
    (tmp_path / "compiler" / "b.py").write_text("from compiler import a\n")
    (tmp_path / "compiler" / "c.py").write_text("import json\n\ndef late():\n    from compiler import a\n")
    assert _cycle(_graph(tmp_path)) == "compiler.a -> compiler.b -> compiler.a"


@pytest.mark.parametrize(
    ("table", "where"),
    [
        (terraform.RESOURCES, "the Terraform backend"),
        (sam.RESOURCES, "the SAM backend"),
        (cloudformation.RESOURCES, "the CloudFormation backend"),
        (naming._NODE_NAMES, "naming"),
    ],
)
def test_every_node_type_has_an_entry(table: dict[type, object], where: str) -> None:
    """A new node type must be rendered (or explicitly folded into another) by every backend, and named."""
    assert set(table) == set(ir.NODE_TYPES), f"{where} lacks {sorted(t.__name__ for t in set(ir.NODE_TYPES) - set(table))}"


def test_records_equal_only_records_of_their_own_type() -> None:
    assert ir.Param("x") != ("x",)
    assert ir.Param("x") != ir.Pseudo("x")  # type: ignore[arg-type]
    assert ir.Ref("a", "b") == ir.Ref("a", "b")
    assert len({ir.Param("x"), ir.Pseudo("x")}) == 2  # type: ignore[arg-type]


def test_imports_inside_functions_say_why() -> None:
    """An import deferred into a function is there for start-up time, and says so on its line."""
    unexplained = []
    for path in sorted((ROOT / "compiler").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and "#" not in lines[inner.lineno - 1]:
                        unexplained.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    assert not unexplained, "\n".join(unexplained)
