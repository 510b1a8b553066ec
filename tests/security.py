"""Shared by the security tests: a bot served over HTTP with LEAD leading every team (KAIZEN_LEADERS), the
ward-7 and pharmacy channels, and what people do with it, each step waiting for its outcome."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from doubles.driver import Reply, SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent
from tests import flows
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually, settled
from tests.flows import LEAD, LEAD2, WAIT  # leaders in settings look like real Slack user IDs

OTHER_WORKSPACE = "T0002"
OTHER_WORKSPACE_CHANNEL = "C_OTHER_WS"
FORM = "application/x-www-form-urlencoded"


# --- the bot and what people do --------------------------------------------------------------------------------


@dataclass
class Kaizen:
    """A bot, the Slack double, and what people do, in any channel and as any workspace; each step waits until
    nothing is left that is due by the bot's clock (tests/flows.py has the verbs this builds on)."""

    running: RunningBot
    slack: SlackDriver
    double: SlackDouble

    def driver(self, team_id: str = WORKSPACE) -> SlackDriver:
        return flows.driver(self.running, self.double, team_id)

    def settled(self) -> bool:
        return settled(self.running, due_only=True)

    def idea(self, idea_id: int) -> Idea:
        return flows.load(self.running, idea_id)

    def events_of(self, idea: Idea) -> int:
        with self.running.kaizen.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(IdeaEvent).where(IdeaEvent.idea_id == idea.id)))

    def inbox_size(self) -> int:
        return len(flows.inbox_rows(self.running))

    def modal(self, before: int) -> dict:
        return self.double.opened_view(before + 1, timeout=WAIT)

    def ask(self, text: str, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL, team_id: str = WORKSPACE) -> str:
        """`/kaizen text`: what the person was told privately (text and blocks)."""
        return flows.said(self.driver(team_id), self.double, text, user_id=user_id, channel_id=channel_id)

    def raise_idea(
        self, problem: str, *, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL, anonymous: bool = False
    ) -> Idea:
        """Raised with /kaizen and the modal; returned once its card is up and all is settled."""
        return flows.raise_idea(self.running, self.slack, self.double, problem, anonymous=anonymous, user=user_id,
                                channel=channel_id, until=lambda idea: idea.card_ts and self.settled())  # fmt: skip

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
        action_id, value = flows.on_card(card, action_id, value)
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
    """Alice, Bob and LEAD in ward-7; Carol and LEAD2 in pharmacy; `settings` go to `bot_factory` as they are."""
    for user, name in ((LEAD, "lead"), (LEAD2, "lead2")):
        double.add_user(user, name)
    flows.team_channel(double, (ALICE, BOB, LEAD))
    double.add_channel(OTHER_CHANNEL, "pharmacy", members=[CAROL, LEAD2, "UBOT"])
    running: RunningBot = bot_factory(**settings)
    return Kaizen(running, flows.driver(running, double), double)


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble) -> Kaizen:
    return start(bot_factory, double, kaizen_leaders=(LEAD,))
