"""Route behaviours of `serve` as standalone helpers: throttling, the integration timeout, `url`
routes and payload format 1.0."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from compiler.serve import deadline
from compiler.serve.events import Request, build_event_v1
from compiler.serve.proxy import ProxyError, ProxyTimeoutError, forward, target_url
from compiler.serve.responses import MalformedResponseError, from_lambda_v1
from compiler.serve.throttle import Throttles, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(burst=3, rate=2, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    clock.now = 100  # refills up to the burst, no further
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_zero_burst_throttles_everything() -> None:
    assert TokenBucket(burst=0, rate=100, clock=Clock()).take() is False


def test_throttles_answer_429_per_route() -> None:
    throttles = Throttles({"GET /a": (1, 1)}, clock=Clock())
    assert throttles.check("GET /a") is None
    response = throttles.check("GET /a")
    assert response is not None and (response.status, response.body) == (429, b'{"message":"Too Many Requests"}')
    assert throttles.check("GET /b") is None  # no throttling of its own


def test_deadline_returns_the_result_in_time() -> None:
    assert deadline.within(lambda: 42, 30_000) == 42


def test_deadline_raises_what_the_call_raised() -> None:
    def fail() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        deadline.within(fail, None)


def test_deadline_times_out_and_leaves_the_call_running() -> None:
    release, finished = threading.Event(), threading.Event()

    def slow() -> str:
        release.wait()
        finished.set()
        return "late"

    outcome = deadline.within(slow, 50)
    assert isinstance(outcome, deadline.TimedOut) and outcome.timeout_ms == 50
    response = deadline.timeout_response()
    assert (response.status, response.body) == (503, b'{"message":"Service Unavailable"}')
    release.set()
    assert finished.wait(10)


@pytest.mark.parametrize(
    ("url", "parameters", "query", "expected"),
    [
        ("https://up.example.com/items/{id}", {"id": "a b"}, "", "https://up.example.com/items/a%20b"),
        ("https://up.example.com/files/{proxy}", {"proxy": "x/y.txt"}, "v=1&v=2", "https://up.example.com/files/x/y.txt?v=1&v=2"),
        ("https://up.example.com/s?key=k", {}, "q=1", "https://up.example.com/s?key=k&q=1"),
    ],
)
def test_target_url(url: str, parameters: dict[str, str], query: str, expected: str) -> None:
    assert target_url(url, parameters, query) == expected


class Upstream(BaseHTTPRequestHandler):
    """Echoes what it received as JSON, with a status, a redirect and a cookie to pass back."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        seen = {"method": self.command, "path": self.path, "body": self.rfile.read(length).decode(),
                "host": self.headers.get("host"), "x-custom": self.headers.get("x-custom"), "connection": self.headers.get("x-hop")}  # fmt: skip
        if self.path.startswith("/slow"):
            threading.Event().wait(1)  # past the client's 100 ms; it has gone when this answers
            return
        payload = json.dumps(seen).encode()
        self.send_response(302 if self.path.startswith("/moved") else 201)
        self.send_header("content-type", "application/json")
        self.send_header("location", "/elsewhere")
        self.send_header("set-cookie", "a=1")
        self.send_header("set-cookie", "b=2")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client_request(method: str, target: str, body: bytes = b"") -> Request:
    headers = [("Host", "localhost:3000"), ("X-Custom", "yes"), ("Connection", "keep-alive"), ("Content-Length", str(len(body)))]
    return Request(method=method, target=target, headers=headers, body=body, source_ip="127.0.0.1", protocol="HTTP/1.1", host="localhost:3000")


def test_proxy_forwards_and_answers_as_upstream(upstream: str) -> None:
    url = target_url(upstream + "/items/{id}", {"id": "7"}, "q=1")
    response = forward(client_request("POST", "/items/7?q=1", b"hello"), url, "POST", 30_000)
    assert response.status == 201
    seen = json.loads(response.body)
    assert seen == {"method": "POST", "path": "/items/7?q=1", "body": "hello", "host": upstream.removeprefix("http://"), "x-custom": "yes", "connection": None}
    assert [v for k, v in response.headers if k.lower() == "set-cookie"] == ["a=1", "b=2"]
    assert response.header("content-length") is None  # the server sets its own


def test_proxy_passes_redirects_on(upstream: str) -> None:
    response = forward(client_request("GET", "/moved"), upstream + "/moved", "GET", 30_000)
    assert (response.status, response.header("location")) == (302, "/elsewhere")


def test_proxy_errors(upstream: str) -> None:
    with pytest.raises(ProxyTimeoutError):
        forward(client_request("GET", "/slow"), upstream + "/slow", "GET", 100)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    port = server.server_address[1]
    server.server_close()  # nothing listens there now
    with pytest.raises(ProxyError):
        forward(client_request("GET", "/"), f"http://127.0.0.1:{port}/", "GET", 1000)
    with pytest.raises(ProxyError, match="not an http"):
        forward(client_request("GET", "/"), "ftp://example.com/", "GET", 1000)


def test_v1_event() -> None:
    request = Request(
        method="POST", target="/v1/items/7?a=1&a=2&b=", body=b'{"x":1}', source_ip="10.0.0.2", protocol="HTTP/1.1", host="api.test:3000",
        headers=[("Content-Type", "application/json"), ("X-Multi", "1"), ("X-Multi", "2"), ("Cookie", "c=1"), ("User-Agent", "ua")],
        received=1_700_000_000.5, request_id="abcdefghijklmno=",
    )  # fmt: skip
    event = build_event_v1(request, route_key="POST /items/{id}", route_path="/items/{id}", path_parameters={"id": "7"},
                           stage="v1", api_id="0123456789", account_id="123456789012", trace="Root=1-t", server_port=3000)  # fmt: skip
    assert event == {
        "version": "1.0",
        "resource": "/items/{id}",
        "path": "/v1/items/7",
        "httpMethod": "POST",
        "headers": {"content-type": "application/json", "x-multi": "2", "cookie": "c=1", "user-agent": "ua",
                    "x-forwarded-for": "10.0.0.2", "x-forwarded-port": "3000", "x-forwarded-proto": "http", "x-amzn-trace-id": "Root=1-t"},
        "multiValueHeaders": {"content-type": ["application/json"], "x-multi": ["1", "2"], "cookie": ["c=1"], "user-agent": ["ua"],
                              "x-forwarded-for": ["10.0.0.2"], "x-forwarded-port": ["3000"], "x-forwarded-proto": ["http"], "x-amzn-trace-id": ["Root=1-t"]},
        "queryStringParameters": {"a": "2", "b": ""},
        "multiValueQueryStringParameters": {"a": ["1", "2"], "b": [""]},
        "requestContext": {
            "accountId": "123456789012", "apiId": "0123456789", "domainName": "api.test:3000", "domainPrefix": "api",
            "extendedRequestId": "abcdefghijklmno=", "httpMethod": "POST",
            "identity": {"accessKey": None, "accountId": None, "caller": None, "cognitoAuthenticationProvider": None,
                         "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
                         "principalOrgId": None, "sourceIp": "10.0.0.2", "user": None, "userAgent": "ua", "userArn": None},
            "path": "/v1/items/7", "protocol": "HTTP/1.1", "requestId": "abcdefghijklmno=",
            "requestTime": "14/Nov/2023:22:13:20 +0000", "requestTimeEpoch": 1700000000500,
            "resourceId": "POST /items/{id}", "resourcePath": "/items/{id}", "stage": "v1",
        },
        "pathParameters": {"id": "7"},
        "stageVariables": None,
        "body": '{"x":1}',
        "isBase64Encoded": False,
    }  # fmt: skip


def test_v1_event_empty_parts_are_null() -> None:
    request = Request(method="GET", target="/", headers=[], body=b"", source_ip="1.1.1.1", protocol="HTTP/1.1", host="h")
    event = build_event_v1(request, route_key="$default", route_path="", path_parameters={}, stage="$default",
                           api_id="a", account_id="1", trace="t", server_port=80)  # fmt: skip
    assert (event["resource"], event["queryStringParameters"], event["multiValueQueryStringParameters"]) == ("/", None, None)
    assert (event["pathParameters"], event["body"], event["isBase64Encoded"]) == (None, None, False)


def test_v1_response() -> None:
    response = from_lambda_v1(json.dumps({
        "statusCode": 201, "headers": {"X-One": "1", "Set-Cookie": "a=1"}, "multiValueHeaders": {"Set-Cookie": ["b=2", "c=3"]},
        "body": "aGk=", "isBase64Encoded": True,
    }))  # fmt: skip
    assert response.status == 201
    assert response.headers == [("content-type", "application/json"), ("X-One", "1"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Set-Cookie", "c=3")]
    assert response.body == b"hi"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ('"just a string"', "statusCode"),
        ('{"body": "no status"}', "statusCode"),
        ('{"statusCode": 200, "multiValueHeaders": {"a": "not a list"}}', "multiValueHeaders"),
        ('{"statusCode": 200, "body": {"not": "a string"}}', "body"),
        ("not json", "not JSON"),
    ],
)
def test_v1_malformed_responses(payload: str, reason: str) -> None:
    with pytest.raises(MalformedResponseError, match=reason):
        from_lambda_v1(payload)
