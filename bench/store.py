"""The store at scale: 200,000 ideas over 1,000 teams in SQLite (a temp file), one team with 2,000 open ideas.

Measured, in this process, through the product's own functions:
- the huddle of the big team: `Huddles._compose` (the queries, the owners' names, the blocks) plus turning the
  blocks into the JSON that chat.postMessage sends; target < 50 ms;
- `/kaizen list` in the big team's channel: `workflow.team_board` + `replies.board_blocks` + the blocks' JSON (what
  the handler sends to the response_url); target < 50 ms;
- the charted series of `/kaizen stats` (`bot.measures.series.measure_series`, every series over the whole
  history (two years here), and `baselines.judge`, the XmR charts; the PNG is not drawn) of the big team and of
  the whole workspace (what `/kaizen stats` shows outside a team channel); target < 1 s. Complete periods are
  remembered per process, so the first run counts two years and the warm runs only the week in progress;
- the headline figures over 52 weeks (`bot.measures.figures.headline`) of the same; target < 1 s.
The figure judged is the median of warm runs (the first run, with empty caches, is shown as well).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from bench.common import BOT_TOKEN, SIGNING_SECRET, WORKSPACE, Table, median, ms, temp_dir, verdict
from bench.seed import Plan, seed
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
from storage import migrate
from storage.db import Database
from storage.measures import Scope
from storage.models import Team

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
FAR_OVER = 3
CAP = 12.0  # seconds: a query still running then is stopped


class Interrupter:
    """Stops a query that runs past a cap (sqlite3's interrupt()), so that one slow path cannot take the whole
    benchmark's time; the figure is then reported as "over the cap"."""

    def __init__(self, engine: Engine) -> None:
        self._connections: list[Any] = []
        event.listen(engine, "connect", lambda dbapi_connection, _record: self._connections.append(dbapi_connection))

    def run(self, fn: Callable[[], Any], cap: float) -> float | None:
        """Seconds fn took, or None when it was stopped at the cap."""
        timer = threading.Timer(cap, lambda: [c.interrupt() for c in list(self._connections)])
        started = time.perf_counter()
        timer.start()
        try:
            fn()
        except OperationalError as error:
            if "interrupted" not in str(error):
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


def run(quick: bool = False) -> list[Table]:
    teams, ideas, big_open = (250, 50_000, 2_000) if quick else (1_000, 200_000, 2_000)
    table = Table(
        f"store: {ideas:,} ideas over {teams:,} teams, SQLite (one team with {big_open:,} open ideas)",
        ["operation", "first", "median", "max", "runs", "target", "verdict"],
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
        seeded = seed(db, Plan(teams=teams, ideas=ideas, now=NOW, big_team_open=big_open))
        db.dispose()
        size = sum(path.stat().st_size for path in tmp.glob("store.db*"))
        table.add(
            "seeding (bulk core inserts)", f"{seeded.seconds:.1f} s", "-", "-", 1, "info", "-",
        )  # fmt: skip
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

            zone = ZoneInfo("UTC")
            team_scope, workspace_scope = Scope(WORKSPACE, team.id), Scope(WORKSPACE)

            nudge = kaizen.settings.kaizen_nudge_days

            def charted(scope: Scope) -> None:
                for series in measure_series(kaizen.db, scope, zone, NOW, nudge):
                    baselines.judge(series, baselines.history(kaizen.db, scope))

            def figures(scope: Scope) -> None:
                headline(kaizen.db, scope, NOW, denominator(kaizen.db, scope, NOW.date(), None))

            checks = [
                (f"huddle compose (team of {big_open:,} open, {LIST_LIMIT}/list)", huddle, 20, 0.050),
                (f"/kaizen list ({BOARD_PER_STATUS} per status)", board, 20, 0.050),
                ("charted series, team (2 years)", lambda: charted(team_scope), 5, 1.0),
                ("charted series, workspace (2 years)", lambda: charted(workspace_scope), 3, 1.0),
                ("headline figures, team (52 weeks)", lambda: figures(team_scope), 5, 1.0),
                ("headline figures, workspace (52 weeks)", lambda: figures(workspace_scope), 3, 1.0),
            ]  # fmt: skip
            for name, fn, runs, target in checks:
                first, warm = _timed(fn, runs, target, stopper, cold_once=name.startswith("charted"))
                typical = median(warm)
                table.add(
                    name, _shown(first), _shown(typical), _shown(max(warm)), len(warm),
                    f"< {ms(target)} ms", verdict(typical < target),
                )  # fmt: skip
        finally:
            kaizen.close()
    table.note(
        "verdict on the median of the warm runs ('first' has empty caches: owners' names via users.info); "
        f"a first run over {FAR_OVER}x its target is not repeated and is judged alone (runs 1); a query still "
        f"running after {CAP:.0f} s is stopped"
    )
    if quick:
        table.note("--quick: a smaller store than the issue's 200,000 ideas; the verdicts are indicative only")
    return [table]
