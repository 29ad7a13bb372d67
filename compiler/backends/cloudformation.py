"""Plain CloudFormation: explicit `AWS::Lambda`, `AWS::ApiGatewayV2`, `AWS::IAM` and `AWS::Logs` resources.

Function code is a local path, for `aws cloudformation package` to upload.
"""

from __future__ import annotations

from typing import Any

from compiler import ir
from compiler.backends import Rendered
from compiler.backends.cfn import (
    CfnRenderer,
    code_path,
    resource,
    tag_list,
    tag_map,
)

# `Code` is a local directory that `aws cloudformation package` uploads; cfn-lint's W3002 says
# exactly that, so the function resource tells cfn-lint it is intended.
PACKAGED_CODE = {"cfn-lint": {"config": {"ignore_checks": ["W3002"]}}}


def render(graph: ir.Graph, root: str) -> list[Rendered]:
    cfn = CfnRenderer(graph)
    resources: dict[str, Any] = {}
    for node in graph.nodes:
        resources[node.names.logical_id] = _resource(cfn, node, root)
    return [cfn.template(resources)]


def _resource(cfn: CfnRenderer, node: ir.Node, root: str) -> dict[str, Any]:
    if isinstance(node, ir.LogGroup):
        return cfn.log_group(node)
    if isinstance(node, ir.Role):
        return cfn.role(node)
    if isinstance(node, ir.RolePolicy):
        return cfn.role_policy(node)
    if isinstance(node, ir.Function):
        return _function(cfn, node, root)
    if isinstance(node, ir.Api):
        return resource(
            "AWS::ApiGatewayV2::Api",
            {
                "Name": node.name,
                "Description": cfn.text(node.description),
                "ProtocolType": "HTTP",
                "CorsConfiguration": cfn.cors(node.cors) if node.cors else None,
                "Tags": tag_map(node.tags),
            },
        )
    if isinstance(node, ir.Integration):
        return resource(
            "AWS::ApiGatewayV2::Integration",
            {
                "ApiId": cfn.value(node.api),
                "IntegrationType": "AWS_PROXY",
                "IntegrationMethod": "POST",
                "IntegrationUri": cfn.value(node.function),
                "PayloadFormatVersion": node.payload_format_version,
            },
        )
    if isinstance(node, ir.Route):
        return resource(
            "AWS::ApiGatewayV2::Route",
            {
                "ApiId": cfn.value(node.api),
                "RouteKey": node.route_key,
                "Target": cfn.value(ir.Sub(("integrations/", node.integration))),
            },
            depends_on=[cfn.graph.node(node.after).names.logical_id],
        )
    if isinstance(node, ir.Deployment):
        return resource(
            "AWS::ApiGatewayV2::Deployment",
            {"ApiId": cfn.value(node.api), "Description": cfn.text(node.description)},
            depends_on=[cfn.logical_id(ir.Ref(t, "id")) for t in node.triggers if isinstance(cfn.graph.node(t), ir.Route)],
        )
    if isinstance(node, ir.Stage):
        return resource(
            "AWS::ApiGatewayV2::Stage",
            {
                "ApiId": cfn.value(node.api),
                "StageName": node.name,
                "AutoDeploy": node.auto_deploy,
                "DeploymentId": cfn.value(node.deployment) if node.deployment else None,
                "AccessLogSettings": cfn.access_log_settings(node),
                "DefaultRouteSettings": cfn.throttling(node),
                "Tags": tag_map(node.tags),
            },
        )
    if isinstance(node, ir.Permission):
        return cfn.permission(node)
    raise TypeError(f"no CloudFormation rendering for {type(node).__name__}")


def _function(cfn: CfnRenderer, node: ir.Function, root: str) -> dict[str, Any]:
    properties = cfn.function_properties(node, ("Code", code_path(root, node.source)), tag_list(node.tags))
    return resource(
        "AWS::Lambda::Function", properties, depends_on=cfn.depends_on(node), metadata=PACKAGED_CODE
    )
