"""Which functions `apispec package` makes a zip for, and where that zip lives.

`build` reads this too (a packaged function's outputs point at its zip), so it only looks for files:
it never installs or parses more than a manifest's dependency list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

Kind = Literal["python", "node", "build"]

PACKAGES_DIR = "packages"  # under <out>/<prefix>/, beside the target directories `build` owns
PYTHON_MANIFESTS = ("requirements.txt", "pyproject.toml")
NODE_MANIFEST = "package.json"


def detect(source: Path, runtime: str, has_build: bool) -> Kind | None:
    """How a function's package is made: its `build` command, its Python or Node.js dependencies, or
    None when its `source` is deployed as it is (Terraform's `archive_file`, a directory for
    `aws cloudformation package`)."""
    if has_build:
        return "build"
    if runtime.startswith("python") and python_requirements(source) is not None:
        return "python"
    if runtime.startswith("nodejs") and _node_dependencies(source):
        return "node"
    return None


def python_requirements(source: Path) -> str | list[str] | None:
    """The `requirements.txt` file name, or `pyproject.toml`'s `[project] dependencies`; None when
    neither lists anything to install."""
    try:
        if (source / "requirements.txt").is_file():
            return "requirements.txt"
        pyproject = source / "pyproject.toml"
        if not pyproject.is_file():
            return None
        import tomllib  # only for a function with a pyproject.toml

        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, ValueError):  # unreadable, or not TOML: nothing apispec can install from
        return None
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    if isinstance(dependencies, list) and dependencies and all(isinstance(d, str) for d in dependencies):
        return dependencies
    return None


def _node_dependencies(source: Path) -> bool:
    """Whether `package.json` lists production dependencies."""
    try:
        manifest = json.loads((source / NODE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and bool(manifest.get("dependencies"))


def zip_name(key: str) -> str:
    return f"{key}.zip"


def zip_from_target(key: str) -> str:
    """The zip's path relative to a target directory (`<out>/<prefix>/<target>/`), with `/`."""
    return f"../{PACKAGES_DIR}/{zip_name(key)}"


def packages_dir(out: Path, prefix: str) -> Path:
    return out / prefix / PACKAGES_DIR
