"""Golden files: `out/` itself. Every output of every example is compared byte for byte with the copy
committed there (one copy of the golden bytes; update it with `scripts/build-examples` and review
the diff of `out/`), and `apispec build --check` finds it current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from compiler.targets import NAMES as TARGETS
from tests.conftest import EXAMPLES, ROOT, SPECS, Compiled

OUT = ROOT / "out"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_outputs_match_the_committed_out_directory(compiled: dict[str, Compiled], example: str, target: str) -> None:
    files = compiled[example].target_files(target)
    assert files, f"{example} produced no {target} files"
    directory = compiled[example].target_dir(target).relative_to(compiled[example].out)
    committed = {p.relative_to(OUT / directory).as_posix(): p.read_bytes() for p in sorted((OUT / directory).rglob("*")) if p.is_file()}
    assert sorted(committed) == sorted(files), f"out/{directory} is stale: run scripts/build-examples and review the diff"
    for name, content in sorted(files.items()):
        assert content == committed[name], f"out/{directory}/{name} differs: run scripts/build-examples and review the diff"


def test_out_directory_is_current() -> None:
    """`apispec build --check` over every example finds `out/` up to date."""
    specs = [f"specs/{name}/service.yaml" for name in SPECS]
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "build", *specs, "--target", "all", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
