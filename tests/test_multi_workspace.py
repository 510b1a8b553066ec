"""Installing in several workspaces through OAuth: the install routes, tokens per workspace from slack_sdk's
SQLAlchemy stores on our database, workspaces that never see each other's ideas, and tokens removed when
Slack says the app was uninstalled."""

from __future__ import annotations

import re
import urllib.request
from http.cookies import SimpleCookie

from bot.slack.installations import NotInstalled
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, RunningBot, eventually

OTHER = "T0002"
OTHER_TOKEN = "xoxb-other-workspace"


def get(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def install(
    bot: RunningBot,
    double: SlackDouble,
    *,
    code: str,
    team_id: str | None,
    token: str,
    enterprise_id: str | None = None,
    org_wide: bool = False,
) -> None:
    """Install through /slack/install and Slack's OAuth answer for `code` (see SlackDouble.add_install)."""
    double.add_install(code, team_id=team_id, bot_token=token, enterprise_id=enterprise_id, org_wide=org_wide)
    status, page, headers = get(bot.url + "/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([\w-]+)", page)
    assert state, page
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    cookie_header = "; ".join(f"{key}={morsel.value}" for key, morsel in cookie.items())
    status, page, _ = get(f"{bot.url}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie_header)
    assert status == 200, page


def start(bot_factory: object, double: SlackDouble) -> RunningBot:
    double.add_channel("C_OTHER_WS", "ward-9", members=[ALICE, "UBOT"])
    return bot_factory(  # type: ignore[operator]
        slack_bot_token=None, slack_client_id="111.222", slack_client_secret="client-secret"
    )


def raise_in(slack: SlackDriver, double: SlackDouble, channel: str, problem: str) -> None:
    before = len(double.calls("views.open"))
    reply, _ = slack.command(problem, channel_id=channel)
    assert reply.status == 200
    view = double.opened_view(before + 1)
    assert slack.submit_view(view, {"problem": problem}).status == 200


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
