"""Returns the event, the context and its environment, so the tests can check them."""

import json
import os
import time

import helper


def handler(event, context):
    query = event.get("queryStringParameters") or {}
    if "sleep" in query:
        time.sleep(float(query["sleep"]))
    if "say" in query:
        print(f"echo says {query['say']}")
    facts = {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "client_context": context.client_context,
        "repr": repr(context),
    }
    names = ("FLAVOR", "WORD", "SHARED", "OTHER_ONLY", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "LAMBDA_TASK_ROOT", "_HANDLER")
    return {
        "statusCode": 200,
        "headers": {
            "content-type": "application/json",
            "x-request-id": context.aws_request_id,
            "access-control-allow-origin": "https://ignored.example",
        },
        "body": json.dumps(
            {
                "event": event,
                "context": facts,
                "env": {name: os.environ.get(name) for name in names},
                "module": os.path.abspath(__file__),
                "marker": helper.MARKER,
                "pid": os.getpid(),
            }
        ),
    }
