"""HTTP mode: `POST /slack/events` (commands, interactivity, events), `GET /healthz` and, when given, the walk-up
form's pages under `/raise/`, served by waitress, a production WSGI server with a thread pool."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.response import BoltResponse
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from bot.slack import request_shapes as slack_requests
from bot.slack import signing

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 32
PAGES_THREADS = 8  # the walk-up form alone: a few visitors at a time
# waitress refuses a larger body itself (413) before reading it all (its default is 1 GiB, spilled to a temp file).
MAX_BODY_BYTES = 4 * 1024 * 1024  # Slack's largest payloads (a view with 100 blocks) are well under 1 MB
PAGES_MAX_BODY_BYTES = 64 * 1024  # the walk-up form refuses more than 32 KB itself, with its own page
CONNECTION_LIMIT = 1000

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
PAGES_PREFIX = "/raise/"


def _signature_ok(signing_secret: str | None, environ: dict[str, Any], body: bytes) -> bool:
    """Slack's v0 signature of the raw bytes and its timestamp (`bot.slack.signing`); no secret: no check."""
    if not signing_secret:
        return True
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    given = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    return signing.is_valid(signing_secret, timestamp, given, body, now=time.time())


def _refuse(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


class SlackRequest(BoltRequest):
    """A Bolt request whose body was parsed by `slack_requests.parse` (Bolt's parser loses any slash command whose
    text holds the word "payload"); the raw body stays for Bolt's signature check."""

    def __init__(
        self,
        *,
        raw_body: str,
        parsed: dict[str, Any],
        headers: Mapping[str, str | Sequence[str]],
        query: str | dict[str, Sequence[str]],
    ) -> None:
        # Bolt keeps a dict body as it is only in its Socket Mode form; then it is made an HTTP request again.
        # A copy typed as Bolt asks (Bolt builds its own normalised headers from it either way).
        super().__init__(body=parsed, headers=dict(headers), query=query, mode="socket_mode")
        self.raw_body = raw_body
        self.mode = "http"

    def to_copyable(self) -> SlackRequest:
        """A copy for Bolt's lazy listeners, with the same parsed body and raw body."""
        copied = SlackRequest(raw_body=self.raw_body, parsed=self.body, headers=self.headers, query=self.query)
        copied.context = self.context.to_copyable()
        return copied


def _parse(body: bytes, content_type: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the parsed body, None) for a request shaped as Slack sends it, else (None, why not)."""
    try:
        text = body.decode("utf-8")
        parsed = slack_requests.parse(text, content_type.split(";")[0].strip().lower() or None)
    except (ValueError, RecursionError) as error:
        return None, f"a body that does not parse ({type(error).__name__})"
    reason = slack_requests.problem(parsed)
    return (parsed, None) if reason is None else (None, reason)


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def _answer(response: BoltResponse, start_response: StartResponse) -> list[bytes]:
    status = int(response.status)
    if status == 500:
        # Bolt answers 500 when something failed before the ack; what Slack sent was the trouble, so say 400.
        # The inbox's deliberate 503 (so that Slack retries) passes through.
        log.warning("A request failed before its ack (logged above); answering 400")
        status = 400
    body = response.body.encode("utf-8") if isinstance(response.body, str) else bytes(response.body or b"")
    headers = [
        (name, value)
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    headers.append(("Content-Length", str(len(body))))  # of the encoded bytes: a reason may hold any character
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


def make_wsgi_app(app: App, signing_secret: str | None, pages: WsgiApp | None = None) -> WsgiApp:
    """The WSGI app: GET /healthz answers "ok"; POST /slack/events is checked (signature, then shape) and handed to
    Bolt; paths under `/raise/` go to `pages` (the walk-up form) when given; other paths (OAuth install routes, 404s)
    go to Bolt. `signing_secret` None skips the signature check."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        if pages is not None and str(environ.get("PATH_INFO") or "").startswith(PAGES_PREFIX):
            return pages(environ, start_response)
        if environ.get("PATH_INFO") != EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return bolt(environ, start_response)  # OAuth install routes and 404s
        # Checked here before Bolt, which parses before it verifies: a forged body gets 401 whatever its shape,
        # and a signed one that is not what Slack sends gets 400 — never a 5xx.
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        if not _signature_ok(signing_secret, environ, body):
            return _refuse(start_response, "401 Unauthorized", b"invalid request\n")
        parsed, reason = _parse(body, str(environ.get("CONTENT_TYPE") or ""))
        if parsed is None:
            log.warning("Refused a signed request: %s", reason)
            return _refuse(start_response, "400 Bad Request", b"bad request\n")
        request = SlackRequest(
            raw_body=body.decode("utf-8"),
            parsed=parsed,
            headers=_headers(environ),
            query=str(environ.get("QUERY_STRING") or ""),
        )
        return _answer(app.dispatch(request), start_response)

    return wsgi


def make_server(
    app: App, host: str, port: int, signing_secret: str | None, *, pages: WsgiApp | None = None
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for the app on `host`:`port` (0: any free port), with the walk-up form's `pages` if given:
    listening, serving once `run_until_closed` runs it."""
    wsgi = make_wsgi_app(app, signing_secret, pages)
    # waitress's default connection_limit (100) counts its own sockets and makes the 99th client wait. Its proxy
    # handling trusts one proxy address at most and, by default, drops X-Forwarded-For: the walk-up form reads that
    # header itself, believing it only from KAIZEN_TRUSTED_PROXIES (bot.walkup.guard.client_address).
    return create_server(
        wsgi, host=host, port=port, threads=SERVER_THREADS, connection_limit=CONNECTION_LIMIT, ident="kaizen-bot",
        clear_untrusted_proxy_headers=False, max_request_body_size=MAX_BODY_BYTES,
    )  # fmt: skip


def make_pages_server(pages: WsgiApp, host: str, port: int) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for the walk-up form's `pages` alone, for Socket Mode (`kaizen-bot run --web-port`), which
    has no HTTP server of its own: `/raise/…` and `GET /healthz`; 404 elsewhere. Listening, serving once
    `run_until_closed` runs it."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "")
        if path.startswith(PAGES_PREFIX):
            return pages(environ, start_response)
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return _refuse(start_response, "404 Not Found", b"not found\n")

    return create_server(wsgi, host=host, port=port, threads=PAGES_THREADS, ident="kaizen-bot",
                         clear_untrusted_proxy_headers=False, max_request_body_size=PAGES_MAX_BODY_BYTES)  # fmt: skip


def bound_port(server: BaseWSGIServer | MultiSocketServer) -> int:
    """The TCP port `server` listens on (the one the OS chose, for port 0); of its first socket when it has several
    (a host name that resolves to more than one address)."""
    if isinstance(server, MultiSocketServer):
        return int(server.effective_listen[0][1])
    # types-waitress omits effective_port, which BaseWSGIServer.__init__ sets (a str, from getnameinfo).
    return int(server.effective_port)  # type: ignore[attr-defined]


def run_until_closed(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Serve until `server.close()` is called from another thread or a signal handler.

    waitress's loop then fails in select() on the closed socket; that is how it ends, not an error."""
    try:
        server.run()
    except OSError:
        log.debug("Server loop ended after close", exc_info=True)
