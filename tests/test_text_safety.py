"""Text safety, end to end through the HTTP endpoint: whatever people type (in the raise modal, in the command
text as Slack escapes it, in a message a shortcut is used on, in a Not now / Done / Edit / Redact form, in a
huddle reply caught with :bulb:, in their own Slack display name) never leaves the bot as live Slack markup — no
`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`, user mention, channel link or URL link of theirs on any
surface — and long text is clipped to Slack's limits with "…".

Every outgoing payload the Slack double recorded is checked: chat.* texts and blocks, views (modals, App Home),
response-URL bodies, ephemerals and file comments. Live markup is allowed only where the bot makes it on
purpose: mentions of the people the test expects the bot to name, the channels it links, its `<!date^…>` dates
and its links to Slack permalinks. The double rejects what Slack would; the autouse fixture in conftest fails a
test on any rejection, and the property tests also check after every example so that Hypothesis can shrink."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import SettableClock
from bot.render import BULB_UNDO_ACTION, CardAction
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import (
    ALICE,
    BOB,
    CAROL,
    OTHER_CHANNEL,
    OUTSIDE_CHANNEL,
    SIGNING_SECRET,
    START,
    TEAM_CHANNEL,
    WORKSPACE,
    RunningBot,
    eventually,
    settled,
)

LEAD = "ULEAD"  # a leader through KAIZEN_LEADERS (leaders in settings look like real Slack user IDs)
KNOWN_CHANNELS = frozenset({TEAM_CHANNEL, OTHER_CHANNEL, OUTSIDE_CHANNEL})
WAIT = 10.0
PROBLEM_MAX, IDEA_MAX, BENEFIT_MAX, REASON_MAX, RESULT_MAX, NOTE_MAX = 2000, 2000, 1000, 1000, 2000, 300
SECTION_LIMIT = 3000
ELLIPSIS = "…"

# What a person may type in a modal (plain text: Slack sends it as typed). U_BOB is a real member: its mention
# must stay inert too, so tests that use this never expect the bot itself to mention Bob.
TYPED_MARKUP = (
    "<!channel> <!here> <!everyone> <!subteam^S0EVIL|@nurses> <@U0EVIL> <@U_BOB> <@W0EVIL|mallory> "
    "<#C0EVIL|secret> <#C_OTHER> <https://evil.example/x|click here> <http://evil.example> "
    "<mailto:x@evil.example|mail> &amp; &lt;b&gt; & < >"
)
# The same kinds of things as Slack puts them into command and message text: real mentions and links as markup,
# typed `&`, `<`, `>` as entities.
SLACK_MARKUP = (
    "&lt;!channel&gt; <!here> <!everyone> <!channel> <!subteam^S0EVIL|@nurses> <@U0EVIL|mallory> <@U_BOB> "
    "<#C0EVIL|secret> <https://evil.example/x|click here> <http://evil.example> &amp;lt;b&amp;gt; &amp; &lt; &gt;"
)
# Each of these must show, escaped, wherever a person's text shows.
INERT_SIGN = "&lt;!channel&gt;"


# --- live markup -----------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<([^<>]*)>")
_OUR_DATE = re.compile(r"!date\^\d+\^\{date_short_pretty\}( \{time\})?\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
_OUR_LINK = re.compile(
    r"https://example\.slack\.com/archives/C[A-Z0-9_]+/p\d+(\?thread_ts=\d+\.\d+&cid=C[A-Z0-9_]+)?"
    r"\|(Original message|#\d+)"
)
# Keys whose strings Slack never renders as mrkdwn.
_NOT_SHOWN = {"private_metadata", "value", "initial_value", "metadata", "external_id", "action_id", "block_id"}


def foreign_markup(text: str, users: Iterable[str], channels: Iterable[str] = KNOWN_CHANNELS) -> list[str]:
    """Live markup in `text` that the bot did not make on purpose (and any `<` left unescaped)."""
    users, channels = set(users), set(channels)
    bad = []
    rest = text
    for match in _TOKEN.finditer(text):
        body = match.group(1)
        ours = (
            (body.startswith("@") and body[1:] in users)
            or (body.startswith("#") and body[1:] in channels)
            or _OUR_DATE.fullmatch(body)
            or _OUR_LINK.fullmatch(body)
        )
        if not ours:
            bad.append(match.group(0))
        rest = rest.replace(match.group(0), "", 1)
    if "<" in rest:
        bad.append(f"unescaped '<' in {rest[max(rest.index('<') - 20, 0) : rest.index('<') + 20]!r}")
    return bad


def mrkdwn_in(obj: Any) -> Iterator[str]:
    """Every mrkdwn text inside blocks or a view (plain_text objects and values are never parsed by Slack)."""
    if isinstance(obj, dict):
        kind = obj.get("type")
        if kind == "plain_text":
            return
        if kind in ("mrkdwn", "markdown") and isinstance(obj.get("text"), str):
            yield obj["text"]
            return
        for key, value in obj.items():
            if key not in _NOT_SHOWN:
                yield from mrkdwn_in(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from mrkdwn_in(item)


@dataclass(frozen=True)
class Mark:
    calls: int
    responses: int


def mark(double: SlackDouble) -> Mark:
    return Mark(len(double.calls()), len(double.responses()))


def outgoing(double: SlackDouble, since: Mark | None = None) -> list[tuple[str, str]]:
    """(where, mrkdwn text) for everything the bot sent Slack since `since`: message texts and blocks, views,
    ephemerals, file comments and response-URL bodies."""
    since = since or Mark(0, 0)
    found: list[tuple[str, str]] = []
    for call in double.calls()[since.calls :]:
        args = call.args
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"):
            if isinstance(args.get("text"), str):
                found.append((f"{call.method} text", args["text"]))
            found += [(f"{call.method} blocks", text) for text in mrkdwn_in(args.get("blocks"))]
        elif call.method.startswith("views."):
            found += [(f"{call.method} view", text) for text in mrkdwn_in(args.get("view"))]
        elif call.method == "files.completeUploadExternal" and isinstance(args.get("initial_comment"), str):
            found.append((f"{call.method} initial_comment", args["initial_comment"]))
    for body in double.responses()[since.responses :]:
        if isinstance(body.get("text"), str):
            found.append(("response_url text", body["text"]))
        found += [("response_url blocks", text) for text in mrkdwn_in(body.get("blocks"))]
    return found


def assert_inert(double: SlackDouble, users: Iterable[str], since: Mark | None = None) -> None:
    """Nothing sent since `since` carries live markup the bot did not make on purpose; Slack refused nothing."""
    users = set(users)
    problems = [
        (where, bad, text[:300]) for where, text in outgoing(double, since) if (bad := foreign_markup(text, users))
    ]
    assert not problems, f"live markup from someone's text: {problems[:5]}"
    assert not double.rejections, f"Slack would have rejected: {double.rejections}"


def shown(message: dict) -> str:
    return "\n".join([message.get("text") or "", *mrkdwn_in(message.get("blocks"))])


def view_text(view: dict) -> str:
    return "\n".join(mrkdwn_in(view.get("blocks")))


# --- the bot and what people do --------------------------------------------------------------------------------


@dataclass
class Kaizen:
    running: RunningBot
    slack: SlackDriver
    double: SlackDouble
    clock: SettableClock

    def settled(self) -> bool:
        return settled(self.running, due_only=True)

    def wait_settled(self) -> None:
        eventually(self.settled, timeout=WAIT)

    def idea(self, idea_id: int) -> Idea:
        with self.running.kaizen.db.read() as session:
            idea = session.get(Idea, idea_id)
        assert idea is not None
        return idea

    def last_idea_id(self) -> int:
        with self.running.kaizen.db.read() as session:
            return int(session.scalar(select(func.max(Idea.id))) or 0)

    def modal(self, before: int) -> dict:
        return self.double.opened_view(before + 1, timeout=WAIT)

    def command(self, text: str, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL) -> dict:
        """`/kaizen text`; the one private reply (the body posted to the command's response URL)."""
        reply, response_url = self.slack.command(text, user_id=user_id, channel_id=channel_id)
        assert reply.status == 200, reply.text
        [body] = self.double.wait_for_response(response_url, timeout=WAIT)
        assert body.get("response_type", "ephemeral") == "ephemeral"
        return body

    def submit_raise(self, form: dict, values: dict[str, Any], user_id: str) -> Idea:
        before = self.last_idea_id()
        reply = self.slack.submit_view(form, values, user_id=user_id)
        assert reply.status == 200 and not (reply.json() or {}).get("response_action"), reply.text

        def posted() -> Idea | None:
            newest = self.last_idea_id()
            if newest <= before:
                return None
            idea = self.idea(newest)
            return idea if idea.card_ts and self.settled() else None

        return eventually(posted, timeout=WAIT)

    def raise_idea(self, values: dict[str, Any], *, user_id: str = ALICE, text: str = "") -> Idea:
        """`/kaizen text`, then the modal submitted with `values`; the idea once its card is up."""
        before = len(self.double.calls("views.open"))
        reply, _ = self.slack.command(text, user_id=user_id)
        assert reply.status == 200
        return self.submit_raise(self.modal(before), values, user_id)

    def card(self, idea: Idea) -> dict:
        fresh = self.idea(idea.id)
        [found] = [m for m in self.double.messages(TEAM_CHANNEL) if m["ts"] == fresh.card_ts]
        return found

    def thread(self, idea: Idea) -> list[dict]:
        fresh = self.idea(idea.id)
        return [m for m in self.double.messages(TEAM_CHANNEL) if m.get("thread_ts") == fresh.card_ts]

    def press(self, action_id: str, idea: Idea, user_id: str) -> None:
        reply = self.slack.block_action(action_id, user_id=user_id, channel_id=TEAM_CHANNEL, message=self.card(idea))
        assert reply.status == 200

    def open_form(self, action_id: str, idea: Idea, user_id: str) -> dict:
        before = len(self.double.calls("views.open"))
        self.press(action_id, idea, user_id)
        return self.modal(before)

    def submit(self, form: dict, values: dict[str, Any], user_id: str) -> None:
        reply = self.slack.submit_view(form, values, user_id=user_id)
        assert reply.status == 200 and not (reply.json() or {}).get("response_action"), reply.text
        self.wait_settled()

    def wait_status(self, idea: Idea, status: str) -> Idea:
        def ready() -> Idea | None:
            fresh = self.idea(idea.id)
            return fresh if fresh.status == status and self.settled() else None

        return eventually(ready, timeout=WAIT)

    def not_now(self, idea: Idea, reason: str) -> Idea:
        self.submit(self.open_form(CardAction.NOT_NOW, idea, LEAD), {"reason": reason}, LEAD)
        return self.wait_status(idea, "not_now")

    def share_reason(self, idea: Idea) -> None:
        [note] = [m for m in self.double.messages(ALICE) if "idea_share_reason" in json.dumps(m.get("blocks"))][-1:]
        reply = self.slack.block_action("idea_share_reason", user_id=ALICE, channel_id=f"D{ALICE}", message=note)
        assert reply.status == 200
        eventually(lambda: self.thread(idea) and self.settled(), timeout=WAIT)

    def start(self, idea: Idea, user_id: str = LEAD) -> Idea:
        self.press(CardAction.START, idea, user_id)
        return self.wait_status(idea, "in_progress")

    def finish(self, idea: Idea, values: dict[str, Any], user_id: str = LEAD) -> Idea:
        self.submit(self.open_form(CardAction.DONE, idea, user_id), {"outcome": "worked", **values}, user_id)
        return self.wait_status(idea, "done")

    def home(self, user_id: str) -> dict:
        before = len([c for c in self.double.calls("views.publish") if c.args.get("user_id") == user_id])
        event = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home"}
        assert self.slack.event(event).status == 200

        def published() -> list:
            return [c for c in self.double.calls("views.publish") if c.args.get("user_id") == user_id][before:]

        return eventually(published, timeout=WAIT)[-1].args["view"]

    def huddle_now(self, user_id: str = ALICE) -> dict:
        before = len(self.double.calls("chat.postMessage"))
        reply, _ = self.slack.command("huddle", user_id=user_id)
        assert reply.status == 200
        calls = self.double.wait_for("chat.postMessage", count=before + 1, timeout=WAIT)
        return calls[before].args


def start_kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock, **settings: Any) -> Kaizen:
    double.add_user(LEAD, "lead")
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, CAROL, LEAD, "UBOT"])
    settings.setdefault("kaizen_leaders", (LEAD,))
    running: RunningBot = bot_factory(**settings)
    return Kaizen(running, SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE), double, clock)


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return start_kaizen(bot_factory, double, clock)


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
        notes = [e for e in kaizen.double.ephemerals(TEAM_CHANNEL, BOB) if BULB_UNDO_ACTION in json.dumps(e["blocks"])]
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


# --- lengths ---------------------------------------------------------------------------------------------------


def clipped_sections(text_blocks: Iterable[str], marker: str) -> list[str]:
    return [text for text in text_blocks if marker in text]


def test_two_thousand_characters_of_ampersands_and_angle_brackets_render_within_limits_everywhere(kaizen: Kaizen):
    problem = "&<" * (PROBLEM_MAX // 2)
    idea = kaizen.raise_idea({"problem": problem, "idea": "<&" * (IDEA_MAX // 2), "benefit": "&" * BENEFIT_MAX})
    assert kaizen.idea(idea.id).problem == problem, "stored whole"
    card = kaizen.card(idea)
    [problem_section] = clipped_sections(mrkdwn_in(card["blocks"]), "*Problem*")
    assert len(problem_section) <= SECTION_LIMIT and problem_section.endswith(ELLIPSIS)
    assert "&amp;&lt;&amp;&lt;" in problem_section and not problem_section.endswith("&" + ELLIPSIS)
    assert len(card["text"]) <= 400 and card["text"].endswith(ELLIPSIS), "a short notification text"

    idea = kaizen.not_now(idea, "&<" * (REASON_MAX // 2))
    kaizen.share_reason(idea)
    kaizen.press(CardAction.REOPEN, idea, LEAD)
    idea = kaizen.wait_status(idea, "new")
    waiting = kaizen.raise_idea({"problem": "<" * PROBLEM_MAX})
    idea = kaizen.finish(
        kaizen.start(idea), {"result": "&" * RESULT_MAX, "learned": "<" * RESULT_MAX, "effect": ">" * RESULT_MAX}
    )
    done_card = kaizen.card(idea)
    for text in mrkdwn_in(done_card["blocks"]):
        assert len(text) <= SECTION_LIMIT
    assert len([t for t in mrkdwn_in(done_card["blocks"]) if t.endswith(ELLIPSIS)]) >= 5
    assert kaizen.thread(idea)[-1]["text"].endswith(ELLIPSIS), "what we learned, clipped in the thank-you"

    bodies = [
        kaizen.command("list all"),
        kaizen.command("mine"),
        kaizen.command(f"show {idea.number}"),
        kaizen.command(f"show {waiting.number}"),
    ]
    for body in bodies:
        assert any(ELLIPSIS in t for t in mrkdwn_in(body["blocks"])), body
    kaizen.huddle_now()
    kaizen.home(ALICE)
    kaizen.home(LEAD)
    assert_inert(kaizen.double, users={ALICE, LEAD})


def test_a_done_card_with_every_field_full_stays_under_slacks_total_size_for_a_messages_blocks(kaizen: Kaizen):
    """platform.md: a message's blocks can fail as a whole near 13,200 characters (`msg_blocks_too_long`), even
    when each section is within its own 3,000."""
    idea = kaizen.raise_idea({"problem": "&" * PROBLEM_MAX, "idea": "&" * IDEA_MAX, "benefit": "&" * BENEFIT_MAX})
    idea = kaizen.finish(
        kaizen.start(idea), {"result": "&" * RESULT_MAX, "learned": "&" * RESULT_MAX, "effect": "&" * RESULT_MAX}
    )
    [update] = [c for c in kaizen.double.calls("chat.update") if c.args.get("ts") == idea.card_ts][-1:]
    total = sum(len(text) for text in mrkdwn_in(update.args["blocks"]))
    assert total <= 13_200, f"the card's blocks hold {total} characters of text"


# --- properties: arbitrary text through the HTTP path ----------------------------------------------------------


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LIVE_PIECES = [piece for piece in SLACK_MARKUP.split(" ") if piece]
_TYPED_PIECES = [piece for piece in TYPED_MARKUP.split(" ") if piece]
_HEADS = ["list", "list all", "mine", "show 1", "1", "#2", "show", "huddle", "huddle at", "list new"]

command_texts = st.lists(
    st.one_of(
        st.text(max_size=30).map(slack_escape),  # what a person typed, as Slack escapes it
        st.text(max_size=12),  # and raw, as no well-behaved client would send it
        st.sampled_from(_LIVE_PIECES),
        st.sampled_from(_HEADS),
    ),
    max_size=8,
).map(" ".join)

plain_texts = st.one_of(
    st.lists(
        st.one_of(st.text(max_size=40), st.sampled_from(_TYPED_PIECES), st.sampled_from(["&", "<", ">", "\n", "*"])),
        max_size=12,
    ).map("".join),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["&", "<", ">", "&<", "<!channel>"]), st.integers(1, 2000)),
)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,
    # Each example is a whole conversation over HTTP: shrinking a failure would take minutes, so a failure is
    # reported as found (the explicit tests above pin down each surface).
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _submittable(text: str, limit: int) -> str:
    return text[:limit]


@settings(PROPERTY, max_examples=60)
@given(text=command_texts, problem=plain_texts, idea_text=plain_texts, benefit=plain_texts)
def test_any_command_text_and_modal_text_leaves_the_bot_inert_and_within_limits(
    kaizen: Kaizen, text: str, problem: str, idea_text: str, benefit: str
):
    since = mark(kaizen.double)
    views_before = len(kaizen.double.calls("views.open"))
    posts_before = len(kaizen.double.calls("chat.postMessage"))
    reply, response_url = kaizen.slack.command(text, user_id=ALICE)
    assert reply.status == 200, reply.text

    def answered() -> bool:
        return (
            len(kaizen.double.calls("views.open")) > views_before
            or bool(kaizen.double.responses(response_url))
            or len(kaizen.double.calls("chat.postMessage")) > posts_before
        )

    eventually(answered, timeout=WAIT)
    if len(kaizen.double.calls("views.open")) > views_before:
        form = kaizen.modal(views_before)
        prefill = next(b for b in form["blocks"] if b.get("block_id") == "problem")["element"].get("initial_value")
        values = {
            "problem": _submittable((prefill or "") + problem, PROBLEM_MAX),
            "idea": _submittable(idea_text, IDEA_MAX),
            "benefit": _submittable(benefit, BENEFIT_MAX),
        }
        values = {key: value for key, value in values.items() if value}
        event("the raise modal opened")
        if values.get("problem", "").strip():
            event("an idea was raised")
            idea = kaizen.submit_raise(form, values, ALICE)
            for command in (f"show {idea.number}", "list", "mine"):
                kaizen.command(command)
            kaizen.huddle_now()
    kaizen.wait_settled()
    assert_inert(kaizen.double, users={ALICE}, since=since)


@PROPERTY
@given(problem=plain_texts, reason=plain_texts, learned=plain_texts, note=plain_texts, edit=plain_texts)
def test_any_text_in_the_lifecycle_forms_leaves_the_bot_inert_and_within_limits(
    kaizen: Kaizen, problem: str, reason: str, learned: str, note: str, edit: str
):
    def required(text: str, limit: int) -> str:
        return text[:limit] if text[:limit].strip() else "x"

    since = mark(kaizen.double)
    idea = kaizen.raise_idea({"problem": required(problem, PROBLEM_MAX)})
    form = kaizen.open_form(CardAction.EDIT, idea, ALICE)
    kaizen.submit(form, {"problem": required(edit, PROBLEM_MAX), "idea": required(note, IDEA_MAX)}, ALICE)
    idea = kaizen.not_now(idea, required(reason, REASON_MAX))
    kaizen.share_reason(idea)
    kaizen.press(CardAction.REOPEN, idea, LEAD)
    idea = kaizen.finish(
        kaizen.start(kaizen.wait_status(idea, "new")),
        {"result": required(learned, RESULT_MAX), "learned": required(learned[::-1], RESULT_MAX), "effect": "x"},
    )
    kaizen.command(f"show {idea.number}")
    kaizen.submit(kaizen.open_form(CardAction.REDACT, idea, LEAD), {"note": required(note, NOTE_MAX)}, LEAD)
    kaizen.command(f"show {idea.number}")
    assert_inert(kaizen.double, users={ALICE, LEAD}, since=since)
