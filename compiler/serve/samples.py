"""Sample events for `apispec invoke --event schedule|sqs|stream|http`: what each trigger sends.

Each has the shape AWS documents for it (the Lambda developer guide's examples), with this spec's
region and account, fixed ids and a fixed time, so that a function can be tried on a trigger
without writing its event by hand, and the same sample gives the same event every time.
"""

from __future__ import annotations

from typing import Any

from compiler.serve import events
from compiler.serve.config import ACCOUNT_ID, DEFAULT_REGION

KINDS = ("schedule", "sqs", "stream", "http")
SAMPLE_EPOCH = 1767225600  # 2026-01-01T00:00:00Z: a fixed time for every sample
_TIME = "2026-01-01T00:00:00Z"


def sample_event(kind: str, schedule_input: Any = None, *, region: str = DEFAULT_REGION, account_id: str = ACCOUNT_ID) -> Any:
    """The sample event of `kind` (one of `KINDS`).

    `schedule` is what the function's first schedule sends: its `input` when it has one (give it as
    `schedule_input`), else EventBridge's Scheduled Event envelope."""
    if kind == "schedule":
        return schedule_input if schedule_input is not None else _scheduled_event(region, account_id)
    if kind == "sqs":
        return _sqs_event(region, account_id)
    if kind == "stream":
        return _dynamodb_stream_event(region, account_id)
    if kind == "http":
        return _http_event(region, account_id)
    raise ValueError(f"no sample event {kind!r}; the samples are {', '.join(KINDS)}")


def _scheduled_event(region: str, account_id: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": _TIME,
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account_id}:rule/sample-schedule"],
        "detail": {},
    }


def _sqs_event(region: str, account_id: str) -> dict[str, Any]:
    sent = str(SAMPLE_EPOCH * 1000)
    return {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": "Hello from SQS!",
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": sent,
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": sent,
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:{account_id}:sample-queue",
                "awsRegion": region,
            }
        ]
    }


def _dynamodb_stream_event(region: str, account_id: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventID": "c4ca4238a0b923820dcc509a6f75849b",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": region,
                "dynamodb": {
                    "ApproximateCreationDateTime": SAMPLE_EPOCH,
                    "Keys": {"Id": {"N": "101"}},
                    "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
                    "SequenceNumber": "4421584500000000017450439091",
                    "SizeBytes": 26,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": f"arn:aws:dynamodb:{region}:{account_id}:table/sample-table/stream/2026-01-01T00:00:00.000",
            }
        ]
    }


def _http_event(region: str, account_id: str) -> dict[str, Any]:
    """A payload format 2.0 event for `GET /`, made as `serve` makes one for a request."""
    api_id = "sampleapi1"
    host = f"{api_id}.execute-api.{region}.amazonaws.com"
    request = events.Request(
        method="GET",
        target="/",
        headers=[("Host", host), ("User-Agent", "curl/8.5.0"), ("Accept", "*/*"), ("X-Forwarded-Proto", "https")],
        body=b"",
        source_ip="203.0.113.10",
        protocol="HTTP/1.1",
        host=host,
        received=SAMPLE_EPOCH,
        request_id="JKJaXmPLvHcESHA=",
    )
    trace = f"Root=1-{SAMPLE_EPOCH:08x}-abcdef0123456789abcdef01"
    return events.build_event(
        request, route_key="GET /", path_parameters={}, stage="$default", api_id=api_id, account_id=account_id, trace=trace, server_port=443
    )
