"""The incoming request and the events API Gateway makes of it: payload format 2.0 and 1.0."""

from __future__ import annotations

import base64
import secrets
import string
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ID_ALPHABET = string.ascii_letters + string.digits
# Content types whose body an HTTP API passes as text (when it is valid UTF-8); all others are base64,
# `+json`/`+xml` types, form posts and a missing content type included. AWS documents no list; this
# is the one checked against live HTTP APIs in ministackorg/ministack#766 (`_v2_request_body_is_text`).
_TEXT_TYPES = ("application/json", "application/xml", "application/javascript")


def new_request_id() -> str:
    """An API Gateway request id (`$context.requestId`, the `apigw-requestid` header): 15 characters and `=`."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(15)) + "="


@dataclass(slots=True)
class Request:
    """One HTTP request as the server read it."""

    method: str
    target: str  # the request target as sent: path and query, still percent-encoded
    headers: list[tuple[str, str]]  # in order, names as sent
    body: bytes
    source_ip: str
    protocol: str  # "HTTP/1.1"
    host: str  # the Host header, else the address the server listens on
    received: float = field(default_factory=time.time)
    request_id: str = field(default_factory=new_request_id)

    @property
    def raw_path(self) -> str:
        """The path as sent, still percent-encoded."""
        return self.target.partition("?")[0] or "/"

    @property
    def path(self) -> str:
        """The path percent-decoded (as UTF-8, U+FFFD for bytes that are not), as API Gateway HTTP APIs
        route on it and pass it in `rawPath` and `requestContext.http.path`: `%2F` becomes a `/`."""
        return unquote(self.raw_path, errors="replace")

    @property
    def raw_query(self) -> str:
        return self.target.partition("?")[2]

    def header(self, name: str) -> str | None:
        """A header's value, repeated ones joined with `,`; `name` in lower case matches it however it was sent."""
        values = [v for k, v in self.headers if k.lower() == name]
        return ",".join(values) if values else None


def request_time(epoch: float) -> str:
    """`12/Mar/2020:19:03:58 +0000`, as API Gateway writes `requestContext.time`."""
    t = time.gmtime(epoch)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def domain_prefix(host: str) -> str:
    """The first label of the host name (`127` for `127.0.0.1:3000`, `localhost` for `localhost:3000`)."""
    try:
        hostname = urlsplit("//" + host).hostname or host
    except ValueError:
        hostname = host
    return hostname.split(".", 1)[0]


def new_lambda_request_id() -> str:
    """A Lambda request id (`context.aws_request_id`)."""
    return str(uuid.uuid4())


def trace_id(epoch: float) -> str:
    """An X-Ray trace header value, as API Gateway adds in `x-amzn-trace-id`."""
    return f"Root=1-{int(epoch):08x}-{secrets.token_hex(12)}"


def is_text(content_type: str | None, body: bytes) -> bool:
    """Whether API Gateway would pass this body as text rather than base64."""
    if content_type is None:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    if not (media.startswith("text/") or media in _TEXT_TYPES):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def split_headers(request: Request) -> tuple[dict[str, list[str]], list[str]]:
    """The request's headers by lower-case name (values in order) and its cookies (the `Cookie` headers split)."""
    headers: dict[str, list[str]] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        headers.setdefault(lower, []).append(value)
    return headers, cookies


def query_values(raw_query: str) -> dict[str, list[str]]:
    """The query string's parameters, decoded, with every value of a repeated one in order."""
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    return query


def _forwarded(headers: dict[str, str], request: Request, trace: str, server_port: int) -> None:
    """The headers API Gateway adds on the way to the integration."""
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    headers.setdefault("x-forwarded-port", str(server_port))
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-amzn-trace-id", trace)


def _body(request: Request) -> tuple[str | None, bool]:
    """The event's `body` and `isBase64Encoded`: text for textual content types, else base64."""
    if not request.body:
        return None, False
    if is_text(request.header("content-type"), request.body):
        return request.body.decode("utf-8"), False
    return base64.b64encode(request.body).decode("ascii"), True


def build_event(
    request: Request,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    stage: str,
    api_id: str,
    account_id: str,
    trace: str,
    server_port: int,
) -> dict[str, Any]:
    """The payload format 2.0 event; keys AWS leaves out when empty are left out."""
    split, cookies = split_headers(request)
    headers = {name: ",".join(values) for name, values in split.items() if name != "cookie"}
    _forwarded(headers, request, trace, server_port)
    query = {name: ",".join(values) for name, values in query_values(request.raw_query).items()}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": request.host,
        "domainPrefix": domain_prefix(request.host),
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": request_time(request.received),
        "timeEpoch": int(request.received * 1000),
    }
    if path_parameters:
        event["pathParameters"] = path_parameters
    body, encoded = _body(request)
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = encoded
    return event


def build_event_v1(
    request: Request,
    *,
    route_key: str,
    route_path: str,
    path_parameters: dict[str, str],
    stage: str,
    api_id: str,
    account_id: str,
    trace: str,
    server_port: int,
) -> dict[str, Any]:
    """The payload format 1.0 event (REST API's shape, as an HTTP API sends it).

    `route_path` is the route's path (`/items/{id}`), the event's `resource`; the `$default` route has
    none and the request's path stands in, as in AWS's example. Single-value `headers` and
    `queryStringParameters` hold the last value of a repeated name, the `multiValue…` maps all of them;
    the `Cookie` header stays a header (1.0 has no `cookies`). Empty maps and a missing body are `null`.
    """
    split, _ = split_headers(request)
    single = {name: values[-1] for name, values in split.items()}
    _forwarded(single, request, trace, server_port)
    multi_headers = {name: list(values) for name, values in split.items()}
    for name, value in single.items():
        if name not in split or name == "x-forwarded-for":  # added, or extended with the client's address
            multi_headers[name] = [value]
    query = query_values(request.raw_query)
    body, encoded = _body(request)
    resource = route_path or request.path
    return {
        "version": "1.0",
        "resource": resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": single,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": request.host,
            "domainPrefix": domain_prefix(request.host),
            "extendedRequestId": request.request_id,
            "httpMethod": request.method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": request.source_ip,
                "user": None,
                "userAgent": request.header("user-agent") or "",
                "userArn": None,
            },
            "path": request.path,
            "protocol": request.protocol,
            "requestId": request.request_id,
            "requestTime": request_time(request.received),
            "requestTimeEpoch": int(request.received * 1000),
            "resourceId": route_key,
            "resourcePath": resource,
            "stage": stage,
        },
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "body": body,
        "isBase64Encoded": encoded,
    }
