"""Golden files: the exact bytes of every output of every example, and `out/` kept current."""

from __future__ import annotations

import subprocess
import sys

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from compiler.targets import NAMES as TARGETS
from tests.conftest import EXAMPLES, ROOT, Compiled


class ExactBytes(SingleFileSnapshotExtension):
    """One snapshot file per output file, compared byte for byte (no re-serialization)."""

    _write_mode = WriteMode.BINARY


@pytest.fixture
def exact(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(ExactBytes)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_outputs_match_golden_files(compiled: dict[str, Compiled], example: str, target: str, exact: SnapshotAssertion) -> None:
    files = compiled[example].target_files(target)
    assert files, f"{example} produced no {target} files"
    for name, content in sorted(files.items()):
        assert content == exact(name=name)


def test_out_directory_is_current() -> None:
    """`apispec build --check` over every example finds `out/` up to date."""
    specs = [f"specs/{name}/service.yaml" for name in EXAMPLES]
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "build", *specs, "--target", "all", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
