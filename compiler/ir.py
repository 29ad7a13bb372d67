"""The resource graph every backend renders: immutable records and explicit references.

The graph is target-neutral: each node has one neutral id (`function.orders`, `route.GET /x`) and
the spec path it comes from; nothing in it is a Terraform address or a CloudFormation logical id.
`compiler.naming` derives every target's names from the graph, and each backend renders it
through a table of node types.

Nodes point at each other with `Ref(node_id, attribute)`; deploy-time inputs are `Param`,
account-level values are `Pseudo`, values held elsewhere are `Ssm` and `Import`, and strings built
from pieces are `Sub`. Attribute names are
backend-neutral (`arn`, `name`, `id`, `endpoint`, `execution_arn`); each backend has one table
that says how to write them.

The records are `NamedTuple`s: defining twenty frozen dataclasses costs about 20 ms, which every
`apispec validate` would pay at import (it builds the graph to check names), where NamedTuples
cost about 3 ms. `@record` keeps their one hazard away: a record equals only a record of its own
type, never a plain tuple or a record of another type with the same values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from compiler.diagnostics import SpecPath
from compiler.records import NamedTuple
from compiler.routekeys import DEFAULT_PAYLOAD_FORMAT

if TYPE_CHECKING:
    from schemas.models import Function as FunctionConfig

R = TypeVar("R")


def record(cls: type[R]) -> type[R]:
    """Make a NamedTuple compare (and hash) by its type as well as its values."""

    def eq(self: tuple[Any, ...], other: object) -> bool:
        return type(self) is type(other) and tuple.__eq__(self, other)

    def ne(self: tuple[Any, ...], other: object) -> bool:
        return not eq(self, other)

    def hash_(self: tuple[Any, ...]) -> int:
        return hash((type(self).__name__, tuple.__hash__(self)))

    cls.__eq__ = eq  # type: ignore[assignment, method-assign]
    cls.__ne__ = ne  # type: ignore[assignment, method-assign]
    cls.__hash__ = hash_  # type: ignore[assignment, method-assign]
    return cls


@record
class Ref(NamedTuple):
    """An attribute of another node: `Ref("function.orders", "arn")`."""

    node: str
    attribute: str


@record
class Param(NamedTuple):
    """A deploy-time parameter: Terraform `var.x`, CloudFormation `!Ref X`."""

    name: str


@record
class Pseudo(NamedTuple):
    """A value of the account and region the stack is deployed to."""

    name: Literal["partition", "region", "account_id", "url_suffix"]


@record
class Ssm(NamedTuple):
    """An SSM parameter's value, read when the stack is deployed: `${ssm:/path/name}`."""

    name: str


@record
class Import(NamedTuple):
    """Another CloudFormation stack's export, read when the stack is deployed: `${import:Name}`."""

    name: str


Lookup = Ssm | Import  # values another service holds, read at deploy time
Reference = Ref | Param | Pseudo | Ssm | Import


@record
class Sub(NamedTuple):
    """A string made of literal text and references, in order."""

    parts: tuple[str | Reference, ...]


Scalar = str | int | float | bool
Value = Scalar | Ref | Param | Pseudo | Ssm | Import | Sub
Tags = tuple[tuple[str, Value], ...]  # key and value, in order; values may hold references


@record
class Parameter(NamedTuple):
    name: str
    description: str | None
    default: str | None
    sensitive: bool


@record
class LogGroup(NamedTuple):
    id: str
    origin: SpecPath
    owner: str | None  # the id of the function whose logs it holds; None for the API's access logs
    name: str
    retention_days: int | None  # None: no expiry
    tags: Tags
    kms_key_arn: str | None = None


@record
class Condition(NamedTuple):
    operator: str
    key: str
    values: tuple[Value, ...]


@record
class Statement(NamedTuple):
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    resources: tuple[Value, ...]
    conditions: tuple[Condition, ...]


@record
class Role(NamedTuple):
    """An execution role that Lambda may assume."""

    id: str
    origin: SpecPath
    owner: str  # the id of the function that runs with it
    name: str
    tags: Tags
    managed_policies: tuple[Value, ...] = ()
    permissions_boundary: Value | None = None


@record
class RolePolicy(NamedTuple):
    """The inline policy of a role, a resource of its own in every target (Terraform
    `aws_iam_role_policy`; CloudFormation and SAM `AWS::IAM::Policy`, which scanners read)."""

    id: str
    origin: SpecPath
    owner: str  # the id of the function whose role it belongs to
    role: Ref
    name: str  # in Terraform
    template_name: str  # in CloudFormation and SAM
    statements: tuple[Statement, ...]


@record
class Function(NamedTuple):
    """A Lambda function. `config` holds the format's plain settings as resolved (defaults applied):
    a plain key added to the format reaches every backend through it. The fields beside it are what
    resolving and lowering make of the rest."""

    id: str
    origin: SpecPath
    key: str
    name: str
    config: FunctionConfig
    source: str  # the code directory, relative to the spec file, with `/`
    handler: str
    environment: tuple[tuple[str, Value], ...]
    role: Value
    log_format: str
    application_level: str | None
    system_level: str | None
    log_group: Ref
    tags: Tags
    depends_on: tuple[str, ...]
    layers: tuple[Value, ...] = ()
    vpc: tuple[tuple[Value, ...], tuple[Value, ...]] | None = None  # subnet ids, security group ids
    kms_key_arn: Value | None = None
    code_signing_config_arn: Value | None = None
    alias: str | None = None  # the alias node's id when it has one
    # How `apispec package` makes its zip (`python`, `node`, `build`), or None: `source` is deployed as it is.
    package: str | None = None


@record
class Cors(NamedTuple):
    """`api.cors` as API Gateway applies it, which the backends render and `serve` follows."""

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    allow_credentials: bool
    max_age: int | None

    def settings(self) -> list[tuple[str, tuple[str, ...] | bool | int]]:
        """The settings that are set, in a fixed order, by snake_case name."""
        lists = ("allow_origins", "allow_methods", "allow_headers", "expose_headers")
        found: list[tuple[str, tuple[str, ...] | bool | int]] = [(n, getattr(self, n)) for n in lists if getattr(self, n)]
        if self.allow_credentials:
            found.append(("allow_credentials", True))
        if self.max_age is not None:
            found.append(("max_age", self.max_age))
        return found


@record
class Authorization(NamedTuple):
    """How a route is protected: API Gateway's authorization type, its authorizer (none for `AWS_IAM`) and JWT scopes."""

    type: Literal["JWT", "CUSTOM", "AWS_IAM"]
    authorizer: Ref | None
    scopes: tuple[Value, ...]


@record
class Api(NamedTuple):
    id: str
    origin: SpecPath
    name: str
    description: str | None
    cors: Cors | None
    tags: Tags
    disable_default_endpoint: bool = False
    default_authorization: Authorization | None = None  # `api.default_authorizer`, which SAM applies itself


@record
class AccessLog(NamedTuple):
    destination: Value  # the generated group's ARN, or an existing group's
    format: str


@record
class Throttling(NamedTuple):
    burst_limit: int
    rate_limit: float


@record
class RouteSetting(NamedTuple):
    """One route's settings in its stage (`routes.<key>.throttling`)."""

    route_key: str
    throttling: Throttling


ACCOUNT_THROTTLING = Throttling(burst_limit=5000, rate_limit=10000.0)  # API Gateway's account-level defaults


@record
class Stage(NamedTuple):
    id: str
    origin: SpecPath
    api: Ref
    name: str
    auto_deploy: bool
    deployment: Ref | None
    access_log: AccessLog | None
    throttling: Throttling | None
    tags: Tags
    detailed_metrics: bool = False
    route_settings: tuple[RouteSetting, ...] = ()
    # The routes its route settings name: API Gateway refuses settings for a route key it does not have yet.
    depends_on: tuple[str, ...] = ()

    @property
    def default_route_throttling(self) -> Throttling | None:
        """The default route settings' throttling: the stage's, or with detailed metrics and none set,
        the account's defaults written out (Terraform would otherwise send 0, which throttles every request)."""
        if self.throttling is None and self.detailed_metrics:
            return ACCOUNT_THROTTLING
        return self.throttling

    @property
    def named(self) -> bool:
        """A named stage (`/<name>` in the URL), not API Gateway's `$default`."""
        return self.name != "$default"


@record
class Integration(NamedTuple):
    """The Lambda proxy integration of one function, shared by its routes."""

    id: str
    origin: SpecPath
    api: Ref
    function: Ref
    payload_format_version: str
    timeout_ms: int | None = None  # None: API Gateway's default (30 s), not written

    @property
    def variant(self) -> tuple[str, ...]:
        """What sets this integration apart from its function's default one, in words (names follow it)."""
        words: tuple[str, ...] = ()
        if self.payload_format_version != DEFAULT_PAYLOAD_FORMAT:
            words += ("payload", self.payload_format_version)
        if self.timeout_ms is not None:
            words += ("timeout", str(self.timeout_ms))
        return words


@record
class UrlIntegration(NamedTuple):
    """An `HTTP_PROXY` integration of one route (`url:`), which calls the URL with the route's method."""

    id: str
    origin: SpecPath
    api: Ref
    route_key: str
    url: Value
    method: str  # `ANY` for `ANY` routes and `$default`
    timeout_ms: int | None  # None: API Gateway's default (30 s), not written


@record
class Domain(NamedTuple):
    """A regional custom domain name (TLS 1.2)."""

    id: str
    origin: SpecPath
    name: str
    certificate_arn: Value
    ip_address_type: str  # `ipv4` or `dualstack`
    truststore_uri: Value | None
    tags: Tags


@record
class ApiMapping(NamedTuple):
    """Maps the stage to the custom domain under a path (`key`), or at its root (None)."""

    id: str
    origin: SpecPath
    api: Ref
    domain: Ref
    stage: Ref
    key: str | None


@record
class DnsRecord(NamedTuple):
    """A Route 53 alias record (`A` or `AAAA`) of the custom domain to its regional target."""

    id: str
    origin: SpecPath
    zone_id: Value
    name: str
    type: Literal["A", "AAAA"]
    target: Ref  # the domain's regional domain name
    target_zone: Ref  # and its hosted zone


@record
class Route(NamedTuple):
    id: str
    origin: SpecPath
    api: Ref
    route_key: str
    method: str
    path: str  # empty for `$default`
    integration: Ref
    # The invoke permission that lets the route reach its function, made first: a route that goes
    # live before it (auto-deployed stages serve it at once) answers 500 until it exists. None for
    # a `url` route, which invokes no function.
    after: str | None
    authorization: Authorization | None = None  # None: open (`NONE`)


@record
class Authorizer(NamedTuple):
    """A JWT or Lambda (`REQUEST`) authorizer of the API; IAM authorization needs none."""

    id: str
    origin: SpecPath
    api: Ref
    name: str
    type: Literal["JWT", "REQUEST"]
    identity_sources: tuple[str, ...]
    issuer: Value  # JWT
    audience: tuple[Value, ...]  # JWT
    function: Ref | None  # REQUEST: the function's invoke ARN
    ttl: int  # REQUEST
    simple_responses: bool  # REQUEST
    payload_format_version: str  # REQUEST


@record
class AuthorizerPermission(NamedTuple):
    """Lets API Gateway invoke a Lambda authorizer's function, from that authorizer only."""

    id: str
    origin: SpecPath
    name: str  # the authorizer's
    function: Ref
    authorizer: Ref
    source_arn: Sub


@record
class Deployment(NamedTuple):
    """An explicit deployment (`auto_deploy: false`), redeployed when routes or integrations change."""

    id: str
    origin: SpecPath
    api: Ref
    description: str
    triggers: tuple[str, ...]  # ids of the routes and integrations it captures
    settings: tuple[Ref, ...]  # and the settings of other nodes it holds (the API's CORS)
    captured: tuple[tuple[str, ...], ...]  # what it deploys, as text: a new logical id when it changes


@record
class Permission(NamedTuple):
    """Lets API Gateway invoke a function from the given source ARN."""

    id: str
    origin: SpecPath
    function: Ref
    source_arn: Sub
    routes: tuple[str, ...]  # ids of the routes it covers
    scope: Literal["route", "api"]  # one route, or every route of the API (a function with many)


@record
class Version(NamedTuple):
    """A published version of a function with an alias. Terraform publishes through `publish = true` and SAM
    through `AutoPublishAlias`; in CloudFormation its logical id ends in a digest of the function's code
    and configuration, so that a change makes a new version."""

    id: str
    origin: SpecPath
    function: Ref
    digest: str  # of the code and configuration: a change makes a new CloudFormation version


@record
class Alias(NamedTuple):
    """An alias pointing at a function's latest published version, with its provisioned concurrency."""

    id: str
    origin: SpecPath
    function: Ref  # the function's name
    function_id: str
    version: Ref
    name: str
    provisioned_concurrency: int | None


@record
class ScheduleRule(NamedTuple):
    """An EventBridge rule that invokes a function (or its alias) on a schedule, with its target."""

    id: str
    origin: SpecPath
    function_id: str
    event: str  # the trigger's name among its function's events: `Schedule1`
    name: str  # the rule's AWS name
    expression: str
    enabled: bool
    input: str | None  # the event, as JSON text
    target: Ref  # the function's (or alias's) ARN


@record
class EventPermission(NamedTuple):
    """Lets EventBridge invoke a function from one rule only."""

    id: str
    origin: SpecPath
    function_id: str
    event: str
    function: Ref
    rule: Ref


@record
class EventSourceMapping(NamedTuple):
    """Lambda reads an SQS queue or a DynamoDB/Kinesis stream and invokes the function with batches."""

    id: str
    origin: SpecPath
    function_id: str
    event: str  # `Sqs1`, `Stream1`
    kind: Literal["sqs", "dynamodb", "kinesis"]
    function: Ref
    source_arn: Value
    starting_position: str | None
    batch_size: int | None
    max_batching_window: int | None
    report_batch_item_failures: bool
    depends_on: tuple[str, ...]  # the policy that grants the read access (Lambda checks it on creation)


@record
class Output(NamedTuple):
    """A value every target exports; `kind` names it (`api_url`, `function_arn`), with the function it is of."""

    kind: str
    owner: str | None  # a function's id, or None for the API's outputs
    description: str
    value: Value


Node = (
    LogGroup | Role | RolePolicy | Function | Api | Stage | Integration | UrlIntegration | Route | Deployment | Permission
    | Domain | ApiMapping | DnsRecord | Authorizer | AuthorizerPermission | Version | Alias | ScheduleRule | EventPermission
    | EventSourceMapping
)
NODE_TYPES: tuple[type, ...] = get_args(Node)
N = TypeVar("N")


class TerraformSettings(NamedTuple):
    """The Terraform output's own settings: the module kind (`root`, `child`) and the S3 backend's
    arguments in the spec's order (`${self:env}` already replaced); no backend when empty."""

    module: str = "root"
    backend: tuple[tuple[str, str | bool], ...] = ()


class Graph(NamedTuple):
    """The whole service: parameters, nodes in dependency order, outputs; `env` is the environment
    it is built for (None: a spec without environments)."""

    prefix: str
    description: str | None
    region: str | None
    parameters: tuple[Parameter, ...]
    nodes: tuple[Node, ...]
    outputs: tuple[Output, ...]
    by_id: dict[str, Node]
    env: str | None = None
    terraform: TerraformSettings = TerraformSettings()

    def node(self, node_id: str) -> Node:
        return self.by_id[node_id]

    def of_type(self, kind: type[N]) -> tuple[N, ...]:
        return tuple(n for n in self.nodes if isinstance(n, kind))


def function_id(graph: Graph, ref: Ref) -> str:
    """The id of the function a reference reaches: the function itself, or the function of its alias."""
    node = graph.node(ref.node)
    return node.function_id if isinstance(node, Alias) else ref.node


def references(value: object) -> set[str]:
    """The ids of the nodes a node (or any value) refers to through its `Ref`s."""
    if isinstance(value, Ref):
        return {value.node}
    if isinstance(value, tuple):  # a record, a Sub's parts, a tuple of values
        return {node for item in value for node in references(item)}
    return set()



def lookups(value: object) -> Iterator[Lookup]:
    """The `Ssm` and `Import` values in a node (or any value), in order, repeats included."""
    if isinstance(value, Ssm | Import):
        yield value
    elif isinstance(value, tuple):  # a record, a Sub's parts, a tuple of values
        for item in value:
            yield from lookups(item)
