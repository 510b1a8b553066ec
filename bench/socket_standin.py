"""A local stand-in for Slack's Socket Mode server, for benchmarks, and the Web API double that hands out its URL.

`SocketModeStandIn` is a WebSocket server on a free loopback port. apps.connections.open (on the Web API double
run by `web_api_main`) answers each app-level token with a URL of its own on it, as Slack does
(`ws://127.0.0.1:<port>/link/?ticket=<name>&app_id=A0001`); the ticket names the app's connection. On connect it
sends Slack's "hello", then `run()` sends envelopes as Slack does (doubles/socket_mode.py builds them: envelope_id,
type, payload, accepts_response_payload, retry_attempt/retry_reason for events), several in flight at once on the
one connection, and times each from just before it is written to the socket until its ack (a message with the
same envelope_id) is read back. Unlike doubles.socket_mode.SocketModeDouble there is no relay in between (its
pumps would add their own latency) and nothing is kept but the timings.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Self

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bench.common import BOT_TOKEN, WORKSPACE, percentile, redirect_output, serve_commands
from bench.doubles import BenchDouble, DoubleConfig
from doubles.socket_mode import envelope_message, hello_message

APP_ID = "A0001"
JSON = dict[str, Any]
# What to send as the i-th envelope of a run: (envelope type, payload, extra envelope fields).
EnvelopeBuilder = Callable[[int], tuple[str, JSON, JSON]]


@dataclass
class AckRun:
    """What one run of envelopes over one connection measured."""

    sent: int  # envelopes written to the connection
    wanted: int  # envelopes the run was asked to send
    latencies: list[float]  # seconds from writing an envelope to reading its ack, one per acked envelope
    with_payload: int  # acks that carried a payload (e.g. a view_submission's response_action)
    wall: float  # seconds from the first envelope sent to the last ack read (or the run gave up)
    payloads: list[JSON] = field(default_factory=list)  # the first few payloads acks carried

    @property
    def unacked(self) -> int:
        """Envelopes of the run with no ack by its end (never sent ones included)."""
        return self.wanted - len(self.latencies)

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def worst(self) -> float:
        return max(self.latencies, default=math.nan)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall > 0 else math.nan


class _Link:
    """One app's connection, and the envelopes sent on it that await their ack."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.cond = threading.Condition()
        self.pending: dict[str, float] = {}  # envelope_id -> perf_counter() when it was sent
        self.latencies: list[float] = []
        self.with_payload = 0
        self.payloads: list[JSON] = []
        self.late = 0  # acks of envelopes no run waits for any more (or never sent)
        self.slots: threading.Semaphore | None = None
        self.last_ack = 0.0
        self.closed = False

    def acked(self, message: JSON) -> None:
        now = time.perf_counter()
        with self.cond:
            sent = self.pending.pop(str(message.get("envelope_id")), None)
            if sent is None:
                self.late += 1
                return
            self.latencies.append(now - sent)
            self.last_ack = now
            if message.get("payload"):
                self.with_payload += 1
                if len(self.payloads) < 3:
                    self.payloads.append(message["payload"])
            slots = self.slots
            self.cond.notify_all()
        if slots is not None:
            slots.release()


class SocketModeStandIn:
    """Slack's Socket Mode server, for benchmarks: one connection per ticket (the newest wins), envelopes sent
    in a closed loop by `run()`. Thread-safe; start() before use, stop() after."""

    def __init__(self, *, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.port = 0
        self._cond = threading.Condition()
        self._links: dict[str, _Link] = {}
        self._connections: dict[str, list[float]] = {}  # ticket -> time.monotonic() of each hello sent
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        # compression off: Slack does not negotiate permessage-deflate; max_size None: acks are never refused
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, max_size=None)
        self.port = int(self._server.socket.getsockname()[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-standin", daemon=True)
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

    def url(self, ticket: str) -> str:
        """The WebSocket URL apps.connections.open hands out for the app whose connection is `ticket`."""
        query = urllib.parse.urlencode({"ticket": ticket, "app_id": self.app_id})
        return f"ws://127.0.0.1:{self.port}/link/?{query}"

    def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        ticket = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("ticket", [""])[0]
        link = _Link(ws)
        ws.send(json.dumps(hello_message(self.app_id)))
        with self._cond:
            self._links[ticket] = link
            self._connections.setdefault(ticket, []).append(time.monotonic())
            self._cond.notify_all()
        try:
            for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue  # Slack ignores what it cannot read
                if isinstance(message, dict) and message.get("envelope_id"):
                    link.acked(message)
        except ConnectionClosed:
            pass
        finally:
            with link.cond:
                link.closed = True
                slots = link.slots
                link.cond.notify_all()
            if slots is not None:
                slots.release()  # wakes a run waiting for a slot: it sees the link closed
            with self._cond:
                if self._links.get(ticket) is link:
                    del self._links[ticket]
                self._cond.notify_all()

    def connected(self, ticket: str) -> bool:
        with self._cond:
            return ticket in self._links

    def connections(self, ticket: str) -> int:
        """How many connections the app `ticket` ever opened (a reconnect adds one)."""
        with self._cond:
            return len(self._connections.get(ticket, []))

    def wait_connected(self, ticket: str, timeout: float, *, settle: float = 1.0,
                       alive: Callable[[], bool] = lambda: True) -> None:  # fmt: skip
        """Waits until the app `ticket` is connected (its hello sent) and opened no other connection for `settle`
        seconds: slack_sdk's own client opens a second one right after its first (its monitor finds the first
        not yet running). RuntimeError after `timeout` seconds, or as soon as `alive()` says the app is gone."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                last = self._connections.get(ticket, [])[-1:]
                if ticket in self._links and last and now - last[0] >= settle:
                    return
                if now >= deadline or not alive():
                    raise RuntimeError(f"the app {ticket!r} did not connect over Socket Mode within {timeout:.0f} s")
                self._cond.wait(min(deadline - now, settle / 4))

    def run(self, ticket: str, build: EnvelopeBuilder, total: int, concurrency: int, *,
            timeout: float = 30.0) -> AckRun:  # fmt: skip
        """Sends `total` envelopes (the i-th from `build(i)`) on the app's connection, keeping `concurrency` of
        them in flight (the next is sent as soon as an ack comes back: a closed loop), and waits for their acks.
        It gives up when no ack came for `timeout` seconds, or the connection closed; those left are unacked.
        RuntimeError when the app is not connected."""
        with self._cond:
            link = self._links.get(ticket)
        if link is None:
            raise RuntimeError(f"the app {ticket!r} is not connected")
        slots = threading.Semaphore(concurrency)
        with link.cond:
            link.pending.clear()
            link.latencies, link.with_payload, link.payloads = [], 0, []
            link.slots = slots
        sent = 0
        started = time.perf_counter()
        try:
            for index in range(total):
                if not slots.acquire(timeout=timeout) or link.closed:
                    break  # the app stopped acking, or left
                envelope_type, payload, extra = build(index)
                envelope = envelope_message(envelope_type, payload, **extra)
                text = json.dumps(envelope)
                with link.cond:
                    link.pending[envelope["envelope_id"]] = time.perf_counter()
                try:
                    link.ws.send(text)
                except ConnectionClosed:
                    with link.cond:
                        link.pending.pop(envelope["envelope_id"], None)
                    break
                sent += 1
            with link.cond:
                while link.pending and not link.closed:
                    waited_since = max(link.last_ack, started)
                    left = waited_since + timeout - time.perf_counter()
                    if left <= 0:
                        break
                    link.cond.wait(left)
                ended = link.last_ack if link.latencies else time.perf_counter()
                result = AckRun(sent, total, list(link.latencies), link.with_payload, ended - started,
                                list(link.payloads))  # fmt: skip
        finally:
            with link.cond:
                link.pending.clear()  # acks of these from now on count as late
                link.slots = None
        return result

    def late_acks(self, ticket: str) -> int:
        """Acks the app sent for envelopes no run was waiting for (after a run gave up, or unknown ids)."""
        with self._cond:
            link = self._links.get(ticket)
        return link.late if link is not None else 0


# --- the Web API double, handing out the stand-in's URLs ----------------------------------------------------------


class StandInDouble(BenchDouble):
    """The benchmark's Web API double whose apps.connections.open answers each known app-level token with its own
    URL (`app_urls`: token -> URL); other tokens get the double's usual answer."""

    def __init__(self, *, app_urls: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_urls = dict(app_urls)

    def _call_method(self, method: str, args: JSON, token: str | None) -> JSON:
        if method == "apps.connections.open" and token in self.app_urls:
            return {"ok": True, "url": self.app_urls[token]}
        return super()._call_method(method, args, token)


def web_api_main(conn: Connection, config: DoubleConfig, app_urls: dict[str, str]) -> None:
    """A child process serving a StandInDouble until told to stop (bench.doubles.double_main, with the URLs)."""
    if config.log_path:
        redirect_output(config.log_path)
    if config.nice:
        os.nice(config.nice)
    double = StandInDouble(
        app_urls=app_urls, workspace_rate=config.workspace_rate, channel_interval=config.channel_interval,
        bot_token=BOT_TOKEN, team_id=WORKSPACE,
    )  # fmt: skip
    double.start()
    for user in config.users:
        double.add_user(user, user.lower())
    members = [*config.users[:50], double.bot_user_id]
    for channel_id, name in config.channels:
        double.add_channel(channel_id, name, members=members)
    conn.send({"api_url": double.api_url, "url": double.url, "pid": os.getpid()})

    def stop() -> dict[str, Any]:
        stats = double.stats()
        with contextlib.suppress(Exception):
            double.stop()
        return stats

    serve_commands(
        conn, {"stats": double.stats, "bot_messages_in": double.bot_messages_in, "stop": stop}
    )  # fmt: skip
