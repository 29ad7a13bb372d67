"""Reads DynamoDB stream records (order changes) and Kinesis records (clicks) in batches."""

import base64
import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            if record.get("eventSource") == "aws:kinesis":
                print(json.loads(base64.b64decode(record["kinesis"]["data"])))
            else:
                print(json.dumps({"change": record["eventName"], "keys": record["dynamodb"]["Keys"]}))
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record.get("dynamodb", {}).get("SequenceNumber", "")})
    return {"batchItemFailures": failures}
