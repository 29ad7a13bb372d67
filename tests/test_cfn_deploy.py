"""Each example's CloudFormation template deployed into an offline CloudFormation, then updated.

The deploy runs in moto with `tests/support/cfn_deploy.py`, which creates the API Gateway v2
resources moto skips and updates in CloudFormation's order (new resources first, removed ones
last), so a new resource taking a name an old one holds fails as it would on AWS. Each example
goes through: add a route, remove a route, rename a function key keeping its `name`, rename a
function key without `name`: each an update of the same stack, which must succeed and leave the
stack complete (what it does not check is written in that module).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, compile_spec
from tests.support.cfn_deploy import ACCOUNT, REGION, AwsError, Deployment, deploy, error_code, offline_cloud, package
from tests.support.validators import load_template, sam_transform

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Example:
    """An example spec and what its update sequence does to it."""

    prefix: str
    parameters: dict[str, str]  # stack parameters without a default
    added_route: tuple[str, str]  # route key, function key
    removed_route: str
    renamed_keeping_name: tuple[str, str]  # function key, new key; `name` set to the name it had
    renamed: tuple[str, str]  # function key, new key; no `name`, so a new function name


EXAMPLES = {
    "shop": Example(
        prefix="shop-backend",
        parameters={
            "OrdersTableArn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",
            "PaymentsApiKeySecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments-key-AbCdEf",
            "AdminRoleArn": f"arn:aws:iam::{ACCOUNT}:role/shop-admin",
        },
        added_route=("GET /orders/{order_id}/items", "list_orders"),
        removed_route="GET /catalog/{category}/{item}",
        renamed_keeping_name=("create-order", "place-order"),
        renamed=("catalog", "storefront"),
    ),
    "tutorial": Example(
        prefix="demo",
        parameters={"UserRequestQueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/requests", "UserRequestQueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:requests"},
        added_route=("GET /api/status", "user-request"),
        removed_route="POST /api/submit_post",
        renamed_keeping_name=("user-request", "submit-request"),
        renamed=("submit-request", "intake"),
    ),
}


class Spec:
    """A copy of an example's spec directory whose `service.yaml` the test edits between deploys."""

    def __init__(self, name: str, where: Path) -> None:
        self.dir = where / name
        shutil.copytree(ROOT / "specs" / name, self.dir)
        self.yaml = YAML()
        self.data: Any = self.yaml.load(self.dir / "service.yaml")

    def build(self, out: Path) -> Path:
        """Compile into `out` and return it."""
        with (self.dir / "service.yaml").open("w") as file:
            self.yaml.dump(self.data, file)
        shutil.rmtree(out, ignore_errors=True)
        compile_spec(self.dir / "service.yaml", out)
        return out

    def function_names(self, prefix: str) -> dict[str, str]:
        """Function key → the function's name (its `name`, or the prefix and the key)."""
        return {key: (fn or {}).get("name") or f"{prefix}-{key.replace('_', '-')}" for key, fn in self.data["functions"].items()}

    def routes(self) -> dict[str, str]:
        """Route key → function key."""
        return {key: value if isinstance(value, str) else value["function"] for key, value in self.data["routes"].items()}

    def rename_function(self, key: str, new: str, keep_name: str | None) -> None:
        functions = self.data["functions"]
        position = list(functions).index(key)
        body = functions.pop(key)
        if keep_name is not None:
            body["name"] = keep_name
        else:
            body.pop("name", None)
        functions.insert(position, new, body)
        for route, value in self.data["routes"].items():
            if value == key:
                self.data["routes"][route] = new
            elif not isinstance(value, str) and value["function"] == key:
                value["function"] = new


def steps(spec: Spec, example: Example) -> Iterator[str]:
    """Edit the spec for each update of the sequence, yielding its name after each edit."""
    yield "initial"
    spec.data["routes"][example.added_route[0]] = example.added_route[1]
    yield "add a route"
    del spec.data["routes"][example.removed_route]
    yield "remove a route"
    key, new = example.renamed_keeping_name
    spec.rename_function(key, new, keep_name=spec.function_names(example.prefix)[key])
    yield "rename a function key keeping its name"
    key, new = example.renamed
    spec.rename_function(key, new, keep_name=None)
    yield "rename a function key without name"


def assert_stack_complete(spec: Spec, example: Example) -> None:
    """Everything the spec asks for exists in the offline AWS, by name, and nothing else (but a removed
    route in the deployment: see the test)."""
    names = spec.function_names(example.prefix)
    lambda_ = boto3.client("lambda", region_name=REGION)
    functions = {f["FunctionName"]: f for f in lambda_.list_functions()["Functions"]}
    assert sorted(functions) == sorted(names.values())
    groups = {g["logGroupName"] for g in boto3.client("logs", region_name=REGION).describe_log_groups()["logGroups"]}
    assert {f"/aws/lambda/{name}" for name in names.values()} <= groups
    roles = {r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]}
    own_role = {key: name for key, name in names.items() if "role" not in (spec.data["functions"][key] or {})}
    assert {f"{name}-role" for name in own_role.values()} <= roles
    for key, name in own_role.items():
        assert functions[name]["Role"] == f"arn:aws:iam::{ACCOUNT}:role/{name}-role", key
        policies = boto3.client("iam").list_role_policies(RoleName=f"{name}-role")["PolicyNames"]
        assert policies == [f"{name}-permissions"], key  # the templates' policy name (Terraform's is `-policy`)

    gateway = boto3.client("apigatewayv2", region_name=REGION)
    (api,) = gateway.get_apis()["Items"]
    integrations = {i["IntegrationId"]: i for i in gateway.get_integrations(ApiId=api["ApiId"])["Items"]}
    routes = {r["RouteKey"]: r for r in gateway.get_routes(ApiId=api["ApiId"])["Items"]}
    expected = spec.routes()
    assert sorted(routes) == sorted(expected)
    for route_key, function in expected.items():
        integration = integrations[routes[route_key]["Target"].removeprefix("integrations/")]
        assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "2.0"
        assert integration["IntegrationUri"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{names[function]}", route_key
    assert len(integrations) == len(set(expected.values())), "one integration per routed function"
    for function in set(expected.values()):
        policy = json.loads(lambda_.get_policy(FunctionName=names[function])["Policy"])
        sources = {s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in policy["Statement"]}
        assert len(sources) == sum(1 for f in expected.values() if f == function), function  # one invoke permission per route
        assert all(s.startswith(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api['ApiId']}/*/") for s in sources)

    (stage,) = gateway.get_stages(ApiId=api["ApiId"])["Items"]
    api_settings = spec.data.get("api") or {}
    assert stage["StageName"] == api_settings.get("stage", "$default")
    if api_settings.get("auto_deploy") is False:
        deployed = next(d for d in Deployment.MADE.values() if d.api_id == api["ApiId"])  # the stage's deployment
        assert len(Deployment.MADE) == 1 and set(expected) <= deployed.routes, "the stage serves the routes of the spec"


@pytest.fixture
def cloud() -> Iterator[None]:
    with offline_cloud():
        iam = boto3.client("iam")
        iam.create_role(RoleName="shop-admin", AssumeRolePolicyDocument="{}")  # shop's `admin` function uses this existing role
        yield


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_deploys_and_survives_the_update_sequence(name: str, cloud: None, tmp_path: Path) -> None:
    example = EXAMPLES[name]
    spec = Spec(name, tmp_path)
    logical_ids: dict[str, dict[str, str]] = {}
    for step in steps(spec, example):
        template_dir = spec.build(tmp_path / "out") / example.prefix / "cloudformation"
        logical_ids[step] = deploy(example.prefix, load_template(template_dir / "template.yaml"), template_dir, example.parameters)
        assert_stack_complete(spec, example)
        if step == "remove a route" and (spec.data.get("api") or {}).get("auto_deploy") is False:
            # As the README says: CloudFormation makes the new deployment before it deletes the removed
            # route, so the deployment still serves it.
            (deployed,) = Deployment.MADE.values()
            assert example.removed_route in deployed.routes
    # Renaming a key while keeping the function's name changed no resource: an in-place update.
    assert logical_ids["rename a function key keeping its name"] == logical_ids["remove a route"]
    assert logical_ids["rename a function key without name"] != logical_ids["rename a function key keeping its name"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_sam_output_deploys_after_the_transform(name: str, cloud: None, tmp_path: Path) -> None:
    """The SAM template as CloudFormation's transform expands it deploys too, and survives the same updates."""
    example = EXAMPLES[name]
    spec = Spec(name, tmp_path)
    for _ in steps(spec, example):
        template_dir = spec.build(tmp_path / "out") / example.prefix / "sam"
        packaged = package(load_template(template_dir / "template.yaml"), template_dir)
        deploy(f"{example.prefix}-sam", sam_transform(packaged), template_dir, example.parameters)
        gateway = boto3.client("apigatewayv2", region_name=REGION)
        (api,) = gateway.get_apis()["Items"]
        assert sorted(r["RouteKey"] for r in gateway.get_routes(ApiId=api["ApiId"])["Items"]) == sorted(spec.routes())
        functions = boto3.client("lambda", region_name=REGION).list_functions()["Functions"]
        assert sorted(f["FunctionName"] for f in functions) == sorted(spec.function_names(example.prefix).values())


@pytest.mark.parametrize(
    ("resource", "error"),
    [
        ("UserRequestLogGroup", "ResourceAlreadyExistsException"),
        ("UserRequestRole", "EntityAlreadyExists"),
        ("UserRequestFunction", "ResourceConflictException"),
        ("PostApiSubmitPostRoute", "ConflictException"),
    ],
)
def test_a_new_resource_cannot_take_a_name_a_removed_one_holds(resource: str, error: str, cloud: None) -> None:
    """The harness fails as AWS does: a resource under a new logical id is created before the old one is
    deleted, and the name (or route key) it takes is still held."""
    example = EXAMPLES["tutorial"]
    template_dir = ROOT / "out" / "demo" / "cloudformation"  # the build of the tutorial, as `scripts/build-examples` makes it
    template = load_template(template_dir / "template.yaml")
    deploy("demo", template, template_dir, example.parameters)
    renamed = json.loads(json.dumps(template).replace(f'"{resource}', f'"Renamed{resource}').replace("${" + resource, "${Renamed" + resource))
    assert f"Renamed{resource}" in renamed["Resources"]
    with pytest.raises(AwsError) as failure:
        deploy("demo", renamed, template_dir, example.parameters)
    assert error_code(failure.value) == error
