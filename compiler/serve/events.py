"""The incoming request and the payload format 2.0 event API Gateway makes of it."""

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
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    headers.setdefault("x-forwarded-port", str(server_port))
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-amzn-trace-id", trace)
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
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
    if request.body:
        if is_text(request.header("content-type"), request.body):
            event["body"], event["isBase64Encoded"] = request.body.decode("utf-8"), False
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(request.body).decode("ascii"), True
    else:
        event["isBase64Encoded"] = False
    return event
