"""Greets with what it saw of the request."""

import json


def handler(event, context):
    name = (event.get("pathParameters") or {}).get("name", "world")
    seen = {"hello": name, "rawPath": event["rawPath"], "path": event["requestContext"]["http"]["path"], "stage": event["requestContext"]["stage"]}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(seen)}
