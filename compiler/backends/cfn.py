"""What the CloudFormation and SAM backends share: intrinsics and the plain AWS resources.

`CfnRenderer.value` is the only place a graph value becomes CloudFormation: references follow the
attribute table `ATTRIBUTES`, parameters become `!Ref`, strings with references become `!Sub`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from compiler import awsdata, ir, naming
from compiler.backends import Rendered
from compiler.serialize import Tagged

TEMPLATE_VERSION = "2010-09-09"
_LOOKS_LIKE_REFERENCE = re.compile(awsdata.CFN_REFERENCE_PATTERN)
_LOOKUPS = (ir.Ssm, ir.Import)
_PSEUDO = {"partition": "AWS::Partition", "region": "AWS::Region", "account_id": "AWS::AccountId", "url_suffix": "AWS::URLSuffix"}

# How each node attribute is written: "Ref", "GetAtt <Name>", or a Sub of parts.
ATTRIBUTES: dict[tuple[type, str], str | tuple[str | ir.Pseudo | ir.Ref, ...]] = {
    (ir.LogGroup, "name"): "Ref",
    (ir.LogGroup, "arn"): "GetAtt Arn",
    (ir.Role, "name"): "Ref",
    (ir.Role, "arn"): "GetAtt Arn",
    (ir.Function, "name"): "Ref",
    (ir.Function, "arn"): "GetAtt Arn",
    (ir.Function, "invoke_arn"): (  # what an API Gateway integration calls (Terraform's `invoke_arn`)
        "arn:",
        ir.Pseudo("partition"),
        ":apigateway:",
        ir.Pseudo("region"),
        ":lambda:path/2015-03-31/functions/",
        ir.Ref("<self>", "arn"),
        "/invocations",
    ),
    (ir.Api, "id"): "Ref",
    (ir.Api, "endpoint"): "GetAtt ApiEndpoint",
    (ir.Api, "execution_arn"): (
        "arn:",
        ir.Pseudo("partition"),
        ":execute-api:",
        ir.Pseudo("region"),
        ":",
        ir.Pseudo("account_id"),
        ":",
        ir.Ref("<self>", "id"),
    ),
    (ir.Integration, "id"): "Ref",
    (ir.Route, "id"): "Ref",
    (ir.Deployment, "id"): "Ref",
    (ir.Stage, "id"): "Ref",
    (ir.UrlIntegration, "id"): "Ref",
    (ir.Domain, "name"): "Ref",
    (ir.Domain, "target_domain_name"): "GetAtt RegionalDomainName",
    (ir.Domain, "target_hosted_zone_id"): "GetAtt RegionalHostedZoneId",
    (ir.Authorizer, "id"): "Ref",
    (ir.Version, "version"): "GetAtt Version",
    (ir.Alias, "arn"): "Ref",  # an alias's `Ref` is its ARN
    (ir.Alias, "invoke_arn"): ("arn:", ir.Pseudo("partition"), ":apigateway:", ir.Pseudo("region"), ":lambda:path/2015-03-31/functions/", ir.Ref("<self>", "arn"), "/invocations"),
    (ir.ScheduleRule, "arn"): "GetAtt Arn",
}
TRACING_MODES = {"active": "Active", "passthrough": "PassThrough"}

# `CorsConfiguration` property of each CORS setting (the same in AWS::ApiGatewayV2::Api and SAM's HttpApi).
_CORS_PROPERTIES = {
    "allow_origins": "AllowOrigins",
    "allow_methods": "AllowMethods",
    "allow_headers": "AllowHeaders",
    "expose_headers": "ExposeHeaders",
    "allow_credentials": "AllowCredentials",
    "max_age": "MaxAge",
}

_ASSUME_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


class CfnRenderer:
    """Renders graph values and the resources that SAM and CloudFormation write the same way."""

    def __init__(self, graph: ir.Graph) -> None:
        self.graph = graph
        self.names = naming.target_names(graph)
        self.parameters = {p.name: self.names.parameter(p) for p in graph.parameters}

    def id_of(self, node: ir.Node) -> str:
        """A node's logical id."""
        return self.names.node(node.id).logical_id

    # -- values --------------------------------------------------------------------------------
    def value(self, value: ir.Value) -> Any:
        if isinstance(value, ir.Sub):
            return self._sub(value.parts)
        if isinstance(value, ir.Ref | ir.Param | ir.Pseudo | ir.Ssm | ir.Import):
            return self._sub((value,))
        if isinstance(value, str) and _LOOKS_LIKE_REFERENCE.search(value):
            # Literal text such as `${AWS::Region}`: split between `$` and `{` so that nothing (and no
            # linter) takes it for a reference, and no `!Sub` without variables is needed.
            return {"Fn::Join": ["", re.split(r"(?<=\$)(?=\{)", value)]}
        return value

    def text(self, text: str | None) -> Any:
        """Free text of the spec (a description): as it is, unless it must not be read as a reference."""
        return None if text is None else self.value(text)

    def tag_map(self, tags: ir.Tags) -> dict[str, Any]:
        return {key: self.value(value) for key, value in tags}

    def tag_list(self, tags: ir.Tags) -> list[dict[str, Any]]:
        return [{"Key": key, "Value": self.value(value)} for key, value in tags]

    def _sub(self, parts: tuple[str | ir.Reference, ...]) -> Any:
        """Parts as one value: a lone reference as itself, else `!Sub`. An SSM parameter is a dynamic
        reference, `{{resolve:ssm:…}}`, which CloudFormation resolves in any text; an export is an
        `Fn::ImportValue`, named in the `Fn::Sub` variables (`import1`, ...; logical ids start in upper case) when it is part of a text."""
        flat = list(self._flatten(parts))
        if len(flat) == 1 and not isinstance(flat[0], str):
            return self._single(flat[0])
        if not any(isinstance(p, _LOOKUPS) for p in flat):  # the common case: names and parameters only
            return Tagged("!Sub", "".join(p.replace("${", "${!") if isinstance(p, str) else "${" + self._name(p) + "}" for p in flat))  # type: ignore[arg-type]
        if all(isinstance(p, str | ir.Ssm) for p in flat):  # text only: no `!Sub` needed
            return self.value("".join(_dynamic_reference(p) if isinstance(p, ir.Ssm) else p for p in flat if isinstance(p, str | ir.Ssm)))
        variables: dict[str, Any] = {}
        imports: dict[str, str] = {}
        text = ""
        for part in flat:
            if isinstance(part, str):
                text += part.replace("${", "${!")
            elif isinstance(part, ir.Ssm):
                text += _dynamic_reference(part)
            elif isinstance(part, ir.Import):
                name = imports.setdefault(part.name, f"import{len(imports) + 1}")  # lower case: no logical id's
                variables[name] = {"Fn::ImportValue": part.name}
                text += "${" + name + "}"
            else:
                text += "${" + self._name(part) + "}"
        if variables:
            return {"Fn::Sub": [text, variables]}
        return Tagged("!Sub", text)

    def _flatten(self, parts: tuple[str | ir.Reference, ...]) -> Iterator[str | ir.Reference]:
        for part in parts:
            if isinstance(part, ir.Ref):
                how = ATTRIBUTES[(type(self.graph.node(part.node)), part.attribute)]
                if isinstance(how, tuple):
                    yield from self._flatten(tuple(ir.Ref(part.node, p.attribute) if isinstance(p, ir.Ref) else p for p in how))
                    continue
            if part != "":
                yield part

    def _name(self, part: ir.Ref | ir.Param | ir.Pseudo) -> str:
        """The `${…}` name of a reference inside `!Sub`."""
        if isinstance(part, ir.Param):
            return self.parameters[part.name]
        if isinstance(part, ir.Pseudo):
            return _PSEUDO[part.name]
        node = self.graph.node(part.node)
        how = ATTRIBUTES[(type(node), part.attribute)]
        assert isinstance(how, str)
        return self.id_of(node) if how == "Ref" else f"{self.id_of(node)}.{how.split()[1]}"

    def _single(self, part: ir.Reference) -> Any:
        if isinstance(part, ir.Ssm):
            return _dynamic_reference(part)
        if isinstance(part, ir.Import):
            return Tagged("!ImportValue", part.name)
        name = self._name(part)
        if isinstance(part, ir.Ref) and "." in name:
            return Tagged("!GetAtt", name)
        return Tagged("!Ref", name)

    def logical_id(self, ref: ir.Ref) -> str:
        return self.id_of(self.graph.node(ref.node))

    # -- shared resources ---------------------------------------------------------------------
    def log_group(self, node: ir.LogGroup) -> dict[str, Any]:
        # Stated explicitly (cfn-lint I3011): the logs go with the stack, as with `terraform destroy`.
        return {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": without_none(
                {"LogGroupName": node.name, "RetentionInDays": node.retention_days, "KmsKeyId": node.kms_key_arn, "Tags": self.tag_list(node.tags)}
            ),
        }

    def role(self, node: ir.Role) -> dict[str, Any]:
        return resource(
            "AWS::IAM::Role",
            {
                "RoleName": node.name,
                "AssumeRolePolicyDocument": _ASSUME_LAMBDA,
                "ManagedPolicyArns": [self.value(arn) for arn in node.managed_policies] or None,
                "PermissionsBoundary": self.value(node.permissions_boundary) if node.permissions_boundary is not None else None,
                "Tags": self.tag_list(node.tags),
            },
        )

    def role_policy(self, node: ir.RolePolicy) -> dict[str, Any]:
        # `AWS::IAM::Policy` attached to the one role, not `AWS::IAM::RolePolicy`: IAM stores the same
        # inline policy, and checkov and the cfn-guard rules read this type (they skip RolePolicy).
        # Its logical id and name differ from the RolePolicy of earlier outputs: CloudFormation refuses
        # to change a resource's type in place, and removing that one deletes its name from the role.
        return resource(
            "AWS::IAM::Policy",
            {
                "PolicyName": node.template_name,
                "Roles": [self.value(node.role)],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [self._statement(s) for s in node.statements]},
            },
        )

    def _statement(self, statement: ir.Statement) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if statement.sid:
            body["Sid"] = statement.sid
        body["Effect"] = statement.effect
        body["Action"] = list(statement.actions)
        body["Resource"] = [self.value(r) for r in statement.resources]
        if statement.conditions:
            conditions: dict[str, dict[str, Any]] = {}
            for condition in statement.conditions:
                values = [self.value(v) for v in condition.values]
                conditions.setdefault(condition.operator, {})[condition.key] = values[0] if len(values) == 1 else values
            body["Condition"] = conditions
        return body

    def environment(self, node: ir.Function) -> dict[str, Any] | None:
        if not node.environment:
            return None
        return {"Variables": {name: self.value(value) for name, value in node.environment}}

    def logging_config(self, node: ir.Function) -> dict[str, Any]:
        config: dict[str, Any] = {"LogFormat": node.log_format, "LogGroup": self.value(node.log_group)}
        if node.application_level:
            config["ApplicationLogLevel"] = node.application_level
        if node.system_level:
            config["SystemLogLevel"] = node.system_level
        return config

    def cors(self, cors: ir.Cors) -> dict[str, Any]:
        return {_CORS_PROPERTIES[name]: list(value) if isinstance(value, tuple) else value for name, value in cors.settings()}

    def function_properties(self, node: ir.Function, code: tuple[str, str], tags: Any) -> dict[str, Any]:
        """The properties SAM and CloudFormation functions share; `code` is the code property and its value."""
        config = node.config
        return {
            "FunctionName": node.name,
            "Description": self.text(config.description),
            code[0]: code[1],
            "Handler": self.text(node.handler),  # free text for custom runtimes: may look like a reference
            "Runtime": config.runtime,
            "Architectures": [config.architecture],
            "MemorySize": config.memory,
            "Timeout": config.timeout,
            "EphemeralStorage": {"Size": config.ephemeral_storage} if config.ephemeral_storage is not None else None,
            "Layers": [self.value(arn) for arn in node.layers] or None,
            "VpcConfig": {"SubnetIds": [self.value(v) for v in node.vpc[0]], "SecurityGroupIds": [self.value(v) for v in node.vpc[1]]} if node.vpc else None,
            "ReservedConcurrentExecutions": config.reserved_concurrency,
            "KmsKeyArn": self.value(node.kms_key_arn) if node.kms_key_arn is not None else None,
            "CodeSigningConfigArn": self.value(node.code_signing_config_arn) if node.code_signing_config_arn is not None else None,
            "Role": self.value(node.role),
            "Environment": self.environment(node),
            "LoggingConfig": self.logging_config(node),
            "Tags": tags,
        }

    def access_log_settings(self, stage: ir.Stage) -> dict[str, Any] | None:
        if stage.access_log is None:
            return None
        return {"DestinationArn": self.value(stage.access_log.destination), "Format": stage.access_log.format}

    def throttling(self, stage: ir.Stage) -> dict[str, Any] | None:
        """The stage's `DefaultRouteSettings`."""
        throttling = stage.default_route_throttling
        if throttling is None:
            return None
        settings: dict[str, Any] = {"ThrottlingBurstLimit": throttling.burst_limit, "ThrottlingRateLimit": throttling.rate_limit}
        if stage.detailed_metrics:
            settings["DetailedMetricsEnabled"] = True
        return settings

    # -- API surface of v1.1: route settings, URL integrations, custom domains ------------------
    @staticmethod
    def route_settings(stage: ir.Stage) -> dict[str, Any] | None:
        """The stage's `RouteSettings`, keyed by route key."""
        if not stage.route_settings:
            return None
        settings: dict[str, Any] = {}
        for setting in stage.route_settings:
            body: dict[str, Any] = {"ThrottlingBurstLimit": setting.throttling.burst_limit, "ThrottlingRateLimit": setting.throttling.rate_limit}
            if stage.detailed_metrics:
                body["DetailedMetricsEnabled"] = True
            settings[setting.route_key] = body
        return settings

    def url_integration(self, node: ir.UrlIntegration) -> dict[str, Any]:
        return resource(
            "AWS::ApiGatewayV2::Integration",
            {
                "ApiId": self.value(node.api),
                "IntegrationType": "HTTP_PROXY",
                "IntegrationMethod": node.method,
                "IntegrationUri": self.value(node.url),
                "PayloadFormatVersion": "1.0",  # the only one HTTP_PROXY integrations take
                "TimeoutInMillis": node.timeout_ms,
            },
        )

    def domain(self, node: ir.Domain) -> dict[str, Any]:
        configuration = {
            "CertificateArn": self.value(node.certificate_arn),
            "EndpointType": "REGIONAL",
            "SecurityPolicy": "TLS_1_2",
            "IpAddressType": node.ip_address_type,
        }
        mtls = {"TruststoreUri": self.value(node.truststore_uri)} if node.truststore_uri else None
        properties = {"DomainName": node.name, "DomainNameConfigurations": [configuration], "MutualTlsAuthentication": mtls, "Tags": self.tag_map(node.tags)}
        return resource("AWS::ApiGatewayV2::DomainName", properties)

    def api_mapping(self, node: ir.ApiMapping, stage: Any = None) -> dict[str, Any]:
        """The mapping; `stage` replaces the stage reference (SAM names its stages itself)."""
        properties = {
            "ApiId": self.value(node.api),
            "DomainName": self.value(node.domain),
            "Stage": stage if stage is not None else self.value(node.stage),
            "ApiMappingKey": node.key,
        }
        return resource("AWS::ApiGatewayV2::ApiMapping", properties)

    def dns_record(self, node: ir.DnsRecord) -> dict[str, Any]:
        alias = {"DNSName": self.value(node.target), "HostedZoneId": self.value(node.target_zone), "EvaluateTargetHealth": False}
        return resource("AWS::Route53::RecordSet", {"HostedZoneId": self.value(node.zone_id), "Name": node.name, "Type": node.type, "AliasTarget": alias})

    def permission(self, node: ir.Permission) -> dict[str, Any]:
        return resource(
            "AWS::Lambda::Permission",
            {
                "Action": "lambda:InvokeFunction",
                "FunctionName": self.value(node.function),
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": self.value(node.source_arn),
            },
        )

    def authorizer_permission(self, node: ir.AuthorizerPermission, source_arn: ir.Sub) -> dict[str, Any]:
        return resource(
            "AWS::Lambda::Permission",
            {
                "Action": "lambda:InvokeFunction",
                "FunctionName": self.value(node.function),
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": self.value(source_arn),
            },
        )

    # -- triggers (section B) --------------------------------------------------------------------
    def schedule_rule(self, node: ir.ScheduleRule) -> dict[str, Any]:
        target = without_none({"Id": naming.schedule_target_id(self.id_of(node)), "Arn": self.value(node.target), "Input": node.input})
        properties = {"Name": node.name, "ScheduleExpression": node.expression, "State": "ENABLED" if node.enabled else "DISABLED", "Targets": [target]}
        return resource("AWS::Events::Rule", properties)

    def event_permission(self, node: ir.EventPermission) -> dict[str, Any]:
        return resource(
            "AWS::Lambda::Permission",
            {"Action": "lambda:InvokeFunction", "FunctionName": self.value(node.function), "Principal": "events.amazonaws.com", "SourceArn": self.value(node.rule)},
        )

    def event_source_mapping(self, node: ir.EventSourceMapping) -> dict[str, Any]:
        return resource(
            "AWS::Lambda::EventSourceMapping",
            {
                "EventSourceArn": self.value(node.source_arn),
                "FunctionName": self.value(node.function),
                "StartingPosition": node.starting_position,
                "BatchSize": node.batch_size,
                "MaximumBatchingWindowInSeconds": node.max_batching_window,
                "FunctionResponseTypes": ["ReportBatchItemFailures"] if node.report_batch_item_failures else None,
            },
            # Lambda checks the role's access when it creates the mapping (Clarification 6).
            depends_on=[self.id_of(self.graph.node(d)) for d in node.depends_on] or None,
        )

    def template(self, resources: dict[str, Any], transform: str | None = None) -> Rendered:
        """The template file around `resources`: version, transform, description, parameters, outputs."""
        template: dict[str, Any] = {"AWSTemplateFormatVersion": TEMPLATE_VERSION}
        if transform:
            template["Transform"] = transform
        template["Description"] = template_description(self.graph)
        if self.graph.parameters:
            template["Parameters"] = self.parameters_section()
        template["Resources"] = resources
        if self.graph.outputs:
            template["Outputs"] = self.outputs_section()
        return Rendered("template.yaml", template, "yaml")

    def parameters_section(self) -> dict[str, Any]:
        section: dict[str, Any] = {}
        for parameter in self.graph.parameters:
            body: dict[str, Any] = {"Type": "String"}
            if parameter.description:
                body["Description"] = parameter.description
            if parameter.default is not None:
                body["Default"] = parameter.default
            if parameter.sensitive:
                body["NoEcho"] = True
            section[self.parameters[parameter.name]] = body
        return section

    def outputs_section(self) -> dict[str, Any]:
        return {self.names.output(o).logical_id: {"Description": o.description, "Value": self.value(o.value)} for o in self.graph.outputs}

    def depends_on(self, node: ir.Function) -> list[str]:
        """`DependsOn` for what the function must come after and does not already refer to (CloudFormation
        orders referenced resources itself)."""
        referenced = ir.references(node)
        return [self.id_of(self.graph.node(d)) for d in node.depends_on if d not in referenced]


def resource(
    kind: str, properties: dict[str, Any], depends_on: list[str] | None = None, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A template resource; properties set to None are left out."""
    body: dict[str, Any] = {"Type": kind}
    if metadata:
        body["Metadata"] = metadata
    if depends_on:
        body["DependsOn"] = depends_on
    body["Properties"] = without_none(properties)
    return body


def without_none(properties: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if v is not None}


def _dynamic_reference(ssm: ir.Ssm) -> str:
    """An SSM parameter as CloudFormation reads it at deploy time (a String or StringList; a SecureString
    is refused in these places, so secrets are read at run time)."""
    return f"{{{{resolve:ssm:{ssm.name}}}}}"


def template_description(graph: ir.Graph) -> str:
    return graph.description or f"{graph.prefix}: generated by apispec from service.yaml"


def code_path(root: str, source: str) -> str:
    """A function's code directory relative to the template, with `/`."""
    return posixpath.normpath(posixpath.join(root, source))
