"""Offline CloudFormation deploys: moto's CloudFormation, made to create what it skips and to update in CloudFormation's order.

moto (in process, `mock_aws`) deploys a template into its own services, but as it comes it
1. skips every `AWS::ApiGatewayV2::*` resource (and `AWS::IAM::RolePolicy`) with a warning and
   reports the stack complete;
2. updates a stack by deleting removed resources first, then creating new ones, which hides a new
   resource taking a physical name that a removed one still holds; CloudFormation creates new
   resources first, updates changed ones (a replacement is created before its old resource goes)
   and deletes the removed and replaced ones last, in the cleanup phase;
3. lets a second Lambda function of the same name overwrite the first, where Lambda refuses it.

This module adds, through moto's own backends: the ApiGatewayV2 `Api` (with an OpenAPI `Body`
imported as API Gateway does), `Stage`, `Integration`, `Route` and `Deployment`; `IAM::RolePolicy`;
a `Lambda::Function` that is refused when its name is taken (`ResourceConflictException`); a
`Lambda::Permission` that goes away with its resource. And it replaces moto's stack update with
CloudFormation's order, so a conflict fails with the service's own error:
`ResourceAlreadyExistsException` (log group), `EntityAlreadyExists` (IAM role),
`ResourceConflictException` (Lambda function), `ConflictException` (route key, stage name).

What it cannot check: invoking anything (no code runs, no request reaches a route); IAM
evaluation (policies are stored, never applied: a wrong action passes); rollback (a failed
update raises and leaves the stack half-updated, where CloudFormation would roll back); resolved
values in update decisions (replacement is decided from the template's text, as written); most
property validation (moto stores what it is given; Lambda ignores `LoggingConfig`, `Architectures`
and `Tags` from CloudFormation); API Gateway's own messages (the error codes are its, the texts ours).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import boto3
from moto import mock_aws
from moto.apigatewayv2.models import Api, ApiGatewayV2Backend, apigatewayv2_backends
from moto.awslambda.exceptions import FunctionAlreadyExists
from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import cloudformation_backends
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

ACCOUNT = "123456789012"
REGION = "eu-west-1"
BUCKET = "apispec-packages"

# Properties whose change makes CloudFormation replace the resource (create the new, delete the old),
# from each type's reference page; the rest update in place.
REPLACED_WHEN = {
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::IAM::Role": ("RoleName", "Path"),
    "AWS::IAM::RolePolicy": ("PolicyName", "RoleName"),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::Lambda::Permission": ("Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"),
    "AWS::ApiGatewayV2::Api": ("ProtocolType",),
    "AWS::ApiGatewayV2::Stage": ("ApiId", "StageName"),
    "AWS::ApiGatewayV2::Integration": ("ApiId",),
    "AWS::ApiGatewayV2::Route": ("ApiId",),
    "AWS::ApiGatewayV2::Deployment": ("ApiId",),
}
# Types named by a property of their own: a replacement that keeps the name cannot be made.
CUSTOM_NAME = {"AWS::Logs::LogGroup": "LogGroupName", "AWS::IAM::Role": "RoleName", "AWS::Lambda::Function": "FunctionName"}


class ConflictException(JsonRESTError):  # noqa: N818 (API Gateway's name for it)
    """API Gateway's answer to a second route with the same key, or a second stage with the same name."""

    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)


class _Model(CloudFormationModel):
    """A resource this module makes: what `Ref` and `Fn::GetAtt` give, and how it is deleted."""

    TYPE: ClassVar[str] = ""  # this base class is in moto's list of models too: a type no template has
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, physical_id: str, attributes: dict[str, str] | None = None) -> None:
        self.physical_resource_id = physical_id
        self.attributes = attributes or {}

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.attributes[attribute_name]

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError


def _apigw(account_id: str, region_name: str) -> ApiGatewayV2Backend:
    return apigatewayv2_backends[account_id][region_name]


def _camel(settings: dict[str, Any] | None) -> dict[str, Any] | None:
    """CloudFormation's settings (`AllowOrigins`, `DestinationArn`) as API Gateway's API names them (`allowOrigins`)."""
    return None if settings is None else {k[:1].lower() + k[1:]: v for k, v in settings.items()}


class HttpApi(_Model):
    TYPE = "AWS::ApiGatewayV2::Api"
    ATTRIBUTES = ("ApiEndpoint", "ApiId")

    def __init__(self, api: Api) -> None:
        super().__init__(api.api_id, {"ApiEndpoint": api.api_endpoint, "ApiId": api.api_id})
        self.api = api

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> HttpApi:
        properties = cloudformation_json["Properties"]
        body = properties.get("Body")
        api = _apigw(account_id, region_name).create_api(
            api_key_selection_expression=properties.get("ApiKeySelectionExpression"),
            cors_configuration=_camel(properties.get("CorsConfiguration")),  # type: ignore[arg-type]
            description=properties.get("Description"),
            disable_schema_validation=None,  # type: ignore[arg-type]
            disable_execute_api_endpoint=properties.get("DisableExecuteApiEndpoint"),
            name=properties.get("Name") or (body or {}).get("info", {}).get("title"),
            protocol_type=properties.get("ProtocolType", "HTTP"),
            route_selection_expression=None,  # type: ignore[arg-type]
            tags=properties.get("Tags", {}),
            version=None,  # type: ignore[arg-type]
        )
        if body is not None:
            _import(api, body)
        return cls(api)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: HttpApi, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> HttpApi:
        properties = cloudformation_json["Properties"]
        api = original_resource.api
        api.name = properties.get("Name", api.name)
        api.description = properties.get("Description")
        api.cors_configuration = _camel(properties.get("CorsConfiguration"))  # type: ignore[assignment]
        if "Body" in properties:
            _import(api, properties["Body"])
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _apigw(account_id, region_name).delete_api(self.api.api_id)


_ANY_METHOD = "x-amazon-apigateway-any-method"
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", _ANY_METHOD}


def _import(api: Api, body: dict[str, Any]) -> None:
    """An OpenAPI body's routes and integrations, as API Gateway imports them (SAM's HttpApi is one):
    `x-amazon-apigateway-any-method` is `ANY`, and marked `isDefaultRoute` (SAM puts it under `/$default`) or
    under the path `$default` it is the `$default` route.
    (moto's own import makes `X-AMAZON-APIGATEWAY-ANY-METHOD /$default` of it.)"""
    api.clear()
    for path, operations in body.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS or "x-amazon-apigateway-integration" not in operation:
                continue
            integration = operation["x-amazon-apigateway-integration"]
            made = api.create_integration(
                connection_type="INTERNET",
                description="",
                integration_type=integration["type"].upper(),
                integration_method=integration.get("httpMethod"),
                payload_format_version=integration.get("payloadFormatVersion"),
                integration_uri=integration.get("uri"),
            )
            any_method = method == _ANY_METHOD
            default = any_method and (operation.get("isDefaultRoute") or path == "$default")
            key = "$default" if default else f"{'ANY' if any_method else method.upper()} {path}"
            api.create_route(api_key_required=False, authorization_scopes=[], route_key=key, target=f"integrations/{made.id}")
    api.cors_configuration = body.get("x-amazon-apigateway-cors", api.cors_configuration)


class Integration(_Model):
    TYPE = "AWS::ApiGatewayV2::Integration"
    ATTRIBUTES = ("IntegrationId",)

    def __init__(self, api_id: str, integration_id: str) -> None:
        super().__init__(integration_id, {"IntegrationId": integration_id})
        self.api_id = api_id

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Integration:
        p = cloudformation_json["Properties"]
        made = _apigw(account_id, region_name).create_integration(
            api_id=p["ApiId"],
            connection_id=p.get("ConnectionId"),
            connection_type=p.get("ConnectionType", "INTERNET"),
            content_handling_strategy=None,  # type: ignore[arg-type]
            credentials_arn=p.get("CredentialsArn"),
            description=p.get("Description"),
            integration_method=p.get("IntegrationMethod"),
            integration_subtype=None,  # type: ignore[arg-type]
            integration_type=p["IntegrationType"],
            integration_uri=p.get("IntegrationUri"),
            passthrough_behavior=None,  # type: ignore[arg-type]
            payload_format_version=p.get("PayloadFormatVersion"),
            request_parameters=None,
            request_templates=None,
            response_parameters=None,
            template_selection_expression=None,  # type: ignore[arg-type]
            timeout_in_millis=p.get("TimeoutInMillis"),
            tls_config=None,  # type: ignore[arg-type]
        )
        return cls(p["ApiId"], made.id)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Integration, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> Integration:
        p = cloudformation_json["Properties"]
        integration = _apigw(account_id, region_name).get_integration(original_resource.api_id, original_resource.physical_resource_id)
        integration.integration_uri = p.get("IntegrationUri")
        integration.integration_method = p.get("IntegrationMethod")
        integration.payload_format_version = p.get("PayloadFormatVersion")
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _apigw(account_id, region_name).delete_integration(self.api_id, self.physical_resource_id)


def _target_integration(backend: ApiGatewayV2Backend, api_id: str, target: str | None) -> None:
    """A route's `integrations/<id>` target must be an integration of its API (NotFoundException)."""
    if target is not None and target.startswith("integrations/"):
        backend.get_integration(api_id, target.removeprefix("integrations/"))


class Route(_Model):
    TYPE = "AWS::ApiGatewayV2::Route"
    ATTRIBUTES = ("RouteId",)

    def __init__(self, api_id: str, route_id: str) -> None:
        super().__init__(route_id, {"RouteId": route_id})
        self.api_id = api_id

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Route:
        p = cloudformation_json["Properties"]
        backend = _apigw(account_id, region_name)
        if any(r.route_key == p["RouteKey"] for r in backend.get_routes(p["ApiId"])):
            raise ConflictException(f"Route key `{p['RouteKey']}` already exists in API {p['ApiId']}")
        _target_integration(backend, p["ApiId"], p.get("Target"))
        made = backend.create_route(
            api_id=p["ApiId"],
            api_key_required=p.get("ApiKeyRequired", False),
            authorization_scopes=p.get("AuthorizationScopes", []),
            authorization_type=p.get("AuthorizationType"),
            authorizer_id=p.get("AuthorizerId"),
            model_selection_expression=None,  # type: ignore[arg-type]
            operation_name=p.get("OperationName"),
            request_models=None,
            request_parameters=None,
            route_key=p["RouteKey"],
            route_response_selection_expression=None,  # type: ignore[arg-type]
            target=p.get("Target"),
        )
        return cls(p["ApiId"], made.route_id)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Route, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> Route:
        p = cloudformation_json["Properties"]
        backend = _apigw(account_id, region_name)
        route = backend.get_route(original_resource.api_id, original_resource.physical_resource_id)
        if any(r.route_key == p["RouteKey"] and r is not route for r in backend.get_routes(original_resource.api_id)):
            raise ConflictException(f"Route key `{p['RouteKey']}` already exists in API {original_resource.api_id}")
        _target_integration(backend, original_resource.api_id, p.get("Target"))
        route.route_key, route.target = p["RouteKey"], p.get("Target")
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _apigw(account_id, region_name).delete_route(self.api_id, self.physical_resource_id)


class Deployment(_Model):
    """A deployment: what the API's routes were when it was made (moto has no deployments of HTTP APIs)."""

    TYPE = "AWS::ApiGatewayV2::Deployment"
    ATTRIBUTES = ("DeploymentId",)
    MADE: ClassVar[dict[str, Deployment]] = {}  # by id, emptied by each `offline_cloud`

    def __init__(self, api_id: str, routes: frozenset[str]) -> None:
        deployment_id = "".join(mock_random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
        super().__init__(deployment_id, {"DeploymentId": deployment_id})
        self.api_id = api_id
        self.routes = routes  # route keys

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Deployment:
        api_id = cloudformation_json["Properties"]["ApiId"]
        routes = frozenset(r.route_key for r in _apigw(account_id, region_name).get_routes(api_id))
        made = cls(api_id, routes)
        cls.MADE[made.physical_resource_id] = made
        return made

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Deployment, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> Deployment:
        return original_resource  # only its description can change in place

    def delete(self, account_id: str, region_name: str) -> None:
        self.MADE.pop(self.physical_resource_id)


class Stage(_Model):
    TYPE = "AWS::ApiGatewayV2::Stage"

    def __init__(self, api_id: str, name: str) -> None:
        super().__init__(name)
        self.api_id = api_id

    @staticmethod
    def _config(p: dict[str, Any]) -> dict[str, Any]:
        deployment = p.get("DeploymentId")
        if deployment is not None and deployment not in Deployment.MADE:
            raise JsonRESTError("NotFoundException", f"Invalid Deployment identifier specified {deployment}")
        settings = {"accessLogSettings": _camel(p.get("AccessLogSettings")), "autoDeploy": p.get("AutoDeploy"), "tags": p.get("Tags", {})}
        return {"stageName": p["StageName"], "deploymentId": deployment, "defaultRouteSettings": _camel(p.get("DefaultRouteSettings")) or {}, **settings}

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Stage:
        p = cloudformation_json["Properties"]
        backend = _apigw(account_id, region_name)
        if p["StageName"] in backend.get_api(p["ApiId"]).stages:
            raise ConflictException(f"Stage {p['StageName']} already exists in API {p['ApiId']}")
        backend.create_stage(p["ApiId"], cls._config(p))
        return cls(p["ApiId"], p["StageName"])

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Stage, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> Stage:
        p = cloudformation_json["Properties"]
        api = _apigw(account_id, region_name).get_api(original_resource.api_id)
        api.stages.pop(original_resource.physical_resource_id)
        api.create_stage(cls._config(p))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        _apigw(account_id, region_name).delete_stage(self.api_id, self.physical_resource_id)


class RolePolicy(_Model):
    TYPE = "AWS::IAM::RolePolicy"

    def __init__(self, role: str, name: str) -> None:
        super().__init__(name)
        self.role = role

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> RolePolicy:
        p = cloudformation_json["Properties"]
        iam_backends[account_id][get_partition(region_name)].put_role_policy(p["RoleName"], p["PolicyName"], json.dumps(p["PolicyDocument"]))
        return cls(p["RoleName"], p["PolicyName"])

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: RolePolicy, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> RolePolicy:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)  # a put replaces the document

    def delete(self, account_id: str, region_name: str) -> None:
        iam_backends[account_id][get_partition(region_name)].delete_role_policy(self.role, self.physical_resource_id)


class Function(_Model):
    """`AWS::Lambda::Function` through moto's own, refused when its name is taken (moto would overwrite)."""

    TYPE = "AWS::Lambda::Function"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "FunctionName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return LambdaFunction.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> LambdaFunction:
        if resource_name in lambda_backends[account_id][region_name]._lambdas._functions:  # moto's own store of them
            raise FunctionAlreadyExists(resource_name)
        return LambdaFunction.create_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name, **kwargs)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: LambdaFunction, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> LambdaFunction:
        return LambdaFunction.update_from_cloudformation_json(original_resource, new_resource_name, cloudformation_json, account_id, region_name)


class Permission(_Model):
    """`AWS::Lambda::Permission`: a statement in the function's resource policy, removed with the resource (moto keeps it)."""

    TYPE = "AWS::Lambda::Permission"

    def __init__(self, function: LambdaFunction, sid: str) -> None:
        super().__init__(sid)
        self.function = function

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Permission:
        p = cloudformation_json["Properties"]
        function = lambda_backends[account_id][region_name].get_function(p["FunctionName"])
        sid = f"{resource_name}-{mock_random.get_random_hex(8)}"
        function.policy.add_statement(json.dumps({**p, "StatementId": sid}))
        return cls(function, sid)

    def delete(self, account_id: str, region_name: str) -> None:
        self.function.policy.del_statement(self.physical_resource_id)


AwsError = (JsonRESTError, ServiceException)  # what moto's services raise: the logs, Lambda, API Gateway kind and IAM's


def error_code(error: BaseException) -> str:
    """The AWS error code of an exception moto raised (`ResourceAlreadyExistsException`, `EntityAlreadyExists`)."""
    return str(error.error_type if isinstance(error, JsonRESTError) else getattr(error, "code", ""))


def _dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids, each after what it refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`) or `DependsOn`."""
    def needs(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "Ref" and isinstance(inner, str):
                    yield inner
                elif key == "Fn::GetAtt":
                    yield inner[0] if isinstance(inner, list) else inner.split(".")[0]
                elif key == "Fn::Sub":
                    text = inner if isinstance(inner, str) else inner[0]
                    yield from (m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text))
                yield from needs(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from needs(inner)

    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order or name not in resources:
            return
        assert name not in path, f"dependency cycle: {path}"
        body = resources[name]
        depends = body.get("DependsOn", [])
        for other in [*([depends] if isinstance(depends, str) else depends), *needs(body.get("Properties", {}))]:
            visit(other, (*path, name))
        order.append(name)

    for name in resources:
        visit(name, ())
    return order


def _replaced(old: dict[str, Any], new: dict[str, Any]) -> bool:
    if old["Type"] != new["Type"]:
        return True
    before, after = old.get("Properties", {}), new.get("Properties", {})
    return any(before.get(p) != after.get(p) for p in REPLACED_WHEN.get(new["Type"], ()))


def update_in_cloudformation_order(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """`ResourceMap.update` as CloudFormation orders it: create, update (or replace), then clean up."""
    actions = self.build_resource_diff(template, parameters)
    old_resources = self._resource_json_map
    old_order = _dependency_order(old_resources)
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    new_resources = template["Resources"]
    doomed: list[tuple[Any, dict[str, Any]]] = []  # (resource, its old template) for the cleanup phase
    for name in _dependency_order(new_resources):
        if name in actions["Add"]:
            _ = self[name]  # creates it
        elif name in actions["Modify"]:
            old, new = old_resources[name], new_resources[name]
            if _replaced(old, new):
                named = CUSTOM_NAME.get(new["Type"])
                if named and old["Properties"].get(named) == new["Properties"].get(named):
                    raise ValidationError(message=f"CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename {new['Properties'][named]} and update the stack again.")
                doomed.append((self._parsed_resources.pop(name), old))
                _ = self[name]
            elif hasattr(parsing.resource_class_from_type(new["Type"]).update_from_cloudformation_json, "__isabstractmethod__"):
                self._delete_resource(self._parsed_resources.pop(name), old)  # moto cannot update it: made anew
                _ = self[name]
            else:
                self._parsed_resources[name] = parsing.parse_and_update_resource(name, new, self, self._account_id, self._region_name)
    for name in reversed(old_order):
        if name in actions["Remove"]:
            doomed.append((self._parsed_resources.pop(name), old_resources[name]))
    doomed.sort(key=lambda item: -old_order.index(item[0].logical_resource_id))
    for resource, old_template in doomed:
        self._delete_resource(resource, old_template)


def package(template: dict[str, Any], template_dir: Path) -> dict[str, Any]:
    """The template with each function's local `Code` (`CodeUri`) directory zipped into moto's S3, as
    `aws cloudformation package` (`sam deploy`) does."""
    s3: Any = boto3.client("s3", region_name=REGION)  # untyped, as without boto3-stubs (which aws-sam-cli installs)
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        code = {"AWS::Lambda::Function": "Code", "AWS::Serverless::Function": "CodeUri"}.get(resource["Type"])
        if code is not None and isinstance(properties.get(code), str) and not properties[code].startswith("s3://"):
            local = template_dir / properties[code]  # a zip (`apispec package`'s) is uploaded as it is
            package = local.read_bytes() if local.is_file() else _zip(local)
            key = hashlib.md5(package).hexdigest()  # the key `aws cloudformation package` gives
            s3.put_object(Bucket=BUCKET, Key=key, Body=package)
            properties[code] = {"S3Bucket": BUCKET, "S3Key": key} if code == "Code" else f"s3://{BUCKET}/{key}"
    return template


def _zip(directory: Path) -> bytes:
    assert directory.is_dir(), directory
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


_MODELS = (HttpApi, Integration, Route, Deployment, Stage, RolePolicy, Function, Permission)


def deploy(stack: str, template: dict[str, Any], template_dir: Path, parameters: dict[str, str]) -> dict[str, str]:
    """Create `stack` from a template (as `load_template` reads it; `Code` relative to `template_dir`), or update
    it when it exists; return its resources' physical ids by logical id. A failure raises the service's own
    error: moto's exception, whose AWS error code `error_code` gives."""
    body = json.dumps(package(copy.deepcopy(template), template_dir))
    backend = cloudformation_backends[ACCOUNT][REGION]
    if any(s.name == stack for s in backend.stacks.values()):
        made = backend.update_stack(stack, body, None, [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()], None)
    else:
        made = backend.create_stack(stack, body, parameters)
    assert made.status in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}, made.status
    resources: dict[str, Any] = {name: made.resource_map[name] for name in made.resource_map.resources}
    assert all(resources.values()), f"moto skipped some: {[name for name, made in resources.items() if not made]}"
    return {name: resource.physical_resource_id for name, resource in resources.items()}


@contextmanager
def offline_cloud() -> Iterator[None]:
    """moto's AWS, in process, with this module's resource types and update order in its CloudFormation."""
    moto_models = parsing.get_model_map()
    models = {**moto_models, **{model.TYPE: model for model in _MODELS}}
    Deployment.MADE.clear()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    with (
        mock.patch.dict("os.environ", env),
        mock_aws(),
        mock.patch.object(parsing, "get_model_map", lambda: models),
        mock.patch.object(parsing.ResourceMap, "update", update_in_cloudformation_order),
    ):
        yield
