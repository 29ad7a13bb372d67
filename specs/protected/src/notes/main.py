"""The notes API: what a caller may do follows the authorizer API Gateway ran for the route.

- user routes (JWT authorizer): the caller is the token's `sub`; `POST /notes` needs the
  `notes/write` scope, which API Gateway checks before this runs;
- partner routes (Lambda authorizer): the caller is the partner the authorizer named;
- `GET /ops/stats` (IAM, payload format 1.0): the signing IAM principal, in `requestContext.identity`;
- `GET /health`: open.
"""

import json

_NOTES = {}  # per caller; a real service keeps them in a table


def handler(event, context):
    # payload 2.0 names the route at the top; 1.0 (`GET /ops/stats`) only in its request context
    route = event.get("routeKey") or event.get("requestContext", {}).get("routeKey", "")
    if route == "GET /health":
        return _response(200, {"ok": True})
    if route == "GET /ops/stats":
        operator = event.get("requestContext", {}).get("identity", {}).get("userArn")
        stats = {"callers": len(_NOTES), "notes": sum(len(n) for n in _NOTES.values()), "operator": operator}
        return _response(200, stats)
    caller = _caller(event.get("requestContext", {}).get("authorizer", {}))
    notes = _NOTES.setdefault(caller, {})
    if route == "GET /notes" or route == "GET /partner/notes":
        return _response(200, {"notes": sorted(notes.values(), key=lambda note: note["id"])})
    if route == "GET /notes/{id}":
        note = notes.get(event.get("pathParameters", {}).get("id"))
        return _response(200, note) if note else _response(404, {"message": "no such note"})
    if route == "POST /notes":
        try:
            text = json.loads(event.get("body") or "{}").get("text", "")
        except (json.JSONDecodeError, AttributeError):
            return _response(400, {"message": "the body must be a JSON object"})
        note = {"id": str(len(notes) + 1), "text": text}
        notes[note["id"]] = note
        return _response(201, note)
    return _response(404, {"message": "no such route"})


def _caller(authorizer):
    if "jwt" in authorizer:
        return "user:" + authorizer["jwt"]["claims"].get("sub", "")
    if "lambda" in authorizer:
        return "partner:" + authorizer["lambda"].get("partner", "")
    if "iam" in authorizer:
        return "iam:" + authorizer["iam"].get("userArn", "")
    return "anonymous"


def _response(status, payload):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(payload)}
