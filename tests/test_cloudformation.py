"""cfn-lint on every SAM and CloudFormation output, and the SAM translator on every SAM output."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, Compiled
from tests.support import expected, permissions
from tests.support.validators import cfn_lint, load_template, sam_transform


@pytest.mark.parametrize("target", ["sam", "cloudformation"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_cfn_lint_finds_nothing(compiled: dict[str, Compiled], example: str, target: str) -> None:
    assert cfn_lint(compiled[example].target_dir(target) / "template.yaml") == []


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


@pytest.mark.parametrize("example", EXAMPLES)
def test_sam_translator_makes_the_api_stage_routes_permissions_and_log_groups(compiled: dict[str, Compiled], example: str) -> None:
    result = sam_transform(compiled[example].target_dir("sam") / "template.yaml")
    functions = expected.FUNCTIONS[example]

    (api,) = _of_type(result, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["Body"]["info"]["title"] == expected.API_NAMES[example]
    paths = api["Properties"]["Body"]["paths"]
    for key, route in expected.ROUTES[example].items():
        method, _, path = key.partition(" ")
        if key == "$default":  # the catch-all, where SAM puts it
            method, path = "ANY", "/$default"
        operation = "x-amazon-apigateway-any-method" if method == "ANY" else method.lower()
        integration = paths[path][operation]["x-amazon-apigateway-integration"]
        assert integration["payloadFormatVersion"] == route.payload_format
        assert integration.get("timeoutInMillis") == route.timeout_ms
        assert integration["type"] == "aws_proxy"
        fn = functions[route.function]
        invoked = f"${{{fn.invoked_id}}}" if fn.alias else f"${{{fn.logical_id}Function.Arn}}"
        assert invoked in integration["uri"]["Fn::Sub"]
    for key, url in expected.URL_ROUTES.get(example, {}).items():
        method, _, path = key.partition(" ")
        integration = paths[path][method.lower()]["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["uri"], integration["payloadFormatVersion"]) == ("http_proxy", url, "1.0")

    (stage,) = _of_type(result, "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == expected.STAGES[example]
    assert stage["Properties"]["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogs", "Arn"]}

    for key, fn in functions.items():
        arns = {f"${{HttpApi}}{r.source_arn}" for r in expected.ROUTES[example].values() if r.function == key}
        assert permissions.granted(result["Resources"], fn.invoked_id) == arns, key

    log_groups = {r["Properties"]["LogGroupName"]: r["Properties"] for r in _of_type(result, "AWS::Logs::LogGroup").values()}
    for fn in functions.values():
        assert log_groups[fn.log_group].get("RetentionInDays") == fn.retention_days
        assert log_groups[fn.log_group].get("KmsKeyId") == fn.kms_key_arn
        function = result["Resources"][f"{fn.logical_id}Function"]["Properties"]
        assert function["LoggingConfig"]["LogGroup"] == {"Ref": f"{fn.logical_id}LogGroup"}


@pytest.mark.parametrize("target", ["sam", "cloudformation"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_cors_settings_and_invoke_permissions_mean_what_the_spec_says(compiled: dict[str, Compiled], example: str, target: str) -> None:
    """By meaning, in what CloudFormation deploys (SAM: after its transform): the API's CORS settings
    are the spec's, and every invoke permission lets API Gateway call the function, nothing more."""
    template = compiled[example].target_dir(target) / "template.yaml"
    resources = (sam_transform(template) if target == "sam" else load_template(template))["Resources"]
    (api,) = (r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    # SAM puts CORS in the API's OpenAPI body; CloudFormation in the API's `CorsConfiguration`.
    cors = api["Body"]["x-amazon-apigateway-cors"] if target == "sam" else api["CorsConfiguration"]
    assert {_snake(name): value for name, value in cors.items()} == expected.CORS[example]
    permissions_ = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] != "events.amazonaws.com"]
    assert len(permissions_) == len(expected.ROUTES[example]) + len(expected.AUTHORIZER_PERMISSIONS.get(example, {}))
    for permission in permissions_:
        assert (permission["Action"], permission["Principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")


def _snake(name: str) -> str:
    """`allowOrigins` / `AllowOrigins` → `allow_origins`: the format's name of a CORS setting."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_route_comes_after_the_permission_that_lets_it_reach_its_function(compiled: dict[str, Compiled], example: str) -> None:
    """CloudFormation: a route made before its invoke permission answers 500 until the permission is there."""
    resources = load_template(compiled[example].target_dir("cloudformation") / "template.yaml")["Resources"]
    routes = {r["Properties"]["RouteKey"]: r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert set(routes) == set(expected.ROUTES[example]) | set(expected.URL_ROUTES.get(example, {}))
    assert all("DependsOn" not in routes[key] for key in expected.URL_ROUTES.get(example, {}))  # no function to reach
    for key, route in expected.ROUTES[example].items():
        (before,) = routes[key]["DependsOn"]
        permission = resources[before]
        assert permission["Type"] == "AWS::Lambda::Permission"
        assert permission["Properties"]["FunctionName"] == {"Ref": expected.FUNCTIONS[example][route.function].invoked_id}
        assert permission["Properties"]["SourceArn"] == {
            "Fn::Sub": f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{HttpApi}}{route.source_arn}"
        }


@pytest.mark.parametrize("example", EXAMPLES)
def test_sam_and_cloudformation_describe_the_same_named_resources(compiled: dict[str, Compiled], example: str) -> None:
    sam = load_template(compiled[example].target_dir("sam") / "template.yaml")
    cfn = load_template(compiled[example].target_dir("cloudformation") / "template.yaml")
    shared = ("AWS::Logs::LogGroup", "AWS::IAM::Role", "AWS::IAM::Policy")
    for kind in shared:
        assert _of_type(sam, kind) == _of_type(cfn, kind)
    sam_functions = {k: r["Properties"]["FunctionName"] for k, r in _of_type(sam, "AWS::Serverless::Function").items()}
    cfn_functions = {k: r["Properties"]["FunctionName"] for k, r in _of_type(cfn, "AWS::Lambda::Function").items()}
    assert sam_functions == cfn_functions
    assert sam["Outputs"].keys() == cfn["Outputs"].keys()


SHOP_CHANGES = {
    "a new route": ("  GET /: catalog\n", "  GET /: catalog\n  GET /health: catalog\n"),
    "a route served by another function": ("  GET /: catalog\n", "  GET /: list_orders\n"),
    "a renamed function (a new ARN in its integration)": ("    name: shop-create-order\n", "    name: shop-create-order-v2\n"),
    "other CORS origins": ("https://admin.example.com]", "https://back-office.example.com]"),
}


@pytest.mark.parametrize("change", sorted(SHOP_CHANGES))
def test_a_manual_deployment_is_replaced_when_what_it_deploys_changes(tmp_path: Path, change: str) -> None:
    """CloudFormation makes a new deployment only for a new logical id, so the id follows the routes,
    their integrations' targets and the API's CORS settings."""
    from tests.conftest import ROOT, compile_spec

    shop = (ROOT / "specs" / "shop" / "service.yaml").read_text()
    old, new = SHOP_CHANGES[change]
    assert old in shop

    def deployment_ids(text: str, name: str) -> list[str]:
        directory = tmp_path / name
        shutil.copytree(ROOT / "specs" / "shop", directory)
        (directory / "service.yaml").write_text(text)
        template = load_template(compile_spec(directory / "service.yaml", directory / "out").target_dir("cloudformation") / "template.yaml")
        ids = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::ApiGatewayV2::Deployment"]
        (stage,) = _of_type(template, "AWS::ApiGatewayV2::Stage").values()
        assert stage["Properties"]["DeploymentId"] == {"Ref": ids[0]}
        return ids

    same = deployment_ids(shop, "same")
    assert same == deployment_ids(shop, "again")
    assert same != deployment_ids(shop.replace(old, new), "changed")
    assert same == deployment_ids(shop.replace("  memory: 256\n", "  memory: 512\n"), "unrelated")


PREBUILT_SPEC = """
service: prebuilt
functions:
  py: {source: code, handler: main.handler, runtime: python3.12}
  js: {source: code, handler: main.handler, runtime: nodejs22.x}
  rust: {source: code, handler: bootstrap, runtime: provided.al2023}
  java: {source: code, handler: "example.Handler::handleRequest", runtime: java21}
routes:
  GET /py: py
  GET /rust: rust
"""


def test_sam_build_takes_code_it_cannot_build_as_built(tmp_path: Path) -> None:
    """`sam build` builds `provided*` functions with a `Makefile` target (SAM guide, "Building Lambda
    functions with custom runtimes") and Java/.NET from their build manifests, and fails without
    them; Python and Node.js it copies, with their dependencies if declared. The source is the
    package as it is (as Terraform and `aws cloudformation package` zip it), so the functions SAM
    cannot build carry `Metadata: SkipBuild`, SAM CLI's mark for code built outside it."""
    from tests.conftest import compile_spec

    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "service.yaml").write_text(PREBUILT_SPEC.lstrip())
    template_path = compile_spec(tmp_path / "service.yaml", tmp_path / "out").target_dir("sam") / "template.yaml"
    functions = _of_type(load_template(template_path), "AWS::Serverless::Function")
    assert {k: r.get("Metadata") for k, r in functions.items()} == {
        "PyFunction": None,
        "JsFunction": None,
        "RustFunction": {"SkipBuild": True},
        "JavaFunction": {"SkipBuild": True},
    }
    assert cfn_lint(template_path) == []
    transformed = _of_type(sam_transform(template_path), "AWS::Lambda::Function")
    assert transformed.keys() == functions.keys()


@pytest.mark.parametrize("example", EXAMPLES)
def test_lambda_authorizers_may_be_invoked_by_their_authorizer_only(compiled: dict[str, Compiled], example: str) -> None:
    """A Lambda authorizer's function is invoked from `<api>/authorizers/<that authorizer>`, never `/*`."""
    resources = load_template(compiled[example].target_dir("cloudformation") / "template.yaml")["Resources"]
    granted = {
        (r["Properties"]["FunctionName"]["Ref"], r["Properties"]["SourceArn"]["Fn::Sub"])
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Permission" and "/authorizers/" in str(r["Properties"]["SourceArn"])
    }
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}"
    assert granted == {
        (f"{expected.FUNCTIONS[example][key].logical_id}Function", f"{prefix}{arn}") for key, _, arn in expected.AUTHORIZER_PERMISSIONS.get(example, {}).values()
    }


@pytest.mark.parametrize("target", ["sam", "cloudformation"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_the_api_surface_is_the_spec_s(compiled: dict[str, Compiled], example: str, target: str) -> None:
    """What CloudFormation deploys (SAM: after its transform) for the keys of format 1.1's section A:
    the custom domain, its mapping and alias records, the disabled default endpoint, the stage's
    default and per-route settings and the access-log group."""
    template = compiled[example].target_dir(target) / "template.yaml"
    resources = (sam_transform(template) if target == "sam" else load_template(template))["Resources"]
    of_type = {kind: [r["Properties"] for r in resources.values() if r["Type"] == kind] for kind in {r["Type"] for r in resources.values()}}
    (api,) = of_type["AWS::ApiGatewayV2::Api"]
    if target == "sam":  # SAM writes it where API Gateway's OpenAPI import reads it
        servers = api["Body"].get("servers", [{}])
        disabled = servers[0].get("x-amazon-apigateway-endpoint-configuration", {}).get("disableExecuteApiEndpoint", False)
    else:
        disabled = api.get("DisableExecuteApiEndpoint", False)
    assert disabled == expected.DEFAULT_ENDPOINT_DISABLED[example]

    domain = expected.DOMAINS.get(example)
    if domain is None:
        assert "AWS::ApiGatewayV2::DomainName" not in of_type
    else:
        (made,) = of_type["AWS::ApiGatewayV2::DomainName"]
        assert made["DomainName"] == domain.name
        assert made["DomainNameConfigurations"] == [
            {"CertificateArn": domain.certificate_arn, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2", "IpAddressType": domain.ip_address_type}
        ]
        assert made.get("MutualTlsAuthentication") == ({"TruststoreUri": domain.truststore_uri} if domain.truststore_uri else None)
        (mapping,) = of_type["AWS::ApiGatewayV2::ApiMapping"]
        assert mapping.get("ApiMappingKey") == domain.base_path
        records = sorted((r["Type"], r["Name"], r["HostedZoneId"]) for r in of_type.get("AWS::Route53::RecordSet", []))
        types = ["A", "AAAA"] if domain.ip_address_type == "dualstack" else ["A"]
        assert records == ([(t, domain.name, domain.hosted_zone_id) for t in types] if domain.hosted_zone_id else [])
        outputs = load_template(template)["Outputs"]
        assert outputs["CustomUrl"]["Value"] == domain.custom_url

    (stage,) = of_type["AWS::ApiGatewayV2::Stage"]
    defaults = expected.THROTTLING[example]
    if defaults is None:
        assert "DefaultRouteSettings" not in stage
    else:
        burst, rate, metrics = defaults
        settings = {"ThrottlingBurstLimit": burst, "ThrottlingRateLimit": rate} | ({"DetailedMetricsEnabled": True} if metrics else {})
        assert stage["DefaultRouteSettings"] == settings
    assert stage.get("RouteSettings", {}) == {
        key: {"ThrottlingBurstLimit": burst, "ThrottlingRateLimit": rate, "DetailedMetricsEnabled": metrics}
        for key, (burst, rate, metrics) in expected.ROUTE_SETTINGS.get(example, {}).items()
    }

    name, retention, key = expected.ACCESS_LOGS[example]
    (group,) = (g for g in of_type["AWS::Logs::LogGroup"] if g["LogGroupName"] == name)
    assert (group.get("RetentionInDays"), group.get("KmsKeyId")) == (retention, key)


@pytest.mark.parametrize("example", EXAMPLES)
def test_routes_use_the_integration_their_settings_call_for(compiled: dict[str, Compiled], example: str) -> None:
    """Routes of one function with the same timeout and payload format share one integration; others
    get their own, named after the setting (so adding a route renames nothing); url routes proxy."""
    resources = load_template(compiled[example].target_dir("cloudformation") / "template.yaml")["Resources"]
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert set(routes) == set(expected.ROUTES[example]) | set(expected.URL_ROUTES.get(example, {}))
    for key, route in expected.ROUTES[example].items():
        fn = expected.FUNCTIONS[example][route.function]
        integration_id = route.integration[1] if route.integration else f"{fn.logical_id}Integration"
        assert routes[key]["Target"] == {"Fn::Sub": f"integrations/${{{integration_id}}}"}
        integration = resources[integration_id]["Properties"]
        assert integration["IntegrationUri"] == ({"Ref": fn.invoked_id} if fn.alias else {"Fn::GetAtt": [f"{fn.logical_id}Function", "Arn"]})
        assert (integration["PayloadFormatVersion"], integration.get("TimeoutInMillis")) == (route.payload_format, route.timeout_ms)
    for key, url in expected.URL_ROUTES.get(example, {}).items():
        target = routes[key]["Target"]["Fn::Sub"].removeprefix("integrations/${").removesuffix("}")
        integration = resources[target]["Properties"]
        method = key.partition(" ")[0]
        assert (integration["IntegrationType"], integration["IntegrationUri"], integration["IntegrationMethod"]) == ("HTTP_PROXY", url, method)
