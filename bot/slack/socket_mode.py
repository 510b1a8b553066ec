"""Socket Mode: one WebSocket link to Slack, kept open for as long as the process runs.

`SocketModeLink` asks Slack for a WebSocket URL (`apps.connections.open`, with the app-level token), connects,
and watches the link. A lost link is noticed within about 10 s (a ping every PING_INTERVAL_SECONDS, and none
may go PING_TIMEOUT_SECONDS without its pong; a TCP close is noticed at once) and re-opened with capped,
jittered exponential backoff, one log line per attempt. So are temporary failures to get a URL at all (5xx,
rate limits, connection errors). A refusal of the token itself is permanent: the link stops and says, in one
line, what to do.

The transport is slack_sdk's `websocket_client` Socket Mode client (the `websocket-client` package). Of
slack_sdk's clients it is the one that fits a sync Bolt app: its builtin client spins a core on a half-closed
socket and takes 40-60 s to notice a dead link; the `aiohttp` and `websockets` ones are asyncio clients that
would run our sync listeners on their event loop (and slack_sdk leaves `websockets` at its 20 s ping timeout);
only websocket-client reads with select() (no spinning) and can time out an unanswered ping. slack_sdk does not
pass that ping timeout, so `_LinkClient` does, and leaves reconnecting to `SocketModeLink`, whose backoff
slack_sdk's own reconnect lacks.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
import weakref
from collections.abc import Callable
from http.client import HTTPException

import websocket
from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketApp, WebSocketTimeoutException

log = logging.getLogger("kaizen")

# websocket-client checks for a late pong every PING_TIMEOUT_SECONDS, against the latest ping only: the timeout
# must stay under half the interval, or the checks can keep missing the window between a ping's deadline and
# the next ping. So a dead link is noticed at most 5 s after its first unanswered ping, within 10 s of dropping.
PING_INTERVAL_SECONDS = 5.0
PING_TIMEOUT_SECONDS = 2.0
OPEN_TIMEOUT_SECONDS = 10.0  # for apps.connections.open, the TCP connect, the handshake and Slack's "hello"
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0

# Slack's answers to apps.connections.open that a retry may change; any other error code is Slack's final word.
TEMPORARY_ERRORS = frozenset(
    {"ratelimited", "accesslimited", "request_timeout", "service_unavailable", "fatal_error", "internal_error",
     "team_added_to_org"}
)  # fmt: skip
_CREATE_ONE = (
    "create an app-level token with the connections:write scope under Basic Information → App-Level Tokens "
    "and set SLACK_APP_TOKEN to it"
)
_ADVICE = {
    "missing_scope": "the token lacks the connections:write scope: " + _CREATE_ONE,
    "not_allowed_token_type": "that is not an app-level token: " + _CREATE_ONE,
    "token_revoked": "the token was revoked: " + _CREATE_ONE,
    "token_expired": "the token has expired: " + _CREATE_ONE,
    "account_inactive": "the app's token is no longer active: " + _CREATE_ONE,
}


def refusal_line(code: str) -> str:
    """The one line shown when Slack refuses SLACK_APP_TOKEN with error `code` (e.g. "invalid_auth")."""
    return f"Slack refused SLACK_APP_TOKEN ({code}): {_ADVICE.get(code, _CREATE_ONE)}"


def backoff_seconds(failures: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after `failures` (≥ 1) attempts in a row failed: BACKOFF_FIRST_SECONDS doubled each time,
    at most BACKOFF_CAP_SECONDS, less up to half of it at random so that many instances do not retry in step."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS * 2.0 ** min(max(failures, 1) - 1, 30))
    return ceiling * (0.5 + 0.5 * rng())


class _Quiet(logging.Filter):
    """Drops the libraries' own reports of a failed link or a failed apps.connections.open: SocketModeLink logs
    one line for each attempt (their other warnings and errors still show)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith(("on_error invoked", "Failed to decode Slack API response"))
            or message.endswith(" - goodbye")
        )


_QUIET = _Quiet()


class _Refused(Exception):
    """Slack refused the app-level token; str() is the line to show."""


class _LinkClient(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, with a ping timeout, and reconnecting left to its owner."""

    def __init__(self, app_token: str, web_client: WebClient, on_refresh: Callable[[], None]) -> None:
        # Set before super().__init__, which starts the thread that calls _run_current_session.
        self._on_refresh = on_refresh
        self._ran: WebSocketApp | None = None
        sdk_log = logging.getLogger("kaizen.socket_mode")
        sdk_log.setLevel(logging.WARNING)  # its INFO lines narrate every session; SocketModeLink says what matters
        sdk_log.addFilter(_QUIET)
        super().__init__(
            app_token=app_token,
            logger=sdk_log,
            web_client=web_client,
            auto_reconnect_enabled=False,
            ping_interval=PING_INTERVAL_SECONDS,
        )

    def _run_current_session(self) -> None:
        # slack_sdk runs the session without a ping timeout, and would run a finished one again on its used URL.
        session = self.current_session
        if session is None or session is self._ran:
            return
        self._ran = session
        try:
            session.run_forever(ping_interval=PING_INTERVAL_SECONDS, ping_timeout=PING_TIMEOUT_SECONDS)
        except Exception:  # this thread runs every later session too: it must outlive any one of them
            self.logger.exception("The Socket Mode session failed")
            session.close()

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        # slack_sdk calls this when Slack sends "disconnect" (e.g. refresh_requested): the owner opens the new link.
        self._on_refresh()


class SocketModeLink:
    """Keeps one Socket Mode connection to Slack open for `app`, in a thread of its own, until `close()`.

    `app_token` is the app-level token (xapp-…); `api_url` is the Web API base URL (…/api/). When Slack refuses
    the token, the link stops for good, sets `refusal` to the line to show, and calls `on_refused` (from the
    link's thread). Everything else (5xx, rate limits, refused or dropped connections, unanswered pings) is retried
    after backoff_seconds() (or Slack's Retry-After, if longer), with one WARNING line per attempt."""

    def __init__(self, app: App, app_token: str, api_url: str, on_refused: Callable[[], None]) -> None:
        self.refusal: str | None = None
        self._app = app
        self._on_refused = on_refused
        self._token = app_token
        web_log = logging.getLogger("kaizen.socket_mode.web")
        web_log.addFilter(_QUIET)
        # No retry handlers: _keep_open decides when to try again.
        self._web = WebClient(base_url=api_url, timeout=int(OPEN_TIMEOUT_SECONDS), retry_handlers=[], logger=web_log)
        self._cond = threading.Condition()
        self._closing = False
        self._refresh = False
        self._greeted: weakref.WeakSet[WebSocketApp] = weakref.WeakSet()  # sessions whose "hello" came
        self._ended: weakref.WeakKeyDictionary[WebSocketApp, str] = weakref.WeakKeyDictionary()  # and why they ended
        # websocket-client's sockets block without limit by default, so a handshake that never ends would stall
        # the link for good. This bounds connects and reads (reads follow select(), so they never wait on a link).
        websocket.setdefaulttimeout(OPEN_TIMEOUT_SECONDS)
        self._client = _LinkClient(app_token, self._web, self._refresh_requested)
        websocket_log = logging.getLogger("websocket")
        websocket_log.setLevel(logging.WARNING)  # after the client, whose enableTrace(False) resets it; not INFO:
        websocket_log.addFilter(_QUIET)  # "Websocket connected" at every connect
        self._client.socket_mode_request_listeners.append(self._handle)
        self._client.on_message_listeners.append(self._on_message)
        self._client.on_error_listeners.append(self._on_error)
        self._client.on_close_listeners.append(self._on_close)
        self._thread = threading.Thread(target=self._keep_open, name="socket-mode-link", daemon=True)

    def start(self) -> None:
        """Starts connecting in the background; returns at once."""
        self._thread.start()

    def close(self) -> None:
        """Stops reconnecting and closes the connection (blocks until slack_sdk's client has shut down)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._client.close()

    # --- slack_sdk's callbacks ---------------------------------------------------------------------------------------

    def _handle(self, client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        # What slack_bolt's SocketModeHandler.handle does: dispatch to Bolt, send its ack back over the link.
        started = time.time()
        send_response(client, request, run_bolt_app(self._app, request), started)

    def _on_message(self, ws: WebSocketApp, message: str) -> None:
        if '"hello"' not in message:
            return
        try:
            kind = json.loads(message).get("type")
        except (ValueError, AttributeError):
            return
        if kind == "hello":
            with self._cond:
                self._greeted.add(ws)
                self._cond.notify_all()

    def _on_error(self, ws: WebSocketApp, error: Exception) -> None:
        with self._cond:
            self._ended.setdefault(ws, _describe(error))
        if isinstance(error, WebSocketTimeoutException) and ws.sock is not None:
            # A dead link will not answer the close handshake either: drop the socket instead of waiting 3 s.
            ws.sock.shutdown()  # type: ignore[no-untyped-call]  # websocket-client leaves it unannotated

    def _on_close(self, ws: WebSocketApp) -> None:
        with self._cond:
            self._ended.setdefault(ws, "closed by Slack")
            self._cond.notify_all()

    def _refresh_requested(self) -> None:
        with self._cond:
            self._refresh = True
            self._cond.notify_all()

    # --- the link's thread -------------------------------------------------------------------------------------------

    def _keep_open(self) -> None:
        failures = 0
        connected_once = False
        while not self._closing_or_next():
            try:
                session, problem, wait_at_least = self._open()
            except _Refused as refused:
                self.refusal = str(refused)
                self._on_refused()
                return
            if session is not None:
                failures = 0
                log.info("%s to Slack through Socket Mode", "Reconnected" if connected_once else "Connected")
                connected_once = True
                lost = self._until_lost(session)
                if lost is None:
                    continue  # Slack asked for a new connection, or we are closing
                problem = lost
            with self._cond:
                if self._closing:
                    return
            failures += 1
            delay = max(wait_at_least, backoff_seconds(failures))
            log.warning("Socket Mode: %s; trying again in %.1f s", problem, delay)
            with self._cond:
                self._cond.wait_for(lambda: self._closing, delay)

    def _closing_or_next(self) -> bool:
        """True when closing; else forgets requests for a new link, as the next one answers them."""
        with self._cond:
            self._refresh = False
            return self._closing

    def _open(self) -> tuple[WebSocketApp | None, str, float]:
        """One attempt: (the session, "", 0) once Slack said hello on it; else (None, what went wrong, the least
        wait Slack asked for). Raises _Refused when Slack refuses the token."""
        try:
            url = str(self._web.apps_connections_open(app_token=self._token)["url"])
        except SlackApiError as error:
            return None, _temporary_or_refused(error), _retry_after(error)
        except (OSError, HTTPException) as error:
            return None, f"could not reach Slack for apps.connections.open ({_describe(error)})", 0.0
        with self._cond:
            if self._closing:
                return None, "closing", 0.0
        # Not under the lock: connect() closes the previous session, whose callbacks take the lock.
        self._client.wss_uri = url
        self._client.connect()
        session = self._client.current_session
        assert session is not None
        with self._cond:
            self._cond.wait_for(
                lambda: session in self._greeted or session in self._ended or self._closing, OPEN_TIMEOUT_SECONDS
            )
            if session in self._greeted:
                return session, "", 0.0
            ended = self._ended.get(session)
        if ended is not None:
            return None, f"could not open the WebSocket ({ended})", 0.0
        sock = session.sock  # closing, or a server that took the connection but never said hello:
        if sock is not None:
            # Wakes the session's thread now; a silent server would not answer a close handshake either.
            sock.abort()  # type: ignore[no-untyped-call]  # websocket-client leaves it unannotated
        session.close()
        return None, f"no hello within {OPEN_TIMEOUT_SECONDS:.0f} s of connecting", 0.0

    def _until_lost(self, session: WebSocketApp) -> str | None:
        """Waits while the link is up: why it was lost, or None when Slack asked for a new one or we are closing."""
        with self._cond:
            self._cond.wait_for(lambda: session in self._ended or self._refresh or self._closing)
            if self._refresh or self._closing:
                return None
            return f"the connection was lost ({self._ended[session]})"


def _temporary_or_refused(error: SlackApiError) -> str:
    """What went wrong, for an answer worth retrying; raises _Refused for Slack's final refusal of the token."""
    code = str(error.response.get("error") or "")
    status = error.response.status_code
    if status >= 500 or status == 429 or not re.fullmatch(r"[a-z0-9_]+", code):  # not JSON: a proxy's error page
        return f"apps.connections.open answered HTTP {status}"
    if code in TEMPORARY_ERRORS:
        return f"apps.connections.open answered {code}"
    raise _Refused(refusal_line(code))


def _retry_after(error: SlackApiError) -> float:
    """Slack's Retry-After in seconds (0 if none); header names are matched in any case, as HTTP/2 sends them."""
    headers = {str(name).lower(): value for name, value in (error.response.headers or {}).items()}
    value = headers.get("retry-after")
    raw = value[0] if isinstance(value, list) and value else value
    try:
        return max(0.0, float(str(raw))) if raw is not None else 0.0
    except ValueError:
        return 0.0


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
