"""The authorizer engines of `serve`, without HTTP: Lambda (events, responses, cache), JWT, IAM."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from compiler.serve.authorizers.decision import Grant, apply_grant
from compiler.serve.authorizers.iam import authorize_iam
from compiler.serve.authorizers.jwks import JwksError, fetch_jwks, load_jwks, parse_jwks
from compiler.serve.authorizers.jwt import JwtAuthorizer, JwtAuthorizerConfig, signing_keys
from compiler.serve.authorizers.lambda_authorizer import (
    AuthorizerInvokeError,
    LambdaAuthorizer,
    LambdaAuthorizerConfig,
    RouteFacts,
)
from compiler.serve.events import Request

NOW = 1_700_000_000
FACTS = RouteFacts(
    route_key="GET /pets/{id}", route_path="/pets/{id}", path="/pets/7", path_parameters={"id": "7"}, stage="test",
    api_id="abcdef1234", account_id="123456789012", region="eu-west-1", trace="Root=1-x", server_port=3000,
)  # fmt: skip
ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/test/GET/pets/7"


def request(headers: list[tuple[str, str]] | None = None, target: str = "/test/pets/7?q=1&q=2") -> Request:
    return Request(
        method="GET", target=target, headers=headers if headers is not None else [("Authorization", "tok"), ("Cookie", "a=1; b=2")],
        body=b"ignored", source_ip="10.0.0.1", protocol="HTTP/1.1", host="localhost:3000", received=NOW, request_id="REQ0000000000A=",
    )  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """An authorizer function that answers what it is told and records each event."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> str:
        self.events.append(event)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer if isinstance(self.answer, str) else json.dumps(self.answer)


def lambda_authorizer(answer: Any, clock: Clock | None = None, **config: Any) -> tuple[LambdaAuthorizer, Recorder]:
    recorder = Recorder(answer)
    settings: dict[str, Any] = {"identity_sources": ("$request.header.Authorization",)} | config
    return LambdaAuthorizer(LambdaAuthorizerConfig("auth", "authorizer-fn", **settings), recorder, clock or Clock()), recorder


def body(decision: Any) -> tuple[int, dict[str, Any]]:
    return decision.response.status, json.loads(decision.response.body)


def test_v2_event() -> None:
    authorizer, recorder = lambda_authorizer({"isAuthorized": True, "context": {"user": "u1", "n": 1}})
    decision = authorizer.authorize(request(), FACTS)
    assert decision.grant == Grant("lambda", {"user": "u1", "n": 1})
    event = recorder.events[0]
    assert list(event) == ["version", "type", "routeArn", "identitySource", "routeKey", "rawPath", "rawQueryString",
                           "cookies", "headers", "queryStringParameters", "requestContext", "pathParameters"]  # fmt: skip
    assert event["version"] == "2.0" and event["type"] == "REQUEST"
    assert event["routeArn"] == ARN
    assert event["identitySource"] == ["tok"]
    assert event["routeKey"] == "GET /pets/{id}"
    assert event["rawPath"] == "/test/pets/7" and event["rawQueryString"] == "q=1&q=2"
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["authorization"] == "tok"
    assert event["queryStringParameters"] == {"q": "1,2"}
    assert event["pathParameters"] == {"id": "7"}
    assert event["requestContext"]["routeKey"] == "GET /pets/{id}"
    assert "body" not in event


def test_v1_event() -> None:
    authorizer, recorder = lambda_authorizer(
        {"principalId": "me", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}]}},
        payload_format="1.0", simple_responses=False, identity_sources=("$request.header.Authorization", "$request.querystring.q"),
    )  # fmt: skip
    decision = authorizer.authorize(request(), FACTS)
    assert decision.grant == Grant("lambda", {}, "me")
    event = recorder.events[0]
    assert {k: event[k] for k in ("version", "type", "methodArn", "identitySource", "authorizationToken", "resource", "path", "httpMethod")} == {
        "version": "1.0", "type": "REQUEST", "methodArn": ARN, "identitySource": "tok,1,2", "authorizationToken": "tok,1,2",
        "resource": "/pets/{id}", "path": "/test/pets/7", "httpMethod": "GET",
    }  # fmt: skip
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["headers"]["cookie"] == "a=1; b=2"
    assert event["pathParameters"] == {"id": "7"} and event["stageVariables"] is None
    assert event["requestContext"]["resourcePath"] == "/pets/{id}"
    assert "body" not in event


def test_missing_identity_source_is_401_without_invoking() -> None:
    authorizer, recorder = lambda_authorizer({"isAuthorized": True})
    decision = authorizer.authorize(request(headers=[]), FACTS)
    assert body(decision) == (401, {"message": "Unauthorized"})
    assert recorder.events == []


@pytest.mark.parametrize(
    ("answer", "config", "status"),
    [
        ({"isAuthorized": False, "context": {"a": 1}}, {}, 403),
        ({"policyDocument": {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": ARN}]}}, {"simple_responses": False}, 403),
        ({"policyDocument": {"Statement": [{"Action": "*", "Effect": "Allow", "Resource": "arn:*/test/POST/*"}]}}, {"simple_responses": False}, 403),
        ({"policyDocument": {"Statement": [
            {"Action": "execute-api:*", "Effect": "Allow", "Resource": ["arn:aws:execute-api:*:*:abcdef1234/*"]},
            {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "arn:*/GET/pets/?"},
        ]}}, {"simple_responses": False}, 403),
        ({"policyDocument": {"Statement": {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:*/GET/pets/*"}}}, {"simple_responses": False}, 200),
        ({"isAuthorized": "yes"}, {}, 500),
        ({"isAuthorized": True}, {"simple_responses": False}, 500),
        ({"policyDocument": {"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}}, {"simple_responses": False}, 500),
        ("not json", {}, 500),
        (AuthorizerInvokeError("the function raised"), {}, 500),
    ],
)  # fmt: skip
def test_responses(answer: Any, config: dict[str, Any], status: int) -> None:
    authorizer, _ = lambda_authorizer(answer, **config)
    decision = authorizer.authorize(request(), FACTS)
    if status == 200:
        assert decision.allowed
    else:
        assert body(decision) == (status, {"message": {403: "Forbidden", 500: "Internal Server Error"}[status]})


def test_ttl_cache_is_keyed_on_identity_values() -> None:
    clock = Clock()
    authorizer, recorder = lambda_authorizer({"isAuthorized": True}, clock, ttl=60)
    assert authorizer.authorize(request(), FACTS).allowed
    assert authorizer.authorize(request(), FACTS).allowed
    assert len(recorder.events) == 1  # cached
    authorizer.authorize(request(headers=[("authorization", "other")]), FACTS)
    assert len(recorder.events) == 2  # another identity
    clock.now += 60
    authorizer.authorize(request(), FACTS)
    assert len(recorder.events) == 3  # expired


def test_cached_policy_is_evaluated_per_route() -> None:
    policy = {"policyDocument": {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}]}}
    authorizer, recorder = lambda_authorizer(policy, ttl=300, simple_responses=False)
    assert authorizer.authorize(request(), FACTS).allowed
    other = dataclasses.replace(FACTS, path="/pets/8", path_parameters={"id": "8"})
    assert body(authorizer.authorize(request(target="/test/pets/8"), other)) == (403, {"message": "Forbidden"})
    assert len(recorder.events) == 1


def test_no_cache_without_ttl() -> None:
    authorizer, recorder = lambda_authorizer({"isAuthorized": True})
    authorizer.authorize(request(), FACTS)
    authorizer.authorize(request(), FACTS)
    assert len(recorder.events) == 2


def test_context_identity_source() -> None:
    authorizer, recorder = lambda_authorizer({"isAuthorized": True}, identity_sources=("$context.routeKey", "$context.identity.sourceIp"))
    assert authorizer.authorize(request(headers=[]), FACTS).allowed
    assert recorder.events[0]["identitySource"] == ["GET /pets/{id}", "10.0.0.1"]


def test_apply_grant() -> None:
    v2: dict[str, Any] = {"version": "2.0", "requestContext": {}}
    apply_grant(v2, Grant("lambda", {"user": "u1"}, "me"))
    assert v2["requestContext"]["authorizer"] == {"lambda": {"user": "u1"}}
    v1: dict[str, Any] = {"version": "1.0", "requestContext": {"identity": {"sourceIp": "1.2.3.4"}}}
    apply_grant(v1, Grant("lambda", {"user": "u1"}, "me"))
    assert v1["requestContext"]["authorizer"] == {"user": "u1", "principalId": "me"}
    jwt: dict[str, Any] = {"version": "2.0", "requestContext": {}}
    apply_grant(jwt, Grant("jwt", {"claims": {"sub": "1"}, "scopes": ["read"]}))
    assert jwt["requestContext"]["authorizer"] == {"jwt": {"claims": {"sub": "1"}, "scopes": ["read"]}}


# --- JWT -------------------------------------------------------------------------------------------

ISSUER = "https://issuer.example.com"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def key() -> Iterator[rsa.RSAPrivateKey]:
    yield rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks_text(key: rsa.RSAPrivateKey, kid: str = "k1") -> str:
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
           "n": _b64(numbers.n.to_bytes(256, "big")), "e": _b64(numbers.e.to_bytes(3, "big"))}  # fmt: skip
    return json.dumps({"keys": [{"kty": "EC", "kid": "ec"}, jwk]})


def token(key: rsa.RSAPrivateKey, claims: dict[str, Any], *, alg: str = "RS256", kid: str = "k1") -> str:
    head = _b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}.get(alg, hashes.SHA256())
    signature = key.sign(f"{head}.{payload}".encode(), padding.PKCS1v15(), digest)
    return f"{head}.{payload}.{_b64(signature)}"


GOOD = {"iss": ISSUER, "aud": "api", "sub": "user-1", "exp": NOW + 60, "iat": NOW - 60, "scope": "read write", "groups": ["a", "b"]}


def jwt_authorizer(key: rsa.RSAPrivateKey | None) -> JwtAuthorizer:
    keys = parse_jwks(jwks_text(key)) if key is not None else None
    return JwtAuthorizer(JwtAuthorizerConfig("jwt", ISSUER, ("api", "other")), keys, clock=lambda: NOW)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_jwt_valid(key: rsa.RSAPrivateKey, alg: str) -> None:
    decision = jwt_authorizer(key).authorize("Bearer " + token(key, GOOD, alg=alg), ["read"])
    assert decision.grant == Grant("jwt", {
        "claims": {"iss": ISSUER, "aud": "api", "sub": "user-1", "exp": "1700000060", "iat": "1699999940", "scope": "read write", "groups": "[a b]"},
        "scopes": ["read", "write"],
    })  # fmt: skip


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"iss": "https://evil.example.com"}, "iss"),
        ({"aud": "nope"}, "aud"),
        ({"aud": ["x", "other"]}, None),
        ({"aud": None, "client_id": "api"}, None),
        ({"aud": None, "client_id": "nope"}, "client_id"),
        ({"exp": NOW}, "expired"),
        ({"exp": None}, "no numeric exp"),
        ({"nbf": NOW + 1}, "nbf"),
        ({"iat": NOW + 1}, "iat"),
    ],
)
def test_jwt_claims(key: rsa.RSAPrivateKey, change: dict[str, Any], reason: str | None) -> None:
    claims = {k: v for k, v in (GOOD | change).items() if v is not None}
    decision = jwt_authorizer(key).authorize(token(key, claims))
    if reason is None:
        assert decision.allowed
    else:
        assert body(decision) == (401, {"message": "Unauthorized"})
        assert reason in (decision.error or "")


def test_jwt_scopes(key: rsa.RSAPrivateKey) -> None:
    authorizer = jwt_authorizer(key)
    assert body(authorizer.authorize(token(key, GOOD), ["admin"])) == (403, {"message": "Forbidden"})
    scp = token(key, {k: v for k, v in GOOD.items() if k != "scope"} | {"scp": ["admin"]})
    assert authorizer.authorize(scp, ["admin", "root"]).allowed
    assert body(authorizer.authorize(token(key, {k: v for k, v in GOOD.items() if k != "scope"}), ["read"])) == (403, {"message": "Forbidden"})


def test_jwt_signature(key: rsa.RSAPrivateKey) -> None:
    authorizer = jwt_authorizer(key)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = token(other, GOOD)
    assert "signature" in (authorizer.authorize(forged).error or "")
    head, _, signature = token(key, GOOD).split(".")
    tampered = f"{head}.{_b64(json.dumps(GOOD | {'sub': 'admin'}).encode())}.{signature}"
    assert body(authorizer.authorize(tampered)) == (401, {"message": "Unauthorized"})
    assert "kid" in (authorizer.authorize(token(key, GOOD, kid="k2")).error or "")
    # Without a JWKS the signature is not checked, the claims still are.
    unchecked = jwt_authorizer(None)
    assert unchecked.authorize(forged).allowed
    assert not unchecked.authorize(token(key, GOOD | {"iss": "x"})).allowed


@pytest.mark.parametrize("value", [None, "", "Bearer", "a.b", "!!.??.##", "Bearer e30.e30.", "Basic dXNlcg=="])
def test_jwt_malformed_tokens_are_401(value: str | None) -> None:
    assert body(jwt_authorizer(None).authorize(value)) == (401, {"message": "Unauthorized"})


def test_jwt_other_algorithms_are_refused() -> None:
    head = _b64(json.dumps({"alg": "HS256"}).encode())
    decision = jwt_authorizer(None).authorize(f"{head}.{_b64(json.dumps(GOOD).encode())}.c2ln")
    assert decision.error is not None and "RSA-based" in decision.error


def test_jwks_file(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(jwks_text(key))
    assert [k.kid for k in load_jwks(path)] == ["k1"]
    path.write_text('{"keys": [{"kty": "EC"}]}')
    with pytest.raises(JwksError, match="no RSA signing key"):
        load_jwks(path)
    with pytest.raises(JwksError, match="cannot read"):
        load_jwks(tmp_path / "missing.json")


# --- IAM -------------------------------------------------------------------------------------------

SIGNED = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/eu-west-1/execute-api/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32)  # fmt: skip


def test_iam() -> None:
    decision = authorize_iam(SIGNED)
    assert decision.grant == Grant("iam", {
        "accessKey": "AKIAIOSFODNN7EXAMPLE", "accountId": "123456789012", "callerId": "AIDALOCALSERVEUSER000", "cognitoIdentity": None,
        "principalOrgId": None, "userArn": "arn:aws:iam::123456789012:user/apispec-serve", "userId": "AIDALOCALSERVEUSER000",
    })  # fmt: skip
    for header in (None, "Bearer x", SIGNED.replace("execute-api", "s3")):
        assert body(authorize_iam(header)) == (403, {"message": "Forbidden"})


def test_jwks_from_the_issuers_discovery_document(key: rsa.RSAPrivateKey) -> None:
    documents: dict[str, str] = {}

    class Issuer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            text = documents.get(self.path)
            self.send_response(200 if text else 404)
            self.end_headers()
            self.wfile.write((text or "").encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    documents["/.well-known/openid-configuration"] = json.dumps({"issuer": issuer, "jwks_uri": issuer + "/keys"})
    documents["/keys"] = jwks_text(key)
    try:
        assert [k.kid for k in fetch_jwks(issuer + "/")] == ["k1"]
        del documents["/keys"]
        with pytest.raises(JwksError, match="cannot fetch the keys"):
            fetch_jwks(issuer)
    finally:
        server.shutdown()
        server.server_close()


def test_signing_keys(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(jwks_text(key))
    config = JwtAuthorizerConfig("cognito", "http://127.0.0.1:9/unreachable", ("api",))
    keys, warning = signing_keys(config, path)
    assert keys is not None and warning is None
    keys, warning = signing_keys(config, None)
    assert keys is None
    assert warning is not None and warning.startswith("JWT authorizer `cognito`: token signatures are not checked (")
    assert warning.endswith("); give --jwks FILE to check them")
