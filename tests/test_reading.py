"""Reading: `/kaizen help`, `list`, `mine`, `show N` / `N`, and usage for subcommands that do not parse.
All replies are private (ephemeral, through the command's response_url)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import SettableClock
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL
from tests.flows import ask, open_raise_form, shown


def raise_idea(slack: SlackDriver, double: SlackDouble, problem: str, **kwargs: object) -> None:
    """`/kaizen problem` and the modal submitted (kwargs: user_id, channel_id), without waiting for the card."""
    user_id, channel_id = str(kwargs.get("user_id", ALICE)), str(kwargs.get("channel_id", TEAM_CHANNEL))
    form, _ = open_raise_form(slack, double, problem, user=user_id, channel=channel_id)
    assert slack.submit_view(form, {"problem": problem}, user_id=user_id).status == 200


def test_help_lists_the_commands(slack, double):
    text = shown(ask(slack, double, "help"))
    for command in ("/kaizen list", "/kaizen mine", "/kaizen show 42", "/kaizen help"):
        assert command in text
    assert "thread" in text


def test_list_shows_this_channels_board_grouped_by_status_with_ages(slack, double, clock: SettableClock):
    raise_idea(slack, double, "Old problem")
    clock.advance(timedelta(days=3))
    raise_idea(slack, double, "New problem")
    raise_idea(slack, double, "Pharmacy problem", channel_id=OTHER_CHANNEL, user_id=BOB)
    text = shown(ask(slack, double, "list"))
    assert "Waiting for a decision" in text and "(2)" in text
    assert text.index("Old problem") < text.index("New problem"), "oldest first"
    assert "Old problem — 3 days" in text and "New problem — today" in text
    assert "Pharmacy problem" not in text, "only this channel's board"


def test_list_with_a_status_filter(slack, double):
    raise_idea(slack, double, "Something new")
    assert "Something new" not in shown(ask(slack, double, "list done"))
    assert "Something new" in shown(ask(slack, double, "list new"))
    assert "Something new" in shown(ask(slack, double, "list all"))


def test_list_in_a_channel_without_ideas_says_so(slack, double):
    assert "No open ideas here yet" in shown(ask(slack, double, "list"))


def test_mine_shows_my_ideas_across_channels_and_not_others(slack, double):
    raise_idea(slack, double, "Ward: my idea")
    raise_idea(slack, double, "Bob's in the ward", user_id=BOB)
    text = shown(ask(slack, double, "mine"))
    assert "Ward: my idea" in text and "Bob's in the ward" not in text
    assert f"<#{TEAM_CHANNEL}>" in text


def test_show_gives_the_card_and_its_history(slack, double):
    raise_idea(slack, double, "Call bells unanswered")
    for text in ("show 1", "1", "#1"):
        body = ask(slack, double, text)
        assert "Kaizen #1" in shown(body) and "Call bells unanswered" in shown(body)
        assert "History" in shown(body) and "raised by" in shown(body)


def test_show_from_another_channel_only_for_members_of_the_ideas_channel(slack, double):
    raise_idea(slack, double, "Ward secret")
    # Carol is not in the ward's channel: she is told it cannot be found, as if it did not exist.
    body = ask(slack, double, "show 1", user_id=CAROL, channel_id=OTHER_CHANNEL)
    assert "Ward secret" not in shown(body) and "can't find idea #1" in shown(body)
    assert shown(ask(slack, double, "show 99")) == shown(body).replace("#1", "#99")
    # Bob is in the ward's channel: he may see it from the pharmacy channel.
    assert "Ward secret" in shown(ask(slack, double, "show 1", user_id=BOB, channel_id=OTHER_CHANNEL))


def test_a_subcommand_that_does_not_parse_gets_its_usage_and_can_be_raised_instead(bot, slack, double):
    body = ask(slack, double, "list of broken chairs")
    text = shown(body)
    assert "/kaizen list [new|approved|in-progress|done|not-now|all]" in text
    [actions] = [block for block in body["blocks"] if block["type"] == "actions"]
    [button] = actions["elements"]
    assert button["value"] == "list of broken chairs"
    message = {"ts": "1.000100", "text": body.get("text", ""), "blocks": body["blocks"]}
    reply = slack.block_action(button["action_id"], button["value"], message=message, channel_id=TEAM_CHANNEL)
    assert reply.status == 200
    [opened] = double.wait_for("views.open")
    problem = next(b for b in opened.args["view"]["blocks"] if b.get("block_id") == "problem")
    assert problem["element"]["initial_value"] == "list of broken chairs"
