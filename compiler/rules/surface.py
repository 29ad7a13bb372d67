"""Rules on the API surface of format 1.1: route objects (`url`, settings), `api.domain`, access-log targets, log KMS keys."""

from __future__ import annotations

import re
from collections.abc import Iterator

from compiler import awsdata, references
from compiler.diagnostics import Finding, SpecPath
from compiler.patterns import lazy
from compiler.routekeys import segment
from compiler.rules.registry import Context, rule
from schemas import models

_URL = lazy(r"^https?://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::\d{1,5})?(?:/\S*)?\Z")
_URL_PARAMETER = lazy(r"\{([^{}]*)\}")
_DOMAIN_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = lazy(rf"^(\*\.)?{_DOMAIN_LABEL}(\.{_DOMAIN_LABEL})+\Z")
_CERTIFICATE = lazy(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+\Z")
_BASE_PATH = lazy(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*\Z")
_TRUSTSTORE = lazy(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+\Z")
_HOSTED_ZONE = lazy(r"^Z[A-Z0-9]{1,31}\Z")
_LOG_GROUP_ARN = lazy(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):\d{12}:log-group:[.\-_/#A-Za-z0-9]+(:\*)?\Z")
_FIREHOSE_ARN = lazy(r"^arn:aws[a-z-]*:firehose:")
_KMS_KEY = lazy(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key/[A-Za-z0-9-]+\Z")
_LOG_GROUP_NAME_MAX = 512


@rule("E440", name="route-target", moot_when_removed={"E440": (("functions",),)})
def route_target(ctx: Context) -> Iterator[Finding]:
    """A route object names a `function` or a `url`, not both; `payload_format` is for function routes."""
    for key, value in ctx.spec.service.routes.items():
        if isinstance(value, str):
            continue
        where: SpecPath = ("routes", key)
        if value.function is not None and value.url is not None:
            yield Finding("E440", (*where, "url"), "give `function` or `url`, not both: a route calls one function or proxies to one URL")
        elif value.function is None and value.url is None:
            yield Finding("E440", where, "give the route a `function` (a key of `functions`) or a `url` (`https://…`) to proxy to", anchor="key")
        elif value.url is not None and value.payload_format is not None:
            yield Finding(
                "E440",
                (*where, "payload_format"),
                "`payload_format` is the Lambda event's format; a `url` route sends the request as it came (HTTP_PROXY); remove it",
            )


@rule("E441", name="route-url")
def route_url(ctx: Context) -> Iterator[Finding]:
    """A route's `url` is an `http(s)://` URL whose `{name}` placeholders are path parameters of the route."""
    for route in ctx.spec.routes:
        if route.url is None:
            continue
        where: SpecPath = (*route.spec_path, "url")
        deployed = references.SUBSTITUTED.search(route.url) is not None  # (part of) the URL is known at deploy time only
        if not deployed and not _URL.match(route.url):
            yield Finding("E441", where, f"`{route.url}` is not a URL API Gateway can proxy to; write `https://host/path`, e.g. `https://api.example.com/{{proxy}}`")
            continue
        parameters = {part.parameter for part in map(segment, route.segments) if part.parameter is not None}
        for name in _URL_PARAMETER.findall(references.SUBSTITUTED.sub("", route.url)):
            if name not in parameters:
                known = ", ".join(f"`{{{p}}}`" for p in sorted(parameters)) or "none"
                yield Finding("E441", where, f"`{{{name}}}` is not a path parameter of `{route.key}` (its parameters: {known}); API Gateway would send it as text")


@rule("W442", name="route-throttling-zero")
def route_throttling_zero(ctx: Context) -> Iterator[Finding]:
    """Zero throttling limits on a route reject its every request."""
    for key, value in ctx.spec.service.routes.items():
        if isinstance(value, models.RouteTarget) and value.throttling is not None:
            for name in ("burst_limit", "rate_limit"):
                if getattr(value.throttling, name) == 0:
                    yield Finding("W442", ("routes", key, "throttling", name), f"`{name}: 0` makes API Gateway reject every request of this route with 429")


@rule("E443", "E444", "E445", "E446", "E447", name="api-domain")
def api_domain(ctx: Context) -> Iterator[Finding]:
    """`api.domain` names a domain, an ACM certificate in the API's region, a base path, a truststore and a hosted zone API Gateway accept."""
    domain = ctx.spec.service.api.domain
    if domain is None:
        return
    here: SpecPath = ("api", "domain")
    if not _DOMAIN.match(domain.name):
        yield Finding("E443", (*here, "name"), f"`{domain.name}` is not a domain name; write it in lower case with its dots, e.g. `api.example.com`")
    certificate = _CERTIFICATE.match(domain.certificate_arn)
    region = ctx.spec.region
    if _deployed(domain.certificate_arn):
        pass  # known at deploy time only
    elif certificate is None:
        yield Finding(
            "E444",
            (*here, "certificate_arn"),
            "not an ACM certificate ARN; write `arn:aws:acm:<region>:<account>:certificate/<id>` (ACM lists it under the domain's certificate)",
        )
    elif region is not None and certificate.group(1) != region:
        yield Finding(
            "E444",
            (*here, "certificate_arn"),
            f"the certificate is in `{certificate.group(1)}`, the API in `{region}`; a regional domain needs a certificate of its own region: "
            f"request or import one in `{region}`",
        )
    if domain.base_path is not None and not _BASE_PATH.match(domain.base_path):
        yield Finding(
            "E445",
            (*here, "base_path"),
            f"`{domain.base_path}` must be path segments without a leading or trailing `/` (`v1`, `orders/v2`); leave it out to map the root",
        )
    if domain.mtls_truststore_uri is not None and not _deployed(domain.mtls_truststore_uri) and not _TRUSTSTORE.match(domain.mtls_truststore_uri):
        yield Finding("E446", (*here, "mtls_truststore_uri"), "the truststore is an S3 object: write `s3://<bucket>/<key>`, e.g. `s3://my-bucket/truststore.pem`")
    if domain.hosted_zone_id is not None and not _deployed(domain.hosted_zone_id) and not _HOSTED_ZONE.match(domain.hosted_zone_id):
        yield Finding(
            "E447", (*here, "hosted_zone_id"), f"`{domain.hosted_zone_id}` is not a Route 53 hosted zone id (`Z` and upper-case letters and digits, e.g. `Z0123456789ABCDEFGHIJ`)"
        )


def _deployed(text: str) -> bool:
    """Whether a value holds a reference, so that its form is known at deploy time only."""
    return references.SUBSTITUTED.search(text) is not None


@rule("W448", name="api-default-endpoint")
def default_endpoint(ctx: Context) -> Iterator[Finding]:
    """`disable_default_endpoint` without `api.domain` leaves the API without a URL."""
    api = ctx.spec.service.api
    if ctx.spec.api is not None and api.disable_default_endpoint and api.domain is None:
        yield Finding(
            "W448",
            ("api", "disable_default_endpoint"),
            "with the `execute-api` URL turned off and no `api.domain`, no client can reach the API; add `api.domain` or remove this",
        )


@rule("E449", "E450", name="access-log-target")
def access_log_target(ctx: Context) -> Iterator[Finding]:
    """Access logs go to a generated group with a valid name, or to an existing CloudWatch Logs group (`destination_arn`) with nothing to generate."""
    access = ctx.spec.service.logging.access_logs
    if isinstance(access, bool):
        return
    here: SpecPath = ("logging", "access_logs")
    if access.log_group is not None and not (re.match(awsdata.LOG_GROUP_NAME_PATTERN, access.log_group) and len(access.log_group) <= _LOG_GROUP_NAME_MAX):
        yield Finding("E450", (*here, "log_group"), f"log group names are 1 to {_LOG_GROUP_NAME_MAX} letters, digits and `. - _ / #`")
    destination = access.destination_arn
    if destination is None:
        return
    if _FIREHOSE_ARN.match(destination):
        yield Finding(
            "E449",
            (*here, "destination_arn"),
            "HTTP APIs log only to CloudWatch Logs (Firehose is for REST APIs); give a log group ARN, `arn:aws:logs:<region>:<account>:log-group:<name>`",
        )
    elif not _LOG_GROUP_ARN.match(destination):
        yield Finding("E449", (*here, "destination_arn"), "not a CloudWatch Logs log group ARN; write `arn:aws:logs:<region>:<account>:log-group:<name>`")
    for key in ("retention_days", "log_group", "kms_key_arn"):
        if getattr(access, key) is not None:
            yield Finding(
                "E449",
                (*here, key),
                f"with `destination_arn` no log group is generated, so `{key}` would set nothing; set it on the existing group, or drop `destination_arn`",
                anchor="key",
            )


@rule("E451", name="log-kms-key")
def log_kms_key(ctx: Context) -> Iterator[Finding]:
    """Every log `kms_key_arn` is a KMS key ARN (not an alias) in the service's region."""
    service = ctx.spec.service
    places: list[tuple[SpecPath, str | None]] = [(("logging", "kms_key_arn"), service.logging.kms_key_arn)]
    if not isinstance(service.logging.access_logs, bool):
        places.append((("logging", "access_logs", "kms_key_arn"), service.logging.access_logs.kms_key_arn))
    if service.defaults is not None and service.defaults.logging is not None:
        places.append((("defaults", "logging", "kms_key_arn"), service.defaults.logging.kms_key_arn))
    for key, fn in service.functions.items():
        places.append((("functions", key, "logging", "kms_key_arn"), fn.logging.kms_key_arn if fn.logging else None))
    for where, arn in places:
        if arn is None:
            continue
        match = _KMS_KEY.match(arn)
        if match is None:
            yield Finding("E451", where, "CloudWatch Logs takes a KMS key ARN, `arn:aws:kms:<region>:<account>:key/<key id>` (not an alias)")
        elif service.region is not None and match.group(1) != service.region:
            yield Finding("E451", where, f"the key is in `{match.group(1)}`, the log groups in `{service.region}`; CloudWatch Logs needs a key of its own region")
