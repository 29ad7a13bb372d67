"""What deploying a build over the previous one deletes or replaces, said by `apispec build` before anyone deploys.

CloudFormation knows a resource by its logical id and Terraform by its address: one that a build
no longer makes is deleted when the new outputs are deployed, and a resource whose name changes is
replaced. CloudFormation creates every new resource before it deletes the old ones, so a new
logical id taking a name that a removed resource holds (a log group, role or function name, a
route key, a stage name) fails the update; Terraform destroys and creates such a pair in no set
order, and a `moved` block makes it one resource again. Only the outputs the build replaces are
read, and only when they changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

# The property that holds a name no other resource may hold at the same time, by resource type.
_HELD_NAMES = {
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::ApiGatewayV2::Route": "RouteKey",
    "AWS::ApiGatewayV2::Stage": "StageName",
    "aws_cloudwatch_log_group": "name",
    "aws_iam_role": "name",
    "aws_lambda_function": "function_name",
    "aws_apigatewayv2_route": "route_key",
    "aws_apigatewayv2_stage": "name",
}


class Resource(NamedTuple):
    kind: str  # CloudFormation type or Terraform resource type
    held: str | None  # the name it holds (`_HELD_NAMES`), when written as plain text


def notes(files: dict[Path, bytes], directories: list[tuple[Path, str]]) -> list[str]:
    """Lines for stderr about each target directory whose previous build the new one replaces."""
    lines: list[str] = []
    for directory, target in directories:
        main = directory / ("main.tf.json" if target == "terraform" else "template.yaml")
        new = files.get(main)
        try:
            old = main.read_bytes()
        except OSError:
            continue  # no previous build
        if new is None or new == old:
            continue
        read = _terraform if target == "terraform" else _template
        try:
            before = read(old)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # not a build this version can read: nothing to compare
        lines += _compare(str(main), before, read(new), target)
    return lines


def _compare(where: str, before: dict[str, Resource], after: dict[str, Resource], target: str) -> list[str]:
    terraform = target == "terraform"
    gone = [name for name in before if name not in after]
    renamed = [name for name in before if name in after and before[name].held not in (None, after[name].held)]
    lines: list[str] = []
    if gone:
        listed = ", ".join(name if terraform else f"{name} ({before[name].kind})" for name in gone)
        lines.append(f"{where}: note: deploying it over the previous build deletes {len(gone)}: {listed}")
    if renamed:
        listed = ", ".join(f"{name} (`{before[name].held}` → `{after[name].held}`)" for name in renamed)
        lines.append(f"{where}: note: deploying it over the previous build renames {len(renamed)}: {listed}")
    holders = {(before[name].kind, before[name].held): name for name in [*gone, *renamed]}
    moves: list[tuple[str, str]] = []
    for name, resource in after.items():
        old = holders.get((resource.kind, resource.held))
        if name in before or old is None or resource.held is None:
            continue
        taken = f"{name} takes `{resource.held}`, which {old} holds"
        if old in renamed:
            tool = "Terraform" if terraform else "CloudFormation"
            lines.append(f"{where}: WARNING: the next deploy can fail: {taken} until {tool} updates it, and the two are not ordered")
        elif terraform:
            moves.append((old, name))
        else:
            lines.append(
                f"{where}: WARNING: the next deploy will fail: {taken}, and CloudFormation creates {name} before it deletes {old}; "
                "deploy once with a different name for it, or keep the previous spec"
            )
    if moves:
        moved = json.dumps({"moved": [{"from": old, "to": new} for old, new in moves]})
        lines.append(
            f"{where}: WARNING: {', '.join(f'{new} takes the name {old} holds' for old, new in moves)}: Terraform destroys and creates "
            f"each pair in no set order, so `apply` can fail, and the resources are made anew; to keep them, put {moved} in a "
            ".tf.json file of yours beside the outputs"
        )
    return lines


def _template(text: bytes) -> dict[str, Resource]:
    """A template's resources; short-form intrinsics (`!Ref`) are read as no name."""
    class _Intrinsics(SafeConstructor):
        pass

    _Intrinsics.add_multi_constructor("!", lambda _loader, _suffix, _node: None)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _Intrinsics
    document: Any = yaml.load(text)
    resources: dict[str, Resource] = {}
    for name, body in document["Resources"].items():
        held = (body.get("Properties") or {}).get(_HELD_NAMES.get(body["Type"], ""))
        resources[name] = Resource(body["Type"], held if isinstance(held, str) else None)
    return resources


def _terraform(text: bytes) -> dict[str, Resource]:
    """A Terraform module's resources by address (`aws_iam_role.orders`)."""
    resources: dict[str, Resource] = {}
    for kind, bodies in json.loads(text).get("resource", {}).items():
        for name, body in bodies.items():
            held = body.get(_HELD_NAMES.get(kind, ""))
            resources[f"{kind}.{name}"] = Resource(kind, held if isinstance(held, str) else None)
    return resources
