"""`apispec build` over a previous build says what deploying it deletes, and warns of names a new resource takes from an old one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compiler.cli import app

runner = CliRunner()

SPEC = """\
service: demo
functions:
  orders:
    source: code
    handler: main.handler
  users:
    name: accounts
    source: code
    handler: main.handler
routes:
  GET /orders: orders
  GET /users: users
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "service.yaml").write_text(SPEC)
    return tmp_path


def build(project: Path, spec: str | None = None) -> list[str]:
    """Build into `<project>/out` (with `spec` as the service.yaml, if given) and return the lines of stderr."""
    if spec is not None:
        (project / "service.yaml").write_text(spec)
    result = runner.invoke(app, ["build", str(project / "service.yaml"), "--out", str(project / "out"), "--target", "all"])
    assert result.exit_code == 0, result.output
    return result.stderr.splitlines()


def notes(lines: list[str]) -> list[str]:
    return [line.split(": ", 1)[1] for line in lines if not line.startswith("wrote ")]


def test_a_first_build_and_an_unchanged_one_say_nothing(project: Path) -> None:
    assert notes(build(project)) == []
    assert notes(build(project)) == []


def test_a_key_renamed_with_its_name_kept_replaces_nothing(project: Path) -> None:
    build(project)
    assert notes(build(project, SPEC.replace("  users:\n", "  people:\n").replace(": users\n", ": people\n"))) == []


def test_a_renamed_function_is_deleted_and_made_anew(project: Path) -> None:
    build(project)
    lines = build(project, SPEC.replace("  orders:\n", "  purchases:\n").replace(": orders\n", ": purchases\n"))
    out = project / "out" / "demo"
    assert lines[:3] == [
        f"{out / 'terraform' / 'main.tf.json'}: note: deploying it over the previous build deletes 5: aws_cloudwatch_log_group.orders, "
        "aws_iam_role.orders, aws_iam_role_policy.orders, aws_lambda_function.orders, aws_apigatewayv2_integration.orders",
        f"{out / 'sam' / 'template.yaml'}: note: deploying it over the previous build deletes 4: OrdersLogGroup (AWS::Logs::LogGroup), "
        "OrdersRole (AWS::IAM::Role), OrdersPolicy (AWS::IAM::Policy), OrdersFunction (AWS::Serverless::Function)",
        f"{out / 'cloudformation' / 'template.yaml'}: note: deploying it over the previous build deletes 5: OrdersLogGroup "
        "(AWS::Logs::LogGroup), OrdersRole (AWS::IAM::Role), OrdersPolicy (AWS::IAM::Policy), OrdersFunction "
        "(AWS::Lambda::Function), OrdersIntegration (AWS::ApiGatewayV2::Integration)",
    ]
    assert not any("WARNING" in line for line in lines)  # the new resources have new names


def test_a_new_id_taking_a_name_an_old_one_holds_is_a_warning(project: Path) -> None:
    """A previous build that named the log group otherwise (as an older apispec could): the deploy would fail."""
    build(project)
    template = project / "out" / "demo" / "cloudformation" / "template.yaml"
    template.write_text(template.read_text().replace("AccountsLogGroup", "UsersLogGroup"))
    module = project / "out" / "demo" / "terraform" / "main.tf.json"
    main = json.loads(module.read_text().replace("aws_cloudwatch_log_group.accounts.", "aws_cloudwatch_log_group.users."))
    groups = main["resource"]["aws_cloudwatch_log_group"]
    groups["users"] = groups.pop("accounts")
    module.write_text(json.dumps(main))
    lines = notes(build(project))
    assert "WARNING: the next deploy will fail: AccountsLogGroup takes `/aws/lambda/accounts`, which UsersLogGroup holds, and CloudFormation creates AccountsLogGroup before it deletes UsersLogGroup; deploy once with a different name for it, or keep the previous spec" in lines
    assert (
        "WARNING: aws_cloudwatch_log_group.accounts takes the name aws_cloudwatch_log_group.users holds: Terraform destroys and creates "
        'each pair in no set order, so `apply` can fail, and the resources are made anew; to keep them, put {"moved": [{"from": '
        '"aws_cloudwatch_log_group.users", "to": "aws_cloudwatch_log_group.accounts"}]} in a .tf.json file of yours beside the outputs'
    ) in lines


def test_routes_that_trade_names_may_fail(project: Path) -> None:
    """Twin routes (same words) swapped in the file trade their names: the new id takes a route key the other still holds."""
    twins = SPEC.replace("  GET /users: users\n", "  GET /users: users\n  GET /a-b: orders\n  GET /a_b: orders\n")
    build(project, twins)
    lines = notes(build(project, twins.replace("  GET /a-b: orders\n  GET /a_b: orders\n", "  GET /a_b: orders\n  GET /a-b: orders\n")))
    warnings = [line for line in lines if line.startswith("WARNING")]
    assert len(warnings) == 2  # Terraform and CloudFormation (SAM's routes are events of the function)
    assert all("the next deploy can fail" in line and "takes `GET /a-b`" in line for line in warnings)
