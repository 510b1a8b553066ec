"""`kaizen-bot retention [--dry-run]` as a real process on the bot's database and the Slack double (issue 18): the
dry run lists the ideas whose words would go, by number, and how much would be purged, changing nothing; without
--dry-run it does it now, cards and replies included. The process reads the real clock, so the ideas are raised
and moved through Slack with the bot's clock set that many days back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from doubles.slack import SlackDouble
from storage.models import Idea, InboxEvent, OutboxMessage
from tests.conftest import BOB
from tests.flows import react, rows, shown
from tests.flows_kaizen import Kaizen, start_kaizen
from tests.processes import bot_env, kaizen_bot, run_cli
from tests.test_retention import DAYS, MARKER, PEOPLE, channel_text, finished, fresh, store_text

pytestmark = pytest.mark.slow  # starts kaizen-bot processes
DUE = re.compile(r"^  #(\d+) in #\S+, finished (\d{4}-\d\d-\d\d)$", re.MULTILINE)


def a_history(bot_factory: Any, double: SlackDouble, clock: Any) -> tuple[Kaizen, list[Idea], list[Idea]]:
    """Forty days ago (by the real clock) an idea done and one declined with its reason shared, and Bob's :+1: on
    the first; twenty days ago another done. Returns the bot, the two due with DAYS days, and the one that is not."""
    k = start_kaizen(
        bot_factory, double, clock, at=datetime.now(UTC) - timedelta(days=40), scheduler=False, members=PEOPLE
    )
    done = finished(k, "The hoist battery is flat")
    react(k.slack, k.running, done, "+1", BOB)
    declined = k.not_now(k.raise_idea("Handover notes get lost"), "No budget until April")
    k.share_reason(declined)
    k.wait_settled()
    clock.advance(timedelta(days=20))
    recent = finished(k, "Call bells are too quiet")
    k.wait_settled()
    return k, [done, declined], [recent]


def retention(double: SlackDouble, tmp_path: Path, database_url: str, *args: str, days: int | None = DAYS) -> str:
    """`kaizen-bot retention ARGS` run to its end (exit 0): what it printed, stdout then stderr."""
    env = bot_env(double, tmp_path, database_url=database_url)
    if days is not None:
        env["KAIZEN_RETENTION_DAYS"] = str(days)
    done = run_cli([*kaizen_bot(), "retention", *args], env, tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def purgeable(k: Kaizen) -> tuple[int, int]:
    """Slack's deliveries applied and the bot's messages sent that still hold a body (all older than a week here)."""
    db = k.running.kaizen.db
    deliveries = [e for e in rows(db, InboxEvent) if e.done_at is not None]
    bodies = [m for m in rows(db, OutboxMessage) if m.done_at is not None and (m.text or m.blocks)]
    return len(deliveries), len(bodies)


def test_a_dry_run_lists_the_ideas_due_and_what_would_be_purged_and_changes_nothing(
    bot_factory, double, clock, tmp_path, database_url
):
    k, due, not_due = a_history(bot_factory, double, clock)
    deliveries, bodies = purgeable(k)
    assert deliveries and bodies
    stored = store_text(k, *due, *not_due)
    updates = len(double.calls("chat.update"))

    said = retention(double, tmp_path, database_url, "--dry-run")

    assert f"The text of 2 ideas finished more than {DAYS} days ago would go:" in said, said
    listed = {int(number): day for number, day in DUE.findall(said)}
    finished_on = {idea.number: fresh(k, idea).done_at or fresh(k, idea).decided_at for idea in due}
    assert listed == {number: f"{when:%Y-%m-%d}" for number, when in finished_on.items()}
    assert f"Slack deliveries to delete: {deliveries}; message bodies to empty: {bodies}" in said, said
    assert store_text(k, *due, *not_due) == stored, "nothing changed in the store"
    assert purgeable(k) == (deliveries, bodies)
    assert len(double.calls("chat.update")) == updates, "nor in Slack"


def test_a_dry_run_with_retention_off_lists_only_what_would_be_purged(
    bot_factory, double, clock, tmp_path, database_url
):
    k, _, _ = a_history(bot_factory, double, clock)
    deliveries, bodies = purgeable(k)

    off = retention(double, tmp_path, database_url, "--dry-run", days=None)

    assert "KAIZEN_RETENTION_DAYS is not set" in off and not DUE.findall(off), off
    assert f"Slack deliveries to delete: {deliveries}; message bodies to empty: {bodies}" in off, off


def test_running_it_now_removes_the_words_due_in_the_store_and_in_slack(
    bot_factory, double, clock, tmp_path, database_url
):
    k, due, not_due = a_history(bot_factory, double, clock)
    deliveries, bodies = purgeable(k)

    said = retention(double, tmp_path, database_url)

    assert (
        f"Removed the text of 2 ideas; updated 2 cards and 2 replies; deleted {deliveries} Slack deliveries; "
        f"emptied {bodies} message bodies." in said
    ), said
    assert [fresh(k, idea).problem for idea in due] == [MARKER, MARKER]
    assert [fresh(k, idea).problem for idea in not_due] == ["Call bells are too quiet"]
    for idea in due:
        assert MARKER in shown(k.card(fresh(k, idea))) and k.thread(idea)[-1]["text"] == MARKER
    everything = channel_text(k)
    assert "hoist battery" not in everything and "No budget" not in everything and "Handover" not in everything
    assert "Call bells are too quiet" in everything
    assert purgeable(k) == (0, 0)
