"""The local HTTP API: routing, the event, the invocation, the response, CORS and the access log."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.resolve import Resolved
from compiler.serve import accesslog, config, events
from compiler.serve.authorizers.decision import Grant, apply_grant
from compiler.serve.authorizers.jwks import RsaKey
from compiler.serve.authorizers.lambda_authorizer import RouteFacts
from compiler.serve.cors import CorsPolicy
from compiler.serve.deadline import SERVICE_UNAVAILABLE, TimedOut, timeout_response, within
from compiler.serve.guard import Guard, Refusal
from compiler.serve.proxy import ProxyError, ProxyTimeoutError, forward, target_url
from compiler.serve.responses import MalformedResponseError, Response, from_lambda, from_lambda_v1, gateway_error
from compiler.serve.routing import Match, Router
from compiler.serve.workers import Emit, Invocation, LambdaError, Outcome, Pool, PoolClosedError

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # HTTP API payload quota
MAX_INVOKE_BYTES = 6 * 1024 * 1024  # Lambda's synchronous invocation payload limit (request and response)
INTERNAL_ERROR = "Internal Server Error"
# Errors Lambda itself reports (the runtime process is gone), not the runtime inside it.
_PLATFORM_ERRORS = frozenset({"Runtime.ExitError", "Runtime.Unavailable"})


@dataclass(slots=True)
class Exchange:
    """A request's response and what its access-log line needs."""

    response: Response
    log: bool = True  # False for requests outside the stage: API Gateway logs nothing for them
    route_key: str = "-"
    lambda_request_id: str | None = None
    integration_status: int | None = None
    integration_error: str | None = None
    integration_latency: int | None = None
    error_message: str | None = None
    authorizer_error: str | None = None


class App:
    """Everything between a parsed HTTP request and the bytes of its response."""

    def __init__(
        self, resolved: Resolved, spec_dir: Path, params: dict[str, str], *, emit: Emit, notice: Emit, jwks: Sequence[RsaKey] | None = None
    ) -> None:
        """`jwks`: the keys of `--jwks FILE`, for every JWT authorizer (None: each fetches its issuer's)."""
        self.config = config.load(resolved, spec_dir, params)
        self._emit, self._notice = emit, notice
        self.region = resolved.region or config.DEFAULT_REGION
        api = resolved.api
        self.access_log_fields = api.access_log_fields if api is not None else None
        self.router = Router(resolved.routes, self.config.stage)
        self.cors = CorsPolicy(api.cors) if api is not None and api.cors is not None else None
        self.pools = {key: Pool(fn, emit, notice) for key, fn in self.config.functions.items() if fn.is_python}
        self.guard = Guard(resolved, self._run, jwks)
        no_routes = () if resolved.routes else ("the spec has no routes: every request answers 404",)
        self.warnings = (*self.config.warnings, *no_routes, *self.guard.warnings)  # for the start
        self.notes = tuple(self.guard.notes)
        self.port = 0  # set by the server once it listens (the event's x-forwarded-port)

    def close(self) -> None:
        """Stop every worker."""
        for pool in self.pools.values():
            pool.close()

    def handle(self, request: events.Request) -> Exchange:
        """The response to one request, and the facts for its access-log line."""
        if not request.raw_path.startswith("/"):
            return Exchange(gateway_error(404, "Not Found"), log=False, error_message="Not Found")
        path = self.router.strip_stage(request.path)
        if path is None:
            return Exchange(gateway_error(404, "Not Found"), log=False, error_message="Not Found")
        origin = request.header("origin")
        if self.cors is not None and self.cors.is_preflight(request.method, origin, request.header("access-control-request-method")):
            return Exchange(self.cors.preflight(origin))
        if len(request.body) > MAX_REQUEST_BYTES:
            return self._with_cors(Exchange(gateway_error(413, "Request Entity Too Large"), error_message="Request Entity Too Large"), origin)
        match = self.router.match(request.method, path)
        if match is None:
            return self._with_cors(Exchange(gateway_error(404, "Not Found"), error_message="Not Found"), origin)
        return self._with_cors(self._route(request, match, path), origin)

    def _route(self, request: events.Request, match: Match, path: str) -> Exchange:
        """A matched request, as API Gateway takes it on: throttling and the authorizer (`guard`), then the
        integration, a `url` or the function."""
        facts = RouteFacts(
            route_key=match.route.key, route_path=match.route.path, path=path, path_parameters=match.parameters,
            stage=self.config.stage, api_id=self.config.api_id, account_id=config.ACCOUNT_ID, region=self.region,
            trace=events.trace_id(request.received), server_port=self.port,
        )  # fmt: skip
        passed = self.guard.check(request, facts)
        if isinstance(passed, Refusal):
            if passed.authorizer_error is not None:
                status, error = passed.response.status, passed.authorizer_error
                self._notice(f"apispec: {status} {passed.message} for {match.route.key} (request {request.request_id}): {error}")
            return Exchange(passed.response, route_key=match.route.key, error_message=passed.message, authorizer_error=passed.authorizer_error)
        if match.route.url is not None:
            return self._proxy(request, match)
        return self._invoke(request, match, facts, passed)

    def access_log_line(self, request: events.Request, exchange: Exchange, sent: int, finished: float) -> str | None:
        """The access-log line of a finished request, or None when access logs are off."""
        if self.access_log_fields is None or not exchange.log:
            return None
        values: dict[str, str | int | None] = {
            "accountId": config.ACCOUNT_ID,
            "apiId": self.config.api_id,
            "authorizer.error": exchange.authorizer_error,
            "awsEndpointRequestId": exchange.lambda_request_id,
            "dataProcessed": len(request.body) + sent,
            "domainName": request.host,
            "domainPrefix": events.domain_prefix(request.host),
            "error.message": exchange.error_message,
            "error.messageString": json.dumps(exchange.error_message) if exchange.error_message else None,
            "error.responseType": _response_type(exchange),
            "extendedRequestId": request.request_id,
            "httpMethod": request.method,
            "identity.sourceIp": request.source_ip,
            "identity.userAgent": request.header("user-agent"),
            "integration.error": exchange.integration_error,
            "integration.integrationStatus": exchange.integration_status,
            "integration.latency": exchange.integration_latency,
            "integration.requestId": exchange.lambda_request_id,
            "integration.status": exchange.response.status if exchange.integration_status is not None else None,
            "integrationErrorMessage": exchange.integration_error,
            "integrationLatency": exchange.integration_latency,
            "integrationStatus": exchange.integration_status,
            "path": request.path,
            "protocol": request.protocol,
            "requestId": request.request_id,
            "requestTime": events.request_time(request.received),
            "requestTimeEpoch": int(request.received * 1000),
            "responseLatency": int((finished - request.received) * 1000),
            "responseLength": sent,
            "routeKey": exchange.route_key,
            "stage": self.config.stage,
            "status": exchange.response.status,
        }
        return accesslog.render(self.access_log_fields, values)

    def _with_cors(self, exchange: Exchange, origin: str | None) -> Exchange:
        if self.cors is not None:
            self.cors.apply(exchange.response, origin)
        return exchange

    def _proxy(self, request: events.Request, match: Match) -> Exchange:
        """A `url` route: the request forwarded (HTTP_PROXY) and the upstream's answer as it is; 503 past
        `timeout_ms`, 500 when the upstream cannot be reached (the reason in the log)."""
        route = match.route
        assert route.url is not None
        exchange = Exchange(gateway_error(500, INTERNAL_ERROR), route_key=route.key, error_message=INTERNAL_ERROR)
        url = target_url(route.url, match.parameters, request.raw_query)
        method = request.method if route.method == "ANY" else route.method
        started = time.monotonic()
        try:
            answer = within(lambda: forward(request, url, method, route.timeout_ms), route.timeout_ms)
        except ProxyTimeoutError:  # the socket's own timeout, when it fires before `within`'s
            answer = TimedOut(route.timeout_ms)
        except ProxyError as exc:
            self._emit(f"[{route.key}] {exc}")
            exchange.integration_error = str(exc)
            return exchange
        finally:
            exchange.integration_latency = int((time.monotonic() - started) * 1000)
        if isinstance(answer, TimedOut):
            return self._timed_out(exchange, answer)
        exchange.response, exchange.integration_status, exchange.error_message = answer, answer.status, None
        return exchange

    def _invoke(self, request: events.Request, match: Match, facts: RouteFacts, grant: Grant | None) -> Exchange:
        """Run the route's function: 502 for a runtime serve does not run, 413 for an event over Lambda's
        payload limit, 503 past the route's `timeout_ms` (the function runs on), else what `_respond`
        makes of the outcome."""
        key = match.route.function
        exchange = Exchange(gateway_error(500, INTERNAL_ERROR), route_key=match.route.key)
        fn = self.config.functions[key]
        prefix = f"[{key}] "
        pool = self.pools.get(key)
        if pool is None:
            message = f"runtime {fn.runtime} is not run locally: apispec serve runs Python functions only"
            self._emit(prefix + message)
            exchange.response = gateway_error(502, "Bad Gateway")
            exchange.error_message, exchange.integration_error = "Bad Gateway", message
            return exchange
        invocation = self._invocation(request, match, fn, facts, grant)
        exchange.lambda_request_id = invocation["requestId"]
        if _utf8_size(json.dumps(invocation["event"], ensure_ascii=False, separators=(",", ":"))) > MAX_INVOKE_BYTES:
            exchange.response = gateway_error(413, "Request Entity Too Large")
            exchange.error_message = "Request Entity Too Large"
            return exchange
        started = time.monotonic()
        try:
            outcome = within(lambda: pool.invoke(invocation), match.route.timeout_ms)
        except (OSError, PoolClosedError) as exc:
            outcome = Outcome(error={"errorType": "Runtime.Unavailable", "errorMessage": f"cannot run the function: {exc}"}, keep=False)
        exchange.integration_latency = int((time.monotonic() - started) * 1000)
        if isinstance(outcome, TimedOut):
            return self._timed_out(exchange, outcome)
        exchange.integration_status = 200
        return self._respond(exchange, outcome, prefix, v1=match.route.payload_format == "1.0")

    @staticmethod
    def _timed_out(exchange: Exchange, timed_out: TimedOut) -> Exchange:
        """HTTP APIs answer 503 when the integration outlasts `timeout_ms`."""
        exchange.response = timeout_response()
        exchange.error_message, exchange.integration_error = SERVICE_UNAVAILABLE, timed_out.message
        return exchange

    def _invocation(self, request: events.Request, match: Match, fn: config.FunctionConfig, facts: RouteFacts, grant: Grant | None) -> Invocation:
        """What the worker gets: the event (the route's payload format, with the authorizer's grant) and
        the context's request id, timeout, ARN and trace."""
        common: dict[str, Any] = {
            "route_key": match.route.key, "path_parameters": match.parameters, "stage": self.config.stage,
            "api_id": self.config.api_id, "account_id": config.ACCOUNT_ID, "trace": facts.trace, "server_port": self.port,
        }  # fmt: skip
        if match.route.payload_format == "1.0":
            event = events.build_event_v1(request, route_path=match.route.path, **common)
        else:
            event = events.build_event(request, **common)
        if grant is not None:
            apply_grant(event, grant)
        return self._invocation_of(fn, event, facts.trace)

    @staticmethod
    def _invocation_of(fn: config.FunctionConfig, event: dict[str, Any], trace: str) -> Invocation:
        return {
            "event": event,
            "requestId": events.new_lambda_request_id(),
            "timeoutMs": fn.timeout * 1000,
            "invokedFunctionArn": fn.arn,
            "traceId": trace,
        }

    def _run(self, key: str, event: dict[str, Any]) -> Outcome:
        """Invoke a function with an event (a Lambda authorizer's); its error logged as Lambda logs it."""
        fn, pool = self.config.functions[key], self.pools.get(key)
        if pool is None:
            return Outcome(error={"errorType": "Runtime.Unavailable", "errorMessage": f"runtime {fn.runtime} is not run locally"}, keep=False)
        try:
            outcome = pool.invoke(self._invocation_of(fn, event, events.trace_id(time.time())))
        except (OSError, PoolClosedError) as exc:
            outcome = Outcome(error={"errorType": "Runtime.Unavailable", "errorMessage": f"cannot run the function: {exc}"}, keep=False)
        if outcome.error is not None:
            self._log_error(f"[{key}] ", outcome.error, timed_out=outcome.timed_out)
        return outcome

    def _respond(self, exchange: Exchange, outcome: Outcome, prefix: str, *, v1: bool = False) -> Exchange:
        """The exchange for the function's outcome: its response, or a 500 with the error logged
        (`prefix` is the function's log prefix) and in `integration_error`."""
        exchange.error_message = INTERNAL_ERROR
        if outcome.error is not None:
            error = outcome.error
            self._log_error(prefix, error, timed_out=outcome.timed_out)
            exchange.integration_error = f"The Lambda function returned the following error: {error.get('errorMessage')}. Check your Lambda function code and try again."
            return exchange
        assert outcome.result is not None
        size = result_size(outcome.result)
        if size > MAX_INVOKE_BYTES:
            message = f"Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_INVOKE_BYTES} bytes)."
            self._emit(f"{prefix}[ERROR] Function.ResponseSizeTooLarge: {message}")
            exchange.integration_error = message
            return exchange
        try:
            exchange.response = (from_lambda_v1 if v1 else from_lambda)(outcome.result)
        except MalformedResponseError as exc:
            self._log(prefix, str(exc))
            exchange.integration_error = str(exc)
            return exchange
        exchange.error_message = None
        return exchange

    def _log_error(self, prefix: str, error: LambdaError, *, timed_out: bool) -> None:
        for text in error_log(error, timed_out=timed_out):
            self._log(prefix, text)

    def _log(self, prefix: str, text: str) -> None:
        """Function log text, one line per line, each with the function's prefix (a multi-line error
        message, a traceback chunk)."""
        for line in text.replace("\r\n", "\n").split("\n"):
            self._emit(prefix + line)


def error_log(error: LambdaError, *, timed_out: bool) -> list[str]:
    """An invocation's error as Lambda logs it (texts that may span lines). The runtime's own
    (awslambdaric `log_error`): the `[ERROR] <type>: <message>` line, `Traceback (most recent call
    last):` (even over an empty stack) and the stack's lines. The platform's, for a runtime that
    exited: the message, then the type on its own line. A timeout: its message alone."""
    message = str(error.get("errorMessage"))
    if timed_out:
        return [message]
    if error.get("errorType") in _PLATFORM_ERRORS:
        return [message, str(error.get("errorType"))]
    return [f"[ERROR] {error.get('errorType')}: {message}", "Traceback (most recent call last):", *(str(c).rstrip("\n") for c in error.get("stackTrace") or [])]


def result_size(text: str) -> int:
    """The bytes of a function's result as the Lambda runtime sends it: UTF-8 JSON with non-ASCII
    characters as they are (python3.12's runtime; `ensure_ascii=False`). The worker's text escapes them
    (`\\u00e9`, six characters for two bytes), so escaped text is decoded and encoded again to count."""
    if "\\u" not in text:  # ASCII JSON with no escapes: its characters are its bytes
        return len(text)
    try:
        value = json.loads(text)
    except ValueError:  # from_lambda reports it; count what there is
        return len(text)
    return _utf8_size(json.dumps(value, ensure_ascii=False))


def _utf8_size(text: str) -> int:
    """Bytes in UTF-8; a lone surrogate (a string from a function) counts the 3 bytes it would take."""
    return len(text.encode("utf-8", "surrogatepass"))


def _response_type(exchange: Exchange) -> str | None:
    """`$context.error.responseType`, for the failures whose type is certain; others log `-`."""
    if exchange.integration_error is not None:
        return "INTEGRATION_FAILURE"
    return None
