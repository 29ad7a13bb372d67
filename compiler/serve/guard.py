"""What stands between a matched route and its integration, in API Gateway's order: the route's
throttling, then its authorizer (Lambda, JWT or IAM), built from the spec's `api` and route keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.resolve import Authorizer, Resolved, RouteAuth
from compiler.serve import config, events
from compiler.serve.authorizers.decision import Decision, Grant
from compiler.serve.authorizers.iam import STARTUP_NOTE, authorize_iam
from compiler.serve.authorizers.identity import identity_value
from compiler.serve.authorizers.jwks import RsaKey
from compiler.serve.authorizers.jwt import JwtAuthorizer, JwtAuthorizerConfig, signing_keys
from compiler.serve.authorizers.lambda_authorizer import (
    AuthorizerInvokeError,
    LambdaAuthorizer,
    LambdaAuthorizerConfig,
    RouteFacts,
    context_variables,
)
from compiler.serve.responses import Response
from compiler.serve.throttle import TOO_MANY_REQUESTS, Throttles
from compiler.serve.workers import Outcome

# Runs a function (by key) with an event; what the app's worker pools do.
RunFunction = Callable[[str, dict[str, Any]], Outcome]


@dataclass(frozen=True, slots=True)
class Refusal:
    """API Gateway's answer instead of the integration, and why (for `$context.error.message` and
    `$context.authorizer.error`)."""

    response: Response
    message: str
    authorizer_error: str | None = None


@dataclass(frozen=True, slots=True)
class _Iam:
    name: str


_Engine = LambdaAuthorizer | JwtAuthorizer | _Iam


class Guard:
    """The routes' throttles and the API's authorizers. `notes` and `warnings` are said once at start."""

    def __init__(self, resolved: Resolved, run: RunFunction, jwks: Sequence[RsaKey] | None) -> None:
        api = resolved.api
        self.notes: list[str] = []
        self.warnings: list[str] = []
        limits: dict[str, tuple[int, float]] = {}
        for route in resolved.routes:
            throttling = route.throttling or (api.throttling if api is not None else None)
            if throttling is not None:
                limits[route.key] = (throttling.burst_limit, throttling.rate_limit)
        self.throttles = Throttles(limits)
        self.route_auth: dict[str, RouteAuth] = dict(api.route_auth) if api is not None else {}
        used = {auth.authorizer for auth in self.route_auth.values() if auth.authorizer is not None}
        self._engines: dict[str, _Engine] = {}
        for authorizer in api.authorizers if api is not None else ():
            if authorizer.name in used:
                self._engines[authorizer.name] = self._engine(authorizer, run, jwks)

    def _engine(self, authorizer: Authorizer, run: RunFunction, jwks: Sequence[RsaKey] | None) -> _Engine:
        if authorizer.type == "jwt":
            settings = JwtAuthorizerConfig(authorizer.name, authorizer.issuer, authorizer.audience, authorizer.identity_sources[0])
            keys, warning = (tuple(jwks), None) if jwks is not None else signing_keys(settings, None)
            if warning is not None:
                self.warnings.append(warning)
            return JwtAuthorizer(settings, keys)
        if authorizer.type == "lambda":
            settings_l = LambdaAuthorizerConfig(
                authorizer.name, authorizer.function, authorizer.identity_sources, authorizer.ttl,
                authorizer.simple_responses, authorizer.payload_format,
            )  # fmt: skip
            return LambdaAuthorizer(settings_l, _invoker(authorizer.function, run))
        if STARTUP_NOTE not in self.notes:
            self.notes.append(STARTUP_NOTE)
        return _Iam(authorizer.name)

    def check(self, request: events.Request, facts: RouteFacts) -> Refusal | Grant | None:
        """API Gateway's refusal (429, then the authorizer's 401, 403 or 500), or what the authorizer
        grants the integration (None: an open route)."""
        throttled = self.throttles.check(facts.route_key)
        if throttled is not None:
            return Refusal(throttled, TOO_MANY_REQUESTS)
        auth = self.route_auth.get(facts.route_key)
        engine = self._engines.get(auth.authorizer) if auth is not None and auth.authorizer is not None else None
        if engine is None or auth is None:
            return None
        decision = self._decide(engine, auth, request, facts)
        if decision.response is not None:
            return Refusal(decision.response, json.loads(decision.response.body)["message"], decision.error)
        return decision.grant

    @staticmethod
    def _decide(engine: _Engine, auth: RouteAuth, request: events.Request, facts: RouteFacts) -> Decision:
        if isinstance(engine, LambdaAuthorizer):
            return engine.authorize(request, facts)
        if isinstance(engine, JwtAuthorizer):
            token = identity_value(engine.config.identity_source, request, context_variables(request, facts), {})
            return engine.authorize(token, auth.scopes)
        return authorize_iam(request.header("authorization"), config.ACCOUNT_ID)


def _invoker(function: str, run: RunFunction) -> Callable[[dict[str, Any]], str]:
    """The Lambda authorizer's function as the engine calls it: the event in, the result's JSON text out."""

    def invoke(event: dict[str, Any]) -> str:
        outcome = run(function, event)
        if outcome.error is not None:
            raise AuthorizerInvokeError(f"{outcome.error.get('errorType')}: {outcome.error.get('errorMessage')}")
        assert outcome.result is not None
        return outcome.result

    return invoke
