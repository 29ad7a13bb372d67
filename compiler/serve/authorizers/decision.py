"""What an authorizer decides, and how a grant reaches the route's event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from compiler.serve.responses import Response, gateway_error

UNAUTHORIZED = "Unauthorized"
FORBIDDEN = "Forbidden"
INTERNAL_ERROR = "Internal Server Error"


@dataclass(frozen=True, slots=True)
class Grant:
    """An allowed request: the authorizer's type and what it passes on to the integration."""

    kind: Literal["lambda", "jwt", "iam"]
    value: dict[str, Any] = field(default_factory=dict)  # lambda: its context; jwt: claims and scopes; iam: identity
    principal_id: str | None = None  # a Lambda authorizer's IAM-policy response names one


@dataclass(frozen=True, slots=True)
class Decision:
    """A grant, or the response API Gateway answers instead of calling the route; `error` says why
    (for the server's log and `$context.authorizer.error`)."""

    grant: Grant | None = None
    response: Response | None = None
    error: str | None = None

    @property
    def allowed(self) -> bool:
        return self.grant is not None


def allow(grant: Grant) -> Decision:
    return Decision(grant=grant)


def unauthorized(error: str) -> Decision:
    """`401 {"message":"Unauthorized"}`: no credentials, or ones that are not valid."""
    return Decision(response=gateway_error(401, UNAUTHORIZED), error=error)


def forbidden(error: str) -> Decision:
    """`403 {"message":"Forbidden"}`: valid credentials that do not allow this route."""
    return Decision(response=gateway_error(403, FORBIDDEN), error=error)


def failed(error: str) -> Decision:
    """`500 {"message":"Internal Server Error"}`: the authorizer could not be run or answered nonsense."""
    return Decision(response=gateway_error(500, INTERNAL_ERROR), error=error)


def apply_grant(event: dict[str, Any], grant: Grant) -> None:
    """Put the grant where the route's event carries it, by the event's payload format.

    2.0: `requestContext.authorizer.<kind>` (`lambda`, `jwt` = {claims, scopes}, `iam`).
    1.0 (REST's shape): a Lambda authorizer's context keys (and `principalId`) directly in
    `requestContext.authorizer`; JWT `claims` and `scopes` there too; IAM fills `requestContext.identity`.
    """
    context = event["requestContext"]
    if event.get("version") != "1.0":
        context["authorizer"] = {grant.kind: grant.value}
        return
    if grant.kind == "lambda":
        authorizer = dict(grant.value)
        if grant.principal_id is not None:
            authorizer["principalId"] = grant.principal_id
        context["authorizer"] = authorizer
    elif grant.kind == "jwt":
        context["authorizer"] = {"claims": grant.value.get("claims"), "scopes": grant.value.get("scopes")}
    else:
        identity = context.setdefault("identity", {})
        identity.update(
            accessKey=grant.value.get("accessKey"),
            accountId=grant.value.get("accountId"),
            caller=grant.value.get("callerId"),
            principalOrgId=grant.value.get("principalOrgId"),
            user=grant.value.get("userId"),
            userArn=grant.value.get("userArn"),
        )
