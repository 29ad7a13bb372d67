"""Every name apispec makes for a target: Terraform local names and CloudFormation logical ids.

Names come only from what the user named (function names and keys, route keys, parameter names),
never from positions, so a rename shows in a diff. A function's resources are named after what it
is deployed as (`function_identity`), not its key: a key renamed with its `name` kept renames
nothing, and CloudFormation and Terraform update in place what they would otherwise create anew
under a name the old resource still holds. Hashes come in only where names cannot do: the
explicit `deployment`, ids cut to a length limit, and routes or functions whose names are those
of an earlier one (`GET /a-b`, `GET /a_b` and `GET /a/b` are three routes to API Gateway, one name
in words; `fn12` and `fn1-2` one PascalCase id), which end in a digest of their own key (a
function's: of its identity). Other elements that would get the same name are reported as spec
errors (`E701`) at the element that comes second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import NamedTuple

from compiler.diagnostics import Finding, SpecPath, format_path
from compiler.resolve import Function, Resolved, Route, make_route, scoping_by_function
from compiler.routekeys import key_problem, segment


class Names(NamedTuple):
    """A node's names in each target: Terraform's `type.name` local name and a CloudFormation logical id."""

    tf: str
    logical_id: str


_WORDS = re.compile(r"[A-Za-z0-9]+")

API = Names(tf="api", logical_id="HttpApi")
STAGE = Names(tf="api", logical_id="HttpApiStage")
DEPLOYMENT = Names(tf="api", logical_id="HttpApiDeployment")


def deployment(deployed: Iterable[tuple[str, ...]]) -> Names:
    """The explicit deployment's names. Its logical id ends in a digest of what it deploys (routes,
    their integrations' targets, CORS), the one id not made from names alone: CloudFormation creates
    a new deployment only for a new logical id, as SAM does for REST API deployments. Terraform
    keeps one name and redeploys through `triggers`."""
    import json  # build-only: kept off the validate path

    return Names(tf=DEPLOYMENT.tf, logical_id=f"{DEPLOYMENT.logical_id}{_digest(json.dumps(sorted(deployed)))}")


ACCESS_LOG_GROUP = Names(tf="api_access_logs", logical_id="HttpApiAccessLogs")


def words(text: str) -> list[str]:
    return _WORDS.findall(text)


@cache
def snake(text: str) -> str:
    return "_".join(w.lower() for w in words(text))


@cache
def pascal(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(text))


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
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:_DIGEST]


def _bounded(logical_id: str, limit: int, source: str) -> str:
    """`logical_id`, or for a very long one its start and a digest of what it was made from."""
    if len(logical_id) <= limit:
        return logical_id
    return logical_id[: limit - _DIGEST] + _digest(source)


@cache
def function_names(identity: str, kind: str, digest: str = "") -> Names:
    """`function_names("user-request", "Role")` → `user_request` / `UserRequestRole`, from a function's
    `function_identity`; a digest from `name_functions` stands before the kind: `Fn12<digest>Role`."""
    if digest:
        return Names(tf=snake(identity), logical_id=_bounded(pascal(identity), _MAX_KEY_ID - _DIGEST, identity) + digest + kind)
    return Names(tf=snake(identity), logical_id=_bounded(pascal(identity), _MAX_KEY_ID, identity) + kind)


def function_identity(key: str, name: str, prefix: str) -> str:
    """What a function's resource names are made from: the key for a function named by default
    (`<prefix>-<key>`), else its name less a leading `<prefix>-` (`name: shop-create-order` with prefix
    `shop` → `create-order`). So ids follow the deployed name: a function whose `name` is what its key
    would give keeps the names it had, and renaming a key while keeping `name` renames no resource.
    A name that leaves no word starting with a letter (`<prefix>-2fast`) is named after its key."""
    if name == f"{prefix}-{key.replace('_', '-')}":
        return key
    own = name.removeprefix(f"{prefix}-")
    first = words(own)[:1]
    return own if first and first[0][0].isalpha() else key


def name_functions(functions: tuple[Function, ...], prefix: str) -> tuple[Function, ...]:
    """`functions`, each given its `function_identity` and the digests that keep its names apart.

    Identities that make the PascalCase id of an earlier function's (`fn12` and `fn1-2`, `s3sync` and
    `s3-sync`: ids equal once case is set aside) are different functions, so their ids must differ too:
    the first keeps its ids and the later ones' end in a digest of their identity (`id_digest`), so adding
    a function renames none. Outputs are named after keys, which get the same rule (`key_digest`).
    Functions with the same name or keys that differ by `-`/`_` are reported (E204, E202) and left alone.
    """
    ids: set[str] = set()
    keys: set[str] = set()
    folded: set[str] = set()
    names: set[str] = set()
    named: list[Function] = []
    for fn in functions:
        identity = function_identity(fn.key, fn.name, prefix)
        same_key = fn.key.replace("-", "_")
        id_base, key_base = function_names(identity, "").logical_id.lower(), function_names(fn.key, "").logical_id.lower()
        twin = same_key in folded  # E202's
        id_digest = _digest(identity) if id_base in ids and not twin and fn.name not in names else ""
        key_digest = _digest(fn.key) if key_base in keys and not twin else ""
        named.append(fn._replace(identity=identity, id_digest=id_digest, key_digest=key_digest))
        ids.add(id_base)
        keys.add(key_base)
        folded.add(same_key)
        names.add(fn.name)
    return tuple(named)


def route_words(route: Route) -> str:
    """`POST /orders/{id}` → `post orders by id`; `ANY /files/{key+}` → `any files by key path`;
    `GET /` → `get`; `$default` → `default`. ("by" keeps `/users/{id}` apart from `/users/id`, and
    the root has no word, so that `/` and `/root` stay apart.)"""
    if route.is_default:
        return "default"
    parts = [route.method.lower()]
    for part in map(segment, route.segments):
        if part.parameter is None:
            parts.append(part.text)
        else:
            parts += ["by", part.parameter, "path"] if part.greedy else ["by", part.parameter]
    return " ".join(parts)


def route_names(route: Route, kind: str) -> Names:
    tf, logical_id = _route_names(route.key, route.name_digest)
    return Names(tf=tf, logical_id=logical_id + kind)


@cache
def _route_names(key: str, digest: str = "") -> Names:
    """A route's names without their kind, made once per route key (all of a route follows from its key,
    and from the digest `distinguish` gives it when its words name another route too)."""
    text = route_words(make_route(key, function=""))
    if digest:
        return Names(tf=f"{snake(text)}_{digest}", logical_id=_bounded(pascal(text), _MAX_ROUTE_ID - _DIGEST, key) + digest)
    return Names(tf=snake(text), logical_id=_bounded(pascal(text), _MAX_ROUTE_ID, key))


def distinguish(routes: tuple[Route, ...]) -> tuple[Route, ...]:
    """`routes`, those whose words make the same names as an earlier route's given a digest of their key.

    API Gateway tells `GET /a-b`, `GET /a_b`, `GET /A-B` and `GET /a/b` apart; their words do not
    (names lose case and punctuation). The first of such routes in the file keeps its plain names
    and each later one ends in the digest, so adding a route renames no other: a renamed route is a
    new resource with the same route key, which CloudFormation creates before it deletes the old
    one and API Gateway refuses.
    """
    seen: set[str] = set()
    later: set[str] = set()
    for route in routes:
        if not key_problem(route):
            words = _route_names(route.key).logical_id.lower()
            if words in seen:
                later.add(route.key)
            seen.add(words)
    if not later:
        return routes
    return tuple(route._replace(name_digest=_digest(route.key)) if route.key in later else route for route in routes)


_MAX_STATEMENT_ID = 100  # Lambda's limit for a permission's statement id
ALL_ROUTES_STATEMENT_ID = "apigateway-invoke-any-route"


def statement_id(route: Route) -> str:
    """The statement id of a route's invoke permission in the function's resource policy: `apigateway-get-orders-by-id`."""
    return _bounded("apigateway-" + route_names(route, "").tf.replace("_", "-"), _MAX_STATEMENT_ID, route.key)


def all_routes_permission(identity: str, digest: str = "") -> Names:
    """The one invoke permission of a function whose routes are not each given their own (`scoped_per_route`)."""
    return Names(tf=f"{snake(identity)}_all_routes", logical_id=function_names(identity, "AllRoutesPermission", digest).logical_id)


def parameter_logical_id(name: str) -> str:
    return _bounded(pascal(name), _MAX_LOGICAL_ID, name)


def collisions(spec: Resolved) -> list[Finding]:
    """Elements whose generated names would clash in some target.

    Function keys that differ only by `-`/`_`, and functions named as an earlier one, are reported by
    their own rules (E202, E204) and skipped here.
    """
    folded: set[str] = set()
    names: set[str] = set()
    duplicates = set()
    for fn in spec.functions:
        key = fn.key.replace("-", "_")
        if key in folded or fn.name in names:
            duplicates.add(fn.spec_path)
        folded.add(key)
        names.add(fn.name)
    return [f for f in _collisions(_all_names(spec)) if f.path not in duplicates]


def logical_ids(spec: Resolved) -> set[str]:
    """Every CloudFormation logical id the templates will hold: parameters and resources."""
    return {name for namespace, name, _ in _all_names(spec) if namespace == "logical id"}


def _all_names(spec: Resolved) -> Iterator[tuple[str, str, SpecPath]]:
    """(namespace, name, where) for every generated name."""
    if spec.region is not None:
        yield "terraform variable", "region", ("region",)
    for name, _ in spec.parameters:
        yield "logical id", parameter_logical_id(name), ("parameters", name)
        yield "terraform variable", name, ("parameters", name)
    for fn in spec.functions:
        for kind in ("Function", "Role", "RolePolicy", "LogGroup", "Integration"):
            yield "logical id", function_names(fn.identity, kind, fn.id_digest).logical_id, fn.spec_path
        yield "terraform name", "function " + function_names(fn.identity, "").tf, fn.spec_path
        yield "terraform name", "log group " + function_names(fn.identity, "").tf, fn.spec_path
    if spec.api is not None:
        for names in (API, STAGE, DEPLOYMENT, ACCESS_LOG_GROUP):
            yield "logical id", names.logical_id, ("api",)
        yield "terraform name", "log group " + ACCESS_LOG_GROUP.tf, ("logging", "access_logs")
    per_route = scoping_by_function(spec)
    functions = {fn.key: fn for fn in spec.functions}
    for key, scoped in per_route.items():
        if not scoped and key in functions:
            names = all_routes_permission(functions[key].identity, functions[key].id_digest)
            yield "logical id", names.logical_id, ("functions", key)
            yield "terraform name", "permission " + names.tf, ("functions", key)
    for route in spec.routes:
        if key_problem(route):
            continue  # reported by the route-key rule
        yield "logical id", route_names(route, "Route").logical_id, route.spec_path
        yield "terraform name", "route " + route_names(route, "").tf, route.spec_path
        if per_route[route.function]:
            yield "logical id", route_names(route, "Permission").logical_id, route.spec_path
            yield "terraform name", "permission " + route_names(route, "").tf, route.spec_path


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
