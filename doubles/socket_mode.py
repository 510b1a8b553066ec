"""A loopback stand-in for Slack's Socket Mode WebSocket server.

Speaks the envelope protocol the slack_sdk Socket Mode clients expect: a "hello" on connect, then envelopes
({"envelope_id", "type", "payload", "accepts_response_payload"}) that the app acknowledges with
{"envelope_id", "payload"?}. Point SlackDouble.socket_mode_url at ``url`` so apps.connections.open hands it out
(make apps.connections.open itself fail with SlackDouble.fail / fail_http / rate_limit).

The app reaches the WebSocket server through a TCP relay on ``url``'s port, standing in for the network between
them, so a test can break the link the ways networks do: ``cut()`` closes it without a close frame (a proxy or
load balancer dropping the connection), ``go_silent()`` lets nothing through and closes nothing (a network drop:
pings go unanswered), ``refuse_connections(n)`` resets the next n connection attempts.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any, Self

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

__all__ = ["SocketModeDouble", "accepts_response_payload", "disconnect_message", "envelope_message", "hello_message"]

JSON = dict[str, Any]

# Interactive payloads whose ack may carry a body, as over HTTP (view_submission errors, options...)
_INTERACTIVE_WITH_RESPONSE = ("view_submission", "block_suggestion", "shortcut", "message_action")


def hello_message(app_id: str) -> JSON:
    """Slack's first message on a new Socket Mode connection."""
    return {
        "type": "hello",
        "num_connections": 1,
        "debug_info": {"host": "applink-double", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": app_id},
    }


def accepts_response_payload(envelope_type: str, payload: JSON) -> bool:
    """Whether Slack lets the ack of this envelope carry a payload: slash commands and some interactive payloads
    (view_submission, ...), never Events API deliveries."""
    if envelope_type == "slash_commands":
        return True
    return envelope_type == "interactive" and payload.get("type") in _INTERACTIVE_WITH_RESPONSE


def envelope_message(envelope_type: str, payload: JSON, *, envelope_id: str | None = None, **extra: Any) -> JSON:
    """One envelope as Slack sends it: {"envelope_id" (a UUID unless given), "type" ("slash_commands",
    "interactive", "events_api"), "payload", "accepts_response_payload", **extra} (events_api adds
    retry_attempt and retry_reason). `extra` may override accepts_response_payload."""
    return {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "type": envelope_type,
        "payload": payload,
        "accepts_response_payload": accepts_response_payload(envelope_type, payload),
        **extra,
    }


def disconnect_message(reason: str = "refresh_requested") -> JSON:
    """Slack's polite "please reconnect" message."""
    return {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-double"}}


class SocketModeDouble:
    def __init__(self, *, app_id: str = "A0001", team_id: str = "T0001", team_domain: str = "example") -> None:
        self.app_id = app_id
        self.team_id = team_id
        self.team_domain = team_domain
        self.url = ""
        self.received: list[JSON] = []  # every JSON message the app sent (acks included)
        self.connection_count = 0  # connections ever accepted (a reconnect adds one)
        self.connected_at: list[float] = []  # time.monotonic() of each connection's hello
        self._cond = threading.Condition()
        self._open: list[ServerConnection] = []
        self._acks: dict[str, JSON] = {}
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._relay: _Relay | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        # compression off: Slack does not negotiate permessage-deflate and slack_sdk's builtin client can't inflate
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        self._relay = _Relay(self._server.socket.getsockname()[1])
        self.url = f"ws://127.0.0.1:{self._relay.port}/link"
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._relay is not None:
            self._relay.stop()
            self._relay = None
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, ws: ServerConnection) -> None:
        ws.send(json.dumps(hello_message(self.app_id)))
        with self._cond:
            self._open.append(ws)
            self.connection_count += 1
            self.connected_at.append(time.monotonic())
            self._cond.notify_all()
        try:
            for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue  # not ours to judge; Slack ignores garbage too
                with self._cond:
                    self.received.append(message)
                    if isinstance(message, dict) and message.get("envelope_id"):
                        self._acks[message["envelope_id"]] = message
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._open.remove(ws)
                self._cond.notify_all()

    # --- test API ----------------------------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        with self._cond:
            return bool(self._open)

    def wait_connected(self, timeout: float = 5.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._open), timeout):
                raise AssertionError(f"no Socket Mode client connected to {self.url} within {timeout}s")

    def wait_connections(self, count: int, timeout: float = 5.0) -> None:
        """Waits until `count` connections were ever accepted and one is open (a reconnect adds one)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.connection_count >= count and bool(self._open), timeout):
                raise AssertionError(
                    f"{self.connection_count} Socket Mode connections (open: {len(self._open)}) "
                    f"within {timeout}s; wanted {count}"
                )

    # --- the network between the app and Slack -----------------------------------------------------------------------

    def cut(self) -> None:
        """Closes every current connection at the TCP level, without a WebSocket close frame."""
        assert self._relay is not None, "start() first"
        self._relay.cut()

    def go_silent(self) -> None:
        """Every current connection stops carrying anything, pings and pongs included, and is never closed: what
        a client sees when the network drops. Connections made afterwards work."""
        assert self._relay is not None, "start() first"
        self._relay.go_silent()

    def refuse_connections(self, times: int) -> None:
        """The next `times` connection attempts are reset before the WebSocket handshake."""
        assert self._relay is not None, "start() first"
        self._relay.refuse(times)

    def send_envelope(self, envelope_type: str, payload: JSON, *, accepts_response_payload: bool,
                      timeout: float = 10.0, **extra: Any) -> JSON:  # fmt: skip
        """Sends one envelope to the newest connection and returns the app's ack."""
        self.wait_connected(timeout)
        envelope = envelope_message(envelope_type, payload, accepts_response_payload=accepts_response_payload, **extra)
        envelope_id = envelope["envelope_id"]
        with self._cond:
            ws = self._open[-1]
        ws.send(json.dumps(envelope))
        deadline = time.monotonic() + timeout
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, max(0.0, deadline - time.monotonic())):
                raise AssertionError(f"no ack for {envelope_type} envelope {envelope_id} within {timeout}s")
            return self._acks[envelope_id]

    def send_slash_command(
        self,
        text: str,
        *,
        user_id: str = "U_ALICE",
        channel_id: str = "C_TEAM",
        response_url: str,
        trigger_id: str | None = None,
        timeout: float = 10,
        command: str = "/kaizen",
        channel_name: str = "team",
        user_name: str | None = None,
    ) -> JSON:
        payload = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().hex}",
        }
        return self.send_envelope("slash_commands", payload, accepts_response_payload=True, timeout=timeout)

    def send_events_api(
        self, event_payload: JSON, *, retry_attempt: int = 0, retry_reason: str = "", timeout: float = 10
    ) -> JSON:
        """event_payload is the event_callback body Slack would POST over HTTP (token, team_id, event, ...)."""
        return self.send_envelope(
            "events_api",
            event_payload,
            accepts_response_payload=False,
            timeout=timeout,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    def send_interactive(self, payload: JSON, *, timeout: float = 10) -> JSON:
        # Slack lets the ack carry a body only where HTTP would (view_submission errors, options...)
        accepts = accepts_response_payload("interactive", payload)
        return self.send_envelope("interactive", payload, accepts_response_payload=accepts, timeout=timeout)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's polite "please reconnect" message; the client opens a new connection via apps.connections.open."""
        with self._cond:
            targets = list(self._open)
        for ws in targets:
            ws.send(json.dumps(disconnect_message(reason)))


class _Link:
    """One relayed TCP connection: the app's socket and ours to the WebSocket server."""

    def __init__(self, app_side: socket.socket, server_side: socket.socket) -> None:
        self.app_side = app_side
        self.server_side = server_side
        self.silent = False
        self.broken = False  # cut or silenced by the test
        self._lock = threading.Lock()
        self._pumps_left = 2

    @staticmethod
    def shut(sock: socket.socket) -> None:
        # shutdown, not close, wakes a pump blocked in recv; the descriptors are closed once both pumps are done
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def shut_both(self) -> None:
        self.shut(self.app_side)
        self.shut(self.server_side)

    @property
    def done(self) -> bool:
        return self._pumps_left == 0

    def pump_done(self) -> None:
        with self._lock:
            self._pumps_left -= 1
            last = self._pumps_left == 0
        if last:
            self.app_side.close()
            self.server_side.close()


class _Relay:
    """A TCP relay on a free loopback port in front of the WebSocket server."""

    def __init__(self, server_port: int) -> None:
        self._server_port = server_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._refuse = 0
        self._stopped = False
        threading.Thread(target=self._accept, name="socket-mode-relay", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                app_side, _ = self._listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                refuse, self._refuse = self._refuse > 0, max(0, self._refuse - 1)
            if refuse or self._stopped:
                # SO_LINGER 0: close sends a RST, as a failing load balancer does
                app_side.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                app_side.close()
                continue
            try:
                server_side = socket.create_connection(("127.0.0.1", self._server_port), timeout=5)
            except OSError:
                app_side.close()
                continue
            server_side.settimeout(None)
            link = _Link(app_side, server_side)
            with self._lock:
                self._links = [*(known for known in self._links if not known.done), link]
            for args in ((link, app_side, server_side, True), (link, server_side, app_side, False)):
                threading.Thread(target=self._pump, args=args, name="socket-mode-relay-pump", daemon=True).start()

    def _pump(self, link: _Link, source: socket.socket, target: socket.socket, from_app: bool) -> None:
        try:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                if link.silent:
                    continue  # a black hole: what the app sends goes nowhere
                try:
                    target.sendall(data)
                except OSError:
                    break
            if not link.silent:
                link.shut_both()  # one side closed: close the other, as TCP through a proxy does
            elif from_app:
                link.shut(link.app_side)  # the app gave up on the silent link
        finally:
            link.pump_done()

    def _take_live(self) -> list[_Link]:
        """The links no test has broken yet, marked as broken now."""
        with self._lock:
            live = [link for link in self._links if not link.broken]
            for link in live:
                link.broken = True
        return live

    def cut(self) -> None:
        for link in self._take_live():
            link.shut_both()

    def go_silent(self) -> None:
        for link in self._take_live():
            link.silent = True
            link.shut(link.server_side)  # the server sees the app gone; the app sees nothing at all

    def refuse(self, times: int) -> None:
        with self._lock:
            self._refuse += times

    def stop(self) -> None:
        self._stopped = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close alone does not
        self._listener.close()
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.shut_both()
