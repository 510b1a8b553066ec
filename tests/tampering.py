"""Shared by the tests of what people and senders get wrong: a bot with LEAD leading the team channel, and a
driver that can change what it sends (the form fields of a slash command, an interaction's payload, an Events API
envelope) and still signs it as sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from doubles.driver import Reply, SlackDriver
from doubles.slack import SlackDouble
from tests import flows
from tests.conftest import ALICE, SIGNING_SECRET, WORKSPACE, RunningBot
from tests.flows import LEAD

Payload = dict[str, Any]


class TamperingDriver(SlackDriver):
    """Sends what SlackDriver would, after `tamper` changed it: the form fields of a slash command, the JSON
    payload of an interaction, or the envelope of an Events API delivery. Signed as sent."""

    tamper: Callable[[Any], Any] | None = None

    def _send_form(self, fields: dict[str, str]) -> Reply:
        if self.tamper is None:
            return super()._send_form(fields)
        fields = dict(fields)
        if "payload" in fields:
            return super()._send_form({"payload": json.dumps(self.tamper(json.loads(fields["payload"])))})
        return super()._send_form(self.tamper(fields))

    def event(self, event: Payload, **kwargs: Any) -> Reply:
        if self.tamper is None:
            return super().event(event, **kwargs)
        tamper, self.tamper = self.tamper, None
        original_send = self.send

        def send(body: bytes, content_type: str, **send_kwargs: Any) -> Reply:
            return original_send(json.dumps(tamper(json.loads(body))).encode(), content_type, **send_kwargs)

        self.send = send  # type: ignore[method-assign]
        try:
            return super().event(event, **kwargs)
        finally:
            del self.send
            self.tamper = tamper


@pytest.fixture
def running(bot_factory: Any, double: SlackDouble) -> RunningBot:
    """The bot, Alice and LEAD in the team channel, LEAD leading (KAIZEN_LEADERS)."""
    double.add_user(LEAD, "lead")
    return flows.start(bot_factory, double, members=(ALICE, LEAD))[0]


@pytest.fixture
def driver(running: RunningBot, double: SlackDouble) -> TamperingDriver:
    """A driver for `running` whose `tamper` (None: send as SlackDriver would) changes what it sends."""
    return TamperingDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
