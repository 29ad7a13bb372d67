"""Rules on `routes`: route keys, paths, conflicts and the functions they name."""

from __future__ import annotations

from collections.abc import Iterator

from compiler import awsdata
from compiler.diagnostics import Finding, did_you_mean, one_of
from compiler.routekeys import ROUTE_METHODS, Route, path_problem, route_shape
from compiler.rules.registry import Context, rule


@rule("E301", "E302", name="route-key")
def route_keys(ctx: Context) -> Iterator[Finding]:
    """Route keys are `$default` or `"METHOD /path"` with an upper-case method and a valid path."""
    for route in ctx.spec.routes:
        if route.is_default:
            continue
        if not route.method or route.key.count(" ") != 1:  # not `METHOD path`: `make_route` found no method
            shown = route.key.encode("unicode_escape").decode()
            yield Finding("E301", route.spec_path, f'route key `{shown}` must be `"METHOD /path"` (one space, no other blanks) or `$default`{_key_hint(route.key)}', anchor="key")
            continue
        if route.method not in ROUTE_METHODS:
            if route.method.upper() in ROUTE_METHODS:
                hint = f"; write it in upper case: `{route.method.upper()} {route.path}`"
            else:
                hint = did_you_mean(route.method.upper(), ROUTE_METHODS) or f"; use {one_of(ROUTE_METHODS)}"
            yield Finding("E301", route.spec_path, f"`{route.method}` is not a route method{hint}", anchor="key")
        problem = path_problem(route.path)
        if problem:
            yield Finding("E302", route.spec_path, problem, anchor="key")


def _key_hint(key: str) -> str:
    """What a malformed route key most likely lacks."""
    word = key.strip()
    if word.lower().lstrip("$") == "default":
        return " (did you mean `$default`?)"
    if word.upper() in ROUTE_METHODS:
        return f"; add the path, e.g. `{word.upper()} /items`"
    if word.startswith("/"):
        return f"; add the method, e.g. `GET {word}`"
    return ""


@rule("E303", name="route-conflict")
def route_conflicts(ctx: Context) -> Iterator[Finding]:
    """No two routes differ only in parameter names (API Gateway cannot tell them apart)."""
    seen: dict[tuple[str, ...], Route] = {}
    for route in ctx.spec.routes:
        if route.is_default or path_problem(route.path):
            continue
        shape = route_shape(route)
        first = seen.setdefault(shape, route)
        if first is not route:
            yield Finding(
                "E303",
                route.spec_path,
                f"`{route.key}` conflicts with `{first.key}`: they differ only in parameter names, so API Gateway cannot tell them apart; "
                "keep one",
                anchor="key",
            )


@rule("E304", name="route-function", moot_when_removed={"E304": (("functions",),)})
def route_functions(ctx: Context) -> Iterator[Finding]:
    """Every route names a function key."""
    known = list(ctx.spec.service.functions)
    for route in ctx.spec.routes:
        if route.url is None and route.function and route.function not in ctx.spec.service.functions:  # (no `function`: E440)
            raw = ctx.raw["routes"][route.key]
            where = route.spec_path if isinstance(raw, str) else (*route.spec_path, "function")
            yield Finding(
                "E304", where, f"no function `{route.function}`{did_you_mean(route.function, known)}; functions: {', '.join(known)}"
            )


@rule("W305", name="route-quota")
def route_quota(ctx: Context) -> Iterator[Finding]:
    """At most 300 routes, API Gateway's default quota."""
    if len(ctx.spec.routes) > awsdata.MAX_ROUTES_DEFAULT_QUOTA:
        yield Finding(
            "W305",
            ("routes",),
            f"{len(ctx.spec.routes)} routes exceed API Gateway's default quota of {awsdata.MAX_ROUTES_DEFAULT_QUOTA} per API; "
            "ask AWS for a quota increase before deploying",
            anchor="key",
        )


@rule("E306", name="route-literal-default")
def route_literal_default(ctx: Context) -> Iterator[Finding]:
    """`ANY /$default` and the `$default` route are not both in one API (SAM deploys both as `/$default`)."""
    keys = {route.key for route in ctx.spec.routes}
    if "$default" not in keys:
        return
    for route in ctx.spec.routes:
        if route.key == "ANY /$default":
            yield Finding(
                "E306",
                route.spec_path,
                "SAM deploys the `$default` route as the OpenAPI path `/$default` with any method, which is this route too, "
                "so the `sam` target would lose one of them; rename the `$default` segment or list its methods",
                anchor="key",
            )


@rule("W307", name="route-options-with-cors")
def options_route_with_cors(ctx: Context) -> Iterator[Finding]:
    """With `api.cors`, API Gateway answers CORS preflights itself: an `OPTIONS` route never sees them."""
    if ctx.spec.api is None or ctx.spec.api.cors is None:
        return
    for route in ctx.spec.routes:
        if route.method == "OPTIONS":
            yield Finding(
                "W307",
                route.spec_path,
                "with `api.cors` set, API Gateway answers CORS preflight requests itself, so this route gets only "
                "`OPTIONS` requests that are not preflights; remove it if it was meant to answer them",
                anchor="key",
            )
