"""Warnings on grants wider than a function needs: whole services, every resource, passing any role.

IAM reads actions case-insensitively, with `*` and `?` as wildcards. Only `Allow` statements are
judged: a broad `Deny` narrows a policy. These are warnings, not errors: IAM accepts such policies,
and some functions (an admin tool) may truly need them.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from compiler import iamdata
from compiler.diagnostics import Finding
from compiler.resolve import Statement
from compiler.rules.permissions import ACTION
from compiler.rules.registry import Context, rule


def _allow_statements(ctx: Context) -> Iterator[Statement]:
    """Every `Allow` statement of a generated role's policy (those of `defaults` once per function; findings are de-duplicated)."""
    for fn in ctx.spec.functions:
        yield from (s for s in fn.permissions if s.effect == "Allow")


def _whole_service(action: str) -> str | None:
    """The service whose every action `action` allows (`s3` for `s3:*`), `*` for `*`, else None."""
    if action == "*":
        return "*"
    service, _, name = action.partition(":")
    return service if name == "*" else None


@rule("W230", name="broad-actions")
def broad_actions(ctx: Context) -> Iterator[Finding]:
    """An `Allow` statement names actions, not every action (`*`) or every action of a service (`service:*`)."""
    for statement in _allow_statements(ctx):
        for index, action in enumerate(statement.actions):
            service = _whole_service(action) if ACTION.match(action) else None
            if service is None:
                continue
            if service == "*":
                granted = "`*` allows every action of every AWS service"
                fix = "list the actions the function calls, e.g. `dynamodb:GetItem`"
            elif service == "iam":
                granted = "`iam:*` allows every IAM action, `iam:PassRole` and policy changes included: the function could give itself any right"
                fix = "list the `iam:` actions it calls, e.g. `iam:GetRole`"
            else:
                granted = f"`{action}` allows every `{service}` action, deleting and changing permissions included"
                fix = f"list the `{service}:` actions the function calls"
            yield Finding("W230", (*statement.spec_path, "actions", index), f"{granted}; {fix}")


@rule("W231", name="resource-wildcard")
def resource_wildcard(ctx: Context) -> Iterator[Finding]:
    """An `Allow` statement gives `*` as a resource only to actions that cannot name one.

    Judged only for the services `compiler/iamdata.py` lists, and not for statements with
    conditions, which may scope a `*` (by tags, say)."""
    for statement in _allow_statements(ctx):
        if statement.conditions or "*" not in statement.resources:
            continue
        scoped = [f"`{a}`" for a in statement.actions if ACTION.match(a) and iamdata.takes_resources(a) and not _passes_role(a)]  # PassRole: W232
        if scoped:
            named = scoped[0] if len(scoped) == 1 else f"{', '.join(scoped[:-1])} and {scoped[-1]}"
            yield Finding(
                "W231",
                (*statement.spec_path, "resources", statement.resources.index("*")),
                f"`*` grants {named} on every matching resource of the account; name the resources (their ARNs, or "
                "`${param:name}`), and give `*` only to actions that take no resource, in a statement of their own",
            )


def _passes_role(action: str) -> bool:
    return fnmatchcase("iam:passrole", action.lower())


@rule("W232", name="pass-role-wildcard")
def pass_role_wildcard(ctx: Context) -> Iterator[Finding]:
    """`iam:PassRole` names the roles it may pass, not `*`.

    Conditions do not excuse it: `iam:PassedToService` limits the service, not the role."""
    for statement in _allow_statements(ctx):
        if "*" not in statement.resources:
            continue
        for index, action in enumerate(statement.actions):
            if ACTION.match(action) and _whole_service(action) is None and _passes_role(action):  # `*`, `iam:*`: W230
                yield Finding(
                    "W232",
                    (*statement.spec_path, "actions", index),
                    f"`{action}` on `*` lets the function hand any role of the account to a service it calls, which then acts "
                    "with that role's rights; list the ARNs of the roles it passes in `resources`, e.g. `${param:worker_role_arn}`",
                )
