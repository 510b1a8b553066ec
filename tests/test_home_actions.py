"""Acting from the App Home through the HTTP endpoint (issue 14, item 5): a "Raise a problem" button at the top
opens the raise modal; a leader's waiting ideas (up to 10, oldest first) each have Approve and Not now… and a link
to the card; the tab is published again after each press."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, RunningBot, eventually
from tests.flows import APPROVE, LEAD, load, react
from tests.flows import raise_idea as raise_in_slack
from tests.flows import start as start_bot_and_driver
from tests.homes import checked_home, open_home, publishes_for, section_after, text_of


def start(bot_factory: Any, double: SlackDouble) -> tuple[RunningBot, SlackDriver]:
    return start_bot_and_driver(bot_factory, double, members=(ALICE, BOB, LEAD))


def buttons(view: dict) -> list[dict]:
    return [el for block in view["blocks"] if block["type"] == "actions" for el in block["elements"]]


def press_on_home(slack: SlackDriver, home: dict, action_id: str, idea: Idea | None, user: str) -> None:
    """A click on the Home tab as Slack holds it (block: the idea's row, when an idea is named)."""
    block_id = f"home_{idea.id}" if idea is not None else None
    reply = slack.block_action(action_id, None, user_id=user, view=home, block_id=block_id)
    assert reply.status == 200


def test_raise_a_problem_is_the_first_thing_on_home_and_opens_the_raise_form(bot_factory, double):
    _running, slack = start(bot_factory, double)
    home = open_home(slack, double, ALICE)
    assert home is not None
    first_actions = next(block for block in home["blocks"] if block["type"] == "actions")
    assert home["blocks"].index(first_actions) <= 1, "at the top"
    [raise_button] = first_actions["elements"]
    assert raise_button["text"]["text"] == "Raise a problem"

    before = len(double.calls("views.open"))
    press_on_home(slack, home, raise_button["action_id"], None, ALICE)
    eventually(lambda: len(double.calls("views.open")) > before)
    modal = double.opened_view(before + 1)
    assert modal["title"]["text"] == "Raise a problem or idea"
    assert "team" in json.dumps(modal["blocks"]), "no channel on the Home: the team picker"
    assert double.rejections == []


def test_a_leader_approves_from_home_and_the_tab_is_published_again(bot_factory, double):
    running, slack = start(bot_factory, double)
    ideas = [
        raise_in_slack(running, slack, double, f"Problem number {n} on the ward", user=ALICE, channel=TEAM_CHANNEL)
        for n in range(12)
    ]
    home = open_home(slack, double, LEAD)
    assert home is not None
    waiting = section_after(home, "Waiting for your decision")
    assert "Waiting for your decision* (12)" in text_of(home), "all of them counted"
    assert "+2 more — `/kaizen list new`" in waiting, "at most 10 shown"
    shown = [idea for idea in ideas if f"#{idea.number}>" in waiting]
    assert shown == ideas[:10], "the ten oldest, each number linked to its card"
    assert waiting.index(f"|#{ideas[0].number}>") < waiting.index(f"|#{ideas[9].number}>"), "oldest first"
    assert f"/archives/{TEAM_CHANNEL}/p{str(ideas[0].card_ts).replace('.', '')}" in waiting
    assert "waiting since today" in waiting
    labels = [b["text"]["text"] for b in buttons(home)]
    assert labels.count("Approve") == 10 and labels.count("Not now…") == 10
    assert "style" not in json.dumps([b for b in buttons(home) if b["text"]["text"] == "Not now…"])

    published = len(publishes_for(double, LEAD))
    press_on_home(slack, home, "idea_approve", ideas[0], LEAD)
    eventually(lambda: load(running, ideas[0].id).status == "approved")
    eventually(lambda: len(publishes_for(double, LEAD)) > published, timeout=10)
    eventually(lambda: f"|#{ideas[0].number}>" not in section_after(checked_home(double, LEAD), "Waiting for"))
    after = checked_home(double, LEAD)
    assert f"|#{ideas[10].number}>" in section_after(after, "Waiting for your decision"), "the next one moves up"
    assert double.rejections == []


def test_not_now_from_home_opens_the_reason_form_and_republishes_after_it(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_in_slack(running, slack, double, "Bank staff have no log-in", user=BOB, channel=TEAM_CHANNEL)
    home = open_home(slack, double, LEAD)
    assert home is not None

    before = len(double.calls("views.open"))
    press_on_home(slack, home, "idea_not_now", idea, LEAD)
    eventually(lambda: len(double.calls("views.open")) > before)
    form = double.opened_view(before + 1)
    published = len(publishes_for(double, LEAD))
    reply = slack.submit_view(form, {"reason": "IT are replacing log-ins next month"}, user_id=LEAD)
    assert reply.status == 200 and (reply.json() or {}) == {}

    eventually(lambda: load(running, idea.id).status == "not_now")
    eventually(lambda: len(publishes_for(double, LEAD)) > published, timeout=10)
    eventually(lambda: "Waiting for your decision" not in text_of(checked_home(double, LEAD)))


def test_someone_who_leads_nothing_has_no_decision_buttons(bot_factory, double):
    running, slack = start(bot_factory, double)
    raise_in_slack(running, slack, double, "Blood gas machine queue", user=BOB, channel=TEAM_CHANNEL)
    home = open_home(slack, double, ALICE)
    assert home is not None
    assert [b["text"]["text"] for b in buttons(home)] == ["Raise a problem"]


def test_a_press_on_a_home_that_is_out_of_date_republishes_it_saying_what_happened(
    bot_factory, double, caplog: pytest.LogCaptureFixture
):
    """The Home tab has no message to answer under (no response_url): a press on an idea someone already decided
    is told atop the Home, published again, and nothing fails."""
    caplog.set_level(logging.WARNING)
    running, slack = start(bot_factory, double)
    idea = raise_in_slack(running, slack, double, "Sharps bins full by noon", user=ALICE, channel=TEAM_CHANNEL)
    home = open_home(slack, double, LEAD)
    assert home is not None and f"|#{idea.number}>" in section_after(home, "Waiting for your decision")
    react(slack, running, idea, APPROVE, user=LEAD)
    eventually(lambda: load(running, idea.id).status == "approved")

    published = len(publishes_for(double, LEAD))
    press_on_home(slack, home, "idea_approve", idea, LEAD)  # the tab as it was before the emoji
    # Told atop the Home published again (a later publish, e.g. the approval's own, may replace it since).
    told = f"#{idea.number} is already approved"
    eventually(lambda: any(told in json.dumps(p["view"]) for p in publishes_for(double, LEAD)[published:]), timeout=10)
    after = checked_home(double, LEAD)
    assert "Waiting for your decision" not in text_of(after), "the tab now shows where things stand"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert double.rejections == []
