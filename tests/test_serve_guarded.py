"""`apispec serve` with section A's keys, over real HTTP: authorizers (Lambda, JWT, IAM), throttling,
`timeout_ms`, payload format 1.0 and `url` routes, in API Gateway's order (CORS preflight, route,
throttling, authorizer, integration).

The spec is `tests/serve_fixtures/guarded`, served from a copy whose `url` routes point at an upstream
server this module runs; JWT tokens are signed with a key made here and checked with `--jwks`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.test_serve import FIXTURES, PATIENCE, ROOT, Reply, Server
from tests.test_serve_authorizers import jwks_text, token

ISSUER = "https://issuer.example.com"
API_ID = "21c8cf0644"  # the first 10 hex digits of sha256("serve-guarded-api")
SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/eu-west-1/execute-api/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)
UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}


class Upstream(BaseHTTPRequestHandler):
    """What `url` routes proxy to: the request it got, as JSON, with a status and header of its own."""

    def do_GET(self) -> None:
        if self.path == "/sleep":
            time.sleep(1)
        body = json.dumps({"path": self.path, "x-token": self.headers.get("x-token"), "host": self.headers.get("host")}).encode()
        try:
            self.send_response(203)
            self.send_header("content-type", "application/json")
            self.send_header("x-upstream", "yes")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # /sleep: serve stopped waiting, as it should
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, upstream: int, key: rsa.RSAPrivateKey) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("guarded")
    shutil.copytree(FIXTURES / "guarded", root / "guarded")
    spec = root / "guarded" / "service.yaml"
    spec.write_text(spec.read_text().replace("http://upstream.invalid:8080", f"http://127.0.0.1:{upstream}"))
    (root / "jwks.json").write_text(jwks_text(key))
    server = Server(spec, "--jwks", str(root / "jwks.json"))
    yield server
    assert server.stop() == 0


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": "serve-tests", "sub": "user-1", "exp": now + 3600, "iat": now - 60, "scope": "read"} | changes


def get(server: Server, path: str, *headers: tuple[str, str]) -> Reply:
    return server.request("GET", path, headers=list(headers))


def event(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, (reply.status, reply.body)
    return dict(reply.json())


# --- start-up --------------------------------------------------------------------------------------


def test_start_notes(guarded: Server) -> None:
    assert guarded.out[0].startswith("apispec: serving serve-guarded-api on ")
    note = guarded.wait_for(lambda line: line.startswith("apispec: note:"), stderr=True)
    assert note == "apispec: note: IAM-authorized routes need a SigV4 Authorization header; its signature is not verified locally"
    assert not any("signatures are not checked" in line for line in guarded.err)  # --jwks was given (warnings come first)


def test_without_jwks_signatures_are_not_checked_and_said_so() -> None:
    server = Server(FIXTURES / "guarded" / "service.yaml")
    try:
        warning = server.wait_for(lambda line: "JWT authorizer" in line, stderr=True)
        assert warning.startswith("apispec: warning: JWT authorizer `cognito`: token signatures are not checked (cannot fetch the keys of https://issuer.example.com")
        assert warning.endswith("give --jwks FILE to check them")
        unsigned = token(rsa.generate_private_key(public_exponent=65537, key_size=2048), claims())
        assert event(get(server, "/jwt", ("Authorization", unsigned)))["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "user-1"
    finally:
        assert server.stop() == 0


def test_unreadable_jwks_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "jwks.json").write_text('{"keys": []}')
    result = subprocess.run(
        [sys.executable, "-c", "from compiler.cli import main; main()", "serve", str(FIXTURES / "guarded" / "service.yaml"),
         "--port", "0", "--jwks", str(tmp_path / "jwks.json")],
        capture_output=True, text=True, timeout=PATIENCE, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.endswith("jwks.json: the JWKS has no RSA signing key (API Gateway supports RSA-based algorithms only)\n")
    assert "Traceback" not in result.stderr


# --- Lambda authorizers ----------------------------------------------------------------------------


def test_open_route_has_no_authorizer(guarded: Server) -> None:
    assert "authorizer" not in event(get(guarded, "/open"))["requestContext"]


def test_lambda_authorizer_simple_response_and_cache(guarded: Server) -> None:
    missing = get(guarded, "/lambda")
    assert (missing.status, missing.json()) == (401, UNAUTHORIZED)
    reason = "authorizer simple: an identity source is missing ($request.header.X-Token)"
    assert guarded.wait_for(lambda line: missing.request_id in line, stderr=True) == (
        f"apispec: 401 Unauthorized for GET /lambda (request {missing.request_id}): {reason}"
    )
    assert guarded.access_log(missing) == {
        "requestId": missing.request_id, "routeKey": "GET /lambda", "status": "401", "error": "Unauthorized",
        "authorizerError": reason, "integrationError": "-",
    }  # fmt: skip
    denied = get(guarded, "/lambda", ("X-Token", "bad"))
    assert (denied.status, denied.json()) == (403, FORBIDDEN)
    first = event(get(guarded, "/lambda", ("X-Token", "good-1")))["requestContext"]["authorizer"]
    assert first == {"lambda": {"token": "good-1", "calls": 2, "type": "REQUEST"}}  # the 401 invoked nothing
    again = event(get(guarded, "/lambda", ("x-token", "good-1")))["requestContext"]["authorizer"]
    assert again == {"lambda": {"token": "good-1", "calls": 2, "type": "REQUEST"}}  # cached (ttl 300)
    other = event(get(guarded, "/lambda", ("X-Token", "good-2")))["requestContext"]["authorizer"]
    assert other == {"lambda": {"token": "good-2", "calls": 3, "type": "REQUEST"}}
    cached_denial = get(guarded, "/lambda", ("X-Token", "bad"))
    assert (cached_denial.status, cached_denial.json()) == (403, FORBIDDEN)


def test_lambda_authorizer_policy_response_payload_1(guarded: Server) -> None:
    allowed = event(get(guarded, "/policy/7", ("X-Token", "good")))
    arn = f"arn:aws:execute-api:eu-west-1:123456789012:{API_ID}/$default/GET/policy/7"
    assert allowed["requestContext"]["authorizer"] == {"lambda": {"methodArn": arn}}
    denied = get(guarded, "/policy/7", ("X-Token", "deny"))
    assert (denied.status, denied.json()) == (403, FORBIDDEN)


def test_lambda_authorizer_that_fails_is_a_500(guarded: Server) -> None:
    since = guarded.mark()
    failed = get(guarded, "/policy/8", ("X-Token", "boom"))
    assert (failed.status, failed.json()) == (500, {"message": "Internal Server Error"})
    guarded.wait_for(lambda line: line == "[policy] [ERROR] RuntimeError: the authorizer failed", since=since)


# --- JWT authorizers -------------------------------------------------------------------------------


def test_jwt_authorizer(guarded: Server, key: rsa.RSAPrivateKey) -> None:
    good = claims(groups=["a", "b"])
    granted = event(get(guarded, "/jwt", ("Authorization", "Bearer " + token(key, good))))["requestContext"]["authorizer"]
    expected_claims = {
        "iss": ISSUER, "aud": "serve-tests", "sub": "user-1", "exp": str(good["exp"]), "iat": str(good["iat"]), "scope": "read", "groups": "[a b]",
    }  # fmt: skip
    assert granted == {"jwt": {"claims": expected_claims, "scopes": ["read"]}}
    for bad in (
        token(key, claims(aud="someone-else")),
        token(key, claims(exp=int(time.time()) - 10)),
        token(key, claims(iss="https://elsewhere.example.com")),
        token(rsa.generate_private_key(public_exponent=65537, key_size=2048), claims()),  # not the JWKS's key
        "not-a-jwt",
    ):
        refused = get(guarded, "/jwt", ("Authorization", bad))
        assert (refused.status, refused.json()) == (401, UNAUTHORIZED), bad
    missing = get(guarded, "/jwt")
    assert (missing.status, missing.json()) == (401, UNAUTHORIZED)


def test_jwt_route_scopes(guarded: Server, key: rsa.RSAPrivateKey) -> None:
    without = get(guarded, "/jwt/admin", ("Authorization", token(key, claims())))
    assert (without.status, without.json()) == (403, FORBIDDEN)
    admin = event(get(guarded, "/jwt/admin", ("Authorization", token(key, claims(scope="read admin")))))
    assert admin["requestContext"]["authorizer"]["jwt"]["scopes"] == ["read", "admin"]


# --- IAM -------------------------------------------------------------------------------------------


def test_iam_needs_a_sigv4_header(guarded: Server) -> None:
    for headers in ([], [("Authorization", "Bearer abc")]):
        refused = guarded.request("GET", "/iam", headers=headers)
        assert (refused.status, refused.json()) == (403, FORBIDDEN)
    granted = event(get(guarded, "/iam", ("Authorization", SIGV4)))["requestContext"]["authorizer"]
    assert granted == {
        "iam": {
            "accessKey": "AKIAIOSFODNN7EXAMPLE", "accountId": "123456789012", "callerId": "AIDALOCALSERVEUSER000",
            "cognitoIdentity": None, "principalOrgId": None, "userArn": "arn:aws:iam::123456789012:user/apispec-serve",
            "userId": "AIDALOCALSERVEUSER000",
        }
    }  # fmt: skip


def test_iam_identity_in_a_payload_1_event(guarded: Server) -> None:
    reply = get(guarded, "/iam/classic", ("Authorization", SIGV4))
    assert reply.status == 201
    identity = reply.json()["identity"]
    assert {k: identity[k] for k in ("accessKey", "accountId", "caller", "user", "userArn")} == {
        "accessKey": "AKIAIOSFODNN7EXAMPLE", "accountId": "123456789012", "caller": "AIDALOCALSERVEUSER000",
        "user": "AIDALOCALSERVEUSER000", "userArn": "arn:aws:iam::123456789012:user/apispec-serve",
    }  # fmt: skip


# --- CORS, throttling, timeout, payload 1.0, url ---------------------------------------------------


def test_preflight_is_answered_before_the_authorizer(guarded: Server) -> None:
    reply = guarded.request("OPTIONS", "/lambda", headers=[("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "GET")])
    assert reply.status == 204
    assert reply.header("access-control-allow-origin") == "https://app.example.com"
    refused = get(guarded, "/lambda", ("Origin", "https://app.example.com"))
    assert refused.status == 401
    assert refused.header("access-control-allow-origin") == "https://app.example.com"


def test_throttling(guarded: Server) -> None:
    assert get(guarded, "/throttled").status == 200
    throttled = get(guarded, "/throttled")
    assert (throttled.status, throttled.json()) == (429, {"message": "Too Many Requests"})
    assert guarded.access_log(throttled) == {
        "requestId": throttled.request_id, "routeKey": "GET /throttled", "status": "429", "error": "Too Many Requests",
        "authorizerError": "-", "integrationError": "-",
    }  # fmt: skip


def test_integration_timeout_answers_503_and_the_function_runs_on(guarded: Server) -> None:
    since = guarded.mark()
    reply = get(guarded, "/slow")
    assert (reply.status, reply.json()) == (503, {"message": "Service Unavailable"})
    assert guarded.access_log(reply) == {
        "requestId": reply.request_id, "routeKey": "GET /slow", "status": "503", "error": "Service Unavailable",
        "authorizerError": "-", "integrationError": "the integration did not answer within its timeout (200 ms)",
    }  # fmt: skip
    guarded.wait_for(lambda line: line == "[slow] slow: finished after the gateway stopped waiting", since=since)


def test_payload_format_1(guarded: Server) -> None:
    reply = get(guarded, "/classic/7?q=1")
    assert reply.status == 201
    assert reply.all("x-seen") == ["/classic/{id}", "GET"]
    assert reply.header("content-type") == "application/json"
    assert reply.json()["pathParameters"] == {"id": "7"}
    assert reply.json()["authorizer"] is None


def test_url_route_is_proxied(guarded: Server, upstream: int) -> None:
    reply = get(guarded, "/proxy/42?x=1&y=2", ("X-Token", "passed-on"))
    assert reply.status == 203
    assert reply.header("x-upstream") == "yes"
    assert reply.json() == {"path": "/items/42?x=1&y=2", "x-token": "passed-on", "host": f"127.0.0.1:{upstream}"}


def test_url_route_timeout_and_unreachable_upstream(guarded: Server) -> None:
    slow = get(guarded, "/slow-upstream")
    assert (slow.status, slow.json()) == (503, {"message": "Service Unavailable"})
    since = guarded.mark()
    down = get(guarded, "/down")
    assert (down.status, down.json()) == (500, {"message": "Internal Server Error"})
    guarded.wait_for(lambda line: line.startswith("[GET /down] GET http://127.0.0.1:9/down: "), since=since)
