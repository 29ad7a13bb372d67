"""The invoke permissions a template grants, as comparable source ARNs, and those the format asks for."""

from __future__ import annotations

from typing import Any

from compiler.lower import source_arn_suffix
from compiler.resolve import MAX_ROUTE_PERMISSIONS, Resolved, routes_by_function


def granted(resources: dict[str, Any], function_logical_id: str) -> set[str]:
    """Source ARNs of the function's `AWS::Lambda::Permission`s, written `${HttpApi}/<stage>/<method>/<path>`
    whether apispec wrote them or the SAM translator did (its `${__ApiId__}`/`${__Stage__}` filled in)."""
    arns = set()
    for resource in resources.values():
        properties = resource["Properties"]
        if resource["Type"] != "AWS::Lambda::Permission" or properties["FunctionName"] != {"Ref": function_logical_id}:
            continue
        assert properties["Principal"] == "apigateway.amazonaws.com"
        sub = properties["SourceArn"]["Fn::Sub"]
        text, variables = (sub, {}) if isinstance(sub, str) else sub
        for name, value in variables.items():
            text = text.replace(f"${{{name}}}", "${HttpApi}" if value == {"Ref": "HttpApi"} else value)
        prefix, api, rest = text.partition("${HttpApi}")
        assert prefix == "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:" and api, text
        arns.add(api + rest)
    return arns


def expected(spec: Resolved) -> dict[str, set[str]]:
    """By function key: one permission per route, scoped to it, or one for the API past 20 routes."""
    return {
        key: {"${HttpApi}/*"} if len(routes) > MAX_ROUTE_PERMISSIONS else {f"${{HttpApi}}{source_arn_suffix(r)}" for r in routes}
        for key, routes in routes_by_function(spec.routes).items()
    }
