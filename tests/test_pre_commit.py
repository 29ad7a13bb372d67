"""The pre-commit hooks, run by the real `pre-commit` tool (`pre-commit try-repo`) in a scratch git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's own home (its hook environments), shared by the tests of this module."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository holding the tutorial spec and its committed `out/`."""
    repo = tmp_path / "project"
    shutil.copytree(ROOT / "specs" / "tutorial", repo / "service")
    subprocess.run([sys.executable, "-m", "compiler", "build", "service/service.yaml", "--out", "out"], cwd=repo, check=True, capture_output=True)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    return repo


def _try_repo(project: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(ROOT), "--all-files", "--verbose"],
        cwd=project, env=environment, capture_output=True, text=True, check=False, timeout=600,
    )


def test_hooks_pass_on_a_good_spec_and_fresh_outputs(project: Path, environment: dict[str, str]) -> None:
    result = _try_repo(project, environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "apispec validate" in result.stdout and "Passed" in result.stdout
    assert "apispec build --check" in result.stdout


def test_hooks_fail_with_a_located_message_on_a_broken_spec(project: Path, environment: dict[str, str]) -> None:
    spec = project / "service" / "service.yaml"
    spec.write_text(spec.read_text().replace("timeout: 10", "timeout: 901"))
    _git(project, "add", "-A")
    result = _try_repo(project, environment)
    assert result.returncode == 1
    assert "service/service.yaml:14:14: error E105: functions.user-request.timeout: `901` is too large; the maximum is 900" in result.stdout
