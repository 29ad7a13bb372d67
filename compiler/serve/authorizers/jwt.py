"""JWT authorizers: the bearer token checked as API Gateway checks it (signature, `iss`, `aud` or
`client_id`, `exp`, `nbf`, `iat`, and `scope`/`scp` against the route's scopes)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from compiler.serve.authorizers.decision import Decision, Grant, allow, forbidden, unauthorized
from compiler.serve.authorizers.jwks import ALGORITHMS, JwksError, RsaKey, b64url, fetch_jwks, load_jwks, verify


@dataclass(frozen=True, slots=True)
class JwtAuthorizerConfig:
    """One `type: jwt` authorizer of `api.authorizers`, as resolved."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"


def signing_keys(config: JwtAuthorizerConfig, jwks: Path | None) -> tuple[tuple[RsaKey, ...] | None, str | None]:
    """The keys to check signatures with, and the start-up warning when there are none: `--jwks FILE`
    (a JwksError from it is the caller's usage error), else the issuer's discovery document when it is
    reachable, else no keys."""
    if jwks is not None:
        return load_jwks(jwks), None
    try:
        return fetch_jwks(config.issuer), None
    except JwksError as exc:
        return None, f"JWT authorizer `{config.name}`: token signatures are not checked ({exc}); give --jwks FILE to check them"


class TokenError(ValueError):
    """Why a token is refused (401)."""


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signing input and signature of a compact JWS; a `Bearer ` prefix is dropped."""
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("the token is not a JWT (header.payload.signature)")
    try:
        header, claims = json.loads(b64url(parts[0])), json.loads(b64url(parts[1]))
        signature = b64url(parts[2])
    except ValueError as exc:
        raise TokenError(f"the token cannot be decoded: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("the token's header and payload must be JSON objects")
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """`scope` (space-separated, RFC 6749) or `scp` (a list or a string), as API Gateway reads them."""
    raw = claims.get("scope", claims.get("scp"))
    if isinstance(raw, str):
        return raw.split()
    if isinstance(raw, list):
        return [str(s) for s in raw]
    return []


def event_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway passes them on: every value a string (numbers as digits, a list as `[a b]`)."""
    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "[" + " ".join(text(v) for v in value) + "]"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, separators=(",", ":"))

    return {name: text(value) for name, value in claims.items()}


class JwtAuthorizer:
    """One JWT authorizer. Without `keys` signatures are not checked (serve warns at start); `clock`
    (seconds since the epoch) is injectable so that tests do not depend on today's date."""

    def __init__(self, config: JwtAuthorizerConfig, keys: Sequence[RsaKey] | None, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.keys = tuple(keys) if keys is not None else None
        self._clock = clock

    def authorize(self, token: str | None, route_scopes: Sequence[str] = ()) -> Decision:
        """401 for a missing or invalid token, 403 when it has none of the route's scopes, else the claims
        for `requestContext.authorizer.jwt`. `token` is the identity source's value (None: missing)."""
        if not token:
            return unauthorized(f"authorizer {self.config.name}: no token in {self.config.identity_source}")
        try:
            claims = self._check(token)
        except TokenError as exc:
            return unauthorized(f"authorizer {self.config.name}: {exc}")
        scopes = token_scopes(claims)
        if route_scopes and not set(route_scopes) & set(scopes):
            return forbidden(f"authorizer {self.config.name}: the token has none of the route's scopes ({' '.join(route_scopes)})")
        return allow(Grant("jwt", {"claims": event_claims(claims), "scopes": scopes or None}))

    def _check(self, token: str) -> dict[str, Any]:
        header, claims, signing_input, signature = decode(token)
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenError(f"alg {algorithm!r} is not supported: API Gateway takes RSA-based algorithms only ({', '.join(ALGORITHMS)})")
        if self.keys is not None:
            keys = [k for k in self.keys if k.kid == header.get("kid")]
            if not keys:
                raise TokenError(f"no key in the JWKS has the token's kid {header.get('kid')!r}")
            if not any(verify(str(algorithm), signing_input, signature, key) for key in keys):
                raise TokenError("the signature does not match the key")
        if claims.get("iss") != self.config.issuer:
            raise TokenError(f"iss {claims.get('iss')!r} is not the issuer {self.config.issuer!r}")
        self._check_audience(claims)
        self._check_times(claims)
        return claims

    def _check_audience(self, claims: dict[str, Any]) -> None:
        """`aud` (a string or a list) must hold one of the audiences; `client_id` is read only without `aud`."""
        if "aud" in claims:
            aud = claims["aud"]
            values = aud if isinstance(aud, list) else [aud]
            what = "aud"
        else:
            values, what = [claims.get("client_id")], "client_id"
        if not any(v in self.config.audience for v in values):
            raise TokenError(f"{what} {values!r} has none of the audiences {list(self.config.audience)!r}")

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        exp = claims.get("exp")
        if not _number(exp) or exp <= now:
            raise TokenError("the token has expired" if _number(exp) else "the token has no numeric exp")
        for name in ("nbf", "iat"):
            value = claims.get(name)
            if value is not None and (not _number(value) or value > now):
                raise TokenError(f"{name} is in the future" if _number(value) else f"{name} is not a number")


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
