"""Rules on the top level: format version, service prefix, region, tags and parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compiler import awsdata, naming, references
from compiler.diagnostics import Finding, SpecPath, closest, did_you_mean
from compiler.patterns import lazy
from compiler.resolve import BUILD_TIME_PLACES, PARAM_REF, PREFIX, SERVICE_TAG, reference_places
from compiler.rules.registry import Context, rule
from schemas.models import SUPPORTED_VERSIONS, Service

_PARAMETER_NAME = lazy(r"^[a-z][a-z0-9_]*\Z")
_TAG_TEXT = lazy(r"^[\w .:/=+\-@]*\Z")  # AWS tags: letters, digits, spaces and _ . : / = + - @


@rule("E601", name="format-version")
def format_version(ctx: Context) -> Iterator[Finding]:
    """`apispec` names a supported format version."""
    version = ctx.spec.service.apispec
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        yield Finding("E601", ("apispec",), f"format version {version} is not supported; this apispec reads version {supported}")


@rule("E602", name="service-prefix")
def service_prefix(ctx: Context) -> Iterator[Finding]:
    """The prefix made from `service` is a valid start of AWS names."""
    prefix = ctx.spec.prefix
    if not PREFIX.match(prefix):
        yield Finding(
            "E602",
            ("service",),
            f"the name prefix `{prefix}` made from `service` must start with a letter and hold only ASCII letters, "
            "digits, spaces, `-` and `_`; rename the service",
        )


@rule("E603", "W603", name="region")
def region(ctx: Context) -> Iterator[Finding]:
    """`region` looks like an AWS region code."""
    value = ctx.spec.region
    if value is None:
        return
    if not re.match(awsdata.REGION_PATTERN, value):
        yield Finding("E603", ("region",), f"`{value}` is not an AWS region code such as `us-east-1`{did_you_mean(value.lower(), sorted(awsdata.REGIONS))}")
    elif value not in awsdata.REGIONS:
        yield Finding("W603", ("region",), f"`{value}` is not a region apispec knows{did_you_mean(value, sorted(awsdata.REGIONS))}")


@rule("E604", name="tags")
def tags(ctx: Context) -> Iterator[Finding]:
    """Tag keys and values fit AWS's rules; `aws:` and `apispec:service` are reserved."""
    places: list[tuple[SpecPath, dict[str, str]]] = [(("tags",), ctx.spec.service.tags)]
    if ctx.spec.service.defaults:
        places.append((("defaults", "tags"), ctx.spec.service.defaults.tags))
    places += [(("functions", key, "tags"), fn.tags) for key, fn in ctx.spec.service.functions.items()]
    for path, mapping in places:
        for key, value in mapping.items():
            where = (*path, key)
            if key.lower().startswith(awsdata.RESERVED_TAG_KEY_PREFIX):
                yield Finding("E604", where, "tag keys starting with `aws:` are reserved by AWS; choose another key", anchor="key")
            elif key.lower() == SERVICE_TAG:
                yield Finding("E604", where, f"`{SERVICE_TAG}` is set by apispec to the service prefix; remove this tag", anchor="key")
            elif not key or len(key) > awsdata.TAG_KEY_MAX:
                yield Finding("E604", where, f"a tag key has 1 to {awsdata.TAG_KEY_MAX} characters", anchor="key")
            elif not _TAG_TEXT.match(key):
                yield Finding("E604", where, "tag keys may hold only letters, digits, spaces and `_ . : / = + - @`", anchor="key")
            value = references.REFERENCE.sub("", value)  # a reference's value is known at deploy time only
            if len(value) > awsdata.TAG_VALUE_MAX:
                yield Finding("E604", where, f"a tag value has at most {awsdata.TAG_VALUE_MAX} characters")
            elif not _TAG_TEXT.match(value):
                yield Finding("E604", where, "tag values may hold only letters, digits, spaces and `_ . : / = + - @`")
    # The places merge (function over `defaults` over the top level); IAM refuses keys that differ only in case.
    top = ctx.spec.service.tags
    defaults = ctx.spec.service.defaults.tags if ctx.spec.service.defaults else {}
    for path, mapping in places:
        inherited = [] if path == ("tags",) else [top] if path[0] == "defaults" else [top, defaults]
        seen = {key.lower(): key for above in inherited for key in above}
        for key in mapping:
            other = seen.setdefault(key.lower(), key)
            if other != key:
                yield Finding(
                    "E604",
                    (*path, key),
                    f"tag keys `{other}` and `{key}` differ only in case, and IAM takes them for one key and refuses the role; use one spelling",
                    anchor="key",
                )


_REFERENCE_SHAPED = lazy(awsdata.CFN_REFERENCE_PATTERN)
_MAX_DESCRIPTION = 1024  # CloudFormation's template description; API Gateway allows the same


@rule("E605", name="service-description")
def service_description(ctx: Context) -> Iterator[Finding]:
    """The description fits a CloudFormation template's 1024 bytes and holds no `${…}`."""
    description = ctx.spec.description
    if description is None:
        return
    if len(description.encode()) > _MAX_DESCRIPTION:
        yield Finding("E605", ("description",), f"the description takes {len(description.encode())} bytes; CloudFormation allows {_MAX_DESCRIPTION}")
    reference = _REFERENCE_SHAPED.search(description)
    if reference:
        yield Finding(
            "E605",
            ("description",),
            f"`{reference.group(0)}` in the description: templates carry it where CloudFormation tools take it for a "
            "reference that is never substituted; write it without `${`",
        )


@rule("E616", name="reference-shaped-text")
def reference_shaped_text(ctx: Context) -> Iterator[Finding]:
    """Text that the templates carry where no intrinsic can stand names no pseudo parameter, parameter or
    resource of the template as `${Name}` (cfn-lint E1029 takes it for a reference)."""
    service = ctx.spec.service
    places = _texts_written_as_they_are(service)
    if service.api.cors is not None:
        for field in ("allow_origins", "allow_headers", "expose_headers"):
            places += [(("api", "cors", field, i), value) for i, value in enumerate(getattr(service.api.cors, field))]
    candidates = [(where, text) for where, text in places if text and "${" in text]
    known = naming.logical_ids(ctx.graph) if candidates else set()  # worked out only when some text might name one
    for where, text in candidates:
        reference = next((m for m in _REFERENCE_SHAPED.finditer(text) if _names_template_item(m.group(0), known)), None)
        if reference:
            yield Finding(
                "E616",
                where,
                f"`{reference.group(0)}` reaches the CloudFormation and SAM templates as it is, where CloudFormation tools take "
                "it for a reference that is never substituted (cfn-lint E1029); write it without `${`",
            )


def _texts_written_as_they_are(service: Service) -> list[tuple[SpecPath, str | None]]:
    """Parameters' own texts and the API name, which every target carries as written (each may be missing)."""
    places: list[tuple[SpecPath, str | None]] = [(("api", "name"), service.api.name)]
    for name, parameter in service.parameters.items():
        places += [(("parameters", name, "description"), parameter.description), (("parameters", name, "default"), parameter.default)]
    return places


def _names_template_item(reference: str, known: set[str]) -> bool:
    name = reference[2:-1]
    return name.startswith("AWS::") or name.split(".")[0] in known


_MAX_OWN_TAGS = awsdata.MAX_TAGS_PER_FUNCTION - 1  # SAM adds `lambda:createdBy` / `httpapi:createdBy`


@rule("E606", name="tag-count")
def tag_count(ctx: Context) -> Iterator[Finding]:
    """Every resource gets at most 50 tags, `apispec:service` and SAM's own included."""
    limit = _MAX_OWN_TAGS - 1  # the user's, next to `apispec:service`
    over: dict[SpecPath, list[str]] = {}
    for fn in ctx.spec.functions:
        if len(fn.tags) - 1 > limit:
            cause: SpecPath = ("functions", fn.key, "tags") if ctx.spec.service.functions[fn.key].tags else ("tags",)
            over.setdefault(cause, []).append(fn.key)
    for where, keys in over.items():
        count = len(ctx.spec.function(keys[0]).tags) - 1
        who = f"function `{keys[0]}`" if where[0] == "functions" else f"{'functions' if len(keys) > 1 else 'function'} {', '.join(f'`{k}`' for k in keys)}"
        yield Finding(
            "E606",
            where,
            f"{who} would carry {count} tags of yours; AWS allows {awsdata.MAX_TAGS_PER_FUNCTION} per resource, and apispec "
            f"(`{SERVICE_TAG}`) and SAM add one each, so keep to {limit}",
            anchor="key",
        )


@rule("W614", name="parameter-sensitive-default")
def sensitive_default(ctx: Context) -> Iterator[Finding]:
    """A sensitive parameter has no default: a default is a secret written into the spec and the outputs."""
    for name, parameter in ctx.spec.parameters:
        if parameter.sensitive and parameter.default is not None:
            yield Finding(
                "W614",
                ("parameters", name, "default"),
                "a sensitive parameter's default is stored in this file and in every output; pass the value at deploy time instead",
            )


@rule("W619", name="sensitive-parameter-in-environment")
def sensitive_in_environment(ctx: Context) -> Iterator[Finding]:
    """A sensitive parameter is not put in `environment`, whose values are stored in plain text."""
    sensitive = {name for name, parameter in ctx.spec.parameters if parameter.sensitive}
    for path, text in reference_places(ctx.spec.service) if sensitive else ():
        named = [m.group(1) for m in PARAM_REF.finditer(text) if m.group(1) in sensitive] if path[-2] == "environment" else []
        if named:
            yield Finding(
                "W619",
                path,
                f"`${{param:{named[0]}}}` is sensitive, but environment values are stored in plain text (the function's configuration, "
                "Terraform state); pass the secret's ARN instead and read it at run time (Secrets Manager `GetSecretValue`), allowed in `permissions`",
            )


# Names Terraform reserves for variables (https://developer.hashicorp.com/terraform/language/values/variables).
_TERRAFORM_RESERVED = frozenset({"source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals"})


@rule("E611", name="parameter-name")
def parameter_names(ctx: Context) -> Iterator[Finding]:
    """Parameter names are lower-case words, `[a-z][a-z0-9_]*`, that Terraform allows for variables."""
    for name, _ in ctx.spec.parameters:
        if not _PARAMETER_NAME.match(name):
            yield Finding(
                "E611", ("parameters", name), f"parameter name `{name}` must match `[a-z][a-z0-9_]*`, e.g. `{_suggest(name)}`", anchor="key"
            )
        elif name in _TERRAFORM_RESERVED:
            yield Finding("E611", ("parameters", name), f"Terraform reserves `{name}` and refuses it as a variable name; e.g. `{name}_value`", anchor="key")


_OTHER_REFERENCE = lazy(r"\$\{(?![A-Za-z][A-Za-z0-9_-]*:(?!:))[^}]*\}")  # `${…}` without a kind (those are E620's)


_PSEUDO_REFERENCES = {"${AWS::Region}": "${aws:region}", "${AWS::AccountId}": "${aws:account_id}", "${AWS::Partition}": "${aws:partition}"}


@rule("W615", name="literal-references")
def literal_references(ctx: Context) -> Iterator[Finding]:
    """`${…}` without a reference kind reaches AWS as it is written.

    Not in `permissions`: there `${aws:username}` and the like are IAM policy variables, which
    IAM substitutes itself."""
    declared = [name for name, _ in ctx.spec.parameters]
    for path, text in reference_places(ctx.spec.service):
        match = None if "permissions" in path else _OTHER_REFERENCE.search(text)
        if match:
            meant = _meant_parameter(match.group(0), declared)
            pseudo = _PSEUDO_REFERENCES.get(match.group(0))
            hint = f" (did you mean `${{param:{meant}}}`?)" if meant else f" (write `{pseudo}`)" if pseudo else " (declare a parameter, or use a reference such as `${ssm:/path}`)"
            yield Finding("W615", path, f"`{match.group(0)}` is passed on as text: apispec substitutes only `${{kind:name}}` references{hint}")


@rule("E620", name="references")
def reference_kinds(ctx: Context) -> Iterator[Finding]:
    """Every `${kind:name}` is a reference apispec knows (`param`, `ssm`, `import`, `aws`, `self`) and names something; no `${secret:…}`.

    In `permissions`, other `${…:…}` are IAM policy variables (`${aws:username}`), which IAM substitutes."""
    declared = [name for name, _ in ctx.spec.parameters]
    for path, text in reference_places(ctx.spec.service):
        for reference in references.find(text):
            message = references.problem(reference, ctx.spec.scope, in_permissions="permissions" in path)
            if message is not None:
                meant = _meant_parameter(reference.text, declared) if reference.kind not in references.KINDS else None
                hint = f" (did you mean `${{param:{meant}}}`?)" if meant else _kind_hint(reference)
                yield Finding("E620", path, message + hint)
                break


def _kind_hint(reference: references.Reference) -> str:
    """What a misspelt kind was meant to be: `${SSM:x}` → `${ssm:x}`, `${imports:x}` → `${import:x}`."""
    kind = closest(reference.kind.lower(), references.KINDS) if reference.kind not in (*references.KINDS, "secret") else None
    return f" (did you mean `${{{kind}:{reference.name}}}`?)" if kind else ""


@rule("E621", name="references-elsewhere")
def references_elsewhere(ctx: Context) -> Iterator[Finding]:
    """`${ssm:…}`, `${import:…}`, `${aws:…}`, `${self:…}` appear only where references are substituted (W618 says it of `${param:…}`)."""
    allowed: set[SpecPath] | None = None  # worked out only when some text holds `${`
    overlays = {key: value for key, value in ctx.raw.items() if key != "environments"}  # each is checked merged, as its environment
    for path, text in _strings(overlays, ()):
        if allowed is None:
            allowed = {path for path, _ in reference_places(ctx.spec.service)}
        if path in allowed:
            continue
        build_time = path in BUILD_TIME_PLACES  # where `${self:…}` is written out at build time
        found = next((r for r in references.find(text) if (r.kind in references.KINDS[1:] and not (build_time and r.kind == "self")) or r.kind == "secret"), None)
        if found is None:
            continue
        if build_time and found.kind != "secret":
            message = f"`{found.text}` stays text here: a Terraform backend takes no expressions, so only `${{self:…}}` is substituted (at build time)"
        elif found.kind == "secret":
            message = references.problem(found, ctx.spec.scope) or ""
        else:
            message = (
                f"`{found.text}` stays text here: references are substituted only in `environment`, `permissions`, `role`, tag values, "
                "`api.domain`'s certificate, zone and truststore, `url` routes, JWT `issuer` and `audience`, and route `scopes`"
            )
        yield Finding("E621", path, message)


def _strings(data: Any, path: SpecPath) -> Iterator[tuple[SpecPath, str]]:
    """Every string value in loaded data that holds `${`, with its spec path."""
    stack: list[tuple[Any, SpecPath]] = [(data, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "${" in item:
                yield where, item
        elif isinstance(item, dict):
            stack += (((value, (*where, key)) for key, value in item.items() if not isinstance(value, int | float)))
        elif isinstance(item, list):
            stack += ((value, (*where, index)) for index, value in enumerate(item))


@rule("W618", name="parameters-in-plain-text")
def parameters_in_plain_text(ctx: Context) -> Iterator[Finding]:
    """`${param:name}` in a description, the API name or a parameter's own text stays text there."""
    service = ctx.spec.service
    places = _texts_written_as_they_are(service)
    places += [(("defaults", "description"), service.defaults.description)] if service.defaults else []
    places += [(("functions", key, "description"), fn.description) for key, fn in service.functions.items()]
    for path, text in places:
        if text is not None and (match := PARAM_REF.search(text)):
            yield Finding(
                "W618",
                path,
                f"`{match.group(0)}` stays text here: parameters are substituted only in `environment`, `permissions`, `role`, tag values and the other places of references",
            )


def _meant_parameter(reference: str, declared: list[str]) -> str | None:
    """The declared parameter that `${name}`, `${params:name}` or `${PARAM:name}` was meant to name, or None."""
    name = reference[2:-1].rpartition(":")[2].strip()
    return name if name in declared else None


_UNCLOSED_REFERENCE = lazy(r"\$\{(param|ssm|import|aws|self):\s*([A-Za-z0-9_./:-]*)")


def unclosed_reference(text: str) -> re.Match[str] | None:
    """A `${param:` (or another reference's start) without its closing `}` (other rules leave such a
    text to `parameter-references`); its groups are the kind and the name written so far."""
    return _UNCLOSED_REFERENCE.search(references.REFERENCE.sub("", text)) if "${" in text else None


@rule("E612", "W613", "E617", name="parameter-references", moot_when_removed={"E612": (("parameters",),), "W613": (("functions",),)})
def parameter_references(ctx: Context) -> Iterator[Finding]:
    """Every `${param:name}` names a declared parameter, every reference is closed, and every parameter is used."""
    declared = [name for name, _ in ctx.spec.parameters]
    # A use in an element removed as invalid was still a use: it is not "never used" (one mistake, one line).
    lost = _referenced(ctx.original) - _referenced(ctx.raw) if ctx.removed and ctx.original is not None else set()
    # A declared name that E611 refuses, used as the name it suggests, is not undeclared as well.
    renamed = {_suggest(name): name for name in declared if not _PARAMETER_NAME.match(name)}
    used: set[str] = set()
    for path, text in reference_places(ctx.spec.service):
        unclosed = unclosed_reference(text)
        if unclosed:
            kind, name = unclosed.group(1), unclosed.group(2)
            if kind == "param":
                used.add(name)
            yield Finding("E617", path, f"`{unclosed.group(0)}` is not closed; write `${{{kind}:{name or 'name'}}}`")
        others = [*_OTHER_REFERENCE.findall(text), *(r.text for r in references.find(text) if r.kind not in references.KINDS)]
        used.update(meant for other in others if (meant := _meant_parameter(other, declared)))  # W615 or E620 says it
        for match in PARAM_REF.finditer(text):
            name = match.group(1)
            used.add(renamed.get(name, name))
            if name not in declared and name not in renamed:
                close = closest(name, declared)
                if close:
                    used.add(close)  # not reported "never used" as well: it is, misspelt
                hint = did_you_mean(name, declared) or (f"; declared: {', '.join(declared)}" if declared else "; declare it under `parameters`")
                yield Finding("E612", path, f"`${{param:{name}}}` names no parameter{hint}")
    for name in declared:
        if name not in used and name not in lost:
            yield Finding(
                "W613", ("parameters", name), f"parameter `{name}` is never used; use it as `${{param:{name}}}` or remove it", anchor="key"
            )


def _referenced(data: Any) -> set[str]:
    """Parameter names that `${param:…}` texts anywhere in loaded data name."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.update(PARAM_REF.findall(item))
        elif isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return found


def _suggest(name: str) -> str:
    """`TableArn` → `table_arn`, `queue-url` → `queue_url`."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()).strip("_")
    return cleaned if cleaned and cleaned[0].isalpha() else f"p_{cleaned}"
