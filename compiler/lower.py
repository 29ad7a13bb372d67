"""Lower a resolved spec into the resource graph (`ir.Graph`) that every backend renders.

Nodes are created in dependency order (what a node refers to is always created before it), so
the graph's order is a topological order with a fixed tie-break: the spec's own order.
"""

from __future__ import annotations

from compiler import ir, naming
from compiler.resolve import (
    LOG_ACTIONS,
    LOG_STATEMENT_SID,
    PARAM_REF,
    Function,
    Resolved,
    Route,
    Statement,
    access_log_format,
    cors_methods,
    routes_by_function,
    scoped_per_route,
)
from compiler.routekeys import segment
from schemas import models

# Node ids: `<kind>.<function key or route key>` for nodes made per function or route, and a
# plain word (no `.`, so no key can make it) for the API's own nodes.
API_ID = "api"
STAGE_ID = "stage"
DEPLOYMENT_ID = "deployment"
ACCESS_LOG_ID = "access-log"
PAYLOAD_FORMAT_VERSION = "2.0"


def text_value(text: str) -> ir.Value:
    """A spec string, with `${param:name}` turned into parameter references."""
    parts: list[str | ir.Ref | ir.Param | ir.Pseudo] = []
    position = 0
    for match in PARAM_REF.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(ir.Param(match.group(1)))
        position = match.end()
    if not parts:
        return text
    if position < len(text):
        parts.append(text[position:])
    if len(parts) == 1 and isinstance(parts[0], ir.Param):
        return parts[0]
    return ir.Sub(tuple(parts))


def lower(spec: Resolved) -> ir.Graph:
    """The resource graph of a checked spec."""
    nodes: list[ir.Node] = []
    outputs: list[ir.Output] = []
    for fn in spec.functions:
        nodes.extend(_function_nodes(fn))
        outputs.extend(_function_outputs(fn))
    if spec.api is not None:
        nodes.extend(_api_nodes(spec))
        outputs[:0] = _api_outputs(spec)
    parameters = tuple(
        ir.Parameter(name, naming.parameter_logical_id(name), p.description, p.default, p.sensitive) for name, p in spec.parameters
    )
    return ir.Graph(
        prefix=spec.prefix,
        description=spec.description,
        region=spec.region,
        parameters=parameters,
        nodes=tuple(nodes),
        outputs=tuple(outputs),
        by_id=_by_id(nodes),
    )


def _by_id(nodes: list[ir.Node]) -> dict[str, ir.Node]:
    by_id = {node.id: node for node in nodes}
    assert len(by_id) == len(nodes), "two graph nodes share an id"
    return by_id


def _function_nodes(fn: Function) -> list[ir.Node]:
    log_group = ir.LogGroup(
        id=f"log.{fn.key}",
        names=naming.function_names(fn.identity, "LogGroup", fn.id_digest),
        name=fn.log_group_name,
        retention_days=fn.retention_days,
        tags=fn.tags,
    )
    nodes: list[ir.Node] = [log_group]
    depends_on = [log_group.id]
    role: ir.Value
    if fn.role is None:
        role_node = ir.Role(id=f"role.{fn.key}", names=naming.function_names(fn.identity, "Role", fn.id_digest), name=fn.role_name, tags=fn.tags)
        policy = ir.RolePolicy(
            id=f"policy.{fn.key}",
            names=naming.function_names(fn.identity, "RolePolicy", fn.id_digest),
            role=ir.Ref(role_node.id, "name"),
            name=fn.policy_name,
            statements=(_log_statement(log_group), *(_statement(s) for s in fn.permissions)),
        )
        nodes += [role_node, policy]
        depends_on.append(policy.id)
        role = ir.Ref(role_node.id, "arn")
    else:
        role = text_value(fn.role)
    nodes.append(
        ir.Function(
            id=f"function.{fn.key}",
            names=naming.function_names(fn.identity, "Function", fn.id_digest),
            key=fn.key,
            name=fn.name,
            description=fn.description,
            source=fn.source.replace("\\", "/").rstrip("/"),
            handler=fn.handler,
            runtime=fn.runtime,
            architecture=fn.architecture,
            memory=fn.memory,
            timeout=fn.timeout,
            environment=tuple((name, text_value(value)) for name, value in fn.environment),
            role=role,
            log_format=fn.log_format,
            application_level=fn.application_level,
            system_level=fn.system_level,
            log_group=ir.Ref(log_group.id, "name"),
            tags=fn.tags,
            depends_on=tuple(depends_on),
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


def _statement(statement: Statement) -> ir.Statement:
    return ir.Statement(
        sid=statement.sid,
        effect=statement.effect,
        actions=statement.actions,
        resources=tuple(text_value(r) for r in statement.resources),
        conditions=tuple(ir.Condition(c.operator, c.key, tuple(text_value(v) for v in c.values)) for c in statement.conditions),
    )


def _function_outputs(fn: Function) -> list[ir.Output]:
    names = naming.function_names(fn.key, "", fn.key_digest)  # outputs keep the key's names: they are read by it
    return [
        ir.Output(f"{names.tf}_function_name", f"{names.logical_id}FunctionName", f"Name of the `{fn.key}` function", ir.Ref(f"function.{fn.key}", "name")),
        ir.Output(f"{names.tf}_function_arn", f"{names.logical_id}FunctionArn", f"ARN of the `{fn.key}` function", ir.Ref(f"function.{fn.key}", "arn")),
        ir.Output(f"{names.tf}_log_group", f"{names.logical_id}LogGroupName", f"Log group of the `{fn.key}` function", ir.Ref(f"log.{fn.key}", "name")),
    ]


def _api_nodes(spec: Resolved) -> list[ir.Node]:
    api = spec.api
    assert api is not None
    api_ref = ir.Ref(API_ID, "id")
    cors = _cors(api.cors) if api.cors else None
    nodes: list[ir.Node] = [
        ir.Api(
            id=API_ID,
            names=naming.API,
            name=api.name,
            description=api.description,
            cors=cors,
            tags=api.tags,
        )
    ]
    by_function = routes_by_function(spec.routes)
    routed = [fn for fn in spec.functions if fn.key in by_function]
    integrations = {
        fn.key: ir.Integration(
            id=f"integration.{fn.key}",
            names=naming.function_names(fn.identity, "Integration", fn.id_digest),
            api=api_ref,
            function=ir.Ref(f"function.{fn.key}", "arn"),
            payload_format_version=PAYLOAD_FORMAT_VERSION,
        )
        for fn in routed
    }
    nodes += integrations.values()
    permissions = [permission for fn in routed for permission in _permissions(fn, by_function[fn.key])]
    permission_of = {route: permission.id for permission in permissions for route in permission.routes}
    routes = [
        ir.Route(
            id=f"route.{route.key}",
            names=naming.route_names(route, "Route"),
            api=api_ref,
            route_key=route.key,
            method=route.method,
            path=route.path,
            integration=ir.Ref(f"integration.{route.function}", "id"),
            after=permission_of[f"route.{route.key}"],
        )
        for route in spec.routes
    ]
    nodes += routes
    deployment: ir.Deployment | None = None
    if not api.auto_deploy:
        deployment = ir.Deployment(
            id=DEPLOYMENT_ID,
            names=naming.deployment(_deployed(spec, routed, cors)),
            api=api_ref,
            description=api.deployment_description,
            triggers=(*(i.id for i in integrations.values()), *(r.id for r in routes)),
            settings=(ir.Ref(API_ID, "cors"),) if cors else (),
        )
        nodes.append(deployment)
    access_log = None
    if api.access_log_fields is not None:
        group = ir.LogGroup(
            id=ACCESS_LOG_ID,
            names=naming.ACCESS_LOG_GROUP,
            name=api.access_log_group_name,
            retention_days=api.access_log_retention_days,
            tags=api.tags,
        )
        nodes.append(group)
        access_log = ir.AccessLog(destination=ir.Ref(group.id, "arn"), format=access_log_format(api.access_log_fields))
    throttling = api.throttling
    nodes.append(
        ir.Stage(
            id=STAGE_ID,
            names=naming.STAGE,
            api=api_ref,
            name=api.stage,
            auto_deploy=api.auto_deploy,
            deployment=ir.Ref(deployment.id, "id") if deployment else None,
            access_log=access_log,
            throttling=ir.Throttling(throttling.burst_limit, throttling.rate_limit) if throttling else None,
            tags=api.tags,
        )
    )
    nodes += permissions
    return nodes


def _cors(cors: models.Cors) -> ir.Cors:
    """The CORS settings as API Gateway takes them: the route method `ANY` is every method, `*`."""
    return ir.Cors(
        tuple(cors.allow_origins), cors_methods(cors), tuple(cors.allow_headers), tuple(cors.expose_headers), cors.allow_credentials, cors.max_age
    )


def _deployed(spec: Resolved, routed: list[Function], cors: ir.Cors | None) -> list[tuple[str, ...]]:
    """What a deployment holds that the template can change: each route and the function it calls,
    each integration's target (its ARN follows the function's name) and the API's CORS settings."""
    names = {fn.key: fn.name for fn in routed}
    captured: list[tuple[str, ...]] = [("route", r.key, names[r.function]) for r in spec.routes]
    captured += [("integration", fn.name, PAYLOAD_FORMAT_VERSION) for fn in routed]
    if cors is not None:
        captured.append(("cors", *(f"{name}={value!r}" for name, value in cors.settings())))
    return captured


def _permissions(fn: Function, routes: list[Route]) -> list[ir.Permission]:
    function = ir.Ref(f"function.{fn.key}", "name")
    if not scoped_per_route(fn.name, routes):
        return [
            ir.Permission(
                id=f"permission.{fn.key}",
                names=naming.all_routes_permission(fn.identity, fn.id_digest),
                function=function,
                statement_id=naming.ALL_ROUTES_STATEMENT_ID,
                source_arn=ir.Sub((ir.Ref(API_ID, "execution_arn"), "/*")),
                routes=tuple(f"route.{r.key}" for r in routes),
                scope="api",
            )
        ]
    return [
        ir.Permission(
            id=f"permission.{route.key}",
            names=naming.route_names(route, "Permission"),
            function=function,
            statement_id=naming.statement_id(route),
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
    return [
        ir.Output("api_url", "ApiUrl", "Invoke URL of the HTTP API stage", ir.Sub((ir.Ref(API_ID, "endpoint"), suffix))),
        ir.Output("api_id", "ApiId", "ID of the HTTP API", ir.Ref(API_ID, "id")),
    ]
