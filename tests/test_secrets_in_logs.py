"""No token or signing secret ever reaches a log, through the real HTTP server: a whole flow with Slack errors,
crashing handlers and forged requests, logged at DEBUG, in the records and in the file `kaizen-bot` writes."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import BOLT_LOGGER, configure_logging
from bot.render.ids import CardAction
from doubles.driver import SlackDriver
from tests.conftest import ALICE, BOB, BOT_TOKEN, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import install
from tests.security import FORM, LEAD, OTHER_WORKSPACE, WAIT, Kaizen, start

# --- no secrets in logs ----------------------------------------------------------------------------------------

APP_TOKEN = "xapp-1-A0001-1234567890-appsecretvalue"
OTHER_TOKEN = "xoxb-2222-other-workspace-secret"
CLIENT_SECRET = "oauth-client-secret-value"
_LIVE_TOKEN = re.compile(r"xox[a-z]-(?!\[redacted\])|xapp-(?!\[redacted\])")


def secrets_in(text: str) -> list[str]:
    found = [s for s in (BOT_TOKEN, APP_TOKEN, OTHER_TOKEN, SIGNING_SECRET, CLIENT_SECRET) if s in text]
    found += [text[m.start() : m.start() + 30] for m in _LIVE_TOKEN.finditer(text)]
    return found


def whole_flow_with_slack_errors(kaizen: Kaizen) -> None:
    """Raising, approving by emoji and by button, a huddle, the Home tab, an export; Slack refusing a form, a card
    and a huddle (logged with their tracebacks); requests that crash a handler; a forged request."""
    double = kaizen.double
    idea = kaizen.raise_idea("The drug fridge beeps all night")

    double.fail("views.open", "invalid_auth")
    reply, response_url = kaizen.slack.command("Pumps behind the door")
    assert reply.status == 200
    double.wait_for_response(response_url, timeout=WAIT)

    before = len(double.calls("views.open"))
    reply, response_url = kaizen.slack.command("Printer jams every morning")
    form = kaizen.modal(before)
    double.fail("chat.postMessage", "not_in_channel")
    assert kaizen.slack.submit_view(form, {"problem": "Printer jams every morning"}).status == 200
    [told] = double.wait_for_response(response_url, timeout=WAIT)
    assert "is saved" in told["text"], told
    # Slack said Kaizen is not in the channel: the team waits until Slack says it is back.
    back = {"type": "member_joined_channel", "user": "UBOT", "channel": TEAM_CHANNEL, "channel_type": "C"}
    assert kaizen.slack.event(back).status == 200
    eventually(kaizen.settled, timeout=WAIT)  # the held card is up

    double.fail_http("chat.postMessage", 500)
    reply, response_url = kaizen.slack.command("huddle", user_id=LEAD)
    double.wait_for_response(response_url, timeout=WAIT)

    kaizen.slack.reaction_added("white_check_mark", user_id=LEAD, channel_id=TEAM_CHANNEL, ts=str(idea.card_ts))
    kaizen.wait_status(idea, "approved")
    kaizen.press(CardAction.START, idea, LEAD)
    kaizen.wait_status(idea, "in_progress")
    kaizen.home(LEAD)
    kaizen.export(LEAD)

    fields = {
        "team_id": WORKSPACE,
        "channel_id": TEAM_CHANNEL,
        "command": "/kaizen",
        "text": "mine",
        "response_url": double.new_response_url(channel_id=TEAM_CHANNEL),
        "trigger_id": double.new_trigger_id(),
    }
    kaizen.slack.send(urllib.parse.urlencode(fields).encode(), FORM)  # no user_id: the handler crashes
    broken = {"type": "block_actions", "team": {"id": WORKSPACE}, "user": {"id": LEAD}, "trigger_id": "1.2.3",
              "actions": [{"action_id": "idea_approve", "value": "1"}]}  # fmt: skip
    kaizen.slack.send(urllib.parse.urlencode({"payload": json.dumps(broken)}).encode(), FORM)
    kaizen.slack.send(b"payload=%5B1%5D", FORM, signature="v0=" + "0" * 64)
    time.sleep(0.5)


def test_no_token_or_signing_secret_in_any_log_record_at_debug(bot_factory, double, caplog):
    caplog.set_level(logging.DEBUG)
    kaizen = start(bot_factory, double, kaizen_leaders=(LEAD,), slack_app_token=APP_TOKEN)
    whole_flow_with_slack_errors(kaizen)
    assert any(record.exc_info for record in caplog.records), "the flow logged at least one traceback"
    assert any(record.name.startswith("slack_sdk") for record in caplog.records), "library DEBUG logs were captured"
    logged = caplog.text + "\n".join(str(record.__dict__) for record in caplog.records)
    assert not secrets_in(logged), f"secrets in the logs: {secrets_in(logged)[:5]}"


@pytest.fixture
def kaizen_log_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Path]:
    """bot.logs.configure_logging(DEBUG) as `kaizen-bot` installs it, writing to a file instead of stderr; pytest's
    own handlers and the loggers' levels are put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    quiet = ("slack_sdk", "apscheduler", "alembic", BOLT_LOGGER)
    saved_levels = {name: logging.getLogger(name).level for name in quiet}
    path = tmp_path / "kaizen.log"
    stream = path.open("w", encoding="utf-8")
    stderr = sys.stderr
    try:
        sys.stderr = stream
        configure_logging(logging.DEBUG)
    finally:
        sys.stderr = stderr
    root.handlers.insert(0, caplog.handler)  # pytest still sees every record, as it was made
    try:
        yield path
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
        stream.close()


def test_no_token_or_signing_secret_in_the_log_file_of_a_multi_workspace_bot(bot_factory, double, kaizen_log_file):
    double.add_user(LEAD, "lead")
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, LEAD, "UBOT"])
    running: RunningBot = bot_factory(
        slack_bot_token=None, slack_client_id="111.222", slack_client_secret=CLIENT_SECRET,
        slack_app_token=APP_TOKEN, kaizen_leaders=(LEAD,),
    )  # fmt: skip
    kaizen = Kaizen(running, SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE), double)
    install(running, double, code="code-1", team_id=WORKSPACE, token=BOT_TOKEN)
    install(running, double, code="code-2", team_id=OTHER_WORKSPACE, token=OTHER_TOKEN)
    whole_flow_with_slack_errors(kaizen)
    reply = kaizen.driver(OTHER_WORKSPACE).event({"type": "app_uninstalled"}, event_id="EvUNINSTALL")
    assert reply.status == 200
    time.sleep(0.5)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = kaizen_log_file.read_text(encoding="utf-8")
    assert "Traceback" in written and " handlers." in written, "the flow was logged, tracebacks included"
    assert f"DEBUG {BOLT_LOGGER}" not in written, "no request or response bodies (what people type) even verbose"
    assert not secrets_in(written), f"secrets in the log file: {secrets_in(written)[:5]}"
