"""Node.js dependencies: the production dependencies of `package.json`, exactly as its lock file says
(`npm ci --omit=dev`), in a copy of the source, for Linux and the function's CPU."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from compiler.package.process import PackageError, Progress, run, tail

LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
CPUS = {"arm64": "arm64", "x86_64": "x64"}


def install(source: Path, architecture: str, app: Path, progress: Progress | None) -> None:
    """Copy `source` (less its `node_modules`) to `app` and install the production dependencies there."""
    if not any((source / name).is_file() for name in LOCK_FILES):
        raise PackageError(
            f"`{source.as_posix()}/package.json` has dependencies but no `package-lock.json`: run `npm install` there once "
            "and keep the lock file with the code, so that every package installs the same versions"
        )
    npm = shutil.which("npm")
    if npm is None:
        raise PackageError("`npm` is not installed or not on PATH; `apispec package` needs it for Node.js dependencies")
    shutil.copytree(source, app, ignore=shutil.ignore_patterns("node_modules", ".git"))
    # `--os`/`--cpu` choose the optional dependencies (prebuilt native modules) for Lambda, not this machine.
    command = [npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--os=linux", f"--cpu={CPUS[architecture]}"]
    ran = run(command, cwd=app, env=os.environ, progress=progress)
    if ran.returncode != 0:
        raise PackageError(f"`npm ci --omit=dev` failed for `{source.as_posix()}/package.json`:\n{tail(ran.output)}")
