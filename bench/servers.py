"""The two apps the ack benchmark compares, each served in a child process of its own exactly as `kaizen-bot
serve` serves: waitress with bot.slack.server.SERVER_THREADS threads in front of Bolt's WSGI SlackRequestHandler.

- "kaizen": compose + build_app + bot.slack.server.make_server on port 0, run by run_until_closed in a thread
  (the product's own factory and server; no scheduler, so that periodic jobs do not add noise);
- "bare": a Bolt App with no-op listeners that only ack (`/kaizen`, the raise modal's view_submission,
  reaction_added), the same Bolt options where they do not add work (token verification off, the same listener
  pool size), served by waitress.create_server with the same threads around a plain SlackRequestHandler;
- "minimal": the minimal equivalent app, served as "bare" is: for each request kind only the I/O our promises
  require, written plainly with the same libraries (see `minimal_app`). It is the floor of our design: what kaizen
  spends above it is the product's own work.

A child process per app, and the load generator in the parent: the client's threads must not share a GIL with
the server being measured.

For the Socket Mode benchmark (bench/socket_acks.py), `socket_app_main` connects the same "bare" or "minimal" app
through slack_bolt's SocketModeHandler on websocket-client, the client library kaizen's own link
(bot/slack/socket_mode.py) uses, with its defaults (10 listener threads, as kaizen's link).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from bench.common import BOT_TOKEN, EVENTS_PATH, SIGNING_SECRET, clean_environment, redirect_output, serve_commands

KAIZEN, BARE, MINIMAL = "kaizen", "bare", "minimal"
MINIMAL_CHANNEL = "C0MINIMAL1"  # where the minimal app posts its cards: reactions are sent to kaizen's cards only


@dataclass
class ServerConfig:
    kind: str  # KAIZEN, BARE or MINIMAL
    database_url: str
    api_url: str
    log_path: str


def _bolt_app(api_url: str, name: str) -> Any:
    """A Bolt App with kaizen's options where they add no work (token verification off, the same listener pool)."""
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.composition import LISTENER_THREADS

    return App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix=f"{name}-listener"),
        logger=logging.getLogger(f"{name}.bolt"),
    )


def bare_app(api_url: str) -> Any:
    from slack_bolt import Ack

    from bot.render.ids import CallbackId

    app = _bolt_app(api_url, BARE)

    @app.command("/kaizen")
    def kaizen(ack: Ack) -> None:
        ack()

    @app.view(CallbackId.RAISE)
    def raised(ack: Ack) -> None:
        ack()

    @app.event("reaction_added")
    def reaction() -> None:
        pass  # Bolt acknowledges events itself

    return app


def minimal_app(api_url: str, database_url: str) -> Any:
    """The minimal equivalent of kaizen for the ack benchmark: a Bolt App doing, per request kind, only the I/O our
    promises require, with fixed texts and no rules, rendering or logging of its own:

    - `/kaizen help`: ack, then one POST of a fixed reply to the response_url;
    - `/kaizen`: ack, then one views.open of a fixed form (the raise modal, rendered once at start);
    - the raise form's view_submission: one INSERT and COMMIT of the idea before the ack, then one
      chat.postMessage of a fixed card (into MINIMAL_CHANNEL, so that the reactions sent find kaizen's cards);
    - an Events API delivery: one INSERT into an inbox table before the 200 (a delivery stored before is answered
      200 again), then (reaction_added) one chat.update of the card reacted to.

    As issue 16 defines it, the floor writes nothing after the ack: kaizen also records the card's ts, and applies
    each event (a supporter, the inbox row marked done), which the floor leaves out.

    SQLAlchemy Core on the SQLite settings kaizen uses (WAL, synchronous=NORMAL, a busy timeout), a connection per
    listener thread, and one lock around writes: SQLite takes one writer at a time, and writers that meet in SQLite
    sleep in its busy handler (kaizen queues its writers in the process too); slack_sdk's WebClient for Slack."""
    from slack_bolt import Ack, Respond
    from slack_sdk import WebClient
    from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, event, insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from bot.composition import LISTENER_THREADS
    from bot.render.ids import CallbackId
    from bot.render.metadata import RaiseContext
    from bot.render.raise_form import raise_modal
    from storage.models import Source

    engine = create_engine(database_url, pool_size=LISTENER_THREADS, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    metadata = MetaData()
    ideas = Table(
        "minimal_ideas", metadata, Column("id", Integer, primary_key=True), Column("channel_id", String(32)),
        Column("user_id", String(32)), Column("problem", Text), Column("idea", Text), Column("raised_at", DateTime),
    )  # fmt: skip
    inbox = Table(
        "minimal_inbox", metadata, Column("id", Integer, primary_key=True), Column("event_id", String(64), unique=True),
        Column("body", JSON), Column("received_at", DateTime),
    )  # fmt: skip
    metadata.create_all(engine)
    writing = threading.Lock()
    context = RaiseContext(channel_id=None, response_url=None, source=Source.COMMAND)
    form = raise_modal(prefill="", context=context, pick_team=False, anonymous_allowed=True).to_dict()
    card = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*A new idea*\nRaised just now"}},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "minimal_start", "text": {"type": "plain_text", "text": "Start"}},
        ]},
    ]  # fmt: skip

    app = _bolt_app(api_url, MINIMAL)

    @app.middleware
    def store_events(body: dict[str, Any], next: Callable[[], None]) -> None:
        if body.get("type") == "event_callback":
            with writing, engine.begin() as connection:
                connection.execute(sqlite_insert(inbox).values(
                    event_id=body.get("event_id"), body=body, received_at=datetime.now(UTC),
                ).on_conflict_do_nothing())  # fmt: skip
        next()

    @app.command("/kaizen")
    def kaizen(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        if command.get("text") == "help":
            respond(text="Raise a problem or an idea with /kaizen", response_type="ephemeral")
        else:
            client.views_open(trigger_id=command["trigger_id"], view=form)

    @app.view(CallbackId.RAISE)
    def raised(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        channel_id = RaiseContext.decode(view.get("private_metadata")).channel_id
        with writing, engine.begin() as connection:
            connection.execute(insert(ideas).values(
                channel_id=channel_id, user_id=body["user"]["id"], problem=values["problem"]["problem"]["value"],
                idea=values["idea"]["idea"]["value"], raised_at=datetime.now(UTC),
            ))  # fmt: skip
        ack()
        client.chat_postMessage(channel=MINIMAL_CHANNEL, text="A new idea", blocks=card)

    @app.event("reaction_added")
    def reaction(event: dict[str, Any], client: WebClient) -> None:
        item = event["item"]
        client.chat_update(channel=item["channel"], ts=item["ts"], text="A new idea", blocks=card)

    return app


def server_main(conn: Connection, config: ServerConfig) -> None:
    redirect_output(config.log_path)
    clean_environment()
    from bot.logs import configure_logging
    from bot.slack.server import SERVER_THREADS, bound_port, make_server, run_until_closed

    configure_logging(logging.INFO)  # as `kaizen-bot serve`
    close: Callable[[], None] = lambda: None  # noqa: E731
    if config.kind == KAIZEN:
        from bot.composition import build_app, compose
        from bot.settings import Settings

        settings = Settings(
            _env_file=None, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,  # type: ignore[call-arg]
            slack_api_url=config.api_url, database_url=config.database_url,
        )  # fmt: skip
        kaizen = compose(settings, upgrade_db=False)
        server = make_server(build_app(kaizen), "127.0.0.1", 0, SIGNING_SECRET)
        close = kaizen.close
    else:
        from slack_bolt.adapter.wsgi import SlackRequestHandler
        from waitress.server import create_server

        app = minimal_app(config.api_url, config.database_url) if config.kind == MINIMAL else bare_app(config.api_url)
        handler = SlackRequestHandler(app, path=EVENTS_PATH)
        server = create_server(handler, host="127.0.0.1", port=0, threads=SERVER_THREADS, ident="kaizen-bot")
    thread = threading.Thread(target=run_until_closed, args=(server,), name="server", daemon=True)
    thread.start()
    conn.send({"port": bound_port(server), "pid": os.getpid()})

    def stop() -> dict[str, Any]:
        server.close()
        thread.join(5)
        close()
        return {}

    serve_commands(conn, {"stop": stop})


@dataclass
class SocketAppConfig:
    kind: str  # BARE or MINIMAL
    api_url: str  # the Web API double, whose apps.connections.open hands out the Socket Mode URL
    app_token: str  # the app-level token (xapp-...) that URL is handed out for
    log_path: str
    database_url: str = ""  # the minimal app's store (MINIMAL only)


def socket_app_main(conn: Connection, config: SocketAppConfig) -> None:
    """A child process: the bare app (`bare_app`) or the minimal equivalent app (`minimal_app`, on
    `config.database_url`) connected through slack_bolt's websocket-client SocketModeHandler until told to stop.
    Sends {"pid"} once it asked for its connection (the Socket Mode server knows when it is up). ValueError for
    another kind.

    The minimal app keeps its promise over Socket Mode unchanged, as kaizen's link keeps kaizen's: the handler (as
    bot.slack.socket_mode.SocketModeLink._handle does) runs Bolt's dispatch, global middleware first, and only then
    writes the ack, in the same thread, and only for a 200. So `minimal_app`'s inbox INSERT is committed before an
    event's ack goes out, and an INSERT that fails makes Bolt answer 500: no ack, and Slack sends the envelope
    again (kaizen answers 503 there, with the same effect)."""
    redirect_output(config.log_path)
    clean_environment()
    from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

    from bot.logs import configure_logging

    configure_logging(logging.INFO)  # as `kaizen-bot run`
    if config.kind == MINIMAL:
        app = minimal_app(config.api_url, config.database_url)
    elif config.kind == BARE:
        app = bare_app(config.api_url)
    else:
        raise ValueError(f"no Socket Mode app of kind {config.kind!r}")
    handler = SocketModeHandler(app, app_token=config.app_token)
    handler.connect()  # type: ignore[no-untyped-call]
    conn.send({"pid": os.getpid()})

    def stop() -> dict[str, Any]:
        handler.close()  # type: ignore[no-untyped-call]
        return {}

    serve_commands(conn, {"stop": stop})
