"""The code is ruff- and mypy-clean (the bar in pyproject.toml), so CI keeps it that way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "ruff"), "check", "--no-cache", "compiler", "schemas", "tests", "bench"],
        [str(BIN / "mypy"), "--cache-dir", str(ROOT / ".mypy_cache")],
    ],
    ids=["ruff", "mypy"],
)
def test_the_code_is_clean(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
