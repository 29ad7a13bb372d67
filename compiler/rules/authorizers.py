"""Rules on `api.authorizers`, `api.default_authorizer` and the routes they protect."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from compiler import awsdata, references
from compiler.diagnostics import Finding, SpecPath, did_you_mean, one_of
from compiler.resolve import NO_AUTHORIZER, resolve_authorizer, route_auth, sets_cors
from compiler.rules.registry import Context, rule
from schemas import models

_NAME = r"[a-z][a-z0-9_-]*"
# Each type's keys beside `type`, and those it requires.
_KEYS = {
    "jwt": ("issuer", "audience", "identity_source"),
    "lambda": ("function", "identity_sources", "ttl", "simple_responses", "payload_format"),
    "iam": (),
}
_REQUIRED = {"jwt": ("issuer", "audience"), "lambda": ("function",), "iam": ()}
_ALL_KEYS = tuple(key for keys in _KEYS.values() for key in keys)
# Patterns compiled on first use (by `re`'s cache), so a spec without authorizers does not pay for them.
# Identity sources API Gateway takes (`$request.header.X` takes any header name, token characters).
_HEADER = r"\$request\.header\.[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_QUERY = r"\$request\.querystring\.[^\s&=#]+"
_JWT_SOURCE = rf"(?:{_HEADER}|{_QUERY})"
_LAMBDA_SOURCE = rf"(?:{_HEADER}|{_QUERY}|\$stageVariables\.[A-Za-z0-9_]+|\$context\.[A-Za-z0-9_.-]+)"
_SOURCE_FORMS = "`$request.header.<name>`, `$request.querystring.<name>`, `$context.<variable>` or `$stageVariables.<name>`"


def _a(kind: str) -> str:
    return f"an `{kind}`" if kind == "iam" else f"a `{kind}`"


def _authorizers(ctx: Context) -> Iterator[tuple[str, models.Authorizer, SpecPath]]:
    for name, authorizer in ctx.spec.service.api.authorizers.items():
        yield name, authorizer, ("api", "authorizers", name)


@rule("E420", name="authorizer-name")
def authorizer_names(ctx: Context) -> Iterator[Finding]:
    """Authorizer names are `[a-z][a-z0-9_-]*` and not `none`, which opts a route out."""
    for name, _, where in _authorizers(ctx):
        if name == NO_AUTHORIZER:
            yield Finding("E420", where, "`none` is what a route writes to opt out of `default_authorizer`; give the authorizer another name", anchor="key")
        elif not re.fullmatch(_NAME, name):
            yield Finding("E420", where, f"authorizer name `{name}` must start with a lower-case letter and hold only `a-z 0-9 _ -`", anchor="key")


@rule("E421", name="authorizer-keys")
def authorizer_keys(ctx: Context) -> Iterator[Finding]:
    """Each authorizer has its type's required keys and no other type's keys; a JWT issuer is an `https://` URL."""
    for _, authorizer, where in _authorizers(ctx):
        own = _KEYS[authorizer.type]
        for key in _REQUIRED[authorizer.type]:
            if getattr(authorizer, key) is None:
                yield Finding("E421", where, f"{_a(authorizer.type)} authorizer needs `{key}`", anchor="key")
        for key in _ALL_KEYS:
            if key not in own and getattr(authorizer, key) is not None:
                allowed = f"its keys are {one_of(own)}" if own else "it takes no other key"
                yield Finding("E421", (*where, key), f"`{key}` is not a key of {_a(authorizer.type)} authorizer ({allowed}); remove it", anchor="key")
        if authorizer.type == "jwt" and authorizer.issuer is not None and not references.SUBSTITUTED.search(authorizer.issuer):
            parts = urlsplit(authorizer.issuer)
            if parts.scheme != "https" or not parts.hostname or re.search(r"\s", authorizer.issuer):
                yield Finding(
                    "E421",
                    (*where, "issuer"),
                    "the issuer is the `https://` URL tokens name in `iss` (API Gateway reads its keys from "
                    "`<issuer>/.well-known/openid-configuration`), e.g. `https://cognito-idp.<region>.amazonaws.com/<pool id>`",
                )


@rule("E422", name="authorizer-function", moot_when_removed={"E422": (("functions",),)})
def authorizer_function(ctx: Context) -> Iterator[Finding]:
    """A Lambda authorizer names a function key."""
    known = list(ctx.spec.service.functions)
    for _, authorizer, where in _authorizers(ctx):
        if authorizer.type == "lambda" and authorizer.function is not None and authorizer.function not in ctx.spec.service.functions:
            yield Finding("E422", (*where, "function"), f"no function `{authorizer.function}`{did_you_mean(authorizer.function, known)}; functions: {', '.join(known)}")


@rule("E423", name="authorizer-identity-source")
def identity_sources(ctx: Context) -> Iterator[Finding]:
    """Identity sources are `$request.header.X` or `$request.querystring.X` (JWT), or also `$context.X` and `$stageVariables.X` (Lambda)."""
    for _, authorizer, where in _authorizers(ctx):
        if authorizer.type == "jwt" and authorizer.identity_source is not None and not re.fullmatch(_JWT_SOURCE, authorizer.identity_source):
            yield Finding(
                "E423",
                (*where, "identity_source"),
                f"`{authorizer.identity_source}` is not where a JWT can be; write `$request.header.<name>` (e.g. the default "
                f"`{models.DEFAULT_JWT_IDENTITY_SOURCE}`) or `$request.querystring.<name>`",
            )
        if authorizer.type != "lambda":
            continue
        for index, source in enumerate(authorizer.identity_sources or ()):
            at = (*where, "identity_sources", index)
            if not re.fullmatch(_LAMBDA_SOURCE, source):
                hint = f"; write `$request.header.{source}`" if re.fullmatch(r"[A-Za-z0-9-]+", source) else ""
                yield Finding("E423", at, f"`{source}` is not an identity source; use {_SOURCE_FORMS}{hint}")
            elif source.startswith("$context.") and not awsdata.is_http_api_context_variable(source):
                hint = did_you_mean(source, sorted(awsdata.HTTP_API_CONTEXT_VARIABLES))
                yield Finding("E423", at, f"`{source}` is not an HTTP API `$context` variable{hint}")


@rule("E424", "E425", name="authorizer-caching-and-responses")
def caching_and_responses(ctx: Context) -> Iterator[Finding]:
    """A Lambda authorizer's `ttl` above 0 needs an identity source to cache on; `simple_responses` needs payload 2.0."""
    for name, authorizer, where in _authorizers(ctx):
        if authorizer.type != "lambda":
            continue
        resolved = resolve_authorizer(name, authorizer)
        if resolved.ttl > 0 and not resolved.identity_sources:
            yield Finding(
                "E424",
                (*where, "ttl"),
                f"API Gateway caches the answer per identity, so `ttl: {resolved.ttl}` needs `identity_sources` "
                "(e.g. `[$request.header.Authorization]`); or set `ttl: 0`",
            )
        if authorizer.simple_responses and resolved.payload_format != "2.0":
            yield Finding(
                "E425",
                (*where, "simple_responses"),
                'simple responses (`{isAuthorized: ...}`) exist only with `payload_format: "2.0"`; remove `simple_responses` '
                "or use payload 2.0 (payload 1.0 authorizers answer with an IAM policy)",
            )


@rule("E426", "E427", name="authorizer-reference", moot_when_removed={"E426": (("api",), ("api", "authorizers", "**")), "E427": (("api", "authorizers", "**"),)})
def authorizer_references(ctx: Context) -> Iterator[Finding]:
    """A route's `authorizer` and `api.default_authorizer` name an authorizer of `api.authorizers` (a route may say `none`)."""
    known = list(ctx.spec.service.api.authorizers)
    listed = f"; authorizers: {', '.join(known)}" if known else "; declare it under `api.authorizers`"
    for key, target in ctx.spec.service.routes.items():
        if isinstance(target, models.RouteTarget) and target.authorizer not in (None, NO_AUTHORIZER, *known):
            name = str(target.authorizer)
            yield Finding("E426", ("routes", key, "authorizer"), f"no authorizer `{name}`{did_you_mean(name, [*known, NO_AUTHORIZER])}{listed}")
    default = ctx.spec.service.api.default_authorizer
    if default is not None and default not in known:
        fix = "; to leave routes open, remove `default_authorizer`" if default == NO_AUTHORIZER else listed
        yield Finding("E427", ("api", "default_authorizer"), f"no authorizer `{default}`{did_you_mean(default, known)}{fix}")


@rule("E428", name="route-scopes")
def route_scopes(ctx: Context) -> Iterator[Finding]:
    """`scopes` only on routes a JWT authorizer protects (API Gateway checks scopes of JWTs only)."""
    if ctx.spec.api is None:
        return
    for route in ctx.spec.routes:
        target = ctx.spec.service.routes.get(route.key)
        if not isinstance(target, models.RouteTarget) or not target.scopes:
            continue
        auth = route_auth(ctx.spec.service, route)
        authorizer = ctx.spec.api.authorizer(auth.authorizer)
        if authorizer is None and auth.authorizer is not None:
            continue  # an unknown authorizer is E426's or E427's
        if authorizer is None or authorizer.type != "jwt":
            what = "is open" if authorizer is None else f"is protected by {_a(authorizer.type)} authorizer, `{authorizer.name}`"
            yield Finding(
                "E428",
                ("routes", route.key, "scopes"),
                f"only a `jwt` authorizer checks scopes, and this route {what}; remove `scopes` or protect the route with a `jwt` authorizer",
            )


@rule("W429", name="default-authorizer-options-route")
def options_behind_default(ctx: Context) -> Iterator[Finding]:
    """Without `api.cors`, a default authorizer that covers an `OPTIONS` route refuses browsers' CORS preflights (which carry no credentials)."""
    service = ctx.spec.service
    default = service.api.default_authorizer
    if ctx.spec.api is None or default is None or sets_cors(service.api.cors) or default not in service.api.authorizers:
        return
    for route in ctx.spec.routes:
        if route.method == "OPTIONS" and route_auth(service, route).authorizer == default:
            target = service.routes.get(route.key)
            if isinstance(target, models.RouteTarget) and target.authorizer is not None:
                continue  # named on purpose
            yield Finding(
                "W429",
                route.spec_path,
                f"`default_authorizer: {default}` covers this `OPTIONS` route, and browsers send CORS preflights without credentials, "
                "so they would be refused; set `authorizer: none` on it, or set `api.cors` and let API Gateway answer preflights",
                anchor="key",
            )
