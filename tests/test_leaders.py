"""Leaders: `/kaizen leaders`, `leaders add`, `leaders remove`, who may change them, and the announcement of a
team's first leaders."""

from __future__ import annotations

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, OUTSIDE_CHANNEL, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import said as ask


def channel_posts(double: SlackDouble) -> list[dict]:
    return [m for m in double.messages(TEAM_CHANNEL) if not m.get("thread_ts")]


def test_with_no_leaders_anyone_adds_the_first_ones_and_the_channel_is_told(bot, slack, double):
    assert "None yet" in ask(slack, double, "leaders")
    answer = ask(slack, double, f"leaders add <@{BOB}|bob> <@{CAROL}|carol>", user_id=ALICE)
    assert "lead this team now" in answer
    [announcement] = eventually(lambda: channel_posts(double))
    assert f"<@{BOB}>" in announcement["text"] and f"<@{CAROL}>" in announcement["text"], "the new leaders are told"
    assert announcement["text"].startswith("alice set up"), "who did it: a plain name, not a ping for her own act"
    assert f"<@{ALICE}>" not in announcement["text"]
    listing = ask(slack, double, "leaders")
    assert f"<@{BOB}>" in listing and f"<@{CAROL}>" in listing


def test_a_person_naming_themself_a_first_leader_is_not_pinged_for_it(bot, slack, double):
    ask(slack, double, f"leaders add <@{ALICE}|alice> <@{BOB}|bob>", user_id=ALICE)
    [announcement] = eventually(lambda: channel_posts(double))
    assert f"<@{ALICE}>" not in announcement["text"] and "alice" in announcement["text"]
    assert f"<@{BOB}>" in announcement["text"]


def test_once_a_team_has_leaders_only_they_change_them(bot, slack, double):
    ask(slack, double, f"leaders add <@{BOB}|bob>", user_id=ALICE)
    refused = ask(slack, double, f"leaders add <@{ALICE}|alice>", user_id=ALICE)
    assert "Only this team's leaders" in refused
    assert f"<@{ALICE}>" not in ask(slack, double, "leaders").split("Leaders of every team")[0].replace(
        "*Leaders of this team*", ""
    ), "Alice did not make herself a leader"
    assert "lead" in ask(slack, double, f"leaders add <@{ALICE}|alice>", user_id=BOB)
    assert "Removed" in ask(slack, double, f"leaders remove <@{BOB}>", user_id=ALICE)
    assert len(eventually(lambda: channel_posts(double))) == 1, "only the first leaders are announced"


def test_a_workspace_admin_may_change_leaders(bot, slack, double):
    double.add_user("U_ADMIN", "admin", is_admin=True)
    ask(slack, double, f"leaders add <@{BOB}|bob>", user_id=ALICE)
    assert "lead" in ask(slack, double, f"leaders add <@{CAROL}|carol>", user_id="U_ADMIN")


def test_global_leaders_may_change_leaders_and_are_listed(bot_factory, double):
    running = bot_factory(kaizen_leaders=("U_LEAD",))
    slack = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
    ask(slack, double, f"leaders add <@{BOB}|bob>", user_id=ALICE)
    assert "lead" in ask(slack, double, f"leaders add <@{CAROL}|carol>", user_id="U_LEAD")
    assert "<@U_LEAD>" in ask(slack, double, "leaders")


def test_a_leader_group_on_a_free_plan_is_reported_clearly(bot_factory, double):
    running = bot_factory(kaizen_leader_group="S0LEADS")
    slack = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
    double.fail("usergroups.users.list", "plan_upgrade_required", times=5)
    assert "paid Slack plan" in ask(slack, double, "leaders")


def test_leaders_need_kaizen_in_the_channel(bot, slack, double):
    answer = ask(slack, double, f"leaders add <@{BOB}|bob>", channel_id=OUTSIDE_CHANNEL)
    assert "invite" in answer.lower()
    assert "None yet" in ask(slack, double, "leaders", channel_id=OUTSIDE_CHANNEL)


def test_leaders_add_without_mentions_gets_its_usage(bot, slack, double):
    assert "/kaizen leaders add @a @b" in ask(slack, double, "leaders add bob")
