"""`apispec routes`: the routes in API Gateway's matching order, as text, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from compiler.cli import app

runner = CliRunner()

SPEC = """\
service: shop
region: eu-west-1
api:
  stage: v1
functions:
  orders:
    source: code
    handler: app.handler
  files:
    source: code
    handler: app.handler
routes:
  $default: files
  GET /files/{proxy+}: files
  ANY /orders/{id}: orders
  GET /orders/{id}: orders
  GET /orders/latest: orders
"""


def write_spec(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    spec = tmp_path / "service.yaml"
    spec.write_text(SPEC)
    return spec


def test_text(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_spec(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "API shop-api (stage v1)\n"
        "  https://<api-id>.execute-api.eu-west-1.amazonaws.com/v1\n"
        "\n"
        "ROUTE                TARGET  AUTHORIZER  THROTTLING  TIMEOUT\n"
        "GET /orders/latest   orders  -           -           30000 ms\n"
        "GET /orders/{id}     orders  -           -           30000 ms\n"
        "ANY /orders/{id}     orders  -           -           30000 ms\n"
        "GET /files/{proxy+}  files   -           -           30000 ms\n"
        "$default             files   -           -           30000 ms\n"
    )


def test_markdown(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_spec(tmp_path)), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "**API shop-api (stage v1)**\n"
        "\n"
        "- `https://<api-id>.execute-api.eu-west-1.amazonaws.com/v1`\n"
        "\n"
        "| Route | Target | Authorizer | Throttling | Timeout |\n"
        "|---|---|---|---|---|\n"
        "| `GET /orders/latest` | `orders` | - | - | 30000 ms |\n"
        "| `GET /orders/{id}` | `orders` | - | - | 30000 ms |\n"
        "| `ANY /orders/{id}` | `orders` | - | - | 30000 ms |\n"
        "| `GET /files/{proxy+}` | `files` | - | - | 30000 ms |\n"
        "| `$default` | `files` | - | - | 30000 ms |\n"
    )


def test_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_spec(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    empty: dict[str, object] = {"url": None, "authorizer": None, "scopes": [], "throttling": None, "timeout_ms": 30000}
    assert json.loads(result.stdout) == {
        "api": "shop-api",
        "stage": "v1",
        "urls": ["https://<api-id>.execute-api.eu-west-1.amazonaws.com/v1"],
        "routes": [
            {"route": "GET /orders/latest", "function": "orders", **empty},
            {"route": "GET /orders/{id}", "function": "orders", **empty},
            {"route": "ANY /orders/{id}", "function": "orders", **empty},
            {"route": "GET /files/{proxy+}", "function": "files", **empty},
            {"route": "$default", "function": "files", **empty},
        ],
    }


GUARDED = """\
service: vault
region: eu-west-1
functions:
  notes:
    source: code
    handler: app.handler
  gate:
    source: code
    handler: app.handler
routes:
  GET /notes: notes
  POST /notes: {function: notes, scopes: [notes/write, admin], timeout_ms: 5000}
  GET /health: {function: notes, authorizer: none, throttling: {burst_limit: 10, rate_limit: 2.5}}
  GET /partner: {function: notes, authorizer: partner}
  GET /ops: {function: notes, authorizer: operators}
  GET /legacy/{id}: {url: "https://legacy.example.com/v1/{id}", authorizer: none, timeout_ms: 800}
api:
  default_authorizer: users
  throttling: {burst_limit: 100, rate_limit: 50}
  authorizers:
    users: {type: jwt, issuer: "https://id.example.com", audience: [web]}
    partner: {type: lambda, function: gate, identity_sources: [$request.header.x-api-key]}
    operators: {type: iam}
"""


def write_guarded(tmp_path: Path) -> Path:
    spec = write_spec(tmp_path)
    spec.write_text(GUARDED)
    return spec


def test_text_every_column(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_guarded(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "API vault-api (stage $default)\n"
        "  https://<api-id>.execute-api.eu-west-1.amazonaws.com/\n"
        "\n"
        "ROUTE             TARGET                              AUTHORIZER                       THROTTLING                  TIMEOUT\n"
        "GET /notes        notes                               users (jwt)                      burst 100, rate 50/s (api)  30000 ms\n"
        "POST /notes       notes                               users (jwt) [notes/write admin]  burst 100, rate 50/s (api)  5000 ms\n"
        "GET /health       notes                               -                                burst 10, rate 2.5/s        30000 ms\n"
        "GET /partner      notes                               partner (lambda)                 burst 100, rate 50/s (api)  30000 ms\n"
        "GET /ops          notes                               operators (iam)                  burst 100, rate 50/s (api)  30000 ms\n"
        "GET /legacy/{id}  https://legacy.example.com/v1/{id}  -                                burst 100, rate 50/s (api)  800 ms\n"
    )


def test_markdown_every_column(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_guarded(tmp_path)), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[4:] == [
        "| Route | Target | Authorizer | Throttling | Timeout |",
        "|---|---|---|---|---|",
        "| `GET /notes` | `notes` | users (jwt) | burst 100, rate 50/s (api) | 30000 ms |",
        "| `POST /notes` | `notes` | users (jwt) [notes/write admin] | burst 100, rate 50/s (api) | 5000 ms |",
        "| `GET /health` | `notes` | - | burst 10, rate 2.5/s | 30000 ms |",
        "| `GET /partner` | `notes` | partner (lambda) | burst 100, rate 50/s (api) | 30000 ms |",
        "| `GET /ops` | `notes` | operators (iam) | burst 100, rate 50/s (api) | 30000 ms |",
        "| `GET /legacy/{id}` | `https://legacy.example.com/v1/{id}` | - | burst 100, rate 50/s (api) | 800 ms |",
    ]


def test_json_every_column(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_guarded(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    stage_limits = {"burst_limit": 100, "rate_limit": 50.0, "source": "api"}
    assert json.loads(result.stdout)["routes"] == [
        {"route": "GET /notes", "function": "notes", "url": None, "authorizer": "users (jwt)", "scopes": [],
         "throttling": stage_limits, "timeout_ms": 30000},
        {"route": "POST /notes", "function": "notes", "url": None, "authorizer": "users (jwt)", "scopes": ["notes/write", "admin"],
         "throttling": stage_limits, "timeout_ms": 5000},
        {"route": "GET /health", "function": "notes", "url": None, "authorizer": None, "scopes": [],
         "throttling": {"burst_limit": 10, "rate_limit": 2.5, "source": "route"}, "timeout_ms": 30000},
        {"route": "GET /partner", "function": "notes", "url": None, "authorizer": "partner (lambda)", "scopes": [],
         "throttling": stage_limits, "timeout_ms": 30000},
        {"route": "GET /ops", "function": "notes", "url": None, "authorizer": "operators (iam)", "scopes": [],
         "throttling": stage_limits, "timeout_ms": 30000},
        {"route": "GET /legacy/{id}", "function": None, "url": "https://legacy.example.com/v1/{id}", "authorizer": None, "scopes": [],
         "throttling": stage_limits, "timeout_ms": 800},
    ]  # fmt: skip


def test_env_is_a_usage_error_without_environments(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_spec(tmp_path)), "--env", "prod"])
    assert result.exit_code == 2
    assert "--env prod: " in result.stderr and "has no environments" in result.stderr


def test_invalid_spec_exits_1(tmp_path: Path) -> None:
    spec = tmp_path / "service.yaml"
    spec.write_text("service: x\nroutes:\n  GET /a: nowhere\n")
    result = runner.invoke(app, ["routes", str(spec)])
    assert result.exit_code == 1
    assert result.stdout == ""
