"""Lambda authorizers: a simple response (allows the token `good`) and an IAM policy (payload 1.0)."""

CALLS = []


def simple(event, context):
    CALLS.append(event["identitySource"])
    token = event["identitySource"][0]
    return {"isAuthorized": token.startswith("good"), "context": {"token": token, "calls": len(CALLS), "type": event["type"]}}


def policy(event, context):
    token = event["authorizationToken"]
    if token == "boom":
        raise RuntimeError("the authorizer failed")
    effect = "Allow" if token == "good" else "Deny"
    resource = event["methodArn"].rsplit("/", 1)[0] + "/*"  # every id under /policy
    return {
        "principalId": "user-7",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}]},
        "context": {"methodArn": event["methodArn"]},
    }
