"""Specs unlike the examples, written from the format page, through every real validator.

Each case is a whole `service.yaml` exercising a corner of the format; every target it compiles
into must pass cfn-lint (SAM and CloudFormation), the SAM translator, the real Terraform CLI's
`init`, `validate` and `plan`, and our check of what Terraform leaves to the providers, with no findings.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from compiler.package.zipper import files_under, write_zip
from tests.conftest import Compiled, compile_spec
from tests.support import permissions
from tests.support.real_terraform import Terraform, selected
from tests.support.terraform_check import check_module
from tests.support.validators import cfn_lint, load_template, sam_transform

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
LONG_PARAMETER = "a_parameter" + "_that_goes_on" * 25
LONG_KEY = "a-function" + "-that-goes-on" * 10
LONG_PATH = "".join(f"/segment-number-{i:02d}" for i in range(12))

TWENTY_SHORT_ROUTES = "".join(f"  GET /r{i:02d}: api\n" for i in range(1, 21))

CASES: dict[str, str] = {
    # Lambda's 20 KB resource policy holds 20 short route statements: one permission per route.
    "twenty-short-routes": f"""
service: twenty
functions:
  api: {{source: code, handler: main.handler}}
routes:
{TWENTY_SHORT_ROUTES}""",
    # One route more: one permission for the whole API.
    "twenty-one-short-routes": f"""
service: twenty-one
functions:
  api: {{source: code, handler: main.handler}}
routes:
{TWENTY_SHORT_ROUTES}  GET /r21: api
""",
    # A greedy parameter other than `{proxy+}` on a function with few routes: SAM's own permission
    # keeps `{path+}` as text and matches nothing, so apispec adds its own.
    "greedy-path-on-a-small-function": """
service: files
functions:
  files: {source: code, handler: main.handler}
routes:
  GET /files: files
  ANY /files/{path+}: files
""",
    # `%{` starts a Terraform template directive, as `${` an interpolation: both stay text.
    "percent-brace-text": """
service: percent
description: "Takes 100%{off} seriously"
functions:
  sale:
    source: code
    handler: main.handler
    description: "100%{off} today"
    environment: {BANNER: "%{ if sale }50% off%{ endif }", PRICE: "${5} %{x}"}
routes:
  GET /sale: sale
api:
  cors:
    allow_origins: ["https://shop.example.com", "http://localhost:3000"]
    allow_methods: [GET, POST, ANY]
    allow_headers: [content-type, x-api-key]
    expose_headers: [x-request-id, x-amzn-requestid]
    allow_credentials: true
    max_age: 86400
""",
    "twenty-routes-past-the-policy-limit": f"""
service: long-paths
functions:
  wide:
    source: code
    handler: main.handler
routes:
  GET /r00{LONG_PATH * 4}: wide
  GET /r01{LONG_PATH * 4}: wide
  GET /r02{LONG_PATH * 4}: wide
  GET /r03{LONG_PATH * 4}: wide
  GET /r04{LONG_PATH * 4}: wide
  GET /r05{LONG_PATH * 4}: wide
  GET /r06{LONG_PATH * 4}: wide
  GET /r07{LONG_PATH * 4}: wide
  GET /r08{LONG_PATH * 4}: wide
  GET /r09{LONG_PATH * 4}: wide
  GET /r10{LONG_PATH * 4}: wide
  GET /r11{LONG_PATH * 4}: wide
  GET /r12{LONG_PATH * 4}: wide
  GET /r13{LONG_PATH * 4}: wide
  GET /r14{LONG_PATH * 4}: wide
  GET /r15{LONG_PATH * 4}: wide
  GET /r16{LONG_PATH * 4}: wide
  GET /r17{LONG_PATH * 4}: wide
  GET /r18{LONG_PATH * 4}: wide
  GET /r19{LONG_PATH * 4}: wide
""",
    "awkward-names": """
service: awkward
description: "Costs 5$ {a lot}"
functions:
  lambda-assume-role:
    source: code
    handler: main.handler
    description: "Runs in ${AWS::Region}"
  java-worker:
    source: code
    handler: "bootstrap-${AWS::Region}-${path.cwd}"
    runtime: provided.al2023
routes:
  GET /users/{id}: lambda-assume-role
  GET /users/id: lambda-assume-role
  GET /: java-worker
  GET /root: java-worker
api:
  name: "my ${x} api"
  auto_deploy: false
logging:
  access_logs: false
""",
    "wide-function-and-neighbour": """
service: neighbours
functions:
  get_users:
    source: code
    handler: main.handler
    environment: {PYTHON_VERSION: 3.10, OCTAL: 010, RATIO: 1e3}
  other:
    source: code
    handler: main.handler
routes:
  GET /users: other
  GET /r1: get_users
  GET /r2: get_users
  GET /r3: get_users
  GET /r4: get_users
  GET /r5: get_users
  GET /r6: get_users
  GET /r7: get_users
  GET /r8: get_users
  GET /r9: get_users
  GET /r10: get_users
  GET /r11: get_users
  GET /r12: get_users
  GET /r13: get_users
  GET /r14: get_users
  GET /r15: get_users
  GET /r16: get_users
  GET /r17: get_users
  GET /r18: get_users
  GET /r19: get_users
  GET /r20: get_users
  GET /r21: get_users
  $default: get_users
""",
    # Function keys that look like the names of the API's own resources.
    "keys-like-api-resources": """
service: lookalikes
functions:
  api-access: {source: code, handler: main.handler}
  api: {source: code, handler: main.handler}
  stage: {source: code, handler: main.handler}
routes:
  GET /a: api-access
  GET /b: api
  GET /c: stage
""",
    "no-routes": """
service: batch jobs
functions:
  nightly:
    source: code
    handler: main.handler
    architecture: x86_64
    memory: 10240
    timeout: 900
""",
    "default-route-only": """
service: catch_all
region: ap-southeast-2
description: 'Everything: one "function", #1 — ünïcode'
functions:
  proxy:
    source: ./code/
    handler: main.handler
    description: "Handles ${everything} 100% {of} it"
routes:
  $default: proxy
logging:
  access_logs: false
""",
    "literal-default-segment": """
service: dollar
functions:
  home: {source: code, handler: main.handler}
  other: {source: code, handler: main.handler}
routes:
  $default: home
  GET /$default: home
  POST /$default: other
  GET /$default/x: other
""",
    "many-routes-one-function": """
service: wide
functions:
  api:
    source: code
    handler: main.handler
routes:
  GET /: api
  HEAD /: api
  OPTIONS /things: api
  GET /a: api
  GET /b: api
  GET /c: api
  GET /d: api
  GET /e: api
  GET /f: api
  GET /g: api
  GET /h: api
  GET /i: api
  GET /j: api
  PUT /k/{id}: api
  PATCH /l/{id}: api
  DELETE /m/{id}: api
  POST /n: api
  POST /o: api
  POST /p: api
  POST /q: api
  ANY /files/{path+}: {function: api}
""",
    # Routes API Gateway tells apart whose words are the same: names lose case and punctuation.
    "routes-that-share-their-words": """
service: same-words
functions:
  users:
    source: code
    handler: main.handler
  legacy:
    source: code
    handler: main.handler
routes:
  GET /users/{id}: users
  GET /users/by/id: legacy
  GET /user-profile: users
  GET /user_profile: legacy
  GET /user/profile: users
  GET /User-Profile: legacy
  GET /userprofile: users
  GET /a.b: legacy
""",
    # Function keys the format allows whose PascalCase ids are the same (case set aside).
    "keys-that-share-an-id": """
service: same-ids
functions:
  fn12: {source: code, handler: main.handler}
  fn1-2: {source: code, handler: main.handler}
  s3sync: {source: code, handler: main.handler}
  s3-sync: {source: code, handler: main.handler, role: "arn:aws:iam::123456789012:role/sync"}
routes:
  GET /one: fn12
  GET /two: fn1-2
  GET /three: s3sync
  GET /four: s3-sync
""",
    # Functions whose `name` is not what their key would give: resources are named after the name.
    "functions-named-apart-from-their-keys": """
service: renamed
functions:
  place-order: {name: renamed-create-order, source: code, handler: main.handler}
  worker: {name: nightly_Job, source: code, handler: main.handler}
  list_orders: {name: renamed-list-orders, source: code, handler: main.handler}
  api: {source: code, handler: main.handler}
routes:
  POST /orders: place-order
  GET /orders: list_orders
  GET /jobs: worker
  GET /: api
""",
    "existing-role-and-parameters": """
service: legacy
parameters:
  stage_name: {default: prod}
  db_password: {description: the password, sensitive: true}
  bucket: {description: bucket name, default: my-bucket}
functions:
  worker:
    source: code
    handler: main.handler
    role: arn:aws:iam::123456789012:role/legacy-worker
    environment:
      DSN: postgres://app:${param:db_password}@db/${param:stage_name}
      LITERAL_DOLLAR: "cost is $5 in ${AWS::Region}"
      BUCKET: ${param:bucket}
routes:
  GET /work/{job}/{step}: worker
""",
    "manual-deploy-default-stage": """
service: manual
functions:
  fn-a:
    source: code
    handler: main.handler
    logging:
      format: JSON
      application_level: WARN
      system_level: DEBUG
      retention_days: 3653
  fn_b2:
    source: code
    handler: main.handler
routes:
  GET /a/{x}: fn-a
  POST /b: fn_b2
api:
  auto_deploy: false
  cors:
    allow_origins: ["*"]
    allow_methods: [GET, ANY]
  throttling: {burst_limit: 0, rate_limit: 0}
""",
    # Names past CloudFormation's 255-character logical ids, once made PascalCase and joined by SAM.
    "very-long-names": f"""
service: long
parameters:
  {LONG_PARAMETER}: {{default: v}}
functions:
  {LONG_KEY}:
    name: short-name
    source: code
    handler: main.handler
    environment: {{LONG: "${{param:{LONG_PARAMETER}}}"}}
routes:
  GET {LONG_PATH}/{{id}}: {LONG_KEY}
  GET {LONG_PATH}/{{id}}/more: {LONG_KEY}
""",
    "defaults-and-policies": """
service: policy-heavy
parameters:
  team: {description: the team's principal tag, default: blue}
tags:
  Owner Name: Jane Doe
  env: prod/eu
defaults:
  source: code
  handler: main.handler
  permissions:
    - sid: Tracing
      actions: [xray:PutTraceSegments, xray:PutTelemetryRecords]
      resources: ["*"]
functions:
  reader:
    permissions:
      - actions: [s3:GetObject]
        resources: [arn:aws:s3:::my-bucket/*, "arn:aws:s3:::my-bucket/home/${aws:username}/*"]
        conditions:
          Bool: {aws:SecureTransport: true}
          StringLike: {s3:prefix: [home/, "public/*"]}
          StringEquals: {aws:SourceAccount: 012345678901, aws:PrincipalTag/team: [1.10, "${param:team}"]}
      - effect: Deny
        actions: [s3:DeleteObject]
        resources: [arn:aws:s3:::my-bucket/*]
  writer:
    tags: {Owner Name: Team Writer}
    ephemeral_storage: 10240
routes:
  GET /read: reader
  POST /write: writer
logging:
  retention_days: 1
  access_logs:
    fields:
      id: $context.requestId
      route: $context.routeKey
      error: $context.authorizer.error
""",
    # Format 1.1, section A: a custom domain SAM expresses as `HttpApi.Domain`, `url` routes, route
    # settings, integrations apart by timeout and payload format, and a named, encrypted access-log group.
    "custom-domain-and-url-routes": """
service: edge
region: eu-west-1
functions:
  orders: {source: code, handler: main.handler}
  users:
    source: code
    handler: main.handler
    logging: {retention_days: never, kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/1111abcd-12ab-34cd-56ef-1234567890ab"}
routes:
  GET /orders: orders
  POST /orders: {function: orders, timeout_ms: 5000}
  PUT /orders/{id}: {function: orders, payload_format: "1.0", throttling: {burst_limit: 10, rate_limit: 5}}
  DELETE /orders/{id}: {function: orders, timeout_ms: 30000, payload_format: "2.0"}
  GET /users: users
  ANY /legacy/{proxy+}: {url: "https://legacy.example.com/{proxy}", timeout_ms: 10000}
  GET /status: {url: "https://status.example.com/health", throttling: {burst_limit: 1, rate_limit: 1}}
api:
  detailed_metrics: true
  disable_default_endpoint: true
  domain:
    name: api.example.com
    certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/2222abcd-12ab-34cd-56ef-1234567890ab
    base_path: v1
    hosted_zone_id: Z0123456789ABCDEFGHIJ
    mtls_truststore_uri: s3://edge-trust/truststore.pem
logging:
  kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/3333abcd-12ab-34cd-56ef-1234567890ab
  access_logs:
    log_group: edge-access
    retention_days: never
    fields:
      requestId: $context.requestId
      route: {key: $context.routeKey, status: $context.status}
""",
    # A dual-stack domain (SAM then writes the domain resources as CloudFormation does), mapped at the
    # root, with an existing log group as the access logs' destination and a `$default` url route.
    "dual-stack-domain-and-log-destination": """
service: dual
functions:
  api: {source: code, handler: main.handler}
routes:
  GET /: api
  $default: {url: "https://origin.example.com/"}
api:
  stage: live
  detailed_metrics: true
  throttling: {burst_limit: 100, rate_limit: 50}
  domain:
    name: dual.example.com
    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/4444abcd-12ab-34cd-56ef-1234567890ab
    hosted_zone_id: Z9876543210ZYXWVUTSRQ
    ip_address_type: dualstack
logging:
  access_logs:
    destination_arn: arn:aws:logs:us-east-1:123456789012:log-group:shared-access-logs
""",
    # Issue 11's closing check, written from the format page alone: each authorizer type protecting
    # routes, a custom domain, a route proxied to a URL and a named access-log group, in one spec.
    "section-a-together": """
service: storefront
region: eu-west-1
functions:
  shop: {source: code, handler: main.handler}
  auth: {source: code, handler: main.handler}
routes:
  GET /products: {function: shop, authorizer: none, throttling: {burst_limit: 50, rate_limit: 25}}
  GET /cart: shop
  POST /cart: {function: shop, scopes: [cart/write], timeout_ms: 10000}
  GET /partners/{id}: {function: shop, authorizer: partners, payload_format: "1.0"}
  GET /admin/report: {function: shop, authorizer: staff}
  GET /legacy/{proxy+}: {url: "https://legacy.example.com/{proxy}", authorizer: none}
api:
  default_authorizer: customers
  detailed_metrics: true
  authorizers:
    customers: {type: jwt, issuer: "https://auth.example.com/", audience: [storefront-web]}
    partners: {type: lambda, function: auth, identity_sources: [$request.header.x-partner-key], ttl: 60}
    staff: {type: iam}
  domain:
    name: shop.example.com
    certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/5555abcd-12ab-34cd-56ef-1234567890ab
    hosted_zone_id: Z0246813579ACEGIKMOQS
logging:
  access_logs:
    log_group: storefront-access
    fields:
      requestId: $context.requestId
      who: {ip: $context.identity.sourceIp, route: $context.routeKey}
""",
    # Deploy-time references (issue 12, section B) in every place they may stand: SSM parameters, other
    # stacks' exports, the account and region, the prefix; in environment values, permissions, tags, a
    # `url` route, a JWT authorizer's issuer, audience and scopes, and the custom domain's certificate and zone.
    "deploy-time-references": """
service: wired
region: eu-west-1
parameters:
  stage_name: {default: prod}
tags:
  cost-center: ${ssm:/org/cost-center}
  stack: ${self:prefix}
functions:
  orders:
    source: code
    handler: main.handler
    environment:
      QUEUE_URL: ${ssm:/wired/queue-url}
      TABLE_NAME: ${import:shared-data-TableName}
      WHERE: ${aws:region}:${aws:account_id}:${aws:partition}
      BUCKET: wired-${param:stage_name}-${aws:account_id}
    permissions:
      - actions: [sqs:SendMessage]
        resources: ["${import:shared-data-QueueArn}"]
      - actions: [dynamodb:GetItem, dynamodb:PutItem]
        resources: ["arn:${aws:partition}:dynamodb:${aws:region}:${aws:account_id}:table/${ssm:/wired/table-name}"]
    tags: {owner: "${ssm:/wired/owner}"}
routes:
  GET /orders: {function: orders, scopes: ["${ssm:/wired/read-scope}"]}
  GET /legacy/{proxy+}: {url: "${ssm:/wired/legacy-base-url}/{proxy}", authorizer: none}
api:
  default_authorizer: users
  authorizers:
    users: {type: jwt, issuer: "${ssm:/wired/issuer}", audience: ["${import:shared-auth-ClientId}"]}
  domain:
    name: wired.example.com
    certificate_arn: ${import:shared-certs-WiredArn}
    hosted_zone_id: ${ssm:/wired/zone-id}
""",
    # Section D: a Python function with a dependency manifest and a custom runtime built by a command are
    # deployed from the zips `apispec package` writes; a function without either keeps `archive_file`.
    "packaged-code": """
service: packaged
functions:
  deps: {source: deps, handler: main.handler, runtime: python3.13}
  native:
    source: native
    handler: bootstrap
    runtime: provided.al2023
    architecture: x86_64
    build: {command: "cargo lambda build --release --x86-64", output: target/lambda/native}
  plain: {source: code, handler: main.handler}
routes:
  GET /deps: deps
  GET /native: native
  GET /plain: plain
""",
    # Every authorizer type; the default with an opt-out and scopes; the Lambda authorizer's function also
    # serves a route; an OPTIONS route without `api.cors` kept open on purpose.
    "authorizers-of-every-type": """
service: guarded
functions:
  api: {source: code, handler: main.handler}
  gate: {source: code, handler: main.handler}
  legacy-gate: {source: code, handler: main.handler}
routes:
  GET /items: api
  POST /items: {function: api, scopes: [items/write, items/admin]}
  GET /health: {function: api, authorizer: none}
  OPTIONS /items: {function: api, authorizer: none}
  GET /signed: {function: api, authorizer: signed}
  GET /gated/{id}: {function: gate, authorizer: gate-keeper}
  GET /legacy: {function: api, authorizer: old_gate}
api:
  default_authorizer: users
  authorizers:
    users:
      type: jwt
      issuer: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
      audience: [client-1, client-2]
    gate-keeper:
      type: lambda
      function: gate
      identity_sources: [$request.header.X-Api-Key, $request.querystring.tenant, $context.identity.sourceIp, $stageVariables.realm]
      ttl: 300
    old_gate:
      type: lambda
      function: legacy-gate
      payload_format: "1.0"
    signed: {type: iam}
""",
    # Routes SAM puts in the OpenAPI body (a function serving `$default`), under an IAM default authorizer,
    # with CORS: its OPTIONS route stays open; a JWT route with scopes; an explicit deployment.
    "authorizers-in-the-openapi-body": """
service: body-guard
functions:
  proxy: {source: code, handler: main.handler}
routes:
  $default: proxy
  GET /public: {function: proxy, authorizer: none}
  OPTIONS /anything: proxy
  GET /me: {function: proxy, authorizer: users, scopes: [profile]}
api:
  auto_deploy: false
  default_authorizer: signed
  cors: {allow_origins: ["https://app.example.com"]}
  authorizers:
    signed: {type: iam}
    users: {type: jwt, issuer: "https://auth.example.com/", audience: [web], identity_source: $request.querystring.token}
""",
    # Issue 12's closing spec, from the format page alone: layers, tracing, a VPC, an alias with provisioned
    # concurrency behind routes and a Lambda authorizer, a schedule, an SQS queue and both kinds of stream.
    # Issue 12's closing check, written from the format page alone: layers, tracing, a VPC, an alias with
    # provisioned concurrency, a schedule and an SQS trigger, with `${ssm:…}`/`${import:…}` values in them.
    "section-b-with-references": """
service: ledger
region: eu-west-1
defaults:
  source: code
  handler: main.handler
  tracing: active
functions:
  api:
    layers: ["${ssm:/ledger/layers/powertools}", "arn:aws:lambda:eu-west-1:123456789012:layer:shared-deps:3"]
    alias: live
    provisioned_concurrency: 2
    environment:
      TABLE: ${import:ledger-storage-TableName}
      REGION: ${aws:region}
      STAGE: ${self:prefix}
    vpc:
      subnet_ids: ["${ssm:/network/private-subnet-a}", subnet-0b1c2d3e4f5a6b7c8]
      security_group_ids: ["${import:network-AppSecurityGroup}"]
  settle:
    events:
      - schedule: rate(15 minutes)
        input: {mode: settle}
      - sqs: ${import:ledger-queues-SettlementQueueArn}
        batch_size: 10
        report_batch_item_failures: true
routes:
  GET /balance: api
  POST /transfers: api
""",
    "section-b-together": """
service: backends
region: eu-west-1
parameters:
  shared_layer: {default: "arn:aws:lambda:eu-west-1:123456789012:layer:shared:4"}
defaults:
  tracing: active
  layers: ["${param:shared_layer}", "arn:aws:lambda:eu-west-1:123456789012:layer:tools:12"]
functions:
  api:
    source: code
    handler: main.handler
    alias: live
    provisioned_concurrency: 1
    reserved_concurrency: 4
    vpc: {subnet_ids: [subnet-0a1b2c3d4e5f60718], security_group_ids: [sg-0123456789abcdef0]}
    kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    events:
      - {schedule: "rate(5 minutes)", input: {source: warm-up, depth: 2}}
      - {sqs: "arn:aws:sqs:eu-west-1:123456789012:orders.fifo", batch_size: 10, report_batch_item_failures: true}
  gate:
    source: code
    handler: main.handler
    alias: current
    managed_policies: [arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess]
    permissions_boundary: arn:aws:iam::123456789012:policy/boundary
    code_signing_config_arn: arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f60718
  feed:
    source: code
    handler: main.handler
    layers: []
    tracing: passthrough
    events:
      - {stream: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000", starting_position: LATEST, max_batching_window: 30}
      - {stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks", starting_position: TRIM_HORIZON, batch_size: 500}
      - {schedule: "cron(15 3 ? * MON-FRI *)", enabled: false}
routes:
  GET /orders: api
  POST /orders: {function: api, authorizer: gatekeeper}
api:
  authorizers:
    gatekeeper: {type: lambda, function: gate, identity_sources: [$request.header.x-api-key], ttl: 60}
""",
}


API = "${HttpApi}"  # the API's execution ARN, as `permissions.granted` writes it
WIDE = {f"{API}/*"}  # one permission for the whole API

# By case and function key, the invoke permissions each function must get: one per route, scoped to
# it (`/<stage>/<method>/<path>`, `*` for ANY and for each parameter), or one for the whole API past
# 20 routes, or when 20 route statements might not fit Lambda's 20 KB resource policy. Written out
# from the cases above; SAM's own permissions for `{path+}` routes (which match nothing) aside.
PERMISSIONS: dict[str, dict[str, set[str]]] = {
    "twenty-short-routes": {"api": {f"{API}/*/GET/r{i:02d}" for i in range(1, 21)}},
    "twenty-one-short-routes": {"api": WIDE},
    "greedy-path-on-a-small-function": {"files": {f"{API}/*/GET/files", f"{API}/*/*/files/*"}},
    "percent-brace-text": {"sale": {f"{API}/*/GET/sale"}},
    "twenty-routes-past-the-policy-limit": {"wide": WIDE},
    "awkward-names": {
        "lambda-assume-role": {f"{API}/*/GET/users/*", f"{API}/*/GET/users/id"},
        "java-worker": {f"{API}/*/GET/", f"{API}/*/GET/root"},
    },
    "wide-function-and-neighbour": {"other": {f"{API}/*/GET/users"}, "get_users": WIDE},
    "keys-like-api-resources": {"api-access": {f"{API}/*/GET/a"}, "api": {f"{API}/*/GET/b"}, "stage": {f"{API}/*/GET/c"}},
    "no-routes": {},
    "default-route-only": {"proxy": {f"{API}/*/$default"}},
    "literal-default-segment": {
        "home": {f"{API}/*/$default", f"{API}/*/GET/$default"},
        "other": {f"{API}/*/POST/$default", f"{API}/*/GET/$default/x"},
    },
    "many-routes-one-function": {"api": WIDE},
    "routes-that-share-their-words": {
        "users": {f"{API}/*/GET/users/*", f"{API}/*/GET/user-profile", f"{API}/*/GET/user/profile", f"{API}/*/GET/userprofile"},
        "legacy": {f"{API}/*/GET/users/by/id", f"{API}/*/GET/user_profile", f"{API}/*/GET/User-Profile", f"{API}/*/GET/a.b"},
    },
    "keys-that-share-an-id": {
        "fn12": {f"{API}/*/GET/one"},
        "fn1-2": {f"{API}/*/GET/two"},
        "s3sync": {f"{API}/*/GET/three"},
        "s3-sync": {f"{API}/*/GET/four"},
    },
    "existing-role-and-parameters": {"worker": {f"{API}/*/GET/work/*/*"}},
    "manual-deploy-default-stage": {"fn-a": {f"{API}/*/GET/a/*"}, "fn_b2": {f"{API}/*/POST/b"}},
    "very-long-names": {LONG_KEY: {f"{API}/*/GET{LONG_PATH}/*", f"{API}/*/GET{LONG_PATH}/*/more"}},
    # `url` routes reach no function: no permission.
    "custom-domain-and-url-routes": {
        "orders": {f"{API}/*/GET/orders", f"{API}/*/POST/orders", f"{API}/*/PUT/orders/*", f"{API}/*/DELETE/orders/*"},
        "users": {f"{API}/*/GET/users"},
    },
    "dual-stack-domain-and-log-destination": {"api": {f"{API}/*/GET/"}},
    # A Lambda authorizer's own permission (`/authorizers/…`) is checked apart, by the authorizer tests.
    "authorizers-of-every-type": {
        "api": {f"{API}/*/GET/items", f"{API}/*/POST/items", f"{API}/*/GET/health", f"{API}/*/OPTIONS/items", f"{API}/*/GET/signed", f"{API}/*/GET/legacy"},
        "gate": {f"{API}/*/GET/gated/*"},
    },
    "packaged-code": {"deps": {f"{API}/*/GET/deps"}, "native": {f"{API}/*/GET/native"}, "plain": {f"{API}/*/GET/plain"}},
    "section-a-together": {
        "shop": {f"{API}/*/GET/products", f"{API}/*/GET/cart", f"{API}/*/POST/cart", f"{API}/*/GET/partners/*", f"{API}/*/GET/admin/report"},
    },
    "authorizers-in-the-openapi-body": {
        "proxy": {f"{API}/*/$default", f"{API}/*/GET/public", f"{API}/*/OPTIONS/anything", f"{API}/*/GET/me"},
    },
    "functions-named-apart-from-their-keys": {
        "place-order": {f"{API}/*/POST/orders"},
        "list_orders": {f"{API}/*/GET/orders"},
        "worker": {f"{API}/*/GET/jobs"},
        "api": {f"{API}/*/GET/"},
    },
    "defaults-and-policies": {"reader": {f"{API}/*/GET/read"}, "writer": {f"{API}/*/POST/write"}},
    "deploy-time-references": {"orders": {f"{API}/*/GET/orders"}},
    # Through the alias `live`: the permissions name the alias (checked by the section-B tests).
    "section-b-together": {"api": {f"{API}/*/GET/orders", f"{API}/*/POST/orders"}},
    "section-b-with-references": {"api": {f"{API}/*/GET/balance", f"{API}/*/POST/transfers"}},
}

# By case, the API's CORS settings in the format's words (`ANY` becomes `*`: browsers match real methods).
CORS: dict[str, dict[str, object]] = {
    "manual-deploy-default-stage": {"allow_origins": ["*"], "allow_methods": ["GET", "*"]},
    "percent-brace-text": {
        "allow_origins": ["https://shop.example.com", "http://localhost:3000"],
        "allow_methods": ["GET", "POST", "*"],
        "allow_headers": ["content-type", "x-api-key"],
        "expose_headers": ["x-request-id", "x-amzn-requestid"],
        "allow_credentials": True,
        "max_age": 86400,
    },
}


# Files a case needs beside `code/main.py`, and the zips `apispec package` would write for it (here the
# code alone: Terraform's `filebase64sha256` reads them at `validate`).
CASE_FILES: dict[str, dict[str, str]] = {
    "packaged-code": {"deps/main.py": HANDLER, "deps/requirements.txt": "requests==2.32.3\n", "native/Cargo.toml": "[package]\nname = \"native\"\n"},
}
PACKAGED: dict[str, dict[str, str]] = {"packaged-code": {"deps": "deps", "native": "native"}}  # function key -> its source


def compile_case(name: str, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    directory = tmp_path_factory.mktemp(name) / name  # `Compiled.name` is the case's name
    (directory / "code").mkdir(parents=True)
    (directory / "code" / "main.py").write_text(HANDLER)
    for file, text in CASE_FILES.get(name, {}).items():
        (directory / file).parent.mkdir(parents=True, exist_ok=True)
        (directory / file).write_text(text)
    spec = directory / "service.yaml"
    spec.write_text(CASES[name].lstrip())
    compiled = compile_spec(spec, directory / "out")
    packages = compiled.target_dir("terraform").parent / "packages"
    for key, source in PACKAGED.get(name, {}).items():
        packages.mkdir(exist_ok=True)
        write_zip(files_under(directory / source), packages / f"{key}.zip")
    return compiled


def terraform_main(case: Compiled) -> Any:
    import json

    return json.loads(case.target_files("terraform")["main.tf.json"])


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return compile_case(request.param, tmp_path_factory)


@pytest.mark.parametrize("target", ["sam", "cloudformation"])
def test_cfn_lint(case: Compiled, target: str) -> None:
    assert cfn_lint(case.target_dir(target) / "template.yaml") == []


def test_sam_translator(case: Compiled, tmp_path: Path) -> None:
    """The SAM translator transforms the template into one that cfn-lint finds nothing in."""
    import json

    result = sam_transform(case.target_dir("sam") / "template.yaml")
    transformed = tmp_path / "transformed.json"
    transformed.write_text(json.dumps(result))
    # SAM writes a Lambda authorizer's `authorizerUri` with the partition of the region it runs in
    # (`ArnGenerator.get_partition_name()`): its own text, not the template's (informational I3042).
    assert [f for f in cfn_lint(transformed) if not f.startswith("I3042 ARN in Resource HttpApi ")] == []
    kinds = {r["Type"] for r in result["Resources"].values()}
    assert "AWS::Lambda::Function" in kinds
    spec = case.checked.resolved
    assert spec is not None
    assert ("AWS::ApiGatewayV2::Api" in kinds) == bool(spec.routes)


def test_the_sam_translator_makes_every_route(case: Compiled) -> None:
    """What SAM deploys has the spec's routes, no more, no fewer: with `FailOnWarnings` SAM moves the
    body's `$default` path to `/$default`, where it replaced a literal `/$default` path's routes."""
    spec = case.checked.resolved
    assert spec is not None
    made = set()
    for res in sam_transform(case.target_dir("sam") / "template.yaml")["Resources"].values():
        if res["Type"] == "AWS::ApiGatewayV2::Route":
            made.add(res["Properties"]["RouteKey"])
        if res["Type"] == "AWS::ApiGatewayV2::Api":
            for path, item in res["Properties"]["Body"]["paths"].items():
                for method, operation in item.items():
                    if operation.get("isDefaultRoute"):
                        made.add("$default")
                    else:
                        made.add(f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}")
    assert made == {route.key for route in spec.routes}


def test_terraform_has_no_deprecated_or_read_only_arguments_and_pins_providers(case: Compiled) -> None:
    assert check_module(case.target_dir("terraform")) == []


@pytest.fixture(scope="module")
def terraform_checks(request: pytest.FixtureRequest, terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[list[str]]]:
    """The real Terraform CLI on every selected case, started together (each case compiled anew)."""
    names = selected(request, test_real_terraform_init_validate_and_plan, "case")
    return {name: terraform.check_later(compile_case(name, tmp_path_factory).target_dir("terraform")) for name in names}


@pytest.mark.slow
def test_real_terraform_init_validate_and_plan(request: pytest.FixtureRequest, case: Compiled, terraform_checks: dict[str, Future[list[str]]]) -> None:
    """`init`, `validate` and `plan` find no error or warning (tests/support/real_terraform.py)."""
    assert terraform_checks[request.node.callspec.params["case"]].result() == []


def test_every_route_has_an_invoke_permission_scoped_to_it(case: Compiled) -> None:
    """One permission per route with the route's source ARN, or one for the API past 20 routes, in
    Terraform, CloudFormation and what the SAM translator makes; each lets API Gateway invoke the
    function and nothing else."""
    expected = PERMISSIONS[case.name]
    cloudformation = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    sam = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    for target, resources in (("cloudformation", cloudformation), ("sam", sam)):
        functions = {r["Properties"]["FunctionName"]: i for i, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
        # A function with an alias is invoked through it: its permissions name the alias.
        invoked = {f: next((i for i, r in resources.items() if r["Type"] == "AWS::Lambda::Alias" and r["Properties"]["FunctionName"] == {"Ref": f}), f) for f in functions.values()}
        granted = {key: permissions.granted(resources, invoked[functions[_function_name(case, key)]]) for key in expected}
        # SAM's own permission for a greedy parameter other than `{proxy+}` keeps the parameter as text and matches nothing.
        assert {key: {arn for arn in arns if "{" not in arn.removeprefix(API)} for key, arns in granted.items()} == expected, target
        for resource in resources.values():
            if resource["Type"] == "AWS::Lambda::Permission" and resource["Properties"]["Principal"] != "events.amazonaws.com":  # (a schedule's)
                assert (resource["Properties"]["Action"], resource["Properties"]["Principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")
    terraform = terraform_main(case)["resource"].get("aws_lambda_permission", {})
    execution_arn = "${aws_apigatewayv2_api.api.execution_arn}"
    granted_tf: dict[str, set[str]] = {}
    for permission in terraform.values():
        if permission["principal"] == "events.amazonaws.com":
            continue  # a schedule's
        assert (permission["action"], permission["principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")
        if "/authorizers/" in permission["source_arn"]:
            continue  # an authorizer's, not a route's
        function = permission["function_name"].removeprefix("${aws_lambda_function.").removesuffix(".function_name}")
        function = function.removeprefix("${aws_lambda_alias.").removesuffix(".arn}")  # through its alias (named as the function)
        granted_tf.setdefault(function, set()).add(API + permission["source_arn"].removeprefix(execution_arn))
    by_name = {body["function_name"]: name for name, body in terraform_main(case)["resource"]["aws_lambda_function"].items()}
    assert granted_tf == {by_name[_function_name(case, key)]: arns for key, arns in expected.items()}


def _function_name(case: Compiled, key: str) -> str:
    """The Lambda name of a case's function: `<service prefix>-<key>` (`_` as `-`) unless it sets `name`."""
    named = {
        ("very-long-names", LONG_KEY): "short-name",
        ("functions-named-apart-from-their-keys", "place-order"): "renamed-create-order",
        ("functions-named-apart-from-their-keys", "worker"): "nightly_Job",
        ("functions-named-apart-from-their-keys", "list_orders"): "renamed-list-orders",
    }
    prefix = {
        "twenty-short-routes": "twenty", "twenty-one-short-routes": "twenty-one", "greedy-path-on-a-small-function": "files",
        "percent-brace-text": "percent", "twenty-routes-past-the-policy-limit": "long-paths", "awkward-names": "awkward",
        "wide-function-and-neighbour": "neighbours", "keys-like-api-resources": "lookalikes", "no-routes": "batch-jobs",
        "default-route-only": "catch-all", "literal-default-segment": "dollar", "many-routes-one-function": "wide",
        "routes-that-share-their-words": "same-words", "keys-that-share-an-id": "same-ids", "existing-role-and-parameters": "legacy",
        "manual-deploy-default-stage": "manual", "defaults-and-policies": "policy-heavy",
        "functions-named-apart-from-their-keys": "renamed", "custom-domain-and-url-routes": "edge",
        "dual-stack-domain-and-log-destination": "dual", "authorizers-of-every-type": "guarded",
        "authorizers-in-the-openapi-body": "body-guard", "section-a-together": "storefront",
        "deploy-time-references": "wired",
        "section-b-together": "backends", "section-b-with-references": "ledger",
        "packaged-code": "packaged",
    }  # fmt: skip
    return named.get((case.name, key)) or f"{prefix[case.name]}-{key.replace('_', '-')}"


def test_sam_keeps_apispec_s_permission_for_a_greedy_path(tmp_path_factory: pytest.TempPathFactory) -> None:
    """What SAM deploys for `ANY /files/{path+}`: its own permission, whose `{path+}` matches no
    request, and apispec's, which does (without it the route answers 500)."""
    case = compile_case("greedy-path-on-a-small-function", tmp_path_factory)
    resources = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    assert permissions.granted(resources, "FilesFunction") == {f"{API}/*/GET/files", f"{API}/*/*/files/*", f"{API}/*/*/files/{{path+}}"}


def test_percent_brace_stays_text(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Terraform reads `%{` as a template directive and `${` as an interpolation: both are doubled;
    CloudFormation has no directive, so `%{` stays as written there."""
    case = compile_case("percent-brace-text", tmp_path_factory)
    function = terraform_main(case)["resource"]["aws_lambda_function"]["sale"]
    assert function["description"] == "100%%{off} today"
    assert function["environment"]["variables"] == {"BANNER": "%%{ if sale }50% off%%{ endif }", "PRICE": "$${5} %%{x}"}
    for target in ("sam", "cloudformation"):
        template = load_template(case.target_dir(target) / "template.yaml")
        assert template["Description"] == "Takes 100%{off} seriously"
        properties = template["Resources"]["SaleFunction"]["Properties"]
        assert properties["Description"] == "100%{off} today"
        assert properties["Environment"]["Variables"]["BANNER"] == "%{ if sale }50% off%{ endif }"


@pytest.mark.parametrize("name", sorted(CORS))
def test_cors_settings_mean_the_same_in_every_target(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    """Terraform's `cors_configuration`, CloudFormation's `CorsConfiguration` and what SAM deploys (the
    OpenAPI body's `x-amazon-apigateway-cors`) hold the spec's settings, each under its own names."""
    case = compile_case(name, tmp_path_factory)
    assert terraform_main(case)["resource"]["aws_apigatewayv2_api"]["api"]["cors_configuration"] == CORS[name]
    (api,) = (r for r in load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    assert {_snake(k): v for k, v in api["Properties"]["CorsConfiguration"].items()} == CORS[name]
    (api,) = (r for r in sam_transform(case.target_dir("sam") / "template.yaml")["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    assert {_snake(k): v for k, v in api["Properties"]["Body"]["x-amazon-apigateway-cors"].items()} == CORS[name]


def _snake(name: str) -> str:
    """`allowOrigins` / `AllowOrigins` → `allow_origins`."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def test_outputs_hold_no_machine_paths(case: Compiled) -> None:
    for content in case.files.values():
        assert b"/tmp" not in content and b"pytest-of" not in content


def test_numbers_in_environments_stay_as_written(tmp_path_factory: pytest.TempPathFactory) -> None:
    case = compile_case("wide-function-and-neighbour", tmp_path_factory)
    expected = {"PYTHON_VERSION": "3.10", "OCTAL": "010", "RATIO": "1e3"}
    function = terraform_main(case)["resource"]["aws_lambda_function"]["get_users"]
    assert function["environment"]["variables"] == expected
    for target, kind in (("sam", "AWS::Serverless::Function"), ("cloudformation", "AWS::Lambda::Function")):
        resource = load_template(case.target_dir(target) / "template.yaml")["Resources"]["GetUsersFunction"]
        assert resource["Type"] == kind
        assert resource["Properties"]["Environment"]["Variables"] == expected


def test_condition_values_stay_as_written_and_take_parameters(tmp_path_factory: pytest.TempPathFactory) -> None:
    """An account id keeps its leading zero, `1.10` its zero; `${param:…}` becomes a reference."""
    case = compile_case("defaults-and-policies", tmp_path_factory)
    document = terraform_main(case)["data"]["aws_iam_policy_document"]["reader_policy"]
    tests = {c["variable"]: c["values"] for s in document["statement"] for c in s.get("condition", [])}
    assert tests["aws:SourceAccount"] == ["012345678901"]
    assert tests["aws:PrincipalTag/team"] == ["1.10", "${var.team}"]
    for target in ("sam", "cloudformation"):
        policy = load_template(case.target_dir(target) / "template.yaml")["Resources"]["ReaderPolicy"]
        conditions = [s["Condition"] for s in policy["Properties"]["PolicyDocument"]["Statement"] if "Condition" in s]
        assert conditions[0]["StringEquals"] == {"aws:SourceAccount": "012345678901", "aws:PrincipalTag/team": ["1.10", {"Ref": "Team"}]}


def test_ephemeral_storage_sizes_tmp_where_set(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`ephemeral_storage` becomes each target's `/tmp` size; a function without it keeps Lambda's default (nothing written)."""
    case = compile_case("defaults-and-policies", tmp_path_factory)
    functions = terraform_main(case)["resource"]["aws_lambda_function"]
    assert functions["writer"]["ephemeral_storage"] == {"size": 10240}
    assert "ephemeral_storage" not in functions["reader"]
    for target in ("sam", "cloudformation"):
        resources = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        assert resources["WriterFunction"]["Properties"]["EphemeralStorage"] == {"Size": 10240}
        assert "EphemeralStorage" not in resources["ReaderFunction"]["Properties"]


def test_cors_method_any_is_every_method(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Browsers match `Access-Control-Allow-Methods` against real methods: the route method `ANY` is `*`."""
    case = compile_case("manual-deploy-default-stage", tmp_path_factory)
    api = terraform_main(case)["resource"]["aws_apigatewayv2_api"]["api"]
    assert api["cors_configuration"]["allow_methods"] == ["GET", "*"]
    for target, kind in (("sam", "AWS::Serverless::HttpApi"), ("cloudformation", "AWS::ApiGatewayV2::Api")):
        (resource,) = (r for r in load_template(case.target_dir(target) / "template.yaml")["Resources"].values() if r["Type"] == kind)
        assert resource["Properties"]["CorsConfiguration"]["AllowMethods"] == ["GET", "*"]


def test_every_function_logs_to_its_own_group(case: Compiled) -> None:
    spec = case.checked.resolved
    assert spec is not None
    for target in ("sam", "cloudformation"):
        resources = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        groups = {k: r["Properties"]["LogGroupName"] for k, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
        for fn in spec.functions:
            function = next(r for r in resources.values() if r["Type"].endswith("::Function") and r["Properties"]["FunctionName"] == fn.name)
            assert groups[function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]] == fn.log_group_name, (target, fn.key)
    functions = terraform_main(case)["resource"]["aws_lambda_function"].values()
    groups = {f"${{aws_cloudwatch_log_group.{k}.name}}": g["name"] for k, g in terraform_main(case)["resource"]["aws_cloudwatch_log_group"].items()}
    assert sorted(groups[f["logging_config"]["log_group"]] for f in functions) == sorted(fn.log_group_name for fn in spec.functions)


def test_literal_text_that_looks_like_a_reference_stays_literal(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Terraform doubles `${`; CloudFormation joins the text so that nothing substitutes it."""
    case = compile_case("awkward-names", tmp_path_factory)
    handler = "bootstrap-${AWS::Region}-${path.cwd}"
    assert terraform_main(case)["resource"]["aws_lambda_function"]["java_worker"]["handler"] == handler.replace("${", "$${")
    for target in ("sam", "cloudformation"):
        function = load_template(case.target_dir(target) / "template.yaml")["Resources"]["JavaWorkerFunction"]
        assert function["Properties"]["Handler"] == {"Fn::Join": ["", ["bootstrap-$", "{AWS::Region}-$", "{path.cwd}"]]}


def test_function_keys_that_share_an_id_get_ids_of_their_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`fn12`/`fn1-2` and `s3sync`/`s3-sync` are valid keys (only `-`/`_` twins are refused): the first
    keeps its logical ids, the later one's end in a digest of its key, in SAM and CloudFormation alike."""
    case = compile_case("keys-that-share-an-id", tmp_path_factory)
    for target in ("sam", "cloudformation"):
        resources = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        ids = {r["Properties"]["FunctionName"]: i for i, r in resources.items() if r["Type"].endswith("::Function")}
        assert ids["same-ids-fn12"] == "Fn12Function" and ids["same-ids-s3sync"] == "S3syncFunction"
        assert re.fullmatch(r"Fn12[0-9a-f]{10}Function", ids["same-ids-fn1-2"])
        assert re.fullmatch(r"S3Sync[0-9a-f]{10}Function", ids["same-ids-s3-sync"])
    functions = terraform_main(case)["resource"]["aws_lambda_function"]
    assert sorted(functions) == ["fn12", "fn1_2", "s3_sync", "s3sync"]


def test_routes_that_share_their_words_get_names_of_their_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`GET /a-b`, `GET /a_b` and `GET /a/b` are three routes to API Gateway (not an error): the first
    in the file keeps its plain names, each later one gets names that end in a digest of its own key,
    and appending a route renames no route that was there (CloudFormation would create the renamed
    route before deleting the old one, and API Gateway refuses a route key twice)."""
    case = compile_case("routes-that-share-their-words", tmp_path_factory)
    routes = {r["route_key"]: name for name, r in terraform_main(case)["resource"]["aws_apigatewayv2_route"].items()}
    assert len(set(routes.values())) == len(routes) == 8
    assert routes["GET /a.b"] == "get_a_b"
    assert routes["GET /user-profile"] == "get_user_profile"
    assert all(routes[key].startswith("get_user_profile_") for key in ("GET /user_profile", "GET /user/profile", "GET /User-Profile"))
    assert routes["GET /userprofile"].startswith("get_userprofile_")  # `GetUserprofile`: the id `GetUserProfile` once case is set aside
    statement_ids = [p["statement_id"] for p in terraform_main(case)["resource"]["aws_lambda_permission"].values()]
    assert len(set(statement_ids)) == len(statement_ids)

    text = CASES["routes-that-share-their-words"]
    head, _, body = text.partition("routes:\n")
    CASES["one-route-less"] = head + "routes:\n" + "".join(body.splitlines(keepends=True)[:-2])  # without `/userprofile`, `/a.b`
    try:
        before = compile_case("one-route-less", tmp_path_factory)
    finally:
        del CASES["one-route-less"]
    earlier = {r["route_key"]: name for name, r in terraform_main(before)["resource"]["aws_apigatewayv2_route"].items()}
    assert earlier == {key: name for key, name in routes.items() if key in earlier}


def test_resources_are_named_after_the_deployed_name(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A function's resources follow its name less the prefix (the key's names for a default name), so a key
    renamed with its `name` kept renames nothing; outputs keep the key's names."""
    case = compile_case("functions-named-apart-from-their-keys", tmp_path_factory)
    for target in ("sam", "cloudformation"):
        template = load_template(case.target_dir(target) / "template.yaml")
        ids = {r["Properties"]["FunctionName"]: i for i, r in template["Resources"].items() if r["Type"].endswith("::Function")}
        assert ids == {
            "renamed-create-order": "CreateOrderFunction",
            "nightly_Job": "NightlyJobFunction",
            "renamed-list-orders": "ListOrdersFunction",
            "renamed-api": "ApiFunction",
        }
        assert {"CreateOrderLogGroup", "CreateOrderRole", "CreateOrderPolicy", "NightlyJobRole"} <= set(template["Resources"])
        assert {"PlaceOrderFunctionName", "WorkerFunctionArn", "ListOrdersLogGroupName"} <= set(template["Outputs"])
    cloudformation = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    assert {"CreateOrderIntegration", "NightlyJobIntegration"} <= set(cloudformation)
    resources = terraform_main(case)["resource"]
    assert sorted(resources["aws_lambda_function"]) == ["api", "create_order", "list_orders", "nightly_job"]
    assert sorted(resources["aws_cloudwatch_log_group"]) == ["api", "api_access_logs", "create_order", "list_orders", "nightly_job"]
    assert sorted(resources["aws_apigatewayv2_integration"]) == ["api", "create_order", "list_orders", "nightly_job"]
    outputs = json.loads((case.target_dir("terraform") / "outputs.tf.json").read_text())["output"]
    assert outputs["place_order_function_name"]["value"] == "${aws_lambda_function.create_order.function_name}"
    assert outputs["worker_log_group"]["value"] == "${aws_cloudwatch_log_group.nightly_job.name}"


# -- format 1.1, section A: the API surface ------------------------------------------------------

EDGE_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/2222abcd-12ab-34cd-56ef-1234567890ab"
EDGE_LOG_KEY = "arn:aws:kms:eu-west-1:123456789012:key/3333abcd-12ab-34cd-56ef-1234567890ab"
EDGE_USERS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111abcd-12ab-34cd-56ef-1234567890ab"
DUAL_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/4444abcd-12ab-34cd-56ef-1234567890ab"
TF_DOMAIN_TARGET = {
    "name": "${aws_apigatewayv2_domain_name.api.domain_name_configuration[0].target_domain_name}",
    "zone_id": "${aws_apigatewayv2_domain_name.api.domain_name_configuration[0].hosted_zone_id}",
    "evaluate_target_health": False,
}
CFN_DOMAIN_TARGET = {
    "DNSName": {"Fn::GetAtt": ["HttpApiDomainName", "RegionalDomainName"]},
    "HostedZoneId": {"Fn::GetAtt": ["HttpApiDomainName", "RegionalHostedZoneId"]},
    "EvaluateTargetHealth": False,
}


def test_a_custom_domain_is_a_regional_tls12_domain_mapped_to_the_stage(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Terraform and CloudFormation write the domain, its mapping and the alias record; SAM writes
    `HttpApi.Domain`, from which its translator makes the same three; every target outputs the custom URL."""
    case = compile_case("custom-domain-and-url-routes", tmp_path_factory)
    resources = terraform_main(case)["resource"]
    assert resources["aws_apigatewayv2_domain_name"] == {
        "api": {
            "domain_name": "api.example.com",
            "domain_name_configuration": {
                "certificate_arn": EDGE_CERTIFICATE,
                "endpoint_type": "REGIONAL",
                "security_policy": "TLS_1_2",
                "ip_address_type": "ipv4",
            },
            "mutual_tls_authentication": {"truststore_uri": "s3://edge-trust/truststore.pem"},
            "tags": {"apispec:service": "edge"},
        }
    }
    assert resources["aws_apigatewayv2_api_mapping"] == {
        "api": {
            "api_id": "${aws_apigatewayv2_api.api.id}",
            "domain_name": "${aws_apigatewayv2_domain_name.api.domain_name}",
            "stage": "${aws_apigatewayv2_stage.api.id}",
            "api_mapping_key": "v1",
        }
    }
    assert resources["aws_route53_record"] == {"api": {"zone_id": "Z0123456789ABCDEFGHIJ", "name": "api.example.com", "type": "A", "alias": TF_DOMAIN_TARGET}}
    assert resources["aws_apigatewayv2_api"]["api"]["disable_execute_api_endpoint"] is True
    outputs = json.loads((case.target_dir("terraform") / "outputs.tf.json").read_text())["output"]
    assert outputs["custom_url"] == {"description": "URL of the API on its custom domain", "value": "https://api.example.com/v1"}

    cloudformation = load_template(case.target_dir("cloudformation") / "template.yaml")
    cfn = cloudformation["Resources"]
    assert cfn["HttpApiDomainName"]["Properties"] == {
        "DomainName": "api.example.com",
        "DomainNameConfigurations": [{"CertificateArn": EDGE_CERTIFICATE, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2", "IpAddressType": "ipv4"}],
        "MutualTlsAuthentication": {"TruststoreUri": "s3://edge-trust/truststore.pem"},
        "Tags": {"apispec:service": "edge"},
    }
    assert cfn["HttpApiMapping"]["Properties"] == {
        "ApiId": {"Ref": "HttpApi"},
        "DomainName": {"Ref": "HttpApiDomainName"},
        "Stage": {"Ref": "HttpApiStage"},
        "ApiMappingKey": "v1",
    }
    assert cfn["HttpApiDnsRecord"]["Properties"] == {"HostedZoneId": "Z0123456789ABCDEFGHIJ", "Name": "api.example.com", "Type": "A", "AliasTarget": CFN_DOMAIN_TARGET}
    assert cfn["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"] is True
    assert cloudformation["Outputs"]["CustomUrl"] == {"Description": "URL of the API on its custom domain", "Value": "https://api.example.com/v1"}

    sam = load_template(case.target_dir("sam") / "template.yaml")
    assert not {"HttpApiDomainName", "HttpApiMapping", "HttpApiDnsRecord"} & set(sam["Resources"])
    http_api = sam["Resources"]["HttpApi"]["Properties"]
    assert http_api["Domain"] == {
        "DomainName": "api.example.com",
        "CertificateArn": EDGE_CERTIFICATE,
        "EndpointConfiguration": "REGIONAL",
        "SecurityPolicy": "TLS_1_2",
        "BasePath": ["v1"],
        "Route53": {"HostedZoneId": "Z0123456789ABCDEFGHIJ"},
        "MutualTlsAuthentication": {"TruststoreUri": "s3://edge-trust/truststore.pem"},
    }
    assert http_api["DisableExecuteApiEndpoint"] is True
    assert sam["Outputs"]["CustomUrl"]["Value"] == "https://api.example.com/v1"
    translated = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    by_type = {r["Type"]: r["Properties"] for r in translated.values()}
    assert by_type["AWS::ApiGatewayV2::DomainName"]["DomainNameConfigurations"] == [
        {"CertificateArn": EDGE_CERTIFICATE, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}
    ]
    assert by_type["AWS::ApiGatewayV2::ApiMapping"]["ApiMappingKey"] == "v1"
    assert by_type["AWS::ApiGatewayV2::ApiMapping"]["Stage"] == {"Ref": "HttpApiApiGatewayDefaultStage"}
    assert [(r["Name"], r["Type"]) for r in by_type["AWS::Route53::RecordSetGroup"]["RecordSets"]] == [("api.example.com", "A")]
    # (SAM writes it into the OpenAPI body, as API Gateway's extension)
    (server,) = by_type["AWS::ApiGatewayV2::Api"]["Body"]["servers"]
    assert server["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}


def test_a_dual_stack_domain_gets_an_aaaa_record_and_explicit_resources_in_sam(tmp_path_factory: pytest.TempPathFactory) -> None:
    """SAM's translator drops `IpAddressType`, so a dual-stack domain is written as CloudFormation writes
    it; without `base_path` the mapping has no key (the root)."""
    case = compile_case("dual-stack-domain-and-log-destination", tmp_path_factory)
    resources = terraform_main(case)["resource"]
    assert resources["aws_apigatewayv2_domain_name"]["api"]["domain_name_configuration"]["ip_address_type"] == "dualstack"
    assert "api_mapping_key" not in resources["aws_apigatewayv2_api_mapping"]["api"]
    assert resources["aws_route53_record"] == {
        "api": {"zone_id": "Z9876543210ZYXWVUTSRQ", "name": "dual.example.com", "type": "A", "alias": TF_DOMAIN_TARGET},
        "api_ipv6": {"zone_id": "Z9876543210ZYXWVUTSRQ", "name": "dual.example.com", "type": "AAAA", "alias": TF_DOMAIN_TARGET},
    }
    configuration = {"CertificateArn": DUAL_CERTIFICATE, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2", "IpAddressType": "dualstack"}
    for target, stage in (("cloudformation", {"Ref": "HttpApiStage"}), ("sam", {"Ref": "HttpApi.Stage"})):
        template = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        assert template["HttpApiDomainName"]["Properties"]["DomainNameConfigurations"] == [configuration], target
        assert template["HttpApiMapping"]["Properties"] == {"ApiId": {"Ref": "HttpApi"}, "DomainName": {"Ref": "HttpApiDomainName"}, "Stage": stage}, target
        assert template["HttpApiDnsRecordIpv6"]["Properties"] == {
            "HostedZoneId": "Z9876543210ZYXWVUTSRQ",
            "Name": "dual.example.com",
            "Type": "AAAA",
            "AliasTarget": CFN_DOMAIN_TARGET,
        }, target
    translated = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    assert translated["HttpApiMapping"]["Properties"]["Stage"] == {"Ref": "HttpApiliveStage"}
    assert translated["HttpApiDomainName"]["Properties"]["DomainNameConfigurations"] == [configuration]


def test_url_routes_proxy_with_the_route_method_and_no_invoke_permission(tmp_path_factory: pytest.TempPathFactory) -> None:
    case = compile_case("custom-domain-and-url-routes", tmp_path_factory)
    resources = terraform_main(case)["resource"]
    integrations = resources["aws_apigatewayv2_integration"]
    assert integrations["get_status_url"] == {
        "api_id": "${aws_apigatewayv2_api.api.id}",
        "integration_type": "HTTP_PROXY",
        "integration_method": "GET",
        "integration_uri": "https://status.example.com/health",
        "payload_format_version": "1.0",
    }
    assert integrations["any_legacy_by_proxy_path_url"]["integration_method"] == "ANY"
    assert integrations["any_legacy_by_proxy_path_url"]["timeout_milliseconds"] == 10000
    status = resources["aws_apigatewayv2_route"]["get_status"]
    assert status["target"] == "integrations/${aws_apigatewayv2_integration.get_status_url.id}"
    assert "depends_on" not in status
    assert all("status" not in name and "legacy" not in name for name in resources["aws_lambda_permission"])

    cfn = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    assert cfn["AnyLegacyByProxyPathUrlIntegration"]["Properties"] == {
        "ApiId": {"Ref": "HttpApi"},
        "IntegrationType": "HTTP_PROXY",
        "IntegrationMethod": "ANY",
        "IntegrationUri": "https://legacy.example.com/{proxy}",
        "PayloadFormatVersion": "1.0",
        "TimeoutInMillis": 10000,
    }
    assert "DependsOn" not in cfn["GetStatusRoute"]

    paths = load_template(case.target_dir("sam") / "template.yaml")["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]["paths"]
    assert paths["/status"]["get"]["x-amazon-apigateway-integration"] == {
        "type": "http_proxy",
        "httpMethod": "GET",
        "uri": "https://status.example.com/health",
        "payloadFormatVersion": "1.0",
    }
    dual = compile_case("dual-stack-domain-and-log-destination", tmp_path_factory)
    assert terraform_main(dual)["resource"]["aws_apigatewayv2_integration"]["default_url"]["integration_method"] == "ANY"


def test_routes_of_one_function_share_an_integration_per_timeout_and_payload_format(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The default settings keep v1's integration (written-out defaults included); other settings get an
    integration named after them, which other routes coming and going do not rename."""
    case = compile_case("custom-domain-and-url-routes", tmp_path_factory)
    resources = terraform_main(case)["resource"]
    targets = {r["route_key"]: r["target"] for r in resources["aws_apigatewayv2_route"].values()}
    assert targets["GET /orders"] == targets["DELETE /orders/{id}"] == "integrations/${aws_apigatewayv2_integration.orders.id}"
    assert targets["POST /orders"] == "integrations/${aws_apigatewayv2_integration.orders_timeout_5000.id}"
    assert targets["PUT /orders/{id}"] == "integrations/${aws_apigatewayv2_integration.orders_payload_1_0.id}"
    integrations = resources["aws_apigatewayv2_integration"]
    assert "timeout_milliseconds" not in integrations["orders"]
    assert integrations["orders_timeout_5000"]["timeout_milliseconds"] == 5000
    assert integrations["orders_payload_1_0"]["payload_format_version"] == "1.0"
    cfn = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    assert cfn["OrdersIntegrationTimeout5000"]["Properties"]["TimeoutInMillis"] == 5000
    assert cfn["OrdersIntegrationPayload10"]["Properties"]["PayloadFormatVersion"] == "1.0"
    assert cfn["PutOrdersByIdRoute"]["Properties"]["Target"] == {"Fn::Sub": "integrations/${OrdersIntegrationPayload10}"}
    events = load_template(case.target_dir("sam") / "template.yaml")["Resources"]["OrdersFunction"]["Properties"]["Events"]
    assert events["PostOrders"]["Properties"]["TimeoutInMillis"] == 5000
    assert events["PutOrdersById"]["Properties"]["PayloadFormatVersion"] == "1.0"
    assert "TimeoutInMillis" not in events["GetOrders"]["Properties"]


def test_route_throttling_and_detailed_metrics_are_stage_route_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Per-route throttling is a route setting keyed by route key; detailed metrics come with explicit
    account-level throttling when `api.throttling` is unset (Terraform would send 0), else with it."""
    case = compile_case("custom-domain-and-url-routes", tmp_path_factory)
    stage = terraform_main(case)["resource"]["aws_apigatewayv2_stage"]["api"]
    assert stage["default_route_settings"] == {"throttling_burst_limit": 5000, "throttling_rate_limit": 10000.0, "detailed_metrics_enabled": True}
    assert stage["route_settings"] == [
        {"route_key": "PUT /orders/{id}", "throttling_burst_limit": 10, "throttling_rate_limit": 5.0, "detailed_metrics_enabled": True},
        {"route_key": "GET /status", "throttling_burst_limit": 1, "throttling_rate_limit": 1.0, "detailed_metrics_enabled": True},
    ]
    assert stage["depends_on"] == ["aws_apigatewayv2_route.put_orders_by_id", "aws_apigatewayv2_route.get_status"]
    route_settings = {
        "PUT /orders/{id}": {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0, "DetailedMetricsEnabled": True},
        "GET /status": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0, "DetailedMetricsEnabled": True},
    }
    defaults = {"ThrottlingBurstLimit": 5000, "ThrottlingRateLimit": 10000.0, "DetailedMetricsEnabled": True}
    cfn_stage = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]["HttpApiStage"]
    assert cfn_stage["Properties"]["RouteSettings"] == route_settings
    assert cfn_stage["Properties"]["DefaultRouteSettings"] == defaults
    assert cfn_stage["DependsOn"] == ["PutOrdersByIdRoute", "GetStatusRoute"]
    http_api = load_template(case.target_dir("sam") / "template.yaml")["Resources"]["HttpApi"]["Properties"]
    assert http_api["RouteSettings"] == route_settings
    assert http_api["DefaultRouteSettings"] == defaults
    translated = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]["HttpApiApiGatewayDefaultStage"]["Properties"]
    assert translated["RouteSettings"] == route_settings
    dual = compile_case("dual-stack-domain-and-log-destination", tmp_path_factory)
    assert terraform_main(dual)["resource"]["aws_apigatewayv2_stage"]["api"]["default_route_settings"] == {
        "throttling_burst_limit": 100,
        "throttling_rate_limit": 50.0,
        "detailed_metrics_enabled": True,
    }


def test_access_logs_go_to_a_named_encrypted_group_or_an_existing_one(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`log_group` names the generated group, `kms_key_arn` encrypts every generated group (a function's
    own overrides), `never` writes no retention; with `destination_arn` no group is generated."""
    case = compile_case("custom-domain-and-url-routes", tmp_path_factory)
    resources = terraform_main(case)["resource"]
    groups = resources["aws_cloudwatch_log_group"]
    assert groups["api_access_logs"] == {"name": "edge-access", "kms_key_id": EDGE_LOG_KEY, "tags": {"apispec:service": "edge"}}
    assert groups["users"] == {"name": "/aws/lambda/edge-users", "kms_key_id": EDGE_USERS_KEY, "tags": {"apispec:service": "edge"}}
    assert groups["orders"]["retention_in_days"] == 7 and groups["orders"]["kms_key_id"] == EDGE_LOG_KEY
    access = resources["aws_apigatewayv2_stage"]["api"]["access_log_settings"]
    assert access["format"] == '{"requestId":"$context.requestId","route":{"key":"$context.routeKey","status":"$context.status"}}'
    for target in ("sam", "cloudformation"):
        template = load_template(case.target_dir(target) / "template.yaml")["Resources"]
        assert template["HttpApiAccessLogs"]["Properties"] == {"LogGroupName": "edge-access", "KmsKeyId": EDGE_LOG_KEY, "Tags": [{"Key": "apispec:service", "Value": "edge"}]}
        assert "RetentionInDays" not in template["UsersLogGroup"]["Properties"]
        assert template["UsersLogGroup"]["Properties"]["KmsKeyId"] == EDGE_USERS_KEY
    dual = compile_case("dual-stack-domain-and-log-destination", tmp_path_factory)
    destination = "arn:aws:logs:us-east-1:123456789012:log-group:shared-access-logs"
    resources = terraform_main(dual)["resource"]
    assert sorted(resources["aws_cloudwatch_log_group"]) == ["api"]
    assert resources["aws_apigatewayv2_stage"]["api"]["access_log_settings"]["destination_arn"] == destination
    for target, kind in (("sam", "AWS::Serverless::HttpApi"), ("cloudformation", "AWS::ApiGatewayV2::Stage")):
        template = load_template(dual.target_dir(target) / "template.yaml")["Resources"]
        assert "HttpApiAccessLogs" not in template
        (holder,) = (r for r in template.values() if r["Type"] == kind)
        assert holder["Properties"]["AccessLogSettings"]["DestinationArn"] == destination, target


def _sam_security(case: Compiled) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the SAM translator makes of the HttpApi's `Auth`: each operation's `security` (`GET /x`), and the security schemes."""
    resources = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    (body,) = (r["Properties"]["Body"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api")
    security = {
        f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}": operation.get("security")
        for path, item in body["paths"].items()
        for method, operation in item.items()
    }
    return security, body["components"]["securitySchemes"]


def test_authorizers_of_every_type_in_terraform(tmp_path_factory: pytest.TempPathFactory) -> None:
    resources = terraform_main(compile_case("authorizers-of-every-type", tmp_path_factory))["resource"]
    api = "${aws_apigatewayv2_api.api.id}"
    assert resources["aws_apigatewayv2_authorizer"] == {
        "users": {
            "api_id": api,
            "name": "users",
            "authorizer_type": "JWT",
            "identity_sources": ["$request.header.Authorization"],
            "jwt_configuration": {"audience": ["client-1", "client-2"], "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"},
        },
        "gate_keeper": {
            "api_id": api,
            "name": "gate-keeper",
            "authorizer_type": "REQUEST",
            "identity_sources": ["$request.header.X-Api-Key", "$request.querystring.tenant", "$context.identity.sourceIp", "$stageVariables.realm"],
            "authorizer_uri": "${aws_lambda_function.gate.invoke_arn}",
            "authorizer_payload_format_version": "2.0",
            "authorizer_result_ttl_in_seconds": 300,
            "enable_simple_responses": True,
        },
        "old_gate": {
            "api_id": api,
            "name": "old_gate",
            "authorizer_type": "REQUEST",
            "authorizer_uri": "${aws_lambda_function.legacy_gate.invoke_arn}",
            "authorizer_payload_format_version": "1.0",
            "authorizer_result_ttl_in_seconds": 0,
            "enable_simple_responses": False,
        },
    }
    auth = {r["route_key"]: {k: v for k, v in r.items() if k.startswith("auth")} for r in resources["aws_apigatewayv2_route"].values()}
    assert auth == {
        "GET /items": {"authorization_type": "JWT", "authorizer_id": "${aws_apigatewayv2_authorizer.users.id}"},
        "POST /items": {
            "authorization_type": "JWT",
            "authorizer_id": "${aws_apigatewayv2_authorizer.users.id}",
            "authorization_scopes": ["items/write", "items/admin"],
        },
        "GET /health": {},
        "OPTIONS /items": {},
        "GET /signed": {"authorization_type": "AWS_IAM"},
        "GET /gated/{id}": {"authorization_type": "CUSTOM", "authorizer_id": "${aws_apigatewayv2_authorizer.gate_keeper.id}"},
        "GET /legacy": {"authorization_type": "CUSTOM", "authorizer_id": "${aws_apigatewayv2_authorizer.old_gate.id}"},
    }
    permissions = resources["aws_lambda_permission"]
    assert permissions["gate_keeper_authorizer"] == {
        "statement_id": "apigateway-authorizer-gate-keeper",
        "action": "lambda:InvokeFunction",
        "function_name": "${aws_lambda_function.gate.function_name}",
        "principal": "apigateway.amazonaws.com",
        "source_arn": "${aws_apigatewayv2_api.api.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.gate_keeper.id}",
    }
    assert permissions["old_gate_authorizer"]["source_arn"].endswith("/authorizers/${aws_apigatewayv2_authorizer.old_gate.id}")
    # The authorizer's function serves a route too: that route keeps its own permission.
    assert permissions["get_gated_by_id"]["source_arn"] == "${aws_apigatewayv2_api.api.execution_arn}/*/GET/gated/*"


def test_authorizers_of_every_type_in_cloudformation(tmp_path_factory: pytest.TempPathFactory) -> None:
    case = compile_case("authorizers-of-every-type", tmp_path_factory)
    resources = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    authorizers = {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Authorizer"}
    assert authorizers["UsersAuthorizer"] == {
        "ApiId": {"Ref": "HttpApi"},
        "Name": "users",
        "AuthorizerType": "JWT",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {"Audience": ["client-1", "client-2"], "Issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"},
    }
    assert authorizers["OldGateAuthorizer"] == {
        "ApiId": {"Ref": "HttpApi"},
        "Name": "old_gate",
        "AuthorizerType": "REQUEST",
        "AuthorizerUri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${LegacyGateFunction.Arn}/invocations"},
        "AuthorizerPayloadFormatVersion": "1.0",
        "AuthorizerResultTtlInSeconds": 0,
        "EnableSimpleResponses": False,
    }
    assert authorizers["GateKeeperAuthorizer"]["AuthorizerResultTtlInSeconds"] == 300
    assert set(authorizers) == {"UsersAuthorizer", "GateKeeperAuthorizer", "OldGateAuthorizer"}  # IAM needs none
    routes = {r["Properties"]["RouteKey"]: {k: v for k, v in r["Properties"].items() if k.startswith("Auth")} for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert routes["POST /items"] == {"AuthorizationType": "JWT", "AuthorizerId": {"Ref": "UsersAuthorizer"}, "AuthorizationScopes": ["items/write", "items/admin"]}
    assert routes["GET /signed"] == {"AuthorizationType": "AWS_IAM"}
    assert routes["GET /gated/{id}"] == {"AuthorizationType": "CUSTOM", "AuthorizerId": {"Ref": "GateKeeperAuthorizer"}}
    assert routes["GET /health"] == routes["OPTIONS /items"] == {}
    permission = resources["GateKeeperAuthorizerPermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "GateFunction"}
    assert permission["SourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/authorizers/${GateKeeperAuthorizer}"}


def test_authorizers_of_every_type_through_the_sam_translator(tmp_path_factory: pytest.TempPathFactory) -> None:
    """SAM's `HttpApi.Auth` with `DefaultAuthorizer`; what the translator makes of it: each route's security,
    the authorizers, and the Lambda authorizers' permissions (SAM cannot name an authorizer of its HttpApi:
    `<api>/authorizers/*`, still no route)."""
    case = compile_case("authorizers-of-every-type", tmp_path_factory)
    http_api = load_template(case.target_dir("sam") / "template.yaml")["Resources"]["HttpApi"]["Properties"]
    assert http_api["Auth"]["DefaultAuthorizer"] == "users"
    assert http_api["Auth"]["EnableIamAuthorizer"] is True
    assert http_api["Auth"]["Authorizers"]["gate-keeper"]["Identity"] == {
        "Headers": ["X-Api-Key"],
        "QueryStrings": ["tenant"],
        "StageVariables": ["realm"],
        "Context": ["identity.sourceIp"],
        "ReauthorizeEvery": 300,
    }
    security, schemes = _sam_security(case)
    assert security == {
        "GET /items": [{"users": []}],
        "POST /items": [{"users": ["items/write", "items/admin"]}],
        "GET /health": [{"NONE": []}],
        "OPTIONS /items": [{"NONE": []}],
        "GET /signed": [{"AWS_IAM": []}],
        "GET /gated/{id}": [{"gate-keeper": []}],
        "GET /legacy": [{"old_gate": []}],
    }
    assert schemes["users"]["x-amazon-apigateway-authorizer"] == {
        "type": "jwt",
        "identitySource": "$request.header.Authorization",
        "jwtConfiguration": {"audience": ["client-1", "client-2"], "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"},
    }
    gate = schemes["gate-keeper"]["x-amazon-apigateway-authorizer"]
    assert (gate["type"], gate["authorizerResultTtlInSeconds"], gate["authorizerPayloadFormatVersion"], gate["enableSimpleResponses"]) == ("request", 300, "2.0", True)
    assert sorted(gate["identitySource"]) == sorted(["$request.header.X-Api-Key", "$request.querystring.tenant", "$context.identity.sourceIp", "$stageVariables.realm"])
    old = schemes["old_gate"]["x-amazon-apigateway-authorizer"]
    assert (old["authorizerResultTtlInSeconds"], old["authorizerPayloadFormatVersion"], "enableSimpleResponses" in old) == (0, "1.0", False)
    assert schemes["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    resources = sam_transform(case.target_dir("sam") / "template.yaml")["Resources"]
    assert permissions.granted(resources, "LegacyGateFunction", authorizers=True) == {"${HttpApi}/authorizers/*"}
    assert permissions.granted(resources, "GateFunction", authorizers=True) == {"${HttpApi}/authorizers/*", "${HttpApi}/*/GET/gated/*"}


def test_authorizers_on_routes_in_the_openapi_body(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Routes SAM takes from the OpenAPI body get the same authorization as its events would; CORS keeps
    the OPTIONS route out of the (IAM) default in every target."""
    case = compile_case("authorizers-in-the-openapi-body", tmp_path_factory)
    security, schemes = _sam_security(case)
    assert security == {
        "ANY /$default": [{"AWS_IAM": []}],
        "GET /public": [{"NONE": []}],
        "OPTIONS /anything": [{"NONE": []}],
        "GET /me": [{"users": ["profile"]}],
    }
    assert schemes["users"]["x-amazon-apigateway-authorizer"]["identitySource"] == "$request.querystring.token"
    routes = {r["route_key"]: {k: v for k, v in r.items() if k.startswith("auth")} for r in terraform_main(case)["resource"]["aws_apigatewayv2_route"].values()}
    assert routes == {
        "$default": {"authorization_type": "AWS_IAM"},
        "GET /public": {},
        "OPTIONS /anything": {},
        "GET /me": {"authorization_type": "JWT", "authorizer_id": "${aws_apigatewayv2_authorizer.users.id}", "authorization_scopes": ["profile"]},
    }
    deployment = terraform_main(case)["resource"]["aws_apigatewayv2_deployment"]["api"]
    assert "aws_apigatewayv2_authorizer.users" in deployment["triggers"]["redeployment"]


def test_packaged_functions_deploy_their_zip_in_terraform_and_cloudformation_and_sam_keeps_its_own_handling(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Section D: `filename` + `source_code_hash` (no `archive_file`) and `Code` name `<out>/<prefix>/packages/<key>.zip`; SAM's
    `CodeUri` stays on a manifest's `source` (`sam build` installs it) and is a build command's `output`, taken as built."""
    case = compile_case("packaged-code", tmp_path_factory)
    functions = terraform_main(case)["resource"]["aws_lambda_function"]
    assert {k: (v["filename"], v["source_code_hash"]) for k, v in functions.items()} == {
        "deps": ("${path.module}/../packages/deps.zip", '${filebase64sha256("${path.module}/../packages/deps.zip")}'),
        "native": ("${path.module}/../packages/native.zip", '${filebase64sha256("${path.module}/../packages/native.zip")}'),
        "plain": ("${data.archive_file.plain.output_path}", "${data.archive_file.plain.output_base64sha256}"),
    }
    assert list(terraform_main(case)["data"]["archive_file"]) == ["plain"]
    cloudformation = load_template(case.target_dir("cloudformation") / "template.yaml")["Resources"]
    assert {i: r["Properties"]["Code"] for i, r in cloudformation.items() if r["Type"] == "AWS::Lambda::Function"} == {
        "DepsFunction": "../packages/deps.zip",
        "NativeFunction": "../packages/native.zip",
        "PlainFunction": "../../../code",
    }
    sam = load_template(case.target_dir("sam") / "template.yaml")["Resources"]
    assert {i: (r["Properties"]["CodeUri"], r.get("Metadata")) for i, r in sam.items() if r["Type"] == "AWS::Serverless::Function"} == {
        "DepsFunction": ("../../../deps", None),
        "NativeFunction": ("../../../native/target/lambda/native", {"SkipBuild": True}),
        "PlainFunction": ("../../../code", None),
    }
