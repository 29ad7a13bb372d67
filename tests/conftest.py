"""Fixtures of real specs: every example under `specs/`, compiled once per session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler.pipeline import Checked, check, render
from compiler.targets import NAMES as TARGETS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "specs").glob("*/service.yaml"))
TODAY = dt.date(2026, 11, 25)
# What each example function's resources are named after, by function key: (Terraform name, logical id
# stem). The key's own names, but for `create-order`, whose `name: shop-create-order` is not the default.
EXAMPLE_FUNCTION_NAMES = {
    "list_orders": ("list_orders", "ListOrders"),
    "create-order": ("shop_create_order", "ShopCreateOrder"),
    "catalog": ("catalog", "Catalog"),
    "admin": ("admin", "Admin"),
    "user-request": ("user_request", "UserRequest"),
    "notes": ("notes", "Notes"),
    "gatekeeper": ("gatekeeper", "Gatekeeper"),
}


@dataclass(frozen=True)
class Compiled:
    """An example compiled for every target: output bytes by path relative to the repo's `out/`."""

    name: str
    checked: Checked
    files: dict[str, bytes]
    out: Path  # a temporary copy of the outputs, laid out as under `out/`

    def target_dir(self, target: str) -> Path:
        assert self.checked.graph is not None
        return self.out / self.checked.graph.prefix / target

    def target_files(self, target: str) -> dict[str, bytes]:
        assert self.checked.graph is not None
        prefix = f"{self.checked.graph.prefix}/{target}/"
        return {k.removeprefix(prefix): v for k, v in self.files.items() if k.startswith(prefix)}


def compile_spec(spec: Path, out: Path, today: dt.date = TODAY) -> Compiled:
    """Check and render a spec for every target as if into `<repo>/out`, and copy the files to `out`."""
    inside = spec.is_relative_to(ROOT)
    checked = check(spec, display=str(spec.relative_to(ROOT)) if inside else str(spec), today=today)
    assert checked.ok, "".join(f"\n{d}" for d in checked.diagnostics)
    layout = ROOT / "out" if inside else out  # examples are rendered exactly as into the repo's out/
    rendered = render(checked, layout, TARGETS)
    files = {path.relative_to(layout).as_posix(): content for path, content in rendered.items()}
    for relative, content in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return Compiled(spec.parent.name, checked, files, out)


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Compiled]:
    out = tmp_path_factory.mktemp("out")
    return {name: compile_spec(ROOT / "specs" / name / "service.yaml", out) for name in EXAMPLES}
