"""Python dependencies, installed by pip for the function's Python version and the manylinux platform
of its architecture, binary wheels only: what Lambda's Amazon Linux can import, whatever machine
runs `apispec package`."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from compiler.package.process import PackageError, Progress, run, tail

# glibc of the Amazon Linux that each Python runtime runs on (AWS doc "Lambda runtimes", Supported
# runtimes: python3.12 and later on Amazon Linux 2023, glibc 2.34; python3.9 to 3.11 on Amazon Linux 2, glibc 2.26).
_GLIBC_AL2023 = 34
_GLIBC_AL2 = 26
_FIRST_ON_AL2023 = (3, 12)
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# The settings of pip that change what it installs; part of the cache's key.
PIP_SETTINGS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX")


def python_version(runtime: str) -> tuple[int, int]:
    major, _, minor = runtime.removeprefix("python").partition(".")
    return int(major), int(minor)


def platforms(runtime: str, architecture: str) -> list[str]:
    """pip's `--platform` values for a runtime and architecture, the newest glibc first: every
    `manylinux_2_N` the runtime's glibc runs, and the legacy names of the same tags."""
    machine = MACHINES[architecture]
    newest = _GLIBC_AL2023 if python_version(runtime) >= _FIRST_ON_AL2023 else _GLIBC_AL2
    oldest = 17 if machine == "aarch64" else 5  # manylinux2014 was the first aarch64 policy
    tags = [f"manylinux_2_{n}_{machine}" for n in range(newest, oldest - 1, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    return tags + [f"{name}_{machine}" for n, name in legacy.items() if n >= oldest]


def install(source: Path, requirements: str | list[str], runtime: str, architecture: str, target: Path, progress: Progress | None) -> None:
    """Install the dependencies into `target` (pip's `--target`), leaving out the console scripts
    (their first line names this machine's Python)."""
    major, minor = python_version(runtime)
    command = [
        sys.executable, "-m", "pip", "install",
        "--target", str(target),
        "--implementation", "cp",
        "--python-version", f"{major}.{minor}",
        "--only-binary=:all:",
        "--no-compile",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar", "off",
    ]  # fmt: skip
    for platform in platforms(runtime, architecture):
        command += ["--platform", platform]
    if isinstance(requirements, str):
        command += ["-r", requirements]  # relative to `source`, where pip runs: its own `-r`/paths resolve there
        named = f"`{requirements}`"
    else:
        command += ["--", *requirements]
        named = "`pyproject.toml`'s dependencies"
    ran = run(command, cwd=source, env=os.environ, progress=progress)
    if ran.returncode != 0:
        raise PackageError(_failure(ran.output, named, runtime, architecture))
    shutil.rmtree(target / "bin", ignore_errors=True)


def _failure(output: str, named: str, runtime: str, architecture: str) -> str:
    missing = re.findall(r"No matching distribution found for ([^\s;]+)", output)
    if missing:
        return (
            f"{', '.join(f'`{m}`' for m in missing)} has no binary wheel for {runtime} on Linux {MACHINES[architecture]} "
            f"(a `manylinux` or pure-Python wheel) in the package index: apispec installs wheels only, as it cannot build "
            "an sdist for Lambda's platform. Pin a version that publishes such a wheel, add a directory holding one with "
            "`PIP_FIND_LINKS`, or build the code with `build:` instead. pip said:\n" + tail(output)
        )
    if "No module named pip" in output:
        return f"pip is not installed beside apispec ({sys.executable}); install it (`python -m ensurepip`) to package Python dependencies"
    return f"pip could not install {named} for {runtime} on {architecture}:\n{tail(output)}"
