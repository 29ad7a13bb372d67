"""The invoke permissions a template grants, as comparable source ARNs, and those the format asks for."""

from __future__ import annotations

import json
from typing import Any

from compiler.lower import source_arn_suffix
from compiler.resolve import Resolved, routes_by_function
from compiler.routekeys import Route


def granted(resources: dict[str, Any], function_logical_id: str, *, authorizers: bool = False) -> set[str]:
    """Source ARNs of the function's `AWS::Lambda::Permission`s, written `${HttpApi}/<stage>/<method>/<path>`
    whether apispec wrote them or the SAM translator did (its `${__ApiId__}`/`${__Stage__}` filled in);
    those of a Lambda authorizer (`${HttpApi}/authorizers/…`) only with `authorizers`."""
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
        if authorizers or not rest.startswith("/authorizers/"):
            arns.add(api + rest)
    return arns


def expected(spec: Resolved) -> dict[str, set[str]]:
    """By function key: one permission per route, scoped to it, or one for the API past 20 routes
    or when 20 route statements would not fit Lambda's 20 KB resource policy."""
    names = {fn.key: fn.name for fn in spec.functions}
    return {
        key: {"${HttpApi}/*"}
        if len(routes) > 20 or _policy_bytes(names[key], routes) > 20 * 1024
        else {f"${{HttpApi}}{source_arn_suffix(r)}" for r in routes}
        for key, routes in routes_by_function(spec.routes).items()
    }


def _policy_bytes(function_name: str, routes: list[Route]) -> int:
    """The largest the function's resource policy can be with a statement per route: in the longest
    partition and region, statement ids at Lambda's 100 characters."""
    arn = "arn:aws-us-gov:{}:ap-southeast-5:123456789012:"
    statements = [
        {
            "Sid": "s" * 100,
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": arn.format("lambda") + "function:" + function_name,
            "Condition": {"ArnLike": {"AWS:SourceArn": arn.format("execute-api") + "abcde12345" + source_arn_suffix(route)}},
        }
        for route in routes
    ]
    return len(json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements}, separators=(",", ":")))
