""":bulb: capture reads the reply it was put on the way Slack answers: `conversations.replies` puts the thread's
parent first on its first page, whichever message of the thread is named, so the reply is picked by its `ts`
from a window that starts at it (issue #10, item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient

from bot.clock import SettableClock
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, eventually
from tests.flows import WAIT
from tests.flows_kaizen import Kaizen, bulb, private_notes, start_kaizen, thread_of


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return start_kaizen(bot_factory, double, clock)


def replies_in_huddle(kaizen: Kaizen, texts: list[str]) -> tuple[str, list[str]]:
    """A huddle posted now and one reply per text in its thread (by BOB); (huddle ts, reply ts in order)."""
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    return huddle["ts"], [kaizen.double.add_message(TEAM_CHANNEL, t, user=BOB, thread_ts=huddle["ts"]) for t in texts]


def captured(kaizen: Kaizen, reply_ts: str) -> Idea:
    def found() -> Idea | None:
        ideas = [i for i in kaizen.ideas() if i.source_ts == reply_ts]
        return ideas[0] if ideas and ideas[0].card_ts and kaizen.settled() else None

    return eventually(found, timeout=WAIT)


def test_slack_answers_a_replies_call_for_a_reply_with_the_parent_first(double: SlackDouble):
    """The double's shape, as Slack's: a window of one, asked for at a reply, holds only the thread's parent."""
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, "UBOT"])
    parent = double.add_message(TEAM_CHANNEL, "Huddle", user="UBOT")
    first = double.add_message(TEAM_CHANNEL, "first reply", user=BOB, thread_ts=parent)
    second = double.add_message(TEAM_CHANNEL, "second reply", user=BOB, thread_ts=parent)
    client = WebClient(token=double.bot_token, base_url=double.api_url)

    one = client.conversations_replies(channel=TEAM_CHANNEL, ts=second, oldest=second, latest=second, inclusive=True,
                                       limit=1)  # fmt: skip
    assert [m["ts"] for m in one["messages"]] == [parent]
    window = client.conversations_replies(channel=TEAM_CHANNEL, ts=second, oldest=second, inclusive=True, limit=2)
    assert [m["ts"] for m in window["messages"]] == [parent, second]
    whole = client.conversations_replies(channel=TEAM_CHANNEL, ts=first)
    assert [m["ts"] for m in whole["messages"]] == [parent, first, second]
    assert {m["thread_ts"] for m in whole["messages"]} == {parent}


def test_a_bulb_on_a_reply_in_the_middle_of_a_busy_thread_captures_that_reply(kaizen: Kaizen):
    texts = [f"Reply number {n} about the ward" for n in range(15)]
    huddle_ts, replies = replies_in_huddle(kaizen, texts)

    bulb(kaizen, replies[7], ALICE)

    idea = captured(kaizen, replies[7])
    assert idea.problem == "Reply number 7 about the ward"
    assert (idea.author_id, idea.source_channel) == (BOB, TEAM_CHANNEL)
    [confirmation] = thread_of(kaizen, huddle_ts)
    assert f"idea #{idea.number}" in confirmation["text"], "confirmed in the huddle's thread (the parent's ts)"
    for call in kaizen.double.calls("conversations.replies"):
        assert int(call.args.get("limit") or 1000) >= 2, "a window of one would hold only the parent"


def test_a_bulb_on_the_first_and_on_the_last_reply_captures_each(kaizen: Kaizen):
    _, replies = replies_in_huddle(kaizen, ["The first thing", "Something between", "The last thing"])

    bulb(kaizen, replies[0], ALICE)
    bulb(kaizen, replies[-1], CAROL)

    assert captured(kaizen, replies[0]).problem == "The first thing"
    assert captured(kaizen, replies[-1]).problem == "The last thing"
    assert len(kaizen.ideas()) == 2
    assert len(private_notes(kaizen, BOB)) == 2


def test_a_bulb_on_the_huddle_itself_captures_nothing_even_with_replies_under_it(kaizen: Kaizen):
    huddle_ts, _ = replies_in_huddle(kaizen, ["A reply under the huddle"])

    bulb(kaizen, huddle_ts, ALICE, item_user="UBOT")

    kaizen.wait_settled()
    assert kaizen.ideas() == []
    assert private_notes(kaizen, BOB) == []
