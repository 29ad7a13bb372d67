"""Unit tests of tests/support/terraform_check.py: what the real Terraform CLI does not check, and the schemas' test data."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.terraform_check import SCHEMA_DIR, ProviderSchema, check_module, load_schemas

Files = dict[str, Any]

GOOD: Files = {
    "providers.tf.json": {
        "//": "generated",
        "terraform": {
            "required_version": ">= 1.0.3",
            "required_providers": {
                "aws": {"source": "hashicorp/aws", "version": "~> 6.0"},
                "archive": {"source": "hashicorp/archive", "version": "~> 2.4"},
            },
        },
        "provider": {"aws": {"region": "eu-west-1"}},
    },
    "main.tf.json": {
        "data": {
            "archive_file": {"orders": {"type": "zip", "source_dir": "src", "output_path": "orders.zip"}},
            "aws_region": {"current": {}},
        },
        "resource": {
            "aws_iam_role": {"orders": {"name": "orders", "assume_role_policy": "{}", "tags": {"a": "b"}}},
            "aws_lambda_function": {
                "orders": {
                    "function_name": "orders",
                    "role": "${aws_iam_role.orders.arn}",
                    "environment": {"variables": {"REGION": "${data.aws_region.current.name}"}},
                    "logging_config": [{"log_format": "JSON"}],
                    "depends_on": ["aws_iam_role.orders"],
                    "lifecycle": {"ignore_changes": ["tags"]},
                }
            },
        },
    },
}


def write(directory: Path, files: Files) -> Path:
    for name, content in files.items():
        (directory / name).write_text(json.dumps(content, indent=2), encoding="utf-8")
    return directory


def role(files: Files) -> dict[str, Any]:
    body: dict[str, Any] = files["main.tf.json"]["resource"]["aws_iam_role"]["orders"]
    return body


def requirement(name: str, files: Files) -> dict[str, Any]:
    body: dict[str, Any] = files["providers.tf.json"]["terraform"]["required_providers"][name]
    return body


def test_a_good_module_has_no_problems(tmp_path: Path) -> None:
    """References to deprecated attributes (`data.aws_region.current.name`) are Terraform's to warn about."""
    assert check_module(write(tmp_path, GOOD)) == []


MUTATIONS: list[tuple[str, Callable[[Files], object], str]] = [
    (
        "deprecated argument",
        lambda f: role(f).update(managed_policy_arns=[]),
        'main.tf.json: resource aws_iam_role.orders: argument "managed_policy_arns" is deprecated in the provider schema',
    ),
    (
        "deprecated block",
        lambda f: role(f).update(inline_policy=[{"name": "p", "policy": "{}"}]),
        'main.tf.json: resource aws_iam_role.orders: block "inline_policy" is deprecated in the provider schema',
    ),
    (
        "computed-only argument",
        lambda f: role(f).update(arn="arn:aws:iam::123456789012:role/orders"),
        'main.tf.json: resource aws_iam_role.orders: argument "arn" is computed by the provider (read-only) and cannot be set',
    ),
    (
        "computed-only argument of a data source",
        lambda f: f["main.tf.json"]["data"]["archive_file"]["orders"].update(output_md5="x"),
        'main.tf.json: data archive_file.orders: argument "output_md5" is computed by the provider (read-only) and cannot be set',
    ),
    (
        "provider not declared",
        lambda f: f["providers.tf.json"]["terraform"]["required_providers"].pop("archive"),
        'main.tf.json: data archive_file.orders: provider "archive" is not declared in terraform.required_providers',
    ),
    (
        "no version",
        lambda f: requirement("aws", f).pop("version"),
        'providers.tf.json: terraform.required_providers.aws: version null does not pin one major version (e.g. "~> 6.0")',
    ),
    (
        "a floor only",
        lambda f: requirement("aws", f).update(version=">= 6.0"),
        'version ">= 6.0" does not pin one major version',
    ),
    ("a one-part pessimistic constraint", lambda f: requirement("aws", f).update(version="~> 6"), 'version "~> 6" does not pin'),
    ("a range over two majors", lambda f: requirement("aws", f).update(version=">= 5.0, < 7.0"), 'version ">= 5.0, < 7.0" does not pin'),
    ("not a constraint", lambda f: requirement("aws", f).update(version="six"), 'version "six" does not pin'),
    (
        "a block newer than required_version",
        lambda f: f["main.tf.json"].update(moved={"from": "aws_iam_role.old", "to": "aws_iam_role.orders"}),
        "main.tf.json: moved needs Terraform 1.1, but required_version admits older ones",
    ),
    (
        "a lifecycle argument newer than required_version",
        lambda f: role(f).update(lifecycle={"replace_triggered_by": ["aws_lambda_function.orders"]}),
        "main.tf.json: lifecycle.replace_triggered_by needs Terraform 1.2, but required_version admits older ones",
    ),
    (
        "another source",
        lambda f: requirement("aws", f).update(source="example/aws"),
        "providers.tf.json: terraform.required_providers.aws: source \"example/aws\" is not hashicorp/aws",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_each_mutation_reports_exactly_its_problem(tmp_path: Path, change: Callable[[Files], object], expected: str) -> None:
    files = copy.deepcopy(GOOD)
    change(files)
    (problem,) = check_module(write(tmp_path, files))
    assert expected in problem


@pytest.mark.parametrize("version", ["~> 6.0", "~> 6.47.0", "6.47.0", "= 6.47.0", ">= 6.1, < 7.0", ">= 6.0, <= 6.99", "~> 6.0, != 6.3.0"])
def test_constraints_within_one_major_version_are_accepted(tmp_path: Path, version: str) -> None:
    files = copy.deepcopy(GOOD)
    requirement("aws", files)["version"] = version
    assert check_module(write(tmp_path, files)) == []


@pytest.mark.parametrize("required_version", [">= 1.1", ">= 1.1.0, < 2.0.0", "~> 1.5"])
def test_a_required_version_that_admits_the_features_is_accepted(tmp_path: Path, required_version: str) -> None:
    files = copy.deepcopy(GOOD)
    files["main.tf.json"]["moved"] = {"from": "aws_iam_role.old", "to": "aws_iam_role.orders"}
    files["providers.tf.json"]["terraform"]["required_version"] = required_version
    assert check_module(write(tmp_path, files)) == []


def test_nested_and_map_blocks_are_searched(tmp_path: Path) -> None:
    toy = ProviderSchema(
        address="registry.terraform.io/hashicorp/toy",
        version="1.0.0",
        resources={
            "toy_thing": {
                "block_types": {
                    "many": {
                        "nesting_mode": "list",
                        "block": {"attributes": {"id": {"type": "string", "computed": True}, "old": {"type": "string", "optional": True, "deprecated": True}}},
                    },
                    "rule": {"nesting_mode": "map", "block": {"attributes": {"id": {"type": "string", "computed": True}}}},
                }
            }
        },
        data_sources={},
    )
    module = {
        "terraform": {"required_providers": {"toy": {"source": "hashicorp/toy", "version": "~> 1.0"}}},
        "resource": {"toy_thing": {"t": {"many": [{}, {"id": "x", "old": "y"}], "rule": {"r1": {}, "r2": {"id": "z"}}}}},
    }
    assert check_module(write(tmp_path, {"main.tf.json": module}), {"toy": toy}) == [
        'main.tf.json: resource toy_thing.t: argument "many.id" is computed by the provider (read-only) and cannot be set',
        'main.tf.json: resource toy_thing.t: argument "many.old" is deprecated in the provider schema',
        'main.tf.json: resource toy_thing.t: argument "rule.id" is computed by the provider (read-only) and cannot be set',
    ]


def test_a_type_without_a_schema_is_reported(tmp_path: Path) -> None:
    files = copy.deepcopy(GOOD)
    files["main.tf.json"]["resource"]["aws_s3_bucket"] = {"b": {}}
    assert check_module(write(tmp_path, files)) == ["main.tf.json: resource aws_s3_bucket.b: no schema for aws_s3_bucket in the test data"]


def test_shipped_schemas_have_the_kept_types() -> None:
    schemas = load_schemas()
    aws, archive = schemas["aws"], schemas["archive"]
    assert aws.version == "6.47.0" and archive.version == "2.4.2"
    assert aws.address == "registry.terraform.io/hashicorp/aws"
    assert "aws_apigatewayv2_deployment" in aws.resources and "aws_partition" in aws.data_sources
    assert set(archive.data_sources) == {"archive_file"}


def _full_schemas(directory: Path, layout: str) -> Path:
    """The shipped schemas as a full source would give them: with a resource and a data source
    apispec does not use added to each provider, in the shared per-provider layout or as
    `terraform providers schema -json` output (`provider_schemas` by address)."""
    directory.mkdir()
    for name in ("aws.json", "archive.json"):
        entry = json.loads((SCHEMA_DIR / name).read_text())
        entry["resource_schemas"]["unused_thing"] = {"version": 0, "block": {"attributes": {"id": {"type": "string", "computed": True}}}}
        entry["data_source_schemas"]["unused_lookup"] = {"version": 0, "block": {}}
        full = entry if layout == "shared" else {"format_version": "1.0", "provider_schemas": {entry["provider"]: entry}}
        (directory / name).write_text(json.dumps(full))
    return directory


def test_shipped_schemas_are_what_extract_py_writes(tmp_path: Path) -> None:
    """extract.py keeps exactly the shipped types of the per-provider layout, byte for byte (the
    shipped files are its own output, so a full source gives them back unchanged)."""
    import runpy

    extract = runpy.run_path(str(SCHEMA_DIR / "extract.py"))
    source = _full_schemas(tmp_path / "full", "shared")
    assert extract["main"]([str(source), "--out", str(tmp_path)]) == 0
    for name in ("aws.json", "archive.json"):
        assert (tmp_path / name).read_text() == (SCHEMA_DIR / name).read_text()


def test_extract_py_reads_terraform_s_own_output_too(tmp_path: Path) -> None:
    import runpy

    extract = runpy.run_path(str(SCHEMA_DIR / "extract.py"))
    source = _full_schemas(tmp_path / "full", "terraform")
    assert extract["main"]([str(source), "--out", str(tmp_path)]) == 0
    for name in ("aws.json", "archive.json"):
        (entry,) = json.loads((tmp_path / name).read_text())["provider_schemas"].values()
        assert entry == json.loads((SCHEMA_DIR / name).read_text())
