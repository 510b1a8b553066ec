"""Installing in several workspaces through OAuth: the install routes, tokens per workspace from slack_sdk's
SQLAlchemy stores on our database, workspaces that never see each other's ideas, and tokens removed when
Slack says the app was uninstalled."""

from __future__ import annotations

from bot.slack.installations import NotInstalled
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import SIGNING_SECRET, TEAM_CHANNEL, eventually
from tests.flows import install, open_raise_form
from tests.flows import start_for_installs as start

OTHER = "T0002"
OTHER_TOKEN = "xoxb-other-workspace"


def raise_in(slack: SlackDriver, double: SlackDouble, channel: str, problem: str) -> None:
    form, _ = open_raise_form(slack, double, problem, channel=channel)
    assert slack.submit_view(form, {"problem": problem}).status == 200


def test_installing_through_oauth_stores_a_token_per_workspace_and_each_uses_its_own(bot_factory, double):
    bot = start(bot_factory, double)
    install(bot, double, code="code-1", team_id="T0001", token=double.bot_token)
    install(bot, double, code="code-2", team_id=OTHER, token=OTHER_TOKEN)
    installations = bot.kaizen.installations
    assert installations is not None
    assert installations.bot_token("T0001") == double.bot_token
    assert installations.bot_token(OTHER) == OTHER_TOKEN

    other = SlackDriver(bot.endpoint, SIGNING_SECRET, double, team_id=OTHER)
    raise_in(other, double, "C_OTHER_WS", "Other workspace's problem")
    eventually(lambda: double.messages("C_OTHER_WS"))
    [card_call] = [c for c in double.calls("chat.postMessage") if c.args.get("channel") == "C_OTHER_WS"]
    assert card_call.token == OTHER_TOKEN, "the card went out with that workspace's own token"


def test_workspaces_never_see_each_others_ideas(bot_factory, double):
    bot = start(bot_factory, double)
    install(bot, double, code="code-1", team_id="T0001", token=double.bot_token)
    install(bot, double, code="code-2", team_id=OTHER, token=OTHER_TOKEN)
    home = SlackDriver(bot.endpoint, SIGNING_SECRET, double, team_id="T0001")
    other = SlackDriver(bot.endpoint, SIGNING_SECRET, double, team_id=OTHER)
    raise_in(home, double, TEAM_CHANNEL, "Home secret")
    raise_in(other, double, "C_OTHER_WS", "Away secret")
    eventually(lambda: len(double.calls("chat.postMessage")) >= 2)
    # Both are #1: numbers count per workspace.
    _reply, response_url = other.command("show 1", channel_id="C_OTHER_WS")
    [shown] = double.wait_for_response(response_url)
    assert "Away secret" in str(shown) and "Home secret" not in str(shown)
    # (A channel is one team: the other workspace sees TEAM_CHANNEL's board only when the channel is shared with
    # it through Slack Connect; see tests/test_slack_connect.py.)
    _reply, response_url = other.command("list all", channel_id="C_OTHER_WS")
    [board] = double.wait_for_response(response_url)
    assert "Away secret" in str(board) and "Home secret" not in str(board)


def test_uninstalling_removes_the_workspaces_tokens(bot_factory, double):
    bot = start(bot_factory, double)
    install(bot, double, code="code-2", team_id=OTHER, token=OTHER_TOKEN)
    other = SlackDriver(bot.endpoint, SIGNING_SECRET, double, team_id=OTHER)
    reply = other.event({"type": "app_uninstalled"}, event_id="EvUNINSTALL")
    assert reply.status == 200
    installations = bot.kaizen.installations
    assert installations is not None

    def gone() -> bool:
        try:
            installations.bot_token(OTHER)
        except NotInstalled:
            return True
        return False

    eventually(gone)


def test_socket_mode_refuses_oauth_settings_with_one_line(bot_factory, double):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env={
            "PATH": "/usr/bin:/bin",
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "s",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": double.api_url,
            "DATABASE_URL": "sqlite://",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SLACK_CLIENT_ID" in result.stderr and len(result.stderr.strip().splitlines()) == 1
