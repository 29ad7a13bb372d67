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
        "GET /orders/latest   orders  -           -           -\n"
        "GET /orders/{id}     orders  -           -           -\n"
        "ANY /orders/{id}     orders  -           -           -\n"
        "GET /files/{proxy+}  files   -           -           -\n"
        "$default             files   -           -           -\n"
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
        "| `GET /orders/latest` | `orders` | - | - | - |\n"
        "| `GET /orders/{id}` | `orders` | - | - | - |\n"
        "| `ANY /orders/{id}` | `orders` | - | - | - |\n"
        "| `GET /files/{proxy+}` | `files` | - | - | - |\n"
        "| `$default` | `files` | - | - | - |\n"
    )


def test_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["routes", str(write_spec(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    empty: dict[str, object] = {"url": None, "authorizer": None, "scopes": [], "throttling": None, "timeout_ms": None}
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
