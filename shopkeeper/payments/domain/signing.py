"""Signing gateway messages: the canonical string of a parameter set, and its HMAC-SHA256.

The canonical string is `k=v&k=v…` over the non-empty parameters except `sign` and `sign_type`,
sorted by key (byte order of the key), with values as they are (no URL-encoding), the way Alipay
builds the string it signs. The signature is the lowercase hex HMAC-SHA256 of its UTF-8 bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGN_TYPE = "HMAC-SHA256"
UNSIGNED_KEYS = frozenset({"sign", "sign_type"})


def canonical_string(params: Mapping[str, str]) -> str:
    """The text that is signed; the order the parameters came in does not matter."""
    pairs = sorted((key, value) for key, value in params.items() if key not in UNSIGNED_KEYS and value != "")
    return "&".join(f"{key}={value}" for key, value in pairs)


def signature(params: Mapping[str, str], secret: str) -> str:
    if not secret:
        raise ValueError("A signing secret is required")
    digest = hmac.new(secret.encode("utf-8"), canonical_string(params).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()


def signed(params: Mapping[str, str], secret: str) -> dict[str, str]:
    """The parameters with `sign_type` and `sign` added."""
    result = {key: value for key, value in params.items() if key not in UNSIGNED_KEYS}
    result["sign_type"] = SIGN_TYPE
    result["sign"] = signature(result, secret)
    return result


def signature_valid(params: Mapping[str, str], secret: str) -> bool:
    """True when `sign_type` is HMAC-SHA256 and `sign` matches, compared in constant time."""
    if params.get("sign_type") != SIGN_TYPE:
        return False
    provided = params.get("sign", "")
    if not provided:
        return False
    expected = signature(params, secret)
    # compare_digest on bytes: it refuses str with non-ASCII characters, which a forger may send.
    return hmac.compare_digest(expected.encode("ascii"), provided.encode("utf-8", "surrogatepass"))
