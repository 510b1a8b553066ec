"""HTTP mode: `POST /slack/events` (commands, interactivity, events) and `GET /healthz`, served by waitress,
a production WSGI server with a thread pool."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 32

StartResponse = Callable[..., Any]


def make_wsgi_app(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        try:
            return bolt(environ, start_response)
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            # A body Bolt cannot parse (broken JSON, bad encoding): the sender's mistake, never a 5xx.
            log.warning("Refused a request Bolt could not parse", exc_info=True)
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"bad request\n"]

    return wsgi


def make_server(app: App, host: str, port: int) -> BaseWSGIServer | MultiSocketServer:
    return create_server(make_wsgi_app(app), host=host, port=port, threads=SERVER_THREADS, ident="kaizen-bot")


def bound_port(server: BaseWSGIServer | MultiSocketServer) -> int:
    return int(server.effective_port)  # type: ignore[union-attr]


def run_until_closed(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Serve until `server.close()` is called from another thread or a signal handler.

    waitress's loop then fails in select() on the closed socket; that is how it ends, not an error."""
    try:
        server.run()
    except OSError:
        log.debug("Server loop ended after close", exc_info=True)
