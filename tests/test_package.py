"""`apispec package` (section D): dependencies for each function's runtime and architecture, in
reproducible zips, with no network: pip reads a package index of wheels made on the spot
(`tests/support/wheels.py`), npm a vendored tarball."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compiler.cli import _StatusLine, app
from compiler.exitcodes import ExitCode
from compiler.package import python
from compiler.package.zipper import files_under, write_zip
from tests.conftest import ROOT
from tests.support.wheels import NATIVE, PURE, SDIST_ONLY, make_index

runner = CliRunner()

HANDLER = "import nativelib, purelib\n\ndef handler(event, context):\n    return {'machine': nativelib.MACHINE, 'where': purelib.WHERE}\n"
SPEC = """\
service: pkg
functions:
  arm:
    source: code
    handler: main.handler
  intel:
    source: code
    handler: main.handler
    architecture: x86_64
  plain:
    source: plain
    handler: main.handler
routes:
  GET /arm: arm
  GET /intel: intel
  GET /plain: plain
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_index(tmp_path_factory.mktemp("index"))


@pytest.fixture
def offline(index: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip reads the local index only (its own settings, as a user's `PIP_FIND_LINKS` would be)."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    return index


@pytest.fixture
def project(tmp_path: Path, offline: Path) -> Path:
    """A spec with two Python functions that depend on `purelib` and `nativelib`, and one without dependencies."""
    _write(tmp_path, {"code/main.py": HANDLER, "code/requirements.txt": f"{PURE}\n{NATIVE}\n", "plain/main.py": "def handler(event, context):\n    return {}\n"})
    (tmp_path / "service.yaml").write_text(SPEC)
    return tmp_path


def package(project: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["package", str(project / "service.yaml"), "--out", str(project / "out"), *extra])
    return result.exit_code, result.stdout, result.stderr


def _entries(path: Path) -> list[tuple[str, tuple[int, ...], int]]:
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.date_time, i.external_attr >> 16) for i in archive.infolist()]


def _read(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()


# --- Python: the right wheel per architecture -----------------------------------------------------------


def test_each_architecture_gets_its_own_wheel(project: Path) -> None:
    code, stdout, stderr = package(project)
    assert code == ExitCode.OK, stderr
    packages = project / "out" / "pkg" / "packages"
    assert stdout.splitlines() == [
        f"arm: built {packages / 'arm.zip'} (python)",
        f"intel: built {packages / 'intel.zip'} (python)",
        "plain: no dependencies or build command; the outputs zip its source as it is",
    ]
    assert _read(packages / "arm.zip", f"{NATIVE}/__init__.py") == 'MACHINE = "aarch64"\n'
    assert _read(packages / "intel.zip", f"{NATIVE}/__init__.py") == 'MACHINE = "x86_64"\n'
    assert sorted(p.name for p in packages.iterdir()) == [".apispec-cache.json", "arm.zip", "intel.zip"]


def test_the_zip_holds_the_code_and_dependencies_at_its_root_files_only_sorted_with_fixed_times_and_modes(project: Path) -> None:
    (project / "code" / "run.sh").write_text("#!/bin/sh\n")
    (project / "code" / "run.sh").chmod(0o755)
    (project / "code" / "__pycache__").mkdir()
    (project / "code" / "__pycache__" / "main.cpython-312.pyc").write_bytes(b"local bytecode")
    assert package(project)[0] == ExitCode.OK
    entries = _entries(project / "out" / "pkg" / "packages" / "arm.zip")
    assert [name for name, _, _ in entries] == [
        "main.py",
        "nativelib-1.0.dist-info/INSTALLER",
        "nativelib-1.0.dist-info/METADATA",
        "nativelib-1.0.dist-info/RECORD",
        "nativelib-1.0.dist-info/REQUESTED",
        "nativelib-1.0.dist-info/WHEEL",
        "nativelib/__init__.py",
        "purelib-1.0.dist-info/INSTALLER",
        "purelib-1.0.dist-info/METADATA",
        "purelib-1.0.dist-info/RECORD",
        "purelib-1.0.dist-info/REQUESTED",
        "purelib-1.0.dist-info/WHEEL",
        "purelib/__init__.py",
        "requirements.txt",
        "run.sh",
    ]
    assert {time for _, time, _ in entries} == {(1980, 1, 1, 0, 0, 0)}
    modes = {name: mode for name, _, mode in entries}
    assert modes["run.sh"] == 0o100755
    assert {mode for name, mode in modes.items() if name != "run.sh"} == {0o100644}


def test_the_packaged_pure_python_dependency_imports_from_the_zip(project: Path) -> None:
    """The layout Lambda expects: the handler module and the dependency's package at the zip's root."""
    assert package(project)[0] == ExitCode.OK
    archive = project / "out" / "pkg" / "packages" / "arm.zip"
    script = "import purelib, main; print(purelib.WHERE, purelib.__file__.startswith(sys.argv[1]), main.__name__)"
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, sys.argv[1]); {script}", str(archive)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout == "pure True main\n", result.stderr


def test_a_second_run_is_a_no_op_that_says_so(project: Path) -> None:
    assert package(project)[0] == ExitCode.OK
    zips = sorted((project / "out" / "pkg" / "packages").glob("*.zip"))
    before = {p: p.stat().st_mtime_ns for p in zips}
    code, stdout, _ = package(project)
    assert code == ExitCode.OK
    assert stdout.splitlines()[:2] == [
        f"arm: unchanged {zips[0]} (inputs as cached)",
        f"intel: unchanged {zips[1]} (inputs as cached)",
    ]
    assert {p: p.stat().st_mtime_ns for p in zips} == before


def test_a_changed_input_or_a_changed_zip_builds_again(project: Path) -> None:
    assert package(project)[0] == ExitCode.OK
    (project / "code" / "main.py").write_text(HANDLER + "# changed\n")
    (project / "out" / "pkg" / "packages" / "intel.zip").write_bytes(b"edited by hand")
    stdout = package(project)[1]
    assert [line.split(" ")[1] for line in stdout.splitlines()[:2]] == ["built", "built"]
    assert zipfile.is_zipfile(project / "out" / "pkg" / "packages" / "intel.zip")


def test_the_same_inputs_give_byte_identical_zips(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A rebuild into a fresh directory, from a copy made later (new file times), gives the same bytes."""
    assert package(project)[0] == ExitCode.OK
    first = {p.name: p.read_bytes() for p in (project / "out" / "pkg" / "packages").glob("*.zip")}
    copy = tmp_path_factory.mktemp("copy") / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("out"))
    os.utime(copy / "code" / "main.py", (1_700_000_000, 1_700_000_000))
    assert package(copy)[0] == ExitCode.OK
    second = {p.name: p.read_bytes() for p in (copy / "out" / "pkg" / "packages").glob("*.zip")}
    assert first == second
    assert sorted(first) == ["arm.zip", "intel.zip"]


def test_pyproject_dependencies_are_installed_too(project: Path) -> None:
    (project / "code" / "requirements.txt").unlink()
    (project / "code" / "pyproject.toml").write_text(f'[project]\nname = "fn"\nversion = "1"\ndependencies = ["{PURE}"]\n')
    assert package(project)[0] == ExitCode.OK
    names = [name for name, _, _ in _entries(project / "out" / "pkg" / "packages" / "arm.zip")]
    assert f"{PURE}/__init__.py" in names and f"{NATIVE}/__init__.py" not in names


def test_an_sdist_only_dependency_is_an_error_naming_it_and_the_fix_and_no_zip_is_written(project: Path) -> None:
    """The `arm` function fails after nothing; `intel`, which would have built, writes no zip either."""
    (project / "code2").mkdir()
    (project / "code2" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    (project / "code2" / "requirements.txt").write_text(f"{SDIST_ONLY}\n")
    (project / "service.yaml").write_text(SPEC.replace("  plain:\n    source: plain", "  plain:\n    source: code2"))
    code, stdout, stderr = package(project)
    assert code == ExitCode.INVALID
    assert stdout == ""
    first = stderr.splitlines()[0]
    assert first.startswith(f"apispec: error: {project / 'service.yaml'}: plain: `{SDIST_ONLY}` has no binary wheel for python3.12 on Linux aarch64")
    assert "Pin a version that publishes such a wheel" in first and "PIP_FIND_LINKS" in first and "`build:`" in first
    assert "pip said:" in first and f"No matching distribution found for {SDIST_ONLY}" in stderr
    assert stderr.rstrip().endswith(f"no zip of {project / 'service.yaml'} was written")
    assert not list((project / "out").rglob("*.zip")) and not list((project / "out").rglob("*.tmp"))


def test_the_platform_tags_are_those_of_the_runtime_s_amazon_linux() -> None:
    """Python 3.12 and later run on Amazon Linux 2023 (glibc 2.34), 3.11 and earlier on Amazon Linux 2 (2.26)."""
    assert python.platforms("python3.12", "arm64") == [
        *(f"manylinux_2_{n}_aarch64" for n in range(34, 16, -1)),
        "manylinux2014_aarch64",
    ]
    assert python.platforms("python3.11", "x86_64") == [
        *(f"manylinux_2_{n}_x86_64" for n in range(26, 4, -1)),
        "manylinux2014_x86_64",
        "manylinux2010_x86_64",
        "manylinux1_x86_64",
    ]


# --- build commands -------------------------------------------------------------------------------------

BUILD_SPEC = """\
service: built
functions:
  api:
    source: app
    handler: bootstrap
    runtime: provided.al2023
    build:
      command: {command}
      output: dist
  lib:
    source: code
    handler: main.handler
routes:
  GET /: api
  GET /lib: lib
"""
BUILD = "mkdir -p dist && printf '#!/bin/sh\\necho %s\\n' \"$APISPEC_ARCHITECTURE\" > dist/bootstrap && chmod +x dist/bootstrap"


@pytest.fixture
def built(project: Path) -> Path:
    """A custom-runtime function built by a shell command, next to a Python function with dependencies."""
    _write(project, {"app/main.go": "package main\n"})
    (project / "service.yaml").write_text(BUILD_SPEC.format(command=json.dumps(BUILD)))
    return project


def test_a_build_command_runs_in_source_and_its_output_is_zipped(built: Path) -> None:
    code, stdout, stderr = package(built)
    assert code == ExitCode.OK, stderr
    assert stdout.splitlines()[0] == f"api: built {built / 'out' / 'built' / 'packages' / 'api.zip'} (build)"
    archive = built / "out" / "built" / "packages" / "api.zip"
    assert _entries(archive) == [("bootstrap", (1980, 1, 1, 0, 0, 0), 0o100755)]
    assert _read(archive, "bootstrap") == "#!/bin/sh\necho arm64\n"
    assert package(built)[1].splitlines()[0].startswith("api: unchanged ")  # its output is not its input


def test_a_build_output_written_with_dots_and_slashes_is_still_not_an_input(built: Path) -> None:
    (built / "service.yaml").write_text((built / "service.yaml").read_text().replace("output: dist", "output: ./dist/"))
    assert package(built)[1].splitlines()[0].startswith("api: built ")
    assert package(built)[1].splitlines()[0].startswith("api: unchanged ")


def test_a_failing_build_command_shows_its_output_and_writes_nothing(built: Path) -> None:
    (built / "service.yaml").write_text(BUILD_SPEC.format(command=json.dumps("echo compiling; echo 'main.go:1: syntax error' >&2; exit 3")))
    code, stdout, stderr = package(built)
    assert code == ExitCode.INVALID
    assert stdout == ""
    assert stderr.splitlines()[:3] == [
        f"apispec: error: {built / 'service.yaml'}: api: build command `echo compiling; echo 'main.go:1: syntax error' >&2; exit 3` "
        f"failed with exit code 3 in `{built.as_posix()}/app`:",
        "  | compiling",
        "  | main.go:1: syntax error",
    ]
    assert not (built / "out").exists() or not list((built / "out").rglob("*.zip"))


def test_a_failure_keeps_the_previous_zips_and_cache(built: Path) -> None:
    assert package(built)[0] == ExitCode.OK
    packages = built / "out" / "built" / "packages"
    before = {p.name: p.read_bytes() for p in packages.iterdir()}
    (built / "code" / "main.py").write_text(HANDLER + "# changed\n")
    (built / "service.yaml").write_text(BUILD_SPEC.format(command=json.dumps("exit 1")))
    assert package(built)[0] == ExitCode.INVALID
    assert {p.name: p.read_bytes() for p in packages.iterdir()} == before


def test_a_build_output_outside_source_is_an_error(project: Path) -> None:
    (project / "service.yaml").write_text(BUILD_SPEC.format(command="make").replace("output: dist", "output: ../dist"))
    _write(project, {"app/Makefile": ""})
    code, _, stderr = package(project)
    assert code == ExitCode.INVALID
    assert "error E227: functions.api.build.output: build output `../dist` must be a directory inside `source`" in stderr


# --- Node.js --------------------------------------------------------------------------------------------

NODE_SPEC = """\
service: node
functions:
  app:
    source: app
    handler: index.handler
    runtime: nodejs22.x
routes:
  GET /: app
"""


def _npm_tarball(directory: Path) -> Path:
    """`left-pad-1.0.0.tgz` as `npm pack` makes it: the files under `package/`."""
    tarball = directory / "left-pad-1.0.0.tgz"
    import tarfile  # only here: the Node case's vendored dependency

    with tarfile.open(tarball, "w:gz") as archive:
        for name, text in {"package/package.json": '{"name": "left-pad", "version": "1.0.0", "main": "index.js"}\n', "package/index.js": "module.exports = (s) => s;\n"}.items():
            data = text.encode()
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return tarball


@pytest.fixture
def node_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    monkeypatch.setenv("npm_config_offline", "true")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    app_dir = tmp_path / "app"
    (app_dir / "vendor").mkdir(parents=True)
    _npm_tarball(app_dir / "vendor")
    manifest = {"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "file:vendor/left-pad-1.0.0.tgz"}, "devDependencies": {"dev-only": "file:vendor/dev-only"}}
    _write(app_dir, {"index.js": "exports.handler = async () => require('left-pad')('ok');\n", "package.json": json.dumps(manifest), "vendor/dev-only/package.json": '{"name": "dev-only", "version": "1.0.0"}'})
    subprocess.run([npm, "install", "--package-lock-only", "--offline", "--no-audit", "--no-fund"], cwd=app_dir, check=True, capture_output=True)
    (tmp_path / "service.yaml").write_text(NODE_SPEC)
    yield tmp_path


def test_node_production_dependencies_are_installed_from_the_lock_file(node_project: Path) -> None:
    code, stdout, stderr = package(node_project)
    assert code == ExitCode.OK, stderr
    archive = node_project / "out" / "node" / "packages" / "app.zip"
    assert stdout.splitlines() == [f"app: built {archive} (node)"]
    names = [name for name, _, _ in _entries(archive)]
    assert "index.js" in names and "node_modules/left-pad/index.js" in names and "package-lock.json" in names
    assert not [n for n in names if n.startswith("node_modules/dev-only")]
    assert not (node_project / "app" / "node_modules").exists()  # installed in a copy, not in the user's tree


def test_node_dependencies_without_a_lock_file_are_an_error_naming_the_fix(node_project: Path) -> None:
    (node_project / "app" / "package-lock.json").unlink()
    code, _, stderr = package(node_project)
    assert code == ExitCode.INVALID
    assert "has dependencies but no `package-lock.json`: run `npm install` there once" in stderr


# --- what `build` writes for packaged functions ---------------------------------------------------------


def test_build_points_terraform_and_cloudformation_at_the_zip_and_sam_at_the_build_output(built: Path) -> None:
    result = runner.invoke(app, ["build", str(built / "service.yaml"), "--out", str(built / "out"), "--target", "all"])
    assert result.exit_code == ExitCode.OK, result.output
    out = built / "out" / "built"
    main = json.loads((out / "terraform" / "main.tf.json").read_text())
    functions = main["resource"]["aws_lambda_function"]
    assert {k: (v["filename"], v["source_code_hash"]) for k, v in functions.items()} == {
        "api": ("${path.module}/../packages/api.zip", '${filebase64sha256("${path.module}/../packages/api.zip")}'),
        "lib": ("${path.module}/../packages/lib.zip", '${filebase64sha256("${path.module}/../packages/lib.zip")}'),
    }
    assert "data" not in main or "archive_file" not in main["data"]
    providers = json.loads((out / "terraform" / "providers.tf.json").read_text())
    assert list(providers["terraform"]["required_providers"]) == ["aws"]
    cloudformation = (out / "cloudformation" / "template.yaml").read_text()
    assert 'Code: "../packages/api.zip"' in cloudformation and 'Code: "../packages/lib.zip"' in cloudformation
    sam = (out / "sam" / "template.yaml").read_text()
    assert 'CodeUri: "../../../app/dist"' in sam  # `build.output`, which `apispec package` fills
    assert 'CodeUri: "../../../code"' in sam  # a Python manifest stays with `sam build`
    assert not (out / "packages").exists()  # `build` installs nothing


def test_build_check_and_a_rebuild_leave_the_packages_alone(project: Path) -> None:
    assert package(project)[0] == ExitCode.OK
    spec, out = str(project / "service.yaml"), str(project / "out")
    assert runner.invoke(app, ["build", spec, "--out", out, "--target", "all"]).exit_code == ExitCode.OK
    check = runner.invoke(app, ["build", spec, "--out", out, "--target", "all", "--check"])
    assert check.exit_code == ExitCode.OK, check.output
    assert sorted(p.name for p in (project / "out" / "pkg" / "packages").iterdir()) == [".apispec-cache.json", "arm.zip", "intel.zip"]


def test_a_function_no_longer_packaged_loses_its_zip(project: Path) -> None:
    assert package(project)[0] == ExitCode.OK
    (project / "service.yaml").write_text(SPEC.replace("  intel:\n    source: code", "  intel:\n    source: plain"))
    assert package(project)[0] == ExitCode.OK
    assert sorted(p.name for p in (project / "out" / "pkg" / "packages").iterdir()) == [".apispec-cache.json", "arm.zip"]


def test_env_is_a_usage_error_for_a_spec_without_environments(project: Path) -> None:
    code, _, stderr = package(project, "--env", "prod")
    assert code == ExitCode.USAGE
    assert "--env prod:" in stderr and "has no environments" in stderr


def test_an_invalid_spec_packages_nothing(project: Path) -> None:
    (project / "service.yaml").write_text(SPEC.replace("architecture: x86_64", "architecture: sparc"))
    code, _, stderr = package(project)
    assert code == ExitCode.INVALID and "functions.intel.architecture" in stderr
    assert not (project / "out").exists()


# --- the pieces -----------------------------------------------------------------------------------------


def test_zips_are_sorted_by_path_bytes_not_by_walk_order(tmp_path: Path) -> None:
    _write(tmp_path / "src", {"b.py": "b", "B.py": "B", "a/z.py": "z", "a-b.py": "ab", "é.py": "e"})
    write_zip(files_under(tmp_path / "src"), tmp_path / "one.zip")
    assert [name for name, _, _ in _entries(tmp_path / "one.zip")] == ["B.py", "a-b.py", "a/z.py", "b.py", "é.py"]
    assert hashlib.sha256((tmp_path / "one.zip").read_bytes()).hexdigest() == hashlib.sha256(_rezip(tmp_path)).hexdigest()


def _rezip(tmp_path: Path) -> bytes:
    write_zip(files_under(tmp_path / "src"), tmp_path / "two.zip")
    return (tmp_path / "two.zip").read_bytes()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_line_rewritten_on_a_terminal_and_nothing_elsewhere() -> None:
    terminal = _Terminal()
    status = _StatusLine(terminal)
    status.show("arm", "Collecting purelib")
    status.show("arm", "")
    status.clear()
    assert terminal.getvalue() == "\r\x1b[Karm: Collecting purelib\r\x1b[K"
    assert not _StatusLine(io.StringIO()).live


def test_the_example_with_a_dependency_is_packaged_by_the_documented_command() -> None:
    """specs/quotes: the README's run command (`scripts/build-examples`, through `scripts/package-examples`) packages it; `out/*/packages/` stays out of git."""
    assert (ROOT / "specs" / "quotes" / "src" / "quote" / "requirements.txt").read_text() == "orjson==3.10.15\n"
    assert "apispec package specs/*/service.yaml" in (ROOT / "scripts" / "package-examples").read_text()
    assert "package-examples" in (ROOT / "scripts" / "build-examples").read_text()
    assert "out/*/packages/" in (ROOT / ".gitignore").read_text().splitlines()
