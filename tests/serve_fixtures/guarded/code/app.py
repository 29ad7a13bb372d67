"""Route handlers: the event back as JSON, a slow one, and a payload 1.0 one."""

import json
import time


def echo(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}


def slow(event, context):
    time.sleep(1)
    print("slow: finished after the gateway stopped waiting")
    return {"statusCode": 200, "body": "late"}


def classic(event, context):
    return {
        "statusCode": 201,
        "multiValueHeaders": {"x-seen": [event["resource"], event["httpMethod"]]},
        "body": json.dumps({"pathParameters": event["pathParameters"], "authorizer": event["requestContext"].get("authorizer"),
                            "identity": event["requestContext"]["identity"]}),
    }
