"""A `Kaizen`: a bot with its leaders, the Slack double and the settable clock, and the steps people take on cards,
forms and huddles, each waiting for its outcome (`start_kaizen` makes one); then what they read in a huddle, and
:bulb: capture and the welcome, which happen in a team channel's life."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import SettableClock
from bot.render.ids import ActionId, CardAction
from doubles.driver import Reply, SlackDriver
from doubles.slack import SlackDouble
from storage.models import HuddlePost, Idea, Team
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually, settled
from tests.flows import (
    EARLY,
    FAST,
    LEAD,
    LEAD2,
    SCHEDULE,
    WAIT,
    ask,
    card,
    card_updates,
    huddles,
    let_job_run,
    on_card,
    raise_idea,
    rows,
    shown,
    start,
    thread_replies,
    wait_settled,
)

# --- Kaizen: a bot with its leaders, and what people do ------------------------------------------------------


@dataclass
class Kaizen:
    """A bot, the Slack double, the clock, and the steps people take, each waiting for its outcome. With `due_only`,
    settled means nothing is left that is due by the bot's clock (a message backing off waits for the clock)."""

    running: RunningBot
    slack: SlackDriver
    double: SlackDouble
    clock: SettableClock
    due_only: bool = False

    # --- reading the state -------------------------------------------------------------------------------------

    def settled(self) -> bool:
        return settled(self.running, due_only=self.due_only)

    def wait_settled(self) -> None:
        wait_settled(self.running, due_only=self.due_only)

    def idea(self, idea_id: int) -> Idea | None:
        with self.running.kaizen.db.read() as session:
            return session.get(Idea, idea_id)

    def ideas(self) -> list[Idea]:
        return rows(self.running.kaizen.db, Idea)

    def wait_for(self, idea: Idea, **expected: Any) -> Idea:
        """The idea once it has the expected values and everything it owes is sent and shown."""

        def ready() -> Idea | None:
            fresh = self.idea(idea.id)
            matches = fresh is not None and all(getattr(fresh, name) == value for name, value in expected.items())
            return fresh if matches and self.settled() else None

        return eventually(ready, timeout=WAIT)

    def team(self, channel: str = TEAM_CHANNEL) -> Team | None:
        return next(iter(rows(self.running.kaizen.db, Team, Team.channel_id == channel)), None)

    def card(self, idea: Idea) -> dict:
        return card(self.double, idea)

    def thread(self, parent: Idea | str) -> list[dict]:
        return thread_replies(self.double, parent)

    def dms(self, user_id: str) -> list[dict]:
        return self.double.messages(user_id)

    def card_updates(self, idea: Idea) -> int:
        return len(card_updates(self.double, idea))

    def history(self, number: int, user_id: str = LEAD) -> str:
        return shown(self.command(f"show {number}", user_id=user_id))

    def opened_modal(self, before: int) -> dict:
        """The modal opened by views.open call number `before` + 1 (App Home views are not modals)."""
        return self.double.opened_view(before + 1)

    # --- doing -------------------------------------------------------------------------------------------------

    def command(self, text: str, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL) -> dict:
        """`/kaizen text`; the one reply the person got (the body posted to the response URL)."""
        return ask(self.slack, self.double, text, private=False, user_id=user_id, channel_id=channel_id)

    def raise_idea(
        self, problem: str, *, user_id: str = ALICE, anonymous: bool = False, idea_text: str | None = None
    ) -> Idea:
        """Raised with /kaizen and the modal; returned once its card is up and all is settled."""
        values = {"idea": idea_text} if idea_text else {}
        return raise_idea(self.running, self.slack, self.double, problem, anonymous=anonymous, user=user_id,
                          values=values, until=lambda idea: idea.card_ts and self.settled())  # fmt: skip

    def press(
        self, action_id: str, idea: Idea | None, user_id: str, *, value: str | None = None, card: dict | None = None
    ) -> Reply:
        """A click on the card's button as it shows now (or on `card`: a card as someone had it open, a message)."""
        card = card or self.card(self.idea(idea.id))  # type: ignore[union-attr,arg-type]
        action_id, value = on_card(card, action_id, value)
        reply = self.slack.block_action(action_id, value, user_id=user_id, channel_id=TEAM_CHANNEL, message=card)
        assert reply.status == 200
        return reply

    def refused(
        self, action_id: str, idea: Idea, user_id: str, *, value: str | None = None, card: dict | None = None
    ) -> str:
        """Press, and return what the presser alone was told."""
        self.press(action_id, idea, user_id, value=value, card=card)
        [told] = self.double.wait_for_response(str(self.slack.last_response_url))
        assert told.get("response_type") == "ephemeral" and told.get("replace_original") is False
        return str(told["text"])

    def open_form(self, action_id: str, idea: Idea | None, user_id: str, *, card: dict | None = None) -> dict:
        """Press a button that opens a form; the form."""
        before = len(self.double.calls("views.open"))
        self.press(action_id, idea, user_id, card=card)
        return self.opened_modal(before)

    def submit(self, form: dict, values: dict[str, Any], user_id: str) -> dict:
        """Submit a form; the body of the ack ({} when it closed)."""
        reply = self.slack.submit_view(form, values, user_id=user_id)
        assert reply.status == 200
        return reply.json() or {}

    def approve(self, idea: Idea) -> Idea:
        self.press(CardAction.APPROVE, idea, LEAD)
        return self.wait_for(idea, status="approved")

    def start(self, idea: Idea, user_id: str = LEAD) -> Idea:
        self.press(CardAction.START, idea, user_id)
        return self.wait_for(idea, status="in_progress")

    def finish(self, idea: Idea, user_id: str = LEAD, *, learned: str = "Checking twice a shift is enough") -> Idea:
        form = self.open_form(CardAction.DONE, idea, user_id)
        values = {"outcome": "worked", "result": "A second scanner in bay 2", "learned": learned}
        assert self.submit(form, values, user_id) == {}
        return self.wait_for(idea, status="done")

    def not_now(self, idea: Idea, reason: str) -> Idea:
        form = self.open_form(CardAction.NOT_NOW, idea, LEAD)
        assert self.submit(form, {"reason": reason}, LEAD) == {}
        return self.wait_for(idea, status="not_now")

    def share_reason(self, idea: Idea, user_id: str = ALICE) -> Reply:
        """A press on "Share this reason" in the author's (ALICE's) DM."""
        [note] = [m for m in self.dms(ALICE) if ActionId.SHARE_REASON in shown(m)]
        reply = self.slack.block_action(ActionId.SHARE_REASON, user_id=user_id, channel_id=f"D{ALICE}", message=note)
        assert reply.status == 200
        return reply

    # --- huddles -----------------------------------------------------------------------------------------------

    def huddles(self, channel: str = TEAM_CHANNEL) -> list[dict]:
        return huddles(self.double, channel)

    def huddle_rows(self) -> list[HuddlePost]:
        return rows(self.running.kaizen.db, HuddlePost)

    def wait_huddles(self, count: int, channel: str = TEAM_CHANNEL, recorded: bool = True) -> list[dict]:
        """The first `count` huddles in the channel, once Slack has them and (unless `recorded` is False) the bot
        has recorded each of them: the record is written after Slack answers, and tests read it or move the clock."""

        def ready() -> bool:
            found = self.huddles(channel)
            kept = {row.message_ts for row in self.huddle_rows() if row.posted_at is not None}
            return len(found) >= count and (not recorded or all(m["ts"] in kept for m in found))

        eventually(ready, timeout=WAIT)
        found = self.huddles(channel)
        assert len(found) == count, [m["text"] for m in found]
        return found

    def let_ticks_run(self, runs: int = 3) -> None:
        """Let the scheduler's huddle job run a few more times on the clock as it is now, then tick once more
        here (the scheduler is real time, so this makes "nothing more was posted" a fact, not a hope)."""
        if self.running.scheduler is not None:
            let_job_run(self.running, "huddle-tick", runs)
        self.running.kaizen.huddles.tick()

    def set_huddle(self, spec: str = SCHEDULE, user_id: str = LEAD) -> str:
        text = str(self.command(spec, user_id=user_id)["text"])
        assert text.startswith("Huddles at"), text
        return text

    def huddle_now(self, user_id: str = ALICE) -> None:
        before = len(self.huddles())
        reply, _ = self.slack.command("huddle", user_id=user_id)
        assert reply.status == 200
        self.wait_huddles(before + 1)


def start_kaizen(
    bot_factory: Any, double: SlackDouble, clock: SettableClock, *, at: datetime | None = EARLY,
    scheduler: bool = True, members: Sequence[str] = (ALICE, BOB, CAROL, LEAD, LEAD2), **settings: Any,
) -> Kaizen:  # fmt: skip
    """A bot with LEAD as a leader everywhere (KAIZEN_LEADERS): the clock set first (unless `at` is None), then
    the bot started, with its scheduler's jobs on fast real time (unless `scheduler` is False)."""
    if at is not None:
        clock.set(at)
    running, slack = start(bot_factory, double, members=members, scheduler=scheduler, schedule=FAST, **settings)
    return Kaizen(running, slack, double, clock, due_only=scheduler)


def kaizen_on_request(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot without its scheduler (nothing happens but what a request starts), LEAD leading the team channel."""
    return start_kaizen(bot_factory, double, clock, at=None, scheduler=False, members=(ALICE, BOB, CAROL, LEAD))


# --- a huddle, as people read it ----------------------------------------------------------------------------


def header(huddle: dict) -> str:
    """The huddle's header ("Morning huddle · Wednesday 25 November")."""
    [block] = [b for b in huddle["blocks"] if b["type"] == "header"]
    return str(block["text"]["text"])


def texts(huddle: dict) -> list[str]:
    """The texts of the huddle's sections and context lines, in order."""
    out: list[str] = []
    for block in huddle["blocks"]:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(e.get("text", "") for e in block["elements"])
    return out


def heading(huddle: dict, name: str) -> str:
    """The heading that starts with `name`, with its count ("*In progress (2)* — any blockers?")."""
    [found] = [t for t in texts(huddle) if t.startswith(f"*{name}")]
    return found


def lines_under(huddle: dict, name: str) -> list[str]:
    """The list lines under a heading such as "Waiting for a decision", in order."""
    lines: list[str] = []
    inside = False
    for block in huddle["blocks"]:
        if block["type"] != "section":
            if inside:
                break
            continue
        text = block["text"]["text"]
        if re.match(r"\*[^*\n]+\*", text) and "\n" not in text:  # "*In progress (2)* — any blockers?"
            if inside:
                break
            inside = text.startswith(f"*{name}")
            continue
        if inside:
            lines.extend(text.split("\n"))
    assert inside or lines, f"no list {name!r} in {texts(huddle)}"
    return lines


def numbers(lines: list[str]) -> list[int]:
    """The idea numbers the lines start with ("• <link|#12>" or "• #12"), in order."""
    return [int(m.group(1)) for line in lines if (m := re.match(r"• (?:<[^|>]+\|)?#(\d+)", line))]


# --- :bulb: capture and the welcome ----------------------------------------------------------------------------


def bulb(kaizen: Kaizen, ts: str, user: str, item_user: str = BOB) -> None:
    """`user` puts :bulb: on the team channel's message `ts`, written by `item_user`."""
    reply = kaizen.slack.reaction_added("bulb", user_id=user, channel_id=TEAM_CHANNEL, ts=ts, item_user=item_user)
    assert reply.status == 200


def private_notes(kaizen: Kaizen, user: str) -> list[dict]:
    """The private notes (with Undo) that :bulb: capture left `user` in the team channel."""
    return [e for e in kaizen.double.ephemerals(TEAM_CHANNEL, user) if ActionId.BULB_UNDO in json.dumps(e["blocks"])]


def thread_of(kaizen: Kaizen, ts: str) -> list[dict]:
    """The bot's replies in the thread of the team channel's message `ts`."""
    return kaizen.thread(ts)


def joined(kaizen: Kaizen, user: str, channel: str = TEAM_CHANNEL, **kwargs: Any) -> Reply:
    """Slack tells the bot that `user` joined `channel` (kwargs: event_id, retry_num)."""
    event = {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": WORKSPACE}
    reply = kaizen.slack.event(event, **kwargs)
    assert reply.status == 200
    return reply


def welcomes(kaizen: Kaizen, channel: str = TEAM_CHANNEL) -> list[dict]:
    """The welcomes Kaizen posted in `channel`."""
    return [m for m in kaizen.double.messages(channel) if "Set up daily huddle" in shown(m)]


def welcome(kaizen: Kaizen) -> dict:
    """Kaizen joins the team channel; its welcome, once posted."""
    joined(kaizen, "UBOT")
    [message] = eventually(lambda: welcomes(kaizen), timeout=WAIT)
    kaizen.wait_settled()
    return message


def open_welcome_form(kaizen: Kaizen, message: dict, action_id: str, user: str) -> dict:
    """A press on one of the welcome's buttons; the form it opened."""
    return kaizen.open_form(action_id, None, user, card=message)
