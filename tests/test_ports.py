"""What porting real SAM and Serverless projects tripped over, each as its author met it.

Every case was a false error or a message that pointed the wrong way; the expected messages are
written out whole, so a change to any of them is reviewed here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compiler.cli import app
from compiler.exitcodes import ExitCode
from compiler.pipeline import check
from tests.conftest import TODAY, compile_spec
from tests.support.validators import cfn_lint

runner = CliRunner()


def _project(tmp_path: Path, spec: str, files: dict[str, str] | None = None) -> Path:
    for name, text in (files or {"code/main.py": "def handler(event, context):\n    return {}\n"}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "service.yaml").write_text(spec)
    return tmp_path / "service.yaml"


def _report(spec: Path, today: dt.date = TODAY) -> list[str]:
    """`line:column severity code path: message` of every diagnostic."""
    return [f"{d.line}:{d.column} {d.severity} {d.code} {d.path}: {d.message}" for d in check(spec, today=today).diagnostics]


# --- the Lambda Web Adapter: `handler: run.sh` behind AWS_LAMBDA_EXEC_WRAPPER ------------------------

WEB_ADAPTER = """\
service: web
functions:
  app:
    source: app
    handler: run.sh
    runtime: {runtime}
    environment:
      AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap
      PORT: 8000
routes:
  $default: app
"""


@pytest.mark.parametrize("runtime", ["python3.13", "nodejs22.x"])
def test_a_web_adapter_function_is_valid_and_passes_cfn_lint(tmp_path: Path, runtime: str) -> None:
    """The adapter's documented set-up: the runtime starts `/opt/bootstrap`, which runs `run.sh`; the
    handler names no module, and AWS_LAMBDA_EXEC_WRAPPER is a variable Lambda lets functions set."""
    spec = _project(tmp_path, WEB_ADAPTER.format(runtime=runtime), {"app/run.sh": "#!/bin/sh\nexec python -m app\n"})
    assert _report(spec) == []
    compiled = compile_spec(spec, tmp_path / "out")
    for target in ("sam", "cloudformation"):
        assert cfn_lint(compiled.target_dir(target) / "template.yaml") == []


def test_without_a_wrapper_the_handler_module_is_still_looked_for(tmp_path: Path) -> None:
    spec = _project(tmp_path, WEB_ADAPTER.format(runtime="python3.13").replace("      AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap\n", ""), {"app/run.sh": ""})
    assert _report(spec) == ["5:14 error E208 functions.app.handler: handler module `run` not found: expected `run.py` under `app`"]


def test_an_os_only_runtime_reads_its_handler_itself(tmp_path: Path) -> None:
    spec = _project(tmp_path, WEB_ADAPTER.format(runtime="provided.al2023").replace("      AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap\n", ""), {"app/bootstrap": ""})
    assert _report(spec) == []


@pytest.mark.parametrize(
    ("name", "reserved"),
    [("AWS_LAMBDA_EXEC_WRAPPER", False), ("AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING", False), ("AWS_LAMBDA_FUNCTION_NAME", True), ("_X_AMZN_TRACE_ID", True)],
)
def test_only_the_names_lambda_lists_as_reserved_are_refused(tmp_path: Path, name: str, reserved: bool) -> None:
    spec = _project(tmp_path, f"service: web\nfunctions:\n  app: {{source: code, handler: main.handler, environment: {{{name}: x}}}}\n")
    expected = [f"3:60 error E213 functions.app.environment.{name}: `{name}` is reserved by Lambda and cannot be set; choose another name"]
    assert _report(spec) == (expected if reserved else [])


# --- deprecated runtimes: a warning until AWS blocks new functions -----------------------------------

RUNTIME_SPEC = "service: old\nfunctions:\n  app: {source: code, handler: index.handler, runtime: nodejs22.x}\n"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 4, 29), []),
        (
            dt.date(2027, 4, 30),
            ["3:56 warning W211 functions.app.runtime: `nodejs22.x` was deprecated on 2027-04-30; AWS blocks creating functions with it from 2027-06-01; use `nodejs24.x`"],
        ),
        (
            dt.date(2027, 6, 1),
            ["3:56 error E211 functions.app.runtime: AWS blocks creating functions with `nodejs22.x` since 2027-06-01 (deprecated on 2027-04-30); use `nodejs24.x`"],
        ),
    ],
)
def test_a_deprecated_runtime_is_a_warning_until_its_block_create_date(tmp_path: Path, today: dt.date, expected: list[str]) -> None:
    spec = _project(tmp_path, RUNTIME_SPEC, {"code/index.js": ""})
    assert _report(spec, today) == expected


# --- E201 on Serverless-style camelCase keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("createUser", "; use `create-user`"), ("getUserByID", "; use `get-user-by-id`"), ("HTTPProxy", "; use `http-proxy`"), ("1st", "")],
)
def test_a_camel_case_key_is_told_its_kebab_case_form(tmp_path: Path, key: str, suggestion: str) -> None:
    spec = _project(tmp_path, f"service: svc\nfunctions:\n  {key}: {{source: code, handler: main.handler}}\n")
    message = f"function key `{key}` must match `[a-z][a-z0-9_-]*` (lower case, start with a letter){suggestion}"
    assert [line for line in _report(spec) if " E201 " in line] == [f"3:3 error E201 functions.{key}: {message}"]


def test_no_key_is_suggested_that_another_function_has(tmp_path: Path) -> None:
    spec = _project(tmp_path, "service: svc\nfunctions:\n  createUser: {source: code, handler: main.handler}\n  create_user: {source: code, handler: main.handler}\n")
    assert [line for line in _report(spec) if " E201 " in line] == [
        "3:3 error E201 functions.createUser: function key `createUser` must match `[a-z][a-z0-9_-]*` (lower case, start with a letter)"
    ]


# --- an unquoted `,` inside `{…}` ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "  app: {source: code, handler: main.handler, description: reads (a, b)}\n",
            "3:69 error E101 functions.app[\"b)\"]: unknown key `b)`; allowed here: name, description, source, handler, runtime, architecture, "
            "memory, timeout, ephemeral_storage, environment, role, permissions, logging, tags, layers, tracing, vpc, reserved_concurrency, alias, "
            "provisioned_concurrency, managed_policies, permissions_boundary, kms_key_arn, code_signing_config_arn, events, build; an unquoted `,` inside `{…}` ends an entry: if this belongs "
            'to the value before it, quote that value (`description: "reads (a, b)"`)',
        ),
        (
            "  app: {source: code, handler: main.handler, environment: {GREETING: hello, world}}\n",
            "3:77 error E103 functions.app.environment.world: expected text, a number or `true` or `false`, got an empty value (null); "
            'an unquoted `,` inside `{…}` ends an entry: if this belongs to the value before it, quote that value (`GREETING: "hello, world"`)',
        ),
        (  # a quoted value was not cut: nothing to quote
            '  app: {source: code, handler: main.handler, description: "reads", b}\n',
            "3:68 error E101 functions.app.b: unknown key `b`; allowed here: name, description, source, handler, runtime, architecture, "
            "memory, timeout, ephemeral_storage, environment, role, permissions, logging, tags, layers, tracing, vpc, reserved_concurrency, alias, "
            "provisioned_concurrency, managed_policies, permissions_boundary, kms_key_arn, code_signing_config_arn, events, build",
        ),
    ],
)
def test_a_value_cut_at_a_comma_is_told_to_be_quoted(tmp_path: Path, line: str, expected: str) -> None:
    spec = _project(tmp_path, "service: svc\nfunctions:\n" + line)
    assert _report(spec) == [expected]


# --- W408 only where SAM is built -------------------------------------------------------------------

MANUAL_DEPLOY = "service: svc\nfunctions:\n  app: {source: code, handler: main.handler}\nroutes:\n  GET /: app\napi:\n  auto_deploy: false\n"
W408 = (
    "service.yaml:7:16: warning W408: api.auto_deploy: SAM always deploys its HttpApi stages automatically, so the `sam` target "
    "ignores this; the `terraform` and `cloudformation` targets deploy explicitly\n"
)


@pytest.mark.parametrize(
    ("command", "warned"),
    [
        (["validate"], False),
        (["build", "--target", "terraform", "--target", "cloudformation"], False),
        (["build", "--target", "sam"], True),
        (["build"], True),  # the default targets: terraform and sam
    ],
)
def test_sam_s_auto_deploy_is_mentioned_only_when_sam_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], warned: bool) -> None:
    _project(tmp_path, MANUAL_DEPLOY)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*command, "service.yaml"])
    assert result.exit_code == ExitCode.OK
    assert (W408 in result.stderr) is warned, result.stderr


# --- E405: REST API variables get their HTTP API counterpart ---------------------------------------------


@pytest.mark.parametrize(
    ("variable", "hint"),
    [
        ("$context.resourcePath", " (in an HTTP API: `$context.routeKey`, the matched route, e.g. `GET /items/{id}` or `$context.path`, the request path)"),
        ("$context.resourceId", " (in an HTTP API: `$context.routeKey`, the matched route)"),
        ("$context.xrayTraceId", "; it is a REST API variable, and HTTP APIs have no X-Ray tracing: remove the field"),
        ("$context.identity.apiKey", "; it is a REST API variable, and HTTP APIs have no API keys: remove the field"),
        ("$context.sourceIp", " (in an HTTP API: `$context.identity.sourceIp`, the caller's address)"),
        ("$context.requestTme", " (did you mean `$context.requestTime`?)"),  # a typo: spelling still answers
    ],
)
def test_access_log_variables_are_suggested_by_meaning(tmp_path: Path, variable: str, hint: str) -> None:
    spec = _project(
        tmp_path,
        "service: svc\nfunctions:\n  app: {source: code, handler: main.handler}\nroutes:\n  GET /: app\n"
        f"logging:\n  access_logs:\n    fields: {{id: $context.requestId, x: {variable}}}\n",
    )
    column = len("    fields: {id: $context.requestId, x: ") + 1
    assert _report(spec) == [f"8:{column} error E405 logging.access_logs.fields.x: `{variable}` is not an HTTP API `$context` variable{hint}"]
