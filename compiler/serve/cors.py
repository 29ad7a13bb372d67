"""`api.cors` as API Gateway applies it, from the resolved settings the backends render: preflights answered by the API, headers for allowed origins."""

from __future__ import annotations

import re

from compiler.ir import Cors
from compiler.serve.responses import Response

# `https://*`: any origin with that scheme. The only wildcard API Gateway documents besides `*` itself.
_SCHEME_WILDCARD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://\*\Z")


class CorsPolicy:
    """Which origins are allowed, and the headers API Gateway answers them with.

    `allow_origins` entries: `*` (any origin; `access-control-allow-origin: *`), `<scheme>://*` (any origin
    of that scheme, `https://*`; the origin is echoed, as a header cannot say `https://*`), or an origin,
    compared case-insensitively. A `*` inside a host (`https://*.example.com`, warned about as W413)
    matches no origin here.
    """

    def __init__(self, cors: Cors) -> None:
        self._cors = cors
        self._any_origin = "*" in cors.allow_origins
        self._schemes = {m.group(1).lower() for o in cors.allow_origins if (m := _SCHEME_WILDCARD.match(o))}
        self._origins = {o.lower() for o in cors.allow_origins if "*" not in o}

    @staticmethod
    def is_preflight(method: str, origin: str | None, request_method: str | None) -> bool:
        return method == "OPTIONS" and origin is not None and request_method is not None

    def allowed_origin(self, origin: str | None) -> str | None:
        """The `access-control-allow-origin` value for this origin, or None when it is not allowed."""
        if origin is None:
            return None
        if self._any_origin:
            return "*"
        lower = origin.lower()
        if lower in self._origins:
            return origin
        scheme, separator, rest = lower.partition("://")
        return origin if separator and rest and scheme in self._schemes else None

    def preflight(self, origin: str | None) -> Response:
        """The answer to a preflight `OPTIONS`: 204, with the CORS headers only for an allowed origin."""
        response = Response(204)
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return response
        cors = self._cors
        headers = [("access-control-allow-origin", allowed)]
        if cors.allow_credentials:
            headers.append(("access-control-allow-credentials", "true"))
        if cors.allow_methods:
            headers.append(("access-control-allow-methods", ",".join(cors.allow_methods)))
        if cors.allow_headers:
            headers.append(("access-control-allow-headers", ",".join(cors.allow_headers)))
        if cors.max_age is not None:
            headers.append(("access-control-max-age", str(cors.max_age)))
        response.headers = headers
        return response

    def apply(self, response: Response, origin: str | None) -> None:
        """Replace the function's own CORS headers (API Gateway ignores them) by the configured ones."""
        response.headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return
        response.headers.append(("access-control-allow-origin", allowed))
        if self._cors.allow_credentials:
            response.headers.append(("access-control-allow-credentials", "true"))
        if self._cors.expose_headers:
            response.headers.append(("access-control-expose-headers", ",".join(self._cors.expose_headers)))
