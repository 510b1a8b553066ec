"""Security, through the real HTTP server: every request that takes Slack input is verified (signature, timestamp,
the exact body signed); only leaders decide, whatever a forged button or form names; workspaces never reach each
other's ideas; people see only ideas of channels they are in; an anonymous author is never shown to anyone else;
no token or signing secret ever reaches a log."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.logs import configure_logging
from bot.render import CardAction
from doubles.driver import Reply, SlackDriver, sign
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent, InboxEvent
from tests.conftest import (
    ALICE,
    BOB,
    BOT_TOKEN,
    CAROL,
    OTHER_CHANNEL,
    SIGNING_SECRET,
    TEAM_CHANNEL,
    WORKSPACE,
    RunningBot,
    eventually,
    settled,
)

LEAD, LEAD2 = "ULEAD", "ULEAD2"  # leaders in settings look like real Slack user IDs
OTHER_WORKSPACE = "T0002"
OTHER_WORKSPACE_CHANNEL = "C_OTHER_WS"
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
WAIT = 10.0
# Loopback only: an HTTP(S)_PROXY in the environment must not see test traffic.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- the bot and what people do --------------------------------------------------------------------------------


@dataclass
class Kaizen:
    running: RunningBot
    slack: SlackDriver
    double: SlackDouble

    def driver(self, team_id: str = WORKSPACE) -> SlackDriver:
        return SlackDriver(self.running.endpoint, SIGNING_SECRET, self.double, team_id=team_id)

    def settled(self) -> bool:
        return settled(self.running, due_only=True)

    def idea(self, idea_id: int) -> Idea:
        with self.running.kaizen.db.read() as session:
            idea = session.get(Idea, idea_id)
        assert idea is not None
        return idea

    def events_of(self, idea: Idea) -> int:
        with self.running.kaizen.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(IdeaEvent).where(IdeaEvent.idea_id == idea.id)))

    def inbox_size(self) -> int:
        with self.running.kaizen.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)

    def modal(self, before: int) -> dict:
        return self.double.opened_view(before + 1, timeout=WAIT)

    def ask(self, text: str, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL, team_id: str = WORKSPACE) -> str:
        """`/kaizen text`: what the person was told privately (text and blocks)."""
        reply, response_url = self.driver(team_id).command(text, user_id=user_id, channel_id=channel_id)
        assert reply.status == 200, reply.text
        [body] = self.double.wait_for_response(response_url, timeout=WAIT)
        assert body.get("response_type", "ephemeral") == "ephemeral"
        return json.dumps(body.get("blocks") or [], ensure_ascii=False) + (body.get("text") or "")

    def raise_idea(
        self, problem: str, *, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL, anonymous: bool = False
    ) -> Idea:
        before = len(self.double.calls("views.open"))
        reply, _ = self.slack.command(problem, user_id=user_id, channel_id=channel_id)
        assert reply.status == 200
        values: dict[str, Any] = {"problem": problem}
        if anonymous:
            values["anonymous"] = ["anonymous"]
        assert self.slack.submit_view(self.modal(before), values, user_id=user_id).status == 200

        def posted() -> Idea | None:
            with self.running.kaizen.db.read() as session:
                idea = session.scalars(select(Idea).where(Idea.problem == problem)).one_or_none()
            return idea if idea is not None and idea.card_ts and self.settled() else None

        return eventually(posted, timeout=WAIT)

    def card(self, idea: Idea) -> dict:
        fresh = self.idea(idea.id)
        [found] = [m for m in self.double.messages(fresh.team.channel_id) if m["ts"] == fresh.card_ts]
        return found

    def press(
        self, action_id: str, idea: Idea, user_id: str, *, value: str | None = None, card: dict | None = None,
        channel_id: str | None = None, team_id: str = WORKSPACE,
    ) -> Reply:  # fmt: skip
        card = card if card is not None else self.card(idea)
        channel = channel_id or self.idea(idea.id).team.channel_id
        reply = self.driver(team_id).block_action(action_id, value, user_id=user_id, channel_id=channel, message=card)
        assert reply.status == 200, reply.text
        return reply

    def refused(self, action_id: str, idea: Idea, user_id: str, **kwargs: Any) -> str:
        """Press; what the presser alone was told."""
        driver = self.driver(kwargs.get("team_id", WORKSPACE))
        card = kwargs.pop("card", None) or self.card(idea)
        channel = kwargs.pop("channel_id", None) or self.idea(idea.id).team.channel_id
        reply = driver.block_action(action_id, kwargs.get("value"), user_id=user_id, channel_id=channel, message=card)
        assert reply.status == 200, reply.text
        [told] = self.double.wait_for_response(str(driver.last_response_url), timeout=WAIT)
        assert told.get("response_type") == "ephemeral" and told.get("replace_original") is False
        return str(told["text"])

    def open_form(self, action_id: str, idea: Idea, user_id: str) -> dict:
        before = len(self.double.calls("views.open"))
        self.press(action_id, idea, user_id)
        return self.modal(before)

    def submit(self, form: dict, values: dict[str, Any], user_id: str, team_id: str = WORKSPACE) -> dict:
        reply = self.driver(team_id).submit_view(form, values, user_id=user_id)
        assert reply.status == 200, reply.text
        return reply.json() or {}

    def wait_status(self, idea: Idea, status: str) -> Idea:
        def ready() -> Idea | None:
            fresh = self.idea(idea.id)
            return fresh if fresh.status == status and self.settled() else None

        return eventually(ready, timeout=WAIT)

    def home(self, user_id: str) -> str:
        def publishes() -> list:
            return [c for c in self.double.calls("views.publish") if c.args.get("user_id") == user_id]

        before = len(publishes())
        event = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home"}
        assert self.slack.event(event).status == 200
        return json.dumps(eventually(lambda: publishes()[before:], timeout=WAIT)[-1].args["view"], ensure_ascii=False)

    def export(self, user_id: str = LEAD, channel_id: str = TEAM_CHANNEL) -> list[dict[str, str]]:
        before = len(self.double.uploaded_files())
        told = self.ask("export", user_id=user_id, channel_id=channel_id)
        assert "CSV file" in told, told
        upload = eventually(lambda: self.double.uploaded_files()[before:], timeout=WAIT)[-1]
        return list(csv.DictReader(io.StringIO(upload["bytes"].decode("utf-8-sig"))))


def start(bot_factory: Any, double: SlackDouble, **settings: Any) -> Kaizen:
    for user, name in ((LEAD, "lead"), (LEAD2, "lead2")):
        double.add_user(user, name)
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, LEAD, "UBOT"])
    double.add_channel(OTHER_CHANNEL, "pharmacy", members=[CAROL, LEAD2, "UBOT"])
    running: RunningBot = bot_factory(**settings)
    return Kaizen(running, SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE), double)


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble) -> Kaizen:
    return start(bot_factory, double, kaizen_leaders=(LEAD,))


# --- signatures ------------------------------------------------------------------------------------------------


class RecordingDriver(SlackDriver):
    """Builds exactly what SlackDriver would send, and keeps it instead of sending it."""

    sent: list[tuple[bytes, str]]

    def send(self, body: bytes, content_type: str, **kwargs: Any) -> Reply:
        self.sent = [*getattr(self, "sent", []), (body, content_type)]
        return Reply(200, b"", {})


def post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Reply(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read(), dict(e.headers.items()))


def signed_headers(body: bytes, content_type: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET):
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, ts, body),
    }


@dataclass
class Request:
    """A request as Slack would send it, and how to tell whether the bot acted on it."""

    body: bytes
    content_type: str
    acted: Callable[[], bool]


def approve_requests(kaizen: Kaizen, idea: Idea) -> dict[str, Request]:
    """A leader's approval as a button press and as an emoji (an event), a slash command, and a harmless command
    that is really sent (whose signature a forger could have seen)."""
    recorder = RecordingDriver(kaizen.running.endpoint, SIGNING_SECRET, kaizen.double, team_id=WORKSPACE)
    recorder.block_action("idea_approve", user_id=LEAD, channel_id=TEAM_CHANNEL, message=kaizen.card(idea))
    button_url = str(recorder.last_response_url)
    kaizen.double.add_reaction(TEAM_CHANNEL, str(idea.card_ts), "white_check_mark", LEAD)
    recorder.event(
        {"type": "reaction_added", "user": LEAD, "reaction": "white_check_mark", "item_user": "UBOT",
         "item": {"type": "message", "channel": TEAM_CHANNEL, "ts": idea.card_ts}},
        event_id="EvFORGED1",
    )  # fmt: skip
    _, command_url = recorder.command("list all", user_id=BOB)
    _, help_url = recorder.command("help", user_id=BOB)
    (button, form), (event, event_type), (command, _), (help_body, _) = recorder.sent

    def approved() -> bool:
        return kaizen.idea(idea.id).status != "new"

    return {
        "button": Request(button, form, lambda: approved() or bool(kaizen.double.responses(button_url))),
        "emoji": Request(event, event_type, lambda: approved() or kaizen.inbox_size() > 0),
        "command": Request(command, form, lambda: bool(kaizen.double.responses(command_url))),
        "genuine": Request(help_body, form, lambda: bool(kaizen.double.responses(help_url))),
    }


def forged_headers(forgery: str, body: bytes, content_type: str) -> dict[str, str]:
    now = int(time.time())
    headers = signed_headers(body, content_type)
    if forgery == "bad signature":
        return signed_headers(body, content_type, secret="not-the-signing-secret")
    if forgery == "no signature header":
        del headers["X-Slack-Signature"]
    elif forgery == "empty signature":
        headers["X-Slack-Signature"] = ""
    elif forgery == "no timestamp header":
        del headers["X-Slack-Request-Timestamp"]
    elif forgery == "timestamp 6 minutes old":
        return signed_headers(body, content_type, timestamp=now - 6 * 60)
    elif forgery == "timestamp 6 minutes ahead":
        return signed_headers(body, content_type, timestamp=now + 6 * 60)
    elif forgery == "timestamp not a number":
        headers["X-Slack-Request-Timestamp"] = "soon"
    else:
        raise AssertionError(forgery)
    return headers


FORGERIES = [
    "bad signature",
    "no signature header",
    "empty signature",
    "no timestamp header",
    "timestamp 6 minutes old",
    "timestamp 6 minutes ahead",
    "timestamp not a number",
    "replayed signature of another body",
]


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("kind", ["button", "emoji", "command"])
def test_a_request_that_slack_did_not_sign_as_sent_is_refused_with_401_and_does_nothing(
    kaizen: Kaizen, kind: str, forgery: str
):
    idea = kaizen.raise_idea("The drug fridge beeps all night")
    requests = approve_requests(kaizen, idea)
    request = requests[kind]
    if forgery == "replayed signature of another body":
        # A genuine request, really sent and served; its timestamp and signature then go with a different body.
        genuine = requests["genuine"]
        headers = signed_headers(genuine.body, genuine.content_type)
        assert post(kaizen.running.endpoint, genuine.body, headers).status == 200
        eventually(genuine.acted, timeout=WAIT)
        headers["Content-Type"] = request.content_type
    else:
        headers = forged_headers(forgery, request.body, request.content_type)
    reply = post(kaizen.running.endpoint, request.body, headers)
    assert reply.status == 401, f"{kind} with {forgery}: {reply.status} {reply.text[:200]}"
    time.sleep(0.3)
    assert not request.acted(), f"{kind} with {forgery} was acted on"
    assert kaizen.idea(idea.id).status == "new"
    assert [c for c in kaizen.double.calls("chat.postMessage") if c.args.get("thread_ts")] == []
    assert kaizen.inbox_size() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"[1]", JSON_TYPE, id="json-list"),
        pytest.param(b"null", JSON_TYPE, id="json-null"),
        pytest.param(b'"event_callback"', JSON_TYPE, id="json-string"),
        pytest.param(b"payload=%5B1%5D", FORM, id="payload-a-list"),
        pytest.param(b"payload=42", FORM, id="payload-a-number"),
        pytest.param(b'{"type": "event_callback", "event": "x", "event_id": "Ev1"}', JSON_TYPE, id="event-a-string"),
        pytest.param(b"[" * 100_000, JSON_TYPE, id="deeply-nested"),
    ],
)
def test_an_unsigned_body_of_any_shape_is_refused_with_401(kaizen: Kaizen, body: bytes, content_type: str):
    for headers in (
        signed_headers(body, content_type, secret="not-the-signing-secret"),
        {"Content-Type": content_type},
    ):
        reply = post(kaizen.running.endpoint, body, headers)
        assert reply.status == 401, f"{body[:40]!r} unsigned: {reply.status} {reply.text[:120]}"
    assert kaizen.inbox_size() == 0


def test_the_health_check_takes_no_slack_input_and_other_paths_do_not_reach_the_bot(kaizen: Kaizen):
    idea = kaizen.raise_idea("Handover sheets go missing")
    button = approve_requests(kaizen, idea)["button"]
    headers = signed_headers(button.body, button.content_type)
    for path in ("/healthz", "/slack/events/", "/slack/commands", "/", "/slack/install", "/slack/oauth_redirect"):
        reply = post(kaizen.running.url + path, button.body, headers)
        assert reply.status in (404, 405) or (path == "/healthz" and reply.body == b"ok\n"), (path, reply.status)
    time.sleep(0.3)
    assert kaizen.idea(idea.id).status == "new"


# --- only leaders decide ---------------------------------------------------------------------------------------


EVERY_BUTTON = (
    CardAction.APPROVE, CardAction.NOT_NOW, CardAction.START, CardAction.DONE, CardAction.REOPEN, CardAction.EDIT,
    CardAction.REDACT,
)  # fmt: skip


def forged_card(card: dict, idea_id: int) -> dict:
    """The card as a forger sends it back: every button there is, each naming `idea_id`."""
    buttons = [
        {"type": "button", "action_id": action, "text": {"type": "plain_text", "text": action}, "value": str(idea_id)}
        for action in EVERY_BUTTON
    ]
    return {**card, "blocks": [*card.get("blocks", [])[:-1], {"type": "actions", "block_id": "f", "elements": buttons}]}


def test_someone_who_is_not_a_leader_cannot_decide_with_a_forged_button_naming_another_idea(kaizen: Kaizen):
    shown_card_of = kaizen.raise_idea("Gloves run out on nights")
    target = kaizen.raise_idea("Paint the corridor")
    forged = forged_card(kaizen.card(shown_card_of), target.id)
    for action in (CardAction.APPROVE, CardAction.NOT_NOW, CardAction.START, CardAction.REDACT):
        told = kaizen.refused(action, shown_card_of, BOB, card=forged)
        assert "leader" in told, (action, told)
    for action in (CardAction.EDIT, CardAction.DONE, CardAction.REOPEN):
        kaizen.refused(action, shown_card_of, BOB, card=forged)
    time.sleep(0.3)
    for idea in (shown_card_of, target):
        fresh = kaizen.idea(idea.id)
        assert (fresh.status, fresh.problem, fresh.redacted) == ("new", idea.problem, False)
        assert kaizen.events_of(idea) == 1, "only its creation in the history"
    assert [v for v in kaizen.double.views() if v["type"] == "modal" and v["callback_id"] != "raise_idea"] == []


def test_a_forged_form_submission_from_someone_who_is_not_a_leader_changes_nothing(kaizen: Kaizen):
    decoy = kaizen.raise_idea("Label the drawers")
    target = kaizen.raise_idea("Buy a coffee machine")
    forms = {
        "reason": kaizen.open_form(CardAction.NOT_NOW, decoy, LEAD),
        "note": kaizen.open_form(CardAction.REDACT, decoy, LEAD),
    }
    for field, form in forms.items():
        forged = {**form, "private_metadata": json.dumps({"i": target.id, "c": TEAM_CHANNEL})}
        answer = kaizen.submit(forged, {field: "No"} if field == "reason" else {}, BOB)
        assert answer.get("response_action") == "errors" and "leader" in json.dumps(answer), answer
    time.sleep(0.3)
    for idea in (decoy, target):
        fresh = kaizen.idea(idea.id)
        assert (fresh.status, fresh.redacted) == ("new", False)
    assert kaizen.double.messages(ALICE) == [], "no not-now note went to the author"


def test_a_leader_of_one_team_cannot_decide_for_another_team(bot_factory, double):
    kaizen = start(bot_factory, double)  # no leaders everywhere: each team names its own
    kaizen.ask(f"leaders add <@{LEAD}|lead>", user_id=ALICE, channel_id=TEAM_CHANNEL)
    kaizen.ask(f"leaders add <@{LEAD2}|lead2>", user_id=CAROL, channel_id=OTHER_CHANNEL)
    ward = kaizen.raise_idea("Ward: the sluice door sticks", user_id=ALICE, channel_id=TEAM_CHANNEL)
    pharmacy = kaizen.raise_idea("Pharmacy: labels smudge", user_id=CAROL, channel_id=OTHER_CHANNEL)
    # The pharmacy's leader presses Approve on a pharmacy card whose value names the ward's idea, and on the ward's
    # own card (as a forged payload: they are not in that channel).
    assert "leader" in kaizen.refused(CardAction.APPROVE, pharmacy, LEAD2, value=str(ward.id))
    assert "leader" in kaizen.refused(CardAction.APPROVE, ward, LEAD2)
    assert "leader" in kaizen.refused(CardAction.APPROVE, ward, LEAD2, channel_id=OTHER_CHANNEL)
    form = kaizen.open_form(CardAction.NOT_NOW, pharmacy, LEAD2)
    forged = {**form, "private_metadata": json.dumps({"i": ward.id, "c": OTHER_CHANNEL})}
    assert kaizen.submit(forged, {"reason": "Not ours"}, LEAD2).get("response_action") == "errors"
    # Their approve emoji on the ward's card changes nothing either.
    reply = kaizen.slack.reaction_added(
        "white_check_mark", user_id=LEAD2, channel_id=TEAM_CHANNEL, ts=str(ward.card_ts)
    )
    assert reply.status == 200
    eventually(kaizen.settled, timeout=WAIT)
    time.sleep(0.3)
    assert kaizen.idea(ward.id).status == "new" and kaizen.idea(pharmacy.id).status == "new"
    # The ward's own leader may (the same press works for the right person).
    kaizen.press(CardAction.APPROVE, ward, LEAD)
    kaizen.wait_status(ward, "approved")


def test_another_workspace_cannot_touch_an_idea_by_its_id(bot_factory: Any, double: SlackDouble):
    """Kaizen installed in two workspaces (OAuth). Workspace T0002 presses Approve (and every other button, and
    submits the forms, and reacts) in its own channel with the id or the card of T0001's idea, as a person who is a
    leader by KAIZEN_LEADERS: nothing changes, and nothing is told about the idea. (In T0001's channel itself a
    person of T0002 acts on that channel's ideas: a channel is one team, and they can only be in it through Slack
    Connect; see test_slack_connect.py.)"""
    from tests.test_multi_workspace import install

    kaizen = start(bot_factory, double, kaizen_leaders=(LEAD,), slack_bot_token=None, slack_client_id="111.222",
                   slack_client_secret="client-secret")  # fmt: skip
    double.add_channel(OTHER_WORKSPACE_CHANNEL, "ward-9", members=[ALICE, LEAD, "UBOT"])
    install(kaizen.running, double, code="code-1", team_id=WORKSPACE, token=double.bot_token)
    install(kaizen.running, double, code="code-2", team_id=OTHER_WORKSPACE, token="xoxb-other-workspace")
    idea = kaizen.raise_idea("Home secret: the pump in bay 2 leaks")
    updates = len(kaizen.double.calls("chat.update"))
    forged = forged_card(kaizen.card(idea), idea.id)
    elsewhere = {"team_id": OTHER_WORKSPACE, "card": forged, "channel_id": OTHER_WORKSPACE_CHANNEL}
    for action in EVERY_BUTTON:
        told = kaizen.refused(action, idea, LEAD, **elsewhere)
        assert "Home secret" not in told and "bay 2" not in told, told
    for action, values in ((CardAction.NOT_NOW, {"reason": "From elsewhere"}), (CardAction.REDACT, {"note": "x"})):
        form = kaizen.open_form(action, idea, LEAD)
        # The same form as the other workspace's installation would have it: Slack names who opened it.
        answer = kaizen.submit(
            {**form, "app_installed_team_id": OTHER_WORKSPACE}, values, LEAD, team_id=OTHER_WORKSPACE
        )
        assert answer.get("response_action") == "errors", answer
    reply = kaizen.driver(OTHER_WORKSPACE).reaction_added(
        "white_check_mark", user_id=LEAD, channel_id=OTHER_WORKSPACE_CHANNEL, ts=str(idea.card_ts)
    )
    assert reply.status == 200
    eventually(kaizen.settled, timeout=WAIT)
    time.sleep(0.3)
    fresh = kaizen.idea(idea.id)
    assert (fresh.status, fresh.problem, fresh.redacted, fresh.decided_by) == ("new", idea.problem, False, None)
    assert kaizen.events_of(idea) == 1
    assert len(kaizen.double.calls("chat.update")) == updates, "the card was not touched"
    for text in (f"show {idea.number}", "list all", "mine"):
        told = kaizen.ask(text, user_id=ALICE, channel_id=OTHER_WORKSPACE_CHANNEL, team_id=OTHER_WORKSPACE)
        assert "Home secret" not in told, (text, told)


# --- who sees what ---------------------------------------------------------------------------------------------


def test_people_see_only_ideas_of_channels_they_are_in(kaizen: Kaizen):
    """ward-7: Alice, Bob and the leader; pharmacy: Carol and Lead2. The leader leads every team
    (KAIZEN_LEADERS) but is not in the pharmacy channel."""
    ward = kaizen.raise_idea("Ward secret: the sluice door sticks", user_id=ALICE, channel_id=TEAM_CHANNEL)
    pharmacy = kaizen.raise_idea("Pharmacy secret: labels smudge", user_id=CAROL, channel_id=OTHER_CHANNEL)

    carol = {
        "list": kaizen.ask("list all", user_id=CAROL, channel_id=OTHER_CHANNEL),
        "show": kaizen.ask(f"show {ward.number}", user_id=CAROL, channel_id=OTHER_CHANNEL),
        "show in a DM": kaizen.ask(f"{ward.number}", user_id=CAROL, channel_id="D_CAROL"),
        "mine": kaizen.ask("mine", user_id=CAROL, channel_id=OTHER_CHANNEL),
        "home": kaizen.home(CAROL),
    }
    for surface, text in carol.items():
        assert "Ward secret" not in text, (surface, text[:400])
    assert "Pharmacy secret" in carol["list"] and "Pharmacy secret" in carol["mine"] and "Pharmacy" in carol["home"]

    lead = {
        "show": kaizen.ask(f"show {pharmacy.number}", user_id=LEAD, channel_id=TEAM_CHANNEL),
        "show in a DM": kaizen.ask(f"show {pharmacy.number}", user_id=LEAD, channel_id="D_LEAD"),
        "list": kaizen.ask("list all", user_id=LEAD, channel_id=TEAM_CHANNEL),
        "home": kaizen.home(LEAD),
        "export": json.dumps(kaizen.export(LEAD, TEAM_CHANNEL)),
    }
    for surface, text in lead.items():
        assert "Pharmacy secret" not in text and OTHER_CHANNEL not in text, (surface, text[:400])
    assert "Ward secret" in lead["home"], "a leader sees the ideas waiting in the teams they are in"
    assert "Ward secret" in lead["export"]

    bob = {
        "list": kaizen.ask("list all", user_id=BOB),
        "mine": kaizen.ask("mine", user_id=BOB),
        "home": kaizen.home(BOB),
    }
    for surface, text in bob.items():
        assert "Pharmacy secret" not in text and OTHER_CHANNEL not in text, (surface, text[:400])
    assert "can't find" in carol["show"] and "can't find" in lead["show"]


def test_export_is_refused_to_anyone_but_a_leader_and_outside_the_teams_channel(kaizen: Kaizen):
    kaizen.raise_idea("Ward secret: the sluice door sticks")
    for user, channel in ((ALICE, TEAM_CHANNEL), (BOB, TEAM_CHANNEL), (LEAD, "D_LEAD"), (CAROL, OTHER_CHANNEL)):
        told = kaizen.ask("export", user_id=user, channel_id=channel)
        assert "Only a leader" in told, (user, channel, told)
    assert kaizen.double.uploaded_files() == []


# --- anonymous authors -----------------------------------------------------------------------------------------

SECRET_NAME = "Zelda Secretname"


def written(message: dict) -> str:
    """What the bot wrote in a message (not Slack's own data on it, such as who reacted)."""
    return json.dumps([message.get("text"), message.get("blocks")], ensure_ascii=False)


def seen_by_others(kaizen: Kaizen, others: list[str], responses_to_others: list[str]) -> Iterator[tuple[str, str]]:
    """Everything people other than the author can see: channel posts and threads, their DMs and ephemerals,
    the replies to their commands, their Home tabs, and exported files."""
    for channel in (TEAM_CHANNEL, OTHER_CHANNEL):
        for message in kaizen.double.messages(channel):
            yield f"message in {channel}", written(message)
    for user in others:
        for message in kaizen.double.messages(user):
            yield f"DM to {user}", written(message)
        for ephemeral in kaizen.double.ephemerals(user=user):
            yield f"ephemeral to {user}", json.dumps(ephemeral, ensure_ascii=False)
    for url in responses_to_others:
        for body in kaizen.double.responses(url):
            yield "reply to a command", json.dumps(body, ensure_ascii=False)
    for call in kaizen.double.calls("views.publish"):
        if call.args.get("user_id") != ALICE:
            yield f"Home tab of {call.args.get('user_id')}", json.dumps(call.args.get("view"), ensure_ascii=False)
    for upload in kaizen.double.uploaded_files():
        yield f"file {upload['filename']}", upload["bytes"].decode("utf-8", "replace")


def assert_author_unseen(kaizen: Kaizen, others: list[str], responses_to_others: list[str]) -> None:
    pattern = re.compile(f"{ALICE}|zelda|secretname", re.IGNORECASE)
    leaks = [
        (where, text[max(found.start() - 120, 0) : found.end() + 40])
        for where, text in seen_by_others(kaizen, others, responses_to_others)
        if (found := pattern.search(text))
    ]
    assert not leaks, f"the anonymous author is shown: {leaks[:6]}"


def ask_as(kaizen: Kaizen, urls: list[str], text: str, user_id: str) -> str:
    reply, response_url = kaizen.slack.command(text, user_id=user_id)
    assert reply.status == 200
    urls.append(response_url)
    [body] = kaizen.double.wait_for_response(response_url, timeout=WAIT)
    return json.dumps(body, ensure_ascii=False)


def test_an_anonymous_author_is_never_shown_on_cards_threads_huddles_lists_show_homes_or_exports(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "zelda", real_name=SECRET_NAME)
    urls: list[str] = []
    done = kaizen.raise_idea("Nobody restocks the sharps bins", anonymous=True)
    kaizen.press(CardAction.APPROVE, done, LEAD)
    done = kaizen.wait_status(done, "approved")
    form = kaizen.open_form(CardAction.EDIT, done, ALICE)  # the author edits: the history says "the author"
    assert kaizen.submit(form, {"problem": "Nobody restocks the sharps bins on nights"}, ALICE) == {}
    eventually(kaizen.settled, timeout=WAIT)
    kaizen.press(CardAction.START, done, LEAD)
    kaizen.wait_status(done, "in_progress")
    form = kaizen.open_form(CardAction.DONE, done, LEAD)
    values = {"outcome": "worked", "result": "A restock list", "learned": "Nights need their own list"}
    assert kaizen.submit(form, values, LEAD) == {}
    done = kaizen.wait_status(done, "done")

    declined = kaizen.raise_idea("The rota is published too late", anonymous=True)
    form = kaizen.open_form(CardAction.NOT_NOW, declined, LEAD)
    assert kaizen.submit(form, {"reason": "The rota moves to a new system in spring"}, LEAD) == {}
    declined = kaizen.wait_status(declined, "not_now")
    [note] = kaizen.double.messages(ALICE)  # only the author hears the reason, and may share it
    reply = kaizen.slack.block_action("idea_share_reason", user_id=ALICE, channel_id=f"D{ALICE}", message=note)
    assert reply.status == 200
    eventually(kaizen.settled, timeout=WAIT)

    waiting = kaizen.raise_idea("Night staff skip breaks", anonymous=True)
    kaizen.slack.reaction_added("white_check_mark", user_id=BOB, channel_id=TEAM_CHANNEL, ts=str(waiting.card_ts))
    kaizen.slack.reaction_added("+1", user_id=ALICE, channel_id=TEAM_CHANNEL, ts=str(waiting.card_ts))
    eventually(kaizen.settled, timeout=WAIT)

    before = len(kaizen.double.calls("chat.postMessage"))
    kaizen.slack.command("huddle", user_id=BOB)
    kaizen.double.wait_for("chat.postMessage", count=before + 1, timeout=WAIT)
    for user in (BOB, LEAD):
        for text in ("list all", f"show {done.number}", f"show {declined.number}", f"show {waiting.number}"):
            assert "Kaizen" in ask_as(kaizen, urls, text, user)
        kaizen.home(user)
    rows = kaizen.export(LEAD)
    assert {row["problem"] for row in rows} >= {"Nobody restocks the sharps bins on nights", "Night staff skip breaks"}
    assert all(row["author"] == "" for row in rows)
    eventually(kaizen.settled, timeout=WAIT)
    history = ask_as(kaizen, urls, f"show {done.number}", BOB)
    assert "edited by the author" in history and "raised by the author" in history, history[:600]
    assert_author_unseen(kaizen, others=[BOB, CAROL, LEAD], responses_to_others=urls)


def test_an_anonymous_author_who_reopens_their_idea_is_not_named_in_its_thread(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "zelda", real_name=SECRET_NAME)
    idea = kaizen.raise_idea("The rota is published too late", anonymous=True)
    form = kaizen.open_form(CardAction.NOT_NOW, idea, LEAD)
    assert kaizen.submit(form, {"reason": "A new rota system comes in spring"}, LEAD) == {}
    idea = kaizen.wait_status(idea, "not_now")
    kaizen.press(CardAction.REOPEN, idea, ALICE)  # the author may reopen their own idea
    kaizen.wait_status(idea, "new")
    thread = [m for m in kaizen.double.messages(TEAM_CHANNEL) if m.get("thread_ts") == idea.card_ts]
    assert thread, "the reopening is told in the card's thread"
    assert_author_unseen(kaizen, others=[BOB, CAROL, LEAD], responses_to_others=[])


def test_an_anonymous_author_who_takes_their_idea_on_and_finishes_it_is_not_named_anywhere(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "zelda", real_name=SECRET_NAME)
    urls: list[str] = []
    idea = kaizen.raise_idea("Nobody restocks the sharps bins", anonymous=True)
    kaizen.press(CardAction.APPROVE, idea, LEAD)
    idea = kaizen.wait_status(idea, "approved")
    kaizen.press(CardAction.START, idea, ALICE)  # an approved idea without an owner may be taken on by anyone
    idea = kaizen.wait_status(idea, "in_progress")
    before = len(kaizen.double.calls("chat.postMessage"))
    kaizen.slack.command("huddle", user_id=BOB)
    kaizen.double.wait_for("chat.postMessage", count=before + 1, timeout=WAIT)
    form = kaizen.open_form(CardAction.DONE, idea, ALICE)
    values = {"outcome": "worked", "result": "A restock list", "learned": "Nights need their own list"}
    assert kaizen.submit(form, values, ALICE) == {}
    idea = kaizen.wait_status(idea, "done")
    for user in (BOB, LEAD):
        ask_as(kaizen, urls, f"show {idea.number}", user)
        ask_as(kaizen, urls, "list all", user)
        kaizen.home(user)
    kaizen.export(LEAD)
    eventually(kaizen.settled, timeout=WAIT)
    assert_author_unseen(kaizen, others=[BOB, CAROL, LEAD], responses_to_others=urls)


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
    quiet = ("slack_sdk", "apscheduler", "alembic")
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
    assert "Traceback" in written and "kaizen" in written, "the flow was logged, tracebacks included"
    assert not secrets_in(written), f"secrets in the log file: {secrets_in(written)[:5]}"


def install(running: RunningBot, double: SlackDouble, *, code: str, team_id: str, token: str) -> None:
    """Slack's OAuth install, as a browser does it: /slack/install, then the redirect with the code and state."""
    double.add_install(code, team_id=team_id, bot_token=token)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)

    def get(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    status, page, headers = get(running.url + "/slack/install")
    assert status == 200, page
    state = re.search(r"state=([\w-]+)", page)
    assert state, page
    cookie = "; ".join(part.split(";")[0] for part in headers.get("Set-Cookie", "").split(","))
    status, page, _ = get(f"{running.url}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie)
    assert status == 200, page
