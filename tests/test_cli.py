"""The command line as the contract describes it: commands, exit codes, output layout, atomic writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compiler import __version__
from compiler.cli import app
from compiler.exitcodes import ExitCode
from tests.conftest import ROOT

runner = CliRunner()
TUTORIAL = ROOT / "specs" / "tutorial"


@pytest.fixture
def tutorial(tmp_path: Path) -> Path:
    """A copy of the tutorial spec in a scratch directory."""
    shutil.copytree(TUTORIAL, tmp_path / "tutorial")
    return tmp_path / "tutorial" / "service.yaml"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == ExitCode.OK
    assert result.stdout.strip() == f"apispec {__version__}"


def test_version_matches_the_distribution() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__
    assert project["name"] != "apispec"


def test_build_writes_the_default_targets(tutorial: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(tutorial), "--out", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.OK, result.output
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == [
        "demo/sam/samconfig.toml",
        "demo/sam/template.yaml",
        "demo/terraform/main.tf.json",
        "demo/terraform/outputs.tf.json",
        "demo/terraform/providers.tf.json",
        "demo/terraform/variables.tf.json",
    ]


@pytest.mark.parametrize(
    ("targets", "directories"),
    [
        (["--target", "cloudformation"], ["cloudformation"]),
        (["--target", "sam", "--target", "terraform"], ["sam", "terraform"]),
        (["--target", "all"], ["cloudformation", "sam", "terraform"]),
    ],
)
def test_build_targets(tutorial: Path, tmp_path: Path, targets: list[str], directories: list[str]) -> None:
    result = runner.invoke(app, ["build", str(tutorial), "--out", str(tmp_path / "out"), *targets])
    assert result.exit_code == ExitCode.OK, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "demo").iterdir()) == directories


def test_failed_build_writes_nothing(tutorial: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    shutil.copy(tutorial, good)
    tutorial.write_text(tutorial.read_text().replace("timeout: 10", "timeout: 901"))
    result = runner.invoke(app, ["build", str(good), str(tutorial), "--out", str(tmp_path / "out")])
    assert result.exit_code == ExitCode.INVALID
    assert "functions.user-request.timeout" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("source", "out", "refused"), [(".", "out", True), ("code/user_request", "code/user_request/out", True), (".", "../elsewhere", False)])
def test_a_source_directory_may_not_hold_the_outputs(tutorial: Path, source: str, out: str, refused: bool) -> None:
    """Else Terraform's zip and `sam build` take in the outputs, with Terraform's state."""
    tutorial.write_text(tutorial.read_text().replace("source: code/user_request", f"source: {source}"))
    (tutorial.parent / "main.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    result = runner.invoke(app, ["build", str(tutorial), "--out", str(tutorial.parent / out)])
    if refused:
        assert result.exit_code == ExitCode.INVALID
        assert "error E703: functions.user-request.source:" in result.stderr
        assert not (tutorial.parent / out).exists()
    else:
        assert result.exit_code == ExitCode.OK, result.output


def test_check_reports_missing_changed_and_stale_files(tutorial: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(tutorial), "--out", str(out), "--target", "all"]
    assert runner.invoke(app, [*args, "--check"]).exit_code == ExitCode.INVALID  # missing
    assert not out.exists()
    assert runner.invoke(app, args).exit_code == ExitCode.OK
    assert runner.invoke(app, [*args, "--check"]).exit_code == ExitCode.OK
    main = out / "demo" / "terraform" / "main.tf.json"
    main.write_text(main.read_text() + " ")
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == ExitCode.INVALID
    assert "main.tf.json: differs" in result.stderr
    assert runner.invoke(app, args).exit_code == ExitCode.OK
    shutil.copy(main, out / "demo" / "terraform" / "old.tf.json")  # written by an earlier build
    (out / "demo" / "terraform" / "backend.tf.json").write_text("{}")  # the user's own
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == ExitCode.INVALID
    assert "old.tf.json: stale" in result.stderr
    assert "backend.tf.json" not in result.stderr


def test_check_in_json_lists_the_stale_outputs(tutorial: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(tutorial), "--out", str(out)]
    assert runner.invoke(app, args).exit_code == ExitCode.OK
    (out / "demo" / "sam" / "template.yaml").unlink()
    result = runner.invoke(app, [*args, "--check", "--format", "json"])
    assert result.exit_code == ExitCode.INVALID
    (problem,) = json.loads(result.stdout)
    assert problem == {
        "file": str(out / "demo" / "sam" / "template.yaml"),
        "line": 1,
        "column": 1,
        "severity": "error",
        "code": "E801",
        "path": "(output)",
        "message": f"missing; run `apispec build {tutorial} --out {out} --target terraform --target sam` to update it",
    }


def test_build_removes_stale_owned_files_and_keeps_others(tutorial: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    terraform = out / "demo" / "terraform"
    terraform.mkdir(parents=True)
    (terraform / "old.tf.json").write_text('{"//": "Generated by apispec from a service.yaml: change the spec and rebuild, not this file."}')
    (terraform / "backend.tf.json").write_text('{"terraform": {"backend": {"s3": {}}}}')
    (terraform / "terraform.tfstate").write_text("{}")
    (terraform / ".terraform").mkdir()
    (out / "notes.txt").write_text("mine")
    assert runner.invoke(app, ["build", str(tutorial), "--out", str(out)]).exit_code == ExitCode.OK
    assert not (terraform / "old.tf.json").exists()
    assert (terraform / "backend.tf.json").exists()
    assert (terraform / "terraform.tfstate").exists()
    assert (terraform / ".terraform").is_dir()
    assert (out / "notes.txt").read_text() == "mine"


def test_build_never_replaces_a_file_it_did_not_write(tutorial: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sam = out / "demo" / "sam"
    sam.mkdir(parents=True)
    (sam / "template.yaml").write_text("# my own template\n")
    args = ["build", str(tutorial), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == ExitCode.USAGE
    assert "template.yaml: exists but was not generated by apispec" in result.stderr
    assert (sam / "template.yaml").read_text() == "# my own template\n"
    assert not (out / "demo" / "terraform").exists()  # nothing was written
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == ExitCode.INVALID
    assert "template.yaml: exists but was not generated by apispec" in result.stderr


def test_validate_many_files_reports_every_problem(tutorial: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("service: x\nfunctions:\n  a: {source: nowhere, handler: main.handler, memory: 64}\n")
    tutorial.write_text(tutorial.read_text().replace("timeout: 10", "timeout: 901"))
    result = runner.invoke(app, ["validate", str(tutorial), str(other)])
    assert result.exit_code == ExitCode.INVALID
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{other}:3:") and "memory" in line for line in lines)
    assert any(line.startswith(f"{tutorial}:14:14: error") and "timeout" in line for line in lines)


def test_validate_json_format(tutorial: Path) -> None:
    tutorial.write_text(tutorial.read_text().replace("arm64", "arm"))
    result = runner.invoke(app, ["validate", "--format", "json", str(tutorial)])
    assert result.exit_code == ExitCode.INVALID
    (problem,) = json.loads(result.stdout)
    assert set(problem) >= {"file", "line", "column", "severity", "path", "message"}
    assert problem["path"] == "functions.user-request.architecture"
    assert (problem["line"], problem["column"], problem["severity"]) == (13, 19, "error")


@pytest.mark.parametrize("arguments", [["validate", "missing.yaml"], ["build", "missing.yaml"], ["validate", "."], ["build", "--bogus"]])
def test_usage_errors_exit_2(arguments: list[str]) -> None:
    assert runner.invoke(app, arguments).exit_code == ExitCode.USAGE


def test_the_suite_runs_every_apispec_on_its_own_today() -> None:
    """conftest's autouse fixture: CliRunner and every subprocess (serve, pre-commit, `build --check`) read it."""
    assert os.environ["APISPEC_TODAY"] == "2026-11-25"


@pytest.mark.parametrize(
    ("today", "code", "message"),
    [
        ("2028-10-30", ExitCode.OK, ""),  # the day before python3.12's deprecation
        ("2028-10-31", ExitCode.OK, "warning W211: functions.user-request.runtime: `python3.12` was deprecated on 2028-10-31"),
        ("2028-11-30", ExitCode.INVALID, "error E211: functions.user-request.runtime: AWS blocks creating functions with `python3.12` since 2028-11-30"),
    ],
)
def test_apispec_today_sets_the_date_runtimes_are_checked_on(tutorial: Path, today: str, code: int, message: str) -> None:
    for command in (["validate"], ["build", "--out", str(tutorial.parent / "out")]):
        result = runner.invoke(app, [*command, str(tutorial)], env={"APISPEC_TODAY": today})
        assert result.exit_code == code, result.output
        assert message in result.stderr if message else "W211" not in result.stderr


@pytest.mark.parametrize("today", ["2026-13-01", "2026-02-30", "tomorrow", "20261125", "2026-11-25T00:00", " 2026-11-25"])
def test_a_bad_apispec_today_is_a_usage_error(tutorial: Path, today: str) -> None:
    result = subprocess.run([sys.executable, "-m", "compiler", "validate", str(tutorial)], capture_output=True, text=True,
                            env={**os.environ, "APISPEC_TODAY": today}, check=False)
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == f"apispec: error: APISPEC_TODAY={today!r}: give a date as YYYY-MM-DD, e.g. APISPEC_TODAY=2026-11-25, or unset it\n"


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_traceback(tutorial: Path, output_format: str) -> None:
    tutorial.write_text(tutorial.read_text() + "名前: x\n😀: y\n")
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "validate", "--format", output_format, str(tutorial)],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        check=False,
    )
    assert result.returncode == ExitCode.INVALID
    assert b"Traceback" not in result.stderr
    if output_format == "json":
        assert [d["path"] for d in json.loads(result.stdout)] == ["名前", '["😀"]']
    else:
        assert b"error E101: \\u540d\\u524d: unknown key" in result.stderr


def test_schema_prints_the_committed_json_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == ExitCode.OK
    assert result.stdout == (ROOT / "schemas" / "service.schema.json").read_text()
    assert runner.invoke(app, ["schema", "--out", str(tmp_path / "s.json")]).exit_code == ExitCode.OK
    assert (tmp_path / "s.json").read_text() == result.stdout


def test_builds_are_byte_identical_across_hash_seeds_and_working_directories(tmp_path: Path) -> None:
    """Two builds of every example, from different directories and hash seeds, give the same bytes."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "specs", project / "specs")
    names = sorted(p.parent.name for p in (project / "specs").glob("*/service.yaml"))
    runs = [
        ("1", project, [f"specs/{n}/service.yaml" for n in names], "out-a"),
        ("4242", project / "specs", [f"{n}/service.yaml" for n in names], "../out-b"),
    ]
    outputs = []
    for seed, cwd, specs, out in runs:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "compiler", "build", *specs, "--target", "all", "--out", out],
            cwd=cwd, env=env, check=True, capture_output=True,
        )
        directory = (cwd / out).resolve()
        outputs.append({p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert outputs[0] == {k: v for k, v in _committed_out().items() if k in outputs[0]}
    for content in outputs[0].values():
        assert str(tmp_path).encode() not in content
        assert str(ROOT).encode() not in content


def _committed_out() -> dict[str, bytes]:
    out = ROOT / "out"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_unwritable_outputs_are_usage_errors_not_tracebacks(tutorial: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = runner.invoke(app, ["build", str(tutorial), "--out", str(blocker)])
    assert result.exit_code == ExitCode.USAGE
    assert "cannot write the outputs" in result.stderr
    result = runner.invoke(app, ["schema", "--out", str(blocker / "schema.json")])
    assert result.exit_code == ExitCode.USAGE
    assert "cannot write" in result.stderr
