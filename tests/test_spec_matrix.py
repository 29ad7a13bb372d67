"""Specs unlike the examples, written from the format page, through every real validator.

Each case is a whole `service.yaml` exercising a corner of the format; every target it compiles
into must pass cfn-lint (SAM and CloudFormation), the SAM translator, the real Terraform CLI's
`init`, `validate` and `plan`, and our check of what Terraform leaves to the providers, with no findings.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Compiled, compile_spec
from tests.support import permissions
from tests.support.real_terraform import Terraform, selected
from tests.support.terraform_check import check_module
from tests.support.validators import cfn_lint, load_template, sam_transform

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
LONG_PARAMETER = "a_parameter" + "_that_goes_on" * 25
LONG_KEY = "a-function" + "-that-goes-on" * 10
LONG_PATH = "".join(f"/segment-number-{i:02d}" for i in range(12))

TWENTY_SHORT_ROUTES = "".join(f"  GET /r{i:02d}: api\n" for i in range(1, 21))

CASES: dict[str, str] = {
    # Lambda's 20 KB resource policy holds 20 short route statements: one permission per route.
    "twenty-short-routes": f"""
service: twenty
functions:
  api: {{source: code, handler: main.handler}}
routes:
{TWENTY_SHORT_ROUTES}""",
    # One route more: one permission for the whole API.
    "twenty-one-short-routes": f"""
service: twenty-one
functions:
  api: {{source: code, handler: main.handler}}
routes:
{TWENTY_SHORT_ROUTES}  GET /r21: api
""",
    # A greedy parameter other than `{proxy+}` on a function with few routes: SAM's own permission
    # keeps `{path+}` as text and matches nothing, so apispec adds its own.
    "greedy-path-on-a-small-function": """
service: files
functions:
  files: {source: code, handler: main.handler}
routes:
  GET /files: files
  ANY /files/{path+}: files
""",
    # `%{` starts a Terraform template directive, as `${` an interpolation: both stay text.
    "percent-brace-text": """
service: percent
description: "Takes 100%{off} seriously"
functions:
  sale:
    source: code
    handler: main.handler
    description: "100%{off} today"
    environment: {BANNER: "%{ if sale }50% off%{ endif }", PRICE: "${5} %{x}"}
routes:
  GET /sale: sale
api:
  cors:
    allow_origins: ["https://shop.example.com", "http://localhost:3000"]
    allow_methods: [GET, POST, ANY]
    allow_headers: [content-type, x-api-key]
    expose_headers: [x-request-id, x-amzn-requestid]
    allow_credentials: true
    max_age: 86400
""",
    "twenty-routes-past-the-policy-limit": f"""
service: long-paths
functions:
  wide:
    source: code
    handler: main.handler
routes:
  GET /r00{LONG_PATH * 4}: wide
  GET /r01{LONG_PATH * 4}: wide
  GET /r02{LONG_PATH * 4}: wide
  GET /r03{LONG_PATH * 4}: wide
  GET /r04{LONG_PATH * 4}: wide
  GET /r05{LONG_PATH * 4}: wide
  GET /r06{LONG_PATH * 4}: wide
  GET /r07{LONG_PATH * 4}: wide
  GET /r08{LONG_PATH * 4}: wide
  GET /r09{LONG_PATH * 4}: wide
  GET /r10{LONG_PATH * 4}: wide
  GET /r11{LONG_PATH * 4}: wide
  GET /r12{LONG_PATH * 4}: wide
  GET /r13{LONG_PATH * 4}: wide
  GET /r14{LONG_PATH * 4}: wide
  GET /r15{LONG_PATH * 4}: wide
  GET /r16{LONG_PATH * 4}: wide
  GET /r17{LONG_PATH * 4}: wide
  GET /r18{LONG_PATH * 4}: wide
  GET /r19{LONG_PATH * 4}: wide
""",
    "awkward-names": """
service: awkward
description: "Costs 5$ {a lot}"
functions:
  lambda-assume-role:
    source: code
    handler: main.handler
    description: "Runs in ${AWS::Region}"
  java-worker:
    source: code
    handler: "bootstrap-${AWS::Region}-${path.cwd}"
    runtime: provided.al2023
routes:
  GET /users/{id}: lambda-assume-role
  GET /users/id: lambda-assume-role
  GET /: java-worker
  GET /root: java-worker
api:
  name: "my ${x} api"
  auto_deploy: false
logging:
  access_logs: false
""",
    "wide-function-and-neighbour": """
service: neighbours
functions:
  get_users:
    source: code
    handler: main.handler
    environment: {PYTHON_VERSION: 3.10, OCTAL: 010, RATIO: 1e3}
  other:
    source: code
    handler: main.handler
routes:
  GET /users: other
  GET /r1: get_users
  GET /r2: get_users
  GET /r3: get_users
  GET /r4: get_users
  GET /r5: get_users
  GET /r6: get_users
  GET /r7: get_users
  GET /r8: get_users
  GET /r9: get_users
  GET /r10: get_users
  GET /r11: get_users
  GET /r12: get_users
  GET /r13: get_users
  GET /r14: get_users
  GET /r15: get_users
  GET /r16: get_users
  GET /r17: get_users
  GET /r18: get_users
  GET /r19: get_users
  GET /r20: get_users
  GET /r21: get_users
  $default: get_users
""",
    # Function keys that look like the names of the API's own resources.
    "keys-like-api-resources": """
service: lookalikes
functions:
  api-access: {source: code, handler: main.handler}
  api: {source: code, handler: main.handler}
  stage: {source: code, handler: main.handler}
routes:
  GET /a: api-access
  GET /b: api
  GET /c: stage
""",
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
    "literal-default-segment": """
service: dollar
functions:
  home: {source: code, handler: main.handler}
  other: {source: code, handler: main.handler}
routes:
  $default: home
  GET /$default: home
  POST /$default: other
  GET /$default/x: other
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
    # Routes API Gateway tells apart whose words are the same: names lose case and punctuation.
    "routes-that-share-their-words": """
service: same-words
functions:
  users:
    source: code
    handler: main.handler
  legacy:
    source: code
    handler: main.handler
routes:
  GET /users/{id}: users
  GET /users/by/id: legacy
  GET /user-profile: users
  GET /user_profile: legacy
  GET /user/profile: users
  GET /User-Profile: legacy
  GET /userprofile: users
  GET /a.b: legacy
""",
    # Function keys the format allows whose PascalCase ids are the same (case set aside).
    "keys-that-share-an-id": """
service: same-ids
functions:
  fn12: {source: code, handler: main.handler}
  fn1-2: {source: code, handler: main.handler}
  s3sync: {source: code, handler: main.handler}
  s3-sync: {source: code, handler: main.handler, role: "arn:aws:iam::123456789012:role/sync"}
routes:
  GET /one: fn12
  GET /two: fn1-2
  GET /three: s3sync
  GET /four: s3-sync
""",
    # Functions whose `name` is not what their key would give: resources are named after the name.
    "functions-named-apart-from-their-keys": """
service: renamed
functions:
  place-order: {name: renamed-create-order, source: code, handler: main.handler}
  worker: {name: nightly_Job, source: code, handler: main.handler}
  list_orders: {name: renamed-list-orders, source: code, handler: main.handler}
  api: {source: code, handler: main.handler}
routes:
  POST /orders: place-order
  GET /orders: list_orders
  GET /jobs: worker
  GET /: api
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
      LITERAL_DOLLAR: "cost is $5 in ${AWS::Region}"
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
    allow_methods: [GET, ANY]
  throttling: {burst_limit: 0, rate_limit: 0}
""",
    # Names past CloudFormation's 255-character logical ids, once made PascalCase and joined by SAM.
    "very-long-names": f"""
service: long
parameters:
  {LONG_PARAMETER}: {{default: v}}
functions:
  {LONG_KEY}:
    name: short-name
    source: code
    handler: main.handler
    environment: {{LONG: "${{param:{LONG_PARAMETER}}}"}}
routes:
  GET {LONG_PATH}/{{id}}: {LONG_KEY}
  GET {LONG_PATH}/{{id}}/more: {LONG_KEY}
""",
    "defaults-and-policies": """
service: policy-heavy
parameters:
  team: {description: the team's principal tag, default: blue}
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
        resources: [arn:aws:s3:::my-bucket/*, "arn:aws:s3:::my-bucket/home/${aws:username}/*"]
        conditions:
          Bool: {aws:SecureTransport: true}
          StringLike: {s3:prefix: [home/, "public/*"]}
          StringEquals: {aws:SourceAccount: 012345678901, aws:PrincipalTag/team: [1.10, "${param:team}"]}
      - effect: Deny
        actions: [s3:DeleteObject]
        resources: [arn:aws:s3:::my-bucket/*]
  writer:
    tags: {Owner Name: Team Writer}
    ephemeral_storage: 10240
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


API = "${HttpApi}"  # the API's execution ARN, as `permissions.granted` writes it
WIDE = {f"{API}/*"}  # one permission for the whole API

# By case and function key, the invoke permissions each function must get: one per route, scoped to
# it (`/<stage>/<method>/<path>`, `*` for ANY and for each parameter), or one for the whole API past
# 20 routes, or when 20 route statements might not fit Lambda's 20 KB resource policy. Written out
# from the cases above; SAM's own permissions for `{path+}` routes (which match nothing) aside.
PERMISSIONS: dict[str, dict[str, set[str]]] = {
    "twenty-short-routes": {"api": {f"{API}/*/GET/r{i:02d}" for i in range(1, 21)}},
    "twenty-one-short-routes": {"api": WIDE},
    "greedy-path-on-a-small-function": {"files": {f"{API}/*/GET/files", f"{API}/*/*/files/*"}},
    "percent-brace-text": {"sale": {f"{API}/*/GET/sale"}},
    "twenty-routes-past-the-policy-limit": {"wide": WIDE},
    "awkward-names": {
        "lambda-assume-role": {f"{API}/*/GET/users/*", f"{API}/*/GET/users/id"},
        "java-worker": {f"{API}/*/GET/", f"{API}/*/GET/root"},
    },
    "wide-function-and-neighbour": {"other": {f"{API}/*/GET/users"}, "get_users": WIDE},
    "keys-like-api-resources": {"api-access": {f"{API}/*/GET/a"}, "api": {f"{API}/*/GET/b"}, "stage": {f"{API}/*/GET/c"}},
    "no-routes": {},
    "default-route-only": {"proxy": {f"{API}/*/$default"}},
    "literal-default-segment": {
        "home": {f"{API}/*/$default", f"{API}/*/GET/$default"},
        "other": {f"{API}/*/POST/$default", f"{API}/*/GET/$default/x"},
    },
    "many-routes-one-function": {"api": WIDE},
    "routes-that-share-their-words": {
        "users": {f"{API}/*/GET/users/*", f"{API}/*/GET/user-profile", f"{API}/*/GET/user/profile", f"{API}/*/GET/userprofile"},
        "legacy": {f"{API}/*/GET/users/by/id", f"{API}/*/GET/user_profile", f"{API}/*/GET/User-Profile", f"{API}/*/GET/a.b"},
    },
    "keys-that-share-an-id": {
        "fn12": {f"{API}/*/GET/one"},
        "fn1-2": {f"{API}/*/GET/two"},
        "s3sync": {f"{API}/*/GET/three"},
        "s3-sync": {f"{API}/*/GET/four"},
    },
    "existing-role-and-parameters": {"worker": {f"{API}/*/GET/work/*/*"}},
    "manual-deploy-default-stage": {"fn-a": {f"{API}/*/GET/a/*"}, "fn_b2": {f"{API}/*/POST/b"}},
    "very-long-names": {LONG_KEY: {f"{API}/*/GET{LONG_PATH}/*", f"{API}/*/GET{LONG_PATH}/*/more"}},
    "functions-named-apart-from-their-keys": {
        "place-order": {f"{API}/*/POST/orders"},
        "list_orders": {f"{API}/*/GET/orders"},
        "worker": {f"{API}/*/GET/jobs"},
        "api": {f"{API}/*/GET/"},
    },
    "defaults-and-policies": {"reader": {f"{API}/*/GET/read"}, "writer": {f"{API}/*/POST/write"}},
}

# By case, the API's CORS settings in the format's words (`ANY` becomes `*`: browsers match real methods).
CORS: dict[str, dict[str, object]] = {
    "manual-deploy-default-stage": {"allow_origins": ["*"], "allow_methods": ["GET", "*"]},
    "percent-brace-text": {
        "allow_origins": ["https://shop.example.com", "http://localhost:3000"],
        "allow_methods": ["GET", "POST", "*"],
        "allow_headers": ["content-type", "x-api-key"],
        "expose_headers": ["x-request-id", "x-amzn-requestid"],
        "allow_credentials": True,
        "max_age": 86400,
    },
}


def compile_case(name: str, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    directory = tmp_path_factory.mktemp(name) / name  # `Compiled.name` is the case's name
    (directory / "code").mkdir(parents=True)
    (directory / "code" / "main.py").write_text(HANDLER)
    spec = directory / "service.yaml"
    spec.write_text(CASES[name].lstrip())
    return compile_spec(spec, directory / "out")


def terraform_main(case: Compiled) -> Any:
    import json

    return json.loads(case.target_files("terraform")["main.tf.json"])


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return compile_case(request.param, tmp_path_factory)


@pytest.mark.parametrize("target", ["sam", "cloudformation"])
def test_cfn_lint(case: Compiled, target: str) -> None:
    assert cfn_lint(case.target_dir(target) / "template.yaml") == []


def test_sam_translator(case: Compiled, tmp_path: Path) -> None:
    """The SAM translator transforms the template into one that cfn-lint finds nothing in."""
    import json

    result = sam_transform(case.target_dir("sam") / "template.yaml")
    transformed = tmp_path / "transformed.json"
    transformed.write_text(json.dumps(result))
    assert cfn_lint(transformed) == []
    kinds = {r["Type"] for r in result["Resources"].values()}
    assert "AWS::Lambda::Function" in kinds
    spec = case.checked.resolved
    assert spec is not None
    assert ("AWS::ApiGatewayV2::Api" in kinds) == bool(spec.routes)


def test_the_sam_translator_makes_every_route(case: Compiled) -> None:
    """What SAM deploys has the spec's routes, no more, no fewer: with `FailOnWarnings` SAM moves the
    body's `$default` path to `/$default`, where it replaced a literal `/$default` path's routes."""
    spec = case.checked.resolved
    assert spec is not None
    made = set()
    for res in sam_transform(case.target_dir("sam") / "template.yaml")["Resources"].values():
        if res["Type"] == "AWS::ApiGatewayV2::Route":
            made.add(res["Properties"]["RouteKey"])
        if res["Type"] == "AWS::ApiGatewayV2::Api":
            for path, item in res["Properties"]["Body"]["paths"].items():
                for method, operation in item.items():
                    if operation.get("isDefaultRoute"):
                        made.add("$default")
                    else:
                        made.add(f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}")
    assert made == {route.key for route in spec.routes}


def test_terraform_has_no_deprecated_or_read_only_arguments_and_pins_providers(case: Compiled) -> None:
    assert check_module(case.target_dir("terraform")) == []


@pytest.fixture(scope="module")
def terraform_checks(request: pytest.FixtureRequest, terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[list[str]]]:
    """The real Terraform CLI on every selected case, started together (each case compiled anew)."""
    names = selected(request, test_real_terraform_init_validate_and_plan, "case")
    return {name: terraform.check_later(compile_case(name, tmp_path_factory).target_dir("terraform")) for name in names}


@pytest.mark.slow
def test_real_terraform_init_validate_and_plan(request: pytest.FixtureRequest, case: Compiled, terraform_checks: dict[str, Future[list[str]]]) -> None:
    """`init`, `validate` and `plan` find no error or warning (tests/support/real_terraform.py)."""
    assert terraform_checks[request.node.callspec.params["case"]].result() == []


def test_every_route_has_an_invoke_permission_scoped_to_it(case: Compiled) -> None:
    """One permission per route with the route's source ARN, or one for the API past 20 routes, in
    Terraform, CloudFormation and what the SAM translator makes; each lets API Gateway invoke the
    function and nothing else."""
    expected = PERMISSIONS[case.name]
    cloudformation = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    sam = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    for target, resources in (("cloudformation", cloudformation), ("sam", sam)):
        functions = {r["Properties"]["FunctionName"]: i for i, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
        granted = {key: permissions.granted(resources, functions[_function_name(case, key)]) for key in expected}
        # SAM's own permission for a greedy parameter other than `{proxy+}` keeps the parameter as text and matches nothing.
        assert {key: {arn for arn in arns if "{" not in arn.removeprefix(API)} for key, arns in granted.items()} == expected, target
        for resource in resources.values():
            if resource["Type"] == "AWS::Lambda::Permission":
                assert (resource["Properties"]["Action"], resource["Properties"]["Principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")
    terraform = terraform_main(case)["resource"].get("aws_lambda_permission", {})
    execution_arn = "${aws_apigatewayv2_api.api.execution_arn}"
    granted_tf: dict[str, set[str]] = {}
    for permission in terraform.values():
        assert (permission["action"], permission["principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")
        function = permission["function_name"].removeprefix("${aws_lambda_function.").removesuffix(".function_name}")
        granted_tf.setdefault(function, set()).add(API + permission["source_arn"].removeprefix(execution_arn))
    by_name = {body["function_name"]: name for name, body in terraform_main(case)["resource"]["aws_lambda_function"].items()}
    assert granted_tf == {by_name[_function_name(case, key)]: arns for key, arns in expected.items()}


def _function_name(case: Compiled, key: str) -> str:
    """The Lambda name of a case's function: `<service prefix>-<key>` (`_` as `-`) unless it sets `name`."""
    named = {
        ("very-long-names", LONG_KEY): "short-name",
        ("functions-named-apart-from-their-keys", "place-order"): "renamed-create-order",
        ("functions-named-apart-from-their-keys", "worker"): "nightly_Job",
        ("functions-named-apart-from-their-keys", "list_orders"): "renamed-list-orders",
    }
    prefix = {
        "twenty-short-routes": "twenty", "twenty-one-short-routes": "twenty-one", "greedy-path-on-a-small-function": "files",
        "percent-brace-text": "percent", "twenty-routes-past-the-policy-limit": "long-paths", "awkward-names": "awkward",
        "wide-function-and-neighbour": "neighbours", "keys-like-api-resources": "lookalikes", "no-routes": "batch-jobs",
        "default-route-only": "catch-all", "literal-default-segment": "dollar", "many-routes-one-function": "wide",
        "routes-that-share-their-words": "same-words", "keys-that-share-an-id": "same-ids", "existing-role-and-parameters": "legacy",
        "manual-deploy-default-stage": "manual", "defaults-and-policies": "policy-heavy",
        "functions-named-apart-from-their-keys": "renamed",
    }  # fmt: skip
    return named.get((case.name, key)) or f"{prefix[case.name]}-{key.replace('_', '-')}"


def test_sam_keeps_apispec_s_permission_for_a_greedy_path(tmp_path_factory: pytest.TempPathFactory) -> None:
    """What SAM deploys for `ANY /files/{path+}`: its own permission, whose `{path+}` matches no
    request, and apispec's, which does (without it the route answers 500)."""
    case = compile_case("greedy-path-on-a-small-function", tmp_path_factory)
    resources = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    assert permissions.granted(resources, "FilesFunction") == {f"{API}/*/GET/files", f"{API}/*/*/files/*", f"{API}/*/*/files/{{path+}}"}


def test_percent_brace_stays_text(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Terraform reads `%{` as a template directive and `${` as an interpolation: both are doubled;
    CloudFormation has no directive, so `%{` stays as written there."""
    case = compile_case("percent-brace-text", tmp_path_factory)
    function = terraform_main(case)["resource"]["aws_lambda_function"]["sale"]
    assert function["description"] == "100%%{off} today"
    assert function["environment"]["variables"] == {"BANNER": "%%{ if sale }50% off%%{ endif }", "PRICE": "$${5} %%{x}"}
    for target in ("sam", "cloudformation"):
        template = load_template(case.target_dir(target) / "template.yaml")
        assert template["Description"] == "Takes 100%{off} seriously"
        properties = template["Resources"]["SaleFunction"]["Properties"]
        assert properties["Description"] == "100%{off} today"
        assert properties["Environment"]["Variables"]["BANNER"] == "%{ if sale }50% off%{ endif }"


@pytest.mark.parametrize("name", sorted(CORS))
def test_cors_settings_mean_the_same_in_every_target(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    """Terraform's `cors_configuration`, CloudFormation's `CorsConfiguration` and what SAM deploys (the
    OpenAPI body's `x-amazon-apigateway-cors`) hold the spec's settings, each under its own names."""
    case = compile_case(name, tmp_path_factory)
    assert terraform_main(case)["resource"]["aws_apigatewayv2_api"]["api"]["cors_configuration"] == CORS[name]
    (api,) = (r for r in load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    assert {_snake(k): v for k, v in api["Properties"]["CorsConfiguration"].items()} == CORS[name]
    (api,) = (r for r in sam_transform(case.target_dir("sam") / "template.yaml")["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    assert {_snake(k): v for k, v in api["Properties"]["Body"]["x-amazon-apigateway-cors"].items()} == CORS[name]


def _snake(name: str) -> str:
    """`allowOrigins` / `AllowOrigins` → `allow_origins`."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def test_outputs_hold_no_machine_paths(case: Compiled) -> None:
    for content in case.files.values():
        assert b"/tmp" not in content and b"pytest-of" not in content


def test_numbers_in_environments_stay_as_written(tmp_path_factory: pytest.TempPathFactory) -> None:
    case = compile_case("wide-function-and-neighbour", tmp_path_factory)
    expected = {"PYTHON_VERSION": "3.10", "OCTAL": "010", "RATIO": "1e3"}
    function = terraform_main(case)["resource"]["aws_lambda_function"]["get_users"]
    assert function["environment"]["variables"] == expected
    for target, kind in (("sam", "AWS::Serverless::Function"), ("cloudformation", "AWS::Lambda::Function")):
        resource = load_template(case.target_dir(target) / "template.yaml")["Resources"]["GetUsersFunction"]
        assert resource["Type"] == kind
        assert resource["Properties"]["Environment"]["Variables"] == expected


def test_condition_values_stay_as_written_and_take_parameters(tmp_path_factory: pytest.TempPathFactory) -> None:
    """An account id keeps its leading zero, `1.10` its zero; `${param:…}` becomes a reference."""
    case = compile_case("defaults-and-policies", tmp_path_factory)
    document = terraform_main(case)["data"]["aws_iam_policy_document"]["reader_policy"]
    tests = {c["variable"]: c["values"] for s in document["statement"] for c in s.get("condition", [])}
    assert tests["aws:SourceAccount"] == ["012345678901"]
    assert tests["aws:PrincipalTag/team"] == ["1.10", "${var.team}"]
    for target in ("sam", "cloudformation"):
        policy = load_template(case.target_dir(target) / "template.yaml")["Resources"]["ReaderPolicy"]
        conditions = [s["Condition"] for s in policy["Properties"]["PolicyDocument"]["Statement"] if "Condition" in s]
        assert conditions[0]["StringEquals"] == {"aws:SourceAccount": "012345678901", "aws:PrincipalTag/team": ["1.10", {"Ref": "Team"}]}


def test_ephemeral_storage_sizes_tmp_where_set(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`ephemeral_storage` becomes each target's `/tmp` size; a function without it keeps Lambda's default (nothing written)."""
    case = compile_case("defaults-and-policies", tmp_path_factory)
    functions = terraform_main(case)["resource"]["aws_lambda_function"]
    assert functions["writer"]["ephemeral_storage"] == {"size": 10240}
    assert "ephemeral_storage" not in functions["reader"]
    for target in ("sam", "cloudformation"):
        resources = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        assert resources["WriterFunction"]["Properties"]["EphemeralStorage"] == {"Size": 10240}
        assert "EphemeralStorage" not in resources["ReaderFunction"]["Properties"]


def test_cors_method_any_is_every_method(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Browsers match `Access-Control-Allow-Methods` against real methods: the route method `ANY` is `*`."""
    case = compile_case("manual-deploy-default-stage", tmp_path_factory)
    api = terraform_main(case)["resource"]["aws_apigatewayv2_api"]["api"]
    assert api["cors_configuration"]["allow_methods"] == ["GET", "*"]
    for target, kind in (("sam", "AWS::Serverless::HttpApi"), ("cloudformation", "AWS::ApiGatewayV2::Api")):
        (resource,) = (r for r in load_template(case.target_dir(target) / "template.yaml")["Resources"].values() if r["Type"] == kind)
        assert resource["Properties"]["CorsConfiguration"]["AllowMethods"] == ["GET", "*"]


def test_every_function_logs_to_its_own_group(case: Compiled) -> None:
    spec = case.checked.resolved
    assert spec is not None
    for target in ("sam", "cloudformation"):
        resources = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        groups = {k: r["Properties"]["LogGroupName"] for k, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
        for fn in spec.functions:
            function = next(r for r in resources.values() if r["Type"].endswith("::Function") and r["Properties"]["FunctionName"] == fn.name)
            assert groups[function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]] == fn.log_group_name, (target, fn.key)
    functions = terraform_main(case)["resource"]["aws_lambda_function"].values()
    groups = {f"${{aws_cloudwatch_log_group.{k}.name}}": g["name"] for k, g in terraform_main(case)["resource"]["aws_cloudwatch_log_group"].items()}
    assert sorted(groups[f["logging_config"]["log_group"]] for f in functions) == sorted(fn.log_group_name for fn in spec.functions)


def test_literal_text_that_looks_like_a_reference_stays_literal(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Terraform doubles `${`; CloudFormation joins the text so that nothing substitutes it."""
    case = compile_case("awkward-names", tmp_path_factory)
    handler = "bootstrap-${AWS::Region}-${path.cwd}"
    assert terraform_main(case)["resource"]["aws_lambda_function"]["java_worker"]["handler"] == handler.replace("${", "$${")
    for target in ("sam", "cloudformation"):
        function = load_template(case.target_dir(target) / "template.yaml")["Resources"]["JavaWorkerFunction"]
        assert function["Properties"]["Handler"] == {"Fn::Join": ["", ["bootstrap-$", "{AWS::Region}-$", "{path.cwd}"]]}


def test_function_keys_that_share_an_id_get_ids_of_their_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`fn12`/`fn1-2` and `s3sync`/`s3-sync` are valid keys (only `-`/`_` twins are refused): the first
    keeps its logical ids, the later one's end in a digest of its key, in SAM and CloudFormation alike."""
    case = compile_case("keys-that-share-an-id", tmp_path_factory)
    for target in ("sam", "cloudformation"):
        resources = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        ids = {r["Properties"]["FunctionName"]: i for i, r in resources.items() if r["Type"].endswith("::Function")}
        assert ids["same-ids-fn12"] == "Fn12Function" and ids["same-ids-s3sync"] == "S3syncFunction"
        assert re.fullmatch(r"Fn12[0-9a-f]{10}Function", ids["same-ids-fn1-2"])
        assert re.fullmatch(r"S3Sync[0-9a-f]{10}Function", ids["same-ids-s3-sync"])
    functions = terraform_main(case)["resource"]["aws_lambda_function"]
    assert sorted(functions) == ["fn12", "fn1_2", "s3_sync", "s3sync"]


def test_routes_that_share_their_words_get_names_of_their_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`GET /a-b`, `GET /a_b` and `GET /a/b` are three routes to API Gateway (not an error): the first
    in the file keeps its plain names, each later one gets names that end in a digest of its own key,
    and appending a route renames no route that was there (CloudFormation would create the renamed
    route before deleting the old one, and API Gateway refuses a route key twice)."""
    case = compile_case("routes-that-share-their-words", tmp_path_factory)
    routes = {r["route_key"]: name for name, r in terraform_main(case)["resource"]["aws_apigatewayv2_route"].items()}
    assert len(set(routes.values())) == len(routes) == 8
    assert routes["GET /a.b"] == "get_a_b"
    assert routes["GET /user-profile"] == "get_user_profile"
    assert all(routes[key].startswith("get_user_profile_") for key in ("GET /user_profile", "GET /user/profile", "GET /User-Profile"))
    assert routes["GET /userprofile"].startswith("get_userprofile_")  # `GetUserprofile`: the id `GetUserProfile` once case is set aside
    statement_ids = [p["statement_id"] for p in terraform_main(case)["resource"]["aws_lambda_permission"].values()]
    assert len(set(statement_ids)) == len(statement_ids)

    text = CASES["routes-that-share-their-words"]
    head, _, body = text.partition("routes:\n")
    CASES["one-route-less"] = head + "routes:\n" + "".join(body.splitlines(keepends=True)[:-2])  # without `/userprofile`, `/a.b`
    try:
        before = compile_case("one-route-less", tmp_path_factory)
    finally:
        del CASES["one-route-less"]
    earlier = {r["route_key"]: name for name, r in terraform_main(before)["resource"]["aws_apigatewayv2_route"].items()}
    assert earlier == {key: name for key, name in routes.items() if key in earlier}


def test_resources_are_named_after_the_deployed_name(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A function's resources follow its name less the prefix (the key's names for a default name), so a key
    renamed with its `name` kept renames nothing; outputs keep the key's names."""
    case = compile_case("functions-named-apart-from-their-keys", tmp_path_factory)
    for target in ("sam", "cloudformation"):
        template = load_template(case.target_dir(target) / "template.yaml")
        ids = {r["Properties"]["FunctionName"]: i for i, r in template["Resources"].items() if r["Type"].endswith("::Function")}
        assert ids == {
            "renamed-create-order": "CreateOrderFunction",
            "nightly_Job": "NightlyJobFunction",
            "renamed-list-orders": "ListOrdersFunction",
            "renamed-api": "ApiFunction",
        }
        assert {"CreateOrderLogGroup", "CreateOrderRole", "CreateOrderPolicy", "NightlyJobRole"} <= set(template["Resources"])
        assert {"PlaceOrderFunctionName", "WorkerFunctionArn", "ListOrdersLogGroupName"} <= set(template["Outputs"])
    cloudformation = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    assert {"CreateOrderIntegration", "NightlyJobIntegration"} <= set(cloudformation)
    resources = terraform_main(case)["resource"]
    assert sorted(resources["aws_lambda_function"]) == ["api", "create_order", "list_orders", "nightly_job"]
    assert sorted(resources["aws_cloudwatch_log_group"]) == ["api", "api_access_logs", "create_order", "list_orders", "nightly_job"]
    assert sorted(resources["aws_apigatewayv2_integration"]) == ["api", "create_order", "list_orders", "nightly_job"]
    outputs = json.loads((case.target_dir("terraform") / "outputs.tf.json").read_text())["output"]
    assert outputs["place_order_function_name"]["value"] == "${aws_lambda_function.create_order.function_name}"
    assert outputs["worker_log_group"]["value"] == "${aws_cloudwatch_log_group.nightly_job.name}"
