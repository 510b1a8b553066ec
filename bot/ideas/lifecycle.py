"""The idea lifecycle: who may move an idea where, and what each change records and tells.

new → approved → in_progress → done; new/approved → not_now (with a reason); not_now/done → new (reopen);
new → in_progress by the owner where the team allows "just do it"; approved → new when a leader's approval is
taken back. Every change is a conditional update (it applies only from the statuses it expects, so racing
deliveries apply once), an event in the idea's history, and the messages it owes people queued in the outbox in
the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import render
from bot.clock import Clock
from bot.delivery.outbox import REDACTED_TEXT, new_message
from bot.domain import BENEFIT_MAX, IDEA_MAX, PROBLEM_MAX
from bot.domain import Actor as Actor
from bot.slack import blockkit as bk
from bot.text import is_blank
from storage import queries
from storage.db import Database
from storage.models import Category, EventKind, Idea, IdeaStatus, OutboxKind, Source, Team

S = IdeaStatus
RESULT_MAX = 2000
REASON_MAX = 1000

# A message a change owes someone: (kind, dedupe suffix, text), optionally with Block Kit blocks (as dicts).
Tell = tuple[OutboxKind, str, str] | tuple[OutboxKind, str, str, list[dict[str, Any]]]


class NotAllowed(Exception):
    """The person may not do this; str(error) tells them why, kindly."""


class Stale(Exception):
    """The idea has moved on (another click or delivery got there first); str(error) says where it is."""


@dataclass
class Change:
    """What a change did: the idea as it is after it, and the ids of the outbox messages it queued, to send now."""

    idea: Idea  # as it is after the change
    message_ids: list[int] = field(default_factory=list)  # outbox messages to send now


def _thanks_to(idea: Idea) -> str:
    return "whoever raised it" if idea.anonymous else f"<@{idea.author_id}>"


def _optional(text: str | None, limit: int) -> str | None:
    """Optional text as stored: stripped and clipped to `limit` characters; None when it shows nothing."""
    return None if text is None or is_blank(text) else text.strip()[:limit]


def _is_owner(idea: Idea, user_id: str) -> bool:
    return idea.owner_id == user_id


def _stale(idea: Idea) -> Stale:
    return Stale(f"#{idea.number} is already {render.GROUP_TITLE[idea.status].lower()}.")


class Lifecycle:
    """The idea lifecycle over the store (see the module's docstring). Each change checks who may make it
    (NotAllowed), applies only from the statuses it expects (Stale when the idea has moved on), and returns a
    `Change`."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # --- the one place a status changes --------------------------------------------------------------------

    def _move(
        self,
        idea_id: int,
        actor_id: str,
        from_statuses: Sequence[str],
        to: str,
        *,
        source: Source,
        values: dict[str, Any] | None = None,
        note: str | None = None,
        slack_event_id: str | None = None,
        tell: Sequence[Tell] = (),
    ) -> Change | None:
        """Move the idea if it is still in `from_statuses`; None when it was not (someone got there first).

        `tell` holds (kind, dedupe suffix, text[, blocks]) of the messages this change owes, queued with it."""
        now = self._clock.now()
        with self._db.write() as session:
            idea = queries.idea_by_id(session, idea_id)
            if idea is None:
                return None
            before = idea.status
            if not queries.change_idea(session, idea_id, from_statuses, {"status": to, **(values or {})}):
                return None
            event = queries.add_event(
                session, idea, at=now, kind=EventKind.STATUS, source=source, actor_id=actor_id,
                from_status=before, to_status=to, note=note, slack_event_id=slack_event_id,
            )  # fmt: skip
            session.flush()
            ids = self._queue(session, idea, now, f"event:{event.id}", tell)
            session.refresh(idea)
            return Change(idea, ids)

    def _queue(self, session: Session, idea: Idea, now: datetime, key: str, tell: Sequence[Tell]) -> list[int]:
        ids: list[int] = []
        for kind, suffix, text, *blocks in tell:
            message = new_message(
                kind=kind, dedupe_key=f"{key}:{suffix}", workspace_id=idea.workspace_id, idea_id=idea.id, now=now,
                channel_id=idea.team.channel_id, user_id=idea.author_id if kind == OutboxKind.DM else None, text=text,
                blocks=blocks[0] if blocks else None,
            )  # fmt: skip
            message_id = queries.add_outbox(session, message)
            if message_id is not None:
                ids.append(message_id)
        return ids

    def load(self, idea_id: int) -> Idea:
        """The idea with id `idea_id`; NotAllowed when it no longer exists."""
        with self._db.read() as session:
            idea = queries.idea_by_id(session, idea_id)
        if idea is None:
            raise NotAllowed("That idea no longer exists.")
        return idea

    def load_in(self, workspace_id: str, idea_id: int) -> Idea:
        """The idea, if it is one of this workspace's: a button's value or a form's metadata is only a number."""
        idea = self.load(idea_id)
        if idea.workspace_id != workspace_id:
            raise NotAllowed("That idea no longer exists.")  # the same words: another workspace's ideas are unseen
        return idea

    # --- decisions -----------------------------------------------------------------------------------------

    def approve(self, idea_id: int, actor: Actor, *, source: Source, slack_event_id: str | None = None) -> Change:
        """A leader says yes to a new idea: approved, with a thank-you in the card's thread. Raises NotAllowed for a
        non-leader and Stale when the idea is not new."""
        idea = self.load(idea_id)
        if not actor.is_leader:
            raise NotAllowed("Only a leader of this team can approve ideas.")
        if idea.status != S.NEW:
            raise _stale(idea)
        text = (
            f":white_check_mark: Approved by {render.person(idea, actor.user_id)} — go ahead! "
            f"Thank you {_thanks_to(idea)} for raising it."
        )
        change = self._move(
            idea_id, actor.user_id, (S.NEW,), S.APPROVED, source=source, slack_event_id=slack_event_id,
            values={"decided_at": self._clock.now(), "decided_by": actor.user_id, "decision_note": None},
            tell=((OutboxKind.THREAD, "thanks", text),),
        )  # fmt: skip
        if change is None:
            raise _stale(self.load(idea_id))
        return change

    def withdraw_approval(self, idea_id: int, actor_id: str, *, slack_event_id: str | None = None) -> Change | None:
        """Back to new, silently: the last leader's approve emoji was taken off the card."""
        return self._move(
            idea_id, actor_id, (S.APPROVED,), S.NEW, source=Source.EMOJI, slack_event_id=slack_event_id,
            values={"decided_at": None, "decided_by": None}, note="approval withdrawn",
        )  # fmt: skip

    def check_may_decline(self, idea: Idea, actor: Actor) -> None:
        """Raise NotAllowed unless `actor` leads the team, Stale unless the idea is new or approved."""
        if not actor.is_leader:
            raise NotAllowed("Only a leader of this team can decide “not now”.")
        if idea.status not in (S.NEW, S.APPROVED):
            raise _stale(idea)

    def not_now(self, idea_id: int, actor: Actor, reason: str, *, source: Source = Source.BUTTON) -> Change:
        """A leader decides "not now", with a reason (stripped, at most REASON_MAX characters) that goes privately to
        the author. Raises NotAllowed (not a leader, no reason) or Stale."""
        idea = self.load(idea_id)
        self.check_may_decline(idea, actor)
        reason = _optional(reason, REASON_MAX) or ""
        if not reason:
            raise NotAllowed("Please give a reason: it helps the person who raised it.")
        # The author hears it privately, with a button to share it in the card's thread: sharing is their choice.
        text = render.not_now_dm_text(idea, actor.user_id, reason)
        blocks = render.to_dicts(render.not_now_dm_blocks(idea, actor.user_id, reason))
        change = self._move(
            idea_id, actor.user_id, (S.NEW, S.APPROVED), S.NOT_NOW, source=source, note=reason,
            values={"decided_at": self._clock.now(), "decided_by": actor.user_id, "decision_note": reason},
            tell=((OutboxKind.DM, "reason", text, blocks),),
        )  # fmt: skip
        if change is None:
            raise _stale(self.load(idea_id))
        return change

    def share_reason(self, idea_id: int, user_id: str) -> Change:
        """The author chose to share the not-now reason in the card's thread."""
        idea = self.load(idea_id)
        if idea.author_id != user_id:
            raise NotAllowed("Only the person who raised the idea can share this.")
        if idea.redacted:
            raise NotAllowed("A leader removed this idea's text, and the reason with it: there is nothing to share.")
        if idea.status != S.NOT_NOW or not idea.decision_note:
            raise _stale(idea)
        now = self._clock.now()
        text = f"Not now, for this reason: {bk.escape_clipped(idea.decision_note, REASON_MAX + 200)}"
        with self._db.write() as session:
            key = f"share:{idea.id}:{idea.decided_at}"
            ids = self._queue(session, idea, now, key, ((OutboxKind.THREAD, "reason", text),))
        return Change(idea, ids)

    # --- doing ---------------------------------------------------------------------------------------------

    def start(self, idea_id: int, actor: Actor, team: Team) -> Change:
        """Start an idea: by a leader (who approves a new idea first, unless it is their own), its owner (straight
        from new where the team allows "just do it"), or anyone taking on an approved idea that has no owner. The
        owner stays, or becomes the actor. Raises NotAllowed or Stale."""
        idea = self.load(idea_id)
        may_take_on = idea.owner_id is None and idea.status == S.APPROVED
        if idea.status == S.NEW:
            if not (actor.is_leader or (team.just_do_it_allowed and _is_owner(idea, actor.user_id))):
                raise NotAllowed("This idea needs a leader's yes before it starts.")
        elif idea.status == S.APPROVED:
            if not (actor.is_leader or _is_owner(idea, actor.user_id) or may_take_on):
                raise NotAllowed("Only the idea's owner or a leader can start it.")
        else:
            raise _stale(idea)
        approval: Change | None = None
        if idea.status == S.NEW and actor.is_leader and not _is_owner(idea, actor.user_id):
            # A leader starting a waiting idea says yes to it first: the history (and time to decision) shows that.
            approval = self.approve(idea_id, actor, source=Source.BUTTON)
        owner = idea.owner_id or actor.user_id
        who = render.person(idea, actor.user_id)
        from_status = S.APPROVED if approval is not None else idea.status
        change = self._move(
            idea_id, actor.user_id, (from_status,), S.IN_PROGRESS, source=Source.BUTTON,
            values={"started_at": self._clock.now(), "owner_id": owner},
            tell=((OutboxKind.THREAD, "started", f":hammer_and_wrench: Started by {who}."),),
        )  # fmt: skip
        if change is None:
            raise _stale(self.load(idea_id))
        if approval is not None:
            change.message_ids[:0] = approval.message_ids
        return change

    def check_may_finish(self, idea: Idea, actor: Actor) -> None:
        """Raise Stale unless the idea is approved or in progress, NotAllowed unless `actor` owns it or leads the
        team."""
        if idea.status not in (S.APPROVED, S.IN_PROGRESS):
            raise _stale(idea)
        if not (actor.is_leader or _is_owner(idea, actor.user_id)):
            raise NotAllowed("Only the idea's owner or a leader can mark it done.")

    def done(
        self, idea_id: int, actor: Actor, *, outcome: str, result: str, learned: str, effect: str | None
    ) -> Change:
        """Mark an idea done with its `outcome` (a key of render.OUTCOME_LABEL), what changed (`result`), what was
        learned and the optional `effect` (each at most RESULT_MAX characters); thanks go to the card's thread.
        Raises NotAllowed or Stale."""
        idea = self.load(idea_id)
        self.check_may_finish(idea, actor)
        if outcome not in render.OUTCOME_LABEL:
            raise NotAllowed("Please say whether it worked.")
        if is_blank(result) or is_blank(learned):
            raise NotAllowed("Please say what changed and what we learned.")
        thanks = render.thanked(idea)
        text = f":tada: Done! Thank you {thanks}. What we learned: {bk.escape_clipped(learned.strip(), 1500)}"
        change = self._move(
            idea_id, actor.user_id, (S.APPROVED, S.IN_PROGRESS), S.DONE, source=Source.BUTTON,
            values={
                "done_at": self._clock.now(), "outcome": outcome, "result": result.strip()[:RESULT_MAX],
                "learned": learned.strip()[:RESULT_MAX], "effect": _optional(effect, RESULT_MAX),
                "started_at": idea.started_at or self._clock.now(),
            },
            tell=((OutboxKind.THREAD, "done", text),),
        )  # fmt: skip
        if change is None:
            raise _stale(self.load(idea_id))
        return change

    def reopen(self, idea_id: int, actor: Actor) -> Change:
        """Reopen a done or not-now idea: it waits for a decision again. By its owner, its author or a leader; raises
        NotAllowed or Stale."""
        idea = self.load(idea_id)
        if idea.status not in (S.DONE, S.NOT_NOW):
            raise _stale(idea)
        if not (actor.is_leader or _is_owner(idea, actor.user_id) or idea.author_id == actor.user_id):
            raise NotAllowed("Only the idea's owner, its author or a leader can reopen it.")
        who = render.person(idea, actor.user_id)
        change = self._move(
            idea_id, actor.user_id, (S.DONE, S.NOT_NOW), S.NEW, source=Source.BUTTON,
            values={"decided_at": None, "decided_by": None, "done_at": None, "outcome": None},
            tell=((OutboxKind.THREAD, "reopened", f"Reopened by {who}: it waits for a decision again."),),
        )  # fmt: skip
        if change is None:
            raise _stale(self.load(idea_id))
        return change

    # --- text: edit and redact -----------------------------------------------------------------------------

    def check_may_edit(self, idea: Idea, actor: Actor) -> None:
        """Raise NotAllowed unless `actor` raised the idea or leads the team (only a leader, once its text was
        redacted)."""
        if not (actor.is_leader or idea.author_id == actor.user_id):
            raise NotAllowed("Only the person who raised it or a leader can edit an idea.")
        if idea.redacted and not actor.is_leader:
            raise NotAllowed("A leader removed this idea's text; only a leader can edit it now.")

    def edit(
        self, idea_id: int, actor: Actor, *, problem: str, idea_text: str | None, benefit: str | None,
        category: str | None,
    ) -> Change:  # fmt: skip
        """Replace the idea's text (each part stripped and clipped to its limit; blank optional parts become None)
        and category (one of Category, or None). Raises NotAllowed for a blank problem, an unknown category, or
        someone who may not edit."""
        idea = self.load(idea_id)
        self.check_may_edit(idea, actor)
        if is_blank(problem):
            raise NotAllowed("The problem can't be empty.")
        problem = problem.strip()
        if category is not None and category not in set(Category):
            # Shown on the card as it is stored: only the listed categories may get there.
            raise NotAllowed("Please pick one of the listed categories.")
        values = {
            "problem": problem[:PROBLEM_MAX],
            "idea": _optional(idea_text, IDEA_MAX),
            "benefit": _optional(benefit, BENEFIT_MAX),
            "category": category,
        }
        return self._text_change(idea, actor, EventKind.EDITED, values, note=None)

    def check_may_redact(self, idea: Idea, actor: Actor) -> None:
        """Raise NotAllowed unless `actor` leads the team."""
        if not actor.is_leader:
            raise NotAllowed("Only a leader can redact an idea.")

    def redact(self, idea_id: int, actor: Actor, note: str | None = None) -> Change:
        """Remove the idea's text from the store and the card; the caller also has the outbox redact the thread
        replies that quoted it (`Outbox.redact_posts`)."""
        idea = self.load(idea_id)
        self.check_may_redact(idea, actor)
        values = {
            "problem": REDACTED_TEXT,
            "idea": None,
            "benefit": None,
            "result": REDACTED_TEXT if idea.result else None,
            "learned": REDACTED_TEXT if idea.learned else None,
            "effect": None,
            "decision_note": None,
            "redacted": True,
        }
        # The history keeps that it happened and who did it; the removed text is kept nowhere.
        return self._text_change(idea, actor, EventKind.REDACTED, values, note=_optional(note, 300))

    def _text_change(
        self, idea: Idea, actor: Actor, kind: EventKind, values: dict[str, Any], note: str | None
    ) -> Change:
        now = self._clock.now()
        with self._db.write() as session:
            if not queries.change_idea(session, idea.id, list(IdeaStatus), values):
                raise NotAllowed("That idea no longer exists.")
            if kind == EventKind.REDACTED:
                queries.redact_history_notes(session, idea.id)
            queries.add_event(session, idea, at=now, kind=kind, source=Source.BUTTON, actor_id=actor.user_id, note=note)
            fresh = queries.idea_by_id(session, idea.id)
            assert fresh is not None
            session.refresh(fresh)
            return Change(fresh)

    # --- support -------------------------------------------------------------------------------------------

    def support(self, idea_id: int, user_id: str, *, add: bool) -> bool:
        """Count (or uncount) one person's support; true when the count changed."""
        now = self._clock.now()
        with self._db.write() as session:
            changed = (
                queries.add_supporter(session, idea_id, user_id, now)
                if add
                else queries.remove_supporter(session, idea_id, user_id)
            )
            if changed:
                queries.bump_card(session, idea_id)
            return changed

    def tell_who_approves(self, idea: Idea, user_id: str, channel_id: str, leaders_text: str) -> list[int]:
        """Tell a non-leader, once per idea, who can approve."""
        now = self._clock.now()
        text = (
            f"Thanks for backing #{idea.number}! Only this team's leaders can approve ideas ({leaders_text}). "
            "Your reaction stays on the card for them to see."
        )
        message = new_message(
            kind=OutboxKind.EPHEMERAL, dedupe_key=f"who-approves:{idea.id}:{user_id}",
            workspace_id=idea.workspace_id, idea_id=idea.id, channel_id=channel_id, user_id=user_id, text=text, now=now,
        )  # fmt: skip
        with self._db.write() as session:
            message_id = queries.add_outbox(session, message)
        return [message_id] if message_id is not None else []
