"""The resource graph every backend renders: immutable records and explicit references.

The records are `NamedTuple`s, not frozen dataclasses: equally immutable, and a third as costly to
define, which every `apispec build` pays at import. Compare them only within their own type.

Nodes point at each other with `Ref(node_id, attribute)`; deploy-time inputs are `Param`,
account-level values are `Pseudo`, and strings built from pieces are `Sub`. Attribute names are
backend-neutral (`arn`, `name`, `id`, `endpoint`, `execution_arn`); each backend has one table
that says how to write them. Nothing here knows a backend's syntax.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, TypeVar

from compiler.naming import Names


class Ref(NamedTuple):
    """An attribute of another node: `Ref("function.orders", "arn")`."""

    node: str
    attribute: str


class Param(NamedTuple):
    """A deploy-time parameter: Terraform `var.x`, CloudFormation `!Ref X`."""

    name: str


class Pseudo(NamedTuple):
    """A value of the account and region the stack is deployed to."""

    name: Literal["partition", "region", "account_id", "url_suffix"]


class Sub(NamedTuple):
    """A string made of literal text and references, in order."""

    parts: tuple[str | Ref | Param | Pseudo, ...]


Scalar = str | int | float | bool
Value = Scalar | Ref | Param | Pseudo | Sub


class Parameter(NamedTuple):
    name: str
    logical_id: str
    description: str | None
    default: str | None
    sensitive: bool


class LogGroup(NamedTuple):
    id: str
    names: Names
    name: str
    retention_days: int
    tags: tuple[tuple[str, str], ...]


class Condition(NamedTuple):
    operator: str
    key: str
    values: tuple[Value, ...]


class Statement(NamedTuple):
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    resources: tuple[Value, ...]
    conditions: tuple[Condition, ...]


class Role(NamedTuple):
    """An execution role that Lambda may assume."""

    id: str
    names: Names
    name: str
    tags: tuple[tuple[str, str], ...]


class RolePolicy(NamedTuple):
    """The inline policy of a role, a resource of its own in every target (Terraform
    `aws_iam_role_policy`; CloudFormation and SAM `AWS::IAM::Policy`, which scanners read)."""

    id: str
    names: Names
    role: Ref
    name: str  # in Terraform
    template_name: str  # in CloudFormation and SAM
    statements: tuple[Statement, ...]


class Function(NamedTuple):
    id: str
    names: Names
    key: str
    name: str
    description: str | None
    source: str  # the code directory, relative to the spec file, with `/`
    handler: str
    runtime: str
    architecture: str
    memory: int
    timeout: int
    environment: tuple[tuple[str, Value], ...]
    role: Value
    log_format: str
    application_level: str | None
    system_level: str | None
    log_group: Ref
    tags: tuple[tuple[str, str], ...]
    depends_on: tuple[str, ...]


class Cors(NamedTuple):
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


class Api(NamedTuple):
    id: str
    names: Names
    name: str
    description: str | None
    cors: Cors | None
    tags: tuple[tuple[str, str], ...]


class AccessLog(NamedTuple):
    destination: Ref
    format: str


class Throttling(NamedTuple):
    burst_limit: int
    rate_limit: float


class Stage(NamedTuple):
    id: str
    names: Names
    api: Ref
    name: str
    auto_deploy: bool
    deployment: Ref | None
    access_log: AccessLog | None
    throttling: Throttling | None
    tags: tuple[tuple[str, str], ...]

    @property
    def named(self) -> bool:
        """A named stage (`/<name>` in the URL), not API Gateway's `$default`."""
        return self.name != "$default"


class Integration(NamedTuple):
    """The Lambda proxy integration of one function, shared by its routes."""

    id: str
    names: Names
    api: Ref
    function: Ref
    payload_format_version: str


class Route(NamedTuple):
    id: str
    names: Names
    api: Ref
    route_key: str
    method: str
    path: str  # empty for `$default`
    integration: Ref
    # The invoke permission that lets the route reach its function, made first: a route that goes
    # live before it (auto-deployed stages serve it at once) answers 500 until it exists.
    after: str


class Deployment(NamedTuple):
    """An explicit deployment (`auto_deploy: false`), redeployed when routes or integrations change."""

    id: str
    names: Names
    api: Ref
    description: str
    triggers: tuple[str, ...]  # ids of the routes and integrations it captures
    settings: tuple[Ref, ...]  # and the settings of other nodes it holds (the API's CORS)


class Permission(NamedTuple):
    """Lets API Gateway invoke a function from the given source ARN."""

    id: str
    names: Names
    function: Ref
    statement_id: str
    source_arn: Sub
    routes: tuple[str, ...]  # ids of the routes it covers
    scope: Literal["route", "api"]  # one route, or every route of the API (a function with many)


class Output(NamedTuple):
    name: str  # snake_case; the CloudFormation output id is `logical_id`
    logical_id: str
    description: str
    value: Value


N = TypeVar("N")
Node = LogGroup | Role | RolePolicy | Function | Api | Stage | Integration | Route | Deployment | Permission


class Graph(NamedTuple):
    """The whole service: parameters, nodes in dependency order, outputs."""

    prefix: str
    description: str | None
    region: str | None
    parameters: tuple[Parameter, ...]
    nodes: tuple[Node, ...]
    outputs: tuple[Output, ...]
    by_id: dict[str, Node]

    def node(self, node_id: str) -> Node:
        return self.by_id[node_id]

    def of_type(self, kind: type[N]) -> tuple[N, ...]:
        return tuple(n for n in self.nodes if isinstance(n, kind))



def references(value: object) -> set[str]:
    """The ids of the nodes a node (or any value) refers to through its `Ref`s."""
    if isinstance(value, Ref):
        return {value.node}
    if isinstance(value, tuple):  # a record, a Sub's parts, a tuple of values
        return {node for item in value for node in references(item)}
    return set()
