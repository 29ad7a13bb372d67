"""Apply defaults and name things: the typed `Service` becomes a `Resolved` spec.

Every default of the format is applied here and only here (function ← `defaults` ← built-in;
function logging ← top-level logging), and every AWS name is made here. Each resolved value
remembers the spec path it came from, so a rule about an inherited value points at the place
that set it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from compiler import awsdata, ir, naming, references
from compiler.diagnostics import SpecPath
from compiler.records import NamedTuple
from compiler.references import Scope
from compiler.routekeys import DEFAULT_PAYLOAD_FORMAT, DEFAULT_TIMEOUT_MS, Route, make_route
from schemas import models

DEFAULT_ACCESS_LOG_FIELDS: tuple[tuple[str, models.AccessLogField], ...] = (
    ("requestId", "$context.requestId"),
    ("ip", "$context.identity.sourceIp"),
    ("requestTime", "$context.requestTime"),
    ("httpMethod", "$context.httpMethod"),
    ("status", "$context.status"),
    ("protocol", "$context.protocol"),
    ("integrationErrorMessage", "$context.integrationErrorMessage"),
    ("errorMessage", "$context.error.message"),
)
SERVICE_TAG = "apispec:service"
PREFIX = re.compile(r"^[a-z][a-z0-9-]*\Z")  # what a prefix must look like
LOG_STATEMENT_SID = "WriteOwnLogGroup"  # the generated statement of every execution role's policy
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")  # what it allows on the function's log group
DEFAULT_STAGE = "$default"
_FUNCTION_FIELDS = tuple(f.name for f in dataclasses.fields(models.Function))
PARAM_REF = re.compile(r"\$\{param:([^}]*)\}")


def reference_places(service: models.Service) -> Iterator[tuple[SpecPath, str]]:
    """Every string that may hold a reference (`${param:…}`, `${ssm:…}`, ...; `compiler.references`):
    environment values, permission resources and condition values, roles, tag values, the custom
    domain, `url` routes, JWT issuers and audiences, and route scopes. What lowering turns through
    `lower.text_value`; a reference anywhere else is reported (E621)."""
    sections: list[tuple[SpecPath, models.Function]] = [(("defaults",), service.defaults)] if service.defaults else []
    sections += [(("functions", key), fn) for key, fn in service.functions.items()]
    yield from ((("tags", key), value) for key, value in service.tags.items())
    for here, fn in sections:
        for name, value in fn.environment.items():
            if isinstance(value, str):
                yield (*here, "environment", name), value
        for index, statement in enumerate(fn.permissions):
            for position, resource in enumerate(statement.resources):
                yield (*here, "permissions", index, "resources", position), resource
            for operator, block in (statement.conditions or {}).items():
                for key, values in block.items():
                    where: SpecPath = (*here, "permissions", index, "conditions", operator, key)
                    if isinstance(values, str):
                        yield where, values
                    elif isinstance(values, list):
                        yield from (((*where, i), v) for i, v in enumerate(values) if isinstance(v, str))
        if fn.role is not None:
            yield (*here, "role"), fn.role
        yield from (((*here, "tags", key), value) for key, value in fn.tags.items())
        yield from _section_b_places(here, fn)
    domain = service.api.domain
    if domain is not None:
        for name in DOMAIN_REFERENCE_KEYS:
            if (value := getattr(domain, name)) is not None:
                yield ("api", "domain", name), value
    for name, authorizer in service.api.authorizers.items():
        if authorizer.issuer is not None:
            yield ("api", "authorizers", name, "issuer"), authorizer.issuer
        yield from ((("api", "authorizers", name, "audience", i), value) for i, value in enumerate(authorizer.audience or ()))
    for key, target in service.routes.items():
        if isinstance(target, models.RouteTarget):
            if target.url is not None:
                yield ("routes", key, "url"), target.url
            yield from ((("routes", key, "scopes", i), value) for i, value in enumerate(target.scopes or ()))


# The custom domain's keys that may hold a reference (its name and base path make names and the URL output).
DOMAIN_REFERENCE_KEYS = ("certificate_arn", "hosted_zone_id", "mtls_truststore_uri")


def _section_b_places(here: SpecPath, fn: models.Function) -> Iterator[tuple[SpecPath, str]]:
    """The strings of section B's function keys that may hold `${param:name}`: ARNs, VPC ids, trigger sources."""
    for key in ("layers", "managed_policies"):
        yield from (((*here, key, i), value) for i, value in enumerate(getattr(fn, key) or ()))
    for key in ("permissions_boundary", "kms_key_arn", "code_signing_config_arn"):
        if getattr(fn, key) is not None:
            yield (*here, key), getattr(fn, key)
    if fn.vpc is not None:
        for key in ("subnet_ids", "security_group_ids"):
            yield from (((*here, "vpc", key, i), value) for i, value in enumerate(getattr(fn.vpc, key)))
    for index, event in enumerate(fn.events or ()):
        for key in ("sqs", "stream"):
            if getattr(event, key) is not None:
                yield (*here, "events", index, key), getattr(event, key)


def access_log_format(fields: tuple[tuple[str, models.AccessLogField], ...]) -> str:
    """The access-log format: one JSON object per request, fields in the spec's order."""
    return json.dumps(dict(fields), separators=(",", ":"), ensure_ascii=False)


def sets_cors(cors: models.Cors | None) -> bool:
    """Whether `api.cors` sets anything: an empty one makes no CORS configuration (W411)."""
    return cors is not None and bool(
        cors.allow_origins or cors.allow_methods or cors.allow_headers or cors.expose_headers or cors.allow_credentials or cors.max_age is not None
    )


def resolve_cors(cors: models.Cors) -> ir.Cors:
    """The CORS settings as API Gateway takes them: the route method `ANY` is every method, `*`; each once."""
    methods = tuple(dict.fromkeys("*" if m == "ANY" else m for m in cors.allow_methods))
    return ir.Cors(tuple(cors.allow_origins), methods, tuple(cors.allow_headers), tuple(cors.expose_headers), cors.allow_credentials, cors.max_age)


def api_name(service: models.Service, prefix: str) -> str:
    """The HTTP API's name: `api.name`, else `<prefix>-api` (`serve` shows it even when there are no routes, so no `Api`)."""
    return service.api.name if service.api.name is not None else f"{prefix}-api"


# A function with more routes than this gets one API-wide invoke permission, keeping its
# resource policy under Lambda's 20 KB limit.
MAX_ROUTE_PERMISSIONS = 20
# One route's invoke statement as Lambda stores it, without the function name and the path: the
# JSON keys, the service principal, both ARNs with the longest partition and region and the
# statement id at its 100-character limit (305 + 100 bytes, rounded up); and the policy around them.
_STATEMENT_BYTES = 420
_POLICY_BYTES = 64


def scoped_per_route(function_name: str, routes: list[Route]) -> bool:
    """Whether each of a function's routes gets its own invoke permission; else one API-wide one does.

    Per route while there are at most `MAX_ROUTE_PERMISSIONS` routes and their statements surely fit
    Lambda's 20 KB resource policy (only paths of hundreds of characters make 20 routes not fit).
    """
    if len(routes) > MAX_ROUTE_PERMISSIONS:
        return False
    size = _POLICY_BYTES + sum(_STATEMENT_BYTES + len(function_name) + len(route.path) for route in routes)
    return size <= awsdata.LAMBDA_POLICY_MAX_BYTES


def scoping_by_function(spec: Resolved) -> dict[str, bool]:
    """Each routed function key, with whether its routes each get their own invoke permission (`scoped_per_route`)."""
    names = {fn.key: fn.name for fn in spec.functions}
    return {key: scoped_per_route(names.get(key, key), routes) for key, routes in routes_by_function(spec.routes).items()}


def routes_by_function(routes: tuple[Route, ...]) -> dict[str, list[Route]]:
    """Each routed function key with its routes, in the spec's order (`url` routes call no function)."""
    grouped: dict[str, list[Route]] = {}
    for route in routes:
        if route.url is not None:
            continue
        grouped.setdefault(route.function, []).append(route)
    return grouped


def prefix_of(service: str, env: str | None = None) -> str:
    """The prefix of every AWS name: `lower(service)` with spaces and `_` turned into `-`, and for an
    environment `<prefix>-<env>` (so that environments can share one account)."""
    prefix = service.lower().replace(" ", "-").replace("_", "-")
    return prefix if env is None else f"{prefix}-{env}"


SELF_ENV = "${self:env}"
# Strings in which only `${self:…}` is substituted, at build time: a Terraform backend block takes no
# expressions, so the state key of each environment is written out.
BUILD_TIME_PLACES: tuple[SpecPath, ...] = (("terraform", "backend", "s3", "key"),)


def terraform_settings(service: models.Service, env: str | None) -> ir.TerraformSettings:
    """The module kind and the S3 backend's arguments, `${self:env}` replaced at build time."""
    backend = service.terraform.backend
    if backend is None:
        return ir.TerraformSettings(service.terraform.module)
    s3 = backend.s3
    key = references.build_time(s3.key, Scope(prefix_of(service.service, env), env))
    arguments: list[tuple[str, str | bool]] = [("bucket", s3.bucket), ("key", key), ("region", s3.region)]
    if s3.use_lockfile is not None:
        arguments.append(("use_lockfile", s3.use_lockfile))
    if s3.dynamodb_table is not None:
        arguments.append(("dynamodb_table", s3.dynamodb_table))
    return ir.TerraformSettings(service.terraform.module, tuple(arguments))


class Condition(NamedTuple):
    """One test of a statement's `conditions`: operator, context key and values, all text."""

    operator: str
    key: str
    values: tuple[str, ...]  # numbers as written (`012345678901` keeps its zero), booleans `true`/`false`


class Statement(NamedTuple):
    """A `permissions` statement, from the function or from `defaults`."""

    spec_path: SpecPath
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...]


class Function(NamedTuple):
    """One function with every setting decided and every name made.

    `config` holds the function's settings as the format declares them (`models.Function`), each from
    the function, else `defaults`, else the built-in default: a plain key added to the format reaches
    rules and backends through it with no change here. The fields beside it are what resolving makes
    of the rest: names, merged maps, inherited log settings, values as text.
    """

    key: str
    config: models.Function
    name: str
    source: str
    handler: str
    environment: tuple[tuple[str, str], ...]
    role: str | None
    permissions: tuple[Statement, ...]
    log_format: str
    application_level: str | None
    system_level: str | None
    retention_days: int | None  # None: kept forever (`never`)
    kms_key_arn: str | None
    tags: tuple[tuple[str, str], ...]
    origin: dict[str, SpecPath]  # spec path that set each value, for locating findings

    @property
    def role_name(self) -> str:
        return naming.role_name(self.name)

    @property
    def policy_name(self) -> str:
        return naming.policy_name(self.name)

    @property
    def template_policy_name(self) -> str:
        return naming.template_policy_name(self.name)

    @property
    def log_group_name(self) -> str:
        return naming.log_group_name(self.name)

    @property
    def spec_path(self) -> SpecPath:
        return ("functions", self.key)


class Authorizer(NamedTuple):
    """One `api.authorizers` entry with its type's defaults applied (the other types' keys are E421's)."""

    name: str
    type: str  # `jwt`, `lambda` or `iam`
    issuer: str
    audience: tuple[str, ...]
    identity_sources: tuple[str, ...]  # a JWT's one `identity_source`, or a Lambda authorizer's list
    function: str  # the Lambda authorizer's function key
    ttl: int
    simple_responses: bool
    payload_format: str

    @property
    def spec_path(self) -> SpecPath:
        return ("api", "authorizers", self.name)


class RouteAuth(NamedTuple):
    """Who may call a route: the authorizer's name (None: open) and the JWT scopes it requires."""

    authorizer: str | None
    scopes: tuple[str, ...]


NO_AUTHORIZER = "none"  # `authorizer: none`: the route opts out of `api.default_authorizer`


def resolve_authorizer(name: str, authorizer: models.Authorizer) -> Authorizer:
    """An authorizer with its defaults: the JWT's token header, no cache, simple responses with payload 2.0."""
    payload = authorizer.payload_format or "2.0"
    if authorizer.type == "jwt":
        sources: tuple[str, ...] = (authorizer.identity_source or models.DEFAULT_JWT_IDENTITY_SOURCE,)
    else:
        sources = tuple(authorizer.identity_sources or ()) if authorizer.type == "lambda" else ()
    simple = authorizer.simple_responses if authorizer.simple_responses is not None else payload == "2.0"
    return Authorizer(
        name=name,
        type=authorizer.type,
        issuer=authorizer.issuer or "",
        audience=tuple(authorizer.audience or ()),
        identity_sources=sources,
        function=authorizer.function or "",
        ttl=authorizer.ttl or 0,
        simple_responses=simple,
        payload_format=payload,
    )


def route_auth(service: models.Service, route: Route) -> RouteAuth:
    """The route's own `authorizer` (`none`: open), else `api.default_authorizer` — but for an `OPTIONS`
    route when `api.cors` is set: API Gateway answers preflights itself, so the default never covers it."""
    target = service.routes.get(route.key)
    own = target.authorizer if isinstance(target, models.RouteTarget) else None
    scopes = tuple(target.scopes or ()) if isinstance(target, models.RouteTarget) else ()
    if own is not None:
        return RouteAuth(None if own == NO_AUTHORIZER else own, scopes)
    default = service.api.default_authorizer
    if default is not None and not (route.method == "OPTIONS" and sets_cors(service.api.cors)):
        return RouteAuth(default, scopes)
    return RouteAuth(None, scopes)


class Api(NamedTuple):
    """The HTTP API, its stage and its access logs."""

    name: str
    description: str | None
    stage: str
    auto_deploy: bool
    cors: ir.Cors | None  # None also when `api.cors` sets nothing; as API Gateway applies it
    throttling: models.Throttling | None
    detailed_metrics: bool
    domain: models.Domain | None
    disable_default_endpoint: bool
    access_log_fields: tuple[tuple[str, models.AccessLogField], ...] | None  # None: access logs disabled
    access_log_retention_days: int | None  # None: kept forever
    access_log_group: str | None  # `access_logs.log_group`, the generated group's name when set
    access_log_destination: str | None  # `access_logs.destination_arn`: an existing group, none generated
    access_log_kms_key_arn: str | None
    tags: tuple[tuple[str, str], ...]
    authorizers: tuple[Authorizer, ...] = ()
    default_authorizer: str | None = None
    route_auth: tuple[tuple[str, RouteAuth], ...] = ()  # by route key

    def authorizer(self, name: str | None) -> Authorizer | None:
        return next((a for a in self.authorizers if a.name == name), None)

    @property
    def access_log_group_name(self) -> str:
        return self.access_log_group if self.access_log_group is not None else naming.access_log_group_name(self.name)

    @property
    def named_stage(self) -> bool:
        return self.stage != DEFAULT_STAGE

    @property
    def deployment_description(self) -> str:
        return f"{self.name} deployment, managed by apispec"


class Resolved(NamedTuple):
    """The spec with defaults applied: what checks, lowering and `serve` read."""

    service: models.Service
    prefix: str
    description: str | None
    region: str | None
    parameters: tuple[tuple[str, models.Parameter], ...]
    functions: tuple[Function, ...]
    routes: tuple[Route, ...]
    api: Api | None  # None when there are no routes
    env: str | None = None  # the environment resolved (None: a spec without environments)
    terraform: ir.TerraformSettings = ir.TerraformSettings()

    @property
    def scope(self) -> Scope:
        """What `${self:…}` references resolve to."""
        return Scope(self.prefix, self.env)

    def function(self, key: str) -> Function:
        return next(f for f in self.functions if f.key == key)


def resolve(service: models.Service, raw: dict[str, Any], written: Mapping[SpecPath, str] | None = None, env: str | None = None) -> Resolved:
    """Apply defaults; `raw` is the loaded data, which tells which keys the user set, and `written`
    the source text of its numbers (environment values keep `3.10` as `3.10`).

    `env` is the one input that says which deployment is resolved: the environment's name (its
    overlay already merged into `service`), or None for a spec without environments. The prefix
    `<prefix>-<env>` and `${self:env}` (through `Resolved.scope`) come from it here and nowhere else."""
    prefix = prefix_of(service.service, env)
    tags = (*sorted(service.tags.items()), (SERVICE_TAG, prefix))
    tags = tuple(dict(tags).items())
    defaults = service.defaults or models.Function()
    raw_defaults = raw.get("defaults") or {}
    functions = tuple(
        _function(key, fn, raw["functions"][key] or {}, defaults, raw_defaults, service, prefix, tags, written or {})
        for key, fn in service.functions.items()
    )
    routes = tuple(_route(key, value) for key, value in service.routes.items())
    api = _api(service, prefix, tags, routes) if routes else None
    return Resolved(
        service=service,
        prefix=prefix,
        description=service.description,
        region=service.region,
        parameters=tuple(service.parameters.items()),
        functions=functions,
        routes=routes,
        api=api,
        env=env,
        terraform=terraform_settings(service, env),
    )


def _route(key: str, value: str | models.RouteTarget) -> Route:
    """A route with its object form's settings, defaults written out."""
    if isinstance(value, str):
        return make_route(key, value)
    return make_route(key, value.function or "")._replace(
        url=value.url if value.function is None else None,
        timeout_ms=value.timeout_ms if value.timeout_ms is not None else DEFAULT_TIMEOUT_MS,
        payload_format=value.payload_format or DEFAULT_PAYLOAD_FORMAT,
        throttling=value.throttling,
    )


def _function(
    key: str,
    fn: models.Function,
    raw_fn: dict[str, Any],
    defaults: models.Function,
    raw_defaults: dict[str, Any],
    service: models.Service,
    prefix: str,
    service_tags: tuple[tuple[str, str], ...],
    written: Mapping[SpecPath, str],
) -> Function:
    here: SpecPath = ("functions", key)
    origin: dict[str, SpecPath] = {}
    chosen: dict[str, Any] = {}
    for name in _FUNCTION_FIELDS:
        if name in raw_fn:
            chosen[name], origin[name] = getattr(fn, name), (*here, name)
        elif name in raw_defaults:
            chosen[name], origin[name] = getattr(defaults, name), ("defaults", name)
        else:
            chosen[name], origin[name] = getattr(fn, name), here
    environment = {**defaults.environment, **fn.environment}
    for name in environment:
        origin[f"environment.{name}"] = (*here, "environment", name) if name in fn.environment else ("defaults", "environment", name)
    permissions = tuple(_statement(("defaults", "permissions", i), s, written) for i, s in enumerate(defaults.permissions)) + tuple(
        _statement((*here, "permissions", i), s, written) for i, s in enumerate(fn.permissions)
    )
    if defaults.permissions or fn.permissions:
        origin["permissions"] = (*here, "permissions") if fn.permissions else ("defaults", "permissions")
    logging = _function_logging(fn, defaults, service.logging, here, origin)
    tags = dict(service_tags)
    tags.update(defaults.tags)
    tags.update(fn.tags)
    tags[SERVICE_TAG] = prefix
    return Function(
        key=key,
        config=models.Function(**chosen),
        name=chosen["name"] or naming.default_function_name(prefix, key),
        source=chosen["source"] or "",
        handler=chosen["handler"] or "",
        environment=tuple((name, _text(value, written.get(origin[f"environment.{name}"]))) for name, value in environment.items()),
        role=chosen["role"],
        permissions=permissions,
        log_format=logging["format"],
        application_level=logging["application_level"],
        system_level=logging["system_level"],
        retention_days=retention(logging["retention_days"]),
        kms_key_arn=logging["kms_key_arn"],
        tags=tuple(sorted(tags.items())),
        origin=origin,
    )


def _function_logging(
    fn: models.Function, defaults: models.Function, top: models.Logging, here: SpecPath, origin: dict[str, SpecPath]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in ("format", "application_level", "system_level", "retention_days", "kms_key_arn"):
        own = getattr(fn.logging, name) if fn.logging else None
        inherited = getattr(defaults.logging, name) if defaults.logging else None
        if own is not None:
            result[name], origin[f"logging.{name}"] = own, (*here, "logging", name)
        elif inherited is not None:
            result[name], origin[f"logging.{name}"] = inherited, ("defaults", "logging", name)
        else:
            result[name], origin[f"logging.{name}"] = getattr(top, name), ("logging", name)
    if result["format"] != "JSON":  # inherited levels belong to a JSON setting; a Text function has none
        for name in ("application_level", "system_level"):
            if origin[f"logging.{name}"][:3] != (*here, "logging"):
                result[name] = None
    return result


def retention(days: models.Retention) -> int | None:
    """A log group's retention in days, None for `never` (no expiry)."""
    return None if days == "never" else days


def _statement(where: SpecPath, statement: models.Statement, written: Mapping[SpecPath, str]) -> Statement:
    conditions = []
    for operator, block in (statement.conditions or {}).items():
        for key, values in block.items():
            at: SpecPath = (*where, "conditions", operator, key)
            texts = [_text(v, written.get((*at, i))) for i, v in enumerate(values)] if isinstance(values, list) else [_text(values, written.get(at))]
            conditions.append(Condition(operator, key, tuple(texts)))
    return Statement(where, statement.sid, statement.effect, tuple(statement.actions), tuple(statement.resources), tuple(conditions))


def _text(value: models.Scalar, written: str | None) -> str:
    """Values that AWS takes as strings: `true`/`false` for booleans, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and written is not None:
        return written
    return str(value)


def _api(service: models.Service, prefix: str, tags: tuple[tuple[str, str], ...], routes: tuple[Route, ...]) -> Api:
    logging = service.logging
    access = logging.access_logs
    fields: tuple[tuple[str, models.AccessLogField], ...] | None
    retention_days = logging.retention_days
    kms_key_arn = logging.kms_key_arn
    group = destination = None
    if access is False:
        fields = None
    elif access is True:
        fields = DEFAULT_ACCESS_LOG_FIELDS
    else:
        fields = tuple(access.fields.items()) if access.fields is not None else DEFAULT_ACCESS_LOG_FIELDS
        retention_days = access.retention_days if access.retention_days is not None else retention_days
        kms_key_arn = access.kms_key_arn if access.kms_key_arn is not None else kms_key_arn
        group, destination = access.log_group, access.destination_arn
    return Api(
        name=api_name(service, prefix),
        description=service.description,
        stage=service.api.stage,
        auto_deploy=service.api.auto_deploy,
        cors=resolve_cors(service.api.cors) if service.api.cors is not None and sets_cors(service.api.cors) else None,
        throttling=service.api.throttling,
        detailed_metrics=service.api.detailed_metrics,
        domain=service.api.domain,
        disable_default_endpoint=service.api.disable_default_endpoint,
        access_log_fields=fields,
        access_log_retention_days=retention(retention_days),
        access_log_group=group,
        access_log_destination=destination,
        access_log_kms_key_arn=kms_key_arn,
        tags=tags,
        authorizers=tuple(resolve_authorizer(name, a) for name, a in service.api.authorizers.items()),
        default_authorizer=service.api.default_authorizer,
        route_auth=tuple((route.key, route_auth(service, route)) for route in routes),
    )
