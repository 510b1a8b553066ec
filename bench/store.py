"""The store at scale: 200,000 ideas over 1,000 teams in SQLite (a temp file), one team with 2,000 open ideas; the
measures also on PostgreSQL when BENCH_POSTGRES names a server (a role that may create databases, e.g.
postgresql://kaizen_ci:kaizen_ci@127.0.0.1:5432/postgres): the same seed in a database of its own, dropped after.

Measured, in this process, through the product's own functions:
- the huddle of the big team: `Huddles._compose` (the queries, the owners' names, the blocks) plus turning the
  blocks into the JSON that chat.postMessage sends; target < 50 ms;
- `/kaizen list` in the big team's channel: `workflow.team_board` + `replies.board_blocks` + the blocks' JSON (what
  the handler sends to the response_url); target < 50 ms;
- the charted series of `/kaizen stats` (`bot.measures.series.measure_series`, every series over the whole
  history (two years here), and `baselines.judge`, the XmR charts; the PNG is not drawn) of the big team (target
  < 1 s) and of the whole workspace (what `/kaizen stats` shows outside a team channel; target < 500 ms, issue 16);
- the headline figures over 52 weeks (`bot.measures.figures.headline`) of the same; target < 1 s.

Complete periods are counted once and kept in the store (`bot/measures/series.py`, `storage/measure_periods.py`),
for every process and across restarts; a chart then counts only the periods after them. The workspace series is
judged against the issue's 500 ms both ways a person waits for it: "warm" (median of runs in this process) and
"cold" (median of runs each in a fresh `Database`, so the connections are new and nothing is in the process; the
periods kept by the last chart before the restart are in the store, and the OS file cache stays warm, as on a server
that restarts): the first `/kaizen stats` after a restart or deploy. Shown beside them, not judged: "counted anew"
(nothing kept: the first chart of a scope ever, or after data told late, a reopened done idea or a deleted idea made
the kept periods void; once, for every process) and "kept a week ago" (the first chart after a new week began: the
week just ended is counted, and the waiting stock needs every idea's history for it). The team's series is judged
warm; its first run in the process (nothing kept yet) is shown.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.common import BOT_TOKEN, SIGNING_SECRET, WORKSPACE, Table, median, ms, temp_dir, verdict
from bench.seed import Plan, Seeded, seed
from bot.clock import SettableClock
from bot.composition import compose
from bot.huddles.daily import LIST_LIMIT
from bot.ideas import workflow
from bot.measures import baselines
from bot.measures.figures import denominator, headline
from bot.measures.series import measure_series
from bot.render import replies, words
from bot.settings import Settings
from doubles.slack import SlackDouble
from handlers.commands import BOARD_PER_STATUS
from storage import huddles as huddle_store
from storage import measure_periods, migrate
from storage.db import Database
from storage.measures import Scope
from storage.models import Team

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
FAR_OVER = 3
CAP = 12.0  # seconds: a query still running then is stopped
POSTGRES_ENV = "BENCH_POSTGRES"
SERIES_TARGET = 0.5  # the workspace's series, cold and warm (issue 16)
COLD_RUNS = 3
NUDGE_DAYS = 2  # the product's default


class Interrupter:
    """Stops a query that runs past a cap (sqlite3's interrupt(), psycopg's cancel()), so that one slow path
    cannot take the whole benchmark's time; the figure is then reported as "over the cap"."""

    def __init__(self, engine: Engine) -> None:
        self._connections: list[Any] = []
        event.listen(engine, "connect", lambda dbapi_connection, _record: self._connections.append(dbapi_connection))

    def _stop(self) -> None:
        for connection in list(self._connections):
            (connection.interrupt if hasattr(connection, "interrupt") else connection.cancel)()

    def run(self, fn: Callable[[], Any], cap: float) -> float | None:
        """Seconds fn took, or None when it was stopped at the cap."""
        timer = threading.Timer(cap, self._stop)
        started = time.perf_counter()
        timer.start()
        try:
            fn()
        except OperationalError as error:
            if "interrupted" not in str(error) and "canceling statement" not in str(error):
                raise
            return None
        finally:
            timer.cancel()
        return time.perf_counter() - started


def _timed(
    fn: Callable[[], Any], runs: int, target: float, stopper: Interrupter, *, cold_once: bool = False
) -> tuple[float, list[float]]:
    """(first run, the warm runs after it), in seconds; math.inf for a run stopped at the cap. A first run far
    over the target is not repeated: the verdict is clear, and the whole benchmark must fit in a few minutes;
    unless `cold_once`: the first run does once-per-process work (the measures' whole history), so the warm
    runs are what a person waits for and are measured anyway."""
    times: list[float] = []
    for _ in range(runs + 1):
        took = stopper.run(fn, CAP)
        times.append(math.inf if took is None else took)
        if times[0] > FAR_OVER * target and not (cold_once and not math.isinf(times[0])):
            break
    return times[0], times[1:] or times[:1]


def _shown(seconds: float) -> str:
    return f"> {CAP:.0f} s (stopped)" if math.isinf(seconds) else f"{ms(seconds)} ms"


def _charted(db: Database, scope: Scope) -> None:
    for series in measure_series(db, scope, ZoneInfo("UTC"), NOW, NUDGE_DAYS):
        baselines.judge(series, baselines.history(db, scope))


def _figures(db: Database, scope: Scope) -> None:
    headline(db, scope, NOW, denominator(db, scope, NOW.date(), None))


def _forget(db: Database) -> None:
    with db.write() as session:
        measure_periods.forget(session)


def _week_behind(db: Database, scope: Scope) -> None:
    """Kept periods as a chart a week ago left them: everything counted afresh at NOW - 7 days."""
    _forget(db)
    measure_series(db, scope, ZoneInfo("UTC"), NOW - timedelta(days=7), NUDGE_DAYS)


def _cold_runs(url: str, scope: Scope, prepare: Callable[[Database], None] | None = None) -> list[float]:
    """Seconds of the charted series of `scope` in a new process's state: each run in a `Database` of its own,
    after `prepare` (untimed, in another `Database`) set the kept periods up."""
    times: list[float] = []
    for _ in range(COLD_RUNS):
        if prepare is not None:
            before = Database(url)
            try:
                prepare(before)
            finally:
                before.dispose()
        db = Database(url)
        try:
            took = Interrupter(db.engine).run(lambda: _charted(db, scope), CAP)  # noqa: B023 - called at once
        finally:
            db.dispose()
        times.append(math.inf if took is None else took)
        if math.isinf(times[-1]):
            break
    return times


def _workspace_rows(table: Table, where: str, url: str, db: Database, stopper: Interrupter) -> None:
    """The workspace's charted series, cold and warm, and its headline figures, on the store at `url` (`db`)."""
    workspace = Scope(WORKSPACE)
    anew = _cold_runs(url, workspace, _forget)
    table.add(
        f"weekly series, workspace, counted anew ({where})", _shown(anew[0]), _shown(median(anew)),
        _shown(max(anew)), len(anew), "info", "-",
    )  # fmt: skip
    behind = _cold_runs(url, workspace, lambda before: _week_behind(before, workspace))
    table.add(
        f"weekly series, workspace, kept a week ago ({where})", _shown(behind[0]), _shown(median(behind)),
        _shown(max(behind)), len(behind), "info", "-",
    )  # fmt: skip
    _charted(db, workspace)  # kept up to now, as the last chart before a restart left them
    cold = _cold_runs(url, workspace)
    table.add(
        f"weekly series, workspace, cold ({where})", _shown(cold[0]), _shown(median(cold)), _shown(max(cold)),
        len(cold), f"< {ms(SERIES_TARGET)} ms", verdict(median(cold) < SERIES_TARGET),
    )  # fmt: skip
    first, warm = _timed(lambda: _charted(db, workspace), 5, SERIES_TARGET, stopper, cold_once=True)
    table.add(
        f"weekly series, workspace, warm ({where})", _shown(first), _shown(median(warm)), _shown(max(warm)),
        len(warm), f"< {ms(SERIES_TARGET)} ms", verdict(median(warm) < SERIES_TARGET),
    )  # fmt: skip
    first, runs = _timed(lambda: _figures(db, workspace), 3, 1.0, stopper)
    table.add(
        f"headline figures, workspace, 52 weeks ({where})", _shown(first), _shown(median(runs)),
        _shown(max(runs)), len(runs), "< 1000 ms", verdict(median(runs) < 1.0),
    )  # fmt: skip


def _seeded_row(table: Table, where: str, seeded: Seeded) -> None:
    table.add(f"seeding, bulk core inserts ({where})", f"{seeded.seconds:.1f} s", "-", "-", 1, "info", "-")


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`, dropped afterwards: its URL."""
    name = f"kaizen_bench_store_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _postgres(table: Table, plan: Plan) -> None:
    """The same store on PostgreSQL: seeded, vacuumed and analyzed (as autovacuum leaves a settled database), then
    the workspace's series and headline; one row saying how to get them when no server is named."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        table.add(
            "weekly series, workspace (PostgreSQL)", "-", "-", "-", 0, f"< {ms(SERIES_TARGET)} ms",
            f"not measured (set {POSTGRES_ENV})",
        )  # fmt: skip
        return
    with _postgres_database(admin_url) as url:
        db = Database(url)
        try:
            migrate.upgrade(db)
            seeded = seed(db, plan)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE ideas"))
                connection.execute(text("VACUUM ANALYZE idea_events"))
            _seeded_row(table, "PostgreSQL", seeded)
            _workspace_rows(table, "PostgreSQL", url, db, Interrupter(db.engine))
        finally:
            db.dispose()


def run(quick: bool = False) -> list[Table]:
    teams, ideas, big_open = (250, 50_000, 2_000) if quick else (1_000, 200_000, 2_000)
    plan = Plan(teams=teams, ideas=ideas, now=NOW, big_team_open=big_open)
    table = Table(
        f"store: {ideas:,} ideas over {teams:,} teams, SQLite and PostgreSQL (one team with {big_open:,} open ideas)",
        ["operation", "first", "median", "max", "runs", "target", "verdict"],
        value_columns=("median", "first"),
    )
    with (
        temp_dir("kaizen-bench-store-") as tmp,
        SlackDouble(bot_token=BOT_TOKEN, team_id=WORKSPACE) as double,
    ):
        url = f"sqlite:///{tmp / 'store.db'}"
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        db = Database(url)
        seeded = seed(db, plan)
        db.dispose()
        size = sum(path.stat().st_size for path in tmp.glob("store.db*"))
        _seeded_row(table, "SQLite", seeded)
        table.note(
            f"seeded {seeded.ideas:,} ideas and {seeded.events:,} idea events in {seeded.seconds:.1f} s "
            f"({seeded.ideas / seeded.seconds:,.0f} ideas/s with their events); file {size / 1e6:.0f} MB; statuses "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(seeded.counts.items()))
        )
        for user in seeded.users[:20]:  # the big team's people, so the huddle can show owners' names
            double.add_user(user, user.lower())
        settings = Settings(
            _env_file=None, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,  # type: ignore[call-arg]
            slack_api_url=double.api_url, database_url=url,
        )  # fmt: skip
        kaizen = compose(settings, clock=SettableClock(NOW), upgrade_db=False)
        stopper = Interrupter(kaizen.db.engine)  # before the first connection is made
        try:
            with kaizen.db.read() as session:
                team = session.get(Team, seeded.big_team_id)
            assert team is not None
            slack = kaizen.gateway.workspace(WORKSPACE)
            huddles = kaizen.huddles
            local_date = NOW.date()

            def huddle() -> None:
                _text, blocks = huddles._compose(team, slack, NOW, local_date, 0)
                words.to_dicts(blocks)

            def board() -> None:
                board = workflow.team_board(kaizen.db, team.channel_id, None, BOARD_PER_STATUS)
                words.to_dicts(replies.board_blocks(board, team.channel_id, NOW, None))

            def digest() -> None:
                with kaizen.db.read() as session:
                    huddle_store.waiting_past(session, team.id, NOW, LIST_LIMIT)

            team_scope = Scope(WORKSPACE, team.id)
            checks = [
                (f"huddle compose (team of {big_open:,} open, {LIST_LIMIT}/list)", huddle, 20, 0.050),
                (f"leaders' digest look-up (team of {big_open:,} open)", digest, 20, 0.050),
                (f"/kaizen list ({BOARD_PER_STATUS} per status)", board, 20, 0.050),
                ("charted series, team, 2 years (SQLite)", lambda: _charted(kaizen.db, team_scope), 5, 1.0),
                ("headline figures, team, 52 weeks (SQLite)", lambda: _figures(kaizen.db, team_scope), 5, 1.0),
            ]  # fmt: skip
            for name, fn, runs, target in checks:
                first, warm = _timed(fn, runs, target, stopper, cold_once=name.startswith("charted"))
                typical = median(warm)
                table.add(
                    name, _shown(first), _shown(typical), _shown(max(warm)), len(warm),
                    f"< {ms(target)} ms", verdict(typical < target),
                )  # fmt: skip
            _workspace_rows(table, "SQLite", url, kaizen.db, stopper)
        finally:
            kaizen.close()
    _postgres(table, plan)
    table.note(
        "verdict on the median of the warm runs ('first' has empty caches: owners' names via users.info); the "
        f"workspace's cold series: the median of {COLD_RUNS} runs each in a new Database (nothing in the process, the "
        "periods the last chart kept in the store), judged too: the first /kaizen stats after a restart waits for it; "
        "'counted anew' has nothing kept, 'kept a week ago' the periods kept a week before; a first run over "
        f"{FAR_OVER}x its target is not repeated and is judged alone (runs 1); a query still running after {CAP:.0f} s "
        "is stopped"
    )
    if quick:
        table.note("--quick: a smaller store than the issue's 200,000 ideas; the verdicts are indicative only")
    return [table]
