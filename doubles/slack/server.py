"""The HTTP side of the Slack double: a threaded server on 127.0.0.1 and Slack's ways of encoding arguments.

The server knows nothing of Slack: it hands every request (path, headers, body) to a `Dispatch` function and
writes back the (status, headers, body) it returns. `parse_args` reads a Web API call's arguments the way Slack
does, from the query string and a form, JSON or multipart body.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from doubles.slack.wire import JSON, JSON_FIELDS, decode_json_field

HttpReply = tuple[int, dict[str, str], bytes]  # status, headers, body
Dispatch = Callable[[str, dict[str, str], bytes], HttpReply]  # (path with query, headers, body) -> reply


def json_reply(data: JSON, status: int = 200, headers: dict[str, str] | None = None) -> HttpReply:
    """`data` as a JSON answer (what every Web API method answers, with HTTP 200 unless rate limited)."""
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, json.dumps(data).encode()


def text_reply(status: int, text: bytes, content_type: str = "text/plain") -> HttpReply:
    """A plain answer (upload and response-URL endpoints, unknown paths)."""
    return status, {"Content-Type": content_type}, text


def parse_args(query: str, headers: dict[str, str], body: bytes) -> JSON:
    """A Web API call's arguments: query params, then form, JSON or multipart fields (the body wins); JSON-looking
    fields Slack takes as JSON (blocks, view, ...) decoded. A file part stays bytes. ValueError on bad JSON."""
    args: JSON = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    if body and "application/json" in ctype:
        parsed = json.loads(body)
        if isinstance(parsed, dict):
            args.update(parsed)
    elif body and "multipart/form-data" in ctype:
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + body
        )
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                payload = part.get_payload(decode=True) or b""
                args[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    elif body:
        form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
        args.update({k: v[-1] for k, v in form.items()})
    for key in JSON_FIELDS:
        if key in args:
            args[key] = decode_json_field(args[key])
    return args


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output readable

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = cast(_Server, self.server).dispatch(self.path, dict(self.headers.items()), body)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out during delay()); like Slack, the effect already happened


class _Server(ThreadingHTTPServer):
    # Slack's edge never refuses a burst of connections; the standard library's backlog of 5 does, and a full
    # accept queue can reset a connection that the bot then retries only after its back-off (tens of seconds).
    request_queue_size = 1024
    daemon_threads = True  # a delayed handler must not keep pytest alive

    def __init__(self, dispatch: Dispatch) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.dispatch = dispatch


POLL_SECONDS = 0.02  # how often the serving loop looks for a shutdown


class LoopbackServer:
    """Serves `dispatch` over HTTP on a free port of 127.0.0.1, one thread a request, until stopped."""

    def __init__(self, dispatch: Dispatch, *, name: str) -> None:
        self._server = _Server(dispatch)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # serve_forever notices a shutdown once per poll: its default 0.5 s was half a second of every test's end.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stops serving and closes the port; waits up to 5 s for the serving thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
