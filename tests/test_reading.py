"""Reading: `/kaizen help`, `list`, `mine`, `show N` / `N`, and usage for subcommands that do not parse.
All replies are private (ephemeral, through the command's response_url)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import SettableClock
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL
from tests.flows import ask, open_raise_form, shown
from tests.flows_kaizen import kaizen_on_request


def raise_idea(slack: SlackDriver, double: SlackDouble, problem: str, **kwargs: object) -> None:
    """`/kaizen problem` and the modal submitted (kwargs: user_id, channel_id), without waiting for the card."""
    user_id, channel_id = str(kwargs.get("user_id", ALICE)), str(kwargs.get("channel_id", TEAM_CHANNEL))
    form, _ = open_raise_form(slack, double, problem, user=user_id, channel=channel_id)
    assert slack.submit_view(form, {"problem": problem}, user_id=user_id).status == 200


def test_help_starts_with_three_lines_and_a_button_then_examples_for_leaders(slack, double):
    body = ask(slack, double, "help")
    first, actions = body["blocks"][0], body["blocks"][1]
    lines = first["text"]["text"].splitlines()[1:]
    assert len(lines) == 3, "three lines for everyone"
    for command in ("/kaizen", "/kaizen list", "/kaizen mine", "/kaizen 42"):
        assert command in "\n".join(lines)
    assert "thread" in "\n".join(lines)
    assert [button["text"]["text"] for button in actions["elements"]] == ["Raise a problem"]
    leaders = shown(body)[shown(body).index("For leaders") :]
    for example in ("/kaizen huddle at 08:30", "/kaizen leaders add", "/kaizen stats", "/kaizen export"):
        assert example in leaders
    assert body["text"].startswith("Kaizen help: /kaizen raises a problem"), "a fallback that says something"


def test_list_shows_this_channels_board_grouped_by_status_with_ages(slack, double, clock: SettableClock):
    raise_idea(slack, double, "Old problem")
    clock.advance(timedelta(days=3))
    raise_idea(slack, double, "New problem")
    raise_idea(slack, double, "Pharmacy problem", channel_id=OTHER_CHANNEL, user_id=BOB)
    body = ask(slack, double, "list")
    text = shown(body)
    assert "Waiting for a decision" in text and "(2)" in text
    assert text.index("Old problem") < text.index("New problem"), "oldest first"
    assert "Old problem — waiting 3 days" in text and "New problem — waiting since today" in text
    assert "Pharmacy problem" not in text, "only this channel's board"
    assert body["text"] == "Kaizen board: 2 waiting"


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


def test_lists_say_how_long_in_words_and_link_each_number_to_its_card(bot_factory, double, clock: SettableClock):
    kaizen = kaizen_on_request(bot_factory, double, clock)
    finished = kaizen.finish(kaizen.start(kaizen.approve(kaizen.raise_idea("Sharps bin too high"))))
    waiting = kaizen.raise_idea("Call bells out of reach")
    clock.advance(timedelta(days=2))
    kaizen.wait_settled()

    def link(idea: Idea) -> str:
        return f"/archives/{TEAM_CHANNEL}/p{str(idea.card_ts).replace('.', '')}|#{idea.number}>"

    board = kaizen.command("list all")
    text = shown(board)
    assert "Sharps bin too high — done 2 days ago" in text
    assert "Call bells out of reach — waiting 2 days" in text
    assert link(finished) in text and link(waiting) in text, "each number links to its card"
    assert board["text"] == "Kaizen board: 1 waiting, 1 done"

    mine = kaizen.command("mine")
    assert "done 2 days ago" in shown(mine) and "waiting 2 days" in shown(mine)
    assert link(finished) in shown(mine) and link(waiting) in shown(mine)
    assert mine["text"] == "Your ideas: 2 (1 waiting, 1 done)"
