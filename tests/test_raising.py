"""Raising an idea: `/kaizen` → modal → stored idea → card in the team channel, through the HTTP endpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import SettableClock
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent
from tests.conftest import ALICE, BOB, OUTSIDE_CHANNEL, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually


def open_modal(slack: SlackDriver, double: SlackDouble, text: str = "", **kwargs: Any) -> tuple[dict, str]:
    before = len(double.calls("views.open"))
    reply, response_url = slack.command(text, **kwargs)
    assert reply.status == 200
    return double.opened_view(before + 1), response_url


def input_element(view: dict, block_id: str) -> dict:
    for block in view["blocks"]:
        if block.get("block_id") == block_id:
            return block["element"]
    raise AssertionError(f"no input block {block_id} in the modal")


def block_ids(view: dict) -> set[str]:
    return {block.get("block_id") for block in view["blocks"] if block.get("type") == "input"}


def ideas(bot: RunningBot) -> list[Idea]:
    with bot.kaizen.db.read() as session:
        return list(session.scalars(select(Idea).order_by(Idea.number)))


def all_text(message: dict) -> str:
    return json.dumps(message.get("blocks", [])) + message.get("text", "")


def test_kaizen_opens_the_raise_modal_with_the_fields_and_the_patient_hint(slack, double):
    view, _ = open_modal(slack, double)
    assert view["callback_id"] == "raise_idea"
    assert {"problem", "idea", "benefit", "category", "input_from", "anonymous"} <= block_ids(view)
    assert "team" not in block_ids(view), "Kaizen is a member here: no team picker"
    assert "patient" in json.dumps(view["blocks"]).lower()
    for block_id in ("problem", "idea", "benefit"):
        assert 1 <= input_element(view, block_id)["max_length"] <= 3000


def test_the_raise_form_leads_with_problem_idea_and_the_name_choice(slack, double):
    view, _ = open_modal(slack, double)
    assert view["title"]["text"] == "Raise a problem or idea"
    inputs = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
    assert inputs[:3] == ["problem", "idea", "anonymous"], "what matters first"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert not any("optional" in label.lower() for label in labels), "Slack adds “(optional)” itself"
    for block in view["blocks"]:
        for option in (block.get("element") or {}).get("options", []):
            for part in ("text", "description"):
                if part in option:
                    assert len(option[part]["text"]) <= 75, "Slack's limit for option texts: nothing cut off"
    assert "Whoever runs the bot" in json.dumps(view["blocks"]), "who can still see it, said in full"
    assert double.rejections == []


def test_command_text_prefills_the_problem_decoded_once(slack, double):
    view, _ = open_modal(slack, double, "Pumps &amp; lines &lt;3 in <#C123|ward-7> ask <@U_BOB|bob> <!channel>")
    assert input_element(view, "problem")["initial_value"] == "Pumps & lines <3 in #ward-7 ask @bob @channel"


def test_submitting_commits_the_idea_and_posts_its_card(bot, slack, double):
    view, _ = open_modal(slack, double)
    reply = slack.submit_view(
        view,
        {
            "problem": "The bladder scanner is always on the other ward",
            "idea": "Buy a second one & keep it in bay 2",
            "benefit": "Less walking",
            "category": "flow",
            "input_from": [BOB],
        },
    )
    assert reply.status == 200
    assert reply.body in (b"", b"{}") or reply.json().get("response_action") is None
    [stored] = ideas(bot)
    assert (stored.number, stored.status, stored.author_id, stored.owner_id) == (1, "new", ALICE, ALICE)
    assert stored.idea == "Buy a second one & keep it in bay 2"
    assert stored.category == "flow" and stored.input_from == [BOB]
    double.wait_for("chat.postMessage")
    [card] = double.messages(TEAM_CHANNEL)
    text = all_text(card)
    assert "Kaizen #1" in text and "New" in text
    assert "bladder scanner" in text and "Less walking" in text and "Flow/time" in text
    assert "Buy a second one &amp; keep it in bay 2" in text, "user text is escaped once for mrkdwn"
    assert f"<@{ALICE}>" not in text, "the author is named, not pinged (issue 14)"
    assert "Raised by alice" in text and f"<@{BOB}>" in text
    eventually(lambda: ideas(bot)[0].card_ts == card["ts"])
    with bot.kaizen.db.read() as session:
        [event] = session.scalars(select(IdeaEvent)).all()
        assert (event.kind, event.to_status, event.actor_id) == ("created", "new", ALICE)


def test_the_authors_name_is_learned_while_they_type_so_the_card_needs_no_lookup(bot, slack, double):
    view, _ = open_modal(slack, double)
    eventually(lambda: bot.kaizen.outbox.names.known(WORKSPACE, ALICE))  # the answer is in, not just the call
    asked = [call.args.get("user") for call in double.calls("users.info")]
    assert asked == [ALICE], "one lookup, after the form opened"
    slack.submit_view(view, {"problem": "The bladder scanner is always on the other ward"})
    double.wait_for("chat.postMessage")
    [card] = double.messages(TEAM_CHANNEL)
    assert "Raised by alice" in all_text(card)
    assert [call.args.get("user") for call in double.calls("users.info")] == asked, "the card asked no more"


def test_no_name_is_looked_up_when_the_form_did_not_open(slack, double):
    double.fail("views.open", "expired_trigger_id")
    reply, response_url = slack.command("")
    assert reply.status == 200
    [told] = double.wait_for_response(response_url)
    assert "didn't let me open the form" in told["text"]
    assert double.calls("users.info") == []


def test_numbers_count_up_per_workspace(bot, slack, double):
    for problem in ("first", "second", "third"):
        view, _ = open_modal(slack, double)
        slack.submit_view(view, {"problem": problem})
    assert [(i.number, i.problem) for i in ideas(bot)] == [(1, "first"), (2, "second"), (3, "third")]
    double.wait_for("chat.postMessage", count=3)


def test_text_from_a_person_never_becomes_a_live_mention_on_the_card(slack, double):
    view, _ = open_modal(slack, double)
    slack.submit_view(view, {"problem": "<!channel> <@U_BOB> <https://evil.example|click> &lt; & >"})
    double.wait_for("chat.postMessage")
    [card] = double.messages(TEAM_CHANNEL)
    text = all_text(card)
    for live in ("<!channel>", "<@U_BOB>", "<https://evil"):
        assert live not in text
    assert "&lt;!channel&gt;" in text and "&amp;lt;" in text


def test_an_anonymous_idea_never_shows_its_author(bot, slack, double):
    view, _ = open_modal(slack, double)
    slack.submit_view(view, {"problem": "Night shift handover is rushed", "anonymous": ["anonymous"]})
    double.wait_for("chat.postMessage")
    [card] = double.messages(TEAM_CHANNEL)
    assert ALICE not in all_text(card)
    [stored] = ideas(bot)
    assert stored.anonymous and stored.owner_id is None and stored.author_id == ALICE


def test_a_blank_problem_gets_an_error_in_the_modal_and_nothing_is_stored(bot, slack, double):
    view, _ = open_modal(slack, double)
    reply = slack.submit_view(view, {"problem": "   "})
    assert reply.status == 200
    body = reply.json()
    assert body["response_action"] == "errors" and "problem" in body["errors"]
    assert ideas(bot) == []
    assert double.calls("chat.postMessage") == []


def test_in_a_dm_the_modal_asks_for_the_team_channel(bot, slack, double):
    view, _ = open_modal(slack, double, "Printer jams", channel_id="D_ALICE", channel_name="directmessage")
    assert "team" in block_ids(view)
    slack.submit_view(view, {"team": TEAM_CHANNEL, "problem": "Printer jams"})
    double.wait_for("chat.postMessage")
    [card] = double.messages(TEAM_CHANNEL)
    assert card["text"].startswith("Kaizen #1") and "Printer jams" in card["text"]


def test_typed_where_kaizen_is_not_a_member_the_modal_asks_for_a_team(bot, slack, double):
    view, _ = open_modal(slack, double, channel_id=OUTSIDE_CHANNEL, channel_name="random")
    assert "team" in block_ids(view)
    assert input_element(view, "team").get("initial_conversation") == OUTSIDE_CHANNEL
    reply = slack.submit_view(view, {"team": OUTSIDE_CHANNEL, "problem": "x"})
    body = reply.json()
    assert body["response_action"] == "errors" and "invite" in body["errors"]["team"].lower()
    assert ideas(bot) == []


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_when_the_card_cannot_be_posted_the_idea_is_kept_the_person_told_and_the_card_posted_later(
    bot_factory, double, clock: SettableClock, error: str
):
    running: RunningBot = bot_factory(scheduler=True, sweep_seconds=0.2)
    slack = SlackDriver(running.endpoint, "test-signing-secret", double, team_id=WORKSPACE)
    double.fail("chat.postMessage", error, times=1)
    view, response_url = open_modal(slack, double, "Sharps bin overflowing")
    reply = slack.submit_view(view, {"problem": "Sharps bin overflowing"})
    assert reply.status == 200 and reply.body in (b"", b"{}")
    [told] = double.wait_for_response(response_url)
    assert "#1 is saved" in told["text"] and told.get("response_type") == "ephemeral"
    [stored] = ideas(running)
    assert stored.card_ts is None
    # Slack said the channel takes no posts: the team waits until Kaizen is back in it, and Slack says so.
    kaizen_back = {"type": "member_joined_channel", "user": "UBOT", "channel": TEAM_CHANNEL, "channel_type": "C"}
    assert slack.event(kaizen_back).status == 200
    # Once it is back, the card goes up, once.
    clock.advance(timedelta(minutes=2))
    eventually(lambda: ideas(running)[0].card_ts, timeout=10)
    clock.advance(timedelta(minutes=10))
    import time

    time.sleep(1.0)  # several more sweeps run; none may post again
    assert [m["ts"] for m in double.messages(TEAM_CHANNEL) if m["text"].startswith("Kaizen #1")] == [
        ideas(running)[0].card_ts
    ]
    with running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Idea).where(Idea.card_ts.is_not(None))) == 1


def test_a_post_slack_took_but_never_confirmed_is_found_not_posted_twice(bot_factory, double, clock):
    running: RunningBot = bot_factory(scheduler=True, sweep_seconds=0.2)
    slack = SlackDriver(running.endpoint, "test-signing-secret", double, team_id=WORKSPACE)
    double.delay("chat.postMessage", 12, times=1)  # longer than the client's timeout: the post lands, unanswered
    view, response_url = open_modal(slack, double, "Fridge alarm")
    slack.submit_view(view, {"problem": "Fridge alarm"})
    [told] = double.wait_for_response(response_url, timeout=20)
    assert "#1 is saved" in told["text"]
    clock.advance(timedelta(minutes=2))  # past the claim's lease
    double.wait_for("conversations.history", timeout=10)
    import time

    time.sleep(0.6)
    assert len(double.messages(TEAM_CHANNEL)) == 1
    [stored] = ideas(running)
    assert stored.card_ts == double.messages(TEAM_CHANNEL)[0]["ts"]


def test_a_rate_limited_post_waits_for_retry_after_and_posts_once(bot, slack, double):
    double.rate_limit("chat.postMessage", retry_after=1, times=1)
    view, response_url = open_modal(slack, double, "Linen cupboard empty by noon")
    slack.submit_view(view, {"problem": "Linen cupboard empty by noon"})
    double.wait_for("chat.postMessage", count=2, timeout=10)
    import time

    time.sleep(0.3)
    assert len(double.messages(TEAM_CHANNEL)) == 1
    assert double.responses(response_url) == [], "nothing went wrong that the person needs to hear about"


@pytest.mark.expect_rejections
def test_opening_the_modal_never_waits_on_a_rate_limit(slack, double):
    double.rate_limit("views.open", retry_after=30, times=1)
    reply, response_url = slack.command("")
    assert reply.status == 200
    [told] = double.wait_for_response(response_url)
    assert "try `/kaizen` again" in told["text"]
    assert len(double.calls("views.open")) == 1, "no retry: the trigger_id would be dead by then"


def test_acks_do_not_queue_behind_slow_card_posts(bot, slack, double):
    """More submissions at once than Bolt's default pool of 5, each followed by a slow post: every one is
    acknowledged (an ack stuck behind post-ack work would make Slack show an error)."""
    from concurrent.futures import ThreadPoolExecutor

    views = [open_modal(slack, double, f"Problem {n}")[0] for n in range(10)]
    double.delay("chat.postMessage", 4, times=10)
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(
            pool.map(lambda v: slack.submit_view(v, {"problem": v["blocks"][0]["element"]["initial_value"]}), views)
        )
    assert [r.status for r in replies] == [200] * 10
    assert all(r.body in (b"", b"{}") for r in replies)
    assert len(ideas(bot)) == 10
