"""`apispec serve`: the local HTTP API, driven over real HTTP as a subprocess on a free loopback port.

Specs under `tests/serve_fixtures/`; one server per spec for the module (the hot-reload test starts its
own on a copy). Every server is stopped with SIGTERM and must leave no worker process behind.
"""

from __future__ import annotations

import base64
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from compiler.routekeys import Route, make_route
from compiler.serve import accesslog, events
from compiler.serve.app import App, Exchange
from compiler.serve.responses import MalformedResponseError, Response, from_lambda
from compiler.serve.routing import Router
from compiler.serve.server import HTTPServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "serve_fixtures"
TUTORIAL = ROOT / "specs" / "tutorial" / "service.yaml"
SERVING = re.compile(r"^apispec: serving (\S+) on (http://127\.0\.0\.1:(\d+))$")
REQUEST_TIME = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$")
ALLOWED = "https://app.example.com"


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name]

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def request_id(self) -> str:
        value = self.header("apigw-requestid")
        assert value is not None
        return value


# How long to wait for what must happen (a line, a reply, a process to end): a guard against a hang,
# never a speed requirement; waits end as soon as the awaited thing happens. Speed is measured in bench/.
PATIENCE = 60.0
PATIENCE_MS = int(PATIENCE * 1000)


def worker_pids(server_pid: int) -> list[int]:
    """Worker processes started by the server with this pid (they carry it as their last argument)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"_worker.py") for a in argv) and str(server_pid).encode() in argv:
            found.append(int(entry.name))
    return found


class Server:
    """`apispec serve SPEC --port 0 ...` in a subprocess, with its output collected line by line."""

    def __init__(self, spec: Path, *args: str) -> None:
        env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from compiler.cli import main; main()", "serve", str(spec), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._cond = threading.Condition()
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()
        line = self.wait_for(lambda line: line.startswith("apispec: serving"))
        match = SERVING.match(line)
        assert match, line
        self.api_name, self.url, self.port = match.group(1), match.group(2), int(match.group(3))

    def _read(self, stream: Any, lines: list[str]) -> None:
        for line in stream:
            with self._cond:
                lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.out)

    def wait_for(self, predicate: Callable[[str], bool], *, since: int = 0, timeout: float = PATIENCE, stderr: bool = False) -> str:
        """The first stdout (or stderr) line from `since` on that satisfies `predicate`, waiting for it."""
        deadline = time.monotonic() + timeout
        lines = self.err if stderr else self.out
        with self._cond:
            while True:
                for line in lines[since:]:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("no such line; stdout:\n" + "\n".join(self.out) + "\nstderr:\n" + "\n".join(self.err))
                self._cond.wait(remaining)

    def access_log(self, reply: Reply, since: int = 0) -> dict[str, str]:
        line = self.wait_for(lambda line: line.startswith("{") and json.loads(line).get("requestId") == reply.request_id, since=since)
        return dict(json.loads(line))

    def request(self, method: str, path: str, body: bytes | None = None, headers: list[tuple[str, str]] | None = None, timeout: float = PATIENCE) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.putrequest(method, path)
            for name, value in headers or []:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=PATIENCE)
        deadline = time.monotonic() + PATIENCE
        while worker_pids(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker_pids(self.process.pid) == [], "worker processes left behind"
        return code


@pytest.fixture(scope="module")
def api() -> Iterator[Server]:
    server = Server(FIXTURES / "api" / "service.yaml", "--param", "secret_word=xyzzy")
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def staged() -> Iterator[Server]:
    server = Server(FIXTURES / "staged" / "service.yaml", "--param", "nope=1")
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def plain() -> Iterator[Server]:
    server = Server(FIXTURES / "plain" / "service.yaml")
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def origins() -> Iterator[Server]:
    server = Server(FIXTURES / "origins" / "service.yaml")
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def tutorial() -> Iterator[Server]:
    server = Server(TUTORIAL)
    yield server
    assert server.stop() == 0


def echo(api: Server, path: str = "/echo", **kwargs: Any) -> tuple[Reply, dict[str, Any]]:
    reply = api.request(kwargs.pop("method", "GET"), path, **kwargs)
    assert reply.status == 200, reply
    return reply, reply.json()


def raw_request(server: Server, data: bytes, *, half_close: bool = False) -> Reply:
    """Send bytes as they are (for requests http.client would not send) and read one response;
    `half_close` closes the sending side after the bytes, as a client that stops short does."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return Reply(response.status, response.getheaders(), response.read())


REQUEST_ID = re.compile(r"[A-Za-z0-9]{15}=")


# --- start-up --------------------------------------------------------------------------------------


def test_prints_one_serving_line_first(api: Server) -> None:
    assert api.out[0] == f"apispec: serving serve-api-api on {api.url}"
    assert sum(line.startswith("apispec: serving") for line in api.out) == 1


def test_start_warnings(api: Server, staged: Server, tutorial: Server) -> None:
    # stderr is read on its own thread: wait for each line rather than assume it has been read
    api.wait_for(lambda line: "`node` has runtime nodejs24.x" in line and "502" in line, stderr=True)
    assert not any("parameter `" in line for line in api.err)  # flavor has a default, secret_word was given
    staged.wait_for(lambda line: "--param nope" in line, stderr=True)
    tutorial.wait_for(lambda line: "parameter `user_request_queue_url` has no value" in line, stderr=True)


def test_port_in_use_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-c", "from compiler.cli import main; main()", "serve", str(FIXTURES / "staged" / "service.yaml"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=PATIENCE,
            cwd=ROOT,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


# --- routing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "route_key", "parameters"),
    [
        ("GET", "/r/literal", "GET /r/literal", None),
        ("GET", "/r/abc", "GET /r/{param}", {"param": "abc"}),
        ("GET", "/r/a%20b", "GET /r/{param}", {"param": "a b"}),
        ("GET", "/r/x/y/z", "GET /r/{proxy+}", {"proxy": "x/y/z"}),
        ("GET", "/r/x/deep", "GET /{tenant}/{id}/deep", {"tenant": "r", "id": "x"}),  # a full match beats {proxy+}
        ("POST", "/m", "POST /m", None),
        ("PUT", "/m", "ANY /m", None),
        ("DELETE", "/echo", "$default", None),
        ("GET", "/no/such/route", "$default", None),
        ("GET", "/r", "$default", None),
    ],
)
def test_routing(api: Server, method: str, path: str, route_key: str, parameters: dict[str, str] | None) -> None:
    reply = api.request(method, path)
    assert reply.status == 200
    body = reply.json()
    event = body.get("event")
    if event is None:  # the `other` function answers ANY /m and $default
        assert body["routeKey"] == route_key
        return
    assert event["routeKey"] == event["requestContext"]["routeKey"] == route_key
    assert event.get("pathParameters") == parameters


@pytest.mark.parametrize(
    ("method", "path", "route_key"),
    [("PURGE", "/m", "ANY /m"), ("TRACE", "/m", "ANY /m"), ("SEARCH", "/echo", "$default"), ("X-ANY.TOKEN~1", "/r/literal", "$default")],
)
def test_any_method_is_routed(api: Server, method: str, path: str, route_key: str) -> None:
    reply = api.request(method, path)
    assert (reply.status, reply.header("content-type")) == (200, "application/json")
    assert reply.json()["routeKey"] == route_key


@pytest.mark.parametrize(
    ("request_line", "status", "message"),
    [
        (b"GE(T /echo HTTP/1.1", 400, "Bad Request"),
        (b"GET /echo HTTP/1.1 extra", 400, "Bad Request"),
        (b"GET /echo HTTP/9.9", 505, "HTTP Version Not Supported"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1", 414, "Request-URI Too Long"),
    ],
)
def test_malformed_requests_get_json_errors(api: Server, request_line: bytes, status: int, message: str) -> None:
    reply = raw_request(api, request_line + b"\r\nHost: x\r\n\r\n")
    assert (reply.status, reply.json(), reply.header("content-type")) == (status, {"message": message}, "application/json")
    assert REQUEST_ID.fullmatch(reply.request_id) and reply.header("server") is None and reply.header("connection") == "close"
    assert api.wait_for(lambda line: reply.request_id in line, stderr=True).startswith(f"apispec: {status} {message} to 127.0.0.1")


def route(key: str) -> Route:
    return make_route(key, "f")


def test_router_priorities_without_default() -> None:
    router = Router([route("GET /{proxy+}"), route("GET /a/{id}"), route("ANY /a/b"), route("GET /a/b/{rest+}"), route("GET /")])
    found = {p: (m.route.key if (m := router.match("GET", p)) else None) for p in ("/a/b", "/a/c", "/a/b/c/d", "/x", "/")}
    assert found == {"/a/b": "ANY /a/b", "/a/c": "GET /a/{id}", "/a/b/c/d": "GET /a/b/{rest+}", "/x": "GET /{proxy+}", "/": "GET /"}
    assert router.match("POST", "/a/c") is None
    assert router.match("HEAD", "/") is None  # HEAD is its own method, as in API Gateway


@pytest.mark.parametrize(
    ("routes", "method", "path", "expected"),
    [
        (["GET /api/{proxy+}", "GET /{tenant}/orders"], "GET", "/api/orders", "GET /{tenant}/orders"),
        (["GET /{tenant}/orders", "GET /api/{proxy+}"], "GET", "/api/orders", "GET /{tenant}/orders"),
        (["GET /api/{proxy+}", "ANY /{a}/{b}"], "GET", "/api/orders", "ANY /{a}/{b}"),
        (["GET /api/{proxy+}", "GET /{tenant}/orders"], "GET", "/api/orders/1", "GET /api/{proxy+}"),
        (["GET /{proxy+}", "GET /api/{proxy+}"], "GET", "/api/x", "GET /api/{proxy+}"),
        (["ANY /api/{proxy+}", "GET /api/{proxy+}"], "GET", "/api/x", "GET /api/{proxy+}"),
    ],
)
def test_router_full_match_beats_greedy(routes: list[str], method: str, path: str, expected: str) -> None:
    match = Router([route(key) for key in routes]).match(method, path)
    assert match is not None and match.route.key == expected


def test_router_stage_prefix() -> None:
    router = Router([route("GET /a")], "prod")
    assert [router.strip_stage(p) for p in ("/prod/a", "/prod", "/a", "/production/a")] == ["/a", "/", None, None]
    assert Router([], "$default").strip_stage("/prod/a") == "/prod/a"


def test_named_stage(staged: Server) -> None:
    reply, body = echo(staged, "/v1/hello/bob")
    assert body == {"hello": "bob", "rawPath": "/v1/hello/bob", "path": "/v1/hello/bob", "stage": "v1"}
    assert echo(staged, "/v1/hello")[1]["hello"] == "world"
    log = staged.access_log(reply)
    assert list(log) == ["requestId", "ip", "requestTime", "httpMethod", "status", "protocol", "integrationErrorMessage", "errorMessage"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/hello"), ("GET", "/v1/nope"), ("POST", "/v1/hello"), ("GET", "/v1")])
def test_not_found(staged: Server, method: str, path: str) -> None:
    reply = staged.request(method, path)
    assert (reply.status, reply.body, reply.header("content-type")) == (404, b'{"message":"Not Found"}', "application/json")


def test_not_found_logged_only_inside_the_stage(staged: Server) -> None:
    outside, inside = staged.request("GET", "/hello"), staged.request("GET", "/v1/nope")
    log = staged.access_log(inside)
    assert (log["status"], log["errorMessage"]) == ("404", "Not Found")
    assert not any(outside.request_id in line for line in staged.out)


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"Content-Length: abc\r\n", "unreadable body: invalid literal for int()"),
        (b"Content-Length: -5\r\n", "unreadable body: negative content-length"),
        (b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", "unreadable body: invalid literal for int() with base 16"),
    ],
)
def test_unreadable_body_is_400_with_a_request_id(staged: Server, head: bytes, reason: str) -> None:
    reply = raw_request(staged, b"POST /v1/hello HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n")
    assert (reply.status, reply.body) == (400, b'{"message":"Bad Request"}')
    assert REQUEST_ID.fullmatch(reply.request_id)
    line = staged.wait_for(lambda line: reply.request_id in line, stderr=True)
    assert line.startswith("apispec: 400 Bad Request to 127.0.0.1") and reason in line


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"Content-Length: 100\r\n\r\n0123456789", "the connection ended 10 bytes into the body (Content-Length) of 100 bytes"),
        (b"Content-Length: 5\r\n\r\n", "the connection ended 0 bytes into the body (Content-Length) of 5 bytes"),
        (b"Transfer-Encoding: chunked\r\n\r\na\r\nabc", "the connection ended 3 bytes into a chunk of 10 bytes"),
        (b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "invalid literal for int() with base 16"),  # no last chunk
    ],
)
def test_body_cut_short_is_400_and_reaches_no_function(api: Server, head: bytes, reason: str) -> None:
    """A client that sends less than it announced and closes its side: 400, the function never runs."""
    mark = api.mark()
    reply = raw_request(api, b"POST /echo?say=cut-short HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n" + head, half_close=True)
    assert (reply.status, reply.body, reply.header("connection")) == (400, b'{"message":"Bad Request"}', "close")
    line = api.wait_for(lambda line: reply.request_id in line, stderr=True)
    assert line.startswith("apispec: 400 Bad Request to 127.0.0.1") and f"unreadable body: {reason}" in line
    assert api.request("GET", "/echo?say=after").status == 200  # the server goes on; the cut request ran nothing
    api.wait_for(lambda line: line == "[echo] echo says after", since=mark)
    assert "[echo] echo says cut-short" not in api.out[mark:]
    assert not any("Traceback" in line for line in api.err)


# --- the event and the context ---------------------------------------------------------------------


def test_event(api: Server) -> None:
    headers = [("X-Multi", "one"), ("X-Multi", "two"), ("Cookie", "c1=v1; c2=v2"), ("User-Agent", "apispec-test")]
    before = time.time()
    reply, body = echo(api, "/echo?b=2&a=1&a=2&empty=&s=x%20y", headers=headers)
    event = body["event"]
    assert list(event) == ["version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters", "requestContext", "isBase64Encoded"]
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/echo"
    assert event["rawQueryString"] == "b=2&a=1&a=2&empty=&s=x%20y"
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["queryStringParameters"] == {"b": "2", "a": "1,2", "empty": "", "s": "x y"}
    assert event["isBase64Encoded"] is False
    assert all(name == name.lower() for name in event["headers"])
    assert event["headers"]["x-multi"] == "one,two"
    assert event["headers"]["user-agent"] == "apispec-test"
    assert event["headers"]["host"] == f"127.0.0.1:{api.port}"
    assert "cookie" not in event["headers"]
    context = event["requestContext"]
    assert context["accountId"] == "123456789012"
    assert re.fullmatch(r"[0-9a-f]{10}", context["apiId"])
    assert context["domainName"] == f"127.0.0.1:{api.port}"
    assert context["domainPrefix"] == "127"
    assert context["http"] == {"method": "GET", "path": "/echo", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "apispec-test"}
    assert context["requestId"] == reply.request_id
    assert context["routeKey"] == "GET /echo"
    assert context["stage"] == "$default"
    assert REQUEST_TIME.match(context["time"])
    assert before * 1000 - 1000 <= context["timeEpoch"] <= time.time() * 1000


def test_event_text_is_utf8(api: Server) -> None:
    """Raw bytes in the request line and headers are read as UTF-8 (not ISO-8859-1); bytes that are not UTF-8 are U+FFFD."""
    head = b"GET /r/caf\xc3\xa9?q=\xe2\x9c\x93&bad=\xff HTTP/1.1\r\nHost: x\r\nX-Name: J\xc3\xbcrgen\r\nX-Bad: a\xffb\r\n\r\n"
    reply = raw_request(api, head)
    assert reply.status == 200
    event = reply.json()["event"]
    assert (event["rawPath"], event["requestContext"]["http"]["path"]) == ("/r/caf\u00e9", "/r/caf\u00e9")
    assert event["pathParameters"] == {"param": "caf\u00e9"}
    assert event["rawQueryString"] == "q=\u2713&bad=\ufffd"
    assert event["queryStringParameters"] == {"q": "\u2713", "bad": "\ufffd"}
    assert (event["headers"]["x-name"], event["headers"]["x-bad"]) == ("J\u00fcrgen", "a\ufffdb")


@pytest.mark.parametrize(
    ("sent", "path", "route_key", "parameters"),
    [
        ("/r/caf%C3%A9", "/r/caf\u00e9", "GET /r/{param}", {"param": "caf\u00e9"}),
        ("/r/a%20b", "/r/a b", "GET /r/{param}", {"param": "a b"}),
        ("/r/a%2Fb", "/r/a/b", "GET /r/{proxy+}", {"proxy": "a/b"}),  # decoded before routing: `%2F` splits the segment
        ("/r/%6Citeral", "/r/literal", "GET /r/literal", None),
        ("/r/100%25", "/r/100%", "GET /r/{param}", {"param": "100%"}),
        ("/r/%zz%", "/r/%zz%", "GET /r/{param}", {"param": "%zz%"}),  # not an escape: kept as it is
        ("/r/%FF", "/r/\ufffd", "GET /r/{param}", {"param": "\ufffd"}),  # not UTF-8
    ],
)
def test_raw_path_is_percent_decoded(api: Server, sent: str, path: str, route_key: str, parameters: dict[str, str] | None) -> None:
    """API Gateway HTTP APIs pass the path decoded, in `rawPath` and `requestContext.http.path` alike, and
    route on the decoded path; the query string stays as sent."""
    mark = api.mark()
    reply = raw_request(api, f"GET {sent}?q=%2F HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    event = reply.json()["event"]
    assert (event["rawPath"], event["requestContext"]["http"]["path"], event["routeKey"]) == (path, path, route_key)
    assert (event.get("pathParameters"), event["rawQueryString"], event["queryStringParameters"]) == (parameters, "q=%2F", {"q": "/"})
    assert api.access_log(reply, mark)["path"] == path


@pytest.mark.parametrize(
    ("target", "raw_path", "query", "domain", "route_key"),
    [
        ("http://example.test:8080/r/abc?q=1", "/r/abc", "q=1", "example.test:8080", "GET /r/{param}"),
        ("HTTP://example.test/echo", "/echo", "", "example.test", "GET /echo"),
        ("http://example.test?q=1", "/", "q=1", "example.test", "$default"),
        ("http:///echo", "/echo", "", "sent.example", "GET /echo"),  # no authority: the Host header's
    ],
)
def test_absolute_form_target(api: Server, target: str, raw_path: str, query: str, domain: str, route_key: str) -> None:
    """`GET http://host/path HTTP/1.1` (what a client talking to a proxy sends) is served as `GET /path`
    with `host` as its host (RFC 7230 5.3.2), not answered 404."""
    reply = raw_request(api, f"GET {target} HTTP/1.1\r\nHost: sent.example\r\n\r\n".encode())
    assert reply.status == 200
    body = reply.json()
    if route_key == "$default":
        assert body["routeKey"] == route_key
        return
    event = body["event"]
    assert (event["rawPath"], event["rawQueryString"], event["routeKey"]) == (raw_path, query, route_key)
    assert event["requestContext"]["domainName"] == domain


def test_event_leaves_out_empty_keys(api: Server) -> None:
    event = echo(api)[1]["event"]
    for key in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert key not in event
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    ("content_type", "body", "encoded"),
    [
        ("application/json", b'{"x": "\xc3\xa9"}', False),
        ("text/plain; charset=utf-8", "héllo".encode(), False),
        ("application/xml", b"<a/>", False),
        ("application/javascript", b"1;", False),
        ("Application/JSON; charset=utf-8", b"{}", False),
        # AWS lists no text types; these were seen base64-encoded by live HTTP APIs (ministackorg/ministack#766)
        ("application/problem+json", b"{}", True),
        ("application/vnd.api+json", b"{}", True),
        ("application/graphql", b"{ a }", True),
        ("application/octet-stream", bytes(range(256)), True),
        ("text/plain", b"\xff\xfe not utf-8", True),
        ("application/x-www-form-urlencoded", b"a=1&b=2", True),
        ("", b"no content type", True),
    ],
)
def test_event_body(api: Server, content_type: str, body: bytes, encoded: bool) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    event = echo(api, method="POST", body=body, headers=headers)[1]["event"]
    assert event.get("headers", {}).get("content-type") == (content_type or None)
    assert event["isBase64Encoded"] is encoded
    assert (base64.b64decode(event["body"]) if encoded else event["body"].encode()) == body


def test_context_object(api: Server) -> None:
    reply, body = echo(api)
    context = body["context"]
    assert context["function_name"] == "serve-api-echo"
    assert context["function_version"] == "$LATEST"
    assert context["memory_limit_in_mb"] == "256"  # a string, as in the Python runtime
    assert context["invoked_function_arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:serve-api-echo"
    assert re.fullmatch(r"[0-9a-f-]{36}", context["aws_request_id"])
    assert context["aws_request_id"] == reply.header("x-request-id")
    assert context["log_group_name"] == "/aws/lambda/serve-api-echo"
    assert "[$LATEST]" in context["log_stream_name"]
    assert 25_000 < context["remaining_ms"] <= 30_000
    # awslambdaric lambda_context.py: `identity` is always a CognitoIdentity, its ids None without Cognito
    assert (context["identity"], context["client_context"]) == ([None, None], None)
    assert context["repr"].startswith(f"LambdaContext([aws_request_id={context['aws_request_id']},")
    assert "identity=CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None])" in context["repr"]


# --- responses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "body"),
    [
        ("str", 200, "application/json", b"hello"),  # AWS: a string result is the body as is
        ("list", 200, "application/json", b'[1, "two"]'),
        ("number", 200, "application/json", b"42"),
        ("none", 200, "application/json", b"null"),
        ("dict", 200, "application/json", b'{"a": 1}'),
        ("full", 201, "text/plain", b"created"),
        ("binary", 200, "application/octet-stream", bytes(range(256))),
        ("plain", 202, "text/plain; charset=utf-8", b"no content type"),
        ("bytes", 201, "text/plain", b"from bytes"),  # bytes are the payload as they are, not a JSON string
    ],
)
def test_response_shapes(api: Server, kind: str, status: int, content_type: str, body: bytes) -> None:
    reply = api.request("GET", f"/shapes/{kind}")
    assert (reply.status, reply.header("content-type"), reply.body) == (status, content_type, body)


@pytest.mark.parametrize("status", [200, 299, 418, 599])
def test_any_final_status_is_sent(api: Server, status: int) -> None:
    reply = api.request("GET", f"/shapes/status-{status}")
    assert (reply.status, reply.body) == (status, f"status-{status}".encode())


def test_response_headers_and_cookies(api: Server) -> None:
    reply = api.request("GET", "/shapes/full")
    assert reply.header("x-one") == "1"
    assert reply.all("set-cookie") == ["a=1; Path=/", "b=2"]


def test_cookies_come_before_a_set_cookie_header(api: Server) -> None:
    reply = api.request("GET", "/shapes/both-cookies")
    assert (reply.all("set-cookie"), reply.header("x-after")) == (["c=1", "d=2", "h=1"], "1")


@pytest.mark.parametrize(("kind", "date"), [("date", "Wed, 21 Oct 2015 07:28:00 GMT"), ("str", None)])
def test_one_date_header(api: Server, kind: str, date: str | None) -> None:
    dates = api.request("GET", f"/shapes/{kind}").all("date")
    assert len(dates) == 1 and dates[0] == (date or dates[0]) and dates[0].endswith(" GMT")


def test_head_request_has_no_body(api: Server) -> None:
    reply = api.request("HEAD", "/anything")  # $default answers every method
    assert reply.status == 200 and reply.body == b""


def test_latin1_header_values_are_sent(api: Server) -> None:
    reply = api.request("GET", "/shapes/latin1")
    assert (reply.status, reply.header("x-latin"), reply.all("set-cookie")) == (200, "caf\u00e9", ["n=\u00e9"])


@pytest.mark.parametrize(
    "payload",
    [
        '{"statusCode": "abc"}',
        '{"statusCode": 200, "headers": ["x"]}',
        '{"statusCode": 200, "cookies": "a=1"}',
        '{"statusCode": 200, "headers": {"": "1"}}',
        '{"statusCode": 200, "headers": {"x-\u00e9": "1"}}',
        '{"statusCode": 200, "headers": {"x-a": "1\\r2"}}',
        '{"statusCode": 200, "cookies": ["a=\\u0000"]}',
        '{"statusCode": 200, "headers": {"x-a": "\\ud83d\\ude00"}}',
        '{"statusCode": 200, "body": "\\udc80", "isBase64Encoded": false}',
        '{"statusCode": 200, "body": "\\u00e9", "isBase64Encoded": true}',
    ],
)
def test_from_lambda_rejects_malformed_results(payload: str) -> None:
    with pytest.raises(MalformedResponseError):
        from_lambda(payload)


# --- errors ----------------------------------------------------------------------------------------

INTERNAL = (500, b'{"message":"Internal Server Error"}')


def test_exception_is_500_with_traceback_in_log(api: Server) -> None:
    mark = api.mark()
    reply = api.request("GET", "/shapes/raise")
    assert (reply.status, reply.body) == INTERNAL
    api.wait_for(lambda line: line == "[shapes] [ERROR] ValueError: boom from shapes", since=mark)
    api.wait_for(lambda line: line == "[shapes] Traceback (most recent call last):", since=mark)
    api.wait_for(lambda line: line.startswith("[shapes]") and 'raise ValueError("boom from shapes")' in line, since=mark)
    # the runtime's stackTrace is the frames alone (awslambdaric bootstrap.py: traceback.format_list)
    lines = api.out[api.out.index("[shapes] [ERROR] ValueError: boom from shapes", mark):]
    assert lines[1] == "[shapes] Traceback (most recent call last):"
    assert re.fullmatch(r'\[shapes\]   File ".*shapes\.py", line \d+, in handler', lines[2]), lines
    assert "[shapes] ValueError: boom from shapes" not in lines
    log = api.access_log(reply, mark)
    assert log["status"] == "500" and "boom from shapes" in log["integrationErrorMessage"]
    assert log["errorMessage"] == "Internal Server Error"


@pytest.mark.parametrize(
    ("kind", "logged"),
    [
        ("unserialisable", "[shapes] [ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is not JSON serializable"),
        ("nan", "[shapes] [ERROR] Runtime.MarshalError: Unable to marshal response: Out of range float values are not JSON compliant"),
        ("infinity", "[shapes] [ERROR] Runtime.MarshalError: Unable to marshal response: Out of range float values are not JSON compliant"),
        ("decimal-nan", "[shapes] [ERROR] Runtime.MarshalError: Unable to marshal response: Out of range float values are not JSON compliant"),
        ("bytes-not-json", "[shapes] The response from the Lambda function doesn't match the format that API Gateway expects. The result is not JSON"),
        ("badbody", '[shapes] The response from the Lambda function doesn\'t match the format that API Gateway expects. Lambda body contains the wrong type for field "body"'),
        ("exit", "[shapes] RequestId: "),
    ],
)
def test_bad_results_are_500(api: Server, kind: str, logged: str) -> None:
    mark = api.mark()
    reply = api.request("GET", f"/shapes/{kind}")
    assert (reply.status, reply.body) == INTERNAL
    api.wait_for(lambda line: line.startswith(logged), since=mark)
    assert api.request("GET", "/shapes/str").status == 200  # the function still works


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("exit", "Runtime exited with error: exit status 3"),
        ("exit-none", "Runtime exited without providing a reason"),  # sys.exit() is status 0
        ("exit-text", "Runtime exited with error: exit status 1"),
        ("os-exit", "Runtime exited with error: exit status 4"),
        ("os-exit-0", "Runtime exited without providing a reason"),
        ("sigkill", "Runtime exited with error: signal: killed"),
    ],
)
def test_an_exit_is_a_runtime_exit_error_and_the_next_request_works(api: Server, kind: str, reason: str) -> None:
    """Lambda's words for a runtime that ends mid-invocation (`exit status N`, `signal: killed`, and no
    reason for status 0), after `RequestId: <id> Error: `; a new environment takes the next request."""
    mark = api.mark()
    reply = api.request("GET", f"/shapes/{kind}")
    assert (reply.status, reply.body) == INTERNAL
    start = api.wait_for(lambda line: line.startswith("[shapes] RequestId: "), since=mark)
    # Lambda's own log of it: `RequestId: <id> Error: <reason>`, then `Runtime.ExitError` (rebuy-de/aws-nuke#806)
    assert re.fullmatch(r"\[shapes\] RequestId: [0-9a-f-]{36} Error: " + re.escape(reason), start), start
    lines = api.out[api.out.index(start, mark):]
    assert lines[1] == "[shapes] Runtime.ExitError", lines
    if kind == "exit-text":  # Python prints a non-integer exit code to stderr
        api.wait_for(lambda line: line == "[shapes] leaving with words", since=mark)
    assert api.request("GET", "/shapes/str").body == b"hello"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("header-emoji", 'header x-emoji has a character that is not ISO-8859-1 ("\\u2713" at 0): percent-encode it'),
        ("cookie-emoji", 'a cookie has a character that is not ISO-8859-1 ("\\u2713" at 3)'),
        ("header-crlf", 'header x-a contains CR, LF or NUL: "a\\r\\nx-injected: 1"'),
        ("cookie-lf", "a cookie contains CR, LF or NUL"),
        ("header-nul", "header x-a contains CR, LF or NUL"),
        ("header-name", 'header name "bad name:" is not an HTTP token'),
        ("body-surrogate", 'body is not valid Unicode: a lone surrogate "\\ud800" at 0'),
        ("str-surrogate", "the result is not valid Unicode: a lone surrogate"),
        ("status-100", "statusCode must be an HTTP status code from 200 to 599, got 100"),
        ("status-101", "statusCode must be an HTTP status code from 200 to 599, got 101"),
        ("status-199", "statusCode must be an HTTP status code from 200 to 599, got 199"),
        ("status-600", "statusCode must be an HTTP status code from 200 to 599, got 600"),
    ],
)
def test_unsendable_responses_are_500_with_the_reason_logged(api: Server, kind: str, reason: str) -> None:
    mark = api.mark()
    reply = api.request("GET", f"/shapes/{kind}")
    assert (reply.status, reply.body) == INTERNAL
    assert reply.header("x-injected") is None and reply.header("x-emoji") is None and reply.header("set-cookie") is None
    api.wait_for(lambda line: line.startswith("[shapes] The response from the Lambda function doesn't match") and reason in line, since=mark)
    assert reason in api.access_log(reply, mark)["integrationErrorMessage"]
    assert not any("Traceback" in line or "Exception occurred" in line for line in api.err)


class _FaultyApp:
    """Stands in for `App` in an in-process server: `handle` raises, or answers what cannot be sent."""

    def __init__(self, response: Response | None) -> None:
        self.response = response

    def handle(self, request: events.Request) -> Exchange:
        if self.response is None:
            raise RuntimeError("a bug in the app")
        return Exchange(self.response)

    def access_log_line(self, request: events.Request, exchange: Exchange, sent: int, finished: float) -> str:
        return f"{exchange.response.status} {request.request_id}"


@pytest.mark.parametrize(
    ("response", "logged", "where"),
    [
        # `where`: the line that raised; for one outside apispec's code, also the innermost apispec line that led there
        (None, "RuntimeError: a bug in the app", r"\(at tests/test_serve\.py:\d+, from compiler/serve/server\.py:\d+\)$"),
        (Response(200, [("x-emoji", "\u2713")], b"ok"), "UnicodeEncodeError", r"\(at compiler/serve/server\.py:\d+\)$"),
        (Response(200, [("x-a", "1\r\nx-injected: 1")], b"ok"), "ValueError: a header contains CR, LF or NUL", r"\(at compiler/serve/server\.py:\d+\)$"),
    ],
)
def test_server_errors_are_500_without_traceback(
    capsys: pytest.CaptureFixture[str], response: Response | None, logged: str, where: str
) -> None:
    out: list[str] = []
    notices: list[str] = []
    server = HTTPServer(("127.0.0.1", 0), cast(App, _FaultyApp(response)), out.append, notices.append)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=PATIENCE)
        for _ in range(2):  # the connection stays usable
            connection.request("GET", "/x")
            response_ = connection.getresponse()
            reply = Reply(response_.status, response_.getheaders(), response_.read())
            assert (reply.status, reply.body) == INTERNAL
            assert reply.header("x-injected") is None
            deadline = time.monotonic() + PATIENCE
            while f"500 {reply.request_id}" not in out and time.monotonic() < deadline:  # logged after the reply
                time.sleep(0.01)
            assert f"500 {reply.request_id}" in out
            assert any(logged in line and reply.request_id in line for line in notices)
            assert any(re.search(where, line) for line in notices if reply.request_id in line), notices
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (b"", b""),  # connected and said nothing (or an idle keep-alive): closed
        (b"GET /x HTT", b""),  # half a request line
        (b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", b"HTTP/1.1 408 Request Timeout\r\n"),
    ],
)
def test_a_silent_client_is_let_go(sent: bytes, expected: bytes) -> None:
    """A connection that stays silent past the read timeout is closed (a 408 when the body stops
    coming), so it does not hold a server thread for ever; the app never sees the request."""
    access_lines: list[str] = []
    notices: list[str] = []
    server = HTTPServer(("127.0.0.1", 0), cast(App, _FaultyApp(None)), access_lines.append, notices.append, read_timeout=0.3)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=PATIENCE) as sock:
            started = time.monotonic()
            sock.sendall(sent)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
            waited = time.monotonic() - started
        assert received.startswith(expected) and (expected or received == b"")
        assert waited > 0.25  # it waited for its read timeout (a lower bound: a slower machine only waits longer)
        assert not any("a bug in the app" in line for line in notices)  # `handle` was never called
        if expected:
            assert any("408 Request Timeout" in line and "no byte of the body for 0.3 s" in line for line in notices)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("\u00e9".encode() * 2_000_000, "text/plain; charset=utf-8", 200),  # 4 MB of UTF-8; 12 MB as \u escapes
        (b"x" * 6_300_000, "text/plain", 413),
        (bytes(4_800_000), "application/octet-stream", 413),  # 6.4 MB once base64-encoded
    ],
)
def test_event_size_limit_counts_utf8_bytes(api: Server, body: bytes, content_type: str, status: int) -> None:
    reply = api.request("POST", "/big", body, [("Content-Type", content_type)], timeout=60)
    assert reply.status == status
    if status == 200:
        assert reply.json()["bodyChars"] == len(body.decode())
    else:
        assert reply.json() == {"message": "Request Entity Too Large"}


@pytest.mark.parametrize(("chars", "status"), [(1_500_000, 200), (3_200_000, 500)])
def test_result_size_limit_counts_utf8_bytes(api: Server, chars: int, status: int) -> None:
    """Lambda's 6 MB is bytes of the UTF-8 JSON: 1.5 million `é` are 3 MB (9 MB as `\\u00e9` escapes)."""
    mark = api.mark()
    reply = api.request("GET", f"/shapes/wide-{chars}", timeout=60)
    assert reply.status == status
    if status == 200:
        assert reply.body == "\u00e9".encode() * chars
    else:
        size = 2 * chars + len('{"statusCode": 200, "body": ""}')
        api.wait_for(lambda line: line.startswith(f"[shapes] [ERROR] Function.ResponseSizeTooLarge: Response payload size ({size} bytes)"), since=mark)


def test_import_error_is_500_with_the_error_logged(api: Server) -> None:
    for _ in range(2):  # a failed init is retried on the next request, as Lambda does
        mark = api.mark()
        reply = api.request("GET", "/broken")
        assert (reply.status, reply.body) == INTERNAL
        api.wait_for(
            lambda line: line.startswith("[broken] [ERROR] Runtime.ImportModuleError: Unable to import module 'broken':")
            and "No module named 'apispec_no_such_module'" in line,
            since=mark,
        )


def test_timeout_is_500_and_logged(api: Server) -> None:
    mark = api.mark()
    started = time.monotonic()
    reply = api.request("GET", "/slow")
    waited = time.monotonic() - started
    assert (reply.status, reply.body) == INTERNAL
    assert waited > 0.9  # the function ran for its whole 1 s timeout (a lower bound: a slower machine only waits longer)
    api.wait_for(lambda line: line == "[slow] slow starts", since=mark)
    api.wait_for(lambda line: line == "[slow] Task timed out after 1.00 seconds", since=mark)
    assert "Task timed out after 1.00 seconds" in api.access_log(reply, mark)["integrationErrorMessage"]


def test_other_runtime_is_502(api: Server) -> None:
    mark = api.mark()
    reply = api.request("GET", "/node")
    assert (reply.status, reply.body) == (502, b'{"message":"Bad Gateway"}')
    api.wait_for(lambda line: line.startswith("[node] runtime nodejs24.x is not run locally"), since=mark)


# --- CORS ------------------------------------------------------------------------------------------


def test_cors_preflight(api: Server) -> None:
    reply = api.request("OPTIONS", "/echo", headers=[("Origin", ALLOWED), ("Access-Control-Request-Method", "POST")])
    assert reply.status == 204 and reply.body == b""
    cors = {k.lower(): v for k, v in reply.headers if k.lower().startswith("access-control-")}
    assert cors == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "content-type,x-custom",
        "access-control-max-age": "600",
    }
    assert reply.header("x-request-id") is None  # answered by the API, not the function


def test_cors_preflight_other_origin(api: Server) -> None:
    reply = api.request("OPTIONS", "/echo", headers=[("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")])
    assert reply.status == 204
    assert not [k for k, _ in reply.headers if k.lower().startswith("access-control-")]


@pytest.mark.parametrize("path", ["/opt", "/echo", "/no/such/route"])
def test_cors_preflight_never_reaches_a_route(api: Server, path: str) -> None:
    """With `api.cors`, API Gateway answers preflights itself, even where an `OPTIONS` route (`/opt`), another
    route (`/echo`) or only `$default` matches: no function runs, so no function output and no route key."""
    mark = api.mark()
    reply = api.request("OPTIONS", path, headers=[("Origin", ALLOWED), ("Access-Control-Request-Method", "GET")])
    assert (reply.status, reply.body, reply.header("access-control-allow-origin")) == (204, b"", ALLOWED)
    assert reply.header("x-request-id") is None
    log = api.access_log(reply, mark)
    assert (log["status"], log["routeKey"], log["integrationLatency"]) == ("204", "-", "-")


@pytest.mark.parametrize(("path", "route_key"), [("/opt", "OPTIONS /opt"), ("/echo", "$default")])
def test_options_without_preflight_headers_is_routed(api: Server, path: str, route_key: str) -> None:
    for headers in ([], [("Origin", ALLOWED)], [("Access-Control-Request-Method", "GET")]):  # a preflight needs both
        reply = api.request("OPTIONS", path, headers=headers)
        assert reply.status == 200
        assert (reply.json()["event"]["routeKey"] if route_key != "$default" else reply.json()["routeKey"]) == route_key


@pytest.mark.parametrize(
    ("path", "route_key"),
    [("/opt", "OPTIONS /opt"), ("/any", "ANY /any"), ("/get", "$default"), ("/no/such/route", "$default")],
)
def test_without_cors_a_preflight_is_routed(plain: Server, path: str, route_key: str) -> None:
    """Without `api.cors`, API Gateway has no CORS to answer with: a preflight goes to the route that
    matches `OPTIONS` (an `OPTIONS` route, `ANY`, `$default`; a `GET` route does not) and its function answers."""
    reply = plain.request("OPTIONS", path, headers=[("Origin", ALLOWED), ("Access-Control-Request-Method", "GET")])
    assert (reply.status, reply.json()) == (200, {"routeKey": route_key, "method": "OPTIONS"})
    assert not [k for k, _ in reply.headers if k.lower().startswith("access-control-")]


@pytest.mark.parametrize(("origin", "expected"), [(ALLOWED, ALLOWED), ("https://evil.example", None), (None, None)])
def test_cors_headers_on_matching_origins_only(api: Server, origin: str | None, expected: str | None) -> None:
    reply = api.request("GET", "/echo", headers=[("Origin", origin)] if origin else [])
    assert reply.header("access-control-allow-origin") == expected  # the function's own value is ignored
    assert reply.header("access-control-expose-headers") == ("x-request-id" if expected else None)
    assert reply.header("access-control-allow-credentials") == ("true" if expected else None)


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("http://localhost:3000", "http://localhost:3000"),  # `http://*`: any http origin, echoed
        ("HTTP://Anything.example", "HTTP://Anything.example"),
        ("https://app.example.com", "https://app.example.com"),  # listed: compared case-insensitively
        ("https://sub.example.com", None),  # `https://*.example.com` is no wildcard API Gateway documents
        ("https://localhost:3000", None),
        ("http://", None),
        ("null", None),
    ],
)
def test_cors_scheme_wildcard_origins(origins: Server, origin: str, expected: str | None) -> None:
    preflight = origins.request("OPTIONS", "/hi", headers=[("Origin", origin), ("Access-Control-Request-Method", "GET")])
    reply = origins.request("GET", "/hi", headers=[("Origin", origin)])
    assert (preflight.status, reply.status, reply.body) == (204, 200, b"hi")
    assert preflight.header("access-control-allow-origin") == reply.header("access-control-allow-origin") == expected
    assert preflight.header("access-control-allow-methods") == ("GET" if expected else None)


def test_cors_origin_wildcard_inside_a_host_is_warned_about_at_start(origins: Server) -> None:
    origins.wait_for(lambda line: "W413" in line, stderr=True)
    (line,) = [line for line in origins.err if "W413" in line]
    assert line.endswith("service.yaml:11:60: warning W413: api.cors.allow_origins[2]: API Gateway documents `*` only as the whole "
                         "origin or right after the scheme (`https://*`), not inside a host name, so this may match no origin; "
                         "list each origin, e.g. `https://app.example.com`")


# --- environments, logs, concurrency ---------------------------------------------------------------


def test_each_function_has_its_own_environment_and_modules(api: Server) -> None:
    body = echo(api)[1]
    assert body["env"] == {
        "FLAVOR": "vanilla",  # the parameter's default
        "WORD": "w-xyzzy",  # from --param
        "SHARED": "from-echo",
        "OTHER_ONLY": None,
        "AWS_LAMBDA_FUNCTION_NAME": "serve-api-echo",
        "AWS_REGION": "eu-west-1",
        "LAMBDA_TASK_ROOT": str(FIXTURES / "api" / "code" / "echo"),
        "_HANDLER": "app.handler",
    }
    assert body["marker"] == "echo-helper"
    other = api.request("GET", "/other").json()
    assert other["env"] == {"FLAVOR": None, "WORD": None, "SHARED": "from-other", "OTHER_ONLY": "only-other"}
    assert other["sees_echo_helper"] is False
    assert other["module"] == str(FIXTURES / "api" / "code" / "other" / "app.py")
    assert body["module"] == str(FIXTURES / "api" / "code" / "echo" / "app.py")


def test_handler_output_is_prefixed_and_comes_before_the_access_log(api: Server) -> None:
    mark = api.mark()
    reply = api.request("GET", "/echo?say=hi")
    printed = api.wait_for(lambda line: line == "[echo] echo says hi", since=mark)
    log = api.access_log(reply, mark)
    assert api.out.index(printed, mark) < api.out.index(json.dumps(log, separators=(",", ":")), mark)
    mark = api.mark()
    assert api.request("GET", "/shapes/log").body == b"logged"
    api.wait_for(lambda line: line.startswith("[shapes] [WARNING]\t") and line.endswith("\tcareful now"), since=mark)
    api.wait_for(lambda line: line == "[shapes] to stderr", since=mark)


def test_long_output_in_small_writes_is_one_line(api: Server) -> None:
    """2 MB written in small pieces is one prefixed line (how fast: `bench/bench.py`; re-scanning the
    line on every write took minutes)."""
    mark = api.mark()
    reply = api.request("GET", "/shapes/chatty")
    assert (reply.status, reply.body) == (200, b"chatted")
    assert api.wait_for(lambda line: line.startswith("[shapes] 0123"), since=mark) == "[shapes] " + "0123456789" * 200_000
    api.wait_for(lambda line: line == "[shapes] end of chatter, then an open line", since=mark)


def test_every_line_of_an_error_has_the_prefix(api: Server) -> None:
    mark = api.mark()
    reply = api.request("GET", "/shapes/raise-lines")
    assert (reply.status, reply.body) == INTERNAL
    api.access_log(reply, mark)  # written after the error's lines
    lines = [line for line in api.out[mark:] if not line.startswith("{")]
    assert "[shapes] [ERROR] ValueError: first line of boom" in lines
    assert lines.count("[shapes] second line of boom") == 1  # in the summary (the stack has frames only, as on Lambda)
    assert lines.count("[shapes] third line of boom") == 1
    assert any(line.startswith('[shapes]   File "') for line in lines)
    assert [line for line in lines if not line.startswith("[shapes] ")] == []


def test_access_log_fields(api: Server) -> None:
    mark = api.mark()
    reply = api.request("GET", "/r/abc", headers=[("User-Agent", "x")])
    log = api.access_log(reply, mark)
    assert list(log) == [
        "requestId", "ip", "requestTime", "httpMethod", "routeKey", "path", "status", "protocol", "responseLength",
        "integrationErrorMessage", "errorMessage", "integrationLatency", "responseLatency", "stage", "apiId", "domainName",
        "authorizerError",
    ]  # fmt: skip
    assert log["ip"] == "127.0.0.1"
    assert REQUEST_TIME.match(log["requestTime"])
    assert (log["httpMethod"], log["routeKey"], log["path"], log["status"], log["protocol"]) == ("GET", "GET /r/{param}", "/r/abc", "200", "HTTP/1.1")
    assert log["responseLength"] == str(len(reply.body))
    assert (log["integrationErrorMessage"], log["errorMessage"], log["authorizerError"]) == ("-", "-", "-")
    assert log["integrationLatency"].isdigit() and log["responseLatency"].isdigit()
    assert (log["stage"], log["domainName"]) == ("$default", f"127.0.0.1:{api.port}")


def test_access_log_render_unknown_variables() -> None:
    line = accesslog.render((("a", "$context.status"), ("b", "$context.nothing"), ("c", "x $context.status y")), {"status": 200})
    assert line == '{"a":"200","b":"-","c":"x 200 y"}'


def test_concurrent_requests(api: Server) -> None:
    def call(n: int) -> tuple[int, str, int]:
        reply = api.request("GET", f"/echo?sleep=0.3&n={n}")
        body = reply.json()
        return reply.status, body["event"]["queryStringParameters"]["n"], body["pid"]

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(call, range(32)))
    assert [(status, n) for status, n, _ in results] == [(200, str(n)) for n in range(32)]
    assert 1 < len({pid for _, _, pid in results}) <= 10  # served side by side by several workers, at most 10 per function


# --- hot reload and clean stop ---------------------------------------------------------------------


def test_hot_reload_and_clean_stop(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "reload", tmp_path / "reload")
    code = tmp_path / "reload" / "code" / "live"
    handler = code / "live.py"
    server = Server(tmp_path / "reload" / "service.yaml")
    try:
        first = server.request("GET", "/version").json()
        assert first["version"] == 1
        assert server.request("GET", "/version").json() == first  # the same warm worker
        assert worker_pids(server.process.pid)
        (code / "notes.txt").write_text("not a module\n")  # nothing imported it: the worker stays warm
        assert server.request("GET", "/version").json() == first
        (code / "extra.py").write_text("SUFFIX = '-new'\n")
        handler.write_text("import extra\n\n\ndef handler(event, context):\n    return {'version': '2' + extra.SUFFIX}\n")
        assert server.request("GET", "/version").json() == {"version": "2-new"}
        (code / "extra.py").write_text("SUFFIX = '-newer'\n")  # a module the handler imports
        assert server.request("GET", "/version").json() == {"version": "2-newer"}
        (code / "extra.py").unlink()
        assert (server.request("GET", "/version").status, server.request("GET", "/version").status) == (500, 500)
        (code / "extra.py").write_text("SUFFIX = '-back'\n")
        assert server.request("GET", "/version").json() == {"version": "2-back"}
        # Edited while the request that first imports it runs: the next request still gets the edit.
        slow_import = "import time\n\nprint('importing')\ntime.sleep(0.3)\nVERSION = {}\n\n\ndef handler(event, context):\n    return {{'version': VERSION}}\n"
        handler.write_text(slow_import.format(3))
        mark = server.mark()
        with ThreadPoolExecutor(max_workers=1) as pool:
            during = pool.submit(server.request, "GET", "/version")
            server.wait_for(lambda line: line == "[live] importing", since=mark)
            handler.write_text(slow_import.format(40))
            assert during.result().json() == {"version": 3}
        assert server.request("GET", "/version").json() == {"version": 40}
    finally:
        code_ = server.stop()
    assert code_ == 0
    assert any(line.endswith("live: live.py changed; loading the new code") for line in server.err)
    assert any(line.endswith("live: extra.py changed; loading the new code") for line in server.err)
    assert "apispec: stopped" in server.err


def _vendored_tree(code: Path, scratch: Path) -> None:
    """20,000 files under `code/vendor/` (hard links: 20,000 directory entries in a blink)."""
    empty = scratch / "empty.py"
    empty.write_bytes(b"")
    for d in range(100):
        package = code / "vendor" / f"pkg{d}"
        package.mkdir(parents=True)
        for i in range(200):
            os.link(empty, package / f"m{i}.py")


def test_hot_reload_watches_only_the_files_the_handler_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before each request the pool stats the files its workers imported, not the `source` tree: of
    20,000 vendored files, the one the handler imports (stat-ing them all took ~3 s per 30 requests)."""
    from compiler.pipeline import check
    from compiler.serve import config, workers

    shutil.copytree(FIXTURES / "reload", tmp_path / "reload")
    code = tmp_path / "reload" / "code" / "live"
    _vendored_tree(code, tmp_path)
    (code / "live.py").write_text("from vendor.pkg3 import m5\n\n\ndef handler(event, context):\n    return {'version': 1}\n")
    resolved = check(tmp_path / "reload" / "service.yaml").resolved
    assert resolved is not None
    function = config.load(resolved, tmp_path / "reload", {}).functions["live"]
    stated: list[str] = []
    real_file_state = workers.file_state

    def counted(path: str) -> workers.FileState:
        stated.append(path)
        return real_file_state(path)

    monkeypatch.setattr(workers, "file_state", counted)
    logged: list[str] = []
    pool = workers.Pool(function, logged.append, logged.append)
    invocation = workers.Invocation(event={}, requestId="r", timeoutMs=PATIENCE_MS, invokedFunctionArn=function.arn, traceId="t")
    try:
        outcomes = [pool.invoke(invocation) for _ in range(31)]
    finally:
        pool.close()
    assert [json.loads(o.result or "null") for o in outcomes] == [{"version": 1}] * 31, logged
    # the first request's imports are watched once they are reported; the next 30 check them first
    assert sorted({Path(p).relative_to(code).as_posix() for p in stated}) == ["live.py", "vendor/pkg3/m5.py"]
    assert len(stated) == 2 + 30 * 2


def test_hot_reload_ignores_what_the_handler_never_imported(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "reload", tmp_path / "reload")
    code = tmp_path / "reload" / "code" / "live"
    _vendored_tree(code, tmp_path)
    server = Server(tmp_path / "reload" / "service.yaml")
    try:
        first = server.request("GET", "/version").json()
        assert [server.request("GET", "/version").json() for _ in range(3)] == [first] * 3
        os.utime(code / "vendor" / "pkg7" / "m7.py", ns=(1, 1))  # not imported: not watched
        assert server.request("GET", "/version").json() == first
        (code / "live.py").write_text("def handler(event, context):\n    return {'version': 'new'}\n")
        assert server.request("GET", "/version").json() == {"version": "new"}
    finally:
        assert server.stop() == 0


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=["TERM", "HUP", "KILL"])
def test_no_process_outlives_the_server(signum: int) -> None:
    """Workers, idle or busy, and what their handlers started end with the server, however it ends."""
    server = Server(FIXTURES / "orphans" / "service.yaml")
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            server.request("GET", "/hold", timeout=60)
        except (OSError, http.client.HTTPException) as exc:  # the server goes away mid-request
            errors.append(exc)

    holder = threading.Thread(target=hold, daemon=True)
    try:
        holder.start()
        busy_child = int(server.wait_for(lambda line: line.startswith("[spawner] child ")).split()[-1])
        idle_child = server.request("GET", "/spawn").json()["child"]  # a second worker, idle once it answered
        workers = worker_pids(server.process.pid)
        assert len(workers) == 2 and alive(idle_child) and alive(busy_child)
        server.process.send_signal(signum)
        code = server.process.wait(timeout=PATIENCE)
        deadline = time.monotonic() + PATIENCE
        while any(map(alive, [*workers, idle_child, busy_child])) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in [*workers, idle_child, busy_child] if alive(pid)] == []
        if signum == signal.SIGKILL:
            assert code == -signal.SIGKILL
        else:
            assert code == 0
            server.wait_for(lambda line: line == "apispec: stopped", stderr=True)
            assert not any("Traceback" in line for line in server.err)
    finally:
        if server.process.poll() is None:
            server.process.kill()
        holder.join(timeout=PATIENCE)


# --- the tutorial ----------------------------------------------------------------------------------


def test_tutorial(tutorial: Server) -> None:
    assert tutorial.api_name == "demo-api"
    mark = tutorial.mark()
    reply = tutorial.request("POST", "/demo_API_Stage/api/submit_post", b'{"user": "ada"}', [("Content-Type", "application/json")])
    if importlib.util.find_spec("boto3") is None:
        assert (reply.status, reply.body) == INTERNAL
        tutorial.wait_for(lambda line: "Runtime.ImportModuleError" in line and "No module named 'boto3'" in line, since=mark)
    else:  # boto3 is importable here: the handler validates the body before it needs AWS
        assert (reply.status, reply.json()) == (400, {"message": "missing fields: post"})
    assert reply.header("access-control-allow-origin") is None  # no Origin sent
    assert tutorial.access_log(reply, mark)["status"] == str(reply.status)
    preflight = tutorial.request(
        "OPTIONS", "/demo_API_Stage/api/submit_post", headers=[("Origin", "https://anywhere.example"), ("Access-Control-Request-Method", "POST")]
    )
    assert (preflight.status, preflight.header("access-control-allow-origin")) == (204, "*")
    assert preflight.header("access-control-allow-methods") == "POST,GET,OPTIONS,DELETE"
    assert tutorial.request("POST", "/api/submit_post").status == 404
