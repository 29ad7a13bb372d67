"""AWS facts the validation rules need: Lambda runtimes, reserved environment variables, service
limits, CloudWatch Logs retention values, HTTP API access-log variables and region codes.

Plain constants only: this module is imported on every `apispec validate`, so it does no I/O and
no work at import beyond building a few small dicts and sets.

Every fact names its source. "AWS doc" means the AWS documentation page named; "API model" means
the service's API definition as shipped in botocore 1.44.8 (the AWS SDK for Python's copy of the
service model, which states the same constraints as the page "API Reference" for the operation);
"cfn-lint" means the AWS-maintained cfn-lint 1.58.0 data files, used as a cross-check. Facts that
are inferred rather than read off a page say so. Facts checked on 2026-11-25; AWS revises runtime
dates from time to time, so re-check the runtimes table when it matters.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from compiler.records import NamedTuple

# ---------------------------------------------------------------------------------------------
# Lambda runtimes
# ---------------------------------------------------------------------------------------------
# Sources:
#   AWS doc "Lambda runtimes" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html),
#     tables "Supported runtimes" and "Deprecated runtimes" (columns: Deprecation date, Block
#     function create, Block function update), and its section "Runtime deprecation policy";
#   the per-language pages "Building Lambda functions with Python / Node.js / Java / C# / Ruby"
#     (lambda-python.html, lambda-nodejs.html, lambda-java.html, lambda-csharp.html,
#     lambda-ruby.html), which repeat the same table for their language;
#   cross-checked date for date against cfn-lint 1.58.0
#     cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json (its "deprecated" and "create-block"
#     keys), which agrees with the newest copies of the AWS pages found (e.g. dotnet8 create-block
#     2027-02-01 on lambda-csharp.md, Java 11/17/8.al2 deprecated 2027-06-30 on lambda-java.md,
#     python3.10 deprecated 2026-10-31 and python3.11 2027-06-30 on lambda-python.html).
#   The set of identifiers is the `Runtime` enum of the Lambda API model (CreateFunction "Runtime"),
#     minus "custom" (a placeholder for customer-managed runtimes, not a runtime identifier).
#
#   Rows re-read for v1.1 (search of the AWS docs, "Building Lambda functions with Node.js",
#     lambda-nodejs.md): nodejs24.x deprecated Apr 30, 2028, block create Jun 1, 2028; nodejs22.x
#     Apr 30, 2027 and Jun 1, 2027, as below. Older copies of that page show earlier block dates for
#     nodejs20.x (Jun 1 / Aug 31, 2026); AWS later moved the block-create dates of runtimes deprecated
#     before 2027 to Feb 1, 2027, which is what cfn-lint 1.58.0 and this table hold.
#
# AWS keeps accepting new functions on a deprecated runtime until its "Block function create" date,
# which for several runtimes is far past the deprecation date (python3.8: deprecated 2024-10-14,
# create blocked from 2027-02-01). Format v1.1, clarification 1: from the deprecation date a runtime
# is a warning naming both dates and a replacement; from the block-create date, an error.


class Runtime(NamedTuple):
    """One Lambda runtime identifier and its lifecycle.

    `deprecated` / `block_create` are None when AWS has announced no date. `replacement` is the
    newest generally available runtime of the same language (for Go and the OS-only family:
    `provided.al2023`), None for that newest runtime itself and for previews. `preview` marks
    runtimes AWS offers in public preview only ("not for production use").
    """

    identifier: str
    language: str
    deprecated: date | None
    block_create: date | None
    replacement: str | None
    preview: bool = False


# Newest generally available runtime per language (AWS doc "Lambda runtimes", Supported runtimes).
LATEST_RUNTIME: Final[dict[str, str]] = {
    "python": "python3.14",
    "nodejs": "nodejs24.x",
    "java": "java25",
    "dotnet": "dotnet10",
    "ruby": "ruby4.0",
    "go": "provided.al2023",  # go1.x was retired; AWS says to move Go to provided.al2023
    "provided": "provided.al2023",
}

_PY: Final = LATEST_RUNTIME["python"]
_JS: Final = LATEST_RUNTIME["nodejs"]
_JAVA: Final = LATEST_RUNTIME["java"]
_NET: Final = LATEST_RUNTIME["dotnet"]
_RB: Final = LATEST_RUNTIME["ruby"]
_OS: Final = LATEST_RUNTIME["provided"]

_RUNTIME_TABLE: Final[tuple[Runtime, ...]] = (
    # Python (lambda-python.html; deprecated rows from lambda-runtimes.html)
    Runtime("python2.7", "python", date(2021, 7, 15), date(2021, 7, 15), _PY),
    Runtime("python3.6", "python", date(2022, 7, 18), date(2022, 7, 18), _PY),
    Runtime("python3.7", "python", date(2023, 12, 4), date(2024, 1, 9), _PY),
    Runtime("python3.8", "python", date(2024, 10, 14), date(2027, 2, 1), _PY),
    Runtime("python3.9", "python", date(2025, 12, 15), date(2027, 2, 1), _PY),
    Runtime("python3.10", "python", date(2026, 10, 31), date(2027, 2, 1), _PY),
    Runtime("python3.11", "python", date(2027, 6, 30), date(2027, 7, 31), _PY),
    Runtime("python3.12", "python", date(2028, 10, 31), date(2028, 11, 30), _PY),
    Runtime("python3.13", "python", date(2029, 6, 30), date(2029, 7, 31), _PY),
    Runtime("python3.14", "python", date(2029, 6, 30), date(2029, 7, 31), None),
    # Public preview since 2026-08 (AWS Compute Blog "Introducing public preview runtimes on AWS
    # Lambda, starting with Node.js 26 and Python 3.15", linked from aws/aws-lambda-roadmap
    # issue #55); in the API model's Runtime enum. No GA or deprecation date seen: dates None.
    Runtime("python3.15", "python", None, None, None, preview=True),
    # Node.js (lambda-nodejs.html; deprecated rows from lambda-runtimes.html)
    Runtime("nodejs", "nodejs", date(2016, 8, 30), date(2016, 9, 30), _JS),  # Node.js 0.10
    Runtime("nodejs4.3", "nodejs", date(2020, 3, 5), date(2020, 2, 3), _JS),
    Runtime("nodejs4.3-edge", "nodejs", date(2020, 3, 5), date(2019, 3, 31), _JS),
    Runtime("nodejs6.10", "nodejs", date(2019, 8, 12), date(2019, 7, 12), _JS),
    Runtime("nodejs8.10", "nodejs", date(2020, 3, 6), date(2020, 2, 4), _JS),
    Runtime("nodejs10.x", "nodejs", date(2021, 7, 30), date(2021, 7, 30), _JS),
    Runtime("nodejs12.x", "nodejs", date(2023, 3, 31), date(2023, 3, 31), _JS),
    Runtime("nodejs14.x", "nodejs", date(2023, 12, 4), date(2024, 1, 9), _JS),
    Runtime("nodejs16.x", "nodejs", date(2024, 6, 12), date(2027, 2, 1), _JS),
    Runtime("nodejs18.x", "nodejs", date(2025, 9, 1), date(2027, 2, 1), _JS),
    Runtime("nodejs20.x", "nodejs", date(2026, 4, 30), date(2027, 2, 1), _JS),
    Runtime("nodejs22.x", "nodejs", date(2027, 4, 30), date(2027, 6, 1), _JS),
    Runtime("nodejs24.x", "nodejs", date(2028, 4, 30), date(2028, 6, 1), None),
    # Public preview since 2026-08 (same blog post; aws/aws-lambda-roadmap issue #56).
    Runtime("nodejs26.x", "nodejs", None, None, None, preview=True),
    # Java (lambda-java.html; deprecated rows from lambda-runtimes.html)
    Runtime("java8", "java", date(2024, 1, 8), date(2024, 2, 8), _JAVA),  # Java 8 on Amazon Linux 1
    Runtime("java8.al2", "java", date(2027, 6, 30), date(2027, 7, 31), _JAVA),
    Runtime("java11", "java", date(2027, 6, 30), date(2027, 7, 31), _JAVA),
    Runtime("java17", "java", date(2027, 6, 30), date(2027, 7, 31), _JAVA),
    Runtime("java21", "java", date(2029, 6, 30), date(2029, 7, 31), _JAVA),
    Runtime("java25", "java", date(2029, 6, 30), date(2029, 7, 31), None),
    # Java 8/11/17 on Amazon Linux 2023, launched 2026-07-20 (AWS What's New "AWS Lambda ... Java
    # ... Amazon Linux 2023", 2026-07; aws/aws-lambda-roadmap issue #86). Deprecation 2029-06-30
    # (the Amazon Linux 2023 end of support, same as java21) is taken from a third-party table
    # that quotes lambda-runtimes.html as fetched 2026-08-15; not seen on an AWS page directly.
    # Block-create date not seen anywhere: None.
    Runtime("java8.al2023", "java", date(2029, 6, 30), None, _JAVA),
    Runtime("java11.al2023", "java", date(2029, 6, 30), None, _JAVA),
    Runtime("java17.al2023", "java", date(2029, 6, 30), None, _JAVA),
    # .NET (lambda-csharp.html; deprecated rows from lambda-runtimes.html)
    Runtime("dotnetcore1.0", "dotnet", date(2019, 6, 27), date(2019, 6, 30), _NET),
    Runtime("dotnetcore2.0", "dotnet", date(2019, 5, 30), date(2019, 4, 30), _NET),
    Runtime("dotnetcore2.1", "dotnet", date(2022, 1, 5), date(2022, 1, 5), _NET),
    Runtime("dotnetcore3.1", "dotnet", date(2023, 4, 3), date(2023, 4, 3), _NET),
    Runtime("dotnet6", "dotnet", date(2024, 12, 20), date(2027, 2, 1), _NET),
    Runtime("dotnet8", "dotnet", date(2026, 11, 10), date(2027, 2, 1), _NET),
    Runtime("dotnet10", "dotnet", date(2028, 11, 14), date(2028, 12, 14), None),
    # Ruby (lambda-ruby.html; deprecated rows from lambda-runtimes.html)
    Runtime("ruby2.5", "ruby", date(2021, 7, 30), date(2021, 7, 30), _RB),
    Runtime("ruby2.7", "ruby", date(2023, 12, 7), date(2024, 1, 9), _RB),
    Runtime("ruby3.2", "ruby", date(2026, 3, 31), date(2027, 2, 1), _RB),
    Runtime("ruby3.3", "ruby", date(2027, 3, 31), date(2027, 4, 30), _RB),
    Runtime("ruby3.4", "ruby", date(2028, 3, 31), date(2028, 4, 30), _RB),
    Runtime("ruby4.0", "ruby", date(2029, 3, 31), date(2029, 4, 30), None),
    # Go and OS-only runtimes (lambda-runtimes.html, "When to use Lambda's OS-only runtimes")
    Runtime("go1.x", "go", date(2024, 1, 8), date(2024, 2, 8), _OS),
    Runtime("provided", "provided", date(2024, 1, 8), date(2024, 2, 8), _OS),  # Amazon Linux 1
    Runtime("provided.al2", "provided", date(2026, 7, 31), date(2027, 2, 1), _OS),
    Runtime("provided.al2023", "provided", date(2029, 6, 30), date(2029, 7, 31), None),
)

RUNTIMES: Final[dict[str, Runtime]] = {r.identifier: r for r in _RUNTIME_TABLE}

PYTHON_RUNTIMES: Final[frozenset[str]] = frozenset(r for r in RUNTIMES if r.startswith("python"))

PREVIEW_RUNTIMES: Final[frozenset[str]] = frozenset(r.identifier for r in _RUNTIME_TABLE if r.preview)

# .NET versions AWS published only as container base images: not valid in a function's
# `Runtime` (absent from the API model's enum), listed so a rule can say why. Source: AWS doc
# "Building Lambda functions with C#" (".NET 9 (container only)", deprecation Nov 10, 2026,
# block dates "Not scheduled") and the deprecated table of "Lambda runtimes" (".NET 5 (container
# only)" deprecated May 10, 2022; ".NET 7 (container only)" deprecated May 14, 2024).
CONTAINER_ONLY_RUNTIMES: Final[dict[str, Runtime]] = {
    r.identifier: r
    for r in (
        Runtime("dotnet5.0", "dotnet", date(2022, 5, 10), None, _NET),
        Runtime("dotnet7", "dotnet", date(2024, 5, 14), None, _NET),
        Runtime("dotnet9", "dotnet", date(2026, 11, 10), None, _NET),
    )
}


class RuntimeProblem(NamedTuple):
    """What is wrong with a runtime on a given day: `blocked` when AWS refuses new functions with it (an
    error), else it is deprecated but still accepted (a warning)."""

    blocked: bool
    message: str


def runtime_problem(identifier: str, today: date) -> RuntimeProblem | None:
    """What stands against creating a function with `identifier` on `today`, or None if nothing does.

    Deprecated runtimes are accepted by AWS until their block-create date: a warning that names both
    dates and a replacement until then, an error from then on. Identifiers are matched exactly, as
    the Lambda API does.
    """
    runtime = RUNTIMES.get(identifier)
    if runtime is None:
        container_only = CONTAINER_ONLY_RUNTIMES.get(identifier)
        if container_only is not None:
            return RuntimeProblem(
                True,
                f"`{identifier}` is only published as a container base image, not as a Lambda runtime; use `{container_only.replacement}`",
            )
        return RuntimeProblem(True, f"`{identifier}` is not an AWS Lambda runtime identifier")
    use = f"; use `{runtime.replacement}`" if runtime.replacement else ""
    deprecated, blocked = runtime.deprecated, runtime.block_create
    if blocked is not None and today >= blocked:
        since = f" (deprecated on {deprecated.isoformat()})" if deprecated is not None else ""
        return RuntimeProblem(True, f"AWS blocks creating functions with `{identifier}` since {blocked.isoformat()}{since}{use}")
    if deprecated is not None and today >= deprecated:
        until = (
            f"AWS blocks creating functions with it from {blocked.isoformat()}"
            if blocked is not None
            else "AWS has announced no date from which it blocks creating functions with it"
        )
        return RuntimeProblem(False, f"`{identifier}` was deprecated on {deprecated.isoformat()}; {until}{use}")
    return None


# ---------------------------------------------------------------------------------------------
# Lambda environment variables
# ---------------------------------------------------------------------------------------------
# AWS doc "Use Lambda environment variables" (configuration-envvars.html), section "Defined
# runtime environment variables" > "Reserved environment variables": "The keys for these
# environment variables are reserved and cannot be set in your function configuration."
# Identical to cfn-lint 1.58.0 rule E3663's list
# (cfnlint/data/schemas/extensions/aws_lambda_function/environment_variable_keys.json).
# TZ was reserved on older versions of the page; it is now in the unreserved list.
RESERVED_ENV_NAMES: Final[frozenset[str]] = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

# Only these names are reserved (format v1.1, clarification 2), not every `AWS_LAMBDA_*`: Lambda
# documents other names of that prefix as settable, such as AWS_LAMBDA_EXEC_WRAPPER (same page,
# and "Modifying the runtime environment" > "Wrapper scripts": the Lambda Web Adapter's setup).
# Re-read for v1.1 (search of the AWS docs, configuration-envvars.html): the same eighteen names.

# The variable that names a wrapper script Lambda starts the runtime through ("Modifying the
# runtime environment" > "Wrapper scripts"): with it, what `handler` means is the wrapper's business
# (the Lambda Web Adapter's documented setup uses `handler: run.sh`).
EXEC_WRAPPER_ENV_NAME: Final = "AWS_LAMBDA_EXEC_WRAPPER"

# Lambda API model, shape EnvironmentVariableName: pattern [a-zA-Z]([a-zA-Z0-9_])+ (so at least
# two characters; a one-letter name is rejected).
ENV_NAME_PATTERN: Final = r"^[a-zA-Z][a-zA-Z0-9_]+\Z"

# AWS doc "Lambda quotas" (gettingstarted-limits.html): "Function environment variables: 4 KB, for
# all environment variables associated with the function, in aggregate". KB = 1024 bytes (the
# page notes Lambda uses MB for 1024 KB). What counts is the variables as one compact JSON
# object, quotes, colons, commas and escapes included: Lambda's refusal quotes it ("... exceeded
# the 4KB limit. String measured: {"KEY":"value",...}", e.g. github-aws-runners/
# terraform-aws-github-runner issue #3594), and LocalStack measures `json.dumps(variables,
# separators=(",", ":"))`. Counting non-ASCII text as UTF-8 bytes (not `\uXXXX`) is inferred,
# the smaller of the two readings, so that no environment Lambda takes is refused.
LAMBDA_ENV_MAX_BYTES: Final = 4096

# ---------------------------------------------------------------------------------------------
# Other Lambda, IAM, CloudWatch Logs and API Gateway limits
# ---------------------------------------------------------------------------------------------
# AWS doc "Lambda quotas" (gettingstarted-limits.html): "Function resource-based policy: 20 KB".
LAMBDA_POLICY_MAX_BYTES: Final = 20480

# AWS doc Lambda API Reference "CreateFunction", FunctionName: "If you specify only the function
# name, it is limited to 64 characters in length"; API model pattern for the name part:
# [a-zA-Z0-9-_]+.
LAMBDA_NAME_MAX: Final = 64
LAMBDA_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]+\Z"

# AWS doc "IAM and AWS STS quotas" (reference_iam-quotas.html): role names up to 64 characters;
# IAM API Reference "CreateRole", RoleName: length 1-64, pattern [\w+=,.@-]+.
IAM_ROLE_NAME_MAX: Final = 64
# Inline policies of one role together, whitespace not counted (IAM and STS quotas).
IAM_ROLE_POLICY_MAX_CHARACTERS: Final = 10240
IAM_ROLE_NAME_PATTERN: Final = r"^[\w+=,.@-]+\Z"

# AWS doc CloudWatch Logs API Reference "CreateLogGroup": "Log group names can be between 1 and
# 512 characters long", characters a-z, A-Z, 0-9, '_', '-', '/', '.', '#', and "can't start with
# the string aws/".
LOG_GROUP_NAME_MAX: Final = 512
LOG_GROUP_NAME_PATTERN: Final = r"^[.\-_/#A-Za-z0-9]+\Z"
LOG_GROUP_RESERVED_PREFIX: Final = "aws/"

# AWS doc CloudWatch Logs API Reference "PutRetentionPolicy", retentionInDays: "Possible values
# are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
# 3288, and 3653." (never expire = no retention policy).
LOG_RETENTION_DAYS: Final[tuple[int, ...]] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
    731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# AWS doc API Gateway V2 API Reference "CreateApi" / API model: Name is
# StringWithLengthBetween1And128.
API_NAME_MAX: Final = 128

# AWS doc "Quotas for configuring and running an HTTP API in API Gateway" (http-api-quotas.html).
MAX_ROUTES_DEFAULT_QUOTA: Final = 300  # "Routes per API: 300", can be increased
# "Access log template size: 3 KB", cannot be increased. 3 KB read as 3 x 1024 bytes (inferred:
# the page does not say whether KB is 1000 or 1024 bytes, nor how the template is encoded).
ACCESS_LOG_FORMAT_MAX_BYTES: Final = 3072

# Tags on a Lambda function. Key 1-128 and value 0-256 characters: AWS doc CloudFormation
# "AWS::Lambda::Function Tag" (Key Maximum 128, Value Maximum 256) and the Lambda API model
# shapes TagKey / TagValue. 50 tags per resource: AWS doc "Tagging AWS resources and Tag Editor"
# user guide, "Tag naming limits and requirements" (the general AWS limit; the Lambda pages seen
# do not restate it, so applying it to Lambda functions is inferred). Keys starting with "aws:"
# are reserved for AWS (same guide).
TAG_KEY_MAX: Final = 128
TAG_VALUE_MAX: Final = 256
MAX_TAGS_PER_FUNCTION: Final = 50
RESERVED_TAG_KEY_PREFIX: Final = "aws:"

# ---------------------------------------------------------------------------------------------
# HTTP API access-log variables
# ---------------------------------------------------------------------------------------------
# AWS doc "Customize HTTP API access logs"
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
# These are the HTTP API variables; the REST API list (api-gateway-variables-for-access-logging)
# is different and larger ($context.authorize.*, $context.waf*, ...), so do not mix them up.
#
# Two rows of that page have a variable part:
#   $context.authorizer.claims.property  any JWT claim, e.g. $context.authorizer.claims.username
#   $context.authorizer.property         any key of a Lambda authorizer's `context` map
# They are in HTTP_API_CONTEXT_PREFIXES: a name is valid if it starts with one of the prefixes and
# has a non-empty remainder. ($context.authorizer.claims on its own "returns null" per the page,
# so it is not in the set.) Since "$context.authorizer." is itself a prefix, every
# "$context.authorizer.<anything>" passes; the claims prefix is kept to document the page.
# $context.authorizer.principalId was on older versions of the page and is still accepted through
# the authorizer prefix.
HTTP_API_CONTEXT_VARIABLES: Final[frozenset[str]] = frozenset(
    {
        "$context.accountId",
        "$context.apiId",
        "$context.authorizer.error",
        "$context.authorizer.principalId",
        "$context.awsEndpointRequestId",
        "$context.awsEndpointRequestId2",
        "$context.customDomain.basePathMatched",
        "$context.dataProcessed",
        "$context.domainName",
        "$context.domainPrefix",
        "$context.error.message",
        "$context.error.messageString",
        "$context.error.responseType",
        "$context.extendedRequestId",
        "$context.httpMethod",
        "$context.identity.accountId",
        "$context.identity.caller",
        "$context.identity.cognitoAuthenticationProvider",
        "$context.identity.cognitoAuthenticationType",
        "$context.identity.cognitoIdentityId",
        "$context.identity.cognitoIdentityPoolId",
        "$context.identity.principalOrgId",
        "$context.identity.clientCert.clientCertPem",
        "$context.identity.clientCert.subjectDN",
        "$context.identity.clientCert.issuerDN",
        "$context.identity.clientCert.serialNumber",
        "$context.identity.clientCert.validity.notBefore",
        "$context.identity.clientCert.validity.notAfter",
        "$context.identity.sourceIp",
        "$context.identity.user",
        "$context.identity.userAgent",
        "$context.identity.userArn",
        "$context.integration.error",
        "$context.integration.integrationStatus",
        "$context.integration.latency",
        "$context.integration.requestId",
        "$context.integration.status",
        "$context.integrationErrorMessage",
        "$context.integrationLatency",
        "$context.integrationStatus",
        "$context.path",
        "$context.protocol",
        "$context.requestId",
        "$context.requestTime",
        "$context.requestTimeEpoch",
        "$context.responseLatency",
        "$context.responseLength",
        "$context.routeKey",
        "$context.stage",
        "$context.status",
    }
)

HTTP_API_CONTEXT_PREFIXES: Final[tuple[str, ...]] = (
    "$context.authorizer.claims.",
    "$context.authorizer.",
)


# Names an HTTP API does not know, with what stands for them by meaning, for the "did you mean" of an
# access-log field: spelling alone proposes `$context.responseLength` for `$context.resourcePath`.
# REST API names are from AWS doc "Variables for access logging for API Gateway"
# (api-gateway-variables-for-access-logging.html, REST APIs); the rest are names people guess.
# Each maps to (variable, what it holds) pairs; an empty tuple: HTTP APIs have nothing like it, and
# HTTP_API_LACKS says why.
HTTP_API_EQUIVALENTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    # REST API variables
    "$context.resourcePath": (("$context.routeKey", "the matched route, e.g. `GET /items/{id}`"), ("$context.path", "the request path")),
    "$context.resourceId": (("$context.routeKey", "the matched route"),),
    "$context.authorize.error": (("$context.authorizer.error", "the authorizer's error message"),),
    "$context.authorize.status": (),
    "$context.authorize.latency": (),
    "$context.identity.apiKey": (),
    "$context.identity.apiKeyId": (),
    "$context.wafResponseCode": (),
    "$context.webaclArn": (),
    "$context.xrayTraceId": (),
    "$context.deploymentId": (),
    "$context.isCanaryRequest": (),
    "$context.responseOverride.status": (),
    "$context.error.validationErrorString": (),
    "$context.identity.vpcId": (),
    "$context.identity.vpceId": (),
    # guessed names
    "$context.method": (("$context.httpMethod", "the request method"),),
    "$context.route": (("$context.routeKey", "the matched route"),),
    "$context.sourceIp": (("$context.identity.sourceIp", "the caller's address"),),
    "$context.ip": (("$context.identity.sourceIp", "the caller's address"),),
    "$context.userAgent": (("$context.identity.userAgent", "the caller's User-Agent"),),
    "$context.statusCode": (("$context.status", "the response status"),),
    "$context.latency": (("$context.responseLatency", "the time to the response, in ms"),),
    "$context.requestPath": (("$context.path", "the request path"),),
    "$context.resource": (("$context.routeKey", "the matched route"),),
}
HTTP_API_LACKS: Final[dict[str, str]] = {
    "$context.authorize.status": "authorizer status codes",
    "$context.authorize.latency": "authorizer latencies",
    "$context.identity.apiKey": "API keys",
    "$context.identity.apiKeyId": "API keys",
    "$context.wafResponseCode": "AWS WAF",
    "$context.webaclArn": "AWS WAF",
    "$context.xrayTraceId": "X-Ray tracing",
    "$context.deploymentId": "a deployment variable",
    "$context.isCanaryRequest": "canary deployments",
    "$context.responseOverride.status": "mapping-template overrides",
    "$context.error.validationErrorString": "request validation",
    "$context.identity.vpcId": "private endpoints",
    "$context.identity.vpceId": "private endpoints",
}


def is_http_api_context_variable(name: str) -> bool:
    """Whether `name` (e.g. "$context.requestId") is valid in an HTTP API access log format."""
    if name in HTTP_API_CONTEXT_VARIABLES:
        return True
    return any(name.startswith(p) and len(name) > len(p) for p in HTTP_API_CONTEXT_PREFIXES)


# ---------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------
# Region codes from botocore 1.44.8 data/partitions.json (the AWS SDKs' partition metadata),
# partitions aws, aws-us-gov, aws-cn and aws-eusc (AWS doc "AWS Regions",
# https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html, is the page
# these mirror), cross-checked against the per-region CloudFormation provider schemas shipped with
# cfn-lint 1.58.0, which have every region here except me-south-1, me-west-1 and sa-west-1.
# me-south-1 (Bahrain, open since 2019) is kept. me-west-1 (Middle East, Saudi Arabia) and
# sa-west-1 (South America, Chile) are in the SDK metadata but were not seen open on an AWS page:
# kept too, since this set only drives a warning and a "did you mean" hint.
REGIONS: Final[frozenset[str]] = frozenset(
    {
        # aws (commercial)
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "me-west-1",
        "mx-central-1",
        "sa-east-1",
        "sa-west-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        # aws-us-gov (GovCloud)
        "us-gov-east-1",
        "us-gov-west-1",
        # aws-cn (China)
        "cn-north-1",
        "cn-northwest-1",
        # aws-eusc (AWS European Sovereign Cloud)
        "eusc-de-east-1",
    }
)

# Isolated (classified) partitions aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, same source. Not in
# REGIONS (not reachable for ordinary accounts) but matched by REGION_PATTERN.
ISOLATED_REGIONS: Final[frozenset[str]] = frozenset(
    {
        "us-iso-east-1",
        "us-iso-west-1",
        "us-isob-east-1",
        "us-isob-west-1",
        "us-isof-east-1",
        "us-isof-south-1",
        "eu-isoe-west-1",
    }
)

# Shape of a region code. The brief's r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$" does not match
# eusc-de-east-1, so an optional "eusc-" is added, as in the Lambda API model's own region pattern
# ((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}).
REGION_PATTERN: Final = r"^(eusc-)?[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+\Z"


# ---------------------------------------------------------------------------------------------
# CloudFormation
# ---------------------------------------------------------------------------------------------
# Text that CloudFormation tools read as a `${Name}` reference (inside `Fn::Sub`, and cfn-lint's
# E1029 anywhere): letters, digits and `_:.` between `${` and `}`.
CFN_REFERENCE_PATTERN: Final = r"\$\{[A-Za-z0-9_:.]+\}"
