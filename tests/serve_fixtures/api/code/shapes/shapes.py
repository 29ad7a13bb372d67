"""Every kind of result: payload 2.0 responses, inferred ones, errors."""

import base64
import decimal
import logging
import os
import signal
import sys

BINARY = bytes(range(256))
# Responses API Gateway cannot send: 500, never a crash or a header a client would misread.
MALFORMED = {
    "header-emoji": {"statusCode": 200, "headers": {"x-emoji": "\u2713"}},
    "cookie-emoji": {"statusCode": 200, "cookies": ["n=\u00e9\u2713"]},
    "header-crlf": {"statusCode": 200, "headers": {"x-a": "a\r\nx-injected: 1"}},
    "cookie-lf": {"statusCode": 200, "cookies": ["a=1\nx-injected: 1"]},
    "header-nul": {"statusCode": 200, "headers": {"x-a": "a\x00b"}},
    "header-name": {"statusCode": 200, "headers": {"bad name:": "1"}},
    "body-surrogate": {"statusCode": 200, "body": "\ud800"},
    "str-surrogate": "\ud800",
    "status-100": {"statusCode": 100},
    "status-101": {"statusCode": 101, "headers": {"upgrade": "websocket", "connection": "upgrade"}},
    "status-199": {"statusCode": "199"},
    "status-600": {"statusCode": 600},
}


def handler(event, context):
    kind = event["pathParameters"]["kind"]
    if kind in MALFORMED:
        return MALFORMED[kind]
    if kind == "str":
        return "hello"
    if kind == "list":
        return [1, "two"]
    if kind == "number":
        return 42
    if kind == "none":
        return None
    if kind == "bytes":  # the runtime sends bytes as the payload itself
        return b'{"statusCode": 201, "headers": {"content-type": "text/plain"}, "body": "from bytes"}'
    if kind == "bytes-not-json":
        return b"plain bytes"
    if kind == "dict":
        return {"a": 1}
    if kind == "full":
        return {
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-one": "1"},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": "created",
        }
    if kind == "binary":
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/octet-stream"},
            "body": base64.b64encode(BINARY).decode(),
            "isBase64Encoded": True,
        }
    if kind == "both-cookies":
        return {"statusCode": 200, "headers": {"Set-Cookie": "h=1", "x-after": "1"}, "cookies": ["c=1", "d=2"], "body": "ok"}
    if kind == "plain":
        return {"statusCode": 202, "body": "no content type"}
    if kind.startswith("wide-"):  # n characters of two bytes each in UTF-8, six as a JSON escape
        return {"statusCode": 200, "body": "\u00e9" * int(kind[5:])}
    if kind.startswith("status-"):
        return {"statusCode": int(kind[7:]), "body": kind}
    if kind == "unserialisable":
        return {"statusCode": 200, "body": {1, 2}}
    if kind in ("nan", "infinity", "decimal-nan"):  # JSON has no such numbers
        return {"value": {"nan": float("nan"), "infinity": -float("inf"), "decimal-nan": decimal.Decimal("NaN")}[kind]}
    if kind == "badbody":
        return {"statusCode": 200, "body": {"a": 1}}
    if kind == "date":
        return {"statusCode": 200, "headers": {"Date": "Wed, 21 Oct 2015 07:28:00 GMT"}, "body": "dated"}
    if kind == "latin1":
        return {"statusCode": 200, "headers": {"x-latin": "caf\u00e9"}, "cookies": ["n=\u00e9"], "body": "ok"}
    if kind == "raise":
        raise ValueError("boom from shapes")
    if kind == "raise-lines":
        raise ValueError("first line of boom\nsecond line of boom\r\nthird line of boom")
    if kind == "chatty":  # 2 MB in 200,000 writes, no newline until the last one, then a line left open
        for _ in range(200_000):
            sys.stdout.write("0123456789")
        sys.stdout.write("\nend of chatter, then")
        sys.stdout.write(" an open line")
        return "chatted"
    if kind == "exit":
        sys.exit(3)
    if kind == "exit-none":
        sys.exit()
    if kind == "exit-text":
        sys.exit("leaving with words")
    if kind == "os-exit":
        os._exit(4)
    if kind == "os-exit-0":
        os._exit(0)
    if kind == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "log":
        logging.getLogger().warning("careful now")
        print("to stderr", file=sys.stderr)
        return "logged"
    return {"statusCode": 400, "body": f"unknown kind {kind}"}
