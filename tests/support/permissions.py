"""The invoke permissions a template grants, as comparable source ARNs (what each test expects is
written out in the test: never computed by the compiler's own functions)."""

from __future__ import annotations

from typing import Any


def granted(resources: dict[str, Any], function_logical_id: str, *, authorizers: bool = False) -> set[str]:
    """Source ARNs of the function's `AWS::Lambda::Permission`s, written `${HttpApi}/<stage>/<method>/<path>`
    whether apispec wrote them or the SAM translator did (its `${__ApiId__}`/`${__Stage__}` filled in);
    those of a Lambda authorizer (`${HttpApi}/authorizers/…`) only with `authorizers`."""
    arns = set()
    for resource in resources.values():
        properties = resource["Properties"]
        if resource["Type"] != "AWS::Lambda::Permission" or properties["FunctionName"] != {"Ref": function_logical_id}:
            continue
        if properties["Principal"] == "events.amazonaws.com":
            continue  # a schedule rule's, not the API's
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
