"""Lambda (`REQUEST`) authorizers: the event API Gateway sends (payload 2.0 or 1.0), the simple and
IAM-policy responses it reads, and its cache keyed on the identity sources' values."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compiler.serve import events
from compiler.serve.authorizers.decision import Decision, Grant, allow, failed, forbidden, unauthorized
from compiler.serve.authorizers.identity import identity_values
from compiler.serve.authorizers.policy import PolicyError, Statement, allows, parse_policy


@dataclass(frozen=True, slots=True)
class LambdaAuthorizerConfig:
    """One `type: lambda` authorizer of `api.authorizers`, as resolved."""

    name: str
    function: str  # the function key
    identity_sources: tuple[str, ...] = ()
    ttl: int = 0  # seconds; 0: no caching
    simple_responses: bool = True
    payload_format: str = "2.0"


@dataclass(frozen=True, slots=True)
class RouteFacts:
    """What the authorizer event needs besides the request: the matched route and the API."""

    route_key: str
    route_path: str  # the route's path, `/items/{id}`; empty for `$default`
    path: str  # the request's path inside the stage (what the route ARN ends with)
    path_parameters: dict[str, str]
    stage: str
    api_id: str
    account_id: str
    region: str
    trace: str
    server_port: int


class AuthorizerInvokeError(Exception):
    """The authorizer function could not be run or raised; the message says why."""


# The route event's keys the authorizer event carries too (AWS's examples), in their order.
_V1_KEYS = ("resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
            "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext")  # fmt: skip
_V2_KEYS = ("routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters", "requestContext", "pathParameters")

# Runs the authorizer function with an event and returns its result's JSON text (raises AuthorizerInvokeError).
Invoke = Callable[[dict[str, Any]], str]


@dataclass(frozen=True, slots=True)
class _Answer:
    """An authorizer's response, read once and reusable from the cache for any route."""

    authorized: bool | None  # a simple response's verdict; None for a policy response
    statements: tuple[Statement, ...]
    context: dict[str, Any]
    principal_id: str | None


def route_arn(facts: RouteFacts, method: str) -> str:
    """`arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<method><path>`: `routeArn` (2.0) and
    `methodArn` (1.0), which a policy's `Resource` is matched against."""
    return f"arn:aws:execute-api:{facts.region}:{facts.account_id}:{facts.api_id}/{facts.stage}/{method}{facts.path}"


def context_variables(request: events.Request, facts: RouteFacts) -> dict[str, str]:
    """The `$context` variables an identity source may name."""
    return {
        "accountId": facts.account_id,
        "apiId": facts.api_id,
        "domainName": request.host,
        "domainPrefix": events.domain_prefix(request.host),
        "httpMethod": request.method,
        "identity.sourceIp": request.source_ip,
        "identity.userAgent": request.header("user-agent") or "",
        "path": request.path,
        "protocol": request.protocol,
        "requestId": request.request_id,
        "routeKey": facts.route_key,
        "stage": facts.stage,
    }


def authorizer_event(config: LambdaAuthorizerConfig, request: events.Request, facts: RouteFacts, identity: list[str]) -> dict[str, Any]:
    """API Gateway's authorizer event: the route event's request part with `type: REQUEST`, the route
    ARN and the identity sources' values (a list in 2.0; one comma-joined string in 1.0, also as
    `authorizationToken`). No body in either."""
    arn = route_arn(facts, request.method)
    if config.payload_format == "1.0":
        v1 = events.build_event_v1(
            request, route_key=facts.route_key, route_path=facts.route_path, path_parameters=facts.path_parameters,
            stage=facts.stage, api_id=facts.api_id, account_id=facts.account_id, trace=facts.trace, server_port=facts.server_port,
        )  # fmt: skip
        joined = ",".join(identity)
        head = {"version": "1.0", "type": "REQUEST", "methodArn": arn, "identitySource": joined, "authorizationToken": joined}
        return head | {key: v1[key] for key in _V1_KEYS}
    v2 = events.build_event(
        request, route_key=facts.route_key, path_parameters=facts.path_parameters, stage=facts.stage,
        api_id=facts.api_id, account_id=facts.account_id, trace=facts.trace, server_port=facts.server_port,
    )  # fmt: skip
    event: dict[str, Any] = {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": identity}
    return event | {key: v2[key] for key in _V2_KEYS if key in v2}


def read_answer(config: LambdaAuthorizerConfig, payload: str) -> _Answer:
    """The authorizer's result: `{"isAuthorized": bool, "context": {...}}` when simple responses are on,
    else `{"principalId", "policyDocument", "context"}`. Raises ValueError for anything else."""
    value = json.loads(payload)
    if not isinstance(value, dict):
        raise ValueError("the authorizer's response must be an object")
    context = value.get("context") or {}
    if not isinstance(context, dict):
        raise ValueError("the authorizer's context must be an object")
    if config.simple_responses and config.payload_format == "2.0":
        if not isinstance(value.get("isAuthorized"), bool):
            raise ValueError('a simple response needs "isAuthorized": true or false')
        return _Answer(value["isAuthorized"], (), context, None)
    if "policyDocument" not in value:
        raise ValueError("an IAM-policy response needs a policyDocument")
    principal = value.get("principalId")
    return _Answer(None, parse_policy(value["policyDocument"]), context, None if principal is None else str(principal))


class LambdaAuthorizer:
    """One Lambda authorizer with its cache. `clock` is injectable so that tests need no waiting."""

    def __init__(self, config: LambdaAuthorizerConfig, invoke: Invoke, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._invoke = invoke
        self._clock = clock
        self._cache: dict[tuple[str, ...], tuple[float, _Answer]] = {}
        self._lock = threading.Lock()

    def authorize(self, request: events.Request, facts: RouteFacts) -> Decision:
        """Allow, or API Gateway's 401 (an identity source missing: the function is not invoked),
        403 (denied) or 500 (the function failed or answered in a shape API Gateway cannot read)."""
        identity = identity_values(self.config.identity_sources, request, context_variables(request, facts))
        if identity is None:
            return unauthorized(f"authorizer {self.config.name}: an identity source is missing ({', '.join(self.config.identity_sources)})")
        answer = self._cached(tuple(identity))
        if answer is None:
            try:
                answer = read_answer(self.config, self._invoke(authorizer_event(self.config, request, facts, identity)))
            except AuthorizerInvokeError as exc:
                return failed(f"authorizer {self.config.name}: {exc}")
            except (ValueError, PolicyError) as exc:
                return failed(f"authorizer {self.config.name}: the response does not match the format API Gateway expects: {exc}")
            self._store(tuple(identity), answer)
        if answer.authorized is None:
            granted = allows(answer.statements, route_arn(facts, request.method))
        else:
            granted = answer.authorized
        if not granted:
            return forbidden(f"authorizer {self.config.name} denied the request")
        return allow(Grant("lambda", answer.context, answer.principal_id))

    def _cached(self, key: tuple[str, ...]) -> _Answer | None:
        if self.config.ttl <= 0 or not self.config.identity_sources:
            return None
        with self._lock:
            entry = self._cache.get(key)
            if entry is None or entry[0] <= self._clock():
                self._cache.pop(key, None)
                return None
            return entry[1]

    def _store(self, key: tuple[str, ...], answer: _Answer) -> None:
        if self.config.ttl > 0 and self.config.identity_sources:
            with self._lock:
                self._cache[key] = (self._clock() + self.config.ttl, answer)
