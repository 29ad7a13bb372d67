"""The Terraform outputs' wiring, and what Terraform itself does not check (tests/support/terraform_check.py).

The real Terraform CLI runs on them in tests/test_real_terraform.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import EXAMPLES, Compiled
from tests.support import expected
from tests.support.terraform_check import check_module


def _module(compiled: Compiled) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _name, content in compiled.target_files("terraform").items():
        for block, body in json.loads(content).items():
            if block != "//":  # the file's "generated" comment
                merged.setdefault(block, {}).update(body)
    return merged


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_deprecated_or_read_only_arguments_and_providers_pinned(compiled: dict[str, Compiled], example: str) -> None:
    assert check_module(compiled[example].target_dir("terraform")) == []


@pytest.mark.parametrize("example", EXAMPLES)
def test_routes_integrations_and_scoped_permissions(compiled: dict[str, Compiled], example: str) -> None:
    resources = _module(compiled[example])["resource"]
    routes = {r["route_key"]: r for r in resources["aws_apigatewayv2_route"].values()}
    functions = expected.FUNCTIONS[example]
    urls = expected.URL_ROUTES.get(example, {})
    assert set(routes) == set(expected.ROUTES[example]) | set(urls)
    integrations = resources["aws_apigatewayv2_integration"]
    for key, url in urls.items():
        integration = integrations[routes[key]["target"].removeprefix("integrations/${aws_apigatewayv2_integration.").removesuffix(".id}")]
        assert (integration["integration_type"], integration["integration_uri"]) == ("HTTP_PROXY", url)
        assert (integration["integration_method"], integration["payload_format_version"]) == (key.partition(" ")[0], "1.0")
    api_permissions = [p for p in resources["aws_lambda_permission"].values() if p["principal"] != "events.amazonaws.com"]  # (schedules' aside)
    granted = sorted((p["function_name"], p["source_arn"]) for p in api_permissions)
    for p in api_permissions:  # what the permission allows, by meaning
        assert (p["action"], p["principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")
    for key, route in expected.ROUTES[example].items():
        name = route.integration[0] if route.integration else functions[route.function].terraform
        assert routes[key]["target"] == f"integrations/${{aws_apigatewayv2_integration.{name}.id}}"
        integration = integrations[name]
        fn = functions[route.function]
        invoked = f"${{aws_lambda_alias.{fn.terraform}.arn}}" if fn.alias else f"${{aws_lambda_function.{fn.terraform}.arn}}"
        assert (integration["integration_type"], integration["integration_uri"]) == ("AWS_PROXY", invoked)
        assert (integration["payload_format_version"], integration.get("timeout_milliseconds")) == (route.payload_format, route.timeout_ms)
    execution_arn = "${aws_apigatewayv2_api.api.execution_arn}"
    assert granted == sorted(
        [
            *((functions[r.function].invoked_tf, f"{execution_arn}{r.source_arn}") for r in expected.ROUTES[example].values()),
            *(
                (functions[key].invoked_tf, f"{execution_arn}{arn}")
                for key, arn, _ in expected.AUTHORIZER_PERMISSIONS.get(example, {}).values()
            ),
        ]
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_route_comes_after_the_permission_that_lets_it_reach_its_function(compiled: dict[str, Compiled], example: str) -> None:
    """An auto-deployed stage serves a route as soon as it exists; made before its invoke permission,
    it answers 500 until the permission is there."""
    resources = _module(compiled[example])["resource"]
    routes = {r["route_key"]: r for r in resources["aws_apigatewayv2_route"].values()}
    for key, route in expected.ROUTES[example].items():
        (address,) = routes[key]["depends_on"]
        kind, _, name = address.partition(".")
        permission = resources[kind][name]
        assert kind == "aws_lambda_permission"
        assert permission["function_name"] == expected.FUNCTIONS[example][route.function].invoked_tf
        assert permission["source_arn"] == f"${{aws_apigatewayv2_api.api.execution_arn}}{route.source_arn}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_log_groups_come_first_and_roles_use_separate_policies(compiled: dict[str, Compiled], example: str) -> None:
    resources = _module(compiled[example])["resource"]
    for fn in expected.FUNCTIONS[example].values():
        name = fn.terraform
        group = resources["aws_cloudwatch_log_group"][name]
        assert (group["name"], group.get("retention_in_days"), group.get("kms_key_id")) == (fn.log_group, fn.retention_days, fn.kms_key_arn)
        function = resources["aws_lambda_function"][name]
        assert f"aws_cloudwatch_log_group.{name}" in function["depends_on"]
        if fn.own_role:
            assert "inline_policy" not in resources["aws_iam_role"][name]
            assert resources["aws_iam_role_policy"][name]["role"] == f"${{aws_iam_role.{name}.name}}"
        else:
            assert name not in resources.get("aws_iam_role", {})


def test_a_manual_deployment_redeploys_for_every_route_integration_and_the_cors_settings(compiled: dict[str, Compiled]) -> None:
    """`auto_deploy: false`: the stage keeps serving its deployment, so the trigger hash takes in all it holds."""
    resources = _module(compiled["shop"])["resource"]
    (deployment,) = resources["aws_apigatewayv2_deployment"].values()
    captured = deployment["triggers"]["redeployment"].removeprefix("${sha1(jsonencode([").removesuffix("]))}").split(", ")
    expected = [f"aws_apigatewayv2_integration.{name}" for name in resources["aws_apigatewayv2_integration"]]
    expected += [f"aws_apigatewayv2_route.{name}" for name in resources["aws_apigatewayv2_route"]]
    assert captured == [*expected, "aws_apigatewayv2_api.api.cors_configuration"]
    assert deployment["lifecycle"] == {"create_before_destroy": True}
    (stage,) = resources["aws_apigatewayv2_stage"].values()
    assert stage["deployment_id"] == "${aws_apigatewayv2_deployment.api.id}" and stage["auto_deploy"] is False


def test_the_readme_redeploys_a_removed_route_with_the_deployments_own_address(compiled: dict[str, Compiled]) -> None:
    """A removed route stays in the deployment Terraform creates before deleting it (create_before_destroy),
    and the next `apply` plans nothing: `triggers` hash only the configuration. The README's remedy must
    name the address the module really has, for `terraform apply -replace=ADDRESS`."""
    from compiler.docs import README

    resources = _module(compiled["shop"])["resource"]
    (name,) = resources["aws_apigatewayv2_deployment"]
    assert f"terraform apply -replace=aws_apigatewayv2_deployment.{name}`" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_stage_route_settings_come_only_with_both_throttling_limits(compiled: dict[str, Compiled], example: str) -> None:
    """hashicorp/aws sends every unset number of a `default_route_settings` block as 0, and a limit of 0
    rejects every request with 429 (terraform-provider-aws#43307, terraform-aws-apigateway-v2#59): the
    block is written only with `api.throttling`, and then with both limits. (Removing it later changes
    nothing on the stage, the provider suppresses that diff: the README says so.)"""
    (stage,) = _module(compiled[example])["resource"]["aws_apigatewayv2_stage"].values()
    throttling = expected.THROTTLING[example]
    if throttling is None:
        assert "default_route_settings" not in stage
    else:
        burst, rate, metrics = throttling
        settings = {"throttling_burst_limit": burst, "throttling_rate_limit": rate} | ({"detailed_metrics_enabled": True} if metrics else {})
        assert stage["default_route_settings"] == settings
    assert stage.get("route_settings", []) == [
        {"route_key": key, "throttling_burst_limit": burst, "throttling_rate_limit": rate, "detailed_metrics_enabled": metrics}
        for key, (burst, rate, metrics) in expected.ROUTE_SETTINGS.get(example, {}).items()
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_cors_settings_are_the_spec_s(compiled: dict[str, Compiled], example: str) -> None:
    """By meaning: each `api.cors` setting in the provider's `cors_configuration` block, nothing else."""
    (api,) = _module(compiled[example])["resource"]["aws_apigatewayv2_api"].values()
    assert api["cors_configuration"] == expected.CORS[example]


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_custom_domain_its_mapping_records_and_url(compiled: dict[str, Compiled], example: str) -> None:
    """`api.domain`: a regional TLS 1.2 domain, its API mapping, alias records (`AAAA` too for dual-stack)
    and `custom_url`; `disable_default_endpoint` on the API; the named access-log group."""
    module = _module(compiled[example])
    resources = module["resource"]
    (api,) = resources["aws_apigatewayv2_api"].values()
    assert api.get("disable_execute_api_endpoint", False) == expected.DEFAULT_ENDPOINT_DISABLED[example]
    name, retention, key = expected.ACCESS_LOGS[example]
    group = resources["aws_cloudwatch_log_group"]["api_access_logs"]
    assert (group["name"], group.get("retention_in_days"), group.get("kms_key_id")) == (name, retention, key)
    domain = expected.DOMAINS.get(example)
    if domain is None:
        assert "aws_apigatewayv2_domain_name" not in resources and "custom_url" not in module["output"]
        return
    (made,) = resources["aws_apigatewayv2_domain_name"].values()
    assert made["domain_name"] == domain.name
    assert made["domain_name_configuration"] == {
        "certificate_arn": domain.certificate_arn,
        "endpoint_type": "REGIONAL",
        "security_policy": "TLS_1_2",
        "ip_address_type": domain.ip_address_type,
    }
    assert made.get("mutual_tls_authentication") == ({"truststore_uri": domain.truststore_uri} if domain.truststore_uri else None)
    (mapping,) = resources["aws_apigatewayv2_api_mapping"].values()
    assert mapping.get("api_mapping_key") == domain.base_path
    records = sorted((r["type"], r["name"], r["zone_id"]) for r in resources.get("aws_route53_record", {}).values())
    types = ["A", "AAAA"] if domain.ip_address_type == "dualstack" else ["A"]
    assert records == ([(t, domain.name, domain.hosted_zone_id) for t in types] if domain.hosted_zone_id else [])
    assert module["output"]["custom_url"]["value"] == domain.custom_url
