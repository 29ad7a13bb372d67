"""What section B's function keys add to the graph: a version and an alias, non-HTTP triggers, and the
statements the generated role needs for them (tracing, VPC, queues and streams), each on that
resource only.

Lowering calls this module once per function; it takes lowering's `text_value` (a spec string to a
graph value) as an argument, which keeps the two modules free of an import cycle.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from compiler import ir, naming
from compiler.resolve import Function

Text = Callable[[str], ir.Value]

# What X-Ray needs to take a function's traces: these two actions take no resource ARN (`*`).
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
# What the AWS managed policy AWSLambdaVPCAccessExecutionRole grants beside logs: the network interfaces
# Lambda makes in the function's subnets (EC2's network-interface actions take no resource ARN here).
VPC_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
SQS_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
STREAM_ACTIONS = ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")  # `dynamodb:` or `kinesis:` (Clarification 6)
# Configuration keys that do not change what a version runs: a change of one publishes no new version.
_NOT_VERSIONED = frozenset(
    {"tags", "events", "reserved_concurrency", "provisioned_concurrency", "alias", "managed_policies", "permissions_boundary", "permissions", "name"}
)


def alias_id(fn: Function) -> str:
    return f"alias.{fn.key}"


def invoked(fn: Function, attribute: Literal["arn", "name", "invoke_arn"]) -> ir.Ref:
    """What routes, authorizers and triggers invoke: the function's alias when it has one (its ARN, also
    where a name is asked: Lambda takes a qualified ARN as the function name), else the function."""
    if fn.config.alias is None:
        return ir.Ref(f"function.{fn.key}", attribute)
    return ir.Ref(alias_id(fn), "arn" if attribute == "name" else attribute)


def stream_kind(arn: str) -> Literal["dynamodb", "kinesis"]:
    """A stream's service, read from its ARN (a reference that names none is taken for Kinesis)."""
    return "dynamodb" if ":dynamodb:" in arn else "kinesis"


def event_names(fn: Function) -> list[str]:
    """Each event's name among its function's: `Schedule1`, `Sqs1`, `Stream1`, counted per kind, so that
    adding a trigger of one kind renames none of another."""
    counts: dict[str, int] = {}
    names = []
    for event in fn.config.events or ():
        kind = "Schedule" if event.schedule is not None else "Sqs" if event.sqs is not None else "Stream"
        counts[kind] = counts.get(kind, 0) + 1
        names.append(f"{kind}{counts[kind]}")
    return names


def statements(fn: Function, text: Text) -> Iterator[ir.Statement]:
    """The generated role's statements for tracing, the VPC and each queue or stream the function reads."""
    config = fn.config
    if config.tracing == "active":
        yield ir.Statement(sid="WriteXRayTraces", effect="Allow", actions=XRAY_ACTIONS, resources=("*",), conditions=())
    if config.vpc is not None:
        yield ir.Statement(sid="ManageVpcNetworkInterfaces", effect="Allow", actions=VPC_ACTIONS, resources=("*",), conditions=())
    for name, event in zip(event_names(fn), config.events or (), strict=True):
        if event.sqs is not None:
            yield ir.Statement(sid=f"Read{name}", effect="Allow", actions=SQS_ACTIONS, resources=(text(event.sqs),), conditions=())
        elif event.stream is not None:
            service = stream_kind(event.stream)
            actions = tuple(f"{service}:{action}" for action in STREAM_ACTIONS)
            yield ir.Statement(sid=f"Read{name}", effect="Allow", actions=actions, resources=(text(event.stream),), conditions=())


def nodes(fn: Function, base: Path | None, text: Text) -> list[ir.Node]:
    """The function's version and alias (with `alias`) and its triggers, after the function itself."""
    config = fn.config
    function_id = f"function.{fn.key}"
    made: list[ir.Node] = []
    if config.alias is not None:
        version = ir.Version(id=f"version.{fn.key}", origin=fn.spec_path, function=ir.Ref(function_id, "name"), digest=version_digest(fn, base))
        made += [
            version,
            ir.Alias(
                id=alias_id(fn),
                origin=fn.spec_path,
                function=ir.Ref(function_id, "name"),
                function_id=function_id,
                version=ir.Ref(version.id, "version"),
                name=config.alias,
                provisioned_concurrency=config.provisioned_concurrency,
            ),
        ]
    policy = () if fn.role is not None else (f"policy.{fn.key}",)
    for index, (name, event) in enumerate(zip(event_names(fn), config.events or (), strict=True)):
        origin = (*fn.origin["events"], index)
        if event.schedule is not None:
            rule = ir.ScheduleRule(
                id=f"schedule.{fn.key}.{name}",
                origin=origin,
                function_id=function_id,
                event=name,
                name=naming.schedule_rule_name(fn.name, name),
                expression=event.schedule,
                enabled=event.enabled is not False,
                input=json.dumps(event.input, sort_keys=True, separators=(",", ":"), ensure_ascii=False) if event.input is not None else None,
                target=invoked(fn, "arn"),
            )
            permission = ir.EventPermission(
                id=f"schedule-permission.{fn.key}.{name}", origin=origin, function_id=function_id, event=name, function=invoked(fn, "name"), rule=ir.Ref(rule.id, "arn")
            )
            made += [rule, permission]
            continue
        arn = event.sqs if event.sqs is not None else event.stream
        if arn is None:
            continue  # a trigger of no kind (E250's)
        made.append(
            ir.EventSourceMapping(
                id=f"event-source.{fn.key}.{name}",
                origin=origin,
                function_id=function_id,
                event=name,
                kind="sqs" if event.sqs is not None else stream_kind(arn),
                function=invoked(fn, "name"),
                source_arn=text(arn),
                starting_position=event.starting_position if event.sqs is None else None,
                batch_size=event.batch_size,
                max_batching_window=event.max_batching_window,
                report_batch_item_failures=bool(event.report_batch_item_failures),
                depends_on=policy,
            )
        )
    return made


def version_digest(fn: Function, base: Path | None) -> str:
    """A digest of what a version runs: the function's configuration (what its keys resolve to, less those
    that do not change a version, such as tags and triggers) and the files of its code directory."""
    import dataclasses  # only specs with an alias pay this import and the next (milliseconds of validate)
    import hashlib  # only specs with an alias pay it (milliseconds of validate)

    settings = {k: v for k, v in dataclasses.asdict(fn.config).items() if k not in _NOT_VERSIONED}
    settings |= {"name": fn.name, "environment": fn.environment, "role": fn.role, "logging": (fn.log_format, fn.application_level, fn.system_level)}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    if base is not None:
        directory = base / fn.source
        files = sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []
        for path in files:
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:10]
