"""`kaizen-bot`: run (Socket Mode), serve (HTTP), worker, db upgrade, check, huddle, export, stats, manifest,
workspace, person, retention."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.i18n import load_formats
from bot.processes import Background, limit_malloc_arenas, on_stop_signal
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.composition import Kaizen

log = logging.getLogger("kaizen")

SOCKET_CLOSE_SECONDS = 5.0  # slack_sdk's client usually closes in 1-3 s
SIGNAL_POLL_SECONDS = 0.5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kaizen-bot", description="Daily Kaizen in Slack.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="connect to Slack through Socket Mode (needs SLACK_APP_TOKEN)")
    run.add_argument("--web-port", type=int, help="also serve the walk-up form on this port (0 picks a free one)")
    run.add_argument("--web-host", default="127.0.0.1", help="address the walk-up form listens on (default 127.0.0.1)")
    serve = commands.add_parser("serve", help="serve Slack's HTTP requests on POST /slack/events")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000; 0 picks a free one)")
    for answering in (run, serve):
        answering.add_argument("--no-worker", action="store_true",
                               help="start no worker process (a `kaizen-bot worker` runs elsewhere)")  # fmt: skip
    # The name before the worker process existed (issue 16): it meant the same, "this process only answers".
    serve.add_argument("--no-scheduler", action="store_true", dest="no_scheduler", help=argparse.SUPPRESS)
    worker = commands.add_parser("worker", help="do the background work: huddles, the outbox, the inbox sweeps")
    worker.add_argument("--with-parent", action="store_true", help=argparse.SUPPRESS)  # stop when stdin closes
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply database migrations (also done at start)")
    commands.add_parser("check", help="validate settings and reach Slack (auth.test)")
    export = commands.add_parser("export", help="write all ideas to standard output")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    export.add_argument("--team", metavar="CHANNEL", help="only the ideas of this team channel, e.g. C0123ABCD")
    huddle = commands.add_parser("huddle", help="post a huddle now (uses up no scheduled slot)")
    huddle.add_argument("--channel", required=True, help="the team channel's ID, e.g. C0123ABCD")
    stats = commands.add_parser("stats", help="print a team's or a workspace's measures (for a quality report)")
    stats.add_argument("--channel", metavar="CHANNEL", help="the team channel's ID, e.g. C0123ABCD")
    stats.add_argument("--weeks", type=int, default=26, help="the window shown, in weeks (4-156, default 26)")
    stats.add_argument("--format", choices=("json", "csv", "png"), default="json", help="json (default), csv, png")
    tree_help = "also the tiers: a team's whole tree (it and every team below); a workspace's teams, each with its tree"
    stats.add_argument("--tree", action="store_true", help=tree_help)
    stats.add_argument("--output", metavar="PATH", help="write here (a directory for png --tree); default stdout")
    for command in (huddle, export, stats):
        command.add_argument("--workspace", metavar="TEAM_ID", help="the workspace (T…), when installed in several")
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--http", metavar="BASE_URL", help="HTTP mode with OAuth at this public base URL")
    workspace = commands.add_parser("workspace", help="show or set a workspace's own leaders and approve emoji")
    workspace.add_argument("workspace", metavar="TEAM_ID", help="the workspace (T…)")
    workspace.add_argument("--leaders", help="user IDs that lead every team there, comma-separated ('' clears)")
    workspace.add_argument("--leader-group", help="a user group (S…) whose members lead every team ('' clears)")
    workspace.add_argument("--approve-emoji", help="the emoji leaders approve with there ('' clears)")
    person = commands.add_parser("person", help="what the bot keeps about a person: export it, or forget them")
    person_commands = person.add_subparsers(dest="person_command", required=True, metavar="PERSON_COMMAND")
    person_commands.add_parser("requests", help="list the requests to be forgotten that wait for an administrator")
    for name, text in (("export", "print everything stored about USER as JSON"),
                       ("forget", "replace USER's ID everywhere with a pseudonym (with --confirm)")):  # fmt: skip
        person_command = person_commands.add_parser(name, help=text)
        person_command.add_argument("user", metavar="USER", help="the person's Slack user ID, e.g. U012ABCDEF")
    person_command.add_argument("--confirm", action="store_true", help="carry it out (without: show what it changes)")
    person_command.add_argument("--delete-text", action="store_true", help="also remove ideas' words only they wrote")
    retention = commands.add_parser("retention", help="remove text past KAIZEN_RETENTION_DAYS and old deliveries now")
    retention.add_argument("--dry-run", action="store_true", help="list what it would remove, changing nothing")
    return parser


def _close_within(close: Callable[[], None], seconds: float, what: str) -> None:
    """Run `close` but stop waiting for it after `seconds`: a stop signal must end the process promptly (a
    supervisor kills it a little later), and Slack routes events to our other connections meanwhile."""
    closer = threading.Thread(target=close, name=f"closing {what}", daemon=True)
    closer.start()
    closer.join(seconds)
    if closer.is_alive():
        log.warning("%s did not close within %.0f s; stopping without waiting for it", what, seconds)


def cmd_run(
    settings: Settings, worker_on: bool = True, verbose: bool = False, web: tuple[str, int] | None = None
) -> int:
    """Socket Mode until SIGTERM/SIGINT (then 0), with a worker process unless `worker_on` is false, and the walk-up
    form on `web` (host, port) if given. The link reconnects by itself; when Slack refuses SLACK_APP_TOKEN,
    everything is closed and a SettingsError carries the one line to show."""
    from bot.cli_database import upgrade_apart
    from bot.composition import build_app, compose
    from bot.slack.server import bound_port, make_pages_server, run_until_closed
    from bot.slack.socket_mode import SocketModeLink

    settings.require("slack_bot_token", "slack_app_token")
    limit_malloc_arenas()
    stop = threading.Event()
    on_stop_signal(stop.set)
    kaizen = compose(settings, upgrade_db=not upgrade_apart(settings))  # before the worker starts on it
    app = build_app(kaizen, socket_mode=True)
    background = _background(kaizen, worker_on, verbose)
    on_stop_signal(lambda: _both(stop.set, background.stopping))
    link = SocketModeLink(app, settings.require("slack_app_token"), settings.slack_api_url, on_refused=stop.set)
    try:
        pages = make_pages_server(kaizen.pages, *web) if web is not None else None
    except (OSError, ValueError) as error:  # the port is taken, the host is no address of this machine
        background.stop()
        kaizen.close()
        where = f"{web[0]}:{web[1]}" if web else ""
        raise SettingsError(
            f"Cannot serve the walk-up form on {where} ({error}): pick another --web-port or --web-host"
        ) from None
    try:
        if pages is not None:
            threading.Thread(target=run_until_closed, args=(pages,), name="kaizen-walkup-form", daemon=True).start()
            # Tests and supervisors read this line to learn the port when --web-port 0 was asked for.
            print(f"kaizen-bot walk-up form on http://{web[0] if web else ''}:{bound_port(pages)}", flush=True)
        if not stop.is_set():
            link.start()
        # Python runs signal handlers in the main thread only, between bytecodes: blocked in an untimed wait, it
        # did not always wake for SIGTERM (about 1 stop in 25 hung on a loaded machine). A timed wait always does.
        while not stop.wait(SIGNAL_POLL_SECONDS):
            pass
    finally:
        log.info("Stopping: closing the Socket Mode connection")
        if pages is not None:
            pages.close()
        background.stopping()
        _close_within(link.close, SOCKET_CLOSE_SECONDS, "The Socket Mode connection")
        background.stop()
        kaizen.close()
        log.info("Stopped")
    if link.refusal is not None:
        raise SettingsError(link.refusal)  # main() prints it as the last line, exit code 2
    return 0


def cmd_serve(settings: Settings, host: str, port: int, worker_on: bool = True, verbose: bool = False) -> int:
    """HTTP mode (waitress) on host:port until SIGTERM/SIGINT, with a worker process unless `worker_on` is false;
    0."""
    from bot.cli_database import upgrade_apart
    from bot.composition import build_app, compose
    from bot.slack.server import bound_port, make_server, run_until_closed

    settings.require("slack_signing_secret")
    if not settings.oauth_enabled:
        settings.require("slack_bot_token")
    limit_malloc_arenas()
    stopping = threading.Event()
    on_stop_signal(stopping.set)
    kaizen = compose(settings, upgrade_db=not upgrade_apart(settings))  # before the worker starts on it
    app = build_app(kaizen)
    # Started held, before waitress starts its threads (so that the worker can be forked), and let go once the port
    # is ours: a failed start leaves no worker behind, and no work done.
    background = _background(kaizen, worker_on, verbose, hold=True)
    try:
        server = make_server(app, host, port, settings.require("slack_signing_secret"), pages=kaizen.pages)
    except BaseException:
        background.stop()
        kaizen.close()
        raise
    if not stopping.is_set():  # told to stop while starting: the held worker never begins
        background.release()
    on_stop_signal(lambda: _both(server.close, background.stopping))
    if stopping.is_set():
        server.close()
    # Tests and supervisors read this line to learn the port when --port 0 was asked for.
    print(f"kaizen-bot serving on http://{host}:{bound_port(server)}", flush=True)
    try:
        run_until_closed(server)
    finally:
        background.stopping()
        background.stop()
        kaizen.close()
    return 0


def _both(first: Callable[[], None], second: Callable[[], None]) -> None:
    first()
    second()


def _background(kaizen: Kaizen, worker_on: bool, verbose: bool, *, hold: bool = False) -> Background:
    """The serving process's background work: its worker process unless `worker_on` is false, or, for a SQLite
    database in memory (which no other process can open), the jobs in this process. `hold`: the worker does nothing
    until `Background.release` (the jobs in this process start at once)."""
    from sqlalchemy.orm import configure_mappers

    from bot.composition import start_scheduler
    from bot.processes import start_background

    shareable = not (kaizen.db.is_sqlite and kaizen.db.gate is None)
    if worker_on and shareable:
        # No connection is open when the worker is forked (it would share it: SQLite keeps its locks' bookkeeping
        # per process, a PostgreSQL session is one socket); the pool opens new ones as needed.
        kaizen.db.dispose()
        # What both processes read anyway is read once, here, and shared by the fork: the formats of every language,
        # and the ORM's mappers, configured on first use otherwise (each process would build its own).
        load_formats()
        configure_mappers()
    background = start_background(
        worker_on=worker_on, shareable=shareable, in_process=lambda: start_scheduler(kaizen), verbose=verbose,
        forked=_forked_worker(kaizen.settings, verbose), hold=hold,
    )  # fmt: skip
    if background.elsewhere:
        kaizen.inbox.leave_jobs_to_workers()  # charts are drawn there: this process stays small and quick
    return background


def _forked_worker(settings: Settings, verbose: bool) -> Callable[[int], int]:
    """The worker's main function for a child forked from the serving process (`bot.forked`): `cmd_worker` with a
    parent, watching the pipe it is given instead of standard input; exit code 3 when the database fails."""

    def run(parent_fd: int) -> int:
        from bot.cli_errors import database_problem
        from bot.logs import configure_logging
        from bot.processes import GO_AHEAD

        if os.read(parent_fd, len(GO_AHEAD)) != GO_AHEAD:  # end-of-file: the serving process did not start
            return 0
        configure_logging(logging.DEBUG if verbose else logging.INFO, role="worker")
        try:
            return cmd_worker(settings, True, parent_fd=parent_fd)
        except SQLAlchemyError as error:
            log.error("%s", database_problem(error), exc_info=True)
            return 3

    return run


def cmd_worker(settings: Settings, with_parent: bool, *, parent_fd: int = 0) -> int:
    """The background work until SIGTERM/SIGINT (or, `with_parent`, until `parent_fd` (standard input) closes):
    the scheduler's jobs (`bot.jobs`), writing to SQLite only when no ack waits (`storage.write_gate`); 0."""
    from bot.composition import compose, start_background
    from bot.processes import JOBS_STOP_SECONDS, exit_now, finish_jobs, give_way_to_serving, stop_when_parent_goes

    if not settings.oauth_enabled:
        settings.require("slack_bot_token")
    limit_malloc_arenas()
    stop = threading.Event()
    on_stop_signal(stop.set)
    if with_parent:
        stop_when_parent_goes(stop.set, parent_fd)
        give_way_to_serving()  # shares the machine with the process that answers Slack
    # A worker its serving process started finds the database already upgraded by it.
    kaizen = compose(settings, background=True, upgrade_db=not with_parent)
    if stop.is_set():  # told to stop while starting: start nothing
        kaizen.close()
        return 0
    scheduler = start_background(kaizen)
    try:
        while not stop.wait(SIGNAL_POLL_SECONDS):  # a timed wait: see cmd_run
            pass
    finally:
        gate = kaizen.db.gate
        if gate is not None:  # how often the background work gave way to acks' writes (storage.write_gate)
            log.info("Worker stopping; it gave way to acks' writes %s times, %.1f s in all", gate.yields,
                     gate.yielded_seconds)  # fmt: skip
        else:
            log.info("Worker stopping")
        kaizen.huddles.stop()  # a fan-out under way starts no more teams
        kaizen.retention.stop()  # nor a retention run more Slack updates
        finished = finish_jobs(scheduler)
        kaizen.close()
    if not finished:
        log.warning("A job was still running %.0f s after the stop; leaving it to its lease", JOBS_STOP_SECONDS)
        exit_now(0)
    return 0


def cmd_db_upgrade(settings: Settings) -> int:
    """Bring the database to the newest schema; 0."""
    from storage import migrate
    from storage.db import Database

    db = Database(settings.database_url)
    migrate.upgrade(db)
    print(f"Database is up to date ({db.url.render_as_string(hide_password=True)})")
    return 0


def cmd_huddle(settings: Settings, channel_id: str, workspace: str | None) -> int:
    """Post a huddle in the channel now (outside the schedule); 0 when posted, 1 when Slack refused, 2 on usage."""
    from bot.composition import compose
    from bot.ideas import workflow
    from bot.slack.gateway import SlackError
    from bot.slack.installations import NotInstalled

    if not settings.oauth_enabled:
        settings.require("slack_bot_token")
    elif not workspace:
        print("kaizen-bot: installed in several workspaces: say which with --workspace T…", file=sys.stderr)
        return 2
    kaizen = compose(settings)
    try:
        slack = kaizen.gateway.workspace(workspace)
        workspace_id = workspace or str(slack.auth_test()["team_id"])
        info = slack.conversation(channel_id)
        if not info.get("is_member"):
            print(
                f"kaizen-bot: Kaizen is not a member of {channel_id}: invite it with /invite @Kaizen.", file=sys.stderr
            )
            return 1
        team = workflow.ensure_team(kaizen.db, kaizen.clock, workspace_id, channel_id, str(info.get("name") or ""))
        posted = kaizen.huddles.post_now(team)
    except SlackError as error:
        print(f"kaizen-bot: Slack said {error.code} for channel {channel_id}.", file=sys.stderr)
        return 1
    except NotInstalled as error:
        print(f"kaizen-bot: {error}.", file=sys.stderr)
        return 1
    finally:
        kaizen.close()
    print(f"Posted a huddle in {channel_id} (ts {posted.ts}).")
    return 0


def cmd_check(settings: Settings) -> int:
    """Check the settings, Slack (auth.test) and the database, one line each; 0 when all is well, else 1."""
    from bot.cli_errors import database_problem
    from bot.slack.clients import SlackClients
    from bot.slack.gateway import SlackError, SlackGateway
    from bot.slack.refusals import AUTH_HINTS
    from storage import migrate
    from storage.db import Database

    problems: list[str] = []
    token = settings.require("slack_bot_token")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        problems.append(
            "Neither SLACK_APP_TOKEN (for `run`) nor SLACK_SIGNING_SECRET (for `serve`) is set: set the one your "
            "mode needs."
        )
    try:
        auth = SlackGateway(SlackClients(settings.slack_api_url), lambda _workspace: token).workspace(None).auth_test()
        print(f"Slack: connected to workspace {auth.get('team')} ({auth.get('team_id')}) as {auth.get('user')}")
    except SlackError as error:
        code = error.code
        hint = AUTH_HINTS.get(code, "see Slack's auth.test documentation")
        problems.append(f"Slack: auth.test failed with {code}: {hint}.")
    except Exception as error:  # noqa: BLE001 - any failure to reach Slack is reported in one line
        reason = error.__cause__ or error  # the gateway's SlackUnreachable wraps what urllib raised
        problems.append(f"Slack: could not reach {settings.slack_api_url} ({type(reason).__name__}: {reason}).")
    try:
        db = Database(settings.database_url)
        state = "up to date" if migrate.is_up_to_date(db) else "needs `kaizen-bot db upgrade` (also done at start)"
        print(f"Database: {db.url.render_as_string(hide_password=True)} reachable, schema {state}")
    except SQLAlchemyError as error:
        problems.append(f"Database: {database_problem(error)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("All good.")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """The `kaizen-bot` command line: parse `argv` and run the subcommand; returns the exit code."""
    args = _parser().parse_args(argv)
    from bot.cli_errors import Said, database_problem  # after parsing: `--help` loads no more than it needs
    from bot.logs import configure_logging

    configure_logging(
        logging.DEBUG if args.verbose else logging.INFO, role="worker" if args.command == "worker" else None
    )
    try:
        settings = load_settings()
        if args.command == "run":
            web = (args.web_host, args.web_port) if args.web_port is not None else None
            return cmd_run(settings, not args.no_worker, args.verbose, web)
        if args.command == "serve":
            if args.no_scheduler:
                log.warning("--no-scheduler is now called --no-worker (this process starts no worker process)")
            return cmd_serve(settings, args.host, args.port, not (args.no_worker or args.no_scheduler), args.verbose)
        if args.command == "worker":
            return cmd_worker(settings, args.with_parent)
        if args.command == "db":
            return cmd_db_upgrade(settings)
        if args.command in ("export", "stats"):
            from bot import cli_reports
        if args.command == "export":
            return cli_reports.cmd_export(settings, args.format, args.team, args.workspace)
        if args.command == "stats":
            return cli_reports.cmd_stats(
                settings, args.channel, args.workspace, args.weeks, args.format, args.tree, args.output
            )
        if args.command in ("person", "retention"):
            from bot import cli_privacy
        if args.command == "person":
            if args.person_command == "requests":
                return cli_privacy.cmd_person_requests(settings)
            if args.person_command == "export":
                return cli_privacy.cmd_person_export(settings, args.user)
            return cli_privacy.cmd_person_forget(settings, args.user, args.confirm, args.delete_text)
        if args.command == "retention":
            return cli_privacy.cmd_retention(settings, args.dry_run)
        if args.command == "huddle":
            return cmd_huddle(settings, args.channel, args.workspace)
        if args.command in ("manifest", "workspace"):
            from bot import cli_admin

            if args.command == "manifest":
                return cli_admin.cmd_manifest(args.http)
            return cli_admin.cmd_workspace(
                settings, args.workspace, args.leaders, args.leader_group, args.approve_emoji
            )
        return cmd_check(settings)
    except SettingsError as error:
        print(f"kaizen-bot: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"kaizen-bot: {database_problem(error)}", file=sys.stderr)
        return 3
    except Said as said:
        return said.code


if __name__ == "__main__":
    sys.exit(main())
