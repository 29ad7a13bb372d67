"""Every name apispec makes: AWS names, and each target's names for the nodes of the graph.

AWS names (a function's default name, its role, policy and log group, the access-log group,
invoke statement ids) are made by the functions at the top, which resolving and lowering call.
Target names (Terraform local names, CloudFormation logical ids, output and parameter names) are
derived from the lowered graph by `target_names`, through one table of node types, and
`collisions` checks them over the same graph: a new node type is named and checked once it has
its entry in `_NODE_NAMES`.

Names come only from what the user named (function names and keys, route keys, parameter names),
never from positions, so a rename shows in a diff. A function's resources are named after what it
is deployed as (`function_identity`), not its key: a key renamed with its `name` kept renames
nothing, and CloudFormation and Terraform update in place what they would otherwise create anew
under a name the old resource still holds. Hashes come in only where names cannot do: the explicit
deployment, ids cut to a length limit, and routes or functions whose names are those of an earlier
one (`GET /a-b`, `GET /a_b` and `GET /a/b` are three routes to API Gateway, one name in words;
`fn12` and `fn1-2` one PascalCase id), which end in a digest of their own key (a function's: of its
identity). Other elements that would get the same name are reported as spec errors (`E701`) at the
element that comes second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from compiler import ir
from compiler.diagnostics import Finding, SpecPath, format_path
from compiler.records import NamedTuple
from compiler.routekeys import key_problem, make_route, segment

_WORDS = re.compile(r"[A-Za-z0-9]+")


def words(text: str) -> list[str]:
    return _WORDS.findall(text)


@cache
def snake(text: str) -> str:
    return "_".join(w.lower() for w in words(text))


@cache
def pascal(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(text))


# -- AWS names ---------------------------------------------------------------------------------


def default_function_name(prefix: str, key: str) -> str:
    """A function's name when the spec gives none: `<prefix>-<key>`, `_` turned into `-`."""
    return f"{prefix}-{key.replace('_', '-')}"


def role_name(function_name: str) -> str:
    return f"{function_name}-role"


def policy_name(function_name: str) -> str:
    return f"{function_name}-policy"


def template_policy_name(function_name: str) -> str:
    """The CloudFormation and SAM policy's name: not `policy_name`, which the `AWS::IAM::RolePolicy` of
    earlier outputs holds on the same role; deleting that resource would delete a same-named policy."""
    return f"{function_name}-permissions"


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


_MAX_RULE_NAME = 64  # EventBridge's limit for a rule's name


def schedule_rule_name(function_name: str, event: str) -> str:
    """A schedule's EventBridge rule name: `<function name>-schedule-1`, cut with a digest past 64 characters."""
    return _bounded(f"{function_name}-{re.sub(r'(?<=[a-z])(?=[0-9])', '-', event.lower())}", _MAX_RULE_NAME, f"{function_name} {event}")


_TARGET_SUFFIX = "LambdaTarget"
_MAX_TARGET_ID = 64


def schedule_target_id(rule_logical_id: str) -> str:
    """The id of a schedule rule's one target: what SAM gives it (`<rule logical id>LambdaTarget`, cut to 64
    characters), in every target."""
    return rule_logical_id[: _MAX_TARGET_ID - len(_TARGET_SUFFIX)] + _TARGET_SUFFIX


def event_statement_id(event: str) -> str:
    """The statement id of a schedule's invoke permission: `eventbridge-schedule-1` (no route's starts so)."""
    return "eventbridge-" + re.sub(r"(?<=[a-z])(?=[0-9])", "-", event.lower())


def access_log_group_name(api_name: str) -> str:
    return f"/aws/apigateway/{api_name}"


ALL_ROUTES_STATEMENT_ID = "apigateway-invoke-any-route"
_MAX_STATEMENT_ID = 100  # Lambda's limit for a permission's statement id


# -- target names ------------------------------------------------------------------------------


class Names(NamedTuple):
    """A node's names in each target: Terraform's `type.name` local name and a CloudFormation logical id."""

    tf: str
    logical_id: str


API = Names(tf="api", logical_id="HttpApi")
STAGE = Names(tf="api", logical_id="HttpApiStage")
DEPLOYMENT = Names(tf="api", logical_id="HttpApiDeployment")
ACCESS_LOG_GROUP = Names(tf="api_access_logs", logical_id="HttpApiAccessLogs")
DOMAIN = Names(tf="api", logical_id="HttpApiDomainName")
API_MAPPING = Names(tf="api", logical_id="HttpApiMapping")
DNS_RECORDS = {"A": Names(tf="api", logical_id="HttpApiDnsRecord"), "AAAA": Names(tf="api_ipv6", logical_id="HttpApiDnsRecordIpv6")}

# Each output kind's name in Terraform and its CloudFormation id, after the function's own name if it is a function's.
_OUTPUT_NAMES = {
    "api_url": Names("api_url", "ApiUrl"),
    "api_id": Names("api_id", "ApiId"),
    "function_name": Names("function_name", "FunctionName"),
    "function_arn": Names("function_arn", "FunctionArn"),
    "log_group": Names("log_group", "LogGroupName"),
    "custom_url": Names("custom_url", "CustomUrl"),
}

# CloudFormation allows 255 characters in a logical id, and the SAM translator joins a function's id
# with an event's (`<Key>Function<Route>Permission`); these bounds keep every such id within it.
_MAX_LOGICAL_ID = 255
_MAX_KEY_ID = 64
_MAX_ROUTE_ID = 128
_DIGEST = 10


def _digest(text: str) -> str:
    """The first `_DIGEST` hex digits of the SHA-256 of `text`: what names end in where words cannot do.

    `hashlib` is imported here, only for the specs that need a digest: importing it takes milliseconds
    of every `apispec validate`."""
    import hashlib  # only specs that need a digest pay its import (milliseconds of validate)

    return hashlib.sha256(text.encode()).hexdigest()[:_DIGEST]


def _bounded(logical_id: str, limit: int, source: str) -> str:
    """`logical_id`, or for a very long one its start and a digest of what it was made from."""
    if len(logical_id) <= limit:
        return logical_id
    return logical_id[: limit - _DIGEST] + _digest(source)


@cache
def function_names(identity: str, kind: str, digest: str = "") -> Names:
    """`function_names("user-request", "Role")` → `user_request` / `UserRequestRole`, from a function's
    `function_identity`; a twin's digest stands before the kind: `Fn12<digest>Role`."""
    if digest:
        return Names(tf=snake(identity), logical_id=_bounded(pascal(identity), _MAX_KEY_ID - _DIGEST, identity) + digest + kind)
    return Names(tf=snake(identity), logical_id=_bounded(pascal(identity), _MAX_KEY_ID, identity) + kind)


def function_identity(key: str, name: str, prefix: str) -> str:
    """What a function's resource names are made from: the key for a function named by default
    (`<prefix>-<key>`), else its name less a leading `<prefix>-` (`name: shop-create-order` with prefix
    `shop` → `create-order`). So ids follow the deployed name: a function whose `name` is what its key
    would give keeps the names it had, and renaming a key while keeping `name` renames no resource.
    A name that leaves no word starting with a letter (`<prefix>-2fast`) is named after its key."""
    if name == default_function_name(prefix, key):
        return key
    own = name.removeprefix(f"{prefix}-")
    first = words(own)[:1]
    return own if first and first[0][0].isalpha() else key


def route_words(key: str) -> str:
    """`POST /orders/{id}` → `post orders by id`; `ANY /files/{key+}` → `any files by key path`;
    `GET /` → `get`; `$default` → `default`. ("by" keeps `/users/{id}` apart from `/users/id`, and
    the root has no word, so that `/` and `/root` stay apart.)"""
    route = make_route(key, function="")
    if route.is_default:
        return "default"
    parts = [route.method.lower()]
    for part in map(segment, route.segments):
        if part.parameter is None:
            parts.append(part.text)
        else:
            parts += ["by", part.parameter, "path"] if part.greedy else ["by", part.parameter]
    return " ".join(parts)


@cache
def route_names(key: str, kind: str, digest: str = "") -> Names:
    """A route's names: made from its key's words and a kind (`Route`, `Permission`), and a twin's digest."""
    text = route_words(key)
    if digest:
        return Names(tf=f"{snake(text)}_{digest}", logical_id=_bounded(pascal(text), _MAX_ROUTE_ID - _DIGEST, key) + digest + kind)
    return Names(tf=snake(text), logical_id=_bounded(pascal(text), _MAX_ROUTE_ID, key) + kind)


def parameter_logical_id(name: str) -> str:
    return _bounded(pascal(name), _MAX_LOGICAL_ID, name)


def _function_digests(functions: tuple[ir.Function, ...], prefix: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Each function's identity, and the digests that keep its names apart (by function id): of its
    identity for its resources, of its key for its outputs (which are named after keys).

    Identities that make the PascalCase id of an earlier function's (`fn12` and `fn1-2`, `s3sync` and
    `s3-sync`: ids equal once case is set aside) are different functions, so their ids must differ too:
    the first keeps its ids and the later ones' end in a digest, so adding a function renames none.
    Functions with the same name or keys that differ by `-`/`_` are reported (E204, E202) and left alone.
    """
    identities: dict[str, str] = {}
    id_digests: dict[str, str] = {}
    key_digests: dict[str, str] = {}
    ids: set[str] = set()
    keys: set[str] = set()
    folded: set[str] = set()
    names: set[str] = set()
    for fn in functions:
        identity = identities[fn.id] = function_identity(fn.key, fn.name, prefix)
        id_base, key_base = function_names(identity, "").logical_id.lower(), function_names(fn.key, "").logical_id.lower()
        twin = fn.key.replace("-", "_") in folded  # E202's
        if id_base in ids and not twin and fn.name not in names:
            id_digests[fn.id] = _digest(identity)
        if key_base in keys and not twin:
            key_digests[fn.id] = _digest(fn.key)
        ids.add(id_base)
        keys.add(key_base)
        folded.add(fn.key.replace("-", "_"))
        names.add(fn.name)
    return identities, id_digests, key_digests


def _twins(keys: Iterable[str], word_id: Callable[[str], str]) -> dict[str, str]:
    """The keys whose words make the id of an earlier key, each with the digest its names end in.

    The first of such keys keeps its plain names and each later one ends in a digest of its own key,
    so adding an element renames no other: a renamed route is a new resource with the route key the
    old still holds, which CloudFormation creates before it deletes the old and API Gateway refuses.
    """
    seen: set[str] = set()
    later: dict[str, str] = {}
    for key in keys:
        folded = word_id(key).lower()
        if folded in seen:
            later[key] = _digest(key)
        seen.add(folded)
    return later


class TargetNames:
    """Every target name of one graph: each node's, each output's and each parameter's."""

    def __init__(self, graph: ir.Graph) -> None:
        self.graph = graph
        self._identity, self._id_digest, self._key_digest = _function_digests(graph.of_type(ir.Function), graph.prefix)
        self._route_digest = _twins((r.route_key for r in graph.of_type(ir.Route)), lambda key: route_names(key, "").logical_id)
        self._nodes: dict[str, Names] = {}
        self._lookups: dict[ir.Lookup, str] | None = None

    def node(self, node_id: str) -> Names:
        names = self._nodes.get(node_id)
        if names is None:
            node = self.graph.node(node_id)
            names = self._nodes[node_id] = _NODE_NAMES[type(node)](self, node)
        return names

    def function(self, function_id: str, kind: str) -> Names:
        """The names of a function's own node of `kind`, made from its identity."""
        return function_names(self._identity[function_id], kind, self._id_digest.get(function_id, ""))

    def route(self, route_id: str, kind: str) -> Names:
        node = self.graph.node(route_id)
        assert isinstance(node, ir.Route)
        return route_names(node.route_key, kind, self._route_digest.get(node.route_key, ""))

    def statement_id(self, permission: ir.Permission) -> str:
        """The invoke permission's statement id in the function's resource policy: `apigateway-get-orders-by-id`."""
        if permission.scope == "api":
            return ALL_ROUTES_STATEMENT_ID
        route = self.graph.node(permission.routes[0])
        assert isinstance(route, ir.Route)
        return _bounded("apigateway-" + self.route(route.id, "").tf.replace("_", "-"), _MAX_STATEMENT_ID, route.route_key)

    def output(self, output: ir.Output) -> Names:
        suffix = _OUTPUT_NAMES[output.kind]
        if output.owner is None:
            return suffix
        function = self.graph.node(output.owner)
        assert isinstance(function, ir.Function)
        names = function_names(function.key, "", self._key_digest.get(output.owner, ""))  # outputs are read by key
        return Names(f"{names.tf}_{suffix.tf}", f"{names.logical_id}{suffix.logical_id}")

    def lookup(self, value: ir.Lookup) -> str:
        """The Terraform name of the data source that reads an SSM parameter or an export (worked out on first use)."""
        if self._lookups is None:
            self._lookups = _lookup_names(self.graph)
        return self._lookups[value]

    @staticmethod
    def parameter(parameter: ir.Parameter) -> str:
        """The CloudFormation logical id of a parameter (Terraform's variable keeps the spec's name)."""
        return parameter_logical_id(parameter.name)


_LOOKUP_KINDS = {ir.Ssm: "ssm", ir.Import: "export"}


def lookup_name(value: ir.Lookup) -> str:
    """`${ssm:/orders/queue-url}` → `orders_queue_url`; `${import:network-VpcId}` → `network_vpcid`; a name
    that would not start with a letter starts with its kind (`ssm_2fa_key`)."""
    base = snake(value.name)
    return base if base[:1].isalpha() else f"{_LOOKUP_KINDS[type(value)]}_{base}".rstrip("_")


def _lookup_names(graph: ir.Graph) -> dict[ir.Lookup, str]:
    """Each SSM parameter's and export's data source name, in the order the graph first uses them: a
    name whose words an earlier one of its kind has (`/a-b` after `/a_b`) ends in a digest of its own."""
    found = dict.fromkeys(value for item in (*graph.nodes, *graph.outputs) for value in ir.lookups(item))
    names: dict[ir.Lookup, str] = {}
    taken: set[tuple[type, str]] = set()
    for value in found:
        name = lookup_name(value)
        if (type(value), name) in taken:
            name = f"{name}_{_digest(value.name)}"
        taken.add((type(value), name))
        names[value] = name
    return names


def _permission_names(names: TargetNames, node: ir.Permission) -> Names:
    if node.scope == "api":
        own = names.function(ir.function_id(names.graph, node.function), "AllRoutesPermission")
        return Names(tf=f"{own.tf}_all_routes", logical_id=own.logical_id)
    return names.route(node.routes[0], "Permission")


def _integration_names(names: TargetNames, node: ir.Integration) -> Names:
    """A function's integration: v1's names for the default settings; with settings of its own, those
    names followed by the settings' words (`orders_payload_1_0`, `OrdersIntegrationPayload10`), which
    stay the same whatever other routes come and go."""
    own = names.function(ir.function_id(names.graph, node.function), "Integration")
    if not node.variant:
        return own
    text = " ".join(node.variant)
    return Names(tf=f"{own.tf}_{snake(text)}", logical_id=own.logical_id + pascal(text))


def _url_integration_names(names: TargetNames, node: ir.UrlIntegration) -> Names:
    """A `url` route's integration, named after its route: `get_users_url`, `GetUsersUrlIntegration`."""
    own = names.route(f"route.{node.route_key}", "UrlIntegration")
    return Names(tf=f"{own.tf}_url", logical_id=own.logical_id)


def _deployment_names(node: ir.Deployment) -> Names:
    """The explicit deployment's names. Its logical id ends in a digest of what it deploys (routes,
    their integrations' targets, CORS), the one id not made from names alone: CloudFormation creates
    a new deployment only for a new logical id, as SAM does for REST API deployments. Terraform
    keeps one name and redeploys through `triggers`."""
    return Names(tf=DEPLOYMENT.tf, logical_id=f"{DEPLOYMENT.logical_id}{_digest(json.dumps(sorted(node.captured)))}")


def authorizer_names(name: str, kind: str) -> Names:
    """An authorizer's names, from its name: `jwt-users` → `jwt_users` / `JwtUsersAuthorizer`; its
    invoke permission's `jwt_users_authorizer` / `JwtUsersAuthorizerPermission`."""
    own = Names(tf=snake(name), logical_id=_bounded(pascal(name), _MAX_KEY_ID, name) + "Authorizer")
    return own if not kind else Names(tf=f"{own.tf}_authorizer", logical_id=own.logical_id + kind)


def authorizer_statement_id(name: str) -> str:
    """The statement id of a Lambda authorizer's invoke permission: `apigateway-authorizer-<name>` (no route's
    starts so: route ids start with their method)."""
    return _bounded("apigateway-authorizer-" + snake(name).replace("_", "-"), _MAX_STATEMENT_ID, name)


def _version_names(names: TargetNames, node: ir.Version) -> Names:
    """A function's version: `OrdersFunctionVersion<digest>`, as SAM names the one `AutoPublishAlias` makes,
    its digest of the code and configuration (a new logical id is a new version)."""
    own = names.function(node.function.node, "FunctionVersion")
    return Names(tf=own.tf, logical_id=own.logical_id + node.digest)


def _alias_names(names: TargetNames, node: ir.Alias) -> Names:
    """A function's alias: `OrdersFunctionAliasLive`, the id SAM's `AutoPublishAlias` gives it (`-` and `_`
    of the alias name written `D` and `U`), so that every target names it alike."""
    own = names.function(node.function_id, "FunctionAlias")
    return Names(tf=own.tf, logical_id=own.logical_id + node.name.replace("-", "D").replace("_", "U"))


def _trigger_names(names: TargetNames, node: ir.ScheduleRule | ir.EventSourceMapping, kind: str = "") -> Names:
    """A trigger's names, as SAM names what it makes of the event: `<function id><event>` (`OrdersFunctionSqs1`),
    `+Permission` for a schedule's invoke permission; in Terraform `orders_sqs_1`."""
    own = names.function(node.function_id, f"Function{node.event}{kind}")
    return Names(tf=f"{own.tf}_{snake(re.sub(r'(?<=[a-z])(?=[0-9])', ' ', node.event))}", logical_id=own.logical_id)


# How each node type is named: the one place a new node type needs an entry to be named and checked.
_NODE_NAMES: dict[type, Callable[[TargetNames, Any], Names]] = {
    ir.LogGroup: lambda names, node: names.function(node.owner, "LogGroup") if node.owner else ACCESS_LOG_GROUP,
    ir.Role: lambda names, node: names.function(node.owner, "Role"),
    ir.RolePolicy: lambda names, node: names.function(node.owner, "Policy"),
    ir.Function: lambda names, node: names.function(node.id, "Function"),
    ir.Api: lambda names, node: API,
    ir.Stage: lambda names, node: STAGE,
    ir.Integration: _integration_names,
    ir.UrlIntegration: _url_integration_names,
    ir.Domain: lambda names, node: DOMAIN,
    ir.ApiMapping: lambda names, node: API_MAPPING,
    ir.DnsRecord: lambda names, node: DNS_RECORDS[node.type],
    ir.Route: lambda names, node: names.route(node.id, "Route"),
    ir.Deployment: lambda names, node: _deployment_names(node),
    ir.Permission: _permission_names,
    ir.Authorizer: lambda names, node: authorizer_names(node.name, ""),
    ir.AuthorizerPermission: lambda names, node: authorizer_names(node.name, "Permission"),
    ir.Version: _version_names,
    ir.Alias: _alias_names,
    ir.ScheduleRule: _trigger_names,
    ir.EventPermission: lambda names, node: _trigger_names(names, node, "Permission"),
    ir.EventSourceMapping: _trigger_names,
}


def target_names(graph: ir.Graph) -> TargetNames:
    return TargetNames(graph)


# -- collisions --------------------------------------------------------------------------------


def collisions(graph: ir.Graph) -> list[Finding]:
    """Elements whose generated names would clash in some target, found over the whole graph.

    Function keys that differ only by `-`/`_`, and functions named as an earlier one, are reported by
    their own rules (E202, E204) and skipped here.
    """
    folded: set[str] = set()
    names: set[str] = set()
    duplicates = set()
    for fn in graph.of_type(ir.Function):
        key = fn.key.replace("-", "_")
        if key in folded or fn.name in names:
            duplicates.add(fn.origin)
        folded.add(key)
        names.add(fn.name)
    return [f for f in _collisions(_all_names(graph)) if f.path not in duplicates]


def logical_ids(graph: ir.Graph) -> set[str]:
    """Every CloudFormation logical id the templates will hold: parameters and resources."""
    return {name for namespace, name, _ in _all_names(graph) if namespace == "logical id"}


def _all_names(graph: ir.Graph) -> Iterator[tuple[str, str, SpecPath]]:
    """(namespace, name, where) for every generated name: Terraform variables and local names (one
    namespace per node type, as Terraform's are per resource type) and logical ids."""
    names = TargetNames(graph)
    if graph.region is not None:
        yield "terraform variable", "region", ("region",)
    for parameter in graph.parameters:
        yield "logical id", names.parameter(parameter), ("parameters", parameter.name)
        yield "terraform variable", parameter.name, ("parameters", parameter.name)
    for node in graph.nodes:
        # The deployment's id ends in a digest of what it deploys, which no one chooses: it is checked
        # by its stem, which keeps hashlib (milliseconds to import) off `validate`'s path.
        own = DEPLOYMENT if isinstance(node, ir.Deployment) else names.node(node.id)  # (a version's digest is made in lowering)
        yield "logical id", own.logical_id, node.origin
        yield "terraform name", f"{_TERRAFORM_NAMESPACE.get(type(node), type(node).__name__)} {own.tf}", node.origin


# Node types that share a Terraform resource type with another share its namespace of names.
_TERRAFORM_NAMESPACE: dict[type, str] = {
    ir.UrlIntegration: ir.Integration.__name__,
    ir.EventPermission: ir.Permission.__name__,
}


def _collisions(names: Iterable[tuple[str, str, SpecPath]]) -> Iterator[Finding]:
    """One finding per element whose name is taken (the first clash it has)."""
    first: dict[tuple[str, str], SpecPath] = {}
    reported: set[SpecPath] = set()
    for namespace, name, where in names:
        seen = first.setdefault((namespace, name.lower()), where)
        if seen != where and where not in reported:
            reported.add(where)
            shown = name.split(" ", 1)[-1]
            yield Finding("E701", where, f"this makes the {namespace} `{shown}`, which `{format_path(seen)}` makes too; rename one of them", anchor="key")


def routable(key: str) -> bool:
    """Whether a route key is well formed enough to be named (a malformed one is reported by its rule)."""
    return not key_problem(make_route(key, function=""))
