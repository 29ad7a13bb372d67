"""The tutorial's user-request function: validate a submitted post and queue it."""

import json
import os

import boto3

_sqs = None


def _queue():
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs")
    return _sqs


def lambda_handler(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return _response(400, {"message": "the body must be JSON"})
    missing = [field for field in ("user", "post") if not body.get(field)]
    if missing:
        return _response(400, {"message": f"missing fields: {', '.join(missing)}"})
    _queue().send_message(QueueUrl=os.environ["SQS_QUEUE_URL"], MessageBody=json.dumps(body))
    return _response(202, {"message": "accepted"})


def _response(status, payload):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(payload),
    }
