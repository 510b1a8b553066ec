"""The message shortcut "Raise as Kaizen idea": the raise modal filled from the message, a link on the card."""

from __future__ import annotations

import json

from doubles.driver import SlackDriver
from tests.conftest import BOB, TEAM_CHANNEL, eventually


def test_the_shortcut_fills_the_modal_from_the_message_and_links_it_on_the_card(slack: SlackDriver, double):
    text = "The &lt;drip&gt; stand in bay 3 wobbles <!here> ask <@U_BOB|bob>"  # as Slack sends it
    ts = double.add_message(TEAM_CHANNEL, text, user=BOB)
    message = {"type": "message", "user": BOB, "ts": ts, "text": text}
    reply = slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL)
    assert reply.status == 200
    [opened] = double.wait_for("views.open")
    view = opened.args["view"]
    problem = next(b for b in view["blocks"] if b.get("block_id") == "problem")
    # Slack's markup decoded: the text as the person sees it, with no live @here left in it.
    assert problem["element"]["initial_value"] == "The <drip> stand in bay 3 wobbles @here ask @bob"
    slack.submit_view(view | {"id": double.last_view()["id"]}, {"problem": problem["element"]["initial_value"]})
    card = eventually(lambda: [m for m in double.messages(TEAM_CHANNEL) if "Kaizen #1" in m.get("text", "")])[0]
    blocks = json.dumps(card["blocks"])
    assert "Original message" in blocks and f"/archives/{TEAM_CHANNEL}/p" in blocks
    assert "<!here>" not in blocks and "&lt;drip&gt;" in blocks
