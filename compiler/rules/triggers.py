"""Rules on section B's function keys: ARN shapes per service, alias and concurrency, managed
policies, and the `events` triggers (one kind each, its keys, `rate`/`cron` syntax).

Values holding `${` are deploy-time references, which their own rule checks: the shape rules skip them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compiler.diagnostics import Finding, SpecPath
from compiler.patterns import Pattern, lazy
from compiler.rules.registry import Context, rule
from schemas import models

_PARTITION = r"arn:aws[a-z-]*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
ARN_SHAPES: dict[str, tuple[Pattern, str]] = {
    "layer": (lazy(rf"^{_PARTITION}:lambda:({_REGION}):\d{{12}}:layer:[A-Za-z0-9_-]{{1,140}}:\d+\Z"), "arn:aws:lambda:<region>:<account>:layer:<name>:<version>"),
    "policy": (lazy(rf"^{_PARTITION}:iam::(?:aws|\d{{12}}):policy/[\w+=,.@/-]+\Z"), "arn:aws:iam::<account or aws>:policy/<name>"),
    "kms": (lazy(rf"^{_PARTITION}:kms:({_REGION}):\d{{12}}:(?:key|alias)/[\w/-]+\Z"), "arn:aws:kms:<region>:<account>:key/<key id>"),
    "code-signing": (
        lazy(rf"^{_PARTITION}:lambda:({_REGION}):\d{{12}}:code-signing-config:csc-[a-z0-9]{{17}}\Z"),
        "arn:aws:lambda:<region>:<account>:code-signing-config:csc-<17 characters>",
    ),
    "sqs": (lazy(rf"^{_PARTITION}:sqs:({_REGION}):\d{{12}}:[A-Za-z0-9_-]{{1,75}}(?:\.fifo)?\Z"), "arn:aws:sqs:<region>:<account>:<queue name>"),
    "stream": (
        lazy(rf"^{_PARTITION}:(?:dynamodb:({_REGION}):\d{{12}}:table/[A-Za-z0-9_.-]{{3,255}}/stream/\S+|kinesis:({_REGION}):\d{{12}}:stream/[A-Za-z0-9_.-]{{1,128}})\Z"),
        "arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label> or arn:aws:kinesis:<region>:<account>:stream/<name>",
    ),
}
_DYNAMODB_TABLE = lazy(rf"^{_PARTITION}:dynamodb:{_REGION}:\d{{12}}:table/[A-Za-z0-9_.-]+\Z")
_ALIAS = lazy(r"^[A-Za-z][A-Za-z0-9_-]*\Z")
_IDS = {"subnet_ids": lazy(r"^subnet-[0-9a-f]{8,17}\Z"), "security_group_ids": lazy(r"^sg-[0-9a-f]{8,17}\Z")}
MAX_MANAGED_POLICIES = 10  # IAM's default quota of managed policies per role
# Region-bound resources that must be in the function's region (layers, triggers, its KMS key).
_SAME_REGION = frozenset({"layer", "kms", "code-signing", "sqs", "stream"})


def _sections(ctx: Context) -> Iterator[tuple[SpecPath, models.Function]]:
    """`defaults` and each function, as written (a value in `defaults` is checked once, where it is)."""
    service = ctx.spec.service
    if service.defaults is not None:
        yield ("defaults",), service.defaults
    for key, fn in service.functions.items():
        yield ("functions", key), fn


def arn_problem(kind: str, value: str, region: str | None) -> str | None:
    """What is wrong with an ARN of `kind` (None when it is fine or a reference)."""
    if "${" in value:
        return None
    pattern, shape = ARN_SHAPES[kind]
    match = pattern.match(value)
    if match is None:
        if kind == "stream" and _DYNAMODB_TABLE.match(value):
            return f"`{value}` is a table's ARN; a trigger reads its stream: add `/stream/<label>` (the table's `LatestStreamArn`)"
        return f"`{value}` is not {_a(kind)} ARN; expected `{shape}`"
    found = next((g for g in match.groups() if g), None)
    if kind in _SAME_REGION and region is not None and found is not None and found != region:
        return f"`{value}` is in {found}, but the service deploys to {region} (`region`); Lambda uses only resources of its own region here"
    return None


def _a(kind: str) -> str:
    words = {"layer": "a layer version", "policy": "an IAM policy", "kms": "a KMS key", "code-signing": "a code signing configuration", "sqs": "an SQS queue", "stream": "a DynamoDB or Kinesis stream"}
    return words[kind]


@rule("E240", name="function-arns")
def function_arns(ctx: Context) -> Iterator[Finding]:
    """Layers, managed policies, the permissions boundary, the KMS key and the code signing configuration are ARNs of their service (and region)."""
    region = ctx.spec.region
    for here, fn in _sections(ctx):
        places: list[tuple[SpecPath, str, str]] = [((*here, "layers", i), "layer", arn) for i, arn in enumerate(fn.layers or ())]
        places += [((*here, "managed_policies", i), "policy", arn) for i, arn in enumerate(fn.managed_policies or ())]
        places += [((*here, key), kind, value) for key, kind, value in (
            ("permissions_boundary", "policy", fn.permissions_boundary),
            ("kms_key_arn", "kms", fn.kms_key_arn),
            ("code_signing_config_arn", "code-signing", fn.code_signing_config_arn),
        ) if value is not None]  # fmt: skip
        for where, kind, value in places:
            problem = arn_problem(kind, value, region)
            if problem:
                yield Finding("E240", where, problem)
        layers = [arn.rsplit(":", 1)[0] for arn in fn.layers or () if "${" not in arn]
        for index, arn in enumerate(layers):
            if arn in layers[:index]:
                yield Finding("E240", (*here, "layers", index), f"layer `{arn}` is listed twice (Lambda takes one version of a layer); keep one")


@rule("E241", "W241", name="function-concurrency-and-alias")
def concurrency_and_alias(ctx: Context) -> Iterator[Finding]:
    """An alias name fits Lambda, provisioned concurrency needs an alias, and reserved concurrency 0 is warned about (the function never runs)."""
    for here, section in _sections(ctx):
        if section.alias is not None and (not _ALIAS.match(section.alias) or len(section.alias) > 128):
            yield Finding("E241", (*here, "alias"), f"alias `{section.alias}` must match `[A-Za-z][A-Za-z0-9_-]*` (128 characters at most), e.g. `live`")
        if section.reserved_concurrency == 0:
            yield Finding("W241", (*here, "reserved_concurrency"), "reserved concurrency 0 stops every invocation (a throttle switch); remove it, or reserve 1 or more")
    for fn in ctx.spec.functions:
        if fn.config.provisioned_concurrency is not None and fn.config.alias is None:
            yield Finding("E241", fn.origin["provisioned_concurrency"], f"function `{fn.key}`: provisioned concurrency applies to an alias; set `alias` (e.g. `alias: live`)")
        reserved = fn.config.reserved_concurrency
        provisioned = fn.config.provisioned_concurrency
        if reserved and provisioned is not None and provisioned > reserved:
            yield Finding("E241", fn.origin["provisioned_concurrency"], f"function `{fn.key}`: provisioned concurrency {provisioned} is above its reserved concurrency {reserved}; Lambda refuses it")


@rule("E242", "W242", name="function-managed-policies")
def managed_policies(ctx: Context) -> Iterator[Finding]:
    """Managed policies and a permissions boundary go on the generated role (not with `role`); more than 10 is warned about (IAM's default quota)."""
    for fn in ctx.spec.functions:
        if fn.role is None:
            continue
        for key in ("managed_policies", "permissions_boundary"):
            if getattr(fn.config, key):
                yield Finding("E242", fn.origin[key], f"function `{fn.key}` uses an existing `role`: `{key}` applies to the generated role only; attach it to that role, or remove `role`", anchor="key")
    for here, section in _sections(ctx):
        count = len(section.managed_policies or ())
        if count > MAX_MANAGED_POLICIES:
            yield Finding("W242", (*here, "managed_policies"), f"{count} managed policies: IAM attaches {MAX_MANAGED_POLICIES} to a role unless the account's quota was raised", anchor="key")


@rule("E243", name="function-vpc")
def vpc_ids(ctx: Context) -> Iterator[Finding]:
    """VPC subnet and security group ids look like `subnet-…` and `sg-…`."""
    for here, fn in _sections(ctx):
        if fn.vpc is None:
            continue
        for key, pattern in _IDS.items():
            for index, value in enumerate(getattr(fn.vpc, key)):
                if "${" not in value and not pattern.match(value):
                    shape = "subnet-0123456789abcdef0" if key == "subnet_ids" else "sg-0123456789abcdef0"
                    yield Finding("E243", (*here, "vpc", key, index), f"`{value}` is not {'a subnet' if key == 'subnet_ids' else 'a security group'} id; expected e.g. `{shape}`")


# -- events ------------------------------------------------------------------------------------

_KINDS = ("schedule", "sqs", "stream")
_KEYS = {
    "schedule": {"schedule", "input", "enabled"},
    "sqs": {"sqs", "batch_size", "max_batching_window", "report_batch_item_failures"},
    "stream": {"stream", "starting_position", "batch_size", "max_batching_window", "report_batch_item_failures"},
}
_RATE = lazy(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)\Z")
_CRON = lazy(r"^cron\((.*)\)\Z")
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
# Each cron field: its name, the values it takes, and what it allows beside `*`, `,`, `-` and `/`.
_CRON_FIELDS = (
    ("minutes", r"[0-5]?\d", ""),
    ("hours", r"(?:[01]?\d|2[0-3])", ""),
    ("day-of-month", r"(?:0?[1-9]|[12]\d|3[01])W?", r"|\?|L|LW"),
    ("month", rf"(?:0?[1-9]|1[0-2]|{_MONTHS})", ""),
    ("day-of-week", rf"(?:[1-7]|{_DAYS})(?:#[1-5]|L)?", r"|\?|L"),
    ("year", r"(?:19[7-9]\d|2[01]\d\d)", ""),
)


def schedule_problem(expression: str) -> str | None:
    """What is wrong with a `rate(…)` or `cron(…)` expression, as EventBridge reads it."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value == 0:
            return "a rate must be 1 or more"
        if (value == 1) != (not unit.endswith("s")):
            right = unit.rstrip("s") if value == 1 else unit if unit.endswith("s") else unit + "s"
            return f"EventBridge wants `rate({value} {right})` (singular for 1, plural above)"
        return None
    if expression.startswith("rate("):
        return "expected `rate(<number> <minute(s)|hour(s)|day(s)>)`, e.g. `rate(5 minutes)`"
    cron = _CRON.match(expression)
    if cron is None:
        return "expected `rate(<number> <unit>)` or `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`"
    fields = cron.group(1).split()
    if len(fields) != len(_CRON_FIELDS):
        return f"a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not {len(fields)}; e.g. `cron(0 12 * * ? *)`"
    for text, (name, values, extra) in zip(fields, _CRON_FIELDS, strict=True):
        part = rf"(?:\*|{values}(?:-{values})?)(?:/\d+)?"
        if not re.match(rf"^(?:{part}(?:,{part})*{extra})\Z", text.upper()):
            return f"`{text}` is not a valid {name} field"
    if (fields[2] == "?") == (fields[4] == "?"):
        return "one of day-of-month and day-of-week must be `?` (and only one), e.g. `cron(0 12 * * ? *)`"
    return None


def _event_kind(event: models.Event) -> list[str]:
    return [kind for kind in _KINDS if getattr(event, kind) is not None]


@rule("E250", "E251", "E252", "E253", name="function-events")
def function_events(ctx: Context) -> Iterator[Finding]:
    """Each trigger is one of `schedule`, `sqs` or `stream` with that kind's keys; schedules are valid `rate`/`cron`
    expressions; queues and streams are ARNs of their service; a stream has a starting position."""
    region = ctx.spec.region
    for here, fn in _sections(ctx):
        for index, event in enumerate(fn.events or ()):
            where: SpecPath = (*here, "events", index)
            kinds = _event_kind(event)
            if len(kinds) != 1:
                found = " and ".join(f"`{k}`" for k in kinds) or "none"
                yield Finding("E250", where, f"a trigger is exactly one of `schedule`, `sqs` or `stream` (found {found}); write one trigger per list item", anchor="key")
                continue
            kind = kinds[0]
            for key in sorted(k for k in _KEYS["schedule"] | _KEYS["sqs"] | _KEYS["stream"] if getattr(event, k) is not None and k not in _KEYS[kind]):
                yield Finding("E251", (*where, key), f"`{key}` does not apply to {'a' if kind == 'stream' else 'an' if kind == 'sqs' else 'a'} `{kind}` trigger; it takes {', '.join(f'`{k}`' for k in sorted(_KEYS[kind] - {kind}))}", anchor="key")
            text: str = getattr(event, kind)
            if kind == "schedule":
                problem = None if "${" in text else schedule_problem(text.strip())
                if problem:
                    yield Finding("E252", (*where, "schedule"), f"schedule `{text}`: {problem}")
                continue
            problem = arn_problem(kind, text, region)
            if problem:
                yield Finding("E253", (*where, kind), problem)
            if kind == "stream" and event.starting_position is None:
                yield Finding("E251", where, "a `stream` trigger needs `starting_position`: `LATEST` (new records) or `TRIM_HORIZON` (all kept records)", anchor="key")
            if kind == "sqs" and (event.batch_size or 0) > 10 and not event.max_batching_window:
                yield Finding("E251", (*where, "batch_size"), "an SQS batch above 10 needs `max_batching_window` of 1 s or more (Lambda refuses it otherwise)")
            if kind == "sqs" and text.endswith(".fifo") and (event.batch_size or 0) > 10:
                yield Finding("E251", (*where, "batch_size"), "a FIFO queue's batch is at most 10")
