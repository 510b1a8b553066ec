"""One notification rule (`bot.notices.is_owed`, `bot.notices.mentioned`): the author is mentioned when someone
else approves or finishes their idea (once each; "not now" privately), nobody is pinged about their own actions,
actors and owners are plain names, and starting is not said in the thread. First the rule as a table, then the
messages that mention each person, counted through the HTTP path for whole flows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.notices import Approved, Done, Notice, NotNowReason, ReasonShared, Reopened, Started, is_owed, mentioned
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, eventually
from tests.flows import LEAD, raise_idea
from tests.flows_kaizen import Kaizen, kaizen_on_request

AUTHOR, LEADER, OTHER = "UAUTHOR", "ULEADER", "UOTHER"


def _idea(*, anonymous: bool = False) -> Idea:
    return Idea(number=7, author_id=AUTHOR, owner_id=AUTHOR, anonymous=anonymous)


# (notice, anonymous idea?) → (owed?, mentioned)
RULE: list[tuple[str, Any, bool, bool, frozenset[str]]] = [
    ("approved by a leader", lambda i: Approved(i, LEADER), False, True, frozenset({AUTHOR})),
    ("approved by its author (a leader)", lambda i: Approved(i, AUTHOR), False, False, frozenset()),
    ("approved, anonymous", lambda i: Approved(i, LEADER), True, True, frozenset()),
    ("started by a leader", lambda i: Started(i, LEADER), False, False, frozenset()),
    ("started by its author", lambda i: Started(i, AUTHOR), False, False, frozenset()),
    ("done by a leader", lambda i: Done(i, LEADER, "x"), False, True, frozenset({AUTHOR})),
    ("done by someone else", lambda i: Done(i, OTHER, "x"), False, True, frozenset({AUTHOR})),
    ("done by its author", lambda i: Done(i, AUTHOR, "x"), False, False, frozenset()),
    ("done, anonymous, by someone else", lambda i: Done(i, OTHER, "x"), True, True, frozenset()),
    ("reopened by a leader", lambda i: Reopened(i, LEADER), False, True, frozenset()),
    ("reopened by its author", lambda i: Reopened(i, AUTHOR), False, True, frozenset()),
    ("not now by a leader: privately", lambda i: NotNowReason(i, LEADER, "why"), False, True, frozenset()),
    ("not now of a leader's own idea", lambda i: NotNowReason(i, AUTHOR, "why"), False, False, frozenset()),
    ("the author shares the reason", lambda i: ReasonShared(i, "why"), False, True, frozenset()),
]


@pytest.mark.parametrize(("case", "make", "anonymous", "owed", "pinged"), RULE, ids=[row[0] for row in RULE])
def test_the_rule(case: str, make: Any, anonymous: bool, owed: bool, pinged: frozenset[str]):
    notice: Notice = make(_idea(anonymous=anonymous))
    assert is_owed(notice) is owed, case
    assert mentioned(notice) == pinged, case
    assert LEADER not in mentioned(notice), "a leader is never pinged by a notice"


# --- counted through the HTTP path ---------------------------------------------------------------------------


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return kaizen_on_request(bot_factory, double, clock)


def mentions(kaizen: Kaizen, user_id: str) -> int:
    """How many messages the bot posted (anywhere: channel, threads, DMs) mention `user_id`."""
    posts = kaizen.double.calls("chat.postMessage")
    return sum(f"<@{user_id}>" in json.dumps(call.args) for call in posts)


def updates_mentioning(kaizen: Kaizen, user_id: str) -> int:
    return sum(f"<@{user_id}>" in json.dumps(call.args) for call in kaizen.double.calls("chat.update"))


def test_raise_approve_start_and_done_by_others_mention_the_author_twice_and_the_leader_never(kaizen: Kaizen):
    idea = kaizen.raise_idea("The bladder scanner is always on the other ward")
    idea = kaizen.approve(idea)  # by the leader
    idea = kaizen.start(idea, LEAD)
    kaizen.finish(idea, LEAD)
    eventually(kaizen.settled)
    assert mentions(kaizen, ALICE) == 2, "once for the approval, once for the thanks when done"
    assert mentions(kaizen, LEAD) == 0
    assert updates_mentioning(kaizen, ALICE) == updates_mentioning(kaizen, LEAD) == 0, "the card names, not pings"
    replies = [reply["text"] for reply in kaizen.thread(idea)]
    assert len(replies) == 2 and not any("Started" in text for text in replies), "no thread reply for Start"


def test_the_author_doing_it_themself_is_mentioned_only_for_the_leaders_yes(kaizen: Kaizen):
    idea = kaizen.approve(kaizen.raise_idea("Drip stands block the bay"))
    idea = kaizen.start(idea, ALICE)
    kaizen.finish(idea, ALICE)
    eventually(kaizen.settled)
    assert mentions(kaizen, ALICE) == 1
    assert mentions(kaizen, LEAD) == 0
    assert len(kaizen.thread(idea)) == 1, "only the approval is said in the thread"


def test_a_leaders_own_idea_pings_nobody_and_says_nothing_in_its_thread(kaizen: Kaizen):
    idea = kaizen.raise_idea("Restock the crash trolley on Mondays", user_id=LEAD)
    idea = kaizen.approve(idea)
    idea = kaizen.start(idea, LEAD)
    kaizen.finish(idea, LEAD)
    eventually(kaizen.settled)
    assert mentions(kaizen, LEAD) == 0
    assert kaizen.thread(idea) == []


def test_someone_else_taking_on_an_anonymous_idea_pings_no_one(kaizen: Kaizen):
    idea = kaizen.approve(kaizen.raise_idea("Nobody restocks the sharps bins", anonymous=True))
    idea = kaizen.start(idea, BOB)
    kaizen.finish(idea, BOB)
    eventually(kaizen.settled)
    assert mentions(kaizen, ALICE) == mentions(kaizen, LEAD) == mentions(kaizen, BOB) == 0


def test_not_now_goes_to_the_author_privately_and_pings_no_one_in_the_channel(kaizen: Kaizen):
    idea = kaizen.not_now(kaizen.raise_idea("Buy a coffee machine"), "The budget is spent this year.")
    eventually(kaizen.settled)
    [note] = kaizen.dms(ALICE)
    assert f"<@{LEAD}>" not in json.dumps(note)
    assert mentions(kaizen, LEAD) == 0
    in_channel = kaizen.double.messages(TEAM_CHANNEL)
    assert not any(f"<@{ALICE}>" in json.dumps(m) for m in in_channel)
    assert kaizen.thread(idea) == []


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_people_asked_for_input_are_mentioned_once_on_the_card_and_the_author_never(kaizen: Kaizen, anonymous: bool):
    idea = raise_idea(
        kaizen.running, kaizen.slack, kaizen.double, "Blood gas machine queue at night", user=ALICE,
        anonymous=anonymous, values={"input_from": [BOB, ALICE]}, until=lambda i: i.card_ts and kaizen.settled(),
    )  # fmt: skip
    card = json.dumps(kaizen.card(idea))
    assert f"Input needed from <@{BOB}>" in card and f"<@{ALICE}>" not in card, "the ask; never the author"
    idea = kaizen.start(kaizen.approve(idea), LEAD)
    kaizen.finish(idea, LEAD)
    eventually(kaizen.settled)
    assert mentions(kaizen, BOB) == 1, "once: the card's post (its edits do not notify)"
    assert mentions(kaizen, ALICE) == (0 if anonymous else 2)
    assert mentions(kaizen, LEAD) == 0
