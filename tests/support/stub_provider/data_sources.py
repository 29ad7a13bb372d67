"""Plausible values for the data sources the outputs read at plan time, computed offline.

The account, region and partition are fake; the IAM policy document's JSON is built from its
statements as hashicorp/aws builds it; `archive_file` zips the real files (hashes and size are those
of this zip, not byte for byte the archive provider's, whose deflate output differs).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


class DataSourceError(Exception):
    """What the real provider would report as an error diagnostic: (summary, detail)."""

    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(summary, detail)
        self.summary, self.detail = summary, detail


def read(type_name: str, config: dict[str, Any], region: str) -> dict[str, Any]:
    """The computed attributes of data source `type_name` for a known configuration."""
    if type_name == "aws_caller_identity":
        return {
            "account_id": ACCOUNT_ID,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/apispec-test",
            "id": ACCOUNT_ID,
            "user_id": "AIDAAPISPECTESTUSER",
        }
    if type_name == "aws_partition":
        return {"dns_suffix": "amazonaws.com", "id": PARTITION, "partition": PARTITION, "reverse_dns_prefix": "com.amazonaws"}
    if type_name == "aws_region":
        name = config.get("region") or config.get("name") or region
        return {"description": name, "endpoint": f"ec2.{name}.amazonaws.com", "id": name, "name": name, "region": name}
    if type_name == "aws_ssm_parameter":  # a String parameter whose value names it
        name = config["name"]
        value = f"value-of-{name.strip('/').replace('/', '-')}"
        arn = f"arn:{PARTITION}:ssm:{region}:{ACCOUNT_ID}:parameter/{name.lstrip('/')}"
        return {"arn": arn, "id": name, "insecure_value": value, "name": name, "region": region, "type": "String", "value": value, "version": 1}
    if type_name == "aws_cloudformation_export":  # an export of a stack named `exporter`
        stack = f"arn:{PARTITION}:cloudformation:{region}:{ACCOUNT_ID}:stack/exporter/00000000-0000-0000-0000-000000000000"
        return {"exporting_stack_id": stack, "id": config["name"], "name": config["name"], "region": region, "value": f"value-of-{config['name']}"}
    if type_name == "aws_iam_policy_document":
        return _policy_document(config)
    if type_name == "archive_file":
        return _archive(config)
    return {}


def _policy_document(config: dict[str, Any]) -> dict[str, Any]:
    """`json` and `minified_json` as hashicorp/aws writes them: a single value unwrapped, sets in the order
    Terraform sends them."""

    def one_or_many(values: list[str] | None) -> Any:
        values = values or []
        return values[0] if len(values) == 1 else values

    statements = []
    for statement in config.get("statement") or []:
        out: dict[str, Any] = {}
        if statement.get("sid"):
            out["Sid"] = statement["sid"]
        out["Effect"] = statement.get("effect") or "Allow"
        for key, name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
            if statement.get(key):
                out[name] = one_or_many(statement[key])
        for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if statement.get(key):
                out[name] = {p["type"]: one_or_many(p["identifiers"]) for p in statement[key]}
        if statement.get("condition"):
            conditions: dict[str, dict[str, Any]] = {}
            for condition in statement["condition"]:
                conditions.setdefault(condition["test"], {})[condition["variable"]] = one_or_many(condition["values"])
            out["Condition"] = conditions
        statements.append(out)
    document = {"Version": config.get("version") or "2012-10-17", "Statement": statements}
    text = json.dumps(document, indent=2)
    return {
        "id": str(zlib.crc32(text.encode())),
        "json": text,
        "minified_json": json.dumps(document, separators=(",", ":")),
    }


def _archive(config: dict[str, Any]) -> dict[str, Any]:
    """Zip what `source_dir`, `source_file`, `source_content` or `source` blocks name; write `output_path`."""
    if config.get("type") != "zip":
        raise DataSourceError("Archive creation error", f"error creating archive: archive type not supported: {config.get('type')}")
    mode = int(config["output_file_mode"], 8) if config.get("output_file_mode") else None
    entries: list[tuple[str, bytes, int]] = []
    if config.get("source_dir"):
        directory = Path(config["source_dir"])
        if not directory.is_dir():
            problem = "missing directory" if not directory.exists() else "directory that is a file"
            raise DataSourceError(
                "Archive creation error",
                f"error creating archive: error archiving directory: could not archive {problem}: {config['source_dir']}",
            )
        excluded = set(config.get("excludes") or [])
        for root, dirs, files in os.walk(directory):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                relative = path.relative_to(directory).as_posix()
                if relative not in excluded:
                    entries.append((relative, path.read_bytes(), path.stat().st_mode & 0o777))
    elif config.get("source_file"):
        path = Path(config["source_file"])
        if not path.is_file():
            raise DataSourceError(
                "Archive creation error",
                f"error creating archive: error archiving file: could not archive missing file: {config['source_file']}",
            )
        entries.append((path.name, path.read_bytes(), path.stat().st_mode & 0o777))
    elif config.get("source_content_filename"):
        entries.append((config["source_content_filename"], (config.get("source_content") or "").encode(), 0o644))
    else:
        entries += [(s["filename"], s["content"].encode(), 0o644) for s in config.get("source") or []]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, file_mode in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = ((mode if mode is not None else file_mode) | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    data = buffer.getvalue()
    output = Path(config["output_path"])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    sha1 = hashlib.sha1(data).hexdigest()
    return {
        "id": sha1,
        "output_base64sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "output_base64sha512": base64.b64encode(hashlib.sha512(data).digest()).decode(),
        "output_md5": hashlib.md5(data).hexdigest(),
        "output_sha": sha1,
        "output_sha256": hashlib.sha256(data).hexdigest(),
        "output_sha512": hashlib.sha512(data).hexdigest(),
        "output_size": len(data),
    }
