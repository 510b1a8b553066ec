"""Enterprise Grid: installs in a workspace of an organisation and org-wide installs (OAuth), and the shapes Slack
sends for them: `team: null` and users without a team_id in interactions, org-level events with no team_id and
no authorizations. Every request gets its 2xx, every surface works, and org-level uninstalls remove the
organisation's installs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.slack.installations import NotInstalled
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, Team
from tests.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, RunningBot, eventually
from tests.flows import install, raise_idea
from tests.flows import start_for_installs as start

ORG = "E0ORG"
ORG_WS = "T0ORGWS"  # a workspace of the organisation
ORG_CHANNEL = "C_OTHER_WS"  # added by tests.flows.start_for_installs, Kaizen a member
WS_TOKEN = "xoxb-org-workspace"
ORG_TOKEN = "xoxb-org-wide"
OUTSIDE_TOKEN = "xoxb-outside-org"


def raise_through(running: RunningBot, driver: SlackDriver, double: SlackDouble, channel: str, problem: str) -> Idea:
    return raise_idea(running, driver, double, problem, channel=channel)


def tokens_of(double: SlackDouble, method: str, channel: str) -> set[str | None]:
    return {c.token for c in double.calls(method) if c.args.get("channel") == channel}


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Refused" in r.getMessage() or "nhandled" in r.getMessage()]


# --- OAuth installs in an organisation -----------------------------------------------------------------------


def test_an_install_in_a_workspace_of_an_organisation_answers_commands_posts_cards_and_huddles(
    bot_factory: Any, double: SlackDouble, caplog: pytest.LogCaptureFixture
) -> None:
    running = start(bot_factory, double)
    install(running, double, code="code-org-ws", team_id=ORG_WS, token=WS_TOKEN, enterprise_id=ORG)
    driver = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=ORG_WS, enterprise_id=ORG)

    idea = raise_through(running, driver, double, ORG_CHANNEL, "Bed rails are hard to release")

    assert idea.workspace_id == ORG_WS
    assert {c.token for c in double.calls("views.open")} == {WS_TOKEN}
    assert tokens_of(double, "chat.postMessage", ORG_CHANNEL) == {WS_TOKEN}
    with running.kaizen.db.read() as session:
        team = session.scalars(select(Team).where(Team.channel_id == ORG_CHANNEL)).one()
    running.kaizen.huddles.post_now(team)
    assert len([c for c in double.calls("chat.postMessage") if c.args.get("channel") == ORG_CHANNEL]) == 2
    assert tokens_of(double, "chat.postMessage", ORG_CHANNEL) == {WS_TOKEN}
    assert not refusals(caplog)


def test_an_org_wide_install_answers_commands_and_posts_cards_with_the_organisations_token(
    bot_factory: Any, double: SlackDouble
) -> None:
    running = start(bot_factory, double)
    install(running, double, code="code-org", team_id=None, token=ORG_TOKEN, enterprise_id=ORG, org_wide=True)
    driver = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=ORG_WS, enterprise_id=ORG, org_wide=True)

    idea = raise_through(running, driver, double, ORG_CHANNEL, "Night shift has no spare keys")

    assert idea.workspace_id == ORG  # an org-wide install is one installation: the organisation's
    assert tokens_of(double, "chat.postMessage", ORG_CHANNEL) == {ORG_TOKEN}
    installations = running.kaizen.installations
    assert installations is not None and installations.bot_token(ORG) == ORG_TOKEN


# --- org-level events (no team_id, no authorizations) -------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"oauth": ["W0INSTALLER"], "bot": ["UBOT2"]}}],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_org_level_uninstall_removes_every_install_of_that_organisation_and_no_other(
    bot_factory: Any, double: SlackDouble, event: dict[str, Any]
) -> None:
    running = start(bot_factory, double)
    install(running, double, code="code-org", team_id=None, token=ORG_TOKEN, enterprise_id=ORG, org_wide=True)
    install(running, double, code="code-org-ws", team_id=ORG_WS, token=WS_TOKEN, enterprise_id=ORG)
    install(running, double, code="code-outside", team_id="T0002", token=OUTSIDE_TOKEN)
    installations = running.kaizen.installations
    assert installations is not None
    org = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=ORG_WS, enterprise_id=ORG, org_wide=True)

    reply = org.org_event(event)

    assert reply.status == 200

    def gone(workspace: str) -> bool:
        try:
            installations.bot_token(workspace)
        except NotInstalled:
            return True
        return False

    eventually(lambda: gone(ORG) and gone(ORG_WS))
    assert installations.bot_token("T0002") == OUTSIDE_TOKEN


def test_an_org_level_event_to_a_single_workspace_bot_is_answered_200_and_logged(
    slack: SlackDriver, double: SlackDouble, caplog: pytest.LogCaptureFixture
) -> None:
    org = SlackDriver(slack.endpoint, SIGNING_SECRET, double, enterprise_id=ORG, org_wide=True)
    with caplog.at_level(logging.WARNING):
        reply = org.org_event({"type": "app_uninstalled"})
        assert reply.status == 200
        eventually(lambda: any("SLACK_BOT_TOKEN" in r.getMessage() for r in caplog.records))
    assert not refusals(caplog)


# --- team: null and users without team_id, in a single-workspace bot ---------------------------------------------


def test_org_wide_shapes_open_forms_raise_ideas_and_press_buttons(
    bot_factory: Any, double: SlackDouble, caplog: pytest.LogCaptureFixture
) -> None:
    running: RunningBot = bot_factory(kaizen_leaders=("ULEAD",))
    double.add_user("ULEAD", "lead")
    driver = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=ORG_WS, enterprise_id=ORG, org_wide=True)
    text = "The hoist battery died mid-transfer"
    message = {"type": "message", "user": ALICE, "text": text, "ts": double.add_message(TEAM_CHANNEL, text, user=ALICE)}

    before = len(double.calls("views.open"))
    reply = driver.message_shortcut("raise_from_message", message, user_id=ALICE, channel_id=TEAM_CHANNEL)
    assert reply.status == 200
    view = double.opened_view(before + 1)
    assert "hoist battery" in str(view)
    assert driver.submit_view(view, {"problem": "The hoist battery died mid-transfer"}).status == 200

    def posted() -> Idea | None:
        with running.kaizen.db.read() as session:
            idea = session.scalars(select(Idea)).one_or_none()
        return idea if idea is not None and idea.card_ts else None

    idea = eventually(posted)
    [card] = [m for m in double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts]
    assert driver.block_action("idea_approve", message=card, user_id="ULEAD").status == 200

    def approved() -> bool:
        with running.kaizen.db.read() as session:
            return session.get(Idea, idea.id).status == "approved"  # type: ignore[union-attr]

    eventually(approved)
    assert not refusals(caplog)
