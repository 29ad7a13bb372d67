"""The real validators the tests run on every output: cfn-lint and the SAM translator."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

# Informational rules the outputs break on purpose. I1022 ("prefer Fn::Sub over Fn::Join"): text
# that looks like a reference (`${AWS::Region}`) is passed literally through an `Fn::Join`, since a
# plain string is an error (E1029) and an `Fn::Sub` without variables a warning (W1020).
ACCEPTED_INFORMATIONAL = frozenset({"I1022"})


# cfn-lint's rules on deprecated Lambda runtimes (W2531, E2531, E2533) compare the runtime's dates with
# the clock, so their verdict on a template changes by itself as days pass (in 2029 every Python
# runtime the examples use). apispec's own W211/E211 give that verdict on the suite's day, from a
# table that tests/test_awsdata.py checks date for date against cfn-lint's own runtime data.
CLOCK_RULES = ("W2531", "E2531", "E2533")


def cfn_lint(template: Path) -> list[str]:
    """Every cfn-lint finding (errors, warnings and informational, less the accepted ones and those that
    depend on today's date) for a template file."""
    from cfnlint.api import ManualArgs, lint_file

    config = ManualArgs(regions=["us-east-1", "eu-west-1"], include_checks=["I"], ignore_checks=list(CLOCK_RULES))
    matches = lint_file(template, config=config)
    return [
        f"{m.rule.id} {m.message} ({m.filename}:{m.linenumber}:{m.columnnumber})"
        for m in matches
        if m.rule.id not in ACCEPTED_INFORMATIONAL
    ]


def load_template(template: Path) -> dict[str, Any]:
    """A YAML template as CloudFormation reads it (short-form tags become `Fn::` objects)."""
    from cfnlint.decode import decode

    data, problems = decode(template)
    assert not problems, problems
    assert isinstance(data, dict)
    return data


def sam_transform(template: Path | dict[str, Any]) -> dict[str, Any]:
    """What CloudFormation's `AWS::Serverless-2016-10-31` transform makes of a SAM template (a file, or one as read).

    `sam deploy` uploads each function's `CodeUri` directory and puts its S3 URI in the template
    before the transform runs; the same is done here with a placeholder URI for each that is not one yet.
    """
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    document = copy.deepcopy(load_template(template) if isinstance(template, Path) else template)
    for resource in document["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function" and not str(resource["Properties"]["CodeUri"]).startswith("s3://"):
            resource["Properties"]["CodeUri"] = "s3://apispec-test-bucket/code.zip"

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    return transform(document, {}, _NoManagedPolicies())  # type: ignore[no-any-return]
