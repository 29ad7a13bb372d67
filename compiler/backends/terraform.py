"""Terraform: a root module of `*.tf.json` for the hashicorp/aws provider (v6), or a child module
(`terraform.module: child`: no provider block, no backend, no region variable).

Files: `providers.tf.json` (versions and provider), `variables.tf.json` (region and parameters),
`main.tf.json` (data sources and resources), `outputs.tf.json`. Policies are
`aws_iam_policy_document` data sources attached with `aws_iam_role_policy`; code is zipped by
`data.archive_file`, except a function with dependencies or a `build` command, whose zip `apispec
package` writes under `<out>/<prefix>/packages/`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compiler import ir, naming
from compiler.backends import Rendered
from compiler.backends.cfn import code_path
from compiler.package import manifest

AWS_PROVIDER = {"source": "hashicorp/aws", "version": "~> 6.0"}
ARCHIVE_PROVIDER = {"source": "hashicorp/archive", "version": "~> 2.4"}
# The oldest Terraform the outputs were run with (init, validate, plan; docs/testing.md): they use
# nothing newer. A block or argument that needs a newer Terraform (`moved` 1.1, `import` 1.5, ...)
# raises it; tests/support/terraform_check.py fails until it does.
REQUIRED_VERSION = ">= 1.0.3"
ARCHIVE_FILE_MODE = "0755"
LOCKFILE_REQUIRED_VERSION = ">= 1.10.0"  # the s3 backend's `use_lockfile` came with Terraform 1.10
CHILD = "child"  # `terraform.module: child`: a module called from the team's own root module

# Resource type and attribute names of each node kind.
TYPES: dict[type, str] = {
    ir.LogGroup: "aws_cloudwatch_log_group",
    ir.Role: "aws_iam_role",
    ir.RolePolicy: "aws_iam_role_policy",
    ir.Function: "aws_lambda_function",
    ir.Api: "aws_apigatewayv2_api",
    ir.Integration: "aws_apigatewayv2_integration",
    ir.Route: "aws_apigatewayv2_route",
    ir.Deployment: "aws_apigatewayv2_deployment",
    ir.Stage: "aws_apigatewayv2_stage",
    ir.Permission: "aws_lambda_permission",
    ir.UrlIntegration: "aws_apigatewayv2_integration",
    ir.Domain: "aws_apigatewayv2_domain_name",
    ir.ApiMapping: "aws_apigatewayv2_api_mapping",
    ir.DnsRecord: "aws_route53_record",
    ir.Authorizer: "aws_apigatewayv2_authorizer",
    ir.AuthorizerPermission: "aws_lambda_permission",
    ir.Version: "aws_lambda_function",  # `publish = true` on the function: its `version` is the latest
    ir.Alias: "aws_lambda_alias",
    ir.ScheduleRule: "aws_cloudwatch_event_rule",
    ir.EventPermission: "aws_lambda_permission",
    ir.EventSourceMapping: "aws_lambda_event_source_mapping",
}
TRACING_MODES = {"active": "Active", "passthrough": "PassThrough"}
PROVISIONED_CONCURRENCY = "aws_lambda_provisioned_concurrency_config"
EVENT_TARGET = "aws_cloudwatch_event_target"
POLICY_ATTACHMENT = "aws_iam_role_policy_attachment"
ATTRIBUTES: dict[tuple[type, str], str] = {
    (ir.LogGroup, "name"): "name",
    (ir.LogGroup, "arn"): "arn",
    (ir.Role, "name"): "name",
    (ir.Role, "arn"): "arn",
    (ir.Function, "name"): "function_name",
    (ir.Function, "arn"): "arn",
    (ir.Function, "invoke_arn"): "invoke_arn",
    (ir.Api, "id"): "id",
    (ir.Api, "endpoint"): "api_endpoint",
    (ir.Api, "execution_arn"): "execution_arn",
    (ir.Api, "cors"): "cors_configuration",
    (ir.Integration, "id"): "id",
    (ir.Route, "id"): "id",
    (ir.Deployment, "id"): "id",
    (ir.Stage, "id"): "id",
    (ir.UrlIntegration, "id"): "id",
    (ir.Domain, "name"): "domain_name",
    (ir.Domain, "target_domain_name"): "domain_name_configuration[0].target_domain_name",
    (ir.Domain, "target_hosted_zone_id"): "domain_name_configuration[0].hosted_zone_id",
    (ir.Authorizer, "id"): "id",
    (ir.Version, "version"): "version",
    (ir.Alias, "arn"): "arn",
    (ir.Alias, "invoke_arn"): "invoke_arn",
    (ir.Alias, "name"): "name",
    (ir.ScheduleRule, "arn"): "arn",
    (ir.ScheduleRule, "name"): "name",
}
PSEUDO = {
    "partition": ("aws_partition", "partition"),
    "region": ("aws_region", "region"),
    "account_id": ("aws_caller_identity", "account_id"),
    "url_suffix": ("aws_partition", "dns_suffix"),
}
# The data source that reads each value held elsewhere (its `value` attribute; an SSM parameter's
# `insecure_value` is not used, so a SecureString stays marked sensitive).
LOOKUPS: dict[type, str] = {ir.Ssm: "aws_ssm_parameter", ir.Import: "aws_cloudformation_export"}
# Policy documents are `<function>_policy`; the shared trust document's name cannot end so.
_ASSUME_ROLE_DOCUMENT = "lambda_assume_role"
_POLICY_DOCUMENT_SUFFIX = "_policy"


class _Module:
    """Renders one graph; remembers which account-level data sources the values used."""

    def __init__(self, graph: ir.Graph, root: str) -> None:
        self.graph = graph
        self.names = naming.target_names(graph)
        self.root = root
        self.pseudo: set[str] = set()
        self.lookups: dict[str, dict[str, Any]] = {}  # data sources of values held elsewhere (`${ssm:…}`, `${import:…}`)
        self.data: dict[str, dict[str, Any]] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.references: dict[ir.Ref, str] = {}  # each reference written once (a big API repeats them)

    # -- values --------------------------------------------------------------------------------
    def address(self, node_id: str) -> str:
        node = self.graph.node(node_id)
        return f"{TYPES[type(node)]}.{self.names.node(node_id).tf}"

    def expression(self, part: ir.Reference) -> str:
        if isinstance(part, ir.Param):
            return f"var.{part.name}"
        if isinstance(part, ir.Ssm | ir.Import):
            source = LOOKUPS[type(part)]
            name = self.names.lookup(part)
            self.lookups.setdefault(source, {})[name] = {"name": part.name}
            return f"data.{source}.{name}.value"
        if isinstance(part, ir.Pseudo):
            source, attribute = PSEUDO[part.name]
            self.pseudo.add(source)
            return f"data.{source}.current.{attribute}"
        written = self.references.get(part)
        if written is None:
            node = self.graph.node(part.node)
            written = self.references[part] = f"{self.address(part.node)}.{ATTRIBUTES[(type(node), part.attribute)]}"
        return written

    def value(self, value: ir.Value) -> Any:
        """A graph value: references become a template (`_Expr`); literal text stays as it is, for `_templates`."""
        if isinstance(value, ir.Sub):
            return _Expr("".join(_escape(p) if isinstance(p, str) else "${" + self.expression(p) + "}" for p in value.parts))
        if isinstance(value, ir.Ref | ir.Param | ir.Pseudo | ir.Ssm | ir.Import):
            return _Expr("${" + self.expression(value) + "}")
        return value

    def tags(self, tags: ir.Tags) -> dict[str, Any]:
        return {key: self.value(value) for key, value in tags}

    def add(self, node: ir.Node, body: dict[str, Any]) -> None:
        self.resources.setdefault(TYPES[type(node)], {})[self.names.node(node.id).tf] = _templates({k: v for k, v in body.items() if v is not None})

    def add_data(self, kind: str, name: str, body: dict[str, Any]) -> None:
        self.data.setdefault(kind, {})[name] = _templates(body)

    # -- resources -----------------------------------------------------------------------------
    def render(self) -> list[Rendered]:
        for node in self.graph.nodes:
            self._node(node)
        data: dict[str, dict[str, Any]] = {}
        for source in sorted(self.pseudo):
            data[source] = {"current": {}}
        for source in sorted(self.lookups):
            data[source] = _templates(dict(sorted(self.lookups[source].items())))
        data.update(self.data)
        main: dict[str, Any] = {}
        if data:
            main["data"] = data
        main["resource"] = self.resources
        files = [
            Rendered("providers.tf.json", self._providers(), "json"),
            Rendered("variables.tf.json", self._variables(), "json"),
            Rendered("main.tf.json", main, "json"),
        ]
        if self.graph.outputs:
            outputs = {self.names.output(o).tf: {"description": o.description, "value": _templates(self.value(o.value))} for o in self.graph.outputs}
            files.append(Rendered("outputs.tf.json", {"output": outputs}, "json"))
        return [f for f in files if f.document]

    def _providers(self) -> dict[str, Any]:
        """Versions, and for a root module its provider and backend; a child module leaves both to its caller."""
        settings = self.graph.terraform
        backend = dict(settings.backend)
        terraform: dict[str, Any] = {
            "required_version": LOCKFILE_REQUIRED_VERSION if backend.get("use_lockfile") is True else REQUIRED_VERSION,
            # hashicorp/archive only zips `source` directories; packaged functions need no provider for their zip.
            "required_providers": {"archive": ARCHIVE_PROVIDER, "aws": AWS_PROVIDER} if "archive_file" in self.data else {"aws": AWS_PROVIDER},
        }
        if settings.module == CHILD:
            return {"terraform": terraform}
        if backend:
            terraform["backend"] = {"s3": backend}
        provider: dict[str, Any] = {"region": "${var.region}"} if self.graph.region else {}
        return {"terraform": terraform, "provider": {"aws": provider}}

    def _variables(self) -> dict[str, Any]:
        variables: dict[str, Any] = {}
        if self.graph.region and self.graph.terraform.module != CHILD:  # a child module's region is its caller's provider's
            variables["region"] = {"description": "AWS region to deploy to", "type": "string", "default": self.graph.region}
        for parameter in self.graph.parameters:
            body: dict[str, Any] = {"type": "string"}
            if parameter.description:
                body["description"] = parameter.description
            if parameter.default is not None:
                body["default"] = parameter.default
            if parameter.sensitive:
                body["sensitive"] = True
            variables[parameter.name] = body
        return {"variable": variables} if variables else {}

    def _node(self, node: ir.Node) -> None:
        render_node = RESOURCES.get(type(node))
        if render_node is None:
            raise TypeError(f"no Terraform rendering for {type(node).__name__}")
        render_node(self, node)

    def _log_group(self, node: ir.LogGroup) -> None:
        self.add(node, {"name": node.name, "retention_in_days": node.retention_days, "kms_key_id": node.kms_key_arn, "tags": self.tags(node.tags)})

    def _role(self, node: ir.Role) -> None:
        self._assume_role_document()
        self.add(
            node,
            {
                "name": node.name,
                "assume_role_policy": _Expr(f"${{data.aws_iam_policy_document.{_ASSUME_ROLE_DOCUMENT}.json}}"),
                "permissions_boundary": self.value(node.permissions_boundary) if node.permissions_boundary is not None else None,
                "tags": self.tags(node.tags),
            },
        )
        # One attachment per managed policy: the role's `managed_policy_arns` is deprecated in provider v6.
        role = self.names.node(node.id).tf
        for index, arn in enumerate(node.managed_policies, start=1):
            body = {"role": _Expr(f"${{{self.address(node.id)}.name}}"), "policy_arn": self.value(arn)}
            self.resources.setdefault(POLICY_ATTACHMENT, {})[f"{role}_managed_{index}"] = _templates(body)

    # -- versions, aliases and triggers (section B) ----------------------------------------------
    def _alias(self, node: ir.Alias) -> None:
        self.add(node, {"name": node.name, "function_name": self.value(node.function), "function_version": self.value(node.version)})
        if node.provisioned_concurrency is not None:
            body = {
                "function_name": self.value(node.function),
                "qualifier": _Expr(f"${{{self.address(node.id)}.name}}"),
                "provisioned_concurrent_executions": node.provisioned_concurrency,
            }
            self.resources.setdefault(PROVISIONED_CONCURRENCY, {})[self.names.node(node.id).tf] = _templates(body)

    def _schedule_rule(self, node: ir.ScheduleRule) -> None:
        self.add(node, {"name": node.name, "schedule_expression": node.expression, "state": "ENABLED" if node.enabled else "DISABLED"})
        # The input is a JSON string literal, the spec's map serialized (Clarification 9), not `jsonencode()`.
        target = {"rule": _Expr(f"${{{self.address(node.id)}.name}}"), "target_id": naming.schedule_target_id(self.names.node(node.id).logical_id), "arn": self.value(node.target), "input": node.input}
        self.resources.setdefault(EVENT_TARGET, {})[self.names.node(node.id).tf] = _templates({k: v for k, v in target.items() if v is not None})

    def _event_permission(self, node: ir.EventPermission) -> None:
        self.add(
            node,
            {
                "statement_id": naming.event_statement_id(node.event),
                "action": "lambda:InvokeFunction",
                "function_name": self.value(node.function),
                "principal": "events.amazonaws.com",
                "source_arn": self.value(node.rule),
            },
        )

    def _event_source_mapping(self, node: ir.EventSourceMapping) -> None:
        self.add(
            node,
            {
                "event_source_arn": self.value(node.source_arn),
                "function_name": self.value(node.function),
                "starting_position": node.starting_position,
                "batch_size": node.batch_size,
                "maximum_batching_window_in_seconds": node.max_batching_window,
                "function_response_types": ["ReportBatchItemFailures"] if node.report_batch_item_failures else None,
                "depends_on": [self.address(d) for d in node.depends_on] or None,
            },
        )

    def _role_policy(self, node: ir.RolePolicy) -> None:
        document = f"{self.names.node(node.id).tf}{_POLICY_DOCUMENT_SUFFIX}"
        self.add_data("aws_iam_policy_document", document, {"statement": [self._statement(s) for s in node.statements]})
        self.add(node, {"name": node.name, "role": self.value(node.role), "policy": _Expr(f"${{data.aws_iam_policy_document.{document}.json}}")})

    def _api(self, node: ir.Api) -> None:
        self.add(
            node,
            {
                "name": node.name,
                "description": node.description,
                "protocol_type": "HTTP",
                "cors_configuration": self._cors(node.cors) if node.cors else None,
                "disable_execute_api_endpoint": True if node.disable_default_endpoint else None,
                "tags": self.tags(node.tags),
            },
        )

    def _integration(self, node: ir.Integration) -> None:
        self.add(
            node,
            {
                "api_id": self.value(node.api),
                "integration_type": "AWS_PROXY",
                "integration_method": "POST",
                "integration_uri": self.value(node.function),
                "payload_format_version": node.payload_format_version,
                "timeout_milliseconds": node.timeout_ms,
            },
        )

    def _url_integration(self, node: ir.UrlIntegration) -> None:
        self.add(
            node,
            {
                "api_id": self.value(node.api),
                "integration_type": "HTTP_PROXY",
                "integration_method": node.method,
                "integration_uri": self.value(node.url),
                "payload_format_version": "1.0",  # the only one HTTP_PROXY integrations take
                "timeout_milliseconds": node.timeout_ms,
            },
        )

    def _domain(self, node: ir.Domain) -> None:
        configuration = {
            "certificate_arn": self.value(node.certificate_arn),
            "endpoint_type": "REGIONAL",
            "security_policy": "TLS_1_2",
            "ip_address_type": node.ip_address_type,
        }
        mtls = {"truststore_uri": self.value(node.truststore_uri)} if node.truststore_uri else None
        self.add(node, {"domain_name": node.name, "domain_name_configuration": configuration, "mutual_tls_authentication": mtls, "tags": self.tags(node.tags)})

    def _api_mapping(self, node: ir.ApiMapping) -> None:
        body = {"api_id": self.value(node.api), "domain_name": self.value(node.domain), "stage": self.value(node.stage), "api_mapping_key": node.key}
        self.add(node, body)

    def _dns_record(self, node: ir.DnsRecord) -> None:
        alias = {"name": self.value(node.target), "zone_id": self.value(node.target_zone), "evaluate_target_health": False}
        self.add(node, {"zone_id": self.value(node.zone_id), "name": node.name, "type": node.type, "alias": alias})

    def _route(self, node: ir.Route) -> None:
        self.add(
            node,
            {
                "api_id": self.value(node.api),
                "route_key": node.route_key,
                "target": self.value(ir.Sub(("integrations/", node.integration))),
                **self._authorization(node.authorization),
                "depends_on": [self.address(node.after)] if node.after else None,
            },
        )

    # -- authorizers ---------------------------------------------------------------------------
    def _authorization(self, authorization: ir.Authorization | None) -> dict[str, Any]:
        """A protected route's arguments (none for an open one: `NONE` is the provider's default)."""
        if authorization is None:
            return {}
        body: dict[str, Any] = {"authorization_type": authorization.type}
        if authorization.authorizer is not None:
            body["authorizer_id"] = self.value(authorization.authorizer)
        if authorization.scopes:
            body["authorization_scopes"] = [self.value(s) for s in authorization.scopes]
        return body

    def _authorizer(self, node: ir.Authorizer) -> None:
        body: dict[str, Any] = {"api_id": self.value(node.api), "name": node.name, "authorizer_type": node.type}
        if node.identity_sources:
            body["identity_sources"] = list(node.identity_sources)
        if node.type == "JWT":
            body["jwt_configuration"] = {"audience": [self.value(a) for a in node.audience], "issuer": self.value(node.issuer)}
        else:
            assert node.function is not None
            body["authorizer_uri"] = self.value(node.function)
            body["authorizer_payload_format_version"] = node.payload_format_version
            body["authorizer_result_ttl_in_seconds"] = node.ttl  # written: the provider's default is 300
            body["enable_simple_responses"] = node.simple_responses
        self.add(node, body)

    def _authorizer_permission(self, node: ir.AuthorizerPermission) -> None:
        self.add(
            node,
            {
                "statement_id": naming.authorizer_statement_id(node.name),
                "action": "lambda:InvokeFunction",
                "function_name": self.value(node.function),
                "principal": "apigateway.amazonaws.com",
                "source_arn": self.value(node.source_arn),
            },
        )

    def _deployment(self, node: ir.Deployment) -> None:
        captured = ", ".join([*(self.address(t) for t in node.triggers), *(self.expression(r) for r in node.settings)])
        self.add(
            node,
            {
                "api_id": self.value(node.api),
                "description": node.description,
                "triggers": {"redeployment": _Expr(f"${{sha1(jsonencode([{captured}]))}}")},
                "lifecycle": {"create_before_destroy": True},
            },
        )

    def _permission(self, node: ir.Permission) -> None:
        self.add(
            node,
            {
                "statement_id": self.names.statement_id(node),
                "action": "lambda:InvokeFunction",
                "function_name": self.value(node.function),
                "principal": "apigateway.amazonaws.com",
                "source_arn": self.value(node.source_arn),
            },
        )

    def _assume_role_document(self) -> None:
        self.add_data(
            "aws_iam_policy_document",
            _ASSUME_ROLE_DOCUMENT,
            {
                "statement": [
                    {
                        "effect": "Allow",
                        "actions": ["sts:AssumeRole"],
                        "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                    }
                ]
            },
        )

    def _statement(self, statement: ir.Statement) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if statement.sid:
            body["sid"] = statement.sid
        body["effect"] = statement.effect
        body["actions"] = list(statement.actions)
        body["resources"] = [self.value(r) for r in statement.resources]
        if statement.conditions:
            body["condition"] = [
                {"test": c.operator, "variable": c.key, "values": [self.value(v) for v in c.values]} for c in statement.conditions
            ]
        return body

    def _code(self, node: ir.Function) -> tuple[_Expr, _Expr]:
        """`filename` and `source_code_hash`: the zip `apispec package` writes for a function with
        dependencies or a `build` command, else the `archive_file` of its `source` as it is."""
        if node.package is not None:
            package = f"${{path.module}}/{manifest.zip_from_target(node.key)}"
            return _Expr(package), _Expr(f'${{filebase64sha256("{package}")}}')
        archive = self.names.node(node.id).tf
        self.add_data(
            "archive_file",
            archive,
            {
                "type": "zip",
                "source_dir": _Expr(f"${{path.module}}/{_escape(code_path(self.root, node.source))}"),
                "output_path": _Expr(f"${{path.module}}/.build/{archive}.zip"),
                # One mode for every entry, so the package's hash does not depend on the umask of the
                # checkout; executable, as a custom runtime's `bootstrap` must be.
                "output_file_mode": ARCHIVE_FILE_MODE,
            },
        )
        return _Expr(f"${{data.archive_file.{archive}.output_path}}"), _Expr(f"${{data.archive_file.{archive}.output_base64sha256}}")

    def _function(self, node: ir.Function) -> None:
        config = node.config
        filename, source_code_hash = self._code(node)
        logging: dict[str, Any] = {"log_format": node.log_format, "log_group": self.value(node.log_group)}
        if node.application_level:
            logging["application_log_level"] = node.application_level
        if node.system_level:
            logging["system_log_level"] = node.system_level
        self.add(
            node,
            {
                "function_name": node.name,
                "description": config.description,
                "role": self.value(node.role),
                "handler": node.handler,
                "runtime": config.runtime,
                "architectures": [config.architecture],
                "memory_size": config.memory,
                "timeout": config.timeout,
                "ephemeral_storage": {"size": config.ephemeral_storage} if config.ephemeral_storage is not None else None,
                "layers": [self.value(arn) for arn in node.layers] or None,
                "tracing_config": {"mode": TRACING_MODES[config.tracing]} if config.tracing else None,
                "vpc_config": {"subnet_ids": [self.value(v) for v in node.vpc[0]], "security_group_ids": [self.value(v) for v in node.vpc[1]]} if node.vpc else None,
                "reserved_concurrent_executions": config.reserved_concurrency,
                "kms_key_arn": self.value(node.kms_key_arn) if node.kms_key_arn is not None else None,
                "code_signing_config_arn": self.value(node.code_signing_config_arn) if node.code_signing_config_arn is not None else None,
                "publish": True if node.alias else None,
                "filename": filename,
                "source_code_hash": source_code_hash,
                "environment": {"variables": {k: self.value(v) for k, v in node.environment}} if node.environment else None,
                "logging_config": logging,
                "tags": self.tags(node.tags),
                "depends_on": [self.address(d) for d in node.depends_on],
            },
        )

    def _cors(self, cors: ir.Cors) -> dict[str, Any]:
        return {name: list(value) if isinstance(value, tuple) else value for name, value in cors.settings()}

    def _stage(self, node: ir.Stage) -> None:
        body: dict[str, Any] = {
            "api_id": self.value(node.api),
            "name": node.name,
            "auto_deploy": node.auto_deploy,
            "deployment_id": self.value(node.deployment) if node.deployment else None,
        }
        if node.access_log:
            body["access_log_settings"] = {"destination_arn": self.value(node.access_log.destination), "format": node.access_log.format}
        throttling = node.default_route_throttling
        if throttling:
            body["default_route_settings"] = {
                "throttling_burst_limit": throttling.burst_limit,
                "throttling_rate_limit": throttling.rate_limit,
            }
            if node.detailed_metrics:
                body["default_route_settings"]["detailed_metrics_enabled"] = True
        if node.route_settings:
            body["route_settings"] = [self._route_setting(node, setting) for setting in node.route_settings]
        body["tags"] = self.tags(node.tags)
        if node.depends_on:
            body["depends_on"] = [self.address(d) for d in node.depends_on]
        self.add(node, body)

    @staticmethod
    def _route_setting(stage: ir.Stage, setting: ir.RouteSetting) -> dict[str, Any]:
        body: dict[str, Any] = {
            "route_key": setting.route_key,
            "throttling_burst_limit": setting.throttling.burst_limit,
            "throttling_rate_limit": setting.throttling.rate_limit,
        }
        if stage.detailed_metrics:
            body["detailed_metrics_enabled"] = True
        return body


class _Expr(str):
    """Text that is already a Terraform template (`${aws_iam_role.x.arn}`), written as it is."""

    __slots__ = ()


def _escape(text: str) -> str:
    """A literal string in Terraform's template syntax: `${` and `%{` are doubled."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _templates(value: Any) -> Any:
    """A resource or data body as Terraform reads it: every literal text escaped, templates kept.
    Escaping here, once for every value, leaves no literal that could be read as a reference."""
    kind = type(value)  # exact types: an `_Expr` is a `str` too
    if kind is str:
        return _escape(value) if "{" in value else value
    if kind is dict:
        return {key: _templates(item) for key, item in value.items()}
    if kind is list:
        return [_templates(item) for item in value]
    return value  # an `_Expr` (a `str`, written as it is), a number, a boolean


def render(graph: ir.Graph, root: str) -> list[Rendered]:
    return _Module(graph, root).render()


# The resource each node type becomes.
RESOURCES: dict[type, Callable[[_Module, Any], None]] = {
    ir.LogGroup: _Module._log_group,
    ir.Role: _Module._role,
    ir.RolePolicy: _Module._role_policy,
    ir.Function: _Module._function,
    ir.Api: _Module._api,
    ir.Integration: _Module._integration,
    ir.Route: _Module._route,
    ir.Deployment: _Module._deployment,
    ir.Stage: _Module._stage,
    ir.Permission: _Module._permission,
    ir.UrlIntegration: _Module._url_integration,
    ir.Domain: _Module._domain,
    ir.ApiMapping: _Module._api_mapping,
    ir.DnsRecord: _Module._dns_record,
    ir.Authorizer: _Module._authorizer,
    ir.AuthorizerPermission: _Module._authorizer_permission,
    ir.Version: lambda module, node: None,  # the function's `publish = true`
    ir.Alias: _Module._alias,
    ir.ScheduleRule: _Module._schedule_rule,
    ir.EventPermission: _Module._event_permission,
    ir.EventSourceMapping: _Module._event_source_mapping,
}
