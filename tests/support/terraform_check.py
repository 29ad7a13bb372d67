"""Check a Terraform JSON root module against provider schemas, in pure Python (no terraform binary).

`check_module(directory)` merges every `*.tf.json` file in `directory` and returns one readable
string per problem (empty list: nothing found). It follows Terraform's JSON configuration syntax
(https://developer.hashicorp.com/terraform/language/syntax/json) and checks:

- top-level block types, names declared twice, `"//"` comment properties;
- `terraform.required_providers`: `source` + `version` pinned to one major version that admits the
  schema's provider version, and a declaration for every provider a block uses;
- `resource` / `data` bodies, recursively, against the provider schema: meta-arguments, unknown,
  computed-only and deprecated arguments and blocks, required arguments, nested block shape and
  `min_items` / `max_items`, literal value types, `lifecycle`, `dynamic`, `depends_on`;
- `variable`, `output`, `locals`, `provider` blocks;
- every `${...}` / `%{...}` reference: declared variables, locals, resources, data sources and
  modules; attribute names (and deprecation) of resources and data sources; instance keys versus
  `count` / `for_each`; `each` / `count` only where they are defined; built-in function names.

Deliberate limits: native `*.tf` files and override files are reported, not read; `module`,
`moved`, `import`, `check` and `removed` bodies are not checked; types of values computed by
expressions are not inferred; a JSON object with the same key twice is reported although HCL would
merge some such blocks. Provider configuration arguments are checked only when the schema has the
provider's configuration block (`provider.block`); the shipped test schemas do not have one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tests.support.hcl_expr import (
    ExprScan,
    Reference,
    has_template,
    is_single_interpolation,
    scan_expression,
    scan_template,
)

Json = Any
Schema = Mapping[str, Any]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "terraform-provider-schema"

TOP_LEVEL = frozenset({"terraform", "provider", "variable", "locals", "data", "resource", "output"})
TOP_LEVEL_UNCHECKED = frozenset({"module", "moved", "import", "check", "removed"})
RESOURCE_META = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"})
DATA_META = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle"})
RESOURCE_LIFECYCLE = frozenset(
    {
        "create_before_destroy",
        "prevent_destroy",
        "ignore_changes",
        "replace_triggered_by",
        "precondition",
        "postcondition",
    }
)
DATA_LIFECYCLE = frozenset({"precondition", "postcondition"})
VARIABLE_KEYS = frozenset({"type", "default", "description", "sensitive", "nullable", "validation", "ephemeral"})
OUTPUT_KEYS = frozenset({"value", "description", "sensitive", "depends_on", "precondition", "ephemeral"})
TERRAFORM_KEYS = frozenset(
    {"required_version", "required_providers", "backend", "cloud", "experiments", "provider_meta"}
)
REQUIRED_PROVIDER_KEYS = frozenset({"source", "version", "configuration_aliases"})
CONDITION_KEYS = frozenset({"condition", "error_message"})
DYNAMIC_KEYS = frozenset({"for_each", "iterator", "labels", "content"})
COMMENT = "//"

# Terraform's built-in functions (internal/lang/functions.go, Terraform 1.x; `list`, `map` and the
# console-only `type` are left out because they fail in configuration).
FUNCTIONS = frozenset(
    """abs abspath alltrue anytrue base64decode base64encode base64gzip base64sha256 base64sha512 basename bcrypt can
    ceil chomp chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact concat
    contains csvdecode dirname distinct element endswith ephemeralasnull file filebase64 filebase64sha256
    filebase64sha512 fileexists filemd5 fileset filesha1 filesha256 filesha512 flatten floor format formatdate
    formatlist indent index issensitive join jsondecode jsonencode keys length log lookup lower matchkeys max
    md5 merge min nonsensitive one parseint pathexpand plantimestamp pow range regex regexall replace reverse
    rsadecrypt sensitive setintersection setproduct setsubtract setunion sha1 sha256 sha512 signum slice sort
    split startswith strcontains strrev substr sum templatefile templatestring textdecodebase64 textencodebase64
    timeadd timecmp timestamp title tobool tolist tomap tonumber toset tostring transpose trim trimprefix
    trimspace trimsuffix try upper urlencode uuid uuidv5 values yamldecode yamlencode zipmap""".split()  # noqa: SIM905
)


# --------------------------------------------------------------------------------------------- schemas


@dataclass(frozen=True)
class ProviderSchema:
    """One provider's schemas: `block`s by resource / data source type, and its configuration block."""

    name: str
    address: str | None
    version: str | None
    config: Schema | None
    resources: Mapping[str, Schema]
    data_sources: Mapping[str, Schema]


@dataclass(frozen=True)
class ProviderSchemas:
    """Provider schemas by local name (`aws`, `archive`)."""

    providers: Mapping[str, ProviderSchema]

    def get(self, name: str) -> ProviderSchema | None:
        """The schema of provider `name`, if loaded."""
        return self.providers.get(name)


def load_schemas(directory: Path = SCHEMA_DIR) -> ProviderSchemas:
    """Load every `*.json` provider schema in `directory`.

    Accepts the full `terraform providers schema -json` output (`provider_schemas` keyed by
    address) and the per-provider layout of the test data (`resource_schemas` at the top, with
    `provider` the address string, or the configuration schema object).
    """
    providers: dict[str, ProviderSchema] = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "provider_schemas" in data:
            for address, entry in data["provider_schemas"].items():
                schema = _provider_schema(entry, address, None, path.stem)
                providers[schema.name] = schema
        else:
            provider = data.get("provider")
            address = provider if isinstance(provider, str) else data.get("provider_address")
            schema = _provider_schema(data, address, data.get("provider_version"), path.stem)
            providers[schema.name] = schema
    return ProviderSchemas(providers)


def _provider_schema(entry: Mapping[str, Any], address: str | None, version: str | None, stem: str) -> ProviderSchema:
    config = entry.get("provider")
    return ProviderSchema(
        name=address.rsplit("/", 1)[-1] if address else stem,
        address=address,
        version=version,
        config=config["block"] if isinstance(config, dict) and "block" in config else None,
        resources={name: s["block"] for name, s in (entry.get("resource_schemas") or {}).items()},
        data_sources={name: s["block"] for name, s in (entry.get("data_source_schemas") or {}).items()},
    )


# ----------------------------------------------------------------------------------------- the module


@dataclass(frozen=True)
class _Decl:
    """A declared block: the file it is in and its body."""

    file: str
    body: Json


@dataclass
class _Module:
    terraform: list[_Decl] = field(default_factory=list)
    providers: dict[tuple[str, str | None], _Decl] = field(default_factory=dict)
    variables: dict[str, _Decl] = field(default_factory=dict)
    locals: dict[str, _Decl] = field(default_factory=dict)
    resources: dict[tuple[str, str], _Decl] = field(default_factory=dict)
    data: dict[tuple[str, str], _Decl] = field(default_factory=dict)
    outputs: dict[str, _Decl] = field(default_factory=dict)
    modules: dict[str, _Decl] = field(default_factory=dict)


@dataclass(frozen=True)
class _Ctx:
    """Where a value is: for messages, and which symbols its expressions may use."""

    file: str
    owner: str
    path: str = ""
    provider: str = ""
    count: bool = False
    for_each: bool = False
    self_ok: bool = False
    bound: frozenset[str] = frozenset()

    def at(self, segment: str) -> _Ctx:
        """The context of a nested block or value named `segment`."""
        return replace(self, path=f"{self.path}.{segment}" if self.path else segment)


def check_module(directory: Path, schemas: ProviderSchemas | None = None) -> list[str]:
    """Every problem found in the Terraform JSON root module in `directory` (all *.tf.json files merged),
    as readable strings like 'main.tf.json: resource aws_lambda_function.orders: argument "foo" is not in
    the aws provider schema'. Empty list = valid."""
    return _Checker(schemas if schemas is not None else load_schemas()).run(Path(directory))


class _Checker:
    def __init__(self, schemas: ProviderSchemas) -> None:
        self.schemas = schemas
        self.module = _Module()
        self.problems: list[str] = []

    # -- reporting

    def report(self, ctx: _Ctx, message: str) -> None:
        where = f"{ctx.owner}: {ctx.path}: " if ctx.path else f"{ctx.owner}: " if ctx.owner else ""
        self.problems.append(f"{ctx.file}: {where}{message}")

    # -- phase 1: read files and collect declarations

    def run(self, directory: Path) -> list[str]:
        files = sorted(directory.glob("*.tf.json"))
        for native in sorted(directory.glob("*.tf")):
            self.problems.append(f"{native.name}: native-syntax file; this checker reads only *.tf.json")
        if not files:
            self.problems.append(f"{directory}: no *.tf.json files")
        for path in files:
            if path.name == "override.tf.json" or path.name.endswith("_override.tf.json"):
                self.problems.append(f"{path.name}: override files are not supported by this checker")
                continue
            self.read_file(path)
        self.check_terraform()
        for (name, alias), decl in self.module.providers.items():
            self.check_provider(name, alias, decl)
        for name, decl in self.module.variables.items():
            self.check_variable(name, decl)
        for name, decl in self.module.locals.items():
            self.check_expression(decl.body, _Ctx(decl.file, f"local {name}"))
        for (type_, name), decl in self.module.data.items():
            self.check_resource("data", type_, name, decl)
        for (type_, name), decl in self.module.resources.items():
            self.check_resource("resource", type_, name, decl)
        for name, decl in self.module.outputs.items():
            self.check_output(name, decl)
        return self.problems

    def read_file(self, path: Path) -> None:
        file = path.name
        duplicates: list[str] = []

        def pairs_hook(pairs: list[tuple[str, Json]]) -> dict[str, Json]:
            result: dict[str, Json] = {}
            for key, value in pairs:
                if key in result and key != COMMENT:
                    duplicates.append(key)
                result[key] = value
            return result

        try:
            root = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=pairs_hook)
        except (ValueError, UnicodeDecodeError) as error:
            self.problems.append(f"{file}: not valid JSON: {error}")
            return
        for key in duplicates:
            self.problems.append(f"{file}: a JSON object has property {key!r} twice (one of them is lost)")
        if not isinstance(root, dict):
            self.problems.append(f"{file}: the root must be a JSON object, found {_kind(root)}")
            return
        ctx = _Ctx(file, "")
        for key, value in root.items():
            if key == COMMENT:
                continue
            if key not in TOP_LEVEL | TOP_LEVEL_UNCHECKED:
                self.problems.append(f"{file}: {key!r} is not a Terraform top-level block type")
            elif key == "terraform":
                for _labels, body in self.labelled(value, 0, _Ctx(file, "terraform")):
                    self.module.terraform.append(_Decl(file, body))
            elif key == "provider":
                for (name,), body in self.labelled(value, 1, _Ctx(file, "provider")):
                    alias = body.get("alias")
                    label = f"{name}.{alias}" if isinstance(alias, str) else name
                    self.declare(
                        self.module.providers,
                        (name, alias if isinstance(alias, str) else None),
                        _Decl(file, body),
                        f"provider {label}",
                    )
            elif key == "variable":
                for (name,), body in self.labelled(value, 1, _Ctx(file, "variable")):
                    self.declare(self.module.variables, name, _Decl(file, body), f"variable {name}")
            elif key == "output":
                for (name,), body in self.labelled(value, 1, _Ctx(file, "output")):
                    self.declare(self.module.outputs, name, _Decl(file, body), f"output {name}")
            elif key == "module":
                for (name,), body in self.labelled(value, 1, _Ctx(file, "module")):
                    self.declare(self.module.modules, name, _Decl(file, body), f"module {name}")
            elif key == "locals":
                for _labels, body in self.labelled(value, 0, _Ctx(file, "locals")):
                    for name, expression in body.items():
                        if name != COMMENT:
                            self.declare(self.module.locals, name, _Decl(file, expression), f"local {name}")
            elif key in ("resource", "data"):
                target = self.module.resources if key == "resource" else self.module.data
                for (type_, name), body in self.labelled(value, 2, _Ctx(file, key)):
                    self.declare(target, (type_, name), _Decl(file, body), f"{key} {type_}.{name}")
            else:
                self.labelled(value, 0, ctx)  # only its shape is checked

    def labelled(
        self, value: Json, depth: int, ctx: _Ctx, labels: tuple[str, ...] = ()
    ) -> list[tuple[tuple[str, ...], dict[str, Json]]]:
        """(labels, body) of each block of a type with `depth` labels; arrays are allowed at every level."""
        if isinstance(value, list):
            return [found for item in value for found in self.labelled(item, depth, ctx, labels)]
        if not isinstance(value, dict):
            self.report(ctx, f"expected a JSON object or an array of objects, found {_kind(value)}")
            return []
        if depth == 0:
            return [(labels, value)]
        return [found for key, sub in value.items() for found in self.labelled(sub, depth - 1, ctx, (*labels, key))]

    def declare(self, table: dict[Any, _Decl], key: Any, decl: _Decl, label: str) -> None:
        if key in table:
            self.problems.append(f"{decl.file}: {label} is declared more than once (also in {table[key].file})")
            return
        table[key] = decl

    # -- terraform block

    def check_terraform(self) -> None:
        declared: dict[str, tuple[str, Json]] = {}
        for decl in self.module.terraform:
            ctx = _Ctx(decl.file, "terraform")
            for key, value in decl.body.items():
                if key == COMMENT:
                    continue
                if key not in TERRAFORM_KEYS:
                    self.report(ctx, f'"{key}" is not a terraform block setting')
                elif key == "required_providers":
                    for _labels, body in self.labelled(value, 0, ctx.at("required_providers")):
                        for name, requirement in body.items():
                            if name == COMMENT:
                                continue
                            if name in declared:
                                self.report(ctx, f'required_providers declares "{name}" more than once')
                            declared[name] = (decl.file, requirement)
                            self.check_requirement(name, requirement, ctx.at(f"required_providers.{name}"))
        users: dict[str, str] = {}
        for kind, table in (("data", self.module.data), ("resource", self.module.resources)):
            for (type_, name), decl in table.items():
                users.setdefault(_provider_of(type_), f"{decl.file}: {kind} {type_}.{name}")
        for name, _alias in self.module.providers:
            users.setdefault(name, f"{self.module.providers[(name, _alias)].file}: provider {name}")
        for provider, user in sorted(users.items()):
            if provider not in declared:
                self.problems.append(f'{user}: provider "{provider}" is not declared in terraform.required_providers')

    def check_requirement(self, name: str, requirement: Json, ctx: _Ctx) -> None:
        if not isinstance(requirement, dict):
            self.report(ctx, f"must be an object with source and version, found {_kind(requirement)}")
            return
        for key in requirement:
            if key != COMMENT and key not in REQUIRED_PROVIDER_KEYS:
                self.report(ctx, f'"{key}" is not a required_providers setting')
        schema = self.schemas.get(name)
        source, version = requirement.get("source"), requirement.get("version")
        if not isinstance(source, str) or not source:
            self.report(ctx, "source is missing")
        elif schema is not None and schema.address and _full_source(source) != schema.address.lower():
            self.report(ctx, f'source "{source}" is not {schema.address}, which the schemas are for')
        if not isinstance(version, str) or not version:
            self.report(ctx, "version is missing")
            return
        bounds = _version_bounds(version)
        if bounds is None:
            self.report(ctx, f'version "{version}" is not a valid version constraint')
        elif not _pins_major(*bounds):
            self.report(ctx, f'version "{version}" is not pinned to one major version (e.g. "~> 6.0")')
        if bounds is not None and schema is not None and schema.version and not _allows(version, schema.version):
            self.report(ctx, f'version "{version}" does not allow {schema.version}, the version of the {name} schemas')

    # -- provider blocks

    def check_provider(self, name: str, alias: str | None, decl: _Decl) -> None:
        ctx = _Ctx(decl.file, f"provider {name}.{alias}" if alias else f"provider {name}", provider=name)
        schema = self.schemas.get(name)
        body = dict(decl.body)
        if "alias" in body and not isinstance(body["alias"], str):
            self.report(ctx, f"alias must be a string, found {_kind(body['alias'])}")
        if "version" in body:
            self.report(ctx, 'the "version" argument in provider blocks is deprecated; use required_providers')
        body.pop("alias", None)
        body.pop("version", None)
        if schema is None or schema.config is None:  # arguments cannot be checked: only references
            for key, value in body.items():
                if key != COMMENT:
                    self.check_expression(value, ctx.at(key))
            return
        self.check_body(body, schema.config, ctx, frozenset())

    # -- variables, outputs

    def check_variable(self, name: str, decl: _Decl) -> None:
        ctx = _Ctx(decl.file, f"variable {name}")
        body = decl.body
        for key, value in body.items():
            if key == COMMENT:
                continue
            if key not in VARIABLE_KEYS:
                self.report(ctx, f'"{key}" is not a variable argument')
            elif key == "validation":
                self.check_conditions(key, value, ctx)
            elif key in ("sensitive", "nullable", "ephemeral") and not isinstance(value, bool):
                self.report(ctx, f"{key} must be true or false, found {_kind(value)}")
            elif key == "description" and not isinstance(value, str):
                self.report(ctx, f"description must be a string, found {_kind(value)}")
        type_expr = body.get("type")
        type_ = None
        if type_expr is not None:
            if not isinstance(type_expr, str):
                self.report(ctx, f"type must be a string type expression, found {_kind(type_expr)}")
            else:
                type_ = _parse_type(type_expr)
                if type_ is None and "optional(" not in type_expr:  # optional() defaults are not parsed
                    self.report(ctx, f'type "{type_expr}" is not a valid type expression')
        if type_ is not None and "default" in body:
            problem = _type_problem(body["default"], type_, literal=True)
            if problem:
                self.report(ctx, f"default {problem}")

    def check_output(self, name: str, decl: _Decl) -> None:
        ctx = _Ctx(decl.file, f"output {name}")
        body = decl.body
        if "value" not in body:
            self.report(ctx, 'required argument "value" is missing')
        for key, value in body.items():
            if key == COMMENT:
                continue
            if key not in OUTPUT_KEYS:
                self.report(ctx, f'"{key}" is not an output argument')
            elif key == "value":
                self.check_expression(value, ctx)
            elif key == "depends_on":
                self.check_depends_on(value, ctx)
            elif key == "precondition":
                self.check_conditions(key, value, ctx)
            elif key in ("sensitive", "ephemeral") and not isinstance(value, bool):
                self.report(ctx, f"{key} must be true or false, found {_kind(value)}")
            elif key == "description" and not isinstance(value, str):
                self.report(ctx, f"description must be a string, found {_kind(value)}")

    def check_conditions(self, key: str, value: Json, ctx: _Ctx) -> None:
        """`validation`, `precondition` or `postcondition` blocks: condition + error_message."""
        bodies = self.blocks(key, value, ctx)
        for i, body in enumerate(bodies):
            here = ctx.at(key if len(bodies) == 1 else f"{key}[{i}]")
            for arg in CONDITION_KEYS - body.keys():
                self.report(here, f'required argument "{arg}" is missing')
            for arg, expression in body.items():
                if arg == COMMENT:
                    continue
                if arg not in CONDITION_KEYS:
                    self.report(here, f'"{arg}" is not a {key} argument')
                else:
                    self.check_expression(expression, here)

    # -- resources and data sources

    def check_resource(self, kind: str, type_: str, name: str, decl: _Decl) -> None:
        provider = _provider_of(type_)
        body: dict[str, Json] = decl.body
        ctx = _Ctx(
            decl.file,
            f"{kind} {type_}.{name}",
            provider=provider,
            count="count" in body,
            for_each="for_each" in body,
            self_ok=kind == "resource",
        )
        schema = self.schemas.get(provider)
        types = None if schema is None else schema.resources if kind == "resource" else schema.data_sources
        if types is None:
            self.report(ctx, f'no schema for provider "{provider}" is loaded, so {type_} cannot be checked')
            block = None
        elif type_ not in types:
            label = "resource type" if kind == "resource" else "data source"
            self.report(ctx, f'{label} "{type_}" is not in the {provider} provider schema')
            block = None
        else:
            block = types[type_]
        meta = RESOURCE_META if kind == "resource" else DATA_META
        if ctx.count and ctx.for_each:
            self.report(ctx, '"count" and "for_each" cannot both be set')
        for key, value in body.items():
            if key in meta:
                self.check_meta(kind, key, value, ctx, block)
        if block is not None:
            self.check_body(body, block, ctx, meta)
        else:  # still resolve the references in it
            for key, value in body.items():
                if key not in meta and key != COMMENT:
                    self.check_expression(value, ctx.at(key))

    def check_meta(self, kind: str, key: str, value: Json, ctx: _Ctx, block: Schema | None) -> None:
        if key == "count":
            problem = _type_problem(value, "number", literal=False)
            if problem:
                self.report(ctx, f"count {problem}")
            self.check_expression(value, replace(ctx, count=False, for_each=False))
        elif key == "for_each":
            if isinstance(value, list):
                self.report(ctx, "for_each must be a map or a set of strings; a JSON array is a tuple (use toset)")
            elif not isinstance(value, dict) and not (isinstance(value, str) and has_template(value)):
                self.report(ctx, f"for_each must be a map or a set of strings, found {_kind(value)}")
            self.check_expression(value, replace(ctx, count=False, for_each=False))
        elif key == "depends_on":
            self.check_depends_on(value, ctx)
        elif key == "provider":
            if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)?", value):
                self.report(ctx, f'provider must be a string like "aws.alias", found {json.dumps(value)}')
            else:
                name, _, alias = value.partition(".")
                if (name, alias or None) not in self.module.providers and alias:
                    self.report(ctx, f'provider "{value}" is not configured by any provider block')
        elif key == "lifecycle":
            allowed = RESOURCE_LIFECYCLE if kind == "resource" else DATA_LIFECYCLE
            for body in self.blocks("lifecycle", value, ctx):
                self.check_lifecycle(body, allowed, ctx.at("lifecycle"), block)
        elif key == "provisioner":
            for (_type,), body in self.labelled(value, 1, ctx.at("provisioner")):
                self.check_expression(body, replace(ctx.at(f"provisioner.{_type}"), self_ok=True))
        elif key == "connection":
            for body in self.blocks("connection", value, ctx):
                self.check_expression(body, replace(ctx.at("connection"), self_ok=True))

    def check_lifecycle(self, body: dict[str, Json], allowed: frozenset[str], ctx: _Ctx, block: Schema | None) -> None:
        for key, value in body.items():
            if key == COMMENT:
                continue
            if key not in allowed:
                self.report(ctx, f'"{key}" is not a lifecycle argument here (allowed: {", ".join(sorted(allowed))})')
            elif key in ("create_before_destroy", "prevent_destroy"):
                if not isinstance(value, bool):
                    self.report(ctx, f"{key} must be true or false, found {_kind(value)}")
            elif key == "ignore_changes":
                if value == "all":
                    continue
                if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                    self.report(ctx, 'ignore_changes must be "all" or an array of attribute names')
                    continue
                for item in value:
                    root = re.match(r"[A-Za-z_][\w-]*", item)
                    if root is None or "${" in item:
                        self.report(ctx, f'ignore_changes entry "{item}" is not an attribute path')
                    elif block is not None and not _has_member(block, root.group()):
                        self.report(
                            ctx,
                            f'ignore_changes entry "{item}" is not an attribute in the {ctx.provider} provider schema',
                        )
            elif key == "replace_triggered_by":
                if not isinstance(value, list):
                    self.report(ctx, f"replace_triggered_by must be an array of references, found {_kind(value)}")
                    continue
                for item in value:
                    text = item if isinstance(item, str) else ""
                    self.check_scan(scan_template(text) if has_template(text) else scan_expression(text), ctx, text)
            else:  # precondition / postcondition
                self.check_conditions(key, value, replace(ctx, self_ok=key == "postcondition"))

    def check_depends_on(self, value: Json, ctx: _Ctx) -> None:
        if not isinstance(value, list):
            self.report(ctx, f"depends_on must be an array of strings, found {_kind(value)}")
            return
        for item in value:
            if not isinstance(item, str) or not re.fullmatch(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+", item):
                self.report(ctx, f'depends_on entry {json.dumps(item)} is not a plain reference like "aws_x.name"')
                continue
            parts = item.split(".")
            if parts[0] == "data":
                known = len(parts) == 3 and (parts[1], parts[2]) in self.module.data
                what = "data source"
            elif parts[0] == "module":
                known = len(parts) == 2 and parts[1] in self.module.modules
                what = "module"
            else:
                known = len(parts) == 2 and (parts[0], parts[1]) in self.module.resources
                what = "resource"
            if not known:
                self.report(ctx, f'depends_on entry "{item}" does not name a declared {what}')

    # -- block bodies against a schema block

    def check_body(self, body: dict[str, Json], block: Schema, ctx: _Ctx, meta: frozenset[str]) -> None:
        attributes: Mapping[str, Schema] = block.get("attributes") or {}
        block_types: Mapping[str, Schema] = block.get("block_types") or {}
        dynamic_types: set[str] = set()
        for key, value in body.items():
            if key == COMMENT or key in meta:
                continue
            if key == "dynamic" and block_types and "dynamic" not in attributes:
                dynamic_types |= self.check_dynamic(value, block_types, ctx)
            elif key in attributes:
                self.check_attribute(key, value, attributes[key], ctx)
            elif key in block_types:
                self.check_block(key, value, block_types[key], ctx)
            else:
                self.report(ctx, f'argument "{key}" is not in the {ctx.provider} provider schema')
        for name, attribute in attributes.items():
            if attribute.get("required") and body.get(name) is None:
                self.report(ctx, f'required argument "{name}" is missing')
        for name, block_type in block_types.items():
            min_items = block_type.get("min_items") or 0
            if min_items and name not in body and name not in dynamic_types:
                self.report(ctx, f'block "{name}" is required (at least {min_items}) but missing')

    def check_attribute(self, key: str, value: Json, attribute: Schema, ctx: _Ctx) -> None:
        if attribute.get("deprecated"):
            self.report(ctx, f'argument "{key}" is deprecated in the {ctx.provider} provider schema')
        if attribute.get("computed") and not attribute.get("optional") and not attribute.get("required"):
            self.report(ctx, f'argument "{key}" is computed-only (read-only) and cannot be set')
        if "nested_type" in attribute:
            self.check_nested_attribute(key, value, attribute["nested_type"], ctx)
        elif "type" in attribute:
            problem = _type_problem(value, attribute["type"], literal=False)
            if problem:
                self.report(ctx, f'argument "{key}" {problem}')
        self.check_expression(value, ctx.at(key))

    def check_nested_attribute(self, key: str, value: Json, nested: Schema, ctx: _Ctx) -> None:
        if value is None or (isinstance(value, str) and is_single_interpolation(value)):
            return
        mode = nested.get("nesting_mode", "single")
        inner: Schema = {"attributes": nested.get("attributes") or {}}
        if mode == "single":
            objects = [(key, value)]
        elif mode in ("list", "set"):
            if not isinstance(value, list):
                self.report(ctx, f'argument "{key}" must be an array of objects, found {_kind(value)}')
                return
            objects = [(f"{key}[{i}]", item) for i, item in enumerate(value)]
        else:  # map
            if not isinstance(value, dict):
                self.report(ctx, f'argument "{key}" must be an object of objects, found {_kind(value)}')
                return
            objects = [(f"{key}.{name}", item) for name, item in value.items()]
        for label, item in objects:
            if isinstance(item, str) and is_single_interpolation(item):
                continue
            if not isinstance(item, dict):
                self.report(ctx, f'argument "{label}" must be an object, found {_kind(item)}')
                continue
            sub = ctx.at(label)
            self.check_body({k: v for k, v in item.items() if k != COMMENT}, inner, sub, frozenset())
        low, high = nested.get("min_items") or 0, nested.get("max_items") or 0
        if len(objects) < low or (high and len(objects) > high):
            self.report(ctx, f'argument "{key}" needs {low} to {high or "any"} element(s), found {len(objects)}')

    def check_block(self, key: str, value: Json, block_type: Schema, ctx: _Ctx) -> None:
        block: Schema = block_type["block"]
        if block.get("deprecated"):
            self.report(ctx, f'block "{key}" is deprecated in the {ctx.provider} provider schema')
        mode = block_type.get("nesting_mode", "list")
        if mode == "map":
            bodies = [(f"{key}.{labels[0]}", body) for labels, body in self.labelled(value, 1, ctx.at(key))]
        else:
            plain = self.blocks(key, value, ctx)
            bodies = [(key if len(plain) == 1 else f"{key}[{i}]", body) for i, body in enumerate(plain)]
        max_items = 1 if mode in ("single", "group") else block_type.get("max_items") or 0
        min_items = block_type.get("min_items") or 0
        if max_items and len(bodies) > max_items:
            self.report(ctx, f'block "{key}" allows at most {max_items} block(s), found {len(bodies)}')
        if len(bodies) < min_items:
            self.report(ctx, f'block "{key}" requires at least {min_items} block(s), found {len(bodies)}')
        for label, body in bodies:
            self.check_body(body, block, ctx.at(label), frozenset())

    def blocks(self, key: str, value: Json, ctx: _Ctx) -> list[dict[str, Json]]:
        """The bodies of a nested block without labels: a JSON object, or an array of objects."""
        items = value if isinstance(value, list) else [value]
        bodies = [item for item in items if isinstance(item, dict)]
        if len(bodies) != len(items):
            bad = next(item for item in items if not isinstance(item, dict))
            self.report(ctx, f'block "{key}" must be a JSON object or an array of objects, found {_kind(bad)}')
        return bodies

    def check_dynamic(self, value: Json, block_types: Mapping[str, Schema], ctx: _Ctx) -> set[str]:
        names: set[str] = set()
        for (name,), body in self.labelled(value, 1, ctx.at("dynamic")):
            here = ctx.at(f"dynamic.{name}")
            if name not in block_types:
                self.report(here, f'"{name}" is not a nested block in the {ctx.provider} provider schema')
                continue
            names.add(name)
            for key in body.keys() - DYNAMIC_KEYS - {COMMENT}:
                self.report(here, f'"{key}" is not a dynamic block argument')
            for key in ("for_each", "content"):
                if key not in body:
                    self.report(here, f'required argument "{key}" is missing')
            iterator = body.get("iterator", name)
            self.check_expression(body.get("for_each"), here)
            inner = replace(here, bound=ctx.bound | {iterator if isinstance(iterator, str) else name})
            if "labels" in body:
                self.check_expression(body["labels"], inner)
            if "content" in body:
                for content in self.blocks("content", body["content"], here):
                    self.check_body(content, block_types[name]["block"], inner, frozenset())
        return names

    # -- expressions and references

    def check_expression(self, value: Json, ctx: _Ctx) -> None:
        """Resolve the references in every template string inside `value`."""
        for text in _strings(value):
            self.check_scan(scan_template(text, ctx.bound), ctx, text)

    def check_scan(self, scan: ExprScan, ctx: _Ctx, text: str) -> None:
        quoted = json.dumps(text if len(text) <= 100 else text[:97] + "...")
        for problem in scan.problems:
            self.report(ctx, f"{problem} in {quoted}")
        for function in scan.functions:
            if function not in FUNCTIONS:
                self.report(ctx, f'call to unknown function "{function}" in {quoted}')
        for reference in scan.references:
            unresolved = self.resolve(reference, ctx)
            if unresolved:
                self.report(ctx, f"{unresolved} (in {quoted})")

    def resolve(self, ref: Reference, ctx: _Ctx) -> str | None:
        """Why `ref` does not resolve in `ctx`, or None if it does."""
        root, first = ref.root, ref.attr(0)
        if root in ("var", "local", "module"):
            table: Mapping[str, _Decl] = {
                "var": self.module.variables,
                "local": self.module.locals,
                "module": self.module.modules,
            }[root]
            what = {"var": "input variable", "local": "local value", "module": "module"}[root]
            if first is None:
                return f"invalid reference {ref}: {root} must be followed by a name"
            return None if first in table else f"reference to undeclared {what} {root}.{first}"
        if root == "path":
            return None if first in ("module", "root", "cwd") else f"invalid reference {ref}"
        if root == "terraform":
            return None if first in ("workspace", "applying") else f"invalid reference {ref}"
        if root == "each":
            if not ctx.for_each:
                return f"{ref} is used where for_each is not set"
            return None if first in ("key", "value") else f"invalid reference {ref}"
        if root == "count":
            if not ctx.count:
                return f"{ref} is used where count is not set"
            return None if first == "index" else f"invalid reference {ref}"
        if root == "self":
            return None if ctx.self_ok else "self is only valid in provisioner, connection and postcondition blocks"
        if root == "data":
            type_, name = first, ref.attr(1)
            if type_ is None or name is None:
                return f"invalid reference {ref}: use data.TYPE.NAME"
            decl = self.module.data.get((type_, name))
            if decl is None:
                return f"reference to undeclared data source data.{type_}.{name}"
            return self.resolve_attribute(ref, 2, type_, decl, data=True)
        if first is None:
            return f"invalid reference {ref}: a resource reference needs TYPE.NAME"
        decl = self.module.resources.get((root, first))
        if decl is None:
            return f"reference to undeclared resource {root}.{first}"
        return self.resolve_attribute(ref, 1, root, decl, data=False)

    def resolve_attribute(self, ref: Reference, start: int, type_: str, decl: _Decl, *, data: bool) -> str | None:
        """Check instance keys and the attribute after `TYPE.NAME` against count / for_each and the schema."""
        label = f"data.{type_}" if data else type_
        body = decl.body
        expanded = "count" in body or "for_each" in body
        steps = ref.steps[start:]
        if expanded and steps and steps[0].kind == "attr":
            return f"{ref} needs an instance key: {label}.{ref.steps[start - 1].name} has count or for_each"
        if not expanded and steps and steps[0].kind == "index":
            return f"{ref} has an instance key but {label}.{ref.steps[start - 1].name} has no count or for_each"
        attribute = next((step.name for step in steps if step.kind == "attr"), None)
        if attribute is None:
            return None
        schema = self.schemas.get(_provider_of(type_))
        types = None if schema is None else schema.data_sources if data else schema.resources
        block = None if types is None else types.get(type_)
        if block is None:
            return None  # the unknown type is reported where it is declared
        member = (block.get("attributes") or {}).get(attribute)
        nested = (block.get("block_types") or {}).get(attribute)
        if member is None and nested is None:
            return f'{label} has no attribute "{attribute}" in the {_provider_of(type_)} provider schema: {ref}'
        if (member or {}).get("deprecated") or ((nested or {}).get("block") or {}).get("deprecated"):
            return f'{ref} uses "{attribute}", which is deprecated in the {_provider_of(type_)} provider schema'
        return None


# ------------------------------------------------------------------------------------------- helpers


def _provider_of(type_: str) -> str:
    return type_.split("_", 1)[0]


def _has_member(block: Schema, name: str) -> bool:
    return name in (block.get("attributes") or {}) or name in (block.get("block_types") or {})


def _kind(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _strings(value: Json) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key  # object keys in expressions are templates too
            yield from _strings(item)


def _type_name(type_: Json) -> str:
    if isinstance(type_, str):
        return type_
    if type_[0] in ("list", "set", "map"):
        return f"{type_[0]}({_type_name(type_[1])})"
    return type_[0] if isinstance(type_[0], str) else json.dumps(type_)


def _type_problem(value: Json, type_: Json, *, literal: bool) -> str | None:
    """Why the JSON `value` clearly cannot be of cty type `type_` (None when it can, or may).

    With `literal` false, strings are templates: a lone `${...}` may yield any type and any other
    template yields a string of unknown content.
    """
    if value is None or type_ == "dynamic":
        return None
    template = isinstance(value, str) and not literal and has_template(value)
    if template and is_single_interpolation(value):
        return None
    expected = f"expects {_type_name(type_)}, found {_kind(value)}"
    if type_ == "string":
        return expected if isinstance(value, list | dict) else None
    if type_ == "number":
        if (
            isinstance(value, str)
            and not template
            and not re.fullmatch(r"\s*-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*", value)
        ):
            return f"{expected} {json.dumps(value)}"
        return expected if isinstance(value, bool | list | dict) else None
    if type_ == "bool":
        if isinstance(value, str) and not template and value not in ("true", "false"):
            return f"{expected} {json.dumps(value)}"
        return expected if isinstance(value, int | float | list | dict) and not isinstance(value, bool) else None
    if not isinstance(type_, list) or not type_:
        return None
    kind = type_[0]
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            return expected
        element_types = type_[1] if kind == "tuple" else [type_[1]] * len(value)
        if kind == "tuple" and len(element_types) != len(value):
            return f"expects {len(element_types)} elements, found {len(value)}"
        for i, (item, item_type) in enumerate(zip(value, element_types, strict=False)):
            problem = _type_problem(item, item_type, literal=literal)
            if problem:
                return f"element {i} {problem}"
        return None
    if kind in ("map", "object"):
        if not isinstance(value, dict):
            return expected
        for key, item in value.items():
            item_type = type_[1] if kind == "map" else type_[1].get(key, "dynamic")
            problem = _type_problem(item, item_type, literal=literal)
            if problem:
                return f"element {json.dumps(key)} {problem}"
    return None


def _parse_type(text: str) -> Json | None:
    """A variable's type expression (`list(string)`, `object({a = number})`) as cty JSON, or None."""
    tokens = re.findall(r"[A-Za-z_][\w-]*|[(){}\[\],=:]|\S", text)
    position = 0

    def take() -> str:
        nonlocal position
        token = tokens[position] if position < len(tokens) else ""
        position += 1
        return token

    def parse() -> Json:
        name = take()
        if name in ("string", "number", "bool", "any"):
            return "dynamic" if name == "any" else name
        if name in ("list", "set", "map", "optional") and take() == "(":
            inner = parse()
            if name == "optional" and tokens[position : position + 1] == [","]:
                take()
                _default = take()  # a default value: only simple literals are accepted here
            if take() != ")":
                raise ValueError(text)
            return inner if name == "optional" else [name, inner]
        if name == "tuple" and take() == "(" and take() == "[":
            items: list[Json] = []
            while tokens[position : position + 1] != ["]"]:
                items.append(parse())
                if tokens[position : position + 1] == [","]:
                    take()
            take()
            if take() != ")":
                raise ValueError(text)
            return ["tuple", items]
        if name == "object" and take() == "(" and take() == "{":
            attributes: dict[str, Json] = {}
            while tokens[position : position + 1] != ["}"]:
                key = take()
                if take() not in ("=", ":"):
                    raise ValueError(text)
                attributes[key] = parse()
                if tokens[position : position + 1] == [","]:
                    take()
                if position >= len(tokens):
                    raise ValueError(text)
            take()
            if take() != ")":
                raise ValueError(text)
            return ["object", attributes]
        raise ValueError(text)

    try:
        result = parse()
    except (ValueError, IndexError):
        return None
    return result if position == len(tokens) else None


def _full_source(source: str) -> str:
    parts = source.lower().split("/")
    return "/".join(["registry.terraform.io", *parts] if len(parts) == 2 else parts)


_CONSTRAINT = re.compile(r"\s*(=|!=|>=|<=|>|<|~>)?\s*v?([0-9]+(?:\.[0-9]+){0,2})(?:-[0-9A-Za-z.-]+)?\s*")
Version = tuple[int, int, int]


def _parse_constraint(text: str) -> list[tuple[str, Version, int]] | None:
    clauses = []
    for part in text.split(","):
        match = _CONSTRAINT.fullmatch(part)
        if match is None:
            return None
        numbers = [int(n) for n in match.group(2).split(".")]
        version = [*numbers, 0, 0][:3]
        clauses.append((match.group(1) or "=", (version[0], version[1], version[2]), len(numbers)))
    return clauses


def _version_bounds(text: str) -> tuple[Version | None, tuple[Version, bool] | None] | None:
    """(lowest allowed version, (upper bound, inclusive)) of a version constraint, or None if invalid."""
    clauses = _parse_constraint(text)
    if clauses is None:
        return None
    lower: Version | None = None
    upper: tuple[Version, bool] | None = None

    def lower_to(version: Version) -> None:
        nonlocal lower
        lower = version if lower is None else max(lower, version)

    def upper_to(version: Version, inclusive: bool) -> None:
        nonlocal upper
        if upper is None or version < upper[0] or (version == upper[0] and not inclusive):
            upper = (version, inclusive)

    for op, version, segments in clauses:
        if op in ("=", ">=", ">", "~>"):
            lower_to(version)
        if op in ("=", "<="):
            upper_to(version, True)
        elif op == "<":
            upper_to(version, False)
        elif op == "~>" and segments >= 2:
            upper_to((version[0] + 1, 0, 0) if segments == 2 else (version[0], version[1] + 1, 0), False)
    return lower, upper


def _pins_major(lower: Version | None, upper: tuple[Version, bool] | None) -> bool:
    if lower is None or upper is None:
        return False
    (major, minor, patch), inclusive = upper
    highest_major = major if inclusive or (minor, patch) != (0, 0) else major - 1
    return lower[0] == highest_major


def _allows(text: str, version_text: str) -> bool:
    clauses = _parse_constraint(text)
    numbers = [int(n) for n in re.findall(r"[0-9]+", version_text)[:3]]
    version = tuple([*numbers, 0, 0, 0][:3])
    if clauses is None:
        return False
    checks: dict[str, Callable[[tuple[int, ...], Version], bool]] = {
        "=": lambda v, c: v == c,
        "!=": lambda v, c: v != c,
        ">": lambda v, c: v > c,
        ">=": lambda v, c: v >= c,
        "<": lambda v, c: v < c,
        "<=": lambda v, c: v <= c,
    }
    for op, bound, segments in clauses:
        if op == "~>":
            upper = bound if segments < 2 else (bound[0] + 1, 0, 0) if segments == 2 else (bound[0], bound[1] + 1, 0)
            if version < bound or (segments >= 2 and version >= upper):
                return False
        elif not checks[op](version, bound):
            return False
    return True
