"""Format 1.1 section B: functions as real backends run them (layers, tracing, VPC, concurrency, aliases,
managed policies, keys, code signing) and their non-HTTP triggers, in every target.

Expected values are written out from the format page; the real validators (cfn-lint, the SAM translator,
Terraform) run on the same cases in `test_spec_matrix.py` (`section-b-together`) and on `specs/jobs`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Compiled, compile_spec
from tests.support.validators import load_template, sam_transform
from tests.test_diagnostics import LINE, validate
from tests.test_spec_matrix import compile_case, terraform_main

SPEC = """\
service: demo
region: eu-west-1
functions:
  api:
    source: code
    handler: main.handler
routes:
  GET /items: api
"""
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:orders"
TABLE_STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"


def _with(keys: str) -> str:
    """SPEC with more keys in function `api` (each line indented as a key of it)."""
    return SPEC.replace("    handler: main.handler\n", "    handler: main.handler\n" + keys)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        (_with("    layers: [arn:aws:lambda:eu-west-1:123456789012:layer:x]\n"), "7:14 E240 functions.api.layers[0]", "layer:<name>:<version>"),
        (_with("    layers: [a, b, c, d, e, f]\n"), "7:13 E106 functions.api.layers", "has 6 entries; at most 5"),
        (_with("    kms_key_arn: arn:aws:kms:us-east-1:123456789012:key/abc\n"), "7:18 E240 functions.api.kms_key_arn", "the service deploys to eu-west-1"),
        (_with("    permissions_boundary: arn:aws:iam::123456789012:role/boundary\n"), "7:27 E240 functions.api.permissions_boundary", "not an IAM policy ARN"),
        (_with("    code_signing_config_arn: arn:aws:lambda:eu-west-1:123456789012:code-signing-config:x\n"), "7:30 E240 functions.api.code_signing_config_arn", "csc-"),
        (_with("    tracing: Active\n"), "7:14 E104 functions.api.tracing", "`active`"),
        (_with("    alias: 2024-live\n"), "7:12 E241 functions.api.alias", "[A-Za-z][A-Za-z0-9_-]*"),
        (_with("    provisioned_concurrency: 2\n"), "7:30 E241 functions.api.provisioned_concurrency", "set `alias`"),
        (_with("    provisioned_concurrency: 0\n"), "7:30 E105 functions.api.provisioned_concurrency", "minimum is 1"),
        (_with("    reserved_concurrency: 0\n"), "7:27 W241 functions.api.reserved_concurrency", "stops every invocation"),
        (_with("    reserved_concurrency: -1\n"), "7:27 E105 functions.api.reserved_concurrency", "minimum is 0"),
        (
            _with("    role: arn:aws:iam::123456789012:role/existing\n    managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n"),
            "8:5 E242 functions.api.managed_policies",
            "generated role only",
        ),
        (
            _with("    managed_policies: [" + ", ".join(f"arn:aws:iam::aws:policy/P{i}" for i in range(11)) + "]\n"),
            "7:5 W242 functions.api.managed_policies",
            "11 managed policies",
        ),
        (_with("    vpc: {subnet_ids: [subnet-1], security_group_ids: [sg-0123456789abcdef0]}\n"), "7:24 E243 functions.api.vpc.subnet_ids[0]", "not a subnet id"),
        (_with("    vpc: {subnet_ids: [], security_group_ids: [sg-0123456789abcdef0]}\n"), "7:23 E106 functions.api.vpc.subnet_ids", "at least one entry"),
        (_with("    events: [{schedule: rate(1 minutes)}]\n"), "7:25 E252 functions.api.events[0].schedule", "`rate(1 minute)`"),
        (_with("    events: [{schedule: rate(5 minute)}]\n"), "7:25 E252 functions.api.events[0].schedule", "`rate(5 minutes)`"),
        (_with("    events: [{schedule: 'cron(0 12 * * * *)'}]\n"), "7:25 E252 functions.api.events[0].schedule", "must be `?`"),
        (_with("    events: [{schedule: 'cron(0 12 * *)'}]\n"), "7:25 E252 functions.api.events[0].schedule", "6 fields"),
        (_with("    events: [{schedule: 'cron(0 25 * * ? *)'}]\n"), "7:25 E252 functions.api.events[0].schedule", "`25` is not a valid hours field"),
        (_with("    events: [{schedule: every 5 minutes}]\n"), "7:25 E252 functions.api.events[0].schedule", "expected `rate("),
        (_with(f"    events: [{{schedule: rate(1 day), sqs: '{QUEUE}'}}]\n"), "7:14 E250 functions.api.events[0]", "exactly one of"),
        (_with("    events: [{batch_size: 5}]\n"), "7:14 E250 functions.api.events[0]", "found none"),
        (_with(f"    events: [{{sqs: '{QUEUE}', starting_position: LATEST}}]\n"), "7:65 E251 functions.api.events[0].starting_position", "does not apply to an `sqs` trigger"),
        (_with(f"    events: [{{sqs: '{QUEUE}', batch_size: 100}}]\n"), "7:77 E251 functions.api.events[0].batch_size", "max_batching_window"),
        (_with(f"    events: [{{stream: '{TABLE_STREAM}'}}]\n"), "7:14 E251 functions.api.events[0]", "needs `starting_position`"),
        (_with(f"    events: [{{sqs: '{QUEUE.replace('sqs', 'sns')}'}}]\n"), "7:20 E253 functions.api.events[0].sqs", "not an SQS queue ARN"),
        (
            _with("    events: [{stream: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders', starting_position: LATEST}]\n"),
            "7:23 E253 functions.api.events[0].stream",
            "add `/stream/<label>`",
        ),
        (_with(f"    events: [{{sqs: '{QUEUE.replace('eu-west-1', 'us-east-1')}'}}]\n"), "7:20 E253 functions.api.events[0].sqs", "in us-east-1"),
        (_with("    events: [{sqs: arn, batch_size: 10001}]\n"), "7:37 E105 functions.api.events[0].batch_size", "maximum is 10000"),
        ("defaults:\n  layers: [not-an-arn]\n" + SPEC, "2:12 E240 defaults.layers[0]", "not a layer version ARN"),
    ],
)
def test_each_section_b_problem_points_at_the_right_place(project: Path, spec: str, where: str, message: str) -> None:
    (project / "service.yaml").write_text(spec)
    _, output = validate(project / "service.yaml")
    found = [m for m in map(LINE.match, output.splitlines()) if m]
    summary = [f"{m['line']}:{m['column']} {m['code']} {m['path']}" for m in found]
    assert where in summary, output
    assert message in found[summary.index(where)]["message"]


def test_references_in_arns_are_left_to_their_own_rule(project: Path) -> None:
    """A value holding `${…}` is a deploy-time reference: no ARN-shape finding (a reference is checked by its own rule)."""
    spec = _with("    layers: ['${param:layer}']\n    events: [{sqs: '${param:queue}'}, {stream: '${param:stream}', starting_position: LATEST}]\n")
    (project / "service.yaml").write_text(spec + "parameters: {layer: {}, queue: {}, stream: {}}\n")
    assert validate(project / "service.yaml") == (0, "")


# -- what each target makes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def together(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return compile_case("section-b-together", tmp_path_factory)


def _cfn(case: Compiled) -> dict[str, Any]:
    return load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]  # type: ignore[no-any-return]


def _sam(case: Compiled) -> dict[str, Any]:
    return load_template(case.target_dir("sam") / "template.yaml")["Resources"]  # type: ignore[no-any-return]


def test_function_keys_in_terraform(together: Compiled) -> None:
    functions = terraform_main(together)["resource"]["aws_lambda_function"]
    api, gate, feed = functions["api"], functions["gate"], functions["feed"]
    assert api["layers"] == ["${var.shared_layer}", "arn:aws:lambda:eu-west-1:123456789012:layer:tools:12"]
    assert "layers" not in feed  # `layers: []` replaces the defaults' list
    assert (api["tracing_config"], feed["tracing_config"]) == ({"mode": "Active"}, {"mode": "PassThrough"})
    assert api["vpc_config"] == {"subnet_ids": ["subnet-0a1b2c3d4e5f60718"], "security_group_ids": ["sg-0123456789abcdef0"]}
    assert api["reserved_concurrent_executions"] == 4
    assert api["kms_key_arn"] == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert gate["code_signing_config_arn"] == "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f60718"
    assert (api["publish"], gate["publish"], "publish" in feed) == (True, True, False)
    resources = terraform_main(together)["resource"]
    assert resources["aws_iam_role"]["gate"]["permissions_boundary"] == "arn:aws:iam::123456789012:policy/boundary"
    assert resources["aws_iam_role_policy_attachment"] == {"gate_managed_1": {"role": "${aws_iam_role.gate.name}", "policy_arn": "arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess"}}
    assert resources["aws_lambda_alias"]["api"] == {"name": "live", "function_name": "${aws_lambda_function.api.function_name}", "function_version": "${aws_lambda_function.api.version}"}
    assert resources["aws_lambda_provisioned_concurrency_config"] == {
        "api": {"function_name": "${aws_lambda_function.api.function_name}", "qualifier": "${aws_lambda_alias.api.name}", "provisioned_concurrent_executions": 1}
    }


def test_function_keys_in_cloudformation_and_sam(together: Compiled) -> None:
    cfn, sam = _cfn(together), _sam(together)
    api, sam_api = cfn["ApiFunction"]["Properties"], sam["ApiFunction"]["Properties"]
    for properties in (api, sam_api):
        assert properties["Layers"] == [{"Ref": "SharedLayer"}, "arn:aws:lambda:eu-west-1:123456789012:layer:tools:12"]
        assert properties["VpcConfig"] == {"SubnetIds": ["subnet-0a1b2c3d4e5f60718"], "SecurityGroupIds": ["sg-0123456789abcdef0"]}
        assert properties["ReservedConcurrentExecutions"] == 4
        assert properties["KmsKeyArn"] == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert (api["TracingConfig"], sam_api["Tracing"]) == ({"Mode": "Active"}, "Active")
    assert (sam_api["AutoPublishAlias"], sam_api["ProvisionedConcurrencyConfig"]) == ("live", {"ProvisionedConcurrentExecutions": 1})
    assert "Layers" not in cfn["FeedFunction"]["Properties"]
    assert cfn["GateRole"]["Properties"]["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess"] == sam["GateRole"]["Properties"]["ManagedPolicyArns"]
    assert cfn["GateRole"]["Properties"]["PermissionsBoundary"] == "arn:aws:iam::123456789012:policy/boundary"
    assert cfn["GateFunction"]["Properties"]["CodeSigningConfigArn"] == "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f60718"
    (version,) = [k for k, r in cfn.items() if r["Type"] == "AWS::Lambda::Version" and r["Properties"]["FunctionName"] == {"Ref": "ApiFunction"}]
    assert version.startswith("ApiFunctionVersion") and cfn[version]["DeletionPolicy"] == "Retain"
    assert cfn["ApiFunctionAliaslive"]["Properties"] == {
        "Name": "live",
        "FunctionName": {"Ref": "ApiFunction"},
        "FunctionVersion": {"Fn::GetAtt": [version, "Version"]},
        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 1},
    }


def test_routes_authorizers_and_triggers_invoke_the_alias(together: Compiled) -> None:
    """With `alias`, nothing invokes `$LATEST`: integrations, the authorizer and every permission name the alias."""
    resources = terraform_main(together)["resource"]
    assert resources["aws_apigatewayv2_integration"]["api"]["integration_uri"] == "${aws_lambda_alias.api.arn}"
    assert resources["aws_apigatewayv2_authorizer"]["gatekeeper"]["authorizer_uri"] == "${aws_lambda_alias.gate.invoke_arn}"
    permissions = {name: p["function_name"] for name, p in resources["aws_lambda_permission"].items()}
    assert permissions == {
        "get_orders": "${aws_lambda_alias.api.arn}",
        "post_orders": "${aws_lambda_alias.api.arn}",
        "gatekeeper_authorizer": "${aws_lambda_alias.gate.arn}",
        "api_schedule_1": "${aws_lambda_alias.api.arn}",
        "feed_schedule_1": "${aws_lambda_function.feed.function_name}",
    }
    cfn = _cfn(together)
    assert cfn["ApiIntegration"]["Properties"]["IntegrationUri"] == {"Ref": "ApiFunctionAliaslive"}
    assert "${GateFunctionAliascurrent}/invocations" in cfn["GatekeeperAuthorizer"]["Properties"]["AuthorizerUri"]["Fn::Sub"]
    named = {k: r["Properties"]["FunctionName"] for k, r in cfn.items() if r["Type"] in {"AWS::Lambda::Permission", "AWS::Lambda::EventSourceMapping"}}
    assert named == {
        "GetOrdersPermission": {"Ref": "ApiFunctionAliaslive"},
        "PostOrdersPermission": {"Ref": "ApiFunctionAliaslive"},
        "GatekeeperAuthorizerPermission": {"Ref": "GateFunctionAliascurrent"},
        "ApiFunctionSchedule1Permission": {"Ref": "ApiFunctionAliaslive"},
        "ApiFunctionSqs1": {"Ref": "ApiFunctionAliaslive"},
        "FeedFunctionStream1": {"Ref": "FeedFunction"},
        "FeedFunctionStream2": {"Ref": "FeedFunction"},
        "FeedFunctionSchedule1Permission": {"Ref": "FeedFunction"},
    }


def test_triggers_in_terraform(together: Compiled) -> None:
    resources = terraform_main(together)["resource"]
    assert resources["aws_cloudwatch_event_rule"] == {
        "api_schedule_1": {"name": "backends-api-schedule-1", "schedule_expression": "rate(5 minutes)", "state": "ENABLED"},
        "feed_schedule_1": {"name": "backends-feed-schedule-1", "schedule_expression": "cron(15 3 ? * MON-FRI *)", "state": "DISABLED"},
    }
    # Clarification 9: the input is a JSON string literal, keys sorted, not `jsonencode()`.
    assert resources["aws_cloudwatch_event_target"]["api_schedule_1"] == {
        "rule": "${aws_cloudwatch_event_rule.api_schedule_1.name}",
        "target_id": "ApiFunctionSchedule1LambdaTarget",
        "arn": "${aws_lambda_alias.api.arn}",
        "input": '{"depth":2,"source":"warm-up"}',
    }
    permission = resources["aws_lambda_permission"]["api_schedule_1"]
    assert (permission["principal"], permission["source_arn"]) == ("events.amazonaws.com", "${aws_cloudwatch_event_rule.api_schedule_1.arn}")
    assert resources["aws_lambda_event_source_mapping"] == {
        "api_sqs_1": {
            "event_source_arn": "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
            "function_name": "${aws_lambda_alias.api.arn}",
            "batch_size": 10,
            "function_response_types": ["ReportBatchItemFailures"],
            "depends_on": ["aws_iam_role_policy.api"],
        },
        "feed_stream_1": {
            "event_source_arn": TABLE_STREAM.replace("2026-01-01T00:00:00.000", "2026-01-01T00:00:00.000"),
            "function_name": "${aws_lambda_function.feed.function_name}",
            "starting_position": "LATEST",
            "maximum_batching_window_in_seconds": 30,
            "depends_on": ["aws_iam_role_policy.feed"],
        },
        "feed_stream_2": {
            "event_source_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks",
            "function_name": "${aws_lambda_function.feed.function_name}",
            "starting_position": "TRIM_HORIZON",
            "batch_size": 500,
            "depends_on": ["aws_iam_role_policy.feed"],
        },
    }


def test_triggers_in_cloudformation(together: Compiled) -> None:
    cfn = _cfn(together)
    assert cfn["ApiFunctionSchedule1"]["Properties"] == {
        "Name": "backends-api-schedule-1",
        "ScheduleExpression": "rate(5 minutes)",
        "State": "ENABLED",
        "Targets": [{"Id": "ApiFunctionSchedule1LambdaTarget", "Arn": {"Ref": "ApiFunctionAliaslive"}, "Input": '{"depth":2,"source":"warm-up"}'}],
    }
    assert cfn["ApiFunctionSchedule1Permission"]["Properties"]["SourceArn"] == {"Fn::GetAtt": ["ApiFunctionSchedule1", "Arn"]}
    assert cfn["ApiFunctionSchedule1Permission"]["Properties"]["Principal"] == "events.amazonaws.com"
    assert cfn["FeedFunctionStream1"]["DependsOn"] == ["FeedPolicy"]
    assert cfn["ApiFunctionSqs1"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_sam_translator_makes_the_triggers_and_the_alias(together: Compiled) -> None:
    """SAM's `Schedule`, `SQS`, `DynamoDB` and `Kinesis` events and `AutoPublishAlias` become the resources the
    other targets write, under the same logical ids."""
    resources = sam_transform(together.target_dir("sam") / "template.yaml")["Resources"]
    kinds = {k: r["Type"] for k, r in resources.items() if r["Type"].startswith(("AWS::Events", "AWS::Lambda::EventSource", "AWS::Lambda::Alias"))}
    assert kinds == {
        "ApiFunctionAliaslive": "AWS::Lambda::Alias",
        "GateFunctionAliascurrent": "AWS::Lambda::Alias",
        "ApiFunctionSchedule1": "AWS::Events::Rule",
        "ApiFunctionSqs1": "AWS::Lambda::EventSourceMapping",
        "FeedFunctionStream1": "AWS::Lambda::EventSourceMapping",
        "FeedFunctionStream2": "AWS::Lambda::EventSourceMapping",
        "FeedFunctionSchedule1": "AWS::Events::Rule",
    }
    assert resources["ApiFunctionAliaslive"]["Properties"]["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 1}
    (target,) = resources["ApiFunctionSchedule1"]["Properties"]["Targets"]
    assert (target["Id"], target["Arn"], target["Input"]) == ("ApiFunctionSchedule1LambdaTarget", {"Ref": "ApiFunctionAliaslive"}, '{"depth":2,"source":"warm-up"}')
    assert resources["FeedFunctionSchedule1"]["Properties"]["State"] == "DISABLED"
    permission = resources["ApiFunctionSchedule1Permission"]["Properties"]
    assert (permission["FunctionName"], permission["SourceArn"]) == ({"Ref": "ApiFunctionAliaslive"}, {"Fn::GetAtt": ["ApiFunctionSchedule1", "Arn"]})
    assert resources["ApiFunctionSqs1"]["Properties"]["FunctionName"] == {"Ref": "ApiFunctionAliaslive"}
    assert resources["FeedFunctionStream2"]["Properties"]["EventSourceArn"] == "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"


def test_generated_policies_grant_only_what_the_keys_need(together: Compiled) -> None:
    """Tracing: the two X-Ray actions on `*` (X-Ray takes no resource ARN); VPC: what AWSLambdaVPCAccessExecutionRole
    grants beside logs; each queue and stream: its read actions on that ARN only."""
    statements = {s["Sid"]: (s["Action"], s["Resource"]) for s in _cfn(together)["ApiPolicy"]["Properties"]["PolicyDocument"]["Statement"]}
    assert statements == {
        "WriteOwnLogGroup": (["logs:CreateLogStream", "logs:PutLogEvents"], statements["WriteOwnLogGroup"][1]),
        "WriteXRayTraces": (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
        "ManageVpcNetworkInterfaces": (
            [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            ["*"],
        ),
        "ReadSqs1": (["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], ["arn:aws:sqs:eu-west-1:123456789012:orders.fifo"]),
    }
    feed = {s["Sid"]: (s["Action"], s["Resource"]) for s in _cfn(together)["FeedPolicy"]["Properties"]["PolicyDocument"]["Statement"]}
    assert feed["ReadStream1"] == (["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"], [TABLE_STREAM])
    assert feed["ReadStream2"] == (
        ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListStreams"],
        ["arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"],
    )
    assert "WriteXRayTraces" not in feed  # `passthrough` writes no traces
    documents = terraform_main(together)["data"]["aws_iam_policy_document"]
    assert [s["sid"] for s in documents["api_policy"]["statement"]] == ["WriteOwnLogGroup", "WriteXRayTraces", "ManageVpcNetworkInterfaces", "ReadSqs1"]


# -- versions: a change of code or configuration publishes a new one -------------------------------

ALIASED = """\
service: versions
functions:
  api: {source: code, handler: main.handler, alias: live, memory: 256, tags: {team: a}}
  other: {source: code, handler: main.handler}
routes:
  GET /a: api
"""


def _version_id(tmp_path: Path, name: str, spec: str, code: str = "def handler(event, context):\n    return {}\n") -> str:
    directory = tmp_path / name
    (directory / "code").mkdir(parents=True)
    (directory / "code" / "main.py").write_text(code)
    (directory / "code" / "other.py").write_text("def handler(event, context):\n    return {}\n")
    (directory / "service.yaml").write_text(spec)
    resources = load_template(compile_spec(directory / "service.yaml", directory / "out").target_dir("cloudformation") / "template.yaml")["Resources"]
    (version,) = [k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Version"]
    assert resources["ApiFunctionAliaslive"]["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version, "Version"]}
    return str(version)


def test_a_code_or_configuration_change_makes_a_new_cloudformation_version(tmp_path: Path) -> None:
    first = _version_id(tmp_path, "first", ALIASED)
    assert first == _version_id(tmp_path, "again", ALIASED)
    assert first != _version_id(tmp_path, "handler", ALIASED.replace("handler: main.handler, alias", "handler: other.handler, alias"))
    assert first != _version_id(tmp_path, "memory", ALIASED.replace("memory: 256", "memory: 512"))
    assert first != _version_id(tmp_path, "code", ALIASED, code="def handler(event, context):\n    return {'v': 2}\n")
    # What a version does not hold: tags, routes, another function.
    assert first == _version_id(tmp_path, "tags", ALIASED.replace("team: a", "team: b"))
    assert first == _version_id(tmp_path, "route", ALIASED + "  GET /b: api\n")
    assert first == _version_id(tmp_path, "other", ALIASED.replace("  other: {source: code, handler: main.handler}", "  other: {source: code, handler: main.handler, memory: 1024}"))


def test_the_jobs_example_uses_every_section_b_key() -> None:
    """The example of section B sets every key of the table and each trigger kind at least once."""
    import yaml

    spec = yaml.safe_load((ROOT / "specs" / "jobs" / "service.yaml").read_text())
    sections = [spec["defaults"], *spec["functions"].values()]
    used = {key for section in sections for key in section}
    keys = {"layers", "tracing", "vpc", "reserved_concurrency", "alias", "provisioned_concurrency", "ephemeral_storage", "managed_policies"}
    keys |= {"permissions_boundary", "kms_key_arn", "code_signing_config_arn", "events"}
    assert keys <= used
    kinds = {kind for section in sections for event in section.get("events", []) for kind in ("schedule", "sqs", "stream") if kind in event}
    assert kinds == {"schedule", "sqs", "stream"}
