"""What the examples must compile into, written out by hand from `specs/*/service.yaml` and the format
page, so that no test takes its expected values from the code it checks (`compiler.naming`,
`compiler.lower`, the resolved spec).
"""

from __future__ import annotations

from typing import NamedTuple


class Function(NamedTuple):
    """A function of an example: its names in the targets and its log group."""

    terraform: str  # the Terraform name of its resources (`aws_lambda_function.<name>`)
    logical_id: str  # its CloudFormation logical id (`<Id>Function`, `<Id>LogGroup`, ...)
    log_group: str
    retention_days: int | None  # None: `retention_days: never`, a group without expiry
    own_role: bool  # False: the spec names an existing `role`, so no role or policy is generated
    kms_key_arn: str | None = None  # the key that encrypts its log group
    alias: str | None = None  # `alias`: routes, authorizers and triggers invoke it, not the function

    @property
    def invoked_tf(self) -> str:
        """An invoke permission's `function_name` in Terraform: the function's name, or its alias's ARN."""
        return f"${{aws_lambda_alias.{self.terraform}.arn}}" if self.alias else f"${{aws_lambda_function.{self.terraform}.function_name}}"

    @property
    def invoked_id(self) -> str:
        """The logical id an invoke permission's `FunctionName` refers to: the function's, or its alias's (SAM's name)."""
        return f"{self.logical_id}FunctionAlias{self.alias}" if self.alias else f"{self.logical_id}Function"


class Route(NamedTuple):
    """A route of an example: the function key it calls and where its invoke permission reaches."""

    function: str
    source_arn: str  # what follows the API's execution ARN: `/<stage>/<method>/<path>`, parameters as `*`
    integration: tuple[str, str] | None = None  # (Terraform name, logical id) when not the function's shared one
    payload_format: str = "2.0"
    timeout_ms: int | None = None  # None: API Gateway's 30 s


class Domain(NamedTuple):
    """An example's custom domain, as `api.domain` says it, and the URL it adds to the outputs."""

    name: str
    certificate_arn: str
    base_path: str | None
    hosted_zone_id: str | None
    truststore_uri: str | None
    ip_address_type: str
    custom_url: str


KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"  # `protected`'s logging key

FUNCTIONS: dict[str, dict[str, Function]] = {
    "tutorial": {
        "user-request": Function("user_request", "UserRequest", "/aws/lambda/demo-user-request", 7, True),
    },
    "shop": {
        "list_orders": Function("list_orders", "ListOrders", "/aws/lambda/shop-backend-list-orders", 14, True),
        # `name: shop-create-order` is not the default name: its resources are named after it, less the prefix
        "create-order": Function("shop_create_order", "ShopCreateOrder", "/aws/lambda/shop-create-order", 30, True),
        "catalog": Function("catalog", "Catalog", "/aws/lambda/shop-backend-catalog", 14, True),
        "admin": Function("admin", "Admin", "/aws/lambda/shop-backend-admin", 90, False),
    },
    # One spec, two environments: each names its resources `orders-<env>-…`; prod keeps logs 90 days.
    "orders:dev": {
        "orders": Function("orders", "Orders", "/aws/lambda/orders-dev-orders", 7, True),
    },
    "orders:prod": {
        "orders": Function("orders", "Orders", "/aws/lambda/orders-prod-orders", 90, True),
    },
    "protected": {
        "notes": Function("notes", "Notes", "/aws/lambda/protected-notes", 7, True, KMS_KEY),
        "gatekeeper": Function("gatekeeper", "Gatekeeper", "/aws/lambda/protected-gatekeeper", None, True, KMS_KEY),
    },
    "jobs": {
        "api": Function("api", "Api", "/aws/lambda/jobs-api", 7, True, alias="live"),
        "worker": Function("worker", "Worker", "/aws/lambda/jobs-worker", 7, True),
        "nightly": Function("nightly", "Nightly", "/aws/lambda/jobs-nightly", 7, True),
        "changes": Function("changes", "Changes", "/aws/lambda/jobs-changes", 7, True),
    },
    "quotes": {
        "quote": Function("quote", "Quote", "/aws/lambda/quotes-quote", 7, True),
    },
}

# Each route's own invoke permission: the stage `*`, the method (`*` for ANY), each parameter `*`.
ROUTES: dict[str, dict[str, Route]] = {
    "tutorial": {
        "POST /api/submit_post": Route("user-request", "/*/POST/api/submit_post"),
    },
    "shop": {
        "GET /orders": Route("list_orders", "/*/GET/orders"),
        "POST /orders": Route("create-order", "/*/POST/orders"),
        "GET /orders/{order_id}": Route("list_orders", "/*/GET/orders/*"),
        "ANY /admin/{proxy+}": Route("admin", "/*/*/admin/*"),
        "GET /catalog/{category}/{item}": Route("catalog", "/*/GET/catalog/*/*"),
        "GET /": Route("catalog", "/*/GET/"),
        "$default": Route("catalog", "/*/$default"),
    },
    "orders:dev": {
        "GET /orders": Route("orders", "/*/GET/orders"),
        "POST /orders": Route("orders", "/*/POST/orders"),
    },
    "orders:prod": {
        "GET /orders": Route("orders", "/*/GET/orders"),
        "POST /orders": Route("orders", "/*/POST/orders"),
    },
    "protected": {
        "GET /notes": Route("notes", "/*/GET/notes"),
        "GET /notes/{id}": Route("notes", "/*/GET/notes/*"),
        "POST /notes": Route("notes", "/*/POST/notes"),
        "GET /health": Route("notes", "/*/GET/health"),
        # its own integration for its own timeout, and another for payload 1.0
        "GET /partner/notes": Route("notes", "/*/GET/partner/notes", ("notes_timeout_5000", "NotesIntegrationTimeout5000"), "2.0", 5000),
        "GET /partner/whoami": Route("gatekeeper", "/*/GET/partner/whoami"),
        "GET /ops/stats": Route("notes", "/*/GET/ops/stats", ("notes_payload_1_0", "NotesIntegrationPayload10"), "1.0"),
    },
    "jobs": {
        "POST /orders": Route("api", "/*/POST/orders"),
        "GET /orders/{id}": Route("api", "/*/GET/orders/*"),
    },
    "quotes": {
        "GET /quote": Route("quote", "/*/GET/quote"),
    },
}

# Routes proxied to a URL (HTTP_PROXY, payload 1.0, no invoke permission): the URL, by example and route key.
URL_ROUTES: dict[str, dict[str, str]] = {
    "protected": {"GET /docs/{page}": "https://docs.example.com/notes/{page}"},
}

DOMAINS: dict[str, Domain] = {
    "protected": Domain(
        name="notes-api.example.com",
        certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        base_path="v1",
        hosted_zone_id="Z0123456789NOTESZONE",
        truststore_uri="s3://protected-notes-truststore/truststore.pem",
        ip_address_type="dualstack",
        custom_url="https://notes-api.example.com/v1",
    ),
}
DEFAULT_ENDPOINT_DISABLED = {"tutorial": False, "shop": False, "protected": True, "jobs": False, "orders:dev": False, "orders:prod": False, "quotes": False}

# The API's access-log group: name, retention (None: never expires), KMS key.
ACCESS_LOGS: dict[str, tuple[str, int | None, str | None]] = {
    "tutorial": ("/aws/apigateway/demo-api", 7, None),
    "shop": ("/aws/apigateway/shop-http-api", 60, None),
    "protected": ("/notes/access", 90, KMS_KEY),
    "jobs": ("/aws/apigateway/jobs-api", 7, None),
    "orders:dev": ("/aws/apigateway/orders-dev-api", 7, None),
    "orders:prod": ("/aws/apigateway/orders-prod-api", 90, None),  # prod's overlay: `logging.retention_days: 90`
    "quotes": ("/aws/apigateway/quotes-api", 7, None),
}

# Each Lambda authorizer's invoke permission, by example and authorizer name: the function key, and what
# follows the API's execution ARN in Terraform and CloudFormation (`<api>/authorizers/<authorizer id>`; SAM,
# which makes the authorizer inside its HttpApi, can only say `<api>/authorizers/*`).
AUTHORIZER_PERMISSIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    "protected": {
        "partner-key": ("gatekeeper", "/authorizers/${aws_apigatewayv2_authorizer.partner_key.id}", "/authorizers/${PartnerKeyAuthorizer}"),
    },
}

API_NAMES = {"tutorial": "demo-api", "shop": "shop-http-api", "protected": "protected-api", "jobs": "jobs-api", "orders:dev": "orders-dev-api", "orders:prod": "orders-prod-api", "quotes": "quotes-api"}
STAGES = {"tutorial": "demo_API_Stage", "shop": "v1", "protected": "$default", "jobs": "$default", "orders:dev": "$default", "orders:prod": "v1", "quotes": "$default"}
# The stage's default route settings: burst, rate, detailed metrics. `api.detailed_metrics` without
# `api.throttling` writes the account's default limits (burst 5000, rate 10000), which the Terraform
# provider would otherwise send as 0 (format 1.1, clarification 5).
THROTTLING: dict[str, tuple[int, float, bool] | None] = {
    "tutorial": None, "shop": (200, 100.5, False), "protected": (5000, 10000.0, True), "jobs": None, "orders:dev": None, "orders:prod": None, "quotes": None,
}  # fmt: skip
# Per-route settings, by route key: burst, rate, detailed metrics.
ROUTE_SETTINGS: dict[str, dict[str, tuple[int, float, bool]]] = {"protected": {"POST /notes": (20, 10.0, True)}}

# The CORS settings of each example's API, as `api.cors` says them (the format's names).
CORS: dict[str, dict[str, object]] = {
    "tutorial": {
        "allow_origins": ["*"],
        "allow_methods": ["POST", "GET", "OPTIONS", "DELETE"],
        "allow_headers": ["content-type"],
        "max_age": 300,
    },
    "shop": {
        "allow_origins": ["https://shop.example.com", "https://admin.example.com"],
        "allow_methods": ["GET", "POST", "OPTIONS"],
        "allow_headers": ["authorization", "content-type"],
        "expose_headers": ["x-request-id"],
        "allow_credentials": True,
        "max_age": 600,
    },
    "jobs": {"allow_origins": ["https://orders.example.com"], "allow_methods": ["GET", "POST"]},
    "orders:dev": {
        "allow_origins": ["http://localhost:3000"],
        "allow_methods": ["GET", "POST"],
    },
    # prod's overlay replaces the origins (a list) and keeps the methods (the map merges key by key)
    "orders:prod": {
        "allow_origins": ["https://shop.example.com"],
        "allow_methods": ["GET", "POST"],
    },
    "protected": {
        "allow_origins": ["https://notes.example.com"],
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["authorization", "content-type"],
    },
    "quotes": {
        "allow_origins": ["*"],
        "allow_methods": ["GET"],
    },
}

# Each example's non-HTTP triggers, by function key: the schedules' rule names (EventBridge's invoke
# permission is scoped to each) and the queue or stream ARNs its event source mappings read.
SCHEDULES: dict[str, dict[str, list[str]]] = {"jobs": {"nightly": ["jobs-nightly-schedule-1", "jobs-nightly-schedule-2"]}}
EVENT_SOURCES: dict[str, dict[str, list[str]]] = {
    "jobs": {
        "worker": ["arn:aws:sqs:eu-west-1:123456789012:jobs-orders"],
        "changes": [
            "arn:aws:dynamodb:eu-west-1:123456789012:table/jobs-orders/stream/2026-01-01T00:00:00.000",
            "arn:aws:kinesis:eu-west-1:123456789012:stream/jobs-clicks",
        ],
    }
}

# The functions whose code `apispec package` zips (a dependency manifest or `build:`), by example directory
# (every environment of it alike): their Terraform `filename` and CloudFormation `Code` name the zip under
# `<out>/<prefix>/packages/`.
PACKAGED: dict[str, set[str]] = {"tutorial": set(), "shop": set(), "protected": set(), "jobs": set(), "orders": set(), "quotes": {"quote"}}
