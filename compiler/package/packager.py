"""One spec's packages, all or nothing: every zip is made in a temporary file first, and only when every
function's package was made are they renamed into place (a failing install or build command leaves
the previous zips, and the cache, as they were)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from compiler import ir
from compiler.package import cache, command, manifest, node, python, zipper
from compiler.package.process import PackageError, Progress


class Outcome(NamedTuple):
    """What `apispec package` did for one function."""

    key: str
    kind: str | None  # None: no package; the outputs zip `source` as it is
    zip: Path | None
    built: bool  # False: unchanged since the cached build


class _Plan(NamedTuple):
    function: ir.Function
    source: Path
    inputs: str  # the cache key
    files: dict[str, Path]  # the source files that go into the zip (python, node) or the build reads


def package(graph: ir.Graph, spec_dir: Path, out: Path, progress: Callable[[str, str], None] | None = None) -> list[Outcome]:
    """Make the zip of every function of `graph` that has dependencies or a `build` command.
    `progress(function key, line)` gets what the installers print. Raises `PackageError` (its
    message starts with the function's key) and then writes nothing."""
    directory = manifest.packages_dir(out, graph.prefix)
    records = cache.load(directory)
    outcomes: list[Outcome] = []
    staged: dict[str, Path] = {}  # key -> temporary zip
    made: dict[str, Path] = {}  # inputs digest -> temporary zip, for functions that share their code
    fresh: dict[str, dict[str, str]] = {}
    try:
        for fn in graph.of_type(ir.Function):
            if fn.package is None:
                outcomes.append(Outcome(fn.key, None, None, False))
                continue
            plan = _plan(fn, spec_dir)
            name = manifest.zip_name(fn.key)
            if cache.unchanged(directory, name, records.get(fn.key), plan.inputs):
                fresh[fn.key] = records[fn.key]
                outcomes.append(Outcome(fn.key, fn.package, directory / name, False))
                continue
            directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            os.close(handle)
            staged[fn.key] = Path(temporary)
            if plan.inputs in made:
                shutil.copyfile(made[plan.inputs], temporary)
            else:
                line: Progress | None = (lambda text, key=fn.key: progress(key, text)) if progress else None
                try:
                    _make(plan, Path(temporary), line)
                except PackageError as error:
                    raise PackageError(f"{fn.key}: {error}") from None
                made[plan.inputs] = Path(temporary)
            os.chmod(temporary, 0o644)  # mkstemp makes 0600 files; a package is an ordinary file
            fresh[fn.key] = {"inputs": plan.inputs, "zip": cache.file_hash(Path(temporary))}
            outcomes.append(Outcome(fn.key, fn.package, directory / name, True))
        for key, zip_file in list(staged.items()):
            os.replace(zip_file, directory / manifest.zip_name(key))
            del staged[key]
    finally:
        for zip_file in staged.values():
            zip_file.unlink(missing_ok=True)
    for key in records.keys() - fresh.keys():  # a function removed, or no longer packaged: its zip goes
        (directory / manifest.zip_name(key)).unlink(missing_ok=True)
    if fresh or records:
        cache.save(directory, fresh)
    return outcomes


def _plan(fn: ir.Function, spec_dir: Path) -> _Plan:
    source = spec_dir / fn.source
    config = fn.config
    settings = [fn.package or "", config.runtime, config.architecture]
    skip: list[str] = []
    if fn.package == "python":
        settings += [f"{name}={os.environ.get(name, '')}" for name in python.PIP_SETTINGS]
    elif fn.package == "node":
        skip.append("node_modules")
    elif config.build is not None:
        settings += [config.build.command, config.build.output]
        skip.append(PurePosixPath(config.build.output.replace("\\", "/")).as_posix())  # `./dist/` is `dist`
    files = zipper.files_under(source, skip=skip)
    return _Plan(fn, source, cache.digest(settings, files), files)


def _make(plan: _Plan, destination: Path, progress: Progress | None) -> None:
    fn, source, config = plan.function, plan.source, plan.function.config
    with tempfile.TemporaryDirectory(prefix="apispec-package-") as work:
        if fn.package == "python":
            requirements = manifest.python_requirements(source)
            assert requirements is not None, "a python package has a manifest"
            dependencies = Path(work) / "dependencies"
            python.install(source, requirements, config.runtime, config.architecture, dependencies, progress)
            entries = {**zipper.files_under(dependencies), **plan.files}  # the function's own files win
        elif fn.package == "node":
            app = Path(work) / "app"
            node.install(source, config.architecture, app, progress)
            entries = zipper.files_under(app)
        else:
            assert config.build is not None, "a build package has a command"
            built = command.build(source, config.build.command, config.build.output, config.runtime, config.architecture, progress)
            entries = zipper.files_under(built)
        zipper.write_zip(entries, destination)
