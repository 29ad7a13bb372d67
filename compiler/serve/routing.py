"""API Gateway HTTP API routing: stage prefix, then the most specific route, then `$default`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from compiler.resolve import DEFAULT_STAGE
from compiler.routekeys import Route, segment

_LITERAL, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Match:
    """The route a request goes to, with its path parameters."""

    route: Route
    parameters: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A route ready to match requests: its segments as (kind, text)."""

    route: Route
    segments: tuple[tuple[int, str], ...]  # (kind, literal text or parameter name)

    @property
    def rank(self) -> tuple[bool, tuple[int, ...], int]:
        """Smaller is more specific: no {greedy+} before one (AWS's "full match" beats a greedy match,
        whatever the segments before), then per segment literal < {param} < {greedy+}, then method < ANY."""
        kinds = tuple(kind for kind, _ in self.segments)
        return _GREEDY in kinds, kinds, int(self.route.method == "ANY")

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The path parameters when the request path's segments (percent-decoded already) match, else None."""
        parameters: dict[str, str] = {}
        for index, (kind, text) in enumerate(self.segments):
            if kind == _GREEDY:
                rest = "/".join(segments[index:])
                if not rest:
                    return None
                parameters[text] = rest
                return parameters
            if index >= len(segments) or not segments[index]:
                return None
            if kind == _LITERAL:
                if segments[index] != text:
                    return None
            else:
                parameters[text] = segments[index]
        return parameters if len(segments) == len(self.segments) else None


def _compile(route: Route) -> _Compiled:
    """The route's segments by kind, read with the grammar `compiler.routekeys` validates them with."""
    segments: list[tuple[int, str]] = []
    for part in map(segment, route.segments):
        if part.parameter is None:
            segments.append((_LITERAL, part.text))
        else:
            segments.append((_GREEDY if part.greedy else _PARAM, part.parameter))
    return _Compiled(route, tuple(segments))


class Router:
    """Pick the route of a request the way API Gateway does."""

    def __init__(self, routes: Iterable[Route], stage: str = DEFAULT_STAGE) -> None:
        routes = list(routes)
        self.stage = stage
        self._default = next((r for r in routes if r.is_default), None)
        compiled = [_compile(r) for r in routes if not r.is_default]
        self._routes = sorted(compiled, key=lambda c: c.rank)  # stable: spec order breaks ties

    def ordered(self) -> list[Route]:
        """The routes in the order requests are matched against them, `$default` last."""
        routes = [compiled.route for compiled in self._routes]
        return routes + ([self._default] if self._default is not None else [])

    def strip_stage(self, raw_path: str) -> str | None:
        """The path inside the stage, or None when the request is not for this stage."""
        if self.stage == DEFAULT_STAGE:
            return raw_path or "/"
        prefix = f"/{self.stage}"
        if raw_path == prefix:
            return "/"
        if raw_path.startswith(prefix + "/"):
            return raw_path[len(prefix) :]
        return None

    def match(self, method: str, path: str) -> Match | None:
        """The most specific route for `METHOD path` (path percent-decoded, without the stage), else `$default`."""
        segments = [] if path == "/" else path[1:].split("/")
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            parameters = compiled.match(segments)
            if parameters is not None:
                return Match(compiled.route, parameters)
        if self._default is not None:
            return Match(self._default, {})
        return None
