"""JSON Web Key Sets and RS256/RS384/RS512 signature checks (RSASSA-PKCS1-v1_5, RFC 8017 §8.2.2).

Written here rather than taken from a library: verifying is one modular exponentiation and a
comparison with the one valid encoding (no ASN.1 parsing, so no signature-forgery pitfalls), it needs
only public data, and it keeps `serve` within the runtime dependencies. Tests check it against
signatures made by the `cryptography` package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
_DIGESTS = {
    "RS256": ("sha256", bytes.fromhex("3031300d060960864801650304020105000420")),
    "RS384": ("sha384", bytes.fromhex("3041300d060960864801650304020205000430")),
    "RS512": ("sha512", bytes.fromhex("3051300d060960864801650304020305000440")),
}
ALGORITHMS = tuple(_DIGESTS)


class JwksError(ValueError):
    """A JWKS that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class RsaKey:
    kid: str | None
    n: int
    e: int


def b64url(text: str) -> bytes:
    """Base64url without padding, as JOSE writes it; raises ValueError when it is not."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url: {exc}") from exc


def parse_jwks(text: str) -> tuple[RsaKey, ...]:
    """The RSA signing keys of a JWKS document (`{"keys": [...]}`); other keys are skipped."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise JwksError(f"not JSON: {exc}") from exc
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise JwksError('a JWKS is an object with a "keys" list')
    found = []
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") != "RSA" or key.get("use", "sig") != "sig":
            continue
        try:
            n, e = int.from_bytes(b64url(key["n"]), "big"), int.from_bytes(b64url(key["e"]), "big")
        except (KeyError, TypeError, ValueError) as exc:
            raise JwksError(f"key {key.get('kid')!r}: n and e must be base64url numbers ({exc})") from exc
        found.append(RsaKey(key.get("kid") if isinstance(key.get("kid"), str) else None, n, e))
    if not found:
        raise JwksError("the JWKS has no RSA signing key (API Gateway supports RSA-based algorithms only)")
    return tuple(found)


def load_jwks(path: Path) -> tuple[RsaKey, ...]:
    """`--jwks FILE`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JwksError(f"cannot read {path}: {exc}") from exc
    return parse_jwks(text)


def fetch_jwks(issuer: str, timeout: float = 3.0) -> tuple[RsaKey, ...]:
    """The issuer's keys through its OpenID discovery document (`<issuer>/.well-known/openid-configuration`
    → `jwks_uri`), as API Gateway fetches them. Raises JwksError when unreachable or unusable."""
    try:
        with urllib.request.urlopen(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=timeout) as response:
            uri = json.loads(response.read()).get("jwks_uri")
        if not isinstance(uri, str):
            raise JwksError("the discovery document has no jwks_uri")
        with urllib.request.urlopen(uri, timeout=timeout) as response:
            return parse_jwks(response.read().decode("utf-8"))
    except (OSError, ValueError, AttributeError) as exc:
        raise JwksError(f"cannot fetch the keys of {issuer}: {exc}") from exc


def verify(algorithm: str, signing_input: bytes, signature: bytes, key: RsaKey) -> bool:
    """Whether `signature` is `key`'s RSASSA-PKCS1-v1_5 signature of `signing_input` with `algorithm`."""
    if algorithm not in _DIGESTS:
        return False
    name, prefix = _DIGESTS[algorithm]
    size = (key.n.bit_length() + 7) // 8
    digest_info = prefix + hashlib.new(name, signing_input).digest()
    if len(signature) != size or size < len(digest_info) + 11:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(size, "big")
    expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    return hmac.compare_digest(encoded, expected)
