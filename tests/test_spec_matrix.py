"""Specs unlike the examples, written from the format page, through every real validator.

Each case is a whole `service.yaml` exercising a corner of the format; every target it compiles
into must pass cfn-lint (SAM and CloudFormation), the SAM translator and the Terraform provider
schema check, with no findings.
"""

from __future__ import annotations

import pytest

from tests.conftest import Compiled, compile_spec
from tests.support.terraform_check import check_module
from tests.support.validators import cfn_lint, sam_transform

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"

CASES: dict[str, str] = {
    "no-routes": """
service: batch jobs
functions:
  nightly:
    source: code
    handler: main.handler
    architecture: x86_64
    memory: 10240
    timeout: 900
""",
    "default-route-only": """
service: catch_all
region: ap-southeast-2
description: 'Everything: one "function", #1 — ünïcode'
functions:
  proxy:
    source: ./code/
    handler: main.handler
    description: "Handles ${everything} 100% {of} it"
routes:
  $default: proxy
logging:
  access_logs: false
""",
    "many-routes-one-function": """
service: wide
functions:
  api:
    source: code
    handler: main.handler
routes:
  GET /: api
  HEAD /: api
  OPTIONS /things: api
  GET /a: api
  GET /b: api
  GET /c: api
  GET /d: api
  GET /e: api
  GET /f: api
  GET /g: api
  GET /h: api
  GET /i: api
  GET /j: api
  PUT /k/{id}: api
  PATCH /l/{id}: api
  DELETE /m/{id}: api
  POST /n: api
  POST /o: api
  POST /p: api
  POST /q: api
  ANY /files/{path+}: {function: api}
""",
    "existing-role-and-parameters": """
service: legacy
parameters:
  stage_name: {default: prod}
  db_password: {description: the password, sensitive: true}
  bucket: {description: bucket name, default: my-bucket}
functions:
  worker:
    source: code
    handler: main.handler
    role: arn:aws:iam::123456789012:role/legacy-worker
    environment:
      DSN: postgres://app:${param:db_password}@db/${param:stage_name}
      LITERAL_DOLLAR: "cost is $5 and ${not_a_param}"
      BUCKET: ${param:bucket}
routes:
  GET /work/{job}/{step}: worker
""",
    "manual-deploy-default-stage": """
service: manual
functions:
  fn-a:
    source: code
    handler: main.handler
    logging:
      format: JSON
      application_level: WARN
      system_level: DEBUG
      retention_days: 3653
  fn_b2:
    source: code
    handler: main.handler
routes:
  GET /a/{x}: fn-a
  POST /b: fn_b2
api:
  auto_deploy: false
  cors:
    allow_origins: ["*"]
    allow_methods: ["*"]
  throttling: {burst_limit: 0, rate_limit: 0}
""",
    "defaults-and-policies": """
service: policy-heavy
tags:
  Owner Name: Jane Doe
  env: prod/eu
defaults:
  source: code
  handler: main.handler
  permissions:
    - sid: Tracing
      actions: [xray:PutTraceSegments, xray:PutTelemetryRecords]
      resources: ["*"]
functions:
  reader:
    permissions:
      - actions: [s3:GetObject]
        resources: [arn:aws:s3:::my-bucket/*]
        conditions:
          Bool: {aws:SecureTransport: true}
          StringLike: {s3:prefix: [home/, "public/*"]}
      - effect: Deny
        actions: [s3:DeleteObject]
        resources: [arn:aws:s3:::my-bucket/*]
  writer:
    tags: {Owner Name: Team Writer}
routes:
  GET /read: reader
  POST /write: writer
logging:
  retention_days: 1
  access_logs:
    fields:
      id: $context.requestId
      route: $context.routeKey
      error: $context.authorizer.error
""",
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    directory = tmp_path_factory.mktemp(request.param)
    (directory / "code").mkdir()
    (directory / "code" / "main.py").write_text(HANDLER)
    spec = directory / "service.yaml"
    spec.write_text(CASES[request.param].lstrip())
    return compile_spec(spec, directory / "out")


@pytest.mark.parametrize("target", ["sam", "cloudformation"])
def test_cfn_lint(case: Compiled, target: str) -> None:
    assert cfn_lint(case.target_dir(target) / "template.yaml") == []


def test_sam_translator(case: Compiled) -> None:
    result = sam_transform(case.target_dir("sam") / "template.yaml")
    kinds = {r["Type"] for r in result["Resources"].values()}
    assert "AWS::Lambda::Function" in kinds
    spec = case.checked.resolved
    assert spec is not None
    assert ("AWS::ApiGatewayV2::Api" in kinds) == bool(spec.routes)


def test_terraform_schema_and_references(case: Compiled) -> None:
    assert check_module(case.target_dir("terraform")) == []


def test_outputs_hold_no_machine_paths(case: Compiled) -> None:
    for content in case.files.values():
        assert b"/tmp" not in content and b"pytest-of" not in content
