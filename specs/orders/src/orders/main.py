"""Orders API: lists orders and queues new ones (a sketch: the queue URL comes from the environment)."""

import json
import os


def handler(event, context):
    if event.get("requestContext", {}).get("http", {}).get("method") == "POST":
        return {"statusCode": 202, "body": json.dumps({"queued": True, "queue": os.environ.get("QUEUE_URL", "")})}
    return {"statusCode": 200, "body": json.dumps({"orders": [], "stage": os.environ.get("STAGE", "")})}
