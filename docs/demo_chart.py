"""Draw the README's charts from a seeded demo team: `make docs-chart` (writes docs/measures.png, and the same
ward's chart as a Japanese team reads it, docs/measures-ja.png). `python docs/demo_chart.py OUT [LANGUAGE]`.

A made-up ward raises ideas through the product's own workflow and lifecycle, under a clock this script moves,
in a temporary SQLite file: about 4 ideas a week for 24 weeks, then daily huddles start (a leader's rebase with
a note) and it raises about 7 a week. Then `/kaizen stats` is measured and drawn exactly as in Slack.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SettableClock
from bot.i18n import reading
from bot.ideas.lifecycle import Actor, Lifecycle
from bot.ideas.workflow import NewIdea, raise_idea
from bot.measures import baselines
from bot.measures.report import measure, png
from bot.measures.words import summary
from storage.db import Database
from storage.measures import Scope
from storage.migrate import upgrade
from storage.models import Source

ZONE = ZoneInfo("Europe/London")
FIRST_MONDAY = date(2026, 1, 5)
WEEKS = 48
HUDDLES_FROM = 24  # the week daily huddles start
NOW = datetime(2026, 12, 9, 10, tzinfo=UTC)  # a Wednesday: the week in progress shows apart
PEOPLE = [f"U{n:03d}" for n in range(30)]
LEADER = Actor("U_LEAD", is_leader=True)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means of a ward.
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


NOTES = {"en": "started daily huddles", "ja": "毎日のハドルを始めました"}  # the leader's words: data, in their language


def main(out: Path, language: str = "en") -> None:
    rng = random.Random(11)  # noqa: S311  (a repeatable story, not a secret)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'demo.db'}")
        upgrade(db)
        clock = SettableClock(datetime(2026, 1, 1, tzinfo=UTC))
        lifecycle = Lifecycle(db, clock)
        # (when, order, what, which idea): raising, deciding and finishing, told in time order.
        story: list[tuple[datetime, int, str, int]] = []
        for week in range(WEEKS + 1):
            monday = FIRST_MONDAY + timedelta(weeks=week)
            fast = week >= HUDDLES_FROM
            for _ in range(_poisson(rng, 7.0 if fast else 4.0)):
                at = datetime.combine(monday, datetime.min.time(), ZONE) + timedelta(hours=rng.uniform(7, 24 * 5))
                number = len(story)
                decided = at + timedelta(days=rng.uniform(0.3, 5) if fast else rng.uniform(1, 9))
                story += [(at, 0, "raise", number), (decided, 1, "decide", number)]
                if rng.random() < 0.85:
                    story.append((decided + timedelta(days=rng.uniform(2, 20)), 2, "finish", number))
        ids: dict[int, int] = {}
        for at, _order, kind, number in sorted(story):
            if at >= NOW:
                continue
            clock.set(at)
            if kind == "raise":
                new = NewIdea(
                    workspace_id="T_DEMO", channel_id="C_WARD7", channel_name="ward-7",
                    author_id=rng.choice(PEOPLE), problem="A demo problem",
                )  # fmt: skip
                ids[number] = raise_idea(db, clock, new).idea.id
            elif kind == "decide":
                if rng.random() < 0.93:
                    lifecycle.approve(ids[number], LEADER, source=Source.BUTTON)
                else:
                    lifecycle.not_now(ids[number], LEADER, "Not this month.")
            else:
                idea = lifecycle.load(ids[number])
                if idea.status == "approved":
                    lifecycle.start(idea.id, LEADER, idea.team)
                    lifecycle.done(idea.id, LEADER, outcome="worked", result="Done.", learned="Ask early.", effect=None)
        scope = Scope("T_DEMO", 1)
        note = NOTES.get(language, NOTES["en"])
        baselines.rebase(db, scope, FIRST_MONDAY + timedelta(weeks=HUDDLES_FROM), note, "U_LEAD", NOW)
        with reading(language):  # drawn and worded as a team reading `language` sees it in Slack
            report = measure(db, scope, where="#ward-7", zone=ZONE, now=NOW, weeks=52, nudge_days=2, members=30)
            out.write_bytes(png(report))
            sys.stdout.write(summary(report) + "\n")
        db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/measures.png"), sys.argv[2] if len(sys.argv) > 2 else "en")
