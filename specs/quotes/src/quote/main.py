"""GET /quote: a quote of the day. `orjson` (a compiled extension) comes from the zip `apispec package` makes."""

import datetime

import orjson

QUOTES = [
    "Simplicity is prerequisite for reliability.",
    "Make it work, make it right, make it fast.",
    "Premature optimization is the root of all evil.",
]


def handler(event, context):
    day = datetime.date.today().toordinal()
    body = orjson.dumps({"quote": QUOTES[day % len(QUOTES)]}).decode()
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": body}
