"""Lambda authorizer for partner API keys (payload 2.0, simple responses), and the route that
tells a partner what the authorizer said about it.

API Gateway calls `handler` with a `REQUEST` authorizer event when a partner route is called, and
with an ordinary HTTP event for `GET /partner/whoami`, which this function serves too.
"""

import hashlib
import hmac
import json
import os


def handler(event, context):
    if event.get("type") == "REQUEST":
        return authorize(event)
    return whoami(event)


def authorize(event):
    """`{isAuthorized, context}`: allowed when the `x-api-key` header hashes to the configured digest.

    The header is an identity source, so API Gateway refuses a request without it (401) before
    calling this, and caches the answer per key for the authorizer's `ttl`.
    """
    key = (event.get("headers") or {}).get("x-api-key", "")
    digest = hashlib.sha256(key.encode()).hexdigest()
    allowed = bool(key) and hmac.compare_digest(digest, os.environ["PARTNER_DIGEST"])
    return {"isAuthorized": allowed, "context": {"partner": digest[:12] if allowed else ""}}


def whoami(event):
    authorizer = event.get("requestContext", {}).get("authorizer", {}).get("lambda", {})
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"partner": authorizer.get("partner")}),
    }
