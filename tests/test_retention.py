"""Retention (issue 18, product page Privacy): with KAIZEN_RETENTION_DAYS set, the words of ideas done, or decided
"not now", longer ago than that go from the store, from their cards and from the bot's thread replies that quoted
them, while their numbers, statuses, dates and counts stay, so every chart is the same. Ideas are raised and moved
through Slack (signed requests to the bot, the Slack double answering); the settable clock ages them; the daily run
is the one the worker's scheduler calls (`Retention.tick`)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.clock import SettableClock
from bot.i18n import reading
from bot.measures import report
from bot.personal_data.retention import Report, Retention
from bot.render.ids import CardAction
from bot.render.words import retained_text, stored_text
from doubles.slack import SlackDouble
from storage.measures import Scope
from storage.models import EventKind, Idea, IdeaEvent, OutboxMessage, Source, Supporter
from storage.models_measures import MeasurePeriods
from storage.models_privacy import RetentionRun
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import LEAD, open_raise_form, react, rows, shown
from tests.flows_kaizen import Kaizen, joined, start_kaizen

DAYS = 30
MARKER = "[removed after 30 days]"
PEOPLE = (ALICE, BOB, CAROL, LEAD)
# The words of the ideas that retention takes, and of one it leaves (still waiting for a decision).
DONE_WORDS = ("The hoist battery is flat", "Charge it every night", "A second scanner in bay 2", "Checking twice")
DECLINED_WORDS = ("Handover notes get lost", "No budget until April")
OPEN_WORDS = "Sharps bins fill by noon"


def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock, **settings: Any) -> Kaizen:
    """A bot without its scheduler (nothing runs but what a request or the test starts), LEAD leading, keeping
    words for DAYS days unless `settings` say otherwise."""
    settings.setdefault("kaizen_retention_days", DAYS)
    return start_kaizen(bot_factory, double, clock, at=None, scheduler=False, members=PEOPLE, **settings)


def finished(k: Kaizen, problem: str, **raised: Any) -> Idea:
    """Raised by Alice, approved, started and done by LEAD (the Done reply quotes what was learned)."""
    return k.finish(k.start(k.approve(k.raise_idea(problem, **raised))))


def fresh(k: Kaizen, idea: Idea) -> Idea:
    """The idea as the store holds it now."""
    found = k.idea(idea.id)
    assert found is not None
    return found


def tick(retention: Retention) -> Report:
    """Today's run, which must not have happened yet."""
    ran = retention.tick()
    assert ran is not None, "today's run had happened already"
    return ran


def store_text(k: Kaizen, *ideas: Idea) -> str:
    """Everything the store keeps of these ideas that people wrote or that quotes it: their fields, their history's
    notes and the bodies of the messages the bot queued for them."""
    ids = [idea.id for idea in ideas]
    with k.running.kaizen.db.read() as session:
        fields = [
            (i.problem, i.idea, i.benefit, i.result, i.learned, i.effect, i.decision_note)
            for i in session.scalars(select(Idea).where(Idea.id.in_(ids)))
        ]
        notes = list(session.scalars(select(IdeaEvent.note).where(IdeaEvent.idea_id.in_(ids))))
        bodies = [
            (m.text, m.blocks) for m in session.scalars(select(OutboxMessage).where(OutboxMessage.idea_id.in_(ids)))
        ]
    return json.dumps([fields, notes, bodies], ensure_ascii=False)


def channel_text(k: Kaizen) -> str:
    """Everything standing in the team channel, cards and thread replies."""
    return "".join(shown(message) for message in k.double.messages(TEAM_CHANNEL))


def charts(k: Kaizen) -> list[dict[str, Any]]:
    """`/kaizen stats` for the team and for the workspace, as JSON (every series, limit, signal and figure), counted
    afresh from the ideas (not from the periods kept by an earlier count), at the clock's now."""
    db = k.running.kaizen.db
    with db.write() as session:
        session.execute(delete(MeasurePeriods))
    team = k.team()
    assert team is not None
    now, utc = k.clock.now(), ZoneInfo("UTC")
    scopes = (Scope(WORKSPACE, team.id), Scope(WORKSPACE))
    measured = [
        report.measure(db, scope, where="#ward-7", zone=utc, now=now, weeks=12, nudge_days=2, members=4)
        for scope in scopes
    ]
    return [report.as_json(one) for one in measured]


def total(chart: dict[str, Any], name: str) -> float:
    """The sum of a series' points in a chart as JSON."""
    [series] = [one for one in chart["series"] if one["name"] == name]
    return sum(point["value"] or 0 for point in series["points"])


def kept(idea: Idea) -> tuple[object, ...]:
    """What retention keeps of an idea: who, what happened and when, and its card."""
    return (
        idea.number, idea.status, idea.author_id, idea.owner_id, idea.anonymous, idea.category, idea.created_at,
        idea.decided_at, idea.decided_by, idea.started_at, idea.done_at, idea.outcome, idea.card_ts, idea.team_id,
    )  # fmt: skip


def card_facts(card: dict, *, text_gone: bool = False) -> list[dict]:
    """A card's blocks but its texts: the status line, who raised it and when, supporters, the buttons; with
    `text_gone`, as it shows once its words are removed: without Try it in my team (nothing is left to try)."""
    blocks = [b for b in card["blocks"] if not (b["type"] == "section" and "\n" in b["text"]["text"])]
    facts = [{key: value for key, value in b.items() if key != "block_id"} for b in blocks]  # Slack's own ids
    if text_gone:
        for block in facts:
            if block["type"] == "actions":
                block["elements"] = [e for e in block["elements"] if e.get("action_id") != CardAction.TRY_IN_TEAM]
    return facts


def test_old_words_go_from_the_store_the_cards_and_the_replies_and_every_chart_stays_the_same(
    bot_factory, double, clock
):
    k = kaizen(bot_factory, double, clock)
    done = k.raise_idea(DONE_WORDS[0], idea_text=DONE_WORDS[1])
    react(k.slack, k.running, done, "+1", BOB)
    done = k.finish(k.start(k.approve(done)), learned="Checking twice a shift is enough")
    declined = k.not_now(k.raise_idea(DECLINED_WORDS[0]), DECLINED_WORDS[1])
    waiting = k.raise_idea(OPEN_WORDS, user_id=BOB)
    clock.advance(timedelta(days=DAYS))
    k.share_reason(declined)  # a month later: the reply that quotes the reason is a day old when retention runs
    eventually(lambda: len(k.thread(declined)) == 1 and k.settled())
    clock.advance(timedelta(days=1))
    assert all(word in channel_text(k) for word in (*DONE_WORDS, *DECLINED_WORDS))
    before = {idea.id: kept(fresh(k, idea)) for idea in (done, declined, waiting)}
    events_before = len(rows(k.running.kaizen.db, IdeaEvent))
    card_before = k.card(fresh(k, done))
    charts_before = charts(k)
    assert [total(charts_before[0], name) for name in ("raised", "done")] == [3, 1], "the charts count these ideas"

    ran = tick(k.running.kaizen.retention)

    assert (ran.ideas, ran.cards, ran.replies, ran.skipped_channels, ran.stopped) == (2, 2, 2, {}, False)
    assert ran.replies_waiting == 0
    k.wait_settled()
    # The store: the problem (and the result and what was learned) say the marker; the rest is gone.
    for idea in (done, declined):
        now = fresh(k, idea)
        assert (now.problem, now.idea, now.benefit, now.effect, now.decision_note) == (MARKER, None, None, None, None)
        assert now.text_removed_at == clock.now()
        assert kept(now) == before[idea.id], "numbers, statuses, dates, people and the card stay"
    assert (fresh(k, done).result, fresh(k, done).learned) == (MARKER, MARKER)
    assert (fresh(k, declined).result, fresh(k, declined).learned) == (None, None)
    assert kept(fresh(k, waiting)) == before[waiting.id] and fresh(k, waiting).problem == OPEN_WORDS
    assert len(rows(k.running.kaizen.db, IdeaEvent)) == events_before, "the history stays, without its notes"
    assert len(rows(k.running.kaizen.db, Supporter)) == 1
    stored = store_text(k, done, declined)
    assert not [word for word in (*DONE_WORDS, *DECLINED_WORDS) if word in stored], stored
    # Slack: the cards and the replies that quoted the words say the marker; the open idea's card is as it was.
    card = k.card(fresh(k, done))
    assert MARKER in shown(card) and card_facts(card) == card_facts(card_before, text_gone=True), "status, supporters"
    assert ":+1: 1 person supports this" in shown(card)
    assert MARKER in shown(k.card(fresh(k, declined)))
    assert k.thread(declined)[-1]["text"] == MARKER
    assert k.thread(done)[-1]["text"] == MARKER, "the Done reply quoted what was learned"
    everything = channel_text(k)
    assert not [word for word in (*DONE_WORDS, *DECLINED_WORDS) if word in everything], everything
    assert OPEN_WORDS in everything
    [shared] = [m for m in rows(k.running.kaizen.db, OutboxMessage) if m.dedupe_key.startswith("share:")]
    assert shared.text == MARKER, "a reply younger than a week keeps its body, with the marker in it"
    history = k.history(done.number)
    assert MARKER in history and "In progress → Done" in history
    assert not [word for word in DONE_WORDS if word in history]
    assert DECLINED_WORDS[1] not in k.history(declined.number), "the reason in the history went too"
    # The charts: counted again from the store, the same to the last figure.
    assert charts(k) == charts_before
    [run] = rows(k.running.kaizen.db, RetentionRun)
    assert run.finished_at is not None and (run.report or {})["ideas"] == 2


def test_ideas_finished_less_long_ago_still_open_or_reopened_keep_their_words(bot_factory, double, clock):
    k = kaizen(bot_factory, double, clock)
    reopened = finished(k, "Reopened: the drug fridge beeps")
    waiting = k.raise_idea("Waiting: the bay 4 curtain is torn")
    started = k.start(k.approve(k.raise_idea("Started: a second hoist sling")))
    declined_late = k.approve(k.raise_idea("Declined late: the tea room kettle"))
    done_late = k.approve(k.raise_idea("Done late: the linen cupboard"))
    clock.advance(timedelta(days=5))
    k.press(CardAction.REOPEN, reopened, LEAD)
    k.wait_for(reopened, status="new")
    declined_late = k.not_now(declined_late, "Not until the new kitchen")  # approved on day 0, declined on day 5
    clock.advance(timedelta(days=2))
    done_late = k.finish(k.start(done_late))  # raised on day 0, done on day 7
    retention = k.running.kaizen.retention
    everyone = (reopened, waiting, started, declined_late, done_late)
    words = [idea.problem for idea in everyone]

    clock.advance(timedelta(days=DAYS - 7, hours=1))  # day 30: what was done on day 0 has been reopened since
    assert retention.plan().ideas == []
    assert tick(retention).ideas == 0
    assert [fresh(k, idea).problem for idea in everyone] == words

    clock.advance(timedelta(days=5))  # day 35: "not now" counts from the decision on day 5, not the approval
    assert [due.number for due in retention.plan().ideas] == [declined_late.number]
    assert tick(retention).ideas == 1

    clock.advance(timedelta(days=2))  # day 37: done on day 7
    assert [due.number for due in retention.plan().ideas] == [done_late.number]
    assert tick(retention).ideas == 1
    assert [fresh(k, idea).problem for idea in everyone] == [*words[:3], MARKER, MARKER]
    k.wait_settled()
    for idea in (reopened, waiting, started):
        assert idea.problem in shown(k.card(idea))


def test_words_written_after_retention_took_an_ideas_text_go_in_turn(bot_factory, double, clock):
    k = kaizen(bot_factory, double, clock)
    reopened = finished(k, "Call bells are too quiet")
    edited = finished(k, "The bay 2 blinds are broken")
    clock.advance(timedelta(days=DAYS, hours=1))
    assert tick(k.running.kaizen.retention).ideas == 2

    clock.advance(timedelta(days=1))  # its text gone, the idea is reopened and done again, with new words
    k.press(CardAction.REOPEN, reopened, LEAD)
    k.wait_for(reopened, status="new")
    k.finish(k.start(k.approve(reopened)), learned="Louder bells from the supplier")
    form = k.open_form(CardAction.EDIT, edited, ALICE)  # and the author writes into a done idea's emptied card
    assert k.submit(form, {"problem": "Blinds: ask estates on extension 4411"}, ALICE) == {}
    k.wait_for(edited, problem="Blinds: ask estates on extension 4411")
    due = k.running.kaizen.retention.plan().ideas
    assert [idea.number for idea in due] == [edited.number], "done again only today: not due yet, unlike the edit"

    clock.advance(timedelta(days=DAYS, hours=1))
    ran = tick(k.running.kaizen.retention)

    assert (ran.ideas, ran.cards) == (2, 2)
    k.wait_settled()
    assert [(fresh(k, i).problem, fresh(k, i).learned) for i in (reopened, edited)] == [(MARKER, MARKER)] * 2
    assert "Louder bells" not in channel_text(k) and "4411" not in channel_text(k)
    assert "Louder bells" not in store_text(k, reopened) and "4411" not in store_text(k, edited)


def test_a_team_whose_channel_takes_no_posts_loses_the_words_in_the_store_and_is_reported(
    bot_factory, double, clock, caplog
):
    k = kaizen(bot_factory, double, clock)
    done = finished(k, DONE_WORDS[0])
    declined = k.not_now(k.raise_idea(DECLINED_WORDS[0]), DECLINED_WORDS[1])
    k.share_reason(declined)
    eventually(lambda: len(k.thread(declined)) == 1 and k.settled())
    # The channel is archived; the next card posted there tells the bot so, and the team is paused.
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[*PEOPLE, "UBOT"], is_archived=True)
    form, _ = open_raise_form(k.slack, double, user=BOB)
    k.submit(form, {"problem": OPEN_WORDS}, BOB)
    team = eventually(lambda: (team := k.team()) is not None and team.paused_at is not None and team)
    clock.advance(timedelta(days=DAYS, hours=1))
    updates = len(double.calls("chat.update"))

    with caplog.at_level(logging.WARNING, logger="bot.personal_data.retention"):
        ran = tick(k.running.kaizen.retention)

    assert (ran.ideas, ran.cards, ran.replies, ran.skipped_channels) == (2, 0, 0, {TEAM_CHANNEL: team.name})
    assert len(double.calls("chat.update")) == updates, "nothing tried in a channel that takes no posts"
    stored = store_text(k, done, declined)
    assert not [word for word in (*DONE_WORDS[:1], *DECLINED_WORDS) if word in stored], stored
    assert any(f"cards in {TEAM_CHANNEL}" in r.getMessage() for r in caplog.records), "logged for an operator"
    [run] = rows(k.running.kaizen.db, RetentionRun)
    assert (run.report or {})["skipped_channels"] == {TEAM_CHANNEL: team.name}


def test_replies_left_with_the_words_while_their_channel_was_archived_are_updated_once_it_is_back(
    bot_factory, double, clock
):
    k = kaizen(bot_factory, double, clock)
    done = finished(k, DONE_WORDS[0])
    declined = k.not_now(k.raise_idea(DECLINED_WORDS[0]), DECLINED_WORDS[1])
    k.share_reason(declined)
    eventually(lambda: len(k.thread(declined)) == 1 and k.settled())
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[*PEOPLE, "UBOT"], is_archived=True)
    form, _ = open_raise_form(k.slack, double, user=BOB)
    k.submit(form, {"problem": OPEN_WORDS}, BOB)
    eventually(lambda: (team := k.team()) is not None and team.paused_at is not None)
    clock.advance(timedelta(days=DAYS, hours=1))
    assert tick(k.running.kaizen.retention).replies_waiting == 2, "the Done reply and the shared reason"
    assert "Checking twice" in channel_text(k) and DECLINED_WORDS[1] in channel_text(k)

    # Unarchived, Kaizen is told it is back in the channel; the next day's run updates what it could not.
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[*PEOPLE, "UBOT"], is_archived=False)
    joined(k, "UBOT")
    eventually(lambda: (team := k.team()) is not None and team.paused_at is None)
    clock.advance(timedelta(days=1))
    ran = tick(k.running.kaizen.retention)

    assert (ran.ideas, ran.replies, ran.replies_waiting) == (0, 2, 0)
    assert k.thread(done)[-1]["text"] == MARKER and k.thread(declined)[-1]["text"] == MARKER
    k.running.kaizen.outbox.sweep()  # the scheduler's sweep (off here): a card catches up with its version
    eventually(lambda: MARKER in shown(k.card(fresh(k, done))))
    everything = channel_text(k)
    assert not [word for word in (*DONE_WORDS, *DECLINED_WORDS, "Checking twice") if word in everything], everything


@pytest.mark.parametrize(("error", "waiting"), [("fatal_error", 1), ("message_not_found", 0)])
def test_a_reply_slack_refused_is_tried_again_by_the_next_run_unless_it_was_deleted(
    bot_factory, double, clock, error, waiting
):
    k = kaizen(bot_factory, double, clock)
    done = finished(k, DONE_WORDS[0])
    k.wait_settled()
    clock.advance(timedelta(days=DAYS, hours=1))
    double.fail("chat.update", error, times=2)  # the card's update, then the Done reply's

    first = tick(k.running.kaizen.retention)

    assert (first.ideas, first.replies, first.replies_waiting) == (1, 0, waiting)
    clock.advance(timedelta(days=1))
    updates = len(double.calls("chat.update"))
    second = tick(k.running.kaizen.retention)
    assert (second.replies, second.replies_waiting) == (waiting, 0)
    assert len(double.calls("chat.update")) == updates + waiting, "a deleted reply is not tried again"
    if waiting:
        assert k.thread(done)[-1]["text"] == MARKER


@pytest.mark.parametrize("language", ["de", "ja"])
def test_the_marker_is_said_in_the_teams_language(bot_factory, double, clock, language):
    k = kaizen(bot_factory, double, clock)
    k.command(f"team language {language}", user_id=LEAD)
    team = k.team()
    assert team is not None and team.language == language
    done = finished(k, DONE_WORDS[0])
    with reading(language):
        said = stored_text(retained_text(DAYS))
    assert said and said != MARKER, f"the catalog for {language} translates the marker"
    clock.advance(timedelta(days=DAYS, hours=1))

    assert tick(k.running.kaizen.retention).cards == 1

    card = shown(k.card(fresh(k, done)))
    assert said in card and MARKER not in card and DONE_WORDS[0] not in card
    assert k.thread(done)[-1]["text"] == said
    assert fresh(k, done).problem == MARKER, "stored in English, as data"


def test_the_workers_scheduler_runs_retention_as_soon_as_it_starts(bot_factory, double, clock):
    k = kaizen(bot_factory, double, clock, kaizen_retention_days=None)  # this bot keeps everything
    done = finished(k, DONE_WORDS[0])
    clock.advance(timedelta(days=DAYS, hours=1))
    assert tick(k.running.kaizen.retention).ideas == 0

    clock.advance(timedelta(days=1))
    bot_factory(scheduler=True, kaizen_retention_days=DAYS, kaizen_leaders=(LEAD,))  # a worker keeping DAYS days

    eventually(lambda: MARKER in shown(k.card(fresh(k, done))))
    assert fresh(k, done).problem == MARKER
    today = clock.now().date()

    def days_run() -> list[object]:
        return sorted(run.day for run in rows(k.running.kaizen.db, RetentionRun) if run.finished_at)

    eventually(lambda: days_run() == [today - timedelta(days=1), today])  # the first bot's day, then the worker's


def test_a_channel_archived_since_the_bot_last_posted_there_is_reported_too(bot_factory, double, clock):
    k = kaizen(bot_factory, double, clock)
    finished(k, DONE_WORDS[0])
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[*PEOPLE, "UBOT"], is_archived=True)
    double.fail("chat.update", "is_archived", times=3)  # Slack's answer there (the double's own chat.update takes it)
    clock.advance(timedelta(days=DAYS, hours=1))

    ran = tick(k.running.kaizen.retention)

    team = k.team()
    assert ran.ideas == 1 and team is not None and team.paused_at is not None
    assert ran.skipped_channels == {TEAM_CHANNEL: team.name}


def test_the_safety_trail_of_a_screening_stays_in_the_history_when_the_words_go(bot_factory, double, clock):
    k = kaizen(bot_factory, double, clock)
    done = finished(k, DONE_WORDS[0])
    with k.running.kaizen.db.write() as session:  # as the raise form records "This isn't patient information"
        session.add(IdeaEvent(idea_id=done.id, at=clock.now(), kind=EventKind.NOT_PATIENT_INFO,
                              source=Source.MODAL, actor_id=ALICE, note="nhs_number"))  # fmt: skip
    clock.advance(timedelta(days=DAYS, hours=1))

    assert tick(k.running.kaizen.retention).ideas == 1

    notes = {(e.kind, e.note) for e in rows(k.running.kaizen.db, IdeaEvent) if e.idea_id == done.id and e.note}
    assert notes == {(EventKind.NOT_PATIENT_INFO, "nhs_number")}, "the kinds a screening matched are no one's words"


def test_a_huddle_thanks_for_an_idea_whose_words_went_without_a_learned_line(bot_factory, double, clock):
    k = kaizen(bot_factory, double, clock, kaizen_retention_days=1)
    k.huddle_now()
    clock.advance(timedelta(minutes=5))
    done = finished(k, DONE_WORDS[0])
    clock.advance(timedelta(days=1, hours=1))  # no huddle since (a weekend): the next one thanks for it
    assert tick(k.running.kaizen.retention).ideas == 1

    k.huddle_now()

    huddle = shown(k.huddles()[-1])
    assert f"#{done.number}" in huddle and "learned:" not in huddle and "Checking twice" not in huddle, huddle
