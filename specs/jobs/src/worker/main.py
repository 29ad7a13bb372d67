"""Processes a batch of queued orders; reports the messages that failed so that only they are retried
(`report_batch_item_failures`)."""

import json
import os


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(json.loads(record["body"]))
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def process(order):
    print(json.dumps({"order": order["id"], "database": os.environ["DATABASE_HOST"]}))
