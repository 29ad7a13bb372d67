"""HTTP responses: API Gateway's own errors and a Lambda result read as payload format 2.0 or 1.0."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

_FORMAT_ERROR = "The response from the Lambda function doesn't match the format that API Gateway expects."
# Headers the server computes itself; a function's values for them are dropped.
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BREAKS = re.compile(r"[\r\n\0]")


@dataclass(slots=True)
class Response:
    """What goes back to the client."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header; `name` in lower case matches it however it is written."""
        return next((v for k, v in self.headers if k.lower() == name), None)


class MalformedResponseError(ValueError):
    """The function's result is not a response API Gateway can use; the message says why."""


def is_token(text: str) -> bool:
    """Whether `text` is an RFC 7230 token: what a method or a header name may be."""
    return _TOKEN.match(text) is not None


def gateway_error(status: int, message: str) -> Response:
    """API Gateway's own answer, e.g. `404 {"message":"Not Found"}`."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return Response(status, [("content-type", "application/json")], body)


def from_lambda(payload: str) -> Response:
    """The HTTP response for a function's result (its JSON text), by the payload 2.0 rules."""
    try:
        value = json.loads(payload)
    except ValueError as exc:  # a handler that returned bytes that are not JSON text
        raise MalformedResponseError(f"{_FORMAT_ERROR} The result is not JSON: {exc}") from exc
    if not isinstance(value, dict) or "statusCode" not in value:
        # API Gateway infers the format: 200, application/json, the result as the body (a string as is).
        body = value if isinstance(value, str) else payload
        return Response(200, [("content-type", "application/json")], _utf8(body, "the result"))
    return Response(_status(value["statusCode"]), _headers(value), _body(value))


def from_lambda_v1(payload: str) -> Response:
    """The HTTP response for a function's result by the payload 1.0 rules: a `statusCode` object is
    required (1.0 infers nothing), `headers` and `multiValueHeaders` are both sent (a name in both
    gets the values of each), and there is no `cookies` field (`Set-Cookie` goes in the headers)."""
    try:
        value = json.loads(payload)
    except ValueError as exc:
        raise MalformedResponseError(f"{_FORMAT_ERROR} The result is not JSON: {exc}") from exc
    if not isinstance(value, dict) or "statusCode" not in value:
        raise MalformedResponseError(f"{_FORMAT_ERROR} Payload format 1.0 needs an object with statusCode")
    headers = _headers({"headers": value.get("headers")}, default_type=None)
    multi = value.get("multiValueHeaders") or {}
    if not isinstance(multi, dict) or not all(isinstance(v, list) for v in multi.values()):
        raise MalformedResponseError(f"{_FORMAT_ERROR} multiValueHeaders must be an object of lists of strings")
    for name, values in multi.items():
        if not is_token(name):
            raise MalformedResponseError(f"{_FORMAT_ERROR} header name {json.dumps(name)} is not an HTTP token")
        if name.lower() not in _HOP_BY_HOP:
            headers += [(name, _field(v, f"header {name}")) for v in values]
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.insert(0, ("content-type", "application/json"))
    return Response(_status(value["statusCode"]), headers, _body(value))


def _status(value: object) -> int:
    """A final status: a 1xx is an interim response in HTTP/1.1, so sending it as the answer would leave
    the client waiting for another one (and 101 would switch protocols); API Gateway answers 200-599."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
        raise MalformedResponseError(f"{_FORMAT_ERROR} statusCode must be an HTTP status code from 200 to 599, got {value!r}")
    return value


def _text(value: object, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponseError(f"{_FORMAT_ERROR} {what} must be a string, got {json.dumps(value)}")


def _field(value: object, what: str) -> str:
    """A header or cookie value that fits in one HTTP/1.1 header line: no CR, LF or NUL, ISO-8859-1 only.

    A character beyond U+00FF has no byte in a header (HTTP/1.1 field values are ISO-8859-1 at most),
    and what API Gateway does with one is not documented, so it is a malformed response here rather
    than bytes of some encoding a client would not expect: percent-encode such values.
    """
    text = _text(value, what)
    if _BREAKS.search(text):
        raise MalformedResponseError(f"{_FORMAT_ERROR} {what} contains CR, LF or NUL: {json.dumps(text)}")
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise MalformedResponseError(
            f"{_FORMAT_ERROR} {what} has a character that is not ISO-8859-1 ({json.dumps(text[exc.start])} at {exc.start}): percent-encode it"
        ) from exc
    return text


def _headers(value: dict[str, Any], default_type: str | None = "text/plain; charset=utf-8") -> list[tuple[str, str]]:
    raw = value.get("headers") or {}
    if not isinstance(raw, dict):
        raise MalformedResponseError(f"{_FORMAT_ERROR} headers must be an object of strings")
    headers: list[tuple[str, str]] = []
    for name, v in raw.items():
        if not is_token(name):
            raise MalformedResponseError(f"{_FORMAT_ERROR} header name {json.dumps(name)} is not an HTTP token")
        if name.lower() not in _HOP_BY_HOP:
            headers.append((name, _field(v, f"header {name}")))
    cookies = value.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponseError(f"{_FORMAT_ERROR} cookies must be a list of strings")
    # Both kinds are sent, the `cookies` first (AWS as observed in ministackorg/ministack `_invoke_lambda_proxy`).
    from_headers = [h for h in headers if h[0].lower() == "set-cookie"]
    headers = [h for h in headers if h[0].lower() != "set-cookie"]
    headers += [("set-cookie", _field(c, "a cookie")) for c in cookies] + from_headers
    if default_type is not None and not any(name.lower() == "content-type" for name, _ in headers):
        headers.insert(0, ("content-type", default_type))
    return headers


def _body(value: dict[str, Any]) -> bytes:
    body = value.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponseError(f'{_FORMAT_ERROR} Lambda body contains the wrong type for field "body": give a string (json.dumps it)')
    if value.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise MalformedResponseError(f"{_FORMAT_ERROR} isBase64Encoded is true but the body is not base64: {exc}") from exc
    return _utf8(body, "body")


def _utf8(text: str, what: str) -> bytes:
    """The text as UTF-8; a lone surrogate (which UTF-8 cannot encode) makes the response malformed.

    Replacing it (`?` or U+FFFD) would send bytes the function never wrote, and `surrogatepass` would
    send invalid UTF-8; a 500 with the position in the log points at the bug instead.
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedResponseError(f"{_FORMAT_ERROR} {what} is not valid Unicode: a lone surrogate {json.dumps(text[exc.start])} at {exc.start}") from exc
