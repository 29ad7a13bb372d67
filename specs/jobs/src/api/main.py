"""Accepts an order (`POST /orders`) and queues it for the worker; reads its status (`GET /orders/{id}`)."""

import json
import os
import uuid

import boto3

_sqs = boto3.client("sqs")


def handler(event, context):
    if event["requestContext"]["http"]["method"] == "POST":
        order = json.loads(event.get("body") or "{}")
        order_id = str(uuid.uuid4())
        _sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps({"id": order_id, **order}))
        return {"statusCode": 202, "body": json.dumps({"id": order_id, "status": "queued"})}
    order_id = event["pathParameters"]["id"]
    return {"statusCode": 200, "body": json.dumps({"id": order_id, "status": "unknown"})}
