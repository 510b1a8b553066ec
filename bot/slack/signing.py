"""Slack's v0 request signature, in one place: the HTTP server checks it, the test driver and the benchmarks sign
with it.

Slack sends the Unix time in seconds in `X-Slack-Request-Timestamp` and, in `X-Slack-Signature`, "v0=" and the
hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the app's signing secret. That is what
`slack_sdk.signature.SignatureVerifier` computes, but it decodes the body as UTF-8 first and raises on bytes that
are not; a forged or broken request may be such bytes and must still get its 401 (or, when signed, its 400). So
the digest is taken here over the raw bytes, with the standard library's `hmac`.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_REQUEST_AGE_SECONDS = 300  # as Bolt and slack_sdk: a timestamp further from now (either way) is a replay


def signature(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-Slack-Signature` value Slack sends with `body` at `timestamp` (Unix seconds): "v0=<64 hex digits>"."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def is_valid(signing_secret: str, timestamp: str, given: str, body: bytes, *, now: float) -> bool:
    """Whether `given` is Slack's signature of `body` at `timestamp`, a whole number of Unix seconds within
    MAX_REQUEST_AGE_SECONDS of `now`. A missing header is "": not valid. Compares in constant time."""
    # isascii too: "²" and other Unicode digits pass isdigit() but int() refuses them.
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(now - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters, and a forged header may carry any (WSGI
    # hands headers over as latin-1 text).
    return hmac.compare_digest(signature(signing_secret, timestamp, body).encode(), given.encode("utf-8", "replace"))
