"""AWS SAM: `AWS::Serverless::Function` with `HttpApi` events and one `AWS::Serverless::HttpApi`.

SAM makes the routes, integrations and invoke permissions from the events, so `sam build`,
`sam local start-api` and `sam deploy` work on the template as it is. Log groups, execution
roles and their policies are the same explicit resources as in the CloudFormation target.

SAM writes one invoke permission per event. A function with more routes than a resource policy
holds (the graph gives it one API-wide permission) therefore has its routes in the HttpApi's
OpenAPI `DefinitionBody` instead, which SAM does not give permissions, and the graph's own
permission. So has a function that serves `$default`: for its `$default` event SAM would grant the
whole API (`<api>/*/*`), and a `$default` in the body makes SAM drop the permissions of that
function's events; with all its routes in the body, each gets the graph's permission, scoped to
its route (`<api>/*/$default` for the default route). Body operations take the form SAM gives its
own (path `$default`, `responses`, path `parameters`), which `sam local start-api` reads too; beside
a literal `/$default` path, the default route is in that path, where SAM would move it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from compiler import awsdata, ir
from compiler.backends import Rendered, samconfig
from compiler.backends.cfn import TRACING_MODES, CfnRenderer, code_path, resource
from compiler.routekeys import segment
from compiler.serialize import Tagged

TRANSFORM = "AWS::Serverless-2016-10-31"

# Runtime families whose code `sam build` compiles from a manifest (Java: `pom.xml`/`build.gradle`,
# .NET: a `.csproj`) or a `Makefile` with a `build-<LogicalId>` target (OS-only `provided*`, as the
# SAM guide "Building Lambda functions with custom runtimes" says), and fails without one. The
# format's `source` is the package as it is (Terraform's `archive_file`, `aws cloudformation
# package`), so these functions tell `sam build` to take it as built: `Metadata: SkipBuild`, which
# SAM CLI reads (`samcli/lib/providers/provider.py`, `FunctionBuildInfo.SkipBuild`).
_PREBUILT_FAMILIES = frozenset({"java", "dotnet", "provided", "go"})
PREBUILT = {"SkipBuild": True}


class _Template:
    """One SAM template being rendered: which routes go into the OpenAPI body, and each function's events."""

    def __init__(self, graph: ir.Graph, root: str) -> None:
        self.graph = graph
        self.root = root
        self.cfn = CfnRenderer(graph)
        routes = graph.of_type(ir.Route)
        wide = {ir.function_id(graph, p.function) for p in graph.of_type(ir.Permission) if p.scope == "api"}  # function ids
        wide |= {f for r in routes if not r.path and (f := _function_of(graph, r))}  # and those serving `$default`
        # `url` routes are body operations too: SAM has no event for them.
        self.in_body = {r.id for r in routes if _function_of(graph, r) in wide or _function_of(graph, r) is None}
        self.events = _events(self.cfn, graph, self.in_body)
        self.triggers: dict[str, list[ir.ScheduleRule | ir.EventSourceMapping]] = {}  # by function id, read once
        for node in graph.nodes:
            if isinstance(node, ir.ScheduleRule | ir.EventSourceMapping):
                self.triggers.setdefault(node.function_id, []).append(node)
        self.domain = _sam_domain(graph)


# What each node type becomes: `(logical id, resource)`, or None where SAM makes it from another
# node (an explicit entry: a type a backend leaves out must say so here).
Entry = Callable[[_Template, Any], "tuple[str, dict[str, Any]] | None"]


def _own(render_node: Callable[[_Template, Any], dict[str, Any]]) -> Entry:
    """An entry for a node that is a resource of its own, under its own logical id."""
    return lambda template, node: (template.cfn.id_of(node), render_node(template, node))


def _folded(template: _Template, node: ir.Node) -> None:
    return None


def render(graph: ir.Graph, root: str) -> list[Rendered]:
    template = _Template(graph, root)
    resources: dict[str, Any] = {}
    for node in graph.nodes:
        entry = RESOURCES.get(type(node))
        if entry is None:
            raise TypeError(f"no SAM rendering for {type(node).__name__}")
        rendered = entry(template, node)
        if rendered is not None:
            resources[rendered[0]] = rendered[1]
    return [template.cfn.template(resources, transform=TRANSFORM), samconfig.render(graph, template.cfn.parameters)]


def _http_api_of_stage(template: _Template, stage: ir.Stage) -> tuple[str, dict[str, Any]]:
    """The `AWS::Serverless::HttpApi`: the API and its stage in one resource, under the API's id."""
    api = template.graph.node(stage.api.node)
    assert isinstance(api, ir.Api)
    definition = _definition(template.cfn, template.graph, api, template.in_body)
    return template.cfn.id_of(api), _http_api(template.cfn, api, stage, definition, template.domain, _auth(template.cfn, template.graph, api))


def _permission(template: _Template, node: ir.Permission) -> tuple[str, dict[str, Any]] | None:
    """The graph's own invoke permission, where SAM writes none (or none that works) for its routes."""
    if not _needs_own_permission(template.graph, node, template.in_body):
        return None
    return template.cfn.id_of(node), template.cfn.permission(node)


def _events(cfn: CfnRenderer, graph: ir.Graph, in_body: set[str]) -> dict[str, dict[str, Any]]:
    """The `HttpApi` events of each function (the routes not in the OpenAPI body), by function node id."""
    events: dict[str, dict[str, Any]] = {}
    for route in graph.of_type(ir.Route):
        if route.id in in_body:
            continue
        integration = _integration(graph, route)
        assert isinstance(integration, ir.Integration)  # (a `url` route is a body operation)
        properties: dict[str, Any] = {"ApiId": cfn.value(route.api), "Method": route.method, "Path": route.path}
        properties["PayloadFormatVersion"] = integration.payload_format_version
        if integration.timeout_ms is not None:
            properties["TimeoutInMillis"] = integration.timeout_ms
        auth = _route_auth(cfn, route)
        if auth is not None:
            properties["Auth"] = auth
        event_id = cfn.id_of(route).removesuffix("Route")
        events.setdefault(ir.function_id(graph, integration.function), {})[event_id] = {"Type": "HttpApi", "Properties": properties}
    return events


def _integration(graph: ir.Graph, route: ir.Route) -> ir.Integration | ir.UrlIntegration:
    integration = graph.node(route.integration.node)
    assert isinstance(integration, ir.Integration | ir.UrlIntegration)
    return integration


def _function_of(graph: ir.Graph, route: ir.Route) -> str | None:
    """The id of the function a route calls; None for a `url` route."""
    integration = _integration(graph, route)
    return ir.function_id(graph, integration.function) if isinstance(integration, ir.Integration) else None


def _needs_own_permission(graph: ir.Graph, node: ir.Permission, in_body: set[str]) -> bool:
    """Whether SAM writes no (or no working) permission for the routes of `node`."""
    routes = [graph.node(r) for r in node.routes]
    return any(r.id in in_body or (isinstance(r, ir.Route) and _sam_misses_greedy(r)) for r in routes)


def _sam_misses_greedy(route: ir.Route) -> bool:
    """SAM writes a route's invoke permission itself, turning `{name}` and `{proxy+}` into `*`; any other
    greedy parameter (`{path+}`) it leaves as text, which never matches. Those routes get the graph's
    own permission as well."""
    return any(part.greedy and part.parameter != "proxy" for part in map(segment, route.path.split("/")))


def _function(template: _Template, node: ir.Function) -> dict[str, Any]:
    cfn = template.cfn
    # A `build` command's output directory (which `apispec package` fills) is the code as built; Python and
    # Node.js manifests stay with `sam build`.
    build = node.config.build
    source = posixpath.join(node.source, build.output) if build is not None else node.source
    properties = cfn.function_properties(node, ("CodeUri", code_path(template.root, source)), cfn.tag_map(node.tags))
    config = node.config
    if config.tracing:
        properties["Tracing"] = TRACING_MODES[config.tracing]
    if config.alias:
        properties["AutoPublishAlias"] = config.alias  # SAM makes the version and the alias (the same ids)
        if config.provisioned_concurrency is not None:
            properties["ProvisionedConcurrencyConfig"] = {"ProvisionedConcurrentExecutions": config.provisioned_concurrency}
    events = {**template.events.get(node.id, {}), **_trigger_events(template, node)}
    properties["Events"] = events or None
    runtime = awsdata.RUNTIMES.get(node.config.runtime)
    prebuilt = build is not None or (runtime is not None and runtime.language in _PREBUILT_FAMILIES)
    return resource("AWS::Serverless::Function", properties, depends_on=cfn.depends_on(node), metadata=PREBUILT if prebuilt else None)


def _trigger_events(template: _Template, function: ir.Function) -> dict[str, Any]:
    """The function's `Schedule`, `SQS`, `DynamoDB` and `Kinesis` events, under the trigger's name: SAM names
    what it makes `<function id><event>` (`…Permission` for a schedule's), as the other targets do."""
    cfn = template.cfn
    events: dict[str, Any] = {}
    for trigger in template.triggers.get(function.id, ()):
        if isinstance(trigger, ir.ScheduleRule):
            schedule = {"Schedule": trigger.expression, "Name": trigger.name, "State": "ENABLED" if trigger.enabled else "DISABLED", "Input": trigger.input}
            events[trigger.event] = {"Type": "Schedule", "Properties": {k: v for k, v in schedule.items() if v is not None}}
            continue
        kind, source = _PULL_EVENTS[trigger.kind]
        properties = {
            source: cfn.value(trigger.source_arn),
            "StartingPosition": trigger.starting_position,
            "BatchSize": trigger.batch_size,
            "MaximumBatchingWindowInSeconds": trigger.max_batching_window,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if trigger.report_batch_item_failures else None,
        }
        events[trigger.event] = {"Type": kind, "Properties": {k: v for k, v in properties.items() if v is not None}}
    return events


_PULL_EVENTS = {"sqs": ("SQS", "Queue"), "dynamodb": ("DynamoDB", "Stream"), "kinesis": ("Kinesis", "Stream")}


def _definition(cfn: CfnRenderer, graph: ir.Graph, api: ir.Api, in_body: set[str]) -> dict[str, Any] | None:
    """The OpenAPI body holding the routes of functions with an API-wide permission or a `$default` route, or None."""
    paths: dict[str, dict[str, Any]] = {}
    # With `FailOnWarnings` SAM moves a body path `$default` to `/$default`, replacing what a literal
    # `/$default` path holds; with such a path the default route goes there at once, beside it.
    default_path = "/$default" if any(route.path == "/$default" for route in graph.of_type(ir.Route)) else "$default"
    for route in graph.of_type(ir.Route):
        if route.id not in in_body:
            continue
        integration = _integration(graph, route)
        operation: dict[str, Any] = {"x-amazon-apigateway-integration": _body_integration(cfn, integration)}
        if not route.path:
            operation["isDefaultRoute"] = True
        auth = _route_auth(cfn, route)
        if auth is not None:  # what SAM writes for an event's `Auth`
            operation["security"] = [{auth["Authorizer"]: auth.get("AuthorizationScopes", [])}]
        operation["responses"] = {}
        parameters = [part.text[1:-1] for part in map(segment, route.path.split("/")) if part.parameter is not None]
        if parameters:
            operation["parameters"] = [{"required": True, "name": name, "in": "path"} for name in parameters]
        method = "x-amazon-apigateway-any-method" if route.method == "ANY" else route.method.lower()
        paths.setdefault(route.path or default_path, {})[method] = operation
    if not paths:
        return None
    return {"openapi": "3.0.1", "info": {"title": api.name, "version": "1.0"}, "paths": paths}


def _body_integration(cfn: CfnRenderer, integration: ir.Integration | ir.UrlIntegration) -> dict[str, Any]:
    """A body operation's `x-amazon-apigateway-integration`: the function's proxy, or the URL's."""
    if isinstance(integration, ir.UrlIntegration):
        body = {"type": "http_proxy", "httpMethod": integration.method, "uri": cfn.value(integration.url), "payloadFormatVersion": "1.0"}
    else:
        body = {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": cfn.value(ir.Ref(integration.function.node, "invoke_arn")),
            "payloadFormatVersion": integration.payload_format_version,
        }
    if integration.timeout_ms is not None:
        body["timeoutInMillis"] = integration.timeout_ms
    return body


def _sam_domain(graph: ir.Graph) -> ir.Domain | None:
    """The custom domain when SAM's `HttpApi.Domain` can express it (Clarification 3: not dual-stack,
    whose `IpAddressType` SAM's translator drops); None when there is none or it is explicit."""
    domains = graph.of_type(ir.Domain)
    return domains[0] if domains and domains[0].ip_address_type != "dualstack" else None


def _domain_property(cfn: CfnRenderer, domain: ir.Domain) -> dict[str, Any]:
    """`HttpApi.Domain`: SAM makes the domain name, its mapping and the alias record from it."""
    (mapping,) = cfn.graph.of_type(ir.ApiMapping)
    zones = [cfn.value(record.zone_id) for record in cfn.graph.of_type(ir.DnsRecord)][:1]
    properties: dict[str, Any] = {
        "DomainName": domain.name,
        "CertificateArn": cfn.value(domain.certificate_arn),
        "EndpointConfiguration": "REGIONAL",
        "SecurityPolicy": "TLS_1_2",
        "BasePath": [mapping.key] if mapping.key else None,
        "Route53": {"HostedZoneId": zones.pop()} if zones else None,
        "MutualTlsAuthentication": {"TruststoreUri": cfn.value(domain.truststore_uri)} if domain.truststore_uri else None,
    }
    return {k: v for k, v in properties.items() if v is not None}


def _explicit_domain_node(render_node: Callable[[_Template, Any], dict[str, Any]]) -> Entry:
    """A domain node: folded into `HttpApi.Domain` where SAM can express it, else its own resource."""

    def entry(template: _Template, node: ir.Node) -> tuple[str, dict[str, Any]] | None:
        return None if template.domain is not None else (template.cfn.id_of(node), render_node(template, node))

    return entry


def _http_api(
    cfn: CfnRenderer, api: ir.Api, stage: ir.Stage, definition: dict[str, Any] | None, domain: ir.Domain | None, auth: dict[str, Any] | None
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Name": api.name if definition is None else None,  # with a body, SAM takes the name from its title
        "Description": api.description,  # SAM wants plain text here
        "DefinitionBody": definition,
        "StageName": stage.name if stage.named else None,  # SAM makes the `$default` stage itself
        "CorsConfiguration": cfn.cors(api.cors) if api.cors else None,
        "AccessLogSettings": cfn.access_log_settings(stage),
        "DefaultRouteSettings": cfn.throttling(stage),
        "RouteSettings": cfn.route_settings(stage),
        "Domain": _domain_property(cfn, domain) if domain is not None else None,
        "DisableExecuteApiEndpoint": True if api.disable_default_endpoint else None,
        "Auth": auth,
        "Tags": cfn.tag_map(api.tags),
        "FailOnWarnings": True,
    }
    return resource("AWS::Serverless::HttpApi", properties)


# -- authorizers: `HttpApi.Auth`, each route's `Auth` ------------------------------------------

_IAM = "AWS_IAM"  # SAM's name of the IAM authorizer (`EnableIamAuthorizer`)
_OPEN = "NONE"  # an event's opt-out of `DefaultAuthorizer`
_IDENTITY = (("$request.header.", "Headers"), ("$request.querystring.", "QueryStrings"), ("$stageVariables.", "StageVariables"), ("$context.", "Context"))


def _authorizer_name(graph: ir.Graph, authorization: ir.Authorization) -> str:
    if authorization.authorizer is None:
        return _IAM
    node = graph.node(authorization.authorizer.node)
    assert isinstance(node, ir.Authorizer)
    return node.name


def _auth(cfn: CfnRenderer, graph: ir.Graph, api: ir.Api) -> dict[str, Any] | None:
    """`HttpApi.Auth`: the authorizers, the IAM one when a route uses it, and the default."""
    authorizers = {node.name: _authorizer(cfn, node) for node in graph.of_type(ir.Authorizer)}
    used = [r.authorization for r in graph.of_type(ir.Route)] + [api.default_authorization]
    iam = any(a is not None and a.type == _IAM for a in used)
    if not authorizers and not iam:
        return None
    auth: dict[str, Any] = {"Authorizers": authorizers or None, "EnableIamAuthorizer": True if iam else None}
    if api.default_authorization is not None:
        auth["DefaultAuthorizer"] = _authorizer_name(graph, api.default_authorization)
    return {k: v for k, v in auth.items() if v is not None}


def _authorizer(cfn: CfnRenderer, node: ir.Authorizer) -> dict[str, Any]:
    if node.type == "JWT":
        return {"JwtConfiguration": {"issuer": cfn.value(node.issuer), "audience": [cfn.value(a) for a in node.audience]}, "IdentitySource": node.identity_sources[0]}
    assert node.function is not None
    identity: dict[str, Any] = {}
    for prefix, key in _IDENTITY:
        names = [source.removeprefix(prefix) for source in node.identity_sources if source.startswith(prefix)]
        if names:
            identity[key] = names
    identity["ReauthorizeEvery"] = node.ttl
    return {
        "FunctionArn": cfn.value(ir.Ref(node.function.node, "arn")),
        "Identity": identity,
        "AuthorizerPayloadFormatVersion": node.payload_format_version,
        "EnableSimpleResponses": node.simple_responses,
    }


def _route_auth(cfn: CfnRenderer, route: ir.Route) -> dict[str, Any] | None:
    """A route's `Auth`, where SAM's `DefaultAuthorizer` does not already give it what it needs (SAM does
    not apply the default to `OPTIONS` operations)."""
    graph = cfn.graph
    api = graph.node(route.api.node)
    assert isinstance(api, ir.Api)
    default = api.default_authorization
    if route.authorization == default and (default is None or route.method != "OPTIONS"):
        return None
    if route.authorization is None:
        return {"Authorizer": _OPEN}
    auth: dict[str, Any] = {"Authorizer": _authorizer_name(graph, route.authorization)}
    if route.authorization.scopes:
        auth["AuthorizationScopes"] = [cfn.value(s) for s in route.authorization.scopes]
    return auth


def _authorizer_permission(template: _Template, node: ir.AuthorizerPermission) -> tuple[str, dict[str, Any]]:
    """The authorizer function's invoke permission. SAM makes the authorizer inside the HttpApi, whose id no
    template can name, so the permission covers the API's authorizers (`<api>/authorizers/*`), none of its routes."""
    api = node.source_arn.parts[0]
    return template.cfn.id_of(node), template.cfn.authorizer_permission(node, ir.Sub((api, "/authorizers/*")))


RESOURCES: dict[type, Entry] = {
    ir.LogGroup: _own(lambda template, node: template.cfn.log_group(node)),
    ir.Role: _own(lambda template, node: template.cfn.role(node)),
    ir.RolePolicy: _own(lambda template, node: template.cfn.role_policy(node)),
    ir.Function: _own(_function),
    ir.Api: _folded,  # into the HttpApi, written with the stage
    ir.Integration: _folded,  # SAM makes it from the function's HttpApi events (or the body's operation)
    ir.Route: _folded,  # an HttpApi event of its function, or an operation of the OpenAPI body
    ir.Deployment: _folded,  # SAM deploys the stage itself (W408 says so)
    ir.Stage: _http_api_of_stage,
    ir.Permission: _permission,
    ir.UrlIntegration: _folded,  # the integration of its route's operation in the OpenAPI body
    ir.Domain: _explicit_domain_node(lambda template, node: template.cfn.domain(node)),
    # SAM names the stage it makes: `<api>.Stage` refers to it.
    ir.ApiMapping: _explicit_domain_node(lambda template, node: template.cfn.api_mapping(node, stage=Tagged("!Ref", f"{template.cfn.logical_id(node.api)}.Stage"))),
    ir.DnsRecord: _explicit_domain_node(lambda template, node: template.cfn.dns_record(node)),
    ir.Authorizer: _folded,  # into the HttpApi's `Auth.Authorizers`
    ir.AuthorizerPermission: _authorizer_permission,
    ir.Version: _folded,  # SAM publishes it from `AutoPublishAlias`
    ir.Alias: _folded,  # `AutoPublishAlias`
    ir.ScheduleRule: _folded,  # the function's `Schedule` event
    ir.EventPermission: _folded,  # SAM makes it with the `Schedule` event's rule
    ir.EventSourceMapping: _folded,  # the function's `SQS`, `DynamoDB` or `Kinesis` event
}
