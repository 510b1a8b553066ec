"""A bot with its scheduler on the settable clock, seen through its store rows and what stands in Slack, for tests
of what Slack's faults do over time: nothing lost, nothing posted twice. `start_bot` makes one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import SettableClock
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import HuddlePost, Idea, OutboxMessage
from tests.conftest import ALICE, BOB, START, TEAM_CHANNEL, RunningBot
from tests.flows import (
    APPROVE,
    FAST,
    GROUP_LEAD,
    LEAD,
    SCHEDULE,
    card_numbers,
    cards,
    digests,
    huddles,
    let_job_run,
    open_raise_form,
    rows,
    start,
    thread_replies,
    wait_for_idea,
)


@dataclass
class Bot:
    """A bot with its scheduler, the Slack double, the clock, and reading and doing as the fault tests need."""

    running: RunningBot
    slack: SlackDriver
    double: SlackDouble
    clock: SettableClock

    # reading the store

    def rows(self, model: type, *where: Any) -> list[Any]:
        return rows(self.running.kaizen.db, model, *where)

    def idea(self, number: int) -> Idea:
        [idea] = self.rows(Idea, Idea.number == number)
        return idea

    def outbox(self, dedupe_suffix: str, *, kind: str | None = None) -> list[OutboxMessage]:
        return [
            m
            for m in self.rows(OutboxMessage)
            if m.dedupe_key.endswith(dedupe_suffix) and (kind is None or m.kind == kind)
        ]

    def one_outbox(self, dedupe_suffix: str) -> OutboxMessage | None:
        found = self.outbox(dedupe_suffix)
        assert len(found) <= 1, [m.dedupe_key for m in found]
        return found[0] if found else None

    def slot_row(self) -> HuddlePost | None:
        found = self.rows(HuddlePost)
        assert len(found) <= 1, found
        return found[0] if found else None

    # reading Slack

    def cards(self) -> list[dict]:
        return cards(self.double)

    def card_numbers(self) -> list[int]:
        return card_numbers(self.double)

    def replies(self, idea: Idea) -> list[dict]:
        return thread_replies(self.double, idea)

    def huddles(self) -> list[dict]:
        return huddles(self.double)

    def digests(self, user: str) -> list[dict]:
        return digests(self.double, user)

    # doing

    def open_modal(self, text: str, user_id: str = ALICE) -> tuple[dict, str]:
        view, response_url = open_raise_form(self.slack, self.double, text, user=user_id)
        assert view["callback_id"] == "raise_idea"
        return view, response_url

    def submit(self, view: dict, problem: str, user_id: str = ALICE) -> None:
        reply = self.slack.submit_view(view, {"problem": problem}, user_id=user_id)
        assert reply.status == 200 and reply.body in (b"", b"{}"), reply.text

    def raise_idea(self, problem: str) -> Idea:
        """Raised with /kaizen and the modal; returned once its card is up."""
        view, _ = self.open_modal(problem)
        self.submit(view, problem)
        return wait_for_idea(self.running, problem)

    def approve(self, idea: Idea, user_id: str = LEAD, event_id: str | None = None) -> int:
        assert idea.card_ts is not None
        return self.slack.reaction_added(
            APPROVE, user_id=user_id, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id=event_id
        ).status

    def set_huddle(self, user_id: str = LEAD) -> None:
        reply, response_url = self.slack.command(SCHEDULE, user_id=user_id)
        assert reply.status == 200, reply.text
        [answer] = self.double.wait_for_response(response_url)
        assert str(answer["text"]).startswith("Huddles at"), answer

    def let_job_run(self, job_id: str, runs: int = 3) -> None:
        """Let a scheduler job run a few more times on the clock as it stands (jobs run on real time)."""
        let_job_run(self.running, job_id, runs)

    def let_everything_run(self) -> None:
        for job_id in ("outbox-sweep", "inbox-sweep", "huddle-tick"):
            self.let_job_run(job_id)


def start_bot(
    bot_factory: Any, double: SlackDouble, clock: SettableClock, *, at: datetime = START, **settings: Any
) -> Bot:
    """The bot with its scheduler (fast sweeps on real time, the settable clock for what is due), LEAD leading."""
    clock.set(at)
    running, slack = start(
        bot_factory, double, members=(ALICE, BOB, LEAD, GROUP_LEAD), scheduler=True, schedule=FAST, **settings
    )
    return Bot(running, slack, double, clock)
