"""Rules on functions' IAM: an existing `role`, the `permissions` statements and the policy's size."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compiler import awsdata, references
from compiler.diagnostics import Finding, closest
from compiler.patterns import lazy
from compiler.resolve import LOG_ACTIONS, LOG_STATEMENT_SID
from compiler.rules.registry import Context, rule
from compiler.rules.service import unclosed_reference

ACTION = lazy(r"^(?:[a-z0-9-]+:[A-Za-z0-9*]+|\*)\Z")  # `*` alone: every action (warned about)
_ROLE_ARN = lazy(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}\Z")
_SID = lazy(r"^[A-Za-z0-9]+\Z")
# IAM's resource ARN form, as cfn-lint checks it (its IAM policy schema's `AwsArn`).
_RESOURCE_ARN = lazy(r"^(arn:(aws[A-Za-z\-]*?|\*):[^:]+:[^:]*(:(?:\d{12}|\*|aws)?:.+|)|\*)\Z")
# IAM's condition operators, each with an optional `ForAllValues:`/`ForAnyValue:` and `IfExists`.
_CONDITION_OPERATORS = (
    *(f"String{n}{e}" for n in ("", "Not") for e in ("Equals", "EqualsIgnoreCase", "Like")),
    *(f"Numeric{t}" for t in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
    *(f"Date{t}" for t in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    *(f"Arn{t}" for t in ("Equals", "NotEquals", "Like", "NotLike")),
    "Null",
)
_CONDITION_KEY = lazy(r"^[A-Za-z0-9-]+:\S+\Z")  # `aws:SourceAccount`, `s3:prefix`, `aws:PrincipalTag/team`
_SET_OPERATOR_PREFIXES = ("ForAllValues:", "ForAnyValue:")


def _is_condition_operator(operator: str) -> bool:
    """`StringEquals`, `ForAnyValue:StringLikeIfExists`, `Null`: IAM's operators with their qualifiers."""
    for prefix in _SET_OPERATOR_PREFIXES:
        if operator.startswith(prefix):
            operator = operator[len(prefix) :]
            break
    if operator == "Null":  # the one operator without an `IfExists` form
        return True
    return operator != "NullIfExists" and operator.removesuffix("IfExists") in _CONDITION_OPERATORS


@rule("E215", "E216", name="function-role")
def function_role(ctx: Context) -> Iterator[Finding]:
    """`role` is an IAM role ARN, and is not combined with `permissions`."""
    for fn in ctx.spec.functions:
        if fn.role is None:
            continue
        # A parameter may stand for the whole ARN or any part of it (an account id, a role name).
        if unclosed_reference(fn.role):
            pass  # reported by parameter-references
        elif not references.SUBSTITUTED.fullmatch(fn.role) and not _ROLE_ARN.match(references.stand_in(fn.role, "000000000000")):
            yield Finding("E215", fn.origin["role"], f"`{fn.role}` is not an IAM role ARN such as `arn:aws:iam::123456789012:role/name`")
        if fn.permissions and fn.origin["permissions"][0] == "defaults":  # at the place that opts out of the generated role
            yield Finding(
                "E216",
                fn.origin["role"],
                f"function `{fn.key}` uses the existing `role`, so the `permissions` it takes from `defaults` have no generated role to extend; "
                "move those statements to the functions that need them, or add them to this role and remove it from `defaults`",
            )
        elif fn.permissions:
            given = "remove `role` from `defaults`" if fn.origin["role"][0] == "defaults" else "remove `role`"
            yield Finding(
                "E216",
                fn.origin["permissions"],
                f"`permissions` extend the generated role, but function `{fn.key}` uses the existing `role`; "
                f"add the statements to that role, or {given}",
            )


@rule("E217", "E218", "E219", "E223", name="function-permissions")
def function_permissions(ctx: Context) -> Iterator[Finding]:
    """Statements use `service:Action` actions, ARN or `*` resources, IAM condition operators and keys, and unique alphanumeric sids."""
    for fn in ctx.spec.functions:  # statements from `defaults` repeat per function; diagnostics are de-duplicated
        sids: set[str] = {LOG_STATEMENT_SID}  # the generated log statement's
        for statement in fn.permissions:
            where = statement.spec_path
            for index, action in enumerate(statement.actions):
                if not ACTION.match(action):
                    yield Finding("E217", (*where, "actions", index), f"`{action}` is not an IAM action; write `service:Action`, e.g. `sqs:SendMessage`")
            for index, resource in enumerate(statement.resources):
                # A parameter may stand for an ARN's beginning or for any one of its parts.
                if unclosed_reference(resource):
                    continue  # reported by parameter-references
                if not references.SUBSTITUTED.match(resource) and not _RESOURCE_ARN.match(references.stand_in(resource, "aws")):
                    yield Finding(
                        "E218",
                        (*where, "resources", index),
                        f"`{resource}` is not an ARN; write `arn:partition:service:region:account:resource`, `*` or `${{param:name}}`",
                    )
            for condition in statement.conditions:
                if not _CONDITION_KEY.match(condition.key):
                    yield Finding(
                        "E223",
                        (*where, "conditions", condition.operator, condition.key),
                        f"`{condition.key}` is not an IAM condition key; write `service:key`, e.g. `aws:SourceAccount` or `s3:prefix`",
                        anchor="key",
                    )
                if not _is_condition_operator(condition.operator):
                    known = [*_CONDITION_OPERATORS, *(f"{o}IfExists" for o in _CONDITION_OPERATORS if o != "Null")]
                    qualifier, _, operator = condition.operator.rpartition(":")
                    close = closest(operator, known)
                    hint = f" (did you mean `{qualifier + ':' if qualifier else ''}{close}`?)" if close else ""
                    yield Finding(
                        "E223", (*where, "conditions", condition.operator), f"`{condition.operator}` is not an IAM condition operator{hint}", anchor="key"
                    )
            if statement.sid is not None:
                if not _SID.match(statement.sid):
                    yield Finding("E219", (*where, "sid"), f"sid `{statement.sid}` may hold only letters and digits")
                elif statement.sid in sids:
                    taken = "is the generated log statement's" if statement.sid == LOG_STATEMENT_SID else "is used twice in this function's policy"
                    yield Finding("E219", (*where, "sid"), f"sid `{statement.sid}` {taken}; choose another")
                sids.add(statement.sid)


_PARAM_STAND_IN = "p" * 80  # a parameter's value is known at deploy time only: counted as an ARN-long text
# The longest partition and region, so the estimate does not fall short anywhere.
_LOG_GROUP_ARN = "arn:aws-iso-b:logs:ap-southeast-2:123456789012:log-group:{}:*"


@rule("E225", name="function-policy-size")
def policy_size(ctx: Context) -> Iterator[Finding]:
    """A generated role's policy fits IAM's 10,240 characters and holds only characters IAM allows."""
    for fn in ctx.spec.functions:
        if fn.role is not None or not fn.permissions:
            continue
        statements: list[dict[str, Any]] = [
            {"Sid": LOG_STATEMENT_SID, "Effect": "Allow", "Action": list(LOG_ACTIONS), "Resource": [_LOG_GROUP_ARN.format(fn.log_group_name)]}
        ]
        for statement in fn.permissions:
            for index, resource in enumerate(statement.resources):
                if not _POLICY_TEXT.match(resource):
                    yield Finding("E225", (*statement.spec_path, "resources", index), f"`{resource}` {_POLICY_TEXT_PROBLEM}")
            for condition in statement.conditions:
                if not _POLICY_TEXT.match(condition.key):
                    yield Finding("E225", (*statement.spec_path, "conditions", condition.operator, condition.key), f"`{condition.key}` {_POLICY_TEXT_PROBLEM}", anchor="key")
                for index, value in enumerate(condition.values):
                    if not _POLICY_TEXT.match(value):
                        where = (*statement.spec_path, "conditions", condition.operator, condition.key)
                        yield Finding("E225", (*where, index) if len(condition.values) > 1 else where, f"`{value}` {_POLICY_TEXT_PROBLEM}")
            statements.append(
                {
                    "Sid": statement.sid or "",
                    "Effect": statement.effect,
                    "Action": list(statement.actions),
                    "Resource": [references.stand_in(r, _PARAM_STAND_IN) for r in statement.resources],
                    "Condition": [(c.operator, c.key, [references.stand_in(v, _PARAM_STAND_IN) for v in c.values]) for c in statement.conditions],
                }
            )
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"), ensure_ascii=False)
        size = sum(not c.isspace() for c in text)
        if size > awsdata.IAM_ROLE_POLICY_MAX_CHARACTERS:
            counted = " (a `${param:…}` counted as 80)" if _PARAM_STAND_IN in text else ""
            yield Finding(
                "E225",
                fn.origin["permissions"],
                f"the role policy of function `{fn.key}` would take about {size:,} characters{counted}; "
                f"IAM allows {awsdata.IAM_ROLE_POLICY_MAX_CHARACTERS:,} per role: put several actions or resources in one statement, "
                "use wildcards, or give the function an existing `role`",
            )


# What IAM accepts in a policy document: tab, line breaks and U+0020 to U+00FF.
_POLICY_TEXT = lazy("[\t\n\r\u0020-\u00ff]*\\Z")
_POLICY_TEXT_PROBLEM = "holds characters IAM refuses in a policy (only Latin-1 letters and signs, U+0020 to U+00FF)"
