"""Text safety, end to end through the HTTP endpoint: whatever people type (in the raise modal, in the command
text as Slack escapes it, in a message a shortcut is used on, in a Not now / Done / Edit / Redact form, in a
huddle reply caught with :bulb:, in their own Slack display name) never leaves the bot as live Slack markup — no
`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`, user mention, channel link or URL link of theirs on any
surface.

`assert_inert` (tests/safety.py) checks every payload the bot sent Slack; the autouse fixture in conftest fails a
test on any payload Slack would have rejected."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import SettableClock
from bot.render.ids import ActionId, CardAction
from storage.models import Idea
from tests.conftest import ALICE, BOB, START, TEAM_CHANNEL, eventually
from tests.safety import (
    INERT_SIGN,
    LEAD,
    NOTE_MAX,
    SLACK_MARKUP,
    TYPED_MARKUP,
    WAIT,
    Kaizen,
    assert_inert,
    shown,
    start_kaizen,
    view_text,
)
from tests.safety import kaizen as kaizen  # the fixture: a bot with LEAD leading the team

# --- the modal and the forms, on every surface -----------------------------------------------------------------


def test_text_typed_in_the_modal_is_inert_on_the_card_list_mine_show_huddle_and_app_home(kaizen: Kaizen):
    waiting = kaizen.raise_idea(
        {"problem": f"Waiting {TYPED_MARKUP}", "idea": f"Idea {TYPED_MARKUP}", "benefit": f"Benefit {TYPED_MARKUP}"}
    )
    doing = kaizen.start(kaizen.raise_idea({"problem": f"Doing {TYPED_MARKUP}"}))
    card = shown(kaizen.card(waiting))
    assert card.count(INERT_SIGN) >= 3 and "&lt;@U_BOB&gt;" in card and "&lt;https://evil.example/x|click" in card
    assert "&amp;amp; &amp;lt;b&amp;gt; &amp; &lt; &gt;" in card, "typed text escaped exactly once"

    surfaces = {
        "list": shown(kaizen.command("list all")),
        "mine": shown(kaizen.command("mine")),
        "show": shown(kaizen.command(f"show {waiting.number}")),
        "show by another member": shown(kaizen.command(f"{doing.number}", user_id=BOB)),
        "huddle": shown(kaizen.huddle_now()),
        "home of the author": view_text(kaizen.home(ALICE)),
        "home of the leader": view_text(kaizen.home(LEAD)),
    }
    for name, text in surfaces.items():
        assert INERT_SIGN in text, f"{name} does not show the person's text: {text[:500]}"
    assert_inert(kaizen.double, users={ALICE, LEAD})


def test_text_typed_in_the_not_now_done_edit_and_redact_forms_is_inert_in_dms_threads_cards_and_history(
    kaizen: Kaizen,
):
    declined = kaizen.not_now(kaizen.raise_idea({"problem": "Stock the linen"}), f"Reason {TYPED_MARKUP}")
    [dm] = kaizen.double.messages(ALICE)
    assert INERT_SIGN in shown(dm), "the not-now reason in the author's DM"
    kaizen.share_reason(declined)
    assert INERT_SIGN in shown(kaizen.thread(declined)[-1]), "the shared reason in the card's thread"

    finished = kaizen.finish(
        kaizen.start(kaizen.raise_idea({"problem": "Pumps behind the door"})),
        {"result": f"Result {TYPED_MARKUP}", "learned": f"Learned {TYPED_MARKUP}", "effect": f"Effect {TYPED_MARKUP}"},
    )
    assert shown(kaizen.card(finished)).count(INERT_SIGN) >= 3, "result, learned and effect on the card"
    assert INERT_SIGN in shown(kaizen.thread(finished)[-1]), "what we learned in the Done thank-you"

    edited = kaizen.raise_idea({"problem": "Before the edit"})
    form = kaizen.open_form(CardAction.EDIT, edited, ALICE)
    kaizen.submit(
        form, {"problem": f"Edited {TYPED_MARKUP}", "idea": f"Idea {TYPED_MARKUP}", "benefit": "Less walking"}, ALICE
    )
    eventually(lambda: shown(kaizen.card(edited)).count(INERT_SIGN) >= 2, timeout=WAIT)

    redacted = kaizen.raise_idea({"problem": "Bed 4 details"})
    kaizen.submit(
        kaizen.open_form(CardAction.REDACT, redacted, LEAD), {"note": f"Note {TYPED_MARKUP}"[:NOTE_MAX]}, LEAD
    )
    for idea in (declined, finished, edited, redacted):
        history = shown(kaizen.command(f"show {idea.number}"))
        assert INERT_SIGN in history, f"#{idea.number}'s history does not show the form's text: {history[:500]}"
    assert_inert(kaizen.double, users={ALICE, LEAD})


# --- Slack's own markup coming in: command text, message shortcut, :bulb: reply --------------------------------


def test_command_text_as_slack_sends_it_is_decoded_once_and_inert_on_the_card(kaizen: Kaizen):
    idea = kaizen.raise_idea({}, text=f"Pumps {SLACK_MARKUP}")
    stored = kaizen.idea(idea.id).problem
    assert stored.startswith("Pumps <!channel> @here @everyone @channel @nurses @mallory @U_BOB #secret"), stored
    card = shown(kaizen.card(idea))
    assert INERT_SIGN in card and "@here" in card and "@mallory" in card and "&amp;lt;b&amp;gt;" in card
    assert "click here (https://evil.example/x)" in card
    assert_inert(kaizen.double, users={ALICE})


def test_command_text_that_gets_a_usage_reply_and_is_raised_instead_stays_inert(kaizen: Kaizen):
    body = kaizen.command(f"list {SLACK_MARKUP}")
    [actions] = [block for block in body["blocks"] if block["type"] == "actions"]
    [button] = actions["elements"]
    message = {"ts": "1.000100", "text": body.get("text", ""), "blocks": body["blocks"]}
    before = len(kaizen.double.calls("views.open"))
    reply = kaizen.slack.block_action(button["action_id"], button["value"], message=message, channel_id=TEAM_CHANNEL)
    assert reply.status == 200
    idea = kaizen.submit_raise(kaizen.modal(before), {}, ALICE)
    assert INERT_SIGN in shown(kaizen.card(idea))
    assert_inert(kaizen.double, users={ALICE})


def test_a_message_raised_with_the_shortcut_is_inert_on_the_card(kaizen: Kaizen):
    ts = kaizen.double.add_message(TEAM_CHANNEL, f"Drip stand {SLACK_MARKUP}", user=BOB)
    before = len(kaizen.double.calls("views.open"))
    message = {"type": "message", "user": BOB, "ts": ts, "text": f"Drip stand {SLACK_MARKUP}"}
    assert kaizen.slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL).status == 200
    idea = kaizen.submit_raise(kaizen.modal(before), {}, ALICE)
    stored = kaizen.idea(idea.id).problem
    assert stored.startswith("Drip stand <!channel> @here @everyone @channel @nurses @mallory @U_BOB #secret"), stored
    card = shown(kaizen.card(idea))
    assert INERT_SIGN in card and "Original message" in card and "&amp;lt;b&amp;gt;" in card
    assert_inert(kaizen.double, users={ALICE})


def test_a_huddle_reply_caught_with_bulb_is_inert_on_the_card_the_confirmation_and_the_private_note(kaizen: Kaizen):
    huddle = kaizen.huddle_now()
    [posted] = [m for m in kaizen.double.messages(TEAM_CHANNEL) if m.get("text") == huddle["text"]]
    reply_ts = kaizen.double.add_message(
        TEAM_CHANNEL, f"Bins full {SLACK_MARKUP} <@U_CAROL|carol>", user=BOB, thread_ts=posted["ts"]
    )
    reply = kaizen.slack.reaction_added("bulb", user_id=ALICE, channel_id=TEAM_CHANNEL, ts=reply_ts, item_user=BOB)
    assert reply.status == 200

    def captured() -> Idea | None:
        newest = kaizen.last_idea_id()
        idea = kaizen.idea(newest) if newest else None
        notes = [
            e for e in kaizen.double.ephemerals(TEAM_CHANNEL, BOB) if ActionId.BULB_UNDO in json.dumps(e["blocks"])
        ]
        return idea if idea is not None and idea.card_ts and notes and kaizen.settled() else None

    idea = eventually(captured, timeout=WAIT)
    assert kaizen.idea(idea.id).problem.startswith("Bins full <!channel> @here @everyone @channel @nurses @mallory")
    assert INERT_SIGN in shown(kaizen.card(idea))
    [confirmation] = [m for m in kaizen.double.messages(TEAM_CHANNEL) if m.get("thread_ts") == posted["ts"]]
    assert f"#{idea.number}" in confirmation["text"]
    assert INERT_SIGN in shown(kaizen.huddle_now())
    assert_inert(kaizen.double, users={BOB, ALICE})


def test_a_display_name_with_markup_shows_inert_in_the_huddle(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "<!channel> Al & <@U0EVIL> <https://evil.example|x>", real_name="<!here> Alice")
    kaizen.start(kaizen.raise_idea({"problem": "Night handover is rushed"}))
    huddle = shown(kaizen.huddle_now())
    assert "&lt;!channel&gt; Al &amp; &lt;@U0EVIL&gt;" in huddle, huddle
    assert_inert(kaizen.double, users={ALICE, LEAD})


def test_the_leaders_digest_dm_shows_waiting_problems_inert(bot_factory, double, clock: SettableClock):
    clock.set(START - timedelta(days=4))
    kaizen = start_kaizen(
        bot_factory, double, clock, scheduler=True, schedule={"huddle_seconds": 0.1, "inbox_seconds": 0.1}
    )
    kaizen.raise_idea({"problem": f"Waiting long {TYPED_MARKUP}"})
    assert kaizen.command("huddle at 08:30 mon-fri Europe/London", user_id=LEAD)["text"].startswith("Huddles at")
    clock.set(START.replace(hour=8, minute=31))  # Wednesday: the 08:30 slot is due, the idea waited 4 days

    def digest() -> list[dict]:
        return [m for m in double.messages(LEAD) if "waited more than" in (m.get("text") or "")]

    [dm] = eventually(digest, timeout=WAIT)
    assert INERT_SIGN in dm["text"]
    eventually(kaizen.settled, timeout=WAIT)
    assert_inert(double, users={ALICE, LEAD})
