"""A loopback stand-in for Slack's Socket Mode WebSocket server.

Speaks the envelope protocol the slack_sdk Socket Mode clients expect: a "hello" on connect, then envelopes
({"envelope_id", "type", "payload", "accepts_response_payload"}) that the app acknowledges with
{"envelope_id", "payload"?}. Point SlackDouble.socket_mode_url at ``url`` so apps.connections.open hands it out.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Self

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

__all__ = ["SocketModeDouble"]

JSON = dict[str, Any]


class SocketModeDouble:
    def __init__(self, *, app_id: str = "A0001", team_id: str = "T0001", team_domain: str = "example") -> None:
        self.app_id = app_id
        self.team_id = team_id
        self.team_domain = team_domain
        self.url = ""
        self.received: list[JSON] = []  # every JSON message the app sent (acks included)
        self.connection_count = 0  # connections ever accepted (a reconnect adds one)
        self._cond = threading.Condition()
        self._open: list[ServerConnection] = []
        self._acks: dict[str, JSON] = {}
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        # compression off: Slack does not negotiate permessage-deflate and slack_sdk's builtin client can't inflate
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/link"
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
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
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "applink-double", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        ws.send(json.dumps(hello))
        with self._cond:
            self._open.append(ws)
            self.connection_count += 1
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

    def send_envelope(self, envelope_type: str, payload: JSON, *, accepts_response_payload: bool,
                      timeout: float = 10.0, **extra: Any) -> JSON:  # fmt: skip
        """Sends one envelope to the newest connection and returns the app's ack."""
        self.wait_connected(timeout)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            **extra,
        }
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
        accepts = payload.get("type") in ("view_submission", "block_suggestion", "shortcut", "message_action")
        return self.send_envelope("interactive", payload, accepts_response_payload=accepts, timeout=timeout)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's polite "please reconnect" message; the client opens a new connection via apps.connections.open."""
        with self._cond:
            targets = list(self._open)
        for ws in targets:
            ws.send(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-double"}}))
