"""Environments (section C of the format page, the environment rules of the CLI page): overlays, their
diagnostics, `--env`, one output tree per environment, `samconfig.toml` and the Terraform module settings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compiler.cli import app
from compiler.environments import merge
from compiler.exitcodes import ExitCode
from tests.conftest import ROOT

runner = CliRunner()
ORDERS = ROOT / "specs" / "orders"
HANDLER = "def handler(event, context):\n    return {}\n"

# Line numbers matter: the diagnostics below are located in this text.
SPEC = """\
service: shop
region: eu-west-1
parameters:
  queue_url: {description: URL of the queue}
functions:
  orders:
    source: code
    handler: main.handler
    environment: {QUEUE: "${param:queue_url}"}
routes:
  GET /orders: orders
environments:
  dev: {}
  prod:
    parameters: {queue_url: {default: "https://sqs.eu-west-1.amazonaws.com/123/prod-q"}}
    functions:
      orders: {memory: 1024}
"""


def write(directory: Path, text: str) -> Path:
    (directory / "code").mkdir(exist_ok=True)
    (directory / "code" / "main.py").write_text(HANDLER)
    spec = directory / "service.yaml"
    spec.write_text(text)
    return spec


def validate(spec: Path, *args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["validate", str(spec), *args])
    return result.exit_code, [line.removeprefix(f"{spec}:") for line in result.stderr.splitlines()]


# ----------------------------------------------------------------------------------------- merge rules


def test_maps_merge_key_by_key_and_everything_else_replaces() -> None:
    base = {"api": {"stage": "$default", "cors": {"allow_origins": ["a"], "allow_methods": ["GET"]}}, "region": "eu-west-1", "tags": {"team": "x"}}
    overlay = {"api": {"cors": {"allow_origins": ["b"]}}, "region": "us-east-1", "tags": {"env": "prod"}}
    assert merge(base, overlay) == {
        "api": {"stage": "$default", "cors": {"allow_origins": ["b"], "allow_methods": ["GET"]}},
        "region": "us-east-1",
        "tags": {"team": "x", "env": "prod"},
    }
    assert merge({"a": 1}, None) == {"a": 1}  # `prod:` with nothing under it changes nothing


# ----------------------------------------------------------------------------------------- diagnostics


def test_an_overlays_problem_is_reported_once_at_its_line_naming_the_environment(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.replace("orders: {memory: 1024}", "orders: {memory: 99999}"))
    code, lines = validate(spec)
    assert code == ExitCode.INVALID
    assert lines == ["17:24: error E105 [prod]: environments.prod.functions.orders.memory: `99999` is too large; the maximum is 10240"]


OVERLAY_REFERENCES = """\
service: e1
functions:
  api: {source: code, handler: main.handler}
routes:
  GET /a: api
environments:
  dev: {}
  prod:
    functions:
      api: {description: "uses ${ssm:/x/y}"}
    terraform:
      backend: {s3: {bucket: b, key: "state/${self:env}/${ssm:/k}.tfstate", region: eu-west-1}}
"""


def test_references_an_overlay_writes_are_checked_once_as_its_environment_s(tmp_path: Path) -> None:
    """A reference where none is substituted is E621 at the overlay's line, once; in the backend's key only
    `${self:…}` is written out (at build time), so `${self:env}` passes there and `${ssm:…}` does not."""
    code, lines = validate(write(tmp_path, OVERLAY_REFERENCES))
    assert code == ExitCode.INVALID
    assert lines == [
        "10:26: error E621 [prod]: environments.prod.functions.api.description: `${ssm:/x/y}` stays text here: references are substituted only in "
        "`environment`, `permissions`, `role`, tag values, `api.domain`'s certificate, zone and truststore, `url` routes, JWT `issuer` and `audience`, "
        "and route `scopes`",
        "12:38: error E621 [prod]: environments.prod.terraform.backend.s3.key: `${ssm:/k}` stays text here: a Terraform backend takes no expressions, "
        "so only `${self:…}` is substituted (at build time)",
    ]


def test_json_diagnostics_name_the_environment(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.replace("orders: {memory: 1024}", "orders: {memory: 99999}"))
    result = runner.invoke(app, ["validate", str(spec), "--format", "json"])
    assert result.exit_code == ExitCode.INVALID
    assert json.loads(result.stdout) == [
        {
            "file": str(spec),
            "line": 17,
            "column": 24,
            "severity": "error",
            "code": "E105",
            "path": "environments.prod.functions.orders.memory",
            "message": "`99999` is too large; the maximum is 10240",
            "env": "prod",
        }
    ]


def test_validate_env_checks_only_the_environments_named(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.replace("orders: {memory: 1024}", "orders: {memory: 99999}"))
    assert validate(spec, "--env", "dev") == (ExitCode.OK, [])
    assert validate(spec, "--env", "dev", "--env", "prod")[0] == ExitCode.INVALID


def test_a_base_problem_is_reported_once_not_once_per_environment(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.replace("    handler: main.handler\n", "    handler: main.handler\n    timeout: 0\n"))
    code, lines = validate(spec)
    assert code == ExitCode.INVALID
    assert len(lines) == 1
    assert lines[0].startswith("9:14: error E105: functions.orders.timeout:")


def test_a_base_problem_naming_the_prefix_is_reported_once(tmp_path: Path) -> None:
    """Each environment's check names its own prefix (`9-shop-dev`); the problem is still the base spec's."""
    code, lines = validate(write(tmp_path, SPEC.replace("service: shop", "service: 9 shop")))
    assert code == ExitCode.INVALID
    assert [line.split(" ")[:3] for line in lines] == [["1:10:", "error", "E602:"]], lines


def test_a_problem_an_overlay_causes_elsewhere_is_at_the_environments_name(tmp_path: Path) -> None:
    """Each environment's longer prefix makes the generated role name too long: the overlay did not write
    the name, so the diagnostic points at the environment's name."""
    long_key = "o" * 52  # the role `shop-<key>-role` has 62 characters, `shop-dev-<key>-role` 66 (IAM allows 64)
    text = SPEC.replace("  orders:\n    source", f"  {long_key}:\n    source").replace("GET /orders: orders", f"GET /orders: {long_key}")
    text = text.replace("    functions:\n      orders: {memory: 1024}\n", "")
    code, lines = validate(write(tmp_path, text))
    assert code == ExitCode.INVALID
    assert [line.split(":")[0:3] for line in lines] == [["13", "3", " error E203 [dev]"], ["14", "3", " error E203 [prod]"]], lines


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  dev: {}", "  Dev: {}"), "13:3: error E640 [Dev]: environments.Dev: environment name `Dev` must start"),
        (("      orders: {memory: 1024}", "      refunds: {memory: 1024}"), "17:7: error E641 [prod]: environments.prod.functions.refunds: environment `prod` adds the function `refunds`"),
        (("    functions:", "    routes: {GET /refunds: orders}\n    functions:"), "16:14: error E641 [prod]: environments.prod.routes[\"GET /refunds\"]: environment `prod` adds the route `GET /refunds`"),
        (("{queue_url: {default:", "{queue_url: {sensitive: true, default:"), "15:56: error E642 [prod]: environments.prod.parameters.queue_url.default: `queue_url` is a sensitive parameter"),
        (("  prod:\n", "  prod:\n    apispec: 2\n"), "15:5: error E101 [prod]: environments.prod.apispec: unknown key `apispec`"),
    ],
    ids=["name", "adds a function", "adds a route", "sensitive value", "a key an overlay may not hold"],
)
def test_overlay_rules(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    text = SPEC.replace(*change)
    assert text != SPEC
    code, lines = validate(write(tmp_path, text))
    assert code == ExitCode.INVALID
    assert [line for line in lines if line.startswith(expected)] == [lines[0]], lines


def test_terraform_settings_rules(tmp_path: Path) -> None:
    backend = "terraform:\n  backend:\n    s3: {bucket: state, key: 'shop/${self:env}.tfstate', region: eu-west-1}\n"
    without_environments = SPEC.split("environments:")[0]
    code, lines = validate(write(tmp_path, without_environments + backend))
    assert code == ExitCode.INVALID
    assert lines == ["14:30: error E644: terraform.backend.s3.key: `${self:env}` is the environment's name, and this spec has no `environments`; write the key without it, or declare environments"]
    code, lines = validate(write(tmp_path, without_environments + backend.replace("'shop/${self:env}.tfstate'", "shop.tfstate") + "  module: child\n"))
    assert code == ExitCode.INVALID
    assert [line[:54] for line in lines] == ["13:3: error E643: terraform.backend: a `module: child`"]


# ----------------------------------------------------------------------------------------- the command line


def test_unknown_env_is_a_usage_error_naming_the_environments(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC)
    for command in (["validate", str(spec)], ["build", str(spec), "--out", str(tmp_path / "out")], ["routes", str(spec)], ["serve", str(spec)]):
        result = runner.invoke(app, [*command, "--env", "staging"])
        assert result.exit_code == ExitCode.USAGE, result.output
        assert f"--env staging: {spec} has no environment `staging`; its environments are dev, prod" in result.stderr


def test_env_on_a_spec_without_environments_is_a_usage_error(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.split("environments:")[0])
    for command in (["validate", str(spec)], ["build", str(spec), "--out", str(tmp_path / "out")], ["routes", str(spec)]):
        result = runner.invoke(app, [*command, "--env", "prod"])
        assert result.exit_code == ExitCode.USAGE
        assert f"--env prod: {spec} has no environments" in result.stderr


def test_build_writes_every_environment_or_those_named(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(spec), "--out", str(out), "--env", "prod"])
    assert result.exit_code == ExitCode.OK, result.output
    assert sorted(p.name for p in out.iterdir()) == ["shop-prod"]
    result = runner.invoke(app, ["build", str(spec), "--out", str(out), "--target", "all"])
    assert result.exit_code == ExitCode.OK, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("*/*")) == [
        "shop-dev/cloudformation", "shop-dev/sam", "shop-dev/terraform",
        "shop-prod/cloudformation", "shop-prod/sam", "shop-prod/terraform",
    ]  # fmt: skip
    assert not (out / "shop").exists()  # the spec itself is not a deployment when it has environments


def test_build_check_catches_a_stale_environment(tmp_path: Path) -> None:
    shutil.copytree(ORDERS, tmp_path / "orders")
    spec = tmp_path / "orders" / "service.yaml"
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(spec), "--out", str(out)]).exit_code == ExitCode.OK
    assert runner.invoke(app, ["build", str(spec), "--out", str(out), "--check"]).exit_code == ExitCode.OK
    spec.write_text(spec.read_text().replace("logging: {retention_days: 90}", "logging: {retention_days: 30}"))
    result = runner.invoke(app, ["build", str(spec), "--out", str(out), "--check"])
    assert result.exit_code == ExitCode.INVALID
    stale = sorted(line.split(":")[0] for line in result.stderr.splitlines())
    assert stale == [str(out / "orders-prod" / "sam" / "template.yaml"), str(out / "orders-prod" / "terraform" / "main.tf.json")]


def test_routes_and_serve_choose_an_environment(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.replace("  prod:\n", "  prod:\n    api: {name: shop-live}\n"))
    result = runner.invoke(app, ["routes", str(spec), "--env", "prod"])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.startswith("API shop-live (stage $default)")
    result = runner.invoke(app, ["routes", str(spec)])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.startswith("API shop-dev-api (stage $default)")
    assert "showing environment `dev` (the first of dev, prod); choose another with --env" in result.stderr


# ----------------------------------------------------------------------------------------- outputs


def test_environment_parameter_values_are_defaults_in_every_target() -> None:
    from tests.support.validators import load_template

    prod, dev = ROOT / "out" / "orders-prod", ROOT / "out" / "orders-dev"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-{}"
    for env, directory in (("prod", prod), ("dev", dev)):
        variables = json.loads((directory / "terraform" / "variables.tf.json").read_text())["variable"]
        assert variables["queue_url"]["default"] == url.format(env)
        for target in ("sam", "cloudformation"):
            assert load_template(directory / target / "template.yaml")["Parameters"]["QueueUrl"]["Default"] == url.format(env)


def samconfig(directory: Path) -> dict[str, Any]:
    """The `sam deploy` settings of `directory/samconfig.toml` as SAM CLI reads them, with its parameter
    overrides parsed by SAM CLI's own option type."""
    from samcli.cli.types import CfnParameterOverridesType
    from samcli.lib.config.samconfig import SamConfig

    settings: dict[str, Any] = dict(SamConfig(str(directory), "samconfig.toml").get_all(["deploy"], "parameters", env="default"))
    if "parameter_overrides" in settings:
        settings["parameter_overrides"] = CfnParameterOverridesType().convert(settings["parameter_overrides"], None, None)
    return settings


def test_samconfig_lets_sam_deploy_run_without_flags() -> None:
    assert samconfig(ROOT / "out" / "orders-prod" / "sam") == {
        "stack_name": "orders-prod",
        "capabilities": "CAPABILITY_NAMED_IAM",
        "resolve_s3": True,
        "region": "eu-west-1",
        "parameter_overrides": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-prod"},
    }
    # every spec has one: one without environments or parameter values
    assert samconfig(ROOT / "out" / "demo" / "sam") == {"stack_name": "demo", "capabilities": "CAPABILITY_NAMED_IAM", "resolve_s3": True, "region": "us-east-1"}


def test_samconfig_quotes_values_sam_would_split(tmp_path: Path) -> None:
    text = SPEC.split("environments:")[0].replace("{description: URL of the queue}", "{default: 'two words \"quoted\"'}")
    text = text.replace("parameters:\n", "parameters:\n  token: {default: not-written, sensitive: true}\n")
    text = text.replace("    environment:", "    role: ${param:token}\n    environment:")
    spec = write(tmp_path, text)
    assert runner.invoke(app, ["build", str(spec), "--out", str(tmp_path / "out")]).exit_code == ExitCode.OK
    settings = samconfig(tmp_path / "out" / "shop" / "sam")
    assert settings["parameter_overrides"] == {"QueueUrl": 'two words "quoted"'}  # a sensitive parameter's value is never written


def test_terraform_backend_takes_the_environments_key() -> None:
    providers = json.loads((ROOT / "out" / "orders-prod" / "terraform" / "providers.tf.json").read_text())
    assert providers["terraform"]["backend"] == {
        "s3": {"bucket": "example-terraform-state", "key": "orders/prod/terraform.tfstate", "region": "eu-west-1", "use_lockfile": True}
    }
    assert providers["terraform"]["required_version"] == ">= 1.10.0"  # use_lockfile came with Terraform 1.10
    assert "backend" not in json.loads((ROOT / "out" / "orders-dev" / "terraform" / "providers.tf.json").read_text())["terraform"]


CHILD_SPEC = SPEC.split("environments:")[0] + "terraform: {module: child}\n"


def build_child(directory: Path) -> Path:
    spec = write(directory, CHILD_SPEC)
    result = runner.invoke(app, ["build", str(spec), "--out", str(directory / "out"), "--target", "terraform"])
    assert result.exit_code == ExitCode.OK, result.output
    return directory / "out" / "shop" / "terraform"


def test_a_child_module_has_no_provider_backend_or_region(tmp_path: Path) -> None:
    module = build_child(tmp_path)
    providers = json.loads((module / "providers.tf.json").read_text())
    assert set(providers) == {"//", "terraform"}
    assert set(providers["terraform"]) == {"required_version", "required_providers"}
    variables = json.loads((module / "variables.tf.json").read_text())["variable"]
    assert set(variables) == {"queue_url"}


@pytest.mark.slow
def test_real_terraform_plans_a_root_module_that_calls_the_child_module(tmp_path: Path, terraform: Any) -> None:
    build_child(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf.json").write_text(
        json.dumps(
            {
                "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 6.0"}}},
                "provider": {"aws": {"region": "eu-central-1"}},
                "module": {"api": {"source": "../out/shop/terraform", "queue_url": "https://example.com/q"}},
                "output": {"api_url": {"value": "${module.api.api_url}"}},
            }
        )
    )
    assert terraform.check(root) == []
