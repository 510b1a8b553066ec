"""HTTP mode: `POST /slack/events` (commands, interactivity, events) and `GET /healthz`, served by waitress,
a production WSGI server with a thread pool."""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 32
MAX_REQUEST_AGE_SECONDS = 300  # as Bolt: an older timestamp is a replay

StartResponse = Callable[..., Any]


def _signature_ok(signing_secret: str | None, environ: dict[str, Any], body: bytes) -> bool:
    """Slack's v0 signature over the raw bytes (slack_sdk's verifier wants text, and this body may not be)."""
    if not signing_secret:
        return True
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
        return False
    digest = hmac.new(signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return hmac.compare_digest("v0=" + digest.hexdigest(), signature)


def make_wsgi_app(app: App, signing_secret: str | None) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        # Read the body once so that it can be checked here if Bolt cannot parse it.
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            return bolt(environ, start_response)
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            # Bolt parses before it verifies: a body it cannot parse is checked here, so that a forged one still
            # gets 401, and a signed but broken one 400 — the sender's mistake, never a 5xx.
            if not _signature_ok(signing_secret, environ, body):
                start_response("401 Unauthorized", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"invalid request\n"]
            log.warning("Refused a signed request Bolt could not parse", exc_info=True)
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"bad request\n"]

    return wsgi


def make_server(app: App, host: str, port: int, signing_secret: str | None) -> BaseWSGIServer | MultiSocketServer:
    wsgi = make_wsgi_app(app, signing_secret)
    return create_server(wsgi, host=host, port=port, threads=SERVER_THREADS, ident="kaizen-bot")


def bound_port(server: BaseWSGIServer | MultiSocketServer) -> int:
    return int(server.effective_port)  # type: ignore[union-attr]


def run_until_closed(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Serve until `server.close()` is called from another thread or a signal handler.

    waitress's loop then fails in select() on the closed socket; that is how it ends, not an error."""
    try:
        server.run()
    except OSError:
        log.debug("Server loop ended after close", exc_info=True)
