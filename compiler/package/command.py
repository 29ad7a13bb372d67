"""`build: {command, output}`: the function's own build (cargo-lambda, `go build`, esbuild), run in its `source`."""

from __future__ import annotations

import os
from pathlib import Path

from compiler.package.process import PackageError, Progress, run, tail


def build(source: Path, command: str, output: str, runtime: str, architecture: str, progress: Progress | None) -> Path:
    """Run `command` in `source` and return the directory it filled. The command sees the function's
    runtime and architecture as `APISPEC_RUNTIME` and `APISPEC_ARCHITECTURE`."""
    env = {**os.environ, "APISPEC_RUNTIME": runtime, "APISPEC_ARCHITECTURE": architecture}
    ran = run(command, cwd=source, env=env, progress=progress)
    if ran.returncode != 0:
        raise PackageError(f"build command `{command}` failed with exit code {ran.returncode} in `{source.as_posix()}`:\n{tail(ran.output)}")
    built = source / output
    if not built.is_dir() or not any(p.is_file() for p in built.rglob("*")):
        raise PackageError(f"build command `{command}` succeeded but left no files in `{output}` (its `build.output`, relative to `{source.as_posix()}`)")
    return built
