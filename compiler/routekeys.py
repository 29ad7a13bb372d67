"""What API Gateway makes of a route key: the route, its path's validity and the shape it matches."""

from __future__ import annotations

import re
from functools import cache
from typing import get_args

from compiler.diagnostics import SpecPath
from compiler.records import NamedTuple
from schemas import models

ROUTE_METHODS: tuple[str, ...] = get_args(models.HttpMethod)
DEFAULT_TIMEOUT_MS = 30000  # API Gateway's integration timeout for HTTP APIs
DEFAULT_PAYLOAD_FORMAT = "2.0"

_SEGMENT_PARAM = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}\Z")
_QUERY = re.compile(r"[?#].*")  # a query string or fragment, which no route key holds
_LITERAL = re.compile(r"^[A-Za-z0-9._~!$&'()*,;=:@-]+\Z")


class Route(NamedTuple):
    """A route as API Gateway sees it."""

    key: str  # the route key, `POST /orders/{id}` or `$default`
    method: str  # `POST`, `ANY` for `$default`
    path: str  # `/orders/{id}`, empty for `$default`
    function: str  # function key
    spec_path: SpecPath
    segments: tuple[str, ...]  # the path's non-empty segments
    # The route object's own settings (as resolved: the defaults written out).
    url: str | None = None  # an `HTTP_PROXY` route's URL (then `function` is empty)
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    payload_format: str = DEFAULT_PAYLOAD_FORMAT
    throttling: models.Throttling | None = None

    @property
    def is_default(self) -> bool:
        return self.key == "$default"


_ROUTE_KEY = re.compile(r"^(\S+) (\S*)\Z")


def make_route(key: str, function: str) -> Route:
    """The route of a route key (`"POST /orders"` or `$default`) served by `function`."""
    spec_path: SpecPath = ("routes", key)
    if key == "$default":
        return Route(key=key, method="ANY", path="", function=function, spec_path=spec_path, segments=())
    match = _ROUTE_KEY.match(key)
    method, path = (match.group(1), match.group(2)) if match else ("", key)
    segments = tuple(s for s in path.split("/") if s)
    return Route(key=key, method=method, path=path, function=function, spec_path=spec_path, segments=segments)


class Segment(NamedTuple):
    """One segment of a route path: a literal, a `{parameter}` or a greedy `{parameter+}`."""

    text: str  # as written
    parameter: str | None  # the parameter's name, None for a literal
    greedy: bool


@cache
def segment(text: str) -> Segment:
    """The one reading of a path segment that validation, naming, permissions and `serve` share."""
    match = _SEGMENT_PARAM.match(text)
    return Segment(text, match.group(1), bool(match.group(2))) if match else Segment(text, None, False)


def route_shape(route: Route) -> tuple[str, ...]:
    """The route as API Gateway matches it: parameters are placeholders, whatever their names."""
    shape = []
    for part in map(segment, route.segments):
        shape.append(part.text if part.parameter is None else "{+}" if part.greedy else "{}")
    return (route.method, *shape)


@cache
def path_problem(path: str) -> str | None:
    """What is wrong with a route path, or None (several rules ask, so it is worked out once)."""
    if not path.startswith("/"):
        return f"the path `{path}` must start with `/`"
    if path == "/":
        return None
    query = _QUERY.search(path)
    if query:
        return f"a route matches the path only; remove `{query.group(0)}` from `{path}`"
    if path.endswith("/"):
        return f"remove the trailing `/` from `{path}` (only the root `/` ends with one)"
    segments = path[1:].split("/")
    names: set[str] = set()
    for index, segment in enumerate(segments):
        if not segment:
            return f"`{path}` has an empty segment (`//`)"
        if "{" in segment or "}" in segment:
            match = _SEGMENT_PARAM.match(segment)
            if match is None:
                return f"segment `{segment}` must be a whole parameter `{{name}}` or `{{name+}}`, with letters, digits, `.`, `_` or `-`"
            name, greedy = match.groups()
            if greedy and index != len(segments) - 1:
                return f"the greedy parameter `{segment}` may only be the last segment"
            if name in names:
                return f"parameter `{{{name}}}` appears twice in `{path}`; give each one its own name"
            names.add(name)
        elif not _LITERAL.match(segment):
            return f"segment `{segment}` has characters a URL path cannot hold unencoded"
    return None


def key_problem(route: Route) -> bool:
    """Whether the route key is malformed (its rules say how)."""
    if route.is_default:
        return False
    return route.method not in ROUTE_METHODS or route.key.count(" ") != 1 or path_problem(route.path) is not None
