"""Unit tests of the stub providers' parts that the real Terraform CLI cannot see go wrong on its own."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.support.stub_provider import cty, data_sources, schemas, values


def test_unknown_values_travel_as_ctys_extension_type_zero() -> None:
    value = {"id": cty.UNKNOWN, "tags": {"a": "b"}, "count": 2, "none": None}
    encoded = cty.encode(value)
    assert b"\xd4\x00\x00" in encoded  # fixext1, type 0: what cty writes for an unknown value
    assert cty.decode(encoded) == value
    assert cty.decode(b"\xd4\x0c\x00") is cty.UNKNOWN  # type 12: an unknown with refinements


def test_a_plan_keeps_what_is_configured_and_leaves_the_rest_to_apply() -> None:
    _version, block = schemas.load("aws").resources["aws_cloudwatch_log_group"]
    proposed = {name: None for name in block["attributes"]} | {"name": "/aws/lambda/x", "retention_in_days": 7}
    planned = values.planned(proposed, block)
    assert planned is not None
    assert planned["name"] == "/aws/lambda/x" and planned["retention_in_days"] == 7
    assert planned["arn"] is cty.UNKNOWN and planned["tags_all"] is cty.UNKNOWN  # computed
    assert planned["kms_key_id"] is None  # optional, not computed: stays unset


def test_the_policy_document_is_written_as_hashicorp_aws_writes_it() -> None:
    statement = {"sid": "Logs", "effect": None, "actions": ["logs:PutLogEvents"], "resources": ["arn:a", "arn:b"]}
    principals = {"effect": "Allow", "actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]}
    condition = {"effect": "Deny", "actions": ["s3:*"], "resources": ["*"], "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}
    read = data_sources.read("aws_iam_policy_document", {"statement": [statement, principals, condition]}, "eu-west-1")
    assert json.loads(read["json"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Logs", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": ["arn:a", "arn:b"]},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    }
    assert json.loads(read["minified_json"]) == json.loads(read["json"])


def test_archive_file_zips_the_real_files_with_the_mode_asked_for(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "main.py").write_text("print('hi')\n")
    (tmp_path / "src" / "pkg" / "util.py").write_text("X = 1\n")
    output = tmp_path / "build" / "code.zip"
    config = {"type": "zip", "source_dir": str(tmp_path / "src"), "output_path": str(output), "output_file_mode": "0755"}
    read = data_sources.read("archive_file", config, "eu-west-1")
    with zipfile.ZipFile(output) as archive:
        assert archive.namelist() == ["main.py", "pkg/util.py"]
        assert {info.external_attr >> 16 & 0o777 for info in archive.infolist()} == {0o755}
        assert archive.read("pkg/util.py") == b"X = 1\n"
    data = output.read_bytes()
    assert read["output_size"] == len(data) and read["output_sha256"] == hashlib.sha256(data).hexdigest()


def test_a_missing_archive_source_fails_as_the_archive_provider_fails(tmp_path: Path) -> None:
    config = {"type": "zip", "source_dir": "./gone", "output_path": str(tmp_path / "x.zip")}
    with pytest.raises(data_sources.DataSourceError) as raised:
        data_sources.read("archive_file", config, "eu-west-1")
    assert (raised.value.summary, raised.value.detail) == (
        "Archive creation error",
        "error creating archive: error archiving directory: could not archive missing directory: ./gone",
    )
