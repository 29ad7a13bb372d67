"""Rules on `api` and `logging`: stage, CORS, log retention and access-log fields."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from compiler import awsdata
from compiler.diagnostics import Finding, SpecPath, did_you_mean
from compiler.patterns import lazy
from compiler.resolve import (
    DEFAULT_STAGE,
    PREFIX,
    access_log_format,
    routes_by_function,
    scoping_by_function,
    sets_cors,
)
from compiler.rules.registry import Context, rule

_STAGE = lazy(r"^[A-Za-z0-9_-]{1,128}\Z")
# Any JSON key (`@timestamp`, `request id`) but for `$`, which API Gateway reads as a variable, and control characters.
_FIELD_NAME = lazy(r"^[^$\x00-\x1f\x7f-\x9f]+\Z")


@rule("E401", name="api-stage")
def api_stage(ctx: Context) -> Iterator[Finding]:
    """The stage is `$default` or 1 to 128 of `A-Za-z0-9_-`."""
    stage = ctx.spec.service.api.stage
    if stage != DEFAULT_STAGE and not _STAGE.match(stage):
        yield Finding("E401", ("api", "stage"), f"stage `{stage}` must be `$default` or 1 to 128 letters, digits, `-` or `_`")


@rule("E402", name="api-name")
def api_name(ctx: Context) -> Iterator[Finding]:
    """The API name fits API Gateway's 128 characters, and its access-log group name is valid."""
    if ctx.spec.api is None:
        return
    name = ctx.spec.api.name
    where = ("api", "name") if ctx.spec.service.api.name is not None else ("service",)
    if where == ("service",) and not PREFIX.match(ctx.spec.prefix):
        return  # the prefix is reported once, at `service`
    made = "" if where[0] == "api" else " (made from the service prefix; set `api.name` to choose one)"
    if not 1 <= len(name) <= awsdata.API_NAME_MAX:
        yield Finding("E402", where, f"the API name has {len(name)} characters; API Gateway allows 1 to {awsdata.API_NAME_MAX}{made}")
    elif ctx.spec.api.access_log_fields is not None and _names_access_log_group(ctx) and not re.match(awsdata.LOG_GROUP_NAME_PATTERN, name):
        yield Finding(
            "E402",
            where,
            f"access logs go to the log group `{ctx.spec.api.access_log_group_name}`, and log group names hold only letters, digits "
            "and `. - _ / #`; rename the API or set `logging.access_logs: false`",
        )


def _names_access_log_group(ctx: Context) -> bool:
    """Whether the access logs' group is named after the API (neither `log_group` nor `destination_arn` is set)."""
    access = ctx.spec.service.logging.access_logs
    return isinstance(access, bool) or (access.log_group is None and access.destination_arn is None)


@rule("E403", "W411", name="api-cors", moot_when_removed={"W411": (("api", "cors", "**"),)})
def api_cors(ctx: Context) -> Iterator[Finding]:
    """Credentials are not allowed together with the origin `*`; `cors` sets something."""
    cors = ctx.spec.service.api.cors
    if cors is not None and not sets_cors(cors):
        yield Finding(
            "W411",
            ("api", "cors"),
            "`cors` sets nothing, so no CORS configuration is made; list `allow_origins` (and the methods and headers) or remove `cors`",
            anchor="key",
        )
    if cors is not None and cors.allow_credentials and "*" in cors.allow_origins:
        yield Finding(
            "E403",
            ("api", "cors", "allow_credentials"),
            "`allow_credentials: true` cannot be combined with origin `*` (browsers refuse it); list the allowed origins instead",
        )


@rule("E412", "W413", name="cors-origins")
def cors_origins(ctx: Context) -> Iterator[Finding]:
    """Each allowed origin is `*`, `<scheme>://*` or an origin as browsers send it: `scheme://host[:port]`."""
    cors = ctx.spec.service.api.cors
    for index, origin in enumerate(cors.allow_origins if cors is not None else ()):
        if problem := _origin_problem(origin):
            yield Finding(problem[0], ("api", "cors", "allow_origins", index), problem[1])


def _origin_problem(origin: str) -> tuple[str, str] | None:
    """Why `origin` would never match a browser's `Origin` header under API Gateway (E412), or may not (W413)."""
    if origin in ("*", "null"):  # `null`: what browsers send from `file:` pages and sandboxes
        return None
    scheme, separator, rest = origin.partition("://")
    if not separator or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*\Z", scheme):
        return "E412", f"an origin starts with its scheme, as browsers send it: write `https://{origin.lstrip('/:')}`"
    host, slash, _ = rest.partition("/")
    if slash:
        return "E412", f"an origin has no path, and browsers send `{scheme}://{host}`, which never equals this; write `{scheme}://{host}`"
    if host == "*":
        return None
    if not host:
        return "E412", f"the origin names no host; write it as browsers send it, e.g. `{scheme}://app.example.com`"
    if "*" in host:
        return "W413", (
            f"API Gateway documents `*` only as the whole origin or right after the scheme (`{scheme}://*`), not inside a "
            "host name, so this may match no origin; list each origin, e.g. `https://app.example.com`"
        )
    if not re.match(r"([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?\Z", host):
        return "E412", f"`{host}` is not a host name with an optional `:port`; write the origin as `https://app.example.com` or `http://localhost:3000`"
    return None


@rule("W408", name="api-manual-deploy-in-sam")
def manual_deploy_in_sam(ctx: Context) -> Iterator[Finding]:
    """`build` with the `sam` target: `auto_deploy: false` cannot be honoured by SAM, whose stages always auto-deploy."""
    if "sam" in ctx.targets and ctx.spec.api is not None and not ctx.spec.api.auto_deploy:
        yield Finding(
            "W408",
            ("api", "auto_deploy"),
            "SAM always deploys its HttpApi stages automatically, so the `sam` target ignores this; "
            "the `terraform` and `cloudformation` targets deploy explicitly",
        )


@rule("W409", name="api-throttling-zero")
def throttling_zero(ctx: Context) -> Iterator[Finding]:
    """Zero throttling limits reject every request."""
    throttling = ctx.spec.service.api.throttling
    if ctx.spec.api is not None and throttling is not None:
        for name in ("burst_limit", "rate_limit"):
            if getattr(throttling, name) == 0:
                yield Finding("W409", ("api", "throttling", name), f"`{name}: 0` makes API Gateway reject every request with 429")


_CLOUDFORMATION_MAX_RESOURCES = 500  # resources per stack
_CLOUDFORMATION_MAX_OUTPUTS = 200  # outputs per template
_OUTPUTS_PER_FUNCTION = 3  # its name, ARN and log group (and the API's URL and id)


@rule("W410", name="cloudformation-limits")
def cloudformation_limits(ctx: Context) -> Iterator[Finding]:
    """The CloudFormation and SAM stacks stay within CloudFormation's 500 resources and 200 outputs."""
    spec = ctx.spec
    outputs = _OUTPUTS_PER_FUNCTION * len(spec.functions) + 2 * (spec.api is not None)
    if outputs > _CLOUDFORMATION_MAX_OUTPUTS:
        yield Finding(
            "W410",
            ("functions",),
            f"the CloudFormation and SAM templates would have {outputs} outputs ({_OUTPUTS_PER_FUNCTION} per function); "
            f"CloudFormation allows {_CLOUDFORMATION_MAX_OUTPUTS}, so split the service (Terraform has no such limit)",
            anchor="key",
        )
    count = sum(2 if fn.role is not None else 4 for fn in spec.functions)  # log group, function (role, policy)
    if spec.api is not None:
        grouped = routes_by_function(spec.routes)
        count += 2 + (spec.api.access_log_fields is not None) + (not spec.api.auto_deploy)  # api, stage, logs, deployment
        integrations = {(r.function, r.timeout_ms, r.payload_format) if r.url is None else r.key for r in spec.routes}
        count += len(integrations) + len(spec.routes)  # integrations (per function and settings, per url route), routes
        domain = spec.api.domain
        if domain is not None:  # domain name, mapping, alias records
            count += 2 + (domain.hosted_zone_id is not None) * (2 if domain.ip_address_type == "dualstack" else 1)
        scoped = scoping_by_function(spec)
        count += sum(len(routes) if scoped[key] else 1 for key, routes in grouped.items())
    if count > _CLOUDFORMATION_MAX_RESOURCES:
        yield Finding(
            "W410",
            ("routes",) if spec.routes else ("functions",),
            f"the CloudFormation and SAM stacks would hold about {count} resources; CloudFormation allows "
            f"{_CLOUDFORMATION_MAX_RESOURCES} per stack, so split the service (Terraform has no such limit)",
            anchor="key",
        )


@rule("W404", name="api-without-routes", moot_when_removed={"W404": (("routes",),)})
def api_without_routes(ctx: Context) -> Iterator[Finding]:
    """`api` settings matter only when there are routes."""
    if "routes" not in ctx.raw and "api" in ctx.raw:  # (routes that were all invalid are reported as such)
        yield Finding("W404", ("api",), "`api` is set but there are no `routes`, so no API is generated; add routes or remove `api`", anchor="key")


_REQUEST_IDS = ("$context.requestId", "$context.extendedRequestId")


def _by_meaning(variable: str) -> str:
    """What an HTTP API logs instead of a REST API (or guessed) variable: ` (in an HTTP API: …)`, or ``."""
    equivalents = awsdata.HTTP_API_EQUIVALENTS.get(variable)
    if equivalents is None:
        return ""
    if not equivalents:
        return f"; it is a REST API variable, and HTTP APIs have no {awsdata.HTTP_API_LACKS[variable]}: remove the field"
    return " (in an HTTP API: " + " or ".join(f"`{name}`, {meaning}" for name, meaning in equivalents) + ")"


def _fields(base: SpecPath, fields: Mapping[str, Any]) -> Iterator[tuple[SpecPath, str, str | dict[str, Any]]]:
    """Each field of the access-log format, nested ones too: where, its name, its variable (an empty map for an empty object)."""
    for name, value in fields.items():
        if isinstance(value, dict) and value:
            yield from _fields((*base, name), value)
        else:
            yield (*base, name), name, value


@rule("E405", "E406", "E407", name="access-log-fields")
def access_log_fields(ctx: Context) -> Iterator[Finding]:
    """Access-log fields are HTTP API `$context` variables, include a request id, and fit 3 KB."""
    access = ctx.spec.service.logging.access_logs
    if isinstance(access, bool) or access.fields is None:
        return
    base: SpecPath = ("logging", "access_logs", "fields")
    if not access.fields:
        yield Finding("E405", base, "give at least one field, or set `access_logs: false`")
    known = sorted(awsdata.HTTP_API_CONTEXT_VARIABLES)
    for where, name, variable in _fields(base, access.fields):
        if not _FIELD_NAME.match(name):
            yield Finding(
                "E405",
                where,
                f"field name `{name}` may not hold `$` (API Gateway would read it as a variable) or control characters",
                anchor="key",
            )
        if isinstance(variable, dict):  # a nested object with nothing in it
            yield Finding("E405", where, "a nested object needs at least one field; remove it or add `name: $context.variable`")
        elif not awsdata.is_http_api_context_variable(variable):
            hint = _by_meaning(variable) or did_you_mean(variable, known) or did_you_mean("$context." + variable.removeprefix("$"), known)
            yield Finding("E405", where, f"`{variable}` is not an HTTP API `$context` variable{hint}")
    # (A request id written wrong is reported above, with its fix: not again as missing.)
    near = [v for _, _, v in _fields(base, access.fields) if isinstance(v, str) and v.lower() in {r.lower() for r in _REQUEST_IDS}]
    if access.fields and not near:
        yield Finding(
            "E407",
            base,
            "API Gateway requires `$context.requestId` or `$context.extendedRequestId` in the access-log format; "
            "add a field such as `requestId: $context.requestId`",
            anchor="key",
        )
    size = len(access_log_format(tuple(access.fields.items())).encode())
    if size > awsdata.ACCESS_LOG_FORMAT_MAX_BYTES:
        yield Finding(
            "E406", base, f"the access-log format takes {size} bytes; API Gateway allows {awsdata.ACCESS_LOG_FORMAT_MAX_BYTES}; drop fields", anchor="key"
        )
