"""Shared by the text safety tests: what a person may type and what Slack sends as markup, the check that nothing
the bot sent carries live markup it did not make on purpose, and a bot with LEAD leading the team channel and what
people do with it, each step waiting for its outcome.

`assert_inert` checks every outgoing payload the Slack double recorded: chat.* texts and blocks, views
(modals, App Home), response-URL bodies, ephemerals and file comments. Live markup is allowed only where the bot
makes it on purpose: mentions of the people the test expects the bot to name, the channels it links, its
`<!date^…>` dates and its links to Slack permalinks. The double rejects what Slack would; the autouse fixture in
conftest fails a test on any rejection."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import SettableClock
from bot.render.ids import CardAction
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea
from tests import flows
from tests.conftest import (
    ALICE,
    BOB,
    CAROL,
    OTHER_CHANNEL,
    OUTSIDE_CHANNEL,
    TEAM_CHANNEL,
    RunningBot,
    eventually,
    settled,
)
from tests.flows import LEAD, WAIT  # LEAD leads through KAIZEN_LEADERS

KNOWN_CHANNELS = frozenset({TEAM_CHANNEL, OTHER_CHANNEL, OUTSIDE_CHANNEL})
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
    """A bot, the Slack double, the clock, and what people do, each step waiting until nothing is left that is due
    by the bot's clock (tests/flows.py has the verbs this builds on)."""

    running: RunningBot
    slack: SlackDriver
    double: SlackDouble
    clock: SettableClock

    def settled(self) -> bool:
        return settled(self.running, due_only=True)

    def wait_settled(self) -> None:
        flows.wait_settled(self.running, due_only=True)

    def idea(self, idea_id: int) -> Idea:
        return flows.load(self.running, idea_id)

    def last_idea_id(self) -> int:
        with self.running.kaizen.db.read() as session:
            return int(session.scalar(select(func.max(Idea.id))) or 0)

    def modal(self, before: int) -> dict:
        return self.double.opened_view(before + 1, timeout=WAIT)

    def command(self, text: str, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL) -> dict:
        """`/kaizen text`; the one private reply (the body posted to the command's response URL)."""
        return flows.ask(self.slack, self.double, text, user_id=user_id, channel_id=channel_id)

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
        form, _ = flows.open_raise_form(self.slack, self.double, text, user=user_id)
        return self.submit_raise(form, values, user_id)

    def card(self, idea: Idea) -> dict:
        return flows.card(self.double, self.idea(idea.id))

    def thread(self, idea: Idea) -> list[dict]:
        return flows.thread_replies(self.double, self.idea(idea.id))

    def press(self, action_id: str, idea: Idea, user_id: str) -> None:
        card = self.card(idea)
        action_id, value = flows.on_card(card, action_id)
        reply = self.slack.block_action(action_id, value, user_id=user_id, channel_id=TEAM_CHANNEL, message=card)
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
    """Alice, Bob, Carol and LEAD in ward-7; LEAD leads (KAIZEN_LEADERS) unless `settings` say otherwise."""
    double.add_user(LEAD, "lead")
    running, slack = flows.start(bot_factory, double, members=(ALICE, BOB, CAROL, LEAD), **settings)
    return Kaizen(running, slack, double, clock)


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return start_kaizen(bot_factory, double, clock)
