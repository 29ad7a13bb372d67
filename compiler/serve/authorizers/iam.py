"""IAM (`AWS_IAM`) authorization: the request must carry a SigV4 `Authorization` header. Serve checks
its shape, not the signature (there are no credentials to check it with)."""

from __future__ import annotations

import re

from compiler.serve.authorizers.decision import Decision, Grant, allow, forbidden

_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]{16,128})/\d{8}/[a-z0-9-]+/execute-api/aws4_request,\s*"
    r"SignedHeaders=[a-z0-9;-]+,\s*Signature=[0-9a-f]{64}\Z"
)
PLACEHOLDER_ACCOUNT = "123456789012"
PLACEHOLDER_USER_ID = "AIDALOCALSERVEUSER000"


STARTUP_NOTE = "IAM-authorized routes need a SigV4 Authorization header; its signature is not verified locally"


def authorize_iam(authorization: str | None, account_id: str = PLACEHOLDER_ACCOUNT) -> Decision:
    """403 without a SigV4-shaped `Authorization` header (for `execute-api`); else a grant with
    placeholder identity fields in the shape of `requestContext.authorizer.iam` (its access key is
    the one the header names)."""
    match = _SIGV4.match(authorization or "")
    if match is None:
        return forbidden("the route needs a SigV4-signed request (Authorization: AWS4-HMAC-SHA256 Credential=…/execute-api/aws4_request, …)")
    return allow(
        Grant(
            "iam",
            {
                "accessKey": match.group("key"),
                "accountId": account_id,
                "callerId": PLACEHOLDER_USER_ID,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": f"arn:aws:iam::{account_id}:user/apispec-serve",
                "userId": PLACEHOLDER_USER_ID,
            },
        )
    )
