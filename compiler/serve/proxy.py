"""`url` routes: an `HTTP_PROXY` integration. The request goes to the URL (with the route's path
parameters put into its `{name}`s and the request's query string), the upstream's answer comes back
as it is: status, headers and body, redirects included (they are not followed)."""

from __future__ import annotations

import http.client
import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from compiler.serve.events import Request
from compiler.serve.responses import Response

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9._-]+)\+?\}")
# Hop-by-hop headers (RFC 7230 §6.1) and the ones the next hop sets itself.
_NOT_FORWARDED = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"})


class ProxyError(Exception):
    """The upstream could not be reached or did not answer; the message says why (API Gateway: 500)."""


class ProxyTimeoutError(ProxyError):
    """The upstream did not answer within the route's `timeout_ms` (API Gateway: 503, see `deadline`)."""


def target_url(url: str, path_parameters: Mapping[str, str], raw_query: str) -> str:
    """The URL with `{name}` (and `{name+}`) replaced by the percent-encoded path parameter (a greedy
    one keeps its `/`), and the request's query string appended."""
    filled = _PLACEHOLDER.sub(lambda m: quote(path_parameters.get(m.group(1), ""), safe="/"), url)
    if not raw_query:
        return filled
    return f"{filled}{'&' if '?' in filled else '?'}{raw_query}"


def forward(request: Request, url: str, method: str, timeout_ms: int) -> Response:
    """Send the request to `url` with `method` (the route's; the request's for `ANY`) and its headers
    (without hop-by-hop ones; `Host` is the upstream's) and body; the upstream's response."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProxyError(f"not an http(s) URL: {url}")
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname, parts.port, timeout=timeout_ms / 1000)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers: dict[str, str] = {}
    for name, value in request.headers:
        if name.lower() not in _NOT_FORWARDED:
            headers[name] = f"{headers[name]},{value}" if name in headers else value
    try:
        connection.request(method, target, body=request.body or None, headers=headers)
        upstream = connection.getresponse()
        body = upstream.read()
        kept = [(k, v) for k, v in upstream.getheaders() if k.lower() not in _NOT_FORWARDED]
        return Response(upstream.status, kept, body)
    except TimeoutError as exc:
        raise ProxyTimeoutError(f"{method} {url}: no answer within {timeout_ms} ms") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ProxyError(f"{method} {url}: {exc}") from exc
    finally:
        connection.close()
