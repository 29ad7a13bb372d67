"""Deploy-time references (`${ssm:…}`, `${import:…}`, `${aws:…}`, `${self:…}` beside `${param:…}`):
where they may stand, what each is wrong about, and what every target makes of each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compiler import ir
from compiler.backends import backend
from compiler.cli import app
from compiler.lower import text_value
from compiler.pipeline import check
from compiler.references import Scope
from compiler.serialize import Tagged
from tests.conftest import TODAY

runner = CliRunner()
LINE = re.compile(r"^[^:]+:(?P<line>\d+):(?P<column>\d+): (?:error|warning) (?P<code>[EW]\d{3}): (?P<path>\S.*?): (?P<message>.+)$")

SPEC = """\
service: refs
parameters:
  stage: {default: prod}
tags:
  owner: ${ssm:/teams/owner}
  stack: ${self:prefix}
functions:
  api:
    source: code
    handler: main.handler
    environment:
      QUEUE_URL: ${ssm:/orders/queue-url}
      TABLE: ${import:shared-TableName}
      WHERE: ${aws:region}/${aws:account_id}/${aws:partition}
      MIXED: q=${ssm:/orders/queue-url};t=${import:shared-TableName};s=${param:stage};p=${self:prefix}
    permissions:
      - actions: [sqs:SendMessage]
        resources: ["arn:${aws:partition}:sqs:${aws:region}:${aws:account_id}:orders", "${import:shared-QueueArn}"]
routes:
  GET /: api
  GET /legacy/{proxy+}: {url: "${ssm:/legacy/url}/{proxy}"}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    return tmp_path


def _documents(project: Path, spec: str, target: str) -> dict[str, Any]:
    (project / "service.yaml").write_text(spec)
    checked = check(project / "service.yaml", today=TODAY)
    assert checked.ok and checked.graph is not None, checked.diagnostics
    return {r.path: r.document for r in backend(target)(checked.graph, "..")}


def _findings(project: Path, spec: str) -> list[str]:
    (project / "service.yaml").write_text(spec)
    result = runner.invoke(app, ["validate", str(project / "service.yaml")])
    return [f"{m['line']}:{m['column']} {m['code']} {m['path']}: {m['message']}" for m in map(LINE.match, result.stderr.splitlines()) if m]


# -- lowering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("plain", "plain"),
        ("${ssm:/a/b}", ir.Ssm("/a/b")),
        ("${import:net-VpcId}", ir.Import("net-VpcId")),
        ("${aws:region}", ir.Pseudo("region")),
        ("${param:p}", ir.Param("p")),
        ("${self:prefix}-x", "shop-x"),
        ("${self:env}", "prod"),
        ("a${self:prefix}b${aws:account_id}", ir.Sub(("ashopb", ir.Pseudo("account_id")))),
        ("${aws:username}", "${aws:username}"),  # an IAM policy variable: text
        ("${secret:x}", "${secret:x}"),  # reported (E620), left as text
    ],
)
def test_text_value_is_the_one_way_a_spec_string_becomes_a_value(text: str, value: ir.Value) -> None:
    assert text_value(text, Scope("shop", "prod")) == value


# -- diagnostics ------------------------------------------------------------------------------

MINIMAL = """\
service: demo
functions:
  api:
    source: code
    handler: main.handler
routes:
  GET /: api
"""


def _env(value: str) -> str:
    return MINIMAL.replace("    source: code\n", f"    source: code\n    environment: {{VAL: '{value}'}}\n")


@pytest.mark.parametrize(
    ("spec", "finding"),
    [
        (_env("${secret:db/password}"), "5:24 E620 functions.api.environment.VAL: `${secret:db/password}`: Secrets Manager values are not offered"),
        (_env("${vault:x}"), "5:24 E620 functions.api.environment.VAL: `${vault:x}` is no reference apispec knows; the known ones are `${param:…}`, `${ssm:…}`"),
        (_env("${SSM:/x}"), "5:24 E620 functions.api.environment.VAL: `${SSM:/x}` is no reference apispec knows"),
        (_env("${aws:region_name}"), "5:24 E620 functions.api.environment.VAL: `${aws:region_name}` is not known; write one of `${aws:region}`"),
        (_env("${self:service}"), "5:24 E620 functions.api.environment.VAL: `${self:service}` is not known; write `${self:prefix}` or `${self:env}`"),
        (_env("${self:env}"), "5:24 E620 functions.api.environment.VAL: `${self:env}` is the environment's name, and this spec has no `environments`"),
        (_env("${ssm:a b}"), "5:24 E620 functions.api.environment.VAL: `${ssm:a b}` does not name an SSM parameter"),
        (_env("${import:a/b}"), "5:24 E620 functions.api.environment.VAL: `${import:a/b}` does not name a CloudFormation export"),
        (
            MINIMAL.replace("    handler: main.handler\n", "    handler: main.handler\n    description: 'reads ${ssm:/x}'\n"),
            "6:18 E621 functions.api.description: `${ssm:/x}` stays text here: references are substituted only in",
        ),
        (MINIMAL.replace("    handler: main.handler", "    handler: ${self:prefix}.handler"), "5:14 E621 functions.api.handler: `${self:prefix}` stays text here"),
        (MINIMAL + "api:\n  name: '${secret:n}'\n", "9:9 E621 api.name: `${secret:n}`: Secrets Manager values are not offered"),
        (MINIMAL + "tags: {team: '${secret:team}'}\n", "8:14 E620 tags.team: `${secret:team}`: Secrets Manager values"),
    ],
)
def test_each_misused_reference_is_located_with_its_fix(project: Path, spec: str, finding: str) -> None:
    found = _findings(project, spec)
    assert any(f.startswith(finding) for f in found), found


def test_the_secret_error_says_why_and_what_to_do(project: Path) -> None:
    (found,) = _findings(project, _env("${secret:db}"))
    assert "plain text in the function's configuration" in found
    assert "read it at run time with `secretsmanager:GetSecretValue`" in found


def test_policy_variables_stay_allowed_in_permissions(project: Path) -> None:
    spec = MINIMAL.replace(
        "    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['arn:aws:s3:::b/${aws:username}/*']}]\n"
    )
    assert _findings(project, spec) == []


def test_references_are_allowed_in_every_place_of_section_a(project: Path) -> None:
    spec = (
        MINIMAL.replace("  GET /: api", "  GET /: {function: api, authorizer: users, scopes: ['${self:prefix}/read']}\n  GET /old: {url: '${ssm:/old/url}'}")
        + "tags: {owner: '${ssm:/owner}', account: '${aws:account_id}'}\n"
        + "api:\n  domain: {name: api.example.com, certificate_arn: '${import:certs-Api}', hosted_zone_id: '${ssm:/zone}'}\n"
        + "  authorizers:\n    users: {type: jwt, issuer: '${ssm:/auth/issuer}', audience: ['${ssm:/auth/client}']}\n"
    )
    assert _findings(project, spec) == []


# -- every target renders each reference ------------------------------------------------------


def test_terraform_reads_values_held_elsewhere_through_data_sources(project: Path) -> None:
    main = _documents(project, SPEC, "terraform")["main.tf.json"]
    data, resources = main["data"], main["resource"]
    assert data["aws_ssm_parameter"] == {"legacy_url": {"name": "/legacy/url"}, "orders_queue_url": {"name": "/orders/queue-url"}, "teams_owner": {"name": "/teams/owner"}}
    assert data["aws_cloudformation_export"] == {"shared_queuearn": {"name": "shared-QueueArn"}, "shared_tablename": {"name": "shared-TableName"}}
    assert {"aws_region", "aws_caller_identity", "aws_partition"} <= set(data)
    variables = resources["aws_lambda_function"]["api"]["environment"]["variables"]
    assert variables == {
        "QUEUE_URL": "${data.aws_ssm_parameter.orders_queue_url.value}",
        "TABLE": "${data.aws_cloudformation_export.shared_tablename.value}",
        "WHERE": "${data.aws_region.current.region}/${data.aws_caller_identity.current.account_id}/${data.aws_partition.current.partition}",
        "MIXED": "q=${data.aws_ssm_parameter.orders_queue_url.value};t=${data.aws_cloudformation_export.shared_tablename.value};s=${var.stage};p=refs",
    }
    assert resources["aws_lambda_function"]["api"]["tags"] == {"apispec:service": "refs", "owner": "${data.aws_ssm_parameter.teams_owner.value}", "stack": "refs"}
    statement = data["aws_iam_policy_document"]["api_policy"]["statement"][1]
    assert statement["resources"] == [
        "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:orders",
        "${data.aws_cloudformation_export.shared_queuearn.value}",
    ]
    (url,) = [i for i in resources["aws_apigatewayv2_integration"].values() if i["integration_type"] == "HTTP_PROXY"]
    assert url["integration_uri"] == "${data.aws_ssm_parameter.legacy_url.value}/{proxy}"


@pytest.mark.parametrize("target", ["cloudformation", "sam"])
def test_templates_resolve_ssm_import_values_and_use_pseudo_parameters(project: Path, target: str) -> None:
    template = _documents(project, SPEC, target)["template.yaml"]
    function = template["Resources"]["ApiFunction"]["Properties"]
    assert function["Environment"]["Variables"] == {
        "QUEUE_URL": "{{resolve:ssm:/orders/queue-url}}",
        "TABLE": Tagged("!ImportValue", "shared-TableName"),
        "WHERE": Tagged("!Sub", "${AWS::Region}/${AWS::AccountId}/${AWS::Partition}"),
        "MIXED": {"Fn::Sub": ["q={{resolve:ssm:/orders/queue-url}};t=${import1};s=${Stage};p=refs", {"import1": {"Fn::ImportValue": "shared-TableName"}}]},
    }
    tags = function["Tags"]
    owner = "{{resolve:ssm:/teams/owner}}"
    assert tags == ({"apispec:service": "refs", "owner": owner, "stack": "refs"} if target == "sam" else [
        {"Key": "apispec:service", "Value": "refs"}, {"Key": "owner", "Value": owner}, {"Key": "stack", "Value": "refs"}
    ])
    statement = template["Resources"]["ApiPolicy"]["Properties"]["PolicyDocument"]["Statement"][1]
    assert statement["Resource"] == [Tagged("!Sub", "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"), Tagged("!ImportValue", "shared-QueueArn")]


def test_a_text_with_a_dollar_brace_beside_a_reference_keeps_it_literal(project: Path) -> None:
    spec = SPEC.replace("      QUEUE_URL: ${ssm:/orders/queue-url}\n", "      QUEUE_URL: '$${HOME} ${import:shared-TableName}'\n")
    variables = _documents(project, spec, "cloudformation")["template.yaml"]["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["QUEUE_URL"] == {"Fn::Sub": ["$${!HOME} ${import1}", {"import1": {"Fn::ImportValue": "shared-TableName"}}]}


def test_data_source_names_stay_apart_when_their_words_are_the_same(project: Path) -> None:
    spec = SPEC.replace("      TABLE: ${import:shared-TableName}\n", "      TABLE: ${ssm:/orders/queue_url}\n")
    parameters = _documents(project, spec, "terraform")["main.tf.json"]["data"]["aws_ssm_parameter"]
    assert parameters["orders_queue_url"] == {"name": "/orders/queue-url"}  # first used, first named
    assert parameters["orders_queue_url_563fb423ca"] == {"name": "/orders/queue_url"}


def test_an_unclosed_reference_of_any_kind_is_located_with_its_fix(project: Path) -> None:
    assert _findings(project, _env("${ssm:/orders/url")) == [
        "5:24 E617 functions.api.environment.VAL: `${ssm:/orders/url` is not closed; write `${ssm:/orders/url}`"
    ]
