"""A person's mistakes in `/kaizen`, through the real HTTP server: each gets a clear private reply saying what to
type instead (or who may do it), never "Sorry, something went wrong", and never the raise form."""

from __future__ import annotations

import json

import pytest

from bot.slack.sorry import SORRY
from tests.conftest import ALICE, SIGNING_SECRET, WORKSPACE, eventually
from tests.tampering import LEAD, TamperingDriver
from tests.tampering import driver as driver  # the fixture: a TamperingDriver for the bot below
from tests.tampering import running as running  # the fixture: the bot, LEAD leading the team channel

# --- a person's mistakes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show 0", "can't find idea #0"),
        ("show 999999999", "can't find idea #999999999"),
        ("999999999", "can't find idea #999999999"),
        ("show 9999999999", "/kaizen show N"),
        ("show banana", "/kaizen show N"),
        ("show", "/kaizen show N"),
        ("list banana", "/kaizen list [new|approved|in-progress|done|not-now|all]"),
        ("list new approved", "/kaizen list [new|approved|in-progress|done|not-now|all]"),
        ("stats 2", "/kaizen stats [weeks] [share]"),
        ("stats 9999", "/kaizen stats [weeks] [share]"),
        ("stats share 26", "/kaizen stats [weeks] [share]"),
        ("mine please", "/kaizen mine"),
        ("help me", "/kaizen help"),
        ("export everything", "/kaizen export"),
        ("leaders add bob", "/kaizen leaders add @a @b"),
        ("huddle at 25:00", "/kaizen huddle at HH:MM"),
        ("huddle skip 2026-02-30", "/kaizen huddle skip YYYY-MM-DD"),
        ("huddle at 08:30 Mars/Olympus", "Mars/Olympus"),
        ("export", "Only a leader"),
        ("huddle off", "Only this team's leaders"),
        ("leaders remove <@U_BOB|bob>", "Only this team's leaders"),
    ],
)
def test_each_mistake_in_a_command_gets_a_clear_private_reply(driver, double, text: str, expected: str):
    if text.startswith(("huddle at 08:30 Mars", "huddle off", "leaders remove")):
        lead = TamperingDriver(driver.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
        user = LEAD if text.startswith("huddle at") else ALICE
        if text.startswith("leaders remove"):
            lead.command("leaders add <@ULEAD|lead>", user_id=LEAD)
            eventually(lambda: len(double.responses()) >= 1)
        reply, response_url = lead.command(text, user_id=user)
    else:
        reply, response_url = driver.command(text)
    assert reply.status == 200, reply.text
    [body] = double.wait_for_response(response_url)
    words = json.dumps(body.get("blocks", []), ensure_ascii=False) + body.get("text", "")
    assert body.get("response_type", "ephemeral") == "ephemeral" and body.get("replace_original") in (None, False)
    assert expected in words, f"/kaizen {text}: {words[:400]}"
    assert SORRY not in words
    assert double.calls("views.open") == [], "a mistake in a subcommand never opens the raise form"
