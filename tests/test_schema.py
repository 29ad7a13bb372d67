"""The models are the single source of truth: the generated validator and JSON Schema stay current."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compiler import awsdata
from compiler.resolve import DEFAULT_STAGE
from compiler.routekeys import ROUTE_METHODS, key_problem, make_route, path_problem
from compiler.rules import api as api_rules
from compiler.rules import functions as functions_rules
from compiler.rules import permissions as permission_rules
from compiler.rules import service as service_rules
from schemas import generate, models
from tests.conftest import ROOT, SPECS, TODAY


def test_core_schema_is_current() -> None:
    assert generate.CORE_SCHEMA_FILE.read_text(encoding="utf-8") == generate.core_schema_text(), "run `python -m schemas.generate`"


def test_json_schema_is_current() -> None:
    assert generate.SCHEMA_FILE.read_text(encoding="utf-8") == generate.json_schema_text(), "run `python -m schemas.generate`"


@pytest.mark.parametrize("example", SPECS)
def test_examples_validate_against_the_json_schema(example: str) -> None:
    import jsonschema
    from ruamel.yaml import YAML

    schema = json.loads(generate.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = YAML(typ="safe", pure=True).load((ROOT / "specs" / example / "service.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_examples_point_editors_at_the_schema() -> None:
    for example in SPECS:
        first = (ROOT / "specs" / example / "service.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/service.schema.json"


# How a description says what leaving out a field whose default is `null` does.
_UNSET_SAYS = re.compile(r"Default: |Inherits |Required |Without it|none by default")


def _json_default(value: Any) -> Any:
    """A model default as the JSON Schema shows it: objects without their unset (`None`) members."""
    if dataclasses.is_dataclass(value):
        return {f.name: _json_default(getattr(value, f.name)) for f in dataclasses.fields(value) if getattr(value, f.name) is not None}
    if isinstance(value, dict):
        return {k: _json_default(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_default(v) for v in value]
    return value


def _schema() -> dict[str, Any]:
    return json.loads(generate.SCHEMA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _definitions(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"Service": schema, **schema["$defs"]}


def test_every_field_has_a_description_and_says_its_default() -> None:
    """Each key completes to its real default; a `null` default is left out (an editor would insert
    `handler: null`, which apispec reads as missing), and the description says what leaving it out does."""
    definitions = _definitions(_schema())
    assert set(definitions) == {
        "Service", "Parameter", "Statement", "FunctionLogging", "Function", "RouteTarget", "Cors", "Throttling", "Domain", "Api", "Authorizer", "AccessLogs", "Logging", "Vpc", "Event", "Build",
        "S3Backend", "Backend", "Terraform", "Environment",
    }  # fmt: skip
    for name, definition in definitions.items():
        fields = {f.name: f for f in dataclasses.fields(getattr(models, name))}
        assert list(definition["properties"]) == list(fields), name
        required = set(definition.get("required", []))
        for key, field in fields.items():
            body = definition["properties"][key]
            where = f"{name}.{key}"
            assert body.get("description"), f"{where} has no description"
            assert "title" not in body, f"{where} has a title"
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                assert key in required, f"{where} has no default but is optional"
                assert "default" not in body, where
                continue
            assert key not in required, f"{where} has a default but is required"
            default = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[operator]
            if default is None:
                assert "default" not in body, f"{where}: a `null` default would be inserted by completion"
                assert _UNSET_SAYS.search(body["description"]), f"{where}: say what leaving it out does"
            else:
                assert body.get("default") == _json_default(default), f"{where}: default {body.get('default')!r}, model {default!r}"


def test_no_null_defaults_or_titles_anywhere() -> None:
    """yaml-language-server heads a hover with the nearest title, once per `anyOf` branch, and
    pydantic's titles only repeat the key or class name."""

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            assert node.get("default", ...) is not None, f"{path}: `default: null`"
            assert "title" not in node or path.endswith("/properties"), f"{path}: title {node['title']!r}"
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}/{index}")

    walk(_schema(), "#")


# ---------------------------------------------------------------------------------------------
# What the JSON Schema accepts: editor-only checks that mirror apispec's rules
# ---------------------------------------------------------------------------------------------
# Each snippet is YAML merged over BASE (mappings merged key by key, anything else replaced),
# checked with the real jsonschema validator. The rules stay the authority: these checks only let
# editors flag early what apispec reports anyway.

BASE = """
apispec: 1
service: demo
functions:
  api: {source: src, handler: main.handler}
"""


def _load(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def _merged(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{key: _merged(base.get(key), value) for key, value in over.items()}}
    return over


@functools.cache
def _base() -> Any:
    return _load(BASE)  # shared: `_merged` builds new mappings and never changes it


def _spec(snippet: str) -> Any:
    return _merged(_base(), _load(snippet) or {})


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


def _leaf_paths(errors: Any) -> set[tuple[Any, ...]]:
    """Where the innermost errors are (an `anyOf` error holds its branches' errors in `context`)."""
    paths: set[tuple[Any, ...]] = set()
    for error in errors:
        paths |= _leaf_paths(error.context) if error.context else {tuple(error.absolute_path)}
    return paths


VALID = {
    "minimal": "",
    "runtime apispec does not know yet": "functions: {api: {runtime: nodejs99.x}}",  # E211 decides, not the editor
    "deprecated runtime": "functions: {api: {runtime: python2.7}}",
    "retention everywhere": "logging: {retention_days: 3653, access_logs: {retention_days: 1}}\ndefaults: {logging: {retention_days: 14}}",
    "function retention": "functions: {api: {logging: {retention_days: 30}}}",
    "unset retention and fields": "functions: {api: {logging: {retention_days: null}}}\nlogging: {access_logs: {retention_days: null, fields: null}}",
    "handler from defaults": "defaults: {handler: main.handler}\nfunctions: {api: {handler: null}}",
    "null region": "region: null",
    "function keys": "functions: {a: {source: s}, good-key_1: {source: s}, x_: {source: s}}",
    "parameter names": "parameters: {a: {}, db_name_2: {default: x}}",
    "route keys": """
routes:
  $default: api
  GET /: api
  POST /orders/{id}: api
  ANY /files/{path+}: api
  DELETE /a.b/~c/{x.y}/z: api
  PATCH /{a}/{b+}: api
  OPTIONS /a:b@c!$&'()*,;=: api
  HEAD /x: {function: api}
""",
    "default stage": "api: {stage: $default}",
    "named stage": "api: {stage: v1_beta-2}",
    "longest stage": f"api: {{stage: {'s' * 128}}}",
    "actions": "functions: {api: {permissions: [{actions: [sqs:SendMessage, s3:Get*, dynamodb:*, execute-api:Invoke], resources: ['*']}]}}",
    "every action": "functions: {api: {permissions: [{actions: ['*'], resources: ['*']}]}}",  # allowed, with warning W230
    "sid": "functions: {api: {permissions: [{sid: Read1, actions: [s3:GetObject], resources: ['*']}]}}",
    "access-log fields": (
        "logging: {access_logs: {fields: {requestId: $context.requestId, x.y_z-1: $context.extendedRequestId,"
        " sub: $context.authorizer.claims.sub, tenant: $context.authorizer.tenant}}}"
    ),
    "regions": "region: eusc-de-east-1",
    "isolated region": "region: us-iso-east-1",
    "region apispec only warns about": "region: xx-fake-9",  # W603, a warning
}

INVALID: dict[str, tuple[str, tuple[Any, ...]]] = {
    # snippet, where the error is
    "format version 2": ("apispec: 2", ("apispec",)),
    "format version as text": ("apispec: '1'", ("apispec",)),
    "format version true": ("apispec: true", ("apispec",)),
    "retention 8": ("logging: {retention_days: 8}", ("logging", "retention_days")),
    "retention 0": ("logging: {retention_days: 0}", ("logging", "retention_days")),
    "retention as text": ("logging: {retention_days: '7'}", ("logging", "retention_days")),
    "defaults retention": ("defaults: {logging: {retention_days: 8}}", ("defaults", "logging", "retention_days")),
    "function retention": ("functions: {api: {logging: {retention_days: 2}}}", ("functions", "api", "logging", "retention_days")),
    "access-log retention": ("logging: {access_logs: {retention_days: 4000}}", ("logging", "access_logs", "retention_days")),
    "function key with capitals": ("functions: {Api: {source: s}}", ("functions",)),
    "function key with a digit first": ("functions: {1api: {source: s}}", ("functions",)),
    "function key with a space": ("functions: {my api: {source: s}}", ("functions",)),
    "function key with _ first": ("functions: {_api: {source: s}}", ("functions",)),
    "parameter name with capitals": ("parameters: {DbName: {}}", ("parameters",)),
    "parameter name with -": ("parameters: {db-name: {}}", ("parameters",)),
    "lower-case method": ("routes: {get /x: api}", ("routes",)),
    "unknown method": ("routes: {FETCH /x: api}", ("routes",)),
    "no method": ("routes: {/x: api}", ("routes",)),
    "path without /": ("routes: {GET x: api}", ("routes",)),
    "two spaces": ("routes: {'GET  /x': api}", ("routes",)),
    "tab": ("routes: {\"GET\\t/x\": api}", ("routes",)),
    "trailing /": ("routes: {GET /x/: api}", ("routes",)),
    "empty segment": ("routes: {GET //x: api}", ("routes",)),
    "greedy parameter not last": ("routes:\n  GET /{a+}/b: api", ("routes",)),
    "half a parameter": ("routes:\n  GET /{a: api", ("routes",)),
    "parameter inside a segment": ("routes:\n  GET /a{b}: api", ("routes",)),
    "space in the path": ("routes: {GET /a b: api}", ("routes",)),
    "$DEFAULT": ("routes: {$DEFAULT: api}", ("routes",)),
    "stage with a space": ("api: {stage: bad stage}", ("api", "stage")),
    "empty stage": ("api: {stage: ''}", ("api", "stage")),
    "stage too long": (f"api: {{stage: {'s' * 129}}}", ("api", "stage")),
    "stage $Default": ("api: {stage: $Default}", ("api", "stage")),
    "action with capitals": ("functions: {api: {permissions: [{actions: [SQS:SendMessage], resources: ['*']}]}}", ("functions", "api", "permissions", 0, "actions", 0)),
    "action with a space": ("functions: {api: {permissions: [{actions: [sqs SendMessage], resources: ['*']}]}}", ("functions", "api", "permissions", 0, "actions", 0)),
    "service only": ("functions: {api: {permissions: [{actions: [sqs], resources: ['*']}]}}", ("functions", "api", "permissions", 0, "actions", 0)),
    "sid with -": ("functions: {api: {permissions: [{sid: read-1, actions: [s3:GetObject], resources: ['*']}]}}", ("functions", "api", "permissions", 0, "sid")),
    "access-log field without $context": ("logging: {access_logs: {fields: {rid: requestId}}}", ("logging", "access_logs", "fields", "rid")),
    "unknown $context variable": ("logging: {access_logs: {fields: {rid: $context.requestID}}}", ("logging", "access_logs", "fields", "rid")),
    "authorizer prefix alone": ("logging: {access_logs: {fields: {a: $context.authorizer.}}}", ("logging", "access_logs", "fields", "a")),
    "REST API variable": ("logging: {access_logs: {fields: {w: $context.wafResponseCode}}}", ("logging", "access_logs", "fields", "w")),
    "access-log field name with a $": ("logging: {access_logs: {fields: {'request$id': $context.requestId}}}", ("logging", "access_logs", "fields")),
    "no access-log fields": ("logging: {access_logs: {fields: {}}}", ("logging", "access_logs", "fields")),
    "region in capitals": ("region: US-EAST-1", ("region",)),
    "region without dashes": ("region: useast1", ("region",)),
    "region without number": ("region: us-east", ("region",)),
    "memory below 128": ("functions: {api: {memory: 100}}", ("functions", "api", "memory")),
    "memory as text": ("functions: {api: {memory: '256'}}", ("functions", "api", "memory")),
    "memory with a fraction": ("functions: {api: {memory: 256.5}}", ("functions", "api", "memory")),
}


@pytest.mark.parametrize("snippet", VALID.values(), ids=VALID.keys())
def test_the_json_schema_accepts(snippet: str) -> None:
    errors = list(_validator().iter_errors(_spec(snippet)))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize(("snippet", "where"), INVALID.values(), ids=INVALID.keys())
def test_the_json_schema_rejects(snippet: str, where: tuple[Any, ...]) -> None:
    errors = list(_validator().iter_errors(_spec(snippet)))
    assert errors, "accepted"
    assert where in _leaf_paths(errors), [(list(e.absolute_path), e.message) for e in errors]


def test_whole_floats_pass_the_json_schema_but_not_apispec(tmp_path: Path) -> None:
    """`apispec: 1.0` and `memory: !!float 256` are numbers with no fraction, which JSON Schema counts as
    integers (and editors turn YAML into JSON values, where 1.0 is 1), so no schema can flag them.
    The schema says `integer` (test below) and apispec's E103 reports them."""
    from compiler.pipeline import check

    text = "apispec: 1.0\nservice: demo\nfunctions:\n  api: {source: src, handler: main.handler, memory: !!float 256}\n"
    assert _validator().is_valid(_load(text))
    spec = tmp_path / "service.yaml"
    spec.write_text(text, encoding="utf-8")
    found = {(d.code, d.path) for d in check(spec, today=TODAY).diagnostics}
    assert {("E103", "apispec"), ("E103", "functions.api.memory")} <= found, found


def test_the_json_schema_types_every_scalar_as_the_validator_does() -> None:
    """A field the validator reads as `int` is `integer` in the JSON Schema (not `number`), and so on."""
    kinds = {"int": "integer", "float": "number", "str": "string", "bool": "boolean"}
    definitions = _definitions(_schema())
    seen = 0

    def walk(node: Any) -> None:
        nonlocal seen
        if isinstance(node, dict):
            if node.get("type") == "dataclass-args":
                for field in node["fields"]:
                    inner, body = field["schema"], definitions[node["dataclass_name"]]["properties"][field["name"]]
                    inner = inner["schema"] if inner["type"] == "default" else inner
                    if inner["type"] == "nullable":
                        inner = inner["schema"]
                        body = generate._not_null(body) if inner["type"] in kinds else body  # (a union keeps its branches)
                    if inner["type"] in kinds:
                        assert body.get("type") == kinds[inner["type"]], (node["dataclass_name"], field["name"], body)
                        seen += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(generate.CORE_SCHEMA_FILE.read_text(encoding="utf-8")))
    assert seen > 20


# ---------------------------------------------------------------------------------------------
# The JSON Schema's enums, examples and patterns agree with awsdata and the rules
# ---------------------------------------------------------------------------------------------


def test_every_retention_is_one_cloudwatch_allows() -> None:
    found = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                if key == "retention_days":
                    integer, never, *_ = value["anyOf"]  # days, `never` (no expiry), and null where unset inherits
                    assert integer["enum"] == list(awsdata.LOG_RETENTION_DAYS), path
                    assert never == {"const": "never", "type": "string"}, path
                    found.append(path)
            for key, value in node.items():
                walk(value, f"{path}/{key}")

    walk(_schema(), "#")
    assert len(found) == 3  # logging, functions.<key>.logging (and defaults.logging), logging.access_logs


def test_runtime_examples_are_the_runtimes_awsdata_supported_when_checked() -> None:
    """Completion offers the supported runtimes of awsdata's table as of the day its facts were
    checked: a fixed day, so the committed schema does not go stale with the calendar."""
    assert awsdata.__doc__ and f"Facts checked on {generate.RUNTIMES_AS_OF.isoformat()}" in awsdata.__doc__, "move generate.RUNTIMES_AS_OF"
    runtime = _definitions(_schema())["Function"]["properties"]["runtime"]
    assert "enum" not in runtime, "an enum would flag runtimes AWS adds; E211 judges them"
    supported = {r for r, v in awsdata.RUNTIMES.items() if not v.preview and awsdata.runtime_problem(r, generate.RUNTIMES_AS_OF) is None}
    assert runtime["examples"] == [r for r in awsdata.RUNTIMES if r in supported]
    assert runtime["default"] in runtime["examples"]
    assert not awsdata.PREVIEW_RUNTIMES & set(runtime["examples"])


def test_the_format_version_is_the_supported_one() -> None:
    assert _definitions(_schema())["Service"]["properties"]["apispec"]["enum"] == list(models.SUPPORTED_VERSIONS)


def test_patterns_are_ecma_262() -> None:
    """JSON Schema patterns are ECMA-262 (editors run them as JavaScript `u` regexes): no `\\Z`,
    `\\A`, named groups or inline flags, which only Python has."""
    patterns = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_schema())
    assert len(patterns) >= 9
    for pattern in patterns:
        re.compile(pattern)
        assert not re.search(r"\\[AZz]|\(\?P|\(\?[aiLmsux]", pattern), pattern
        assert pattern.startswith("^"), pattern


def _accepts(snippet: Any) -> bool:
    return bool(_validator().is_valid(_merged(_base(), snippet)))


# The agreement tests try each rule's examples and every text one character away from them (a
# character inserted, replaced or deleted anywhere), which is where a pattern and a regex part if
# they differ. No line breaks: a pattern's `$` also matches before a final "\n", where the rules'
# `\Z` does not, and no YAML key or value of a spec ends in one.
_CHARS = "aAzZ09_-.:*/{}+$ @~!'é\t"


def _neighbours(*seeds: str) -> list[str]:
    found = set(seeds)
    for seed in seeds:
        for at in range(len(seed) + 1):
            found.add(seed[:at] + seed[at + 1 :])
            for char in _CHARS:
                found.add(seed[:at] + char + seed[at:])
                found.add(seed[:at] + char + seed[at + 1 :])
    return sorted(found)


def _disagreements(texts: list[str], schema_accepts: Callable[[str], bool], rule_accepts: Callable[[str], bool]) -> list[str]:
    wrong = [t for t in texts if schema_accepts(t) != rule_accepts(t)]
    return [f"{t!r}: the schema {'accepts' if schema_accepts(t) else 'rejects'} it, the rule does not" for t in wrong[:10]]


def test_function_keys_agree_with_e201() -> None:
    texts = _neighbours("api", "good-key_1", "x9")
    assert not _disagreements(texts, lambda key: _accepts({"functions": {key: {"source": "s"}}}), lambda key: bool(functions_rules._KEY.match(key)))


def test_parameter_names_agree_with_e605() -> None:
    texts = _neighbours("db_name", "x_9")
    assert not _disagreements(texts, lambda name: _accepts({"parameters": {name: {}}}), lambda name: bool(service_rules._PARAMETER_NAME.match(name)))


def test_route_keys_agree_with_e301_and_e302() -> None:
    def rule_accepts(key: str) -> bool:
        return not key_problem(make_route(key, "api"))

    def twice(key: str) -> bool:  # one parameter name twice: rule E302 says it, no pattern can
        route = make_route(key, "api")
        return bool(route.method) and not route.is_default and "appears twice" in (path_problem(route.path) or "")

    seeds = ("$default", "GET /", "POST /orders/{id}", "ANY /files/{path+}", "DELETE /a.b/~c/{x}/z", "OPTIONS /a:b@c!$&'()*,;=", "PUT /{a}/{b+}")
    texts = [t for t in _neighbours(*seeds, *(f"{m} /x" for m in ROUTE_METHODS), *(f"{m.lower()} /x" for m in ROUTE_METHODS)) if not twice(t)]
    assert not _disagreements(texts, lambda key: _accepts({"routes": {key: "api"}}), rule_accepts)


def test_stages_agree_with_e401() -> None:
    texts = [*_neighbours("$default", "prod", "v1_beta-2"), *("s" * n for n in range(126, 131))]
    assert not _disagreements(texts, lambda stage: _accepts({"api": {"stage": stage}}), lambda stage: stage == DEFAULT_STAGE or bool(api_rules._STAGE.match(stage)))


def test_actions_and_sids_agree_with_e217_and_e219() -> None:
    def statement(**keys: Any) -> dict[str, Any]:
        return {"functions": {"api": {"permissions": [{"actions": ["s3:GetObject"], "resources": ["*"], **keys}]}}}

    texts = _neighbours("sqs:SendMessage", "s3:Get*", "execute-api:Invoke", "*")
    assert not _disagreements(texts, lambda action: _accepts(statement(actions=[action])), lambda action: bool(permission_rules.ACTION.match(action)))
    texts = _neighbours("Read1", "A")
    assert not _disagreements(texts, lambda sid: _accepts(statement(sid=sid)), lambda sid: bool(permission_rules._SID.match(sid)))


def test_access_log_fields_agree_with_e405() -> None:
    def fields(name: str, variable: str) -> dict[str, Any]:
        return {"logging": {"access_logs": {"fields": {"id": "$context.requestId", name: variable}}}}

    texts = _neighbours("requestId", "x.y_z-1", "@timestamp", "request id", "cost$")
    assert not _disagreements(texts, lambda name: _accepts(fields(name, "$context.status")), lambda name: bool(api_rules._FIELD_NAME.match(name)))
    seeds = ("$context.requestId", "$context.identity.sourceIp", "$context.authorizer.x", *awsdata.HTTP_API_CONTEXT_PREFIXES)
    texts = [*_neighbours(*seeds), *awsdata.HTTP_API_CONTEXT_VARIABLES]
    assert not _disagreements(texts, lambda variable: _accepts(fields("v", variable)), awsdata.is_http_api_context_variable)


def test_regions_agree_with_e603() -> None:
    texts = [*_neighbours("us-east-1", "eusc-de-east-1", "us-gov-west-1", "us-isob-east-1"), *awsdata.REGIONS, *awsdata.ISOLATED_REGIONS]
    assert not _disagreements(texts, lambda region: _accepts({"region": region}), lambda region: bool(re.match(awsdata.REGION_PATTERN, region)))


@pytest.mark.parametrize("where", ["logging", "access_logs", "defaults", "function"])
def test_retentions_agree_with_e221(where: str) -> None:
    def snippet(days: int) -> dict[str, Any]:
        logging = {"retention_days": days}
        places: dict[str, dict[str, Any]] = {
            "logging": {"logging": logging},
            "access_logs": {"logging": {"access_logs": logging}},
            "defaults": {"defaults": {"logging": logging}},
            "function": {"functions": {"api": {"logging": logging}}},
        }
        return places[where]

    days = sorted({d + step for d in (0, *awsdata.LOG_RETENTION_DAYS, 3700) for step in (-1, 0, 1)})
    assert not _disagreements([str(d) for d in days], lambda d: _accepts(snippet(int(d))), lambda d: int(d) in awsdata.LOG_RETENTION_DAYS)
