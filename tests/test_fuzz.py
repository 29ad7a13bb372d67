"""Property: however an example spec is mutated, `validate` exits 0 or 1, never crashes, and every
diagnostic points inside the file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compiler.cli import app
from compiler.exitcodes import ExitCode
from tests.conftest import ROOT

LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (error|warning) [EW]\d{3}( \[[^]]+\])?: ")
EXAMPLES = sorted((ROOT / "specs").glob("*/service.yaml"))
runner = CliRunner()

# Pieces of YAML that break things in interesting ways.
FRAGMENTS = [
    "", " ", "\t", ":", "- ", "{", "}", "[", "]", "&a ", "*a", "!!python/object:os.system ", "!Ref ", "|", ">", "#",
    "'", '"', "null", "~", "true", "-1", "1e999", "99999999999999999999", "0x10", "\x00", "\u2028", "é", "\n",
    "functions:", "routes:", "api:", "$default", "GET /", "${param:x}", "<<: *a", "---", "...", "? ",
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """An example's text with a few lines replaced, duplicated, deleted or spliced."""
    path = draw(st.sampled_from(EXAMPLES))
    lines = path.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["replace", "delete", "duplicate", "splice", "indent", "dedent"]))
        if action == "replace":
            lines[index] = draw(st.sampled_from(FRAGMENTS)) + draw(st.text(max_size=12))
        elif action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "splice":
            cut = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:cut] + draw(st.sampled_from(FRAGMENTS)) + lines[index][cut:]
        elif action == "indent":
            lines[index] = "  " + lines[index]
        else:
            lines[index] = lines[index].lstrip()
    return path.parent.name, "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed_example", [p.parent.name for p in EXAMPLES])
def test_examples_themselves_are_valid(seed_example: str) -> None:
    assert runner.invoke(app, ["validate", str(ROOT / "specs" / seed_example / "service.yaml")]).exit_code == ExitCode.OK


settings.register_profile("default", max_examples=150)
settings.register_profile("deep", max_examples=3000)  # HYPOTHESIS_PROFILE=deep scripts/test tests/test_fuzz.py
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_specs_never_crash(tmp_path_factory: pytest.TempPathFactory, case: tuple[str, str]) -> None:
    example, text = case
    directory: Path = tmp_path_factory.mktemp("fuzz")
    (directory / "service.yaml").write_text(text, encoding="utf-8")
    for source in (ROOT / "specs" / example).iterdir():  # keep the handlers next to the spec
        if source.is_dir():
            (directory / source.name).symlink_to(source)
    result = runner.invoke(app, ["validate", str(directory / "service.yaml")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (ExitCode.OK, ExitCode.INVALID)
    total = text.count("\n") + 1
    for line in result.stderr.splitlines():
        match = LINE.match(line)
        assert match, line
        assert 1 <= int(match["line"]) <= total
        assert int(match["column"]) >= 1
    if result.exit_code == ExitCode.INVALID:
        assert " error E" in result.stderr


@settings(deadline=None)
@given(case=mutated())
def test_fast_and_pure_parsers_agree_on_mutated_specs(case: tuple[str, str]) -> None:
    """Whatever ruamel's YAML 1.2 parser reads, the libyaml fast path reads the same way.

    (libyaml accepts a few forms ruamel's parser refuses, such as a tab after `key:`; those are valid YAML.)
    """
    from compiler.loader import load_text

    text = case[1] + "\n" + "#" * 5000 + "\n"  # long enough for the fast path
    fast, pure = load_text(text, Path("s.yaml")), load_text(text, Path("s.yaml"), fast=False)
    if not any(f.code == "E003" for f in pure.findings):
        assert (fast.data, fast.positions, fast.findings) == (pure.data, pure.positions, pure.findings)


def test_line_breaks_only_yaml_1_1_has_leave_positions_alone() -> None:
    """NEL, LS and PS are no line breaks in YAML 1.2: a long spec holding one (read by the fast path
    otherwise) keeps the positions the exact parser gives (a case the fuzzer found)."""
    from compiler.loader import load_text

    for mark in ("\x85", "\u2028", "\u2029"):
        text = f"# {mark}\nservice: x\n" + "#" * 5000 + "\n"
        fast, pure = load_text(text, Path("s.yaml")), load_text(text, Path("s.yaml"), fast=False)
        assert fast.positions[("service",)] == pure.positions[("service",)]
        assert fast.positions[("service",)].key_line == 2
