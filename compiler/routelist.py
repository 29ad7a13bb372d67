"""`apispec routes`: the API at a glance, one row per route in the order API Gateway matches them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from compiler.resolve import DEFAULT_STAGE, Api, Resolved
from compiler.routekeys import Route
from compiler.serve.routing import Router

EMPTY = "-"


@dataclass(frozen=True, slots=True)
class Limits:
    """The throttling a route gets: its own, or the stage's (`api.throttling`) for every route."""

    burst_limit: int
    rate_limit: float
    source: str  # `route` or `api`

    def __str__(self) -> str:
        inherited = " (api)" if self.source == "api" else ""
        return f"burst {self.burst_limit}, rate {self.rate_limit:g}/s{inherited}"


@dataclass(frozen=True, slots=True)
class RouteRow:
    """One route's line, with the settings that apply to it (defaults and the API's written out)."""

    route: str
    function: str | None  # None for a `url` route
    url: str | None = None
    authorizer: str | None = None  # `name (type)`, e.g. `internal (iam)`; None: open
    scopes: tuple[str, ...] = ()
    throttling: Limits | None = None  # None: the account's limits
    timeout_ms: int | None = None  # the integration timeout


def api_urls(spec: Resolved) -> list[str]:
    """The execute-api URL (its id is known only once deployed), with the stage as its path."""
    if spec.api is None:
        return []
    stage = "" if spec.api.stage == DEFAULT_STAGE else spec.api.stage
    return [f"https://<api-id>.execute-api.{spec.region or '<region>'}.amazonaws.com/{stage}"]


def rows(spec: Resolved) -> list[RouteRow]:
    stage = spec.api.stage if spec.api is not None else DEFAULT_STAGE
    return [_row(route, spec.api) for route in Router(spec.routes, stage).ordered()]


def _row(route: Route, api: Api | None) -> RouteRow:
    """A route's row: its target, the authorizer that guards it (its own, or `api.default_authorizer`),
    its throttling (its own, else the stage's) and its integration timeout."""
    auth = dict(api.route_auth).get(route.key) if api is not None else None
    authorizer = api.authorizer(auth.authorizer) if api is not None and auth is not None else None
    if route.throttling is not None:
        limits: Limits | None = Limits(route.throttling.burst_limit, route.throttling.rate_limit, "route")
    elif api is not None and api.throttling is not None:
        limits = Limits(api.throttling.burst_limit, api.throttling.rate_limit, "api")
    else:
        limits = None
    return RouteRow(
        route=route.key,
        function=route.function if route.url is None else None,
        url=route.url,
        authorizer=f"{authorizer.name} ({authorizer.type})" if authorizer is not None else None,
        scopes=auth.scopes if auth is not None and authorizer is not None else (),
        throttling=limits,
        timeout_ms=route.timeout_ms,
    )


def _cells(row: RouteRow) -> list[str]:
    authorizer = row.authorizer or EMPTY
    if row.scopes:
        authorizer += f" [{' '.join(row.scopes)}]"
    return [
        row.route,
        row.function or row.url or EMPTY,
        authorizer,
        str(row.throttling) if row.throttling is not None else EMPTY,
        f"{row.timeout_ms} ms" if row.timeout_ms is not None else EMPTY,
    ]


HEADINGS = ["ROUTE", "TARGET", "AUTHORIZER", "THROTTLING", "TIMEOUT"]


def render_text(spec: Resolved) -> str:
    """Aligned columns, the API's name and URL(s) above them."""
    lines = [f"{_api_title(spec)}"] + [f"  {url}" for url in api_urls(spec)] + [""]
    table = [HEADINGS] + [_cells(row) for row in rows(spec)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADINGS))]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in table]
    return "\n".join(lines) + "\n"


def render_markdown(spec: Resolved) -> str:
    """A Markdown table (for a README or a review), the URL(s) as a list above it."""
    lines = [f"**{_escape(_api_title(spec))}**", ""] + [f"- `{url}`" for url in api_urls(spec)] + [""]
    lines.append("| " + " | ".join(h.capitalize() for h in HEADINGS) + " |")
    lines.append("|" + "---|" * len(HEADINGS))
    lines += ["| " + " | ".join(f"`{_escape(c)}`" if i < 2 else _escape(c) for i, c in enumerate(_cells(row))) + " |" for row in rows(spec)]
    return "\n".join(lines) + "\n"


def render_json(spec: Resolved) -> str:
    document = {
        "api": spec.api.name if spec.api is not None else None,
        "stage": spec.api.stage if spec.api is not None else None,
        "urls": api_urls(spec),
        "routes": [asdict(row) | {"scopes": list(row.scopes)} for row in rows(spec)],  # asdict: Limits as an object
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _api_title(spec: Resolved) -> str:
    if spec.api is None:
        return "no API: the spec has no routes"
    return f"API {spec.api.name} (stage {spec.api.stage})"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")
