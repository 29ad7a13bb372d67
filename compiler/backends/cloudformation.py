"""Plain CloudFormation: explicit `AWS::Lambda`, `AWS::ApiGatewayV2`, `AWS::IAM` and `AWS::Logs` resources.

Function code is a local path, for `aws cloudformation package` to upload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compiler import ir
from compiler.backends import Rendered
from compiler.backends.cfn import (
    TRACING_MODES,
    CfnRenderer,
    code_path,
    resource,
)
from compiler.package import manifest

# `Code` is a local directory that `aws cloudformation package` uploads; cfn-lint's W3002 says
# exactly that, so the function resource tells cfn-lint it is intended.
PACKAGED_CODE = {"cfn-lint": {"config": {"ignore_checks": ["W3002"]}}}


def render(graph: ir.Graph, root: str) -> list[Rendered]:
    cfn = CfnRenderer(graph)
    resources: dict[str, Any] = {}
    for node in graph.nodes:
        resources[cfn.id_of(node)] = _resource(cfn, node, root)
    return [cfn.template(resources)]


def _resource(cfn: CfnRenderer, node: ir.Node, root: str) -> dict[str, Any]:
    render_node = RESOURCES.get(type(node))
    if render_node is None:
        raise TypeError(f"no CloudFormation rendering for {type(node).__name__}")
    return render_node(cfn, node, root)


def _api(cfn: CfnRenderer, node: ir.Api, root: str) -> dict[str, Any]:
    return resource(
        "AWS::ApiGatewayV2::Api",
        {
            "Name": node.name,
            "Description": cfn.text(node.description),
            "ProtocolType": "HTTP",
            "CorsConfiguration": cfn.cors(node.cors) if node.cors else None,
            "DisableExecuteApiEndpoint": True if node.disable_default_endpoint else None,
            "Tags": cfn.tag_map(node.tags),
        },
    )


def _integration(cfn: CfnRenderer, node: ir.Integration, root: str) -> dict[str, Any]:
    return resource(
        "AWS::ApiGatewayV2::Integration",
        {
            "ApiId": cfn.value(node.api),
            "IntegrationType": "AWS_PROXY",
            "IntegrationMethod": "POST",
            "IntegrationUri": cfn.value(node.function),
            "PayloadFormatVersion": node.payload_format_version,
            "TimeoutInMillis": node.timeout_ms,
        },
    )


def _route(cfn: CfnRenderer, node: ir.Route, root: str) -> dict[str, Any]:
    return resource(
        "AWS::ApiGatewayV2::Route",
        {
            "ApiId": cfn.value(node.api),
            "RouteKey": node.route_key,
            "Target": cfn.value(ir.Sub(("integrations/", node.integration))),
            **_authorization(cfn, node.authorization),
        },
        depends_on=[cfn.id_of(cfn.graph.node(node.after))] if node.after else None,
    )


def _authorization(cfn: CfnRenderer, authorization: ir.Authorization | None) -> dict[str, Any]:
    """A protected route's properties (none for an open one: `NONE` is the default)."""
    if authorization is None:
        return {}
    return {
        "AuthorizationType": authorization.type,
        "AuthorizerId": cfn.value(authorization.authorizer) if authorization.authorizer is not None else None,
        "AuthorizationScopes": [cfn.value(s) for s in authorization.scopes] or None,
    }


def _authorizer(cfn: CfnRenderer, node: ir.Authorizer, root: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"ApiId": cfn.value(node.api), "Name": node.name, "AuthorizerType": node.type}
    properties["IdentitySource"] = list(node.identity_sources) or None
    if node.type == "JWT":
        properties["JwtConfiguration"] = {"Audience": [cfn.value(a) for a in node.audience], "Issuer": cfn.value(node.issuer)}
    else:
        assert node.function is not None
        properties["AuthorizerUri"] = cfn.value(node.function)
        properties["AuthorizerPayloadFormatVersion"] = node.payload_format_version
        properties["AuthorizerResultTtlInSeconds"] = node.ttl
        properties["EnableSimpleResponses"] = node.simple_responses
    return resource("AWS::ApiGatewayV2::Authorizer", properties)


def _deployment(cfn: CfnRenderer, node: ir.Deployment, root: str) -> dict[str, Any]:
    return resource(
        "AWS::ApiGatewayV2::Deployment",
        {"ApiId": cfn.value(node.api), "Description": cfn.text(node.description)},
        depends_on=[cfn.logical_id(ir.Ref(t, "id")) for t in node.triggers if isinstance(cfn.graph.node(t), ir.Route)],
    )


def _stage(cfn: CfnRenderer, node: ir.Stage, root: str) -> dict[str, Any]:
    return resource(
        "AWS::ApiGatewayV2::Stage",
        {
            "ApiId": cfn.value(node.api),
            "StageName": node.name,
            "AutoDeploy": node.auto_deploy,
            "DeploymentId": cfn.value(node.deployment) if node.deployment else None,
            "AccessLogSettings": cfn.access_log_settings(node),
            "DefaultRouteSettings": cfn.throttling(node),
            "RouteSettings": cfn.route_settings(node),
            "Tags": cfn.tag_map(node.tags),
        },
        depends_on=[cfn.id_of(cfn.graph.node(d)) for d in node.depends_on],
    )


def _function(cfn: CfnRenderer, node: ir.Function, root: str) -> dict[str, Any]:
    # A function with dependencies or a `build` command: the zip `apispec package` writes, beside this
    # template's directory; `aws cloudformation package` uploads a local zip as it is.
    code = manifest.zip_from_target(node.key) if node.package is not None else code_path(root, node.source)
    properties = cfn.function_properties(node, ("Code", code), cfn.tag_list(node.tags))
    if node.config.tracing:
        properties["TracingConfig"] = {"Mode": TRACING_MODES[node.config.tracing]}
    return resource("AWS::Lambda::Function", properties, depends_on=cfn.depends_on(node), metadata=PACKAGED_CODE)


def _version(cfn: CfnRenderer, node: ir.Version, root: str) -> dict[str, Any]:
    """A version; its logical id carries the digest of the code and configuration, so a change publishes a
    new one. The old one is kept (`Retain`), as the versions Terraform and SAM publish are."""
    body = resource("AWS::Lambda::Version", {"FunctionName": cfn.value(node.function)})
    return {"Type": body["Type"], "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": body["Properties"]}


def _alias(cfn: CfnRenderer, node: ir.Alias, root: str) -> dict[str, Any]:
    provisioned = {"ProvisionedConcurrentExecutions": node.provisioned_concurrency} if node.provisioned_concurrency is not None else None
    properties = {"Name": node.name, "FunctionName": cfn.value(node.function), "FunctionVersion": cfn.value(node.version), "ProvisionedConcurrencyConfig": provisioned}
    return resource("AWS::Lambda::Alias", properties)


# The resource each node type becomes.
RESOURCES: dict[type, Callable[[CfnRenderer, Any, str], dict[str, Any]]] = {
    ir.LogGroup: lambda cfn, node, root: cfn.log_group(node),
    ir.Role: lambda cfn, node, root: cfn.role(node),
    ir.RolePolicy: lambda cfn, node, root: cfn.role_policy(node),
    ir.Function: _function,
    ir.Api: _api,
    ir.Integration: _integration,
    ir.Route: _route,
    ir.Deployment: _deployment,
    ir.Stage: _stage,
    ir.Permission: lambda cfn, node, root: cfn.permission(node),
    ir.UrlIntegration: lambda cfn, node, root: cfn.url_integration(node),
    ir.Domain: lambda cfn, node, root: cfn.domain(node),
    ir.ApiMapping: lambda cfn, node, root: cfn.api_mapping(node),
    ir.DnsRecord: lambda cfn, node, root: cfn.dns_record(node),
    ir.Authorizer: _authorizer,
    ir.AuthorizerPermission: lambda cfn, node, root: cfn.authorizer_permission(node, node.source_arn),
    ir.Version: _version,
    ir.Alias: _alias,
    ir.ScheduleRule: lambda cfn, node, root: cfn.schedule_rule(node),
    ir.EventPermission: lambda cfn, node, root: cfn.event_permission(node),
    ir.EventSourceMapping: lambda cfn, node, root: cfn.event_source_mapping(node),
}
