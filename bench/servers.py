"""The two apps the ack benchmark compares, each served in a child process of its own exactly as `kaizen-bot
serve` serves: waitress with bot.slack.server.SERVER_THREADS threads in front of Bolt's WSGI SlackRequestHandler.

- "kaizen": compose + build_app + bot.slack.server.make_server on port 0, run by run_until_closed in a thread
  (the product's own factory and server; no scheduler, so that periodic jobs do not add noise);
- "bare": a Bolt App with no-op listeners that only ack (`/kaizen`, the raise modal's view_submission,
  reaction_added), the same Bolt options where they do not add work (token verification off, the same listener
  pool size), served by waitress.create_server with the same threads around a plain SlackRequestHandler.

A child process per app, and the load generator in the parent: the client's threads must not share a GIL with
the server being measured.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.common import BOT_TOKEN, EVENTS_PATH, SIGNING_SECRET, clean_environment, redirect_output, serve_commands

KAIZEN, BARE = "kaizen", "bare"


@dataclass
class ServerConfig:
    kind: str  # KAIZEN or BARE
    database_url: str
    api_url: str
    log_path: str


def bare_app(api_url: str) -> Any:
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.composition import LISTENER_THREADS
    from bot.render.ids import CallbackId

    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="bare-listener"),
        logger=logging.getLogger("bare.bolt"),
    )

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

        handler = SlackRequestHandler(bare_app(config.api_url), path=EVENTS_PATH)
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
