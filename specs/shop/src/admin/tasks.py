"""Back-office tasks, reached under /admin/..."""

import json


def handler(event, context):
    task = (event.get("pathParameters") or {}).get("proxy", "")
    method = event["requestContext"]["http"]["method"]
    print(f"admin task {method} {task}")
    return {"statusCode": 200, "body": json.dumps({"task": task, "method": method})}
