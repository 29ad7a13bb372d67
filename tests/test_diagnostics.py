"""Diagnostics as the contract describes them: located, actionable, all at once, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from typer.testing import CliRunner

from bench.bench import alias_bomb, many_problems
from compiler.awsdata import LATEST_RUNTIME
from compiler.cli import app
from compiler.exitcodes import ExitCode
from tests.conftest import ROOT

BAD_SPECS = ROOT / "tests" / "bad_specs"


class ExactBytes(SingleFileSnapshotExtension):
    """One snapshot file per report, compared byte for byte (no re-serialization)."""

    _write_mode = WriteMode.BINARY


LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) (?P<code>[EW]\d{3}): (?P<path>\S.*?): (?P<message>.+)$")
runner = CliRunner()

MINIMAL = """\
service: demo
functions:
  api:
    source: code
    handler: main.handler
routes:
  GET /items/{id}: api
"""
JWT_AUTHORIZER = "    users: {type: jwt, issuer: 'https://auth.example.com', audience: [web]}\n"


def validate(spec: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *extra, str(spec)])
    return result.exit_code, result.stderr if not extra else result.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    return tmp_path


@pytest.mark.parametrize("name", sorted(p.name for p in BAD_SPECS.glob("*.yaml")))
def test_bad_specs_report_every_problem(name: str, snapshot: SnapshotAssertion) -> None:
    """Each broken example's full report, reviewed line by line in the golden file (`warnings-*` ones have no error)."""
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "validate", name], cwd=BAD_SPECS, capture_output=True, text=True, check=False
    )
    assert result.returncode == (ExitCode.OK if name.startswith("warnings-") else ExitCode.INVALID)
    lines = result.stderr.splitlines()
    assert lines and all(LINE.match(line) for line in lines), result.stderr
    positions = [(int(m["line"]), int(m["column"])) for m in map(LINE.match, lines) if m]
    assert positions == sorted(positions)
    assert len(lines) == len(set(lines))
    assert result.stderr.encode() == snapshot.use_extension(ExactBytes)


# (the spec, the expected "line:column code path", a part of the message)
@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        (MINIMAL.replace("    handler: main.handler\n", "    handler: main.handler\n    memroy: 256\n"), "6:5 E101 functions.api.memroy", "did you mean `memory`?"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    timeout: 901\n"), "5:14 E105 functions.api.timeout", "maximum is 900"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    ephemeral_storage: 256\n"), "5:24 E105 functions.api.ephemeral_storage", "minimum is 512"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    env: {QUEUE: x}\n"), "5:5 E101 functions.api.env", "did you mean `environment`?"),
        (MINIMAL.replace("  GET /items/{id}: api", "  GET /items/{id}: {fn: api}"), '7:21 E101 routes["GET /items/{id}"].fn', "did you mean `function`?"),
        (MINIMAL.replace("    handler: main.handler\n", "    handler: main.handler\n    source: again\n"), "6:5 E004 functions.api.source", "duplicate key"),
        (MINIMAL.replace("  GET /items/{id}: api", "  GET /items/{id}: apx"), "7:20 E304 routes[\"GET /items/{id}\"]", "did you mean `api`?"),
        (MINIMAL.replace("  GET /items/{id}: api", "  get /items/{id}: api"), "7:3 E301 routes[\"get /items/{id}\"]", "`GET /items/{id}`"),
        (MINIMAL.replace("service: demo\n", ""), "1:1 E102 service", "missing required key `service`"),
        (MINIMAL + "api:\n  throttling: {burst_limit: 1}\n", "9:3 E102 api.throttling.rate_limit", "missing required key"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    runtime: python3.7\n"), "5:14 E211 functions.api.runtime", "deprecated on 2023-12-04"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    runtime: pyhton3.13\n"), "5:14 E211 functions.api.runtime", "did you mean `python3.13`?"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    runtime: python\n"), "5:14 E211 functions.api.runtime", f"did you mean `{LATEST_RUNTIME['python']}`?"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    runtime: node\n"), "5:14 E211 functions.api.runtime", f"did you mean `{LATEST_RUNTIME['nodejs']}`?"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    runtime: dotnet9\n"), "5:14 E211 functions.api.runtime", "only published as a container base image"),
        (
            MINIMAL + "logging:\n  access_logs:\n    fields: {requestId: $context.requestId, 'cost$': $context.status}\n",
            "10:45 E405 logging.access_logs.fields.cost$",
            "read it as a variable",
        ),
        (
            MINIMAL + "logging:\n  access_logs:\n    fields: {id: $context.requestID}\n",
            "10:18 E405 logging.access_logs.fields.id",
            "did you mean `$context.requestId`?",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    environment: {Q: '${param:queue}'}\n") + "parameters:\n  queues: {}\n",
            "5:22 E612 functions.api.environment.Q",
            "did you mean `queues`?",
        ),
        (MINIMAL.replace("  GET /items/{id}: api", "  GET /items/{id}: api\n  GET /items/{key}: api"), "8:3 E303 routes[\"GET /items/{key}\"]", "cannot tell them apart"),
        (MINIMAL + "  $default: api\n  ANY /$default: api\n", '9:3 E306 routes["ANY /$default"]', "`sam` target would lose one"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    timeout: 60\n"), "5:14 W222 functions.api.timeout", "503 after 30 s"),
        ("region: us-east-1\n" + MINIMAL + "parameters:\n  region: {}\n", "10:3 E701 parameters.region", "terraform variable `region`"),
        (  # resources are named after the deployed name: `worker` deployed as `api` takes `api`'s names
            MINIMAL.replace("routes:", "  worker: {name: api, source: code, handler: main.handler}\nroutes:"),
            "6:3 E701 functions.worker",
            "terraform name `api`, which `functions.api` makes too",
        ),
        (MINIMAL + "api:\n  name: My API (v2)\n", "9:9 E402 api.name", "log group"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    environment: {A: x}\n"), "5:19 E212 functions.api.environment.A", "two characters"),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    environment:\n      QUEUE: ${param:queue\n") + "parameters:\n  queue: {}\n",
            "6:14 E617 functions.api.environment.QUEUE",
            "write `${param:queue}`",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    environment: {QUEUE: '${params:queue}'}\n") + "parameters:\n  queue: {}\n",
            "5:26 E620 functions.api.environment.QUEUE",
            "did you mean `${param:queue}`?",
        ),
        (MINIMAL.replace("    source: code\n", "    source: code\n    role: arn:aws:iam::123456789012:role/${param:name}\n    permissions: [{actions: [s3:GetObject], resources: ['*']}]\n") + "parameters:\n  name: {}\n",
         "6:18 E216 functions.api.permissions", "function `api` uses the existing `role`"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    environment: {REGION: '${AWS::Region}'}\n"), "5:27 W615 functions.api.environment.REGION", "write `${aws:region}`"),
        ("description: " + "x" * 1100 + "\n" + MINIMAL, "1:14 E605 description", "1024"),
        (MINIMAL + "tags: {" + ", ".join(f"t{i}: v" for i in range(50)) + "}\n", "8:1 E606 tags", "50 tags of yours"),
        (MINIMAL + "api:\n  throttling: {burst_limit: 5, rate_limit: 0}\n", "9:44 W409 api.throttling.rate_limit", "429"),
        (MINIMAL + "parameters:\n  secret: {sensitive: true, default: hunter2}\n", "9:38 W614 parameters.secret.default", "deploy time"),
        ('service: demo\nfunctions:\n  api:\n    source: "code\n    handler: main.handler\n', "4:13 E003 (document)", "never closed"),
        ("service: demo\nfunctions:\n\tapi: {}\n", "3:1 E003 (document)", "replace the tab with spaces"),
        ("service: demo\t\n" + MINIMAL.removeprefix("service: demo\n") + "#" + "x" * 5000 + "\n", "1:14 E003 (document)", "replace the tab with spaces"),
        ('service: demo\nfunctions: {api: {source: "code\n', "2:27 E003 (document)", "never closed"),
        ("service: demo\nfunctions: [a, b\n", "2:12 E003 (document)", "never closed"),
        (MINIMAL + "api:\n  cors: {allow_origins: [*]}\n", "9:26 E003 (document)", 'put a value that begins with it in quotes (`"*"`)'),
        (MINIMAL.replace("    handler: main.handler\n", "    handler main.handler\n    timeout: 3\n"), "5:5 E003 (document)", "put a colon and a space after the key"),
        (MINIMAL.replace("  GET /items/{id}: api", "  GET " + "/x" * 600 + ": api"), "7:1207 E003 (document)", "`? <key>` on one line"),
        (MINIMAL + "tags:\n  2024: x\n", "9:3 E004 tags", "the key `2024` is a number"),
        (MINIMAL + 'api:\n  name: ""\n', "9:9 E402 api.name", "0 characters"),
        (MINIMAL + "api:\n  cors: {}\n", "9:3 W411 api.cors", "sets nothing"),
        (MINIMAL + "  OPTIONS /items/{id}: api\napi:\n  cors: {allow_origins: ['*']}\n", "8:3 W307 routes[\"OPTIONS /items/{id}\"]", "answers CORS preflight"),
        (MINIMAL + "api:\n  cors: {allow_origins: ['https://app.example.com/']}\n", "9:26 E412 api.cors.allow_origins[0]", "write `https://app.example.com`"),
        (MINIMAL + "api:\n  cors: {allow_origins: [app.example.com]}\n", "9:26 E412 api.cors.allow_origins[0]", "write `https://app.example.com`"),
        (MINIMAL + "api:\n  cors: {allow_origins: ['https://*.example.com']}\n", "9:26 W413 api.cors.allow_origins[0]", "may match no origin"),
        (MINIMAL + "api:\n  cors: {allow_origins: ['http://localhost:3000 ']}\n", "9:26 E412 api.cors.allow_origins[0]", "not a host name"),
        (MINIMAL + "api:\n  cors: {allow_origins: ['https://']}\n", "9:26 E412 api.cors.allow_origins[0]", "names no host"),
        ("service: demo\nfunctions:\n  api:\n  source: code\n", "4:11 E103 functions.source", "indent it under its key"),
        ("service: demo\nfunctions:\n  - api: {}\n", "3:3 E103 functions", "without `- `"),
        (MINIMAL + "api:\n  cors: {allow_origins: '*'}\n", "9:25 E103 api.cors.allow_origins", 'write a list, e.g. `["*"]`'),
        (MINIMAL.replace("    source: code\n", "    source: code\n    permissions:\n      actions: [s3:GetObject]\n"), "6:7 E103 functions.api.permissions", "start each entry with `- `"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    memory: 1GB\n"), "5:13 E103 functions.api.memory", "write the number alone, in MB"),
        (MINIMAL + "api:\n  cors: {allow_credentials: yes}\n", "9:29 E103 api.cors.allow_credentials", "YAML 1.2 reads `yes` as text: write `true`"),
        (MINIMAL + "api:\n  cors: {allow_credentials: 'true'}\n", "9:29 E103 api.cors.allow_credentials", "write it without quotes"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    environment: {QUEUE: {param:queue}}\n"), "5:26 E103 functions.api.environment.QUEUE", "write `${param:queue}`, with the `$`"),
        (MINIMAL + "api:\n  throttling: {burst_limit: 1, rate_limit: -1}\n", "9:44 E105 api.throttling.rate_limit", "the minimum is 0"),
        (MINIMAL + "parameters:\n  TableArn: {}\n", "9:3 E611 parameters.TableArn", "e.g. `table_arn`"),
        (MINIMAL + 'tags: {team: "${secret:team}"}\n', "8:14 E620 tags.team", "read it at run time"),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    description: 'reads ${param:table}'\n    environment: {TABLE: '${param:table}'}\n")
            + "parameters:\n  table: {}\n",
            "5:18 W618 functions.api.description",
            "stays text here",
        ),
        (MINIMAL + "api:\n  name: 'shop-${param:env}'\nlogging: {access_logs: false}\nparameters:\n  env: {default: dev}\n", "9:9 W618 api.name", "substituted only in"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    environment: {_HANDLER: x}\n"), "5:19 E213 functions.api.environment._HANDLER", "reserved by Lambda"),
        (
            MINIMAL.replace(
                "    source: code\n",
                "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['*'], conditions: {ForAnyValue:StringLik: {aws:TagKeys: [a]}}}]\n",
            ),
            "5:76 E223 functions.api.permissions[0].conditions[\"ForAnyValue:StringLik\"]",
            "did you mean `ForAnyValue:StringLike`?",
        ),
        (MINIMAL.replace("  GET /items/{id}: api", "  $DEFAULT: api"), "7:3 E301 routes.$DEFAULT", "did you mean `$default`?"),
        (MINIMAL.replace("  GET /items/{id}: api", "  GET: api"), "7:3 E301 routes.GET", "add the path"),
        (MINIMAL.replace("  GET /items/{id}: api", "  /items: api"), '7:3 E301 routes["/items"]', "add the method, e.g. `GET /items`"),
        (MINIMAL.replace("  GET /items/{id}: api", '  "GET /items?page=1": api'), '7:3 E302 routes["GET /items?page=1"]', "remove `?page=1`"),
        (MINIMAL.replace("functions:\n", "functions:\n  b:\n    name: demo-api\n    source: code\n    handler: main.handler\n"), "7:3 E204 functions.api", "made from the service prefix"),
        (
            MINIMAL.replace("  api:\n", "".join(f"  f{i}: {{source: code, handler: main.handler}}\n" for i in range(70)) + "  api:\n"),
            "2:1 W410 functions",
            "215 outputs",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    tags: {team: checkout}\n") + "tags: {Team: commerce}\n",
            "5:12 E604 functions.api.tags.team",
            "differ only in case",
        ),
        (MINIMAL + 'tags: {"Apispec:Service": x}\n', "8:8 E604 tags[\"Apispec:Service\"]", "set by apispec"),
        (MINIMAL + "tags: {team: a, Team: b}\n", "8:17 E604 tags.Team", "differ only in case"),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['*'], conditions: {StringEquals: {'no colon': x}}}]\n"),
            '5:91 E223 functions.api.permissions[0].conditions.StringEquals["no colon"]',
            "not an IAM condition key",
        ),
        (MINIMAL + 'parameters:\n  p: {default: "x-${AWS::Region}"}\n', "9:16 E616 parameters.p.default", "cfn-lint E1029"),
        (MINIMAL + 'api:\n  cors: {allow_origins: ["https://${AWS::Region}.example.com"]}\n', "9:26 E616 api.cors.allow_origins[0]", "write it without"),
        (
            MINIMAL.replace(
                "    source: code\n",
                "    source: code\n    permissions:\n"
                + "".join(f"      - {{actions: [dynamodb:GetItem], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t{i:03d}-{'x' * 80}']}}\n" for i in range(80)),
            ),
            "6:7 E225 functions.api.permissions",
            "IAM allows 10,240 per role",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['arn:aws:s3:::b/日本/*']}]\n"),
            "5:57 E225 functions.api.permissions[0].resources[0]",
            "characters IAM refuses",
        ),
        (MINIMAL.replace("    source: code\n", "    source: code\n    runtime: python3.13\n") + "defaults:\n  runtime: pyhton3.12\n", "10:3 W224 defaults.runtime", "never used"),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    role: arn:aws:iam::123456789012:role/x\n")
            + "defaults:\n  permissions: [{actions: [s3:GetObject], resources: ['*']}]\n",
            "5:11 E216 functions.api.role",
            "takes from `defaults`",
        ),
        (MINIMAL.replace("    source: code\n", "    source: code\n    environment: {SEPARATOR: =}\n    memory: 1\n"), "6:13 E105 functions.api.memory", "minimum is 128"),
        (MINIMAL + "parameters:\n  p: {sensitive: !!bool yes}\n", "9:18 E005 parameters.p.sensitive", "write `true` or `false`"),
        (MINIMAL.replace("    source: code\n", "    source: code\n    memory: " + "9" * 5000 + "\n"), "5:13 E105 functions.api.memory", "too large; the maximum is 10240"),
        ("service: 9lives\nfunctions: {}\nroutes:\n  GET /: api\n", "1:10 E602 service", "rename the service"),
        (MINIMAL + "api:\n  throttling: {burst_limit: 1, rate_limit: .inf}\n", "9:44 E105 api.throttling.rate_limit", "not a finite number"),
        (MINIMAL + "parameters:\n  version: {default: v1}\n", "9:3 E611 parameters.version", "Terraform reserves"),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{sid: WriteOwnLogGroup, actions: [s3:GetObject], resources: ['*']}]\n"),
            "5:25 E219 functions.api.permissions[0].sid",
            "generated log statement",
        ),
        (MINIMAL.replace("service: demo", "service: " + "s" * 126), "1:10 E402 service", "set `api.name`"),
        (MINIMAL.replace("service: demo", 'service: "demo\\n"'), "1:10 E602 service", "rename the service"),
        (
            MINIMAL.replace("    handler: main.handler\n", "    handler: main.handler\n    name: Orders\n  other: {source: code, handler: main.handler, name: orders}\n"),
            "7:54 E204 functions.other.name",
            "differ only in case",
        ),
        (MINIMAL.replace("  GET /items/{id}: api", '  "GET /items\\n": api'), '7:3 E301 routes["GET /items\\n"]', "no other blanks"),
        (MINIMAL + "tags: {" + ", ".join(f"t{i}: v" for i in range(49)) + "}\n", "8:1 E606 tags", "keep to 48"),
        (MINIMAL + 'tags: {team: "a\\tb"}\n', "8:14 E604 tags.team", "letters, digits, spaces"),
        (MINIMAL.replace("    source: code\n", "    source: " + "c" * 5000 + "\n"), "4:13 E206 functions.api.source", "cannot be read"),
        (MINIMAL + 'description: "bad \a bell"\n', "8:19 E003 (document)", "unacceptable character"),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: ['s3 Get'], resources: []}]\n"),
            "5:30 E217 functions.api.permissions[0].actions[0]",
            "not an IAM action",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['arn:nope']}]\n"),
            "5:57 E218 functions.api.permissions[0].resources[0]",
            "not an ARN",
        ),
        (
            MINIMAL.replace(
                "    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['*'], conditions: {StringEqual: {aws:SourceAccount: '1'}}}]\n"
            ),
            "5:76 E223 functions.api.permissions[0].conditions.StringEqual",
            "did you mean `StringEquals`?",
        ),
        (
            MINIMAL.replace(
                "    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject], resources: ['*'], conditions: {ArnLike: {aws:SourceArn: '${param:topc}'}}}]\n"
            )
            + "parameters:\n  topic: {}\n",
            "5:101 E612 functions.api.permissions[0].conditions.ArnLike[\"aws:SourceArn\"]",
            "did you mean `topic`?",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: ['*'], resources: ['*']}]\n"),
            "5:30 W230 functions.api.permissions[0].actions[0]",
            "every action of every AWS service",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: [sqs:SendMessage, 'sqs:*'], resources: ['*']}]\n"),
            "5:47 W230 functions.api.permissions[0].actions[1]",
            "list the `sqs:` actions the function calls",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: [s3:GetObject, s3:ListAllMyBuckets], resources: ['*']}]\n"),
            "5:78 W231 functions.api.permissions[0].resources[0]",
            "`*` grants `s3:GetObject` on every matching resource",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    permissions: [{actions: [iam:PassRole], resources: ['*']}]\n"),
            "5:30 W232 functions.api.permissions[0].actions[0]",
            "list the ARNs of the roles it passes",
        ),
        (
            MINIMAL.replace("    source: code\n", "    source: code\n    environment: {DB_PASSWORD: '${param:db_password}'}\n")
            + "parameters:\n  db_password: {sensitive: true}\n",
            "5:32 W619 functions.api.environment.DB_PASSWORD",
            "read it at run time",
        ),
        # authorizers (format v1.1, A)
        (MINIMAL + "api:\n  authorizers:\n    none: {type: iam}\n", "10:5 E420 api.authorizers.none", "give the authorizer another name"),
        (MINIMAL + "api:\n  authorizers:\n    users: {type: jwt, issuer: 'https://auth.example.com'}\n", "10:5 E421 api.authorizers.users", "a `jwt` authorizer needs `audience`"),
        (MINIMAL + "api:\n  authorizers:\n    users: {type: iam, ttl: 60}\n", "10:24 E421 api.authorizers.users.ttl", "not a key of an `iam` authorizer"),
        (MINIMAL + "api:\n  authorizers:\n    users: {type: jwt, issuer: 'http://auth.example.com', audience: [web]}\n", "10:32 E421 api.authorizers.users.issuer", "`https://` URL"),
        (MINIMAL + "api:\n  authorizers:\n    gate: {type: lambda, function: api2}\n", "10:36 E422 api.authorizers.gate.function", "did you mean `api`?"),
        (
            MINIMAL + "api:\n  authorizers:\n    gate: {type: lambda, function: api, identity_sources: [x-api-key]}\n",
            "10:60 E423 api.authorizers.gate.identity_sources[0]",
            "write `$request.header.x-api-key`",
        ),
        (MINIMAL + "api:\n  authorizers:\n    gate: {type: lambda, function: api, ttl: 300}\n", "10:46 E424 api.authorizers.gate.ttl", "needs `identity_sources`"),
        (
            MINIMAL + "api:\n  authorizers:\n    gate: {type: lambda, function: api, payload_format: '1.0', simple_responses: true}\n",
            "10:82 E425 api.authorizers.gate.simple_responses",
            'only with `payload_format: "2.0"`',
        ),
        (
            MINIMAL.replace("  GET /items/{id}: api", "  GET /items/{id}: {function: api, authorizer: user}") + "api:\n  authorizers:\n" + JWT_AUTHORIZER,
            '7:48 E426 routes["GET /items/{id}"].authorizer',
            "did you mean `users`?",
        ),
        (MINIMAL + "api:\n  default_authorizer: user\n  authorizers:\n" + JWT_AUTHORIZER, "9:23 E427 api.default_authorizer", "did you mean `users`?"),
        (
            MINIMAL.replace("  GET /items/{id}: api", "  GET /items/{id}: {function: api, scopes: [read]}") + "api:\n  authorizers:\n    signed: {type: iam}\n",
            '7:44 E428 routes["GET /items/{id}"].scopes',
            "only a `jwt` authorizer checks scopes",
        ),
        (MINIMAL + "  OPTIONS /items: api\napi:\n  default_authorizer: users\n  authorizers:\n" + JWT_AUTHORIZER, '8:3 W429 routes["OPTIONS /items"]', "set `authorizer: none`"),
        (
            MINIMAL + "api:\n  authorizers:\n    a-b: {type: jwt, issuer: 'https://x.example.com', audience: [web]}\n    a_b: {type: jwt, issuer: 'https://x.example.com', audience: [web]}\n",
            "11:5 E701 api.authorizers.a_b",
            "logical id `ABAuthorizer`",
        ),
    ],
)
def test_each_problem_points_at_the_right_place(project: Path, spec: str, where: str, message: str) -> None:
    (project / "service.yaml").write_text(spec)
    code, output = validate(project / "service.yaml")
    found = [m for m in map(LINE.match, output.splitlines()) if m]
    summary = [f"{m['line']}:{m['column']} {m['code']} {m['path']}" for m in found]
    assert where in summary, output
    assert message in found[summary.index(where)]["message"]
    assert code == (ExitCode.OK if where.split()[1].startswith("W") else ExitCode.INVALID)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("def handler(event, context):\n    return {}\n", None),
        ("from impl import handler\n", None),
        ("import impl as handler\n", None),
        ("handler = lambda event, context: {}\n", None),
        ("class handler:\n    pass\n", None),
        ("from impl import *\n", None),
        ("try:\n    from fast import handler\nexcept ImportError:\n    def handler(event, context):\n        return {}\n", None),
        ("import os\nif os.environ.get('X'):\n    handler = lambda e, c: 1\nelse:\n    def handler(event, context):\n        return 2\n", None),
        ("handler, other = (lambda e, c: 1), None\n", None),
        ("def make():\n    def handler(event, context):\n        return {}\n", "no top-level `handler`"),
        ("async def handler(event, context):\n    return {}\n", "`async def`"),
        ("def handler(event, context:\n", "syntax error at line 1"),
        ("def other(event, context):\n    return {}\n", "no top-level `handler`"),
        ("def handle(event, context):\n    return {}\n", "(did you mean `handle`?)"),
    ],
)
def test_python_handler_is_read_not_guessed(project: Path, code: str, problem: str | None) -> None:
    (project / "code" / "main.py").write_text(code)
    (project / "service.yaml").write_text(MINIMAL)
    _, output = validate(project / "service.yaml")
    warnings = [line for line in output.splitlines() if " W209: " in line]
    if problem is None:
        assert warnings == []
    else:
        (warning,) = warnings
        assert problem in warning


@pytest.mark.parametrize(
    ("runtime", "handler", "problem"),
    [
        ("python3.13", "main.handler", None),
        ("python3.13", "pkg/main.handler", None),  # Python's runtime reads `pkg/main` as `pkg.main`
        ("python3.13", "pkg.main.handler", None),
        ("python3.13", "main", "must be `module.function`"),
        ("python3.13", "pkg/other.handler", "E208"),
        ("python3.13", "main.py.handler", "without `.py`: `main.handler`"),
        ("nodejs22.x", "src/handlers/app.lambdaHandler", None),
        ("nodejs22.x", "index.handler", None),
        ("nodejs22.x", "index", "must be `file.export`"),
        ("ruby3.4", "app.Handler.process", None),
        ("provided.al2023", "bootstrap", None),
        ("provided.al2023", "boot strap", "must not contain spaces"),
    ],
)
def test_handlers_take_each_runtime_s_form(project: Path, runtime: str, handler: str, problem: str | None) -> None:
    (project / "code" / "pkg").mkdir()
    (project / "code" / "pkg" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    spec = MINIMAL.replace("    handler: main.handler\n", f"    handler: {handler}\n    runtime: {runtime}\n")
    (project / "service.yaml").write_text(spec)
    _, output = validate(project / "service.yaml")
    found = [line for line in output.splitlines() if ".handler:" in line]
    if problem is None:
        assert found == [], output
    else:
        (line,) = found
        assert problem in line


@pytest.mark.parametrize(
    ("message", "shortened"),
    [
        ("`" + "x" * 300 + "` is not a route method", "`" + "x" * 57 + "...` is not a route method"),
        ("uses the existing `role`, " + "so " * 60 + "remove it from `defaults`", "uses the existing `role`, " + "so " * 60 + "remove it from `defaults`"),
    ],
)
def test_long_values_are_cut_in_messages_but_never_the_words(message: str, shortened: str) -> None:
    from compiler.diagnostics import shorten

    assert shorten(message) == shortened


def test_json_format_has_the_fields_the_cli_page_names(project: Path) -> None:
    (project / "service.yaml").write_text(MINIMAL.replace("    source: code\n", "    source: code\n    memory: 64\n"))
    code, output = validate(project / "service.yaml", "--format", "json")
    assert code == ExitCode.INVALID
    (problem,) = json.loads(output)
    assert problem == {
        "file": str(project / "service.yaml"),
        "line": 5,
        "column": 13,
        "severity": "error",
        "code": "E105",
        "path": "functions.api.memory",
        "message": "`64` is too small; the minimum is 128",
    }


def _deep(depth: int) -> str:
    return "service: x\nfunctions: " + "[" * depth + "]" * depth + "\n"


NASTY: dict[str, bytes] = {
    "empty": b"",
    "only a comment": b"# nothing here\n",
    "binary": bytes(range(256)),
    "latin-1": "service: caf\xe9\n".encode("latin-1"),
    "a list at the top": b"- service: x\n",
    "a scalar at the top": b"just text\n",
    "tabs": b"service: x\nfunctions:\n\tapi: {}\n",
    "string where a mapping belongs": b"service: x\nfunctions: api\n",
    "huge numbers": b"service: x\nfunctions:\n  a: {source: c, handler: m.h, memory: 1e400, timeout: 123456789012345678901234567890}\n",
    "deep nesting": _deep(5000).encode(),
    "python tag": b"service: !!python/object/apply:os.system ['echo pwned > /tmp/apispec-pwned']\nfunctions: {}\n",
    "custom tag": b"service: !Ref x\nfunctions: {}\n",
    "alias bomb": alias_bomb().encode(),
    "two documents": b"service: a\n---\nservice: b\n",
    "unclosed quote": b'service: "x\nfunctions: {}\n',
    "null keys": b"service: x\n? [a, b]\n: c\nfunctions: {}\n",
    "numbers as keys": b"service: x\nfunctions:\n  1: {}\n",
    "nul byte": b"service: x\x00\nfunctions: {}\n",
    "bom": b"\xef\xbb\xbfservice: x\nfunctions: {}\n",
    "anchors and merge": b"base: &b {source: c}\nservice: x\nfunctions:\n  a:\n    <<: *b\n    handler: m.h\n",
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nothing_makes_a_traceback(tmp_path: Path, name: str) -> None:
    spec = tmp_path / "service.yaml"
    spec.write_bytes(NASTY[name])
    result = subprocess.run([sys.executable, "-m", "compiler", "validate", str(spec)], capture_output=True, text=True, check=False, timeout=600)  # a hang guard
    assert result.returncode == ExitCode.INVALID, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert lines
    total_lines = max(1, NASTY[name].count(b"\n") + 1)
    for line in lines:
        match = LINE.match(line)
        assert match, line
        assert 1 <= int(match["line"]) <= total_lines and int(match["column"]) >= 1
    assert not Path("/tmp/apispec-pwned").exists()


def _long_text_bomb() -> str:
    routes = "".join(f"  GET /r{i}: *b\n" for i in range(1000))
    return f'service: x\nz: &b "{"x" * 100_000}"\nfunctions:\n  fn: {{source: c, handler: m.h}}\nroutes:\n{routes}'


@pytest.mark.parametrize("bomb", [alias_bomb, _long_text_bomb])
def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path, bomb: Callable[[], str]) -> None:
    """Refused as soon as what it expands to passes the limit, with nothing read (how fast: `bench/bench.py`)."""
    from compiler.loader import load

    spec = tmp_path / "service.yaml"
    spec.write_text(bomb())
    document = load(spec)
    assert [f.code for f in document.findings] == ["E006"]
    assert document.data is None


def test_thousands_of_problems_are_all_reported(project: Path) -> None:
    """Every one of 6,000 problems, each once (what they cost: `bench/bench.py`; grouping them was quadratic)."""
    (project / "service.yaml").write_text(many_problems(2000))
    code, output = validate(project / "service.yaml")
    assert code == ExitCode.INVALID
    errors = [line for line in output.splitlines() if ": error " in line]
    assert len(errors) == len(set(errors)) == 6000
    spec = project / "service.yaml"
    assert errors[:3] == [
        f"{spec}:3:53: error E105: functions.f0.memory: `1` is too small; the minimum is 128",
        f"{spec}:3:81: error E103: functions.f0.permissions[0].actions[0]: expected text, got `5`; put it in quotes to keep it as text",
        f"{spec}:3:84: error E103: functions.f0.permissions[0].actions[1]: expected text, got `6`; put it in quotes to keep it as text",
    ]


# A broken element is pruned (or replaced by a stand-in) and the rest of the file is still checked,
# with every later list item at its own position.
SALVAGED = {
    "items after a bad one keep their positions": (
        """\
service: demo
parameters:
  queue_url:
functions:
  api:
    source: code
    handler: main.handler
    environment: {QUEUE_URL: "${param:queue_url}"}
    permissions:
      - actions: [5, BAD, "s3:x"]
        resources: [7, "nope", "${param:zz}"]
      - oops
      - {sid: A1, actions: ["s3:x"], resources: ["*"]}
      - {sid: A1, actions: ["s3:x"], resources: ["*"]}
""",
        [
            "3:3 E103 parameters.queue_url",
            "10:19 E103 functions.api.permissions[0].actions[0]",
            "10:22 E217 functions.api.permissions[0].actions[1]",
            "11:21 E103 functions.api.permissions[0].resources[0]",
            "11:24 E218 functions.api.permissions[0].resources[1]",
            "11:32 E612 functions.api.permissions[0].resources[2]",
            "12:9 E103 functions.api.permissions[1]",
            "13:50 W231 functions.api.permissions[2].resources[0]",  # `s3:x`: an S3 action not known to take no resource
            "14:15 E219 functions.api.permissions[3].sid",
            "14:50 W231 functions.api.permissions[3].resources[0]",
        ],
    ),
    "no service": (
        "functions:\n  api: {source: code/nope, handler: main.handler, runtime: python3.7}\nroutes:\n  get /x: apx\n",
        ["1:1 E102 service", "2:17 E206 functions.api.source", "2:60 E211 functions.api.runtime", '4:3 E301 routes["get /x"]', '4:11 E304 routes["get /x"]'],
    ),
    "values with YAML tags": (
        "service: !Ref demo\nfunctions:\n  api: {source: code, handler: main.handler, timeout: !Sub x, memroy: 1}\n",
        ["1:10 E005 service", "3:55 E005 functions.api.timeout", "3:63 E101 functions.api.memroy", "3:71 E105 functions.api.memory"],
    ),
    "one mistake, one line": (
        "service: demo\nfunction:\n  api: {source: code, handler: main.handler}\n"
        "logging:\n  access_logs:\n    fields: {requestId: $context.RequestId}\n",
        ["2:1 E101 function", "6:25 E405 logging.access_logs.fields.requestId"],  # not also: missing `functions`, no request id
    ),
    "a misspelt parameter is not also unused": (
        'service: demo\nparameters:\n  queue_url: {}\nfunctions:\n  api: {source: code, handler: main.handler, environment: {Q1: "${param:QUEUE_URL}"}}\n',
        ["5:64 E612 functions.api.environment.Q1"],
    ),
    "a reference written without `param:` is not also unused": (
        'service: demo\nparameters:\n  queue_url: {}\nfunctions:\n  api: {source: code, handler: main.handler, environment: {Q1: "${queue_url}"}}\n',
        ["5:64 W615 functions.api.environment.Q1"],
    ),
    "an unclosed reference is not also unused, nor a bad role": (
        "service: demo\nparameters:\n  role: {}\nfunctions:\n  api:\n    source: code\n    handler: main.handler\n    role: ${param:role\n",
        ["8:11 E617 functions.api.role"],
    ),
    "a parameter used by the name E611 suggests is not also undeclared": (
        'service: demo\nparameters:\n  queue-url: {}\nfunctions:\n  api: {source: code, handler: main.handler, environment: {Q1: "${param:queue_url}"}}\n',
        ["3:3 E611 parameters.queue-url"],
    ),
    "an invalid function key is not also an invalid generated name": (
        "service: demo\nfunctions:\n  my api: {source: code, handler: main.handler}\n",
        ['3:3 E201 functions["my api"]'],
    ),
    "routes that are all invalid": (
        "service: demo\nfunctions:\n  api: {source: code, handler: main.handler}\nroutes:\n  GET /a: 42\napi:\n  stage: v1\n",
        ['5:11 E103 routes["GET /a"]'],  # and no W404 "there are no routes"
    ),
    "parameters that are not a mapping do not make their uses undeclared": (
        'service: demo\nparameters: [queue]\nfunctions:\n  api: {source: code, handler: main.handler, environment: {QUEUE: "${param:queue}"}}\n',
        ["2:13 E103 parameters"],
    ),
    "functions that are not a mapping do not leave parameters unused": (
        "service: demo\nparameters:\n  queue: {}\nfunctions:\n  - api: {source: code, handler: main.handler}\n",
        ["5:3 E103 functions"],
    ),
    "a statement removed for a missing key still uses its parameters": (
        'service: demo\nparameters:\n  queue: {}\nfunctions:\n  api:\n    source: code\n    handler: main.handler\n'
        '    permissions:\n      - resources: ["${param:queue}"]\n',
        ["9:9 E102 functions.api.permissions[0].actions"],
    ),
    "routes that are not a mapping are not no routes": (
        "service: demo\nfunctions:\n  api: {source: code, handler: main.handler}\nroutes:\n  - GET /a: api\napi:\n  stage: v1\n",
        ["5:3 E103 routes"],  # and no W404 "there are no routes"
    ),
    "cors with an invalid setting does not set nothing": (
        "service: demo\nfunctions:\n  api: {source: code, handler: main.handler}\nroutes:\n  GET /a: api\napi:\n  cors: {allow_origins: '*'}\n",
        ["7:25 E103 api.cors.allow_origins"],  # not also W411 "`cors` sets nothing"
    ),
    "a log format written wrong is not `Text`": (
        "service: demo\nfunctions:\n  api: {source: code, handler: main.handler, logging: {system_level: WARN}}\n"
        "logging:\n  format: json\n  application_level: INFO\n",
        ["5:11 E104 logging.format"],  # not also: each level "needs `format: JSON`"
    ),
    "a misspelt key is read as the key it stands for": (
        "service: demo\nparameter:\n  queue: {}\ndefault:\n  memory: 64\nfunctions:\n"
        '  api: {sources: code, handler: main.handler, environment: {QUEUE: "${param:queue}"}}\nroute:\n  GET /a: api\napi:\n  stage: v1\n',
        # not also: `source` missing, `${param:queue}` undeclared, "no routes"; but what the misspelt keys hold is checked
        ["2:1 E101 parameter", "4:1 E101 default", "5:11 E105 defaults.memory", "7:9 E101 functions.api.sources", "8:1 E101 route"],
    ),
    "a misspelling of a key that is there is not read as it": (
        "service: demo\nfunctions:\n  api: {source: code, handler: main.handler, memory: 1, memroy: 2}\n",
        ["3:54 E105 functions.api.memory", "3:57 E101 functions.api.memroy"],
    ),
    "functions that are not a mapping": (
        "service: 5\nregion: nowhere\nfunctions: []\n",
        ["1:10 E103 service", "2:9 E603 region", "3:12 E103 functions"],
    ),
}


@pytest.mark.parametrize("name", sorted(SALVAGED))
def test_the_rest_of_a_broken_file_is_still_checked(project: Path, name: str) -> None:
    spec, expected = SALVAGED[name]
    (project / "service.yaml").write_text(spec)
    _, output = validate(project / "service.yaml")
    found = [f"{m['line']}:{m['column']} {m['code']} {m['path']}" for m in map(LINE.match, output.splitlines()) if m]
    assert found == expected, output


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["validate", "no-such.yaml"], "no such file"),
        (["validate", "."], "is a directory"),
        (["validate", "/dev/null"], "is not a regular file"),
        (["build", "--frobnicate", "x"], "No such option"),
    ],
)
def test_usage_errors(arguments: list[str], expected: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == ExitCode.USAGE
    assert expected in result.stderr + result.stdout


def test_every_file_is_reported_in_one_run() -> None:
    names = sorted(p.name for p in BAD_SPECS.glob("*.yaml"))
    result = subprocess.run([sys.executable, "-m", "compiler", "validate", *names], cwd=BAD_SPECS, capture_output=True, text=True, check=False)
    reported = {line.split(":", 1)[0] for line in result.stderr.splitlines()}
    assert reported == set(names)



def test_an_unreadable_file_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.loader import load

    spec = tmp_path / "service.yaml"
    spec.write_text(MINIMAL)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    document = load(spec)
    assert [(f.code, f.at, f.message) for f in document.findings] == [("E001", (1, 1), "cannot read the file: Permission denied")]


def test_validate_keeps_heavy_modules_off_its_path() -> None:
    """`apispec validate` runs on every commit: no cfn-lint, SAM translator, jsonschema, pydantic models or backends,
    nor hashlib (OpenSSL: milliseconds to import), which only names past length limits and twin routes need."""
    probe = (
        "import sys\n"
        "from compiler.cli import main\n"
        f"sys.argv = ['apispec', 'validate', {str(ROOT / 'specs' / 'shop' / 'service.yaml')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "heavy = ('cfnlint', 'samtranslator', 'jsonschema', 'pydantic.main', 'compiler.backends', 'compiler.serve', 'hashlib')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "text",
    [pytest.param((ROOT / "specs" / n / "service.yaml").read_text(), id=n) for n in ("tutorial", "shop")]
    + [pytest.param(p.read_text(), id=p.name) for p in sorted(BAD_SPECS.glob("*.yaml"))]
    + [pytest.param(v.decode("utf-8", "replace"), id=k) for k, v in sorted(NASTY.items())],
)
def test_fast_and_pure_parsers_read_the_same(text: str) -> None:
    """libyaml's parser and ruamel's YAML 1.2 parser give the same data, positions and findings."""
    from ruamel.yaml import YAML

    from compiler.loader import load_text

    assert YAML(typ="safe", pure=False).Parser.__name__ == "CParser", "ruamel.yaml.clib is a dependency"

    padded = text + "\n" + "#" * 5000 + "\n"  # long enough for the fast path
    fast, pure = load_text(padded, Path("s.yaml")), load_text(padded, Path("s.yaml"), fast=False)
    assert (fast.data, fast.positions, fast.findings) == (pure.data, pure.positions, pure.findings)


def test_access_log_field_names_are_any_json_key(project: Path) -> None:
    fields = "{'@timestamp': $context.requestTime, request id: $context.requestId, user.ip: $context.identity.sourceIp}"
    (project / "service.yaml").write_text(MINIMAL + f"logging:\n  access_logs:\n    fields: {fields}\n")
    code, output = validate(project / "service.yaml")
    assert code == ExitCode.OK, output


@pytest.mark.parametrize("origin", ["*", "https://*", "http://*", "https://app.example.com", "http://localhost:3000", "http://[::1]:8080", "null"])
def test_origins_as_api_gateway_takes_them(project: Path, origin: str) -> None:
    (project / "service.yaml").write_text(MINIMAL + f"api:\n  cors: {{allow_origins: ['{origin}']}}\n")
    code, output = validate(project / "service.yaml")
    assert code == ExitCode.OK, output


@pytest.mark.parametrize(
    "role",
    ["arn:aws:iam::${param:account}:role/runner", "arn:aws:iam::123456789012:role/${param:account}", "${param:account}"],
)
def test_role_arns_may_hold_parameters_anywhere(project: Path, role: str) -> None:
    spec = MINIMAL.replace("    source: code\n", f"    source: code\n    role: '{role}'\n") + "parameters:\n  account: {}\n"
    (project / "service.yaml").write_text(spec)
    code, output = validate(project / "service.yaml")
    assert code == ExitCode.OK, output


@pytest.mark.parametrize(
    ("operator", "valid"),
    [
        ("StringEquals", True),
        ("ForAnyValue:StringLikeIfExists", True),
        ("ForAllValues:Null", True),
        ("DateLessThanEqualsIfExists", True),
        ("NullIfExists", False),
        ("ForAllValues:ForAnyValue:StringEquals", False),
        ("StringEqualsIfExistsIfExists", False),
        ("IfExists", False),
    ],
)
def test_condition_operators_take_iam_s_qualifiers(project: Path, operator: str, valid: bool) -> None:
    permission = f"    permissions: [{{actions: [s3:GetObject], resources: ['*'], conditions: {{'{operator}': {{aws:TagKeys: [a]}}}}}}]\n"
    (project / "service.yaml").write_text(MINIMAL.replace("    source: code\n", "    source: code\n" + permission))
    code, output = validate(project / "service.yaml")
    assert (code == ExitCode.OK) is valid, output
    assert ("E223" in output) is not valid


def test_a_lone_surrogate_is_refused_where_it_stands(project: Path) -> None:
    (project / "service.yaml").write_text(MINIMAL + 'tags: {team: "caf\\xe9 \\ud800"}\n')
    code, output = validate(project / "service.yaml")
    assert code == ExitCode.INVALID
    assert ":8:14: error E002: tags.team: " in output and "surrogate" in output


def test_a_spec_named_twice_is_checked_once(project: Path, tmp_path: Path) -> None:
    """pre-commit passes the staged spec after `args` that may name it too."""
    spec = project / "service.yaml"
    spec.write_text(MINIMAL.replace("    source: code\n", "    source: code\n    timeout: 60\n"))
    result = runner.invoke(app, ["validate", str(spec), str(spec)])
    assert result.exit_code == ExitCode.OK
    assert len(result.stderr.splitlines()) == 1
    out = str(tmp_path / "out")
    assert runner.invoke(app, ["build", str(spec), "--out", out]).exit_code == ExitCode.OK
    assert runner.invoke(app, ["build", "--check", "--out", out, str(spec), str(spec)]).exit_code == ExitCode.OK


def test_a_too_long_spec_path_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate", "x" * 300 + ".yaml"])
    assert result.exit_code == ExitCode.USAGE


def test_non_utf8_column_counts_characters(tmp_path: Path) -> None:
    from compiler.loader import load

    spec = tmp_path / "service.yaml"
    spec.write_bytes("service: café \xe9\n".encode().replace(b"\xc3\xa9\n", b"\xe9\n"))
    (finding,) = load(spec).findings
    assert finding.code == "E002" and finding.at == (1, 15)


@pytest.mark.parametrize(("extra", "refused"), [(0, False), (1, True)])
def test_the_environment_is_measured_as_lambda_measures_it(project: Path, extra: int, refused: bool) -> None:
    """Lambda measures the variables as one compact JSON object (its refusal quotes it: `String measured:
    {"NAME":"value",...}`), so names and values of 4096 bytes alone are already past the limit."""
    variables = {f"VAR_{i:02d}": "v" * 90 for i in range(38)}
    variables["LAST"] = ""
    variables["LAST"] = "é" + "p" * (4096 - len(json.dumps(variables, ensure_ascii=False, separators=(",", ":")).encode()) - 2 + extra)
    assert sum(len(k) + len(v.encode()) for k, v in variables.items()) < 4096
    lines = "".join(f"      {name}: {value}\n" for name, value in variables.items())
    (project / "service.yaml").write_text(MINIMAL.replace("    source: code\n", f"    source: code\n    environment:\n{lines}"))
    code, output = validate(project / "service.yaml")
    if refused:
        assert code == ExitCode.INVALID
        assert ":5:5: error E214: functions.api.environment: the environment takes 4097 bytes as Lambda measures it" in output, output
    else:
        assert code == ExitCode.OK, output


# -- format 1.1, section A: the API surface --------------------------------------------------------

SURFACE = """\
service: demo
region: eu-west-1
functions:
  api:
    source: code
    handler: main.handler
routes:
  GET /items/{id}: api
"""
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"


def _api(extra: str) -> str:
    return SURFACE + "api:\n" + extra


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        (SURFACE.replace(": api\n", ': {function: api, url: "https://x.example.com/"}\n'), '8:41 E440 routes["GET /items/{id}"].url', "not both"),
        (SURFACE.replace(": api\n", ": {timeout_ms: 100}\n"), '8:3 E440 routes["GET /items/{id}"]', "give the route a `function`"),
        (
            SURFACE.replace(": api\n", ': {url: "https://x.example.com/", payload_format: "1.0"}\n'),
            '8:68 E440 routes["GET /items/{id}"].payload_format',
            "sends the request as it came",
        ),
        (SURFACE.replace(": api\n", ': {url: "ftp://x.example.com/"}\n'), '8:26 E441 routes["GET /items/{id}"].url', "not a URL API Gateway can proxy to"),
        (
            SURFACE.replace(": api\n", ': {url: "https://x.example.com/{item}"}\n'),
            '8:26 E441 routes["GET /items/{id}"].url',
            "`{item}` is not a path parameter of `GET /items/{id}` (its parameters: `{id}`)",
        ),
        (SURFACE.replace(": api\n", ": {function: api, timeout_ms: 49}\n"), '8:48 E105 routes["GET /items/{id}"].timeout_ms', "minimum is 50"),
        (
            SURFACE.replace(": api\n", ": {function: api, throttling: {burst_limit: 1, rate_limit: 0}}\n"),
            '8:77 W442 routes["GET /items/{id}"].throttling.rate_limit',
            "reject every request of this route",
        ),
        (_api(f"  domain: {{name: API.example, certificate_arn: '{CERTIFICATE}'}}\n"), "10:18 E443 api.domain.name", "not a domain name"),
        (
            _api("  domain: {name: api.example.com, certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc'}\n"),
            "10:52 E444 api.domain.certificate_arn",
            "the certificate is in `us-east-1`, the API in `eu-west-1`",
        ),
        (_api("  domain: {name: api.example.com, certificate_arn: 'arn:aws:iam::123456789012:x'}\n"), "10:52 E444 api.domain.certificate_arn", "not an ACM certificate ARN"),
        (_api(f"  domain: {{name: api.example.com, certificate_arn: '{CERTIFICATE}', base_path: /v1}}\n"), "10:117 E445 api.domain.base_path", "without a leading or trailing `/`"),
        (
            _api(f"  domain: {{name: api.example.com, certificate_arn: '{CERTIFICATE}', mtls_truststore_uri: 'https://b/t.pem'}}\n"),
            "10:127 E446 api.domain.mtls_truststore_uri",
            "`s3://<bucket>/<key>`",
        ),
        (
            _api(f"  domain: {{name: api.example.com, certificate_arn: '{CERTIFICATE}', hosted_zone_id: zone1}}\n"),
            "10:122 E447 api.domain.hosted_zone_id",
            "not a Route 53 hosted zone id",
        ),
        (_api(f"  domain: {{name: api.example.com, certificate_arn: '{CERTIFICATE}', ip_address_type: ipv6}}\n"), "10:123 E104 api.domain.ip_address_type", "`dualstack`"),
        (_api("  disable_default_endpoint: true\n"), "10:29 W448 api.disable_default_endpoint", "no client can reach the API"),
        (
            SURFACE + "logging:\n  access_logs: {destination_arn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/x'}\n",
            "10:34 E449 logging.access_logs.destination_arn",
            "HTTP APIs log only to CloudWatch Logs (Firehose is for REST APIs)",
        ),
        (
            SURFACE + "logging:\n  access_logs: {destination_arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:x', retention_days: 30}\n",
            "10:85 E449 logging.access_logs.retention_days",
            "no log group is generated",
        ),
        (SURFACE + "logging:\n  access_logs: {log_group: 'api access'}\n", "10:28 E450 logging.access_logs.log_group", "letters, digits and `. - _ / #`"),
        (
            SURFACE + "logging:\n  access_logs:\n    fields: {id: $context.requestId, deep: {status: $context.statuss}}\n",
            "11:53 E405 logging.access_logs.fields.deep.status",
            "did you mean `$context.status`?",
        ),
        (SURFACE + "logging:\n  kms_key_arn: alias/logs\n", "10:16 E451 logging.kms_key_arn", "not an alias"),
        (
            SURFACE.replace("    handler: main.handler\n", "    handler: main.handler\n    logging: {kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:key/abc'}\n"),
            "7:28 E451 functions.api.logging.kms_key_arn",
            "the key is in `us-east-1`",
        ),
        (SURFACE + "logging:\n  retention_days: forever\n", "10:19 E104 logging.retention_days", "`never`"),
    ],
)
def test_each_api_surface_problem_points_at_the_right_place(project: Path, spec: str, where: str, message: str) -> None:
    (project / "service.yaml").write_text(spec)
    code, output = validate(project / "service.yaml")
    found = [m for m in map(LINE.match, output.splitlines()) if m]
    summary = [f"{m['line']}:{m['column']} {m['code']} {m['path']}" for m in found]
    assert where in summary, output
    assert message in found[summary.index(where)]["message"]
    assert code == (ExitCode.OK if where.split()[1].startswith("W") else ExitCode.INVALID)


def test_the_api_surface_keys_validate_together(project: Path) -> None:
    """Every key of section A at once, as the format page writes them: no finding."""
    spec = SURFACE.replace(": api\n", ": {function: api, timeout_ms: 5000, payload_format: '1.0', throttling: {burst_limit: 5, rate_limit: 2}}\n")
    spec += '  GET /old/{proxy+}: {url: "https://old.example.com/{proxy}"}\n'
    spec += f"api:\n  detailed_metrics: true\n  disable_default_endpoint: true\n  domain: {{name: api.example.com, certificate_arn: '{CERTIFICATE}', base_path: v1, "
    spec += "hosted_zone_id: Z0123456789ABCDEFGHIJ, mtls_truststore_uri: 's3://trust-bucket/ca.pem', ip_address_type: dualstack}\n"
    spec += "logging:\n  retention_days: never\n  kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/abc\n"
    spec += "  access_logs: {log_group: my-api-access, fields: {id: $context.requestId, route: {key: $context.routeKey}}}\n"
    (project / "service.yaml").write_text(spec)
    assert validate(project / "service.yaml") == (ExitCode.OK, "")
