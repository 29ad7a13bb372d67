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
    retention_days: int
    own_role: bool  # False: the spec names an existing `role`, so no role or policy is generated


class Route(NamedTuple):
    """A route of an example: the function key it calls and where its invoke permission reaches."""

    function: str
    source_arn: str  # what follows the API's execution ARN: `/<stage>/<method>/<path>`, parameters as `*`


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
    "protected": {
        "notes": Function("notes", "Notes", "/aws/lambda/protected-notes", 7, True),
        "gatekeeper": Function("gatekeeper", "Gatekeeper", "/aws/lambda/protected-gatekeeper", 7, True),
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
    "protected": {
        "GET /notes": Route("notes", "/*/GET/notes"),
        "GET /notes/{id}": Route("notes", "/*/GET/notes/*"),
        "POST /notes": Route("notes", "/*/POST/notes"),
        "GET /health": Route("notes", "/*/GET/health"),
        "GET /partner/notes": Route("notes", "/*/GET/partner/notes"),
        "GET /partner/whoami": Route("gatekeeper", "/*/GET/partner/whoami"),
        "GET /ops/stats": Route("notes", "/*/GET/ops/stats"),
    },
    "quotes": {
        "GET /quote": Route("quote", "/*/GET/quote"),
    },
}

# Each Lambda authorizer's invoke permission, by example and authorizer name: the function key, and what
# follows the API's execution ARN in Terraform and CloudFormation (`<api>/authorizers/<authorizer id>`; SAM,
# which makes the authorizer inside its HttpApi, can only say `<api>/authorizers/*`).
AUTHORIZER_PERMISSIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    "protected": {
        "partner-key": ("gatekeeper", "/authorizers/${aws_apigatewayv2_authorizer.partner_key.id}", "/authorizers/${PartnerKeyAuthorizer}"),
    },
}

API_NAMES = {"tutorial": "demo-api", "shop": "shop-http-api", "protected": "protected-api", "quotes": "quotes-api"}
STAGES = {"tutorial": "demo_API_Stage", "shop": "v1", "protected": "$default", "quotes": "$default"}
THROTTLING = {"tutorial": None, "shop": (200, 100.5), "protected": None, "quotes": None}  # burst, rate

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

# The functions whose code `apispec package` zips (a dependency manifest or `build:`), by example: their
# Terraform `filename` and CloudFormation `Code` name the zip under `<out>/<prefix>/packages/`.
PACKAGED: dict[str, set[str]] = {"tutorial": set(), "shop": set(), "protected": set(), "quotes": {"quote"}}
