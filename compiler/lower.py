"""Lower a resolved spec into the resource graph (`ir.Graph`) that every backend renders.

Nodes are created in dependency order (what a node refers to is always created before it), so
the graph's order is a topological order with a fixed tie-break: the spec's own order.

`validate` lowers too, to check the names the graph makes (`naming.collisions`), so lowering
takes any spec that resolved: a route whose key is malformed or whose function does not exist is
left out (its own rule reports it), as nothing can be made of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from compiler import ir, naming, references, triggers
from compiler.references import Scope
from compiler.resolve import (
    LOG_ACTIONS,
    LOG_STATEMENT_SID,
    Api,
    Function,
    Resolved,
    Statement,
    access_log_format,
    routes_by_function,
    scoped_per_route,
)
from compiler.routekeys import DEFAULT_PAYLOAD_FORMAT, DEFAULT_TIMEOUT_MS, Route, segment
from schemas import models

# Node ids: `<kind>.<function key or route key>` for nodes made per function or route, and a
# plain word (no `.`, so no key can make it) for the API's own nodes.
API_ID = "api"
STAGE_ID = "stage"
DEPLOYMENT_ID = "deployment"
ACCESS_LOG_ID = "access-log"
DOMAIN_ID = "domain"
API_MAPPING_ID = "api-mapping"
PAYLOAD_FORMAT_VERSION = DEFAULT_PAYLOAD_FORMAT


def text_value(text: str, scope: Scope) -> ir.Value:
    """A spec string as a graph value: the one way any spec string that may hold a reference becomes one.

    `${param:…}` becomes `Param`, `${ssm:…}` `Ssm`, `${import:…}` `Import`, `${aws:…}` `Pseudo`,
    `${self:…}` its literal text (from `scope`). Anything else, an IAM policy variable (`${aws:username}`)
    or a reference a rule reports, stays text."""
    parts: list[str | ir.Reference] = []
    position = 0
    for reference in references.find(text):
        value = _reference_value(reference, scope)
        if value is None:
            continue
        if reference.start > position:
            parts.append(text[position : reference.start])
        parts.append(value)
        position = reference.end
    if not parts:
        return text
    if position < len(text):
        parts.append(text[position:])
    merged: list[str | ir.Reference] = []
    for part in parts:  # `${self:…}` texts join the literal text around them
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if len(merged) == 1:
        return merged[0]
    return ir.Sub(tuple(merged))


_PSEUDO = {"region": ir.Pseudo("region"), "account_id": ir.Pseudo("account_id"), "partition": ir.Pseudo("partition")}  # `${aws:…}`


def texts(scope: Scope) -> Callable[[str], ir.Value]:
    """`text_value` for one spec's scope: what the per-function lowering of section B takes."""
    return lambda text: text_value(text, scope)


def tag_values(tags: tuple[tuple[str, str], ...], scope: Scope) -> ir.Tags:
    """Tags as the graph holds them: their values may hold references."""
    return tuple((key, text_value(value, scope)) for key, value in tags)


def _reference_value(reference: references.Reference, scope: Scope) -> str | ir.Reference | None:
    """What one reference becomes; None to leave its text as it is."""
    kind, name = reference.kind, reference.name
    if kind == "param":
        return ir.Param(name)
    if kind == "ssm":
        return ir.Ssm(name)
    if kind == "import":
        return ir.Import(name)
    if kind == "aws" and name in _PSEUDO:
        return _PSEUDO[name]
    if kind == "self":
        return scope.value(name)
    return None


def lower(spec: Resolved, base: Path | None = None, packages: Mapping[str, str] | None = None) -> ir.Graph:
    """The resource graph of a checked spec; `base` is the spec's directory, whose code the version of a
    function with an alias is a digest of (without it, of its configuration alone); `packages` says how
    `apispec package` makes the zip of each function (by key) that has one."""
    nodes: list[ir.Node] = []
    outputs: list[ir.Output] = []
    text = texts(spec.scope)
    for fn in spec.functions:
        nodes.extend(_function_nodes(fn, spec.scope, (packages or {}).get(fn.key)))
        nodes.extend(triggers.nodes(fn, base, text))
        outputs.extend(_function_outputs(fn))
    if spec.api is not None:
        nodes.extend(_api_nodes(spec))
        outputs[:0] = _api_outputs(spec)
    parameters = tuple(ir.Parameter(name, p.description, p.default, p.sensitive) for name, p in spec.parameters)
    return ir.Graph(
        prefix=spec.prefix,
        description=spec.description,
        region=spec.region,
        parameters=parameters,
        nodes=tuple(nodes),
        outputs=tuple(outputs),
        by_id=_by_id(nodes),
        env=spec.env,
        terraform=spec.terraform,
    )


def _by_id(nodes: list[ir.Node]) -> dict[str, ir.Node]:
    by_id = {node.id: node for node in nodes}
    assert len(by_id) == len(nodes), "two graph nodes share an id"
    return by_id


def _function_nodes(fn: Function, scope: Scope, package: str | None = None) -> list[ir.Node]:
    function_id = f"function.{fn.key}"
    text = texts(scope)
    tags = tag_values(fn.tags, scope)
    log_group = ir.LogGroup(
        id=f"log.{fn.key}",
        origin=fn.spec_path,
        owner=function_id,
        name=fn.log_group_name,
        retention_days=fn.retention_days,
        tags=tags,
        kms_key_arn=fn.kms_key_arn,
    )
    nodes: list[ir.Node] = [log_group]
    depends_on = [log_group.id]
    role: ir.Value
    config = fn.config
    if fn.role is None:
        role_node = ir.Role(
            id=f"role.{fn.key}",
            origin=fn.spec_path,
            owner=function_id,
            name=fn.role_name,
            tags=tags,
            managed_policies=tuple(text(arn) for arn in config.managed_policies or ()),
            permissions_boundary=text(config.permissions_boundary) if config.permissions_boundary else None,
        )
        policy = ir.RolePolicy(
            id=f"policy.{fn.key}",
            origin=fn.spec_path,
            owner=function_id,
            role=ir.Ref(role_node.id, "name"),
            name=fn.policy_name,
            template_name=fn.template_policy_name,
            statements=(_log_statement(log_group), *triggers.statements(fn, text), *(_statement(s, scope) for s in fn.permissions)),
        )
        nodes += [role_node, policy]
        depends_on.append(policy.id)
        role = ir.Ref(role_node.id, "arn")
    else:
        role = text_value(fn.role, scope)
    nodes.append(
        ir.Function(
            id=function_id,
            origin=fn.spec_path,
            key=fn.key,
            name=fn.name,
            config=fn.config,
            source=fn.source.replace("\\", "/").rstrip("/"),
            handler=fn.handler,
            environment=tuple((name, text_value(value, scope)) for name, value in fn.environment),
            role=role,
            log_format=fn.log_format,
            application_level=fn.application_level,
            system_level=fn.system_level,
            log_group=ir.Ref(log_group.id, "name"),
            tags=tags,
            depends_on=tuple(depends_on),
            layers=tuple(text(arn) for arn in config.layers or ()),
            vpc=(tuple(map(text, config.vpc.subnet_ids)), tuple(map(text, config.vpc.security_group_ids))) if config.vpc else None,
            kms_key_arn=text(config.kms_key_arn) if config.kms_key_arn else None,
            code_signing_config_arn=text(config.code_signing_config_arn) if config.code_signing_config_arn else None,
            alias=triggers.alias_id(fn) if config.alias else None,
            package=package,
        )
    )
    return nodes


def _log_statement(log_group: ir.LogGroup) -> ir.Statement:
    arn = ir.Sub(
        (
            "arn:",
            ir.Pseudo("partition"),
            ":logs:",
            ir.Pseudo("region"),
            ":",
            ir.Pseudo("account_id"),
            ":log-group:",
            ir.Ref(log_group.id, "name"),
            ":*",
        )
    )
    return ir.Statement(sid=LOG_STATEMENT_SID, effect="Allow", actions=LOG_ACTIONS, resources=(arn,), conditions=())


def _statement(statement: Statement, scope: Scope) -> ir.Statement:
    return ir.Statement(
        sid=statement.sid,
        effect=statement.effect,
        actions=statement.actions,
        resources=tuple(text_value(r, scope) for r in statement.resources),
        conditions=tuple(ir.Condition(c.operator, c.key, tuple(text_value(v, scope) for v in c.values)) for c in statement.conditions),
    )


def _function_outputs(fn: Function) -> list[ir.Output]:
    function_id = f"function.{fn.key}"
    return [
        ir.Output("function_name", function_id, f"Name of the `{fn.key}` function", ir.Ref(function_id, "name")),
        ir.Output("function_arn", function_id, f"ARN of the `{fn.key}` function", ir.Ref(function_id, "arn")),
        ir.Output("log_group", function_id, f"Log group of the `{fn.key}` function", ir.Ref(f"log.{fn.key}", "name")),
    ]


def _api_nodes(spec: Resolved) -> list[ir.Node]:
    api = spec.api
    assert api is not None
    api_ref = ir.Ref(API_ID, "id")
    cors = api.cors
    scope = spec.scope
    tags = tag_values(api.tags, scope)
    known = {fn.key: fn for fn in spec.functions}
    authorizers, authorizer_permissions = _authorizer_nodes(api, known, scope)
    authorization = _authorizations(api, {a.id for a in authorizers}, scope)
    default = authorization(api.default_authorizer, ())
    nodes: list[ir.Node] = [
        ir.Api(
            id=API_ID,
            origin=("api",),
            name=api.name,
            description=api.description,
            cors=cors,
            tags=tags,
            disable_default_endpoint=api.disable_default_endpoint,
            default_authorization=default,
        )
    ]
    served = tuple(r for r in spec.routes if (r.function in known or r.url is not None) and naming.routable(r.key))
    by_function = routes_by_function(served)
    routed = [fn for fn in spec.functions if fn.key in by_function]
    integration_of = _integrations(routed, by_function, api_ref)
    integrations: list[ir.Integration | ir.UrlIntegration] = list(dict.fromkeys(integration_of.values()))
    integrations += [_url_integration(route, api_ref, scope) for route in served if route.url is not None]
    nodes += integrations
    nodes += authorizers
    auth_of = dict(api.route_auth)
    permissions = [permission for fn in routed for permission in _permissions(fn, by_function[fn.key])]
    permission_of = {route: permission.id for permission in permissions for route in permission.routes}
    routes = [
        ir.Route(
            id=f"route.{route.key}",
            origin=route.spec_path,
            api=api_ref,
            route_key=route.key,
            method=route.method,
            path=route.path,
            integration=ir.Ref(integration_of[route.key].id if route.url is None else _url_integration_id(route), "id"),
            after=permission_of.get(f"route.{route.key}"),
            authorization=authorization(auth_of[route.key].authorizer, auth_of[route.key].scopes),
        )
        for route in served
    ]
    nodes += routes
    deployment: ir.Deployment | None = None
    if not api.auto_deploy:
        deployment = ir.Deployment(
            id=DEPLOYMENT_ID,
            origin=("api",),
            api=api_ref,
            description=api.deployment_description,
            triggers=(*(i.id for i in integrations), *(r.id for r in routes), *(a.id for a in authorizers)),
            settings=(ir.Ref(API_ID, "cors"),) if cors else (),
            captured=_deployed(served, routed, integrations, cors) + _deployed_authorization(routes, authorizers),
        )
        nodes.append(deployment)
    access_log = None
    if api.access_log_fields is not None and api.access_log_destination is not None:
        access_log = ir.AccessLog(destination=api.access_log_destination, format=access_log_format(api.access_log_fields))
    elif api.access_log_fields is not None:
        group = ir.LogGroup(
            id=ACCESS_LOG_ID,
            origin=("logging", "access_logs"),
            owner=None,
            name=api.access_log_group_name,
            retention_days=api.access_log_retention_days,
            tags=tags,
            kms_key_arn=api.access_log_kms_key_arn,
        )
        nodes.append(group)
        access_log = ir.AccessLog(destination=ir.Ref(group.id, "arn"), format=access_log_format(api.access_log_fields))
    throttling = api.throttling
    settings = tuple(ir.RouteSetting(r.key, _throttling(r.throttling)) for r in served if r.throttling is not None)
    nodes.append(
        ir.Stage(
            id=STAGE_ID,
            origin=("api",),
            api=api_ref,
            name=api.stage,
            auto_deploy=api.auto_deploy,
            deployment=ir.Ref(deployment.id, "id") if deployment else None,
            access_log=access_log,
            throttling=_throttling(throttling) if throttling else None,
            tags=tags,
            detailed_metrics=api.detailed_metrics,
            route_settings=settings,
            depends_on=tuple(f"route.{s.route_key}" for s in settings),
        )
    )
    if api.domain is not None:
        nodes += _domain_nodes(api.domain, tags, scope)
    nodes += permissions
    nodes += authorizer_permissions
    return nodes


def _throttling(throttling: models.Throttling) -> ir.Throttling:
    return ir.Throttling(throttling.burst_limit, throttling.rate_limit)


def _integrations(routed: list[Function], by_function: dict[str, list[Route]], api_ref: ir.Ref) -> dict[str, ir.Integration]:
    """Each function route's integration, by route key: one per function and settings (timeout, payload
    format). The default settings' keeps v1's id; others' ids (and names) follow their values, so adding
    a route renames none."""
    integration_of: dict[str, ir.Integration] = {}
    for fn in routed:
        for route in by_function[fn.key]:
            timeout = None if route.timeout_ms == DEFAULT_TIMEOUT_MS else route.timeout_ms
            integration = ir.Integration(
                id=f"integration.{fn.key}",
                origin=fn.spec_path,
                api=api_ref,
                function=triggers.invoked(fn, "arn"),
                payload_format_version=route.payload_format,
                timeout_ms=timeout,
            )
            if integration.variant:
                integration = integration._replace(id=f"integration.{fn.key}.{'.'.join(integration.variant)}")
            integration_of[route.key] = integration
    return integration_of


def _url_integration_id(route: Route) -> str:
    return f"url-integration.{route.key}"


def _url_integration(route: Route, api_ref: ir.Ref, scope: Scope) -> ir.UrlIntegration:
    assert route.url is not None
    return ir.UrlIntegration(
        id=_url_integration_id(route),
        origin=route.spec_path,
        api=api_ref,
        route_key=route.key,
        url=text_value(route.url, scope),
        method=route.method,
        timeout_ms=None if route.timeout_ms == DEFAULT_TIMEOUT_MS else route.timeout_ms,
    )


def _domain_nodes(domain: models.Domain, tags: ir.Tags, scope: Scope) -> list[ir.Node]:
    """The custom domain, its mapping to the stage and its alias records (`AAAA` too for dual-stack)."""
    origin = ("api", "domain")
    nodes: list[ir.Node] = [
        ir.Domain(
            id=DOMAIN_ID,
            origin=origin,
            name=domain.name,
            certificate_arn=text_value(domain.certificate_arn, scope),
            ip_address_type=domain.ip_address_type,
            truststore_uri=text_value(domain.mtls_truststore_uri, scope) if domain.mtls_truststore_uri is not None else None,
            tags=tags,
        ),
        ir.ApiMapping(
            id=API_MAPPING_ID,
            origin=origin,
            api=ir.Ref(API_ID, "id"),
            domain=ir.Ref(DOMAIN_ID, "name"),
            stage=ir.Ref(STAGE_ID, "id"),
            key=domain.base_path,
        ),
    ]
    if domain.hosted_zone_id is not None:
        kinds: tuple[Literal["A", "AAAA"], ...] = ("A", "AAAA") if domain.ip_address_type == "dualstack" else ("A",)
        nodes += [
            ir.DnsRecord(
                id=f"dns-record.{kind}",
                origin=(*origin, "hosted_zone_id"),
                zone_id=text_value(domain.hosted_zone_id, scope),
                name=domain.name,
                type=kind,
                target=ir.Ref(DOMAIN_ID, "target_domain_name"),
                target_zone=ir.Ref(DOMAIN_ID, "target_hosted_zone_id"),
            )
            for kind in kinds
        ]
    return nodes


# -- authorizers --------------------------------------------------------------------------------

_AUTHORIZATION_TYPES = {"jwt": "JWT", "lambda": "CUSTOM", "iam": "AWS_IAM"}


def _authorizer_nodes(api: Api, functions: dict[str, Function], scope: Scope) -> tuple[list[ir.Authorizer], list[ir.AuthorizerPermission]]:
    """The JWT and Lambda authorizers (an IAM one is no resource), and each Lambda authorizer's invoke
    permission, scoped to that authorizer: `<execution ARN>/authorizers/<authorizer id>`."""
    authorizers: list[ir.Authorizer] = []
    permissions: list[ir.AuthorizerPermission] = []
    for authorizer in api.authorizers:
        if authorizer.type == "iam" or (authorizer.type == "lambda" and authorizer.function not in functions):
            continue  # (an unknown function is E422's)
        node = ir.Authorizer(
            id=f"authorizer.{authorizer.name}",
            origin=authorizer.spec_path,
            api=ir.Ref(API_ID, "id"),
            name=authorizer.name,
            type="JWT" if authorizer.type == "jwt" else "REQUEST",
            identity_sources=authorizer.identity_sources,
            issuer=text_value(authorizer.issuer, scope),
            audience=tuple(text_value(a, scope) for a in authorizer.audience),
            function=triggers.invoked(functions[authorizer.function], "invoke_arn") if authorizer.type == "lambda" else None,
            ttl=authorizer.ttl,
            simple_responses=authorizer.simple_responses,
            payload_format_version=authorizer.payload_format,
        )
        authorizers.append(node)
        if node.function is not None:
            permissions.append(
                ir.AuthorizerPermission(
                    id=f"authorizer-permission.{authorizer.name}",
                    origin=authorizer.spec_path,
                    name=authorizer.name,
                    function=triggers.invoked(functions[authorizer.function], "name"),
                    authorizer=ir.Ref(node.id, "id"),
                    source_arn=ir.Sub((ir.Ref(API_ID, "execution_arn"), "/authorizers/", ir.Ref(node.id, "id"))),
                )
            )
    return authorizers, permissions


def _authorizations(api: Api, made: set[str], scope: Scope) -> Callable[[str | None, tuple[str, ...]], ir.Authorization | None]:
    """How a route named by its authorizer's name is protected (None: open, also for a name no rule lets through)."""

    def authorization(name: str | None, scopes: tuple[str, ...]) -> ir.Authorization | None:
        authorizer = api.authorizer(name)
        if authorizer is None:
            return None
        if authorizer.type == "iam":
            return ir.Authorization("AWS_IAM", None, ())
        node_id = f"authorizer.{authorizer.name}"
        if node_id not in made:
            return None
        return ir.Authorization("JWT" if authorizer.type == "jwt" else "CUSTOM", ir.Ref(node_id, "id"), tuple(text_value(s, scope) for s in scopes) if authorizer.type == "jwt" else ())

    return authorization


def _captured(value: ir.Value) -> str:
    """A value as a deployment's digest reads it: the text, or the references it is made of."""
    return value if isinstance(value, str) else repr(value)


def _deployed_authorization(routes: list[ir.Route], authorizers: list[ir.Authorizer]) -> tuple[tuple[str, ...], ...]:
    """What a deployment holds of authorization (nothing for an API without): each authorizer's settings, each protected route's."""
    captured = [
        ("authorizer", a.name, a.type, *a.identity_sources, _captured(a.issuer), *map(_captured, a.audience), a.function.node if a.function else "", f"{a.ttl}", f"{a.simple_responses}", a.payload_format_version)
        for a in authorizers
    ]
    for route in routes:
        if route.authorization is not None:
            by = route.authorization.authorizer
            captured.append(("authorization", route.route_key, route.authorization.type, by.node if by else "", *map(_captured, route.authorization.scopes)))
    return tuple(captured)


def _deployed(
    routes: tuple[Route, ...], routed: list[Function], integrations: list[ir.Integration | ir.UrlIntegration], cors: ir.Cors | None
) -> tuple[tuple[str, ...], ...]:
    """What a deployment holds that the template can change: each route and the function (or URL) it
    calls, each integration's target (its ARN follows the function's name) and settings, and the API's
    CORS settings."""
    names = {fn.key: fn.name for fn in routed}
    captured: list[tuple[str, ...]] = [("route", r.key, r.url if r.url is not None else names[r.function]) for r in routes]
    captured += [("integration", fn.name, PAYLOAD_FORMAT_VERSION) for fn in routed]
    for integration in integrations:  # beside v1's: the integrations with settings of their own
        if isinstance(integration, ir.UrlIntegration):
            captured.append(("url-integration", integration.route_key, _captured(integration.url), str(integration.timeout_ms)))
        elif integration.variant:
            captured.append(("integration", names[integration.function.node.split(".", 1)[1]], *integration.variant))
    if cors is not None:
        captured.append(("cors", *(f"{name}={value!r}" for name, value in cors.settings())))
    return tuple(captured)


def _permissions(fn: Function, routes: list[Route]) -> list[ir.Permission]:
    function = triggers.invoked(fn, "name")
    if not scoped_per_route(fn.name, routes):
        return [
            ir.Permission(
                id=f"permission.{fn.key}",
                origin=fn.spec_path,
                function=function,
                source_arn=ir.Sub((ir.Ref(API_ID, "execution_arn"), "/*")),
                routes=tuple(f"route.{r.key}" for r in routes),
                scope="api",
            )
        ]
    return [
        ir.Permission(
            id=f"permission.{route.key}",
            origin=route.spec_path,
            function=function,
            source_arn=ir.Sub((ir.Ref(API_ID, "execution_arn"), source_arn_suffix(route))),
            routes=(f"route.{route.key}",),
            scope="route",
        )
        for route in routes
    ]


def source_arn_suffix(route: Route) -> str:
    """What follows the API's execution ARN in the invoke permission of one route."""
    if route.is_default:
        return "/*/$default"
    method = "*" if route.method == "ANY" else route.method
    path = "/".join(part.text if part.parameter is None else "*" for part in map(segment, route.segments))
    return f"/*/{method}/{path}"


def _api_outputs(spec: Resolved) -> list[ir.Output]:
    api = spec.api
    assert api is not None
    suffix = f"/{api.stage}" if api.named_stage else "/"
    outputs = [
        ir.Output("api_url", None, "Invoke URL of the HTTP API stage", ir.Sub((ir.Ref(API_ID, "endpoint"), suffix))),
        ir.Output("api_id", None, "ID of the HTTP API", ir.Ref(API_ID, "id")),
    ]
    if api.domain is not None:
        # Literal text: SAM names the domain resource it makes from `HttpApi.Domain` itself.
        path = f"/{api.domain.base_path}" if api.domain.base_path else "/"
        outputs.append(ir.Output("custom_url", None, "URL of the API on its custom domain", f"https://{api.domain.name}{path}"))
    return outputs
