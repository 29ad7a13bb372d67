"""Regenerate the pruned provider schemas in this directory from full ones.

Usage: python tests/data/terraform-provider-schema/extract.py SOURCE_DIR [--out DIR]

SOURCE_DIR holds `aws.json` and `archive.json`, either in the per-provider layout of the project's
shared/terraform-provider-schema (top-level `resource_schemas` / `data_source_schemas`) or as the
full `terraform providers schema -json` output (`provider_schemas` keyed by provider address). The
layout and every other key are kept as they are; only the resource and data source types that
apispec's Terraform output uses are kept. Writes JSON with indent 1 and sorted keys.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

KEEP: dict[str, dict[str, tuple[str, ...]]] = {
    "aws.json": {
        "resource_schemas": (
            "aws_lambda_function",
            "aws_lambda_permission",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_cloudwatch_log_group",
            "aws_apigatewayv2_api",
            "aws_apigatewayv2_stage",
            "aws_apigatewayv2_integration",
            "aws_apigatewayv2_route",
            "aws_apigatewayv2_deployment",
            "aws_apigatewayv2_domain_name",
            "aws_apigatewayv2_api_mapping",
            "aws_route53_record",
            "aws_apigatewayv2_authorizer",
            "aws_lambda_alias",
            "aws_lambda_provisioned_concurrency_config",
            "aws_lambda_event_source_mapping",
            "aws_cloudwatch_event_rule",
            "aws_cloudwatch_event_target",
            "aws_iam_role_policy_attachment",
        ),
        "data_source_schemas": (
            "aws_iam_policy_document",
            "aws_caller_identity",
            "aws_region",
            "aws_partition",
            "aws_ssm_parameter",
            "aws_cloudformation_export",
        ),
    },
    "archive.json": {
        "resource_schemas": (),
        "data_source_schemas": ("archive_file",),
    },
}


def prune_entry(entry: dict[str, Any], keep: dict[str, tuple[str, ...]], where: str) -> dict[str, Any]:
    """A copy of one provider's schema entry with only the kept types (raises if one is missing)."""
    pruned = dict(entry)
    for section, types in keep.items():
        available = entry.get(section) or {}
        missing = [name for name in types if name not in available]
        if missing:
            raise SystemExit(f"{where}: {section} has no {', '.join(missing)}")
        pruned[section] = {name: available[name] for name in types}
    if not isinstance(entry.get("provider"), dict):
        print(f"note: {where} has no provider configuration schema (`provider.block`); none is kept", file=sys.stderr)
    return pruned


def prune_file(source: Path, keep: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The pruned content of one schema file, in the layout it was given in."""
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    if "provider_schemas" not in data:
        return prune_entry(data, keep, str(source))
    out = dict(data)
    out["provider_schemas"] = {
        address: prune_entry(entry, keep, f"{source} {address}") for address, entry in data["provider_schemas"].items()
    }
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the pruned copies of SOURCE_DIR's schema files into --out (default: this directory)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="directory with the full aws.json and archive.json")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    for name, keep in KEEP.items():
        pruned = prune_file(args.source / name, keep)
        target = args.out / name
        target.write_text(json.dumps(pruned, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
