"""The idea lifecycle: each change to an idea, as `bot.ideas.rules` allows it, what it records and what it owes.

Who may move an idea where is the table in `bot.ideas.rules`; every change here checks it (`rules.check`, so
NotAllowed or Stale), then is a conditional update (it applies only from the row's statuses, so racing deliveries
apply once), an event in the idea's history, and the notices it owes people (`bot.notices`) queued in the outbox,
in words from `bot.render.notices`, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import limits
from bot.clock import Clock
from bot.delivery.cards import CardChange
from bot.delivery.outbox import new_message
from bot.domain import Actor as Actor
from bot.i18n import _, match_language, reading
from bot.ideas import offers
from bot.ideas.rules import TRANSITIONS, Action, check, may, stale
from bot.ideas.rules import NotAllowed as NotAllowed
from bot.ideas.rules import Stale as Stale
from bot.notices import (
    Approved,
    Done,
    Notice,
    NotNowAbove,
    NotNowReason,
    ReasonShared,
    Reopened,
    Started,
    WhoApproves,
    owed,
)
from bot.privacy.identifiers import PatientIdGuard
from bot.privacy.screening import history_note, screen
from bot.render.notices import words
from bot.render.words import OUTCOME_LABEL, REDACTED_TEXT
from bot.teams.languages import Languages
from bot.text import is_blank
from storage import escalations, queries
from storage.db import Database
from storage.models import Category, EventKind, Idea, IdeaStatus, OutboxKind, Source, Team

S = IdeaStatus


@dataclass
class Change:
    """What a change did: the idea as it is after it, the notices it owes people, and the ids of the outbox
    messages it queued for them, to send now (none for a notice queued before: each is queued once)."""

    idea: Idea  # as it is after the change
    message_ids: list[int] = field(default_factory=list)  # outbox messages to send now
    notices: list[Notice] = field(default_factory=list)


def _optional(text: str | None, limit: int) -> str | None:
    """Optional text as stored: stripped and clipped to `limit` characters; None when it shows nothing."""
    return None if text is None or is_blank(text) else text.strip()[:limit]


class Lifecycle:
    """The idea lifecycle over the store (see the module's docstring). Each change checks who may make it
    (NotAllowed), applies only from the statuses it expects (Stale when the idea has moved on), and returns a
    `Change`."""

    def __init__(
        self, db: Database, clock: Clock, languages: Languages | None = None, guard: PatientIdGuard | None = None
    ) -> None:
        """`languages` says who reads which language; without it (no Slack: tests, scripts) each notice is in its
        team's own language setting. `guard` screens the text people type for patient identifiers (the default
        kinds without one)."""
        self._db = db
        self._clock = clock
        self._languages = languages
        self._guard = guard or PatientIdGuard()

    def language_for(self, idea: Idea, kind: OutboxKind, reader: str | None, *, wait: bool = False) -> str:
        """Who reads a notice decides its language: a thread reply or channel post is the team's; a DM or an
        ephemeral message is `reader`'s, else the team's. `wait=False` (inside a transaction) asks Slack nothing:
        `_learn_readers` asked before it."""
        if self._languages is None:
            return match_language(idea.team.language)
        if kind in (OutboxKind.DM, OutboxKind.EPHEMERAL) and reader:
            return self._languages.of_person(idea.workspace_id, reader, team=idea.team, wait=wait)
        return self._languages.of_team(idea.team)

    def _learn_readers(self, notices: Sequence[Notice]) -> None:
        """Before a transaction queues `notices`: learn the language of each person one is for (a DM to the
        author days after they raised it: what Slack said then has been forgotten)."""
        for notice in notices:
            if notice.kind == OutboxKind.DM:
                self.language_for(notice.idea, notice.kind, notice.idea.author_id, wait=True)

    # --- the one place a status changes --------------------------------------------------------------------

    def _move(
        self,
        idea_id: int,
        actor_id: str,
        action: Action,
        *,
        source: Source,
        from_statuses: Sequence[str] | None = None,
        values: dict[str, Any] | None = None,
        note: str | None = None,
        slack_event_id: str | None = None,
        notices: Sequence[Notice] = (),
        vouched_kinds: tuple[str, ...] = (),
        also: Callable[[Session, Idea, datetime, str], list[int]] | None = None,
    ) -> Change | None:
        """Move the idea as `action`'s row says, if it is still in the row's statuses (or the narrower
        `from_statuses`); None when it was not (someone got there first). `notices` are queued with it;
        `vouched_kinds` (see `bot.privacy.screening`) recorded in its history with it; `also` writes what else the
        change owes in its transaction (session, idea, now, the key of its messages → outbox ids)."""
        rule = TRANSITIONS[action]
        assert rule.to_status is not None
        self._learn_readers(notices)
        now = self._clock.now()
        with self._db.write() as session:
            idea = queries.idea_by_id(session, idea_id)
            if idea is None:
                return None
            before = idea.status
            allowed = list(from_statuses or rule.from_statuses)
            if not queries.change_idea(session, idea_id, allowed, {"status": rule.to_status, **(values or {})}):
                return None
            event = queries.add_event(
                session, idea, at=now, kind=EventKind.STATUS, source=source, actor_id=actor_id,
                from_status=before, to_status=rule.to_status, note=note, slack_event_id=slack_event_id,
            )  # fmt: skip
            self.record_vouched(session, idea, now, source, actor_id, vouched_kinds)
            session.flush()
            ids = self.queue_notices(session, idea, now, f"event:{event.id}", notices)
            if also is not None:
                ids += also(session, idea, now, f"event:{event.id}")
            session.refresh(idea)
            return Change(idea, ids, list(notices))

    @staticmethod
    def record_vouched(
        session: Session, idea: Idea, now: datetime, source: str, actor_id: str, kinds: tuple[str, ...]
    ) -> None:
        """Its writer said the text that looked like `kinds` of patient identifier is not one: into the history."""
        if kinds:
            queries.add_event(session, idea, at=now, kind=EventKind.NOT_PATIENT_INFO, source=source,
                              actor_id=actor_id, note=history_note(kinds))  # fmt: skip

    def queue_notices(
        self, session: Session, idea: Idea, now: datetime, key: str, notices: Sequence[Notice]
    ) -> list[int]:
        """Queue each notice in the outbox, in its words, keyed `key:notice.key`; the ids of those newly queued."""
        ids: list[int] = []
        for notice in owed(notices):  # the one notification rule: who is told what, if anything
            reader = idea.author_id if notice.kind == OutboxKind.DM else None
            with reading(self.language_for(idea, notice.kind, reader)):
                said = words(notice)
            message = new_message(
                kind=notice.kind, dedupe_key=f"{key}:{notice.key}", workspace_id=idea.workspace_id, idea_id=idea.id,
                now=now, channel_id=idea.team.channel_id,
                user_id=idea.author_id if notice.kind == OutboxKind.DM else None, text=said.text, blocks=said.blocks,
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
            raise NotAllowed(_("That idea no longer exists."))
        return idea

    def load_in(self, workspace_id: str, idea_id: int) -> Idea:
        """The idea, if it is one of this workspace's: a button's value or a form's metadata is only a number."""
        idea = self.load(idea_id)
        if idea.workspace_id != workspace_id:
            raise NotAllowed(_("That idea no longer exists."))  # the same words: another workspace's ideas are unseen
        return idea

    # --- decisions -----------------------------------------------------------------------------------------

    def approve(self, idea_id: int, actor: Actor, *, source: Source, slack_event_id: str | None = None) -> Change:
        """A leader says yes to a new idea: approved, with a thank-you in the card's thread (`Approved`). Raises
        NotAllowed for a non-leader and Stale when the idea is not new."""
        idea = self.load(idea_id)
        check(actor, Action.APPROVE, idea)
        change = self._move(
            idea_id, actor.user_id, Action.APPROVE, source=source, slack_event_id=slack_event_id,
            values={"decided_at": self._clock.now(), "decided_by": actor.user_id, "decision_note": None},
            notices=(Approved(idea, actor.user_id),),
        )  # fmt: skip
        if change is None:
            raise stale(self.load(idea_id))
        return change

    def withdraw_approval(self, idea_id: int, actor: Actor, *, slack_event_id: str | None = None) -> Change | None:
        """Back to new, silently: the last leader's approve emoji was taken off the card. None, and nothing said,
        when the table does not allow it (`actor` does not lead the team, or the idea is no longer approved)."""
        with self._db.read() as session:
            idea = queries.idea_by_id(session, idea_id)
        if idea is None or not may(actor, Action.WITHDRAW_APPROVAL, idea):
            return None
        return self._move(
            idea_id, actor.user_id, Action.WITHDRAW_APPROVAL, source=Source.EMOJI, slack_event_id=slack_event_id,
            values={"decided_at": None, "decided_by": None}, note="approval withdrawn",
        )  # fmt: skip

    def check_may_decline(self, idea: Idea, actor: Actor) -> None:
        """Raise NotAllowed unless `actor` leads the team, Stale unless the idea is new or approved."""
        check(actor, Action.NOT_NOW, idea)

    def not_now(
        self, idea_id: int, actor: Actor, reason: str, *, source: Source = Source.BUTTON, vouched: bool = False
    ) -> Change:
        """A leader decides "not now", with a reason (stripped, at most limits.REASON_MAX characters) that goes
        privately to the author (`NotNowReason`). Raises NotAllowed (not a leader, no reason), PatientDetails (the
        reason looks like it holds a patient identifier and `vouched` is false) or Stale."""
        idea = self.load(idea_id)
        self.check_may_decline(idea, actor)
        reason = _optional(reason, limits.REASON_MAX) or ""
        if not reason:
            raise NotAllowed(_("Please give a reason: it helps the person who raised it."))
        kinds = screen(self._guard, {"reason": reason}, vouched=vouched)
        # The author hears it privately, with a button to share it in the card's thread: sharing is their choice. A
        # team above that decided it tells the team below in the thread, without the reason.
        above = [NotNowAbove(idea, actor.user_id, actor.deciding_channel)] if actor.deciding_channel else []
        change = self._move(
            idea_id, actor.user_id, Action.NOT_NOW, source=source, note=reason,
            values={"decided_at": self._clock.now(), "decided_by": actor.user_id, "decision_note": reason},
            notices=(NotNowReason(idea, actor.user_id, reason), *above), vouched_kinds=kinds,
        )  # fmt: skip
        if change is None:
            raise stale(self.load(idea_id))
        return change

    def share_reason(self, idea_id: int, user_id: str) -> Change:
        """The author chose to share the not-now reason in the card's thread (`ReasonShared`, queued once per
        decision: `message_ids` is empty when it already was). Raises NotAllowed (not the author, the text was
        redacted) or Stale (no longer not now)."""
        idea = self.load(idea_id)
        check(Actor(user_id, is_leader=False), Action.SHARE_REASON, idea)  # only the author's role counts here
        if not idea.decision_note:
            raise stale(idea)
        notices: list[Notice] = [ReasonShared(idea, idea.decision_note)]
        with self._db.write() as session:
            key = f"share:{idea.id}:{idea.decided_at}"
            ids = self.queue_notices(session, idea, self._clock.now(), key, notices)
        return Change(idea, ids, notices)

    # --- doing ---------------------------------------------------------------------------------------------

    def start(self, idea_id: int, actor: Actor, team: Team) -> Change:
        """Start an idea: by a leader (who approves a new idea first, unless it is their own), its owner (straight
        from new where `team`, the idea's, allows "just do it"), or anyone taking on an approved idea that has no
        owner. The owner stays, or becomes the actor (`Started`). Raises NotAllowed or Stale."""
        idea = self.load(idea_id)
        check(actor, Action.START, idea, team)
        approval: Change | None = None
        if idea.status == S.NEW and actor.is_leader and idea.owner_id != actor.user_id:
            # A leader starting a waiting idea says yes to it first: the history (and time to decision) shows that.
            approval = self.approve(idea_id, actor, source=Source.BUTTON)
        from_status = S.APPROVED if approval is not None else idea.status
        change = self._move(
            idea_id, actor.user_id, Action.START, source=Source.BUTTON, from_statuses=(from_status,),
            values={"started_at": self._clock.now(), "owner_id": idea.owner_id or actor.user_id},
            notices=(Started(idea, actor.user_id),),
        )  # fmt: skip
        if change is None:
            raise stale(self.load(idea_id))
        if approval is not None:
            change.message_ids[:0] = approval.message_ids
            change.notices[:0] = approval.notices
        return change

    def check_may_finish(self, idea: Idea, actor: Actor) -> None:
        """Raise Stale unless the idea is approved or in progress, NotAllowed unless `actor` owns it or leads the
        team."""
        check(actor, Action.DONE, idea)

    def done(
        self, idea_id: int, actor: Actor, *, outcome: str, result: str, learned: str, effect: str | None,
        vouched: bool = False, offer_to: Sequence[Team] = (),
    ) -> Change:  # fmt: skip
        """Mark an idea done with its `outcome` (a key of OUTCOME_LABEL), what changed (`result`), what was
        learned and the optional `effect` (each at most limits.RESULT_MAX characters); thanks go to the card's
        thread (`Done`), and to the original's author when it is a copy another team tried. Offered to the teams
        `offer_to` ("Where else could this help?": `bot.ideas.offers`). Raises NotAllowed, PatientDetails (see
        `not_now`) or Stale."""
        idea = self.load(idea_id)
        self.check_may_finish(idea, actor)
        if outcome not in OUTCOME_LABEL:
            raise NotAllowed(_("Please say whether it worked."))
        if is_blank(result) or is_blank(learned):
            raise NotAllowed(_("Please say what changed and what we learned."))
        kinds = screen(self._guard, {"result": result, "learned": learned, "effect": effect}, vouched=vouched)
        most = limits.RESULT_MAX
        change = self._move(
            idea_id, actor.user_id, Action.DONE, source=Source.BUTTON,
            values={
                "done_at": self._clock.now(), "outcome": outcome, "result": result.strip()[:most],
                "learned": learned.strip()[:most], "effect": _optional(effect, most),
                "started_at": idea.started_at or self._clock.now(),
            },
            notices=(Done(idea, actor.user_id, learned.strip()),), vouched_kinds=kinds,
            also=lambda session, done, now, key: [
                *offers.queue_offers(session, done, offer_to, actor.user_id, now),
                *offers.thank_for_copy(session, done, actor.user_id, now, key, self.queue_notices),
            ],
        )  # fmt: skip
        if change is None:
            raise stale(self.load(idea_id))
        return change

    def reopen(self, idea_id: int, actor: Actor) -> Change:
        """Reopen a done or not-now idea: it waits for a decision again (`Reopened`). By its owner, its author or a
        leader; raises NotAllowed or Stale."""
        idea = self.load(idea_id)
        check(actor, Action.REOPEN, idea)
        change = self._move(
            idea_id, actor.user_id, Action.REOPEN, source=Source.BUTTON,
            values={"decided_at": None, "decided_by": None, "done_at": None, "outcome": None},
            notices=(Reopened(idea, actor.user_id),),
        )  # fmt: skip
        if change is None:
            raise stale(self.load(idea_id))
        return change

    # --- text: edit and redact -----------------------------------------------------------------------------

    def check_may_edit(self, idea: Idea, actor: Actor) -> None:
        """Raise NotAllowed unless `actor` raised the idea or leads the team (only a leader, once its text was
        redacted)."""
        check(actor, Action.EDIT, idea)

    def edit(
        self, idea_id: int, actor: Actor, *, problem: str, idea_text: str | None, benefit: str | None,
        category: str | None, vouched: bool = False,
    ) -> Change:  # fmt: skip
        """Replace the idea's text (each part stripped and clipped to its limit in `bot.limits`; blank optional
        parts become None) and category (one of Category, or None). Raises NotAllowed for a blank problem, an
        unknown category, or someone who may not edit; PatientDetails as `not_now`."""
        idea = self.load(idea_id)
        self.check_may_edit(idea, actor)
        if is_blank(problem):
            raise NotAllowed(_("The problem can't be empty."))
        problem = problem.strip()
        if category is not None and category not in set(Category):
            # Shown on the card as it is stored: only the listed categories may get there.
            raise NotAllowed(_("Please pick one of the listed categories."))
        values = {
            "problem": problem[: limits.PROBLEM_MAX],
            "idea": _optional(idea_text, limits.IDEA_MAX),
            "benefit": _optional(benefit, limits.BENEFIT_MAX),
            "category": category,
        }
        # Only what this edit changes: text already on the card was screened (or vouched for by its writer) then.
        changed = {
            field: values[field] for field in ("problem", "idea", "benefit") if values[field] != getattr(idea, field)
        }
        kinds = screen(self._guard, changed, vouched=vouched)
        return self._text_change(idea, actor, EventKind.EDITED, values, note=None, vouched_kinds=kinds)

    def check_may_redact(self, idea: Idea, actor: Actor) -> None:
        """Raise NotAllowed unless `actor` leads the team."""
        check(actor, Action.REDACT, idea)

    def redact(self, idea_id: int, actor: Actor, note: str | None = None, *, vouched: bool = False) -> Change:
        """Remove the idea's text from the store and the card; the caller also has the outbox redact the thread
        replies that quoted it (`Outbox.redact_posts`). The history keeps `note` (at most limits.REDACT_NOTE_MAX
        characters); PatientDetails as `not_now` when the note looks like it holds a patient identifier."""
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
        note = _optional(note, limits.REDACT_NOTE_MAX)
        kinds = screen(self._guard, {"note": note}, vouched=vouched)  # a note saying why must not say it again
        return self._text_change(idea, actor, EventKind.REDACTED, values, note=note, vouched_kinds=kinds)

    def _text_change(
        self, idea: Idea, actor: Actor, kind: EventKind, values: dict[str, Any], note: str | None,
        vouched_kinds: tuple[str, ...] = (),
    ) -> Change:  # fmt: skip
        now = self._clock.now()
        with self._db.write() as session:
            if not queries.change_idea(session, idea.id, list(IdeaStatus), values):
                raise NotAllowed(_("That idea no longer exists."))
            if kind == EventKind.REDACTED:
                queries.redact_history_notes(session, idea.id)
                escalations.remove_words(session, idea.id, REDACTED_TEXT)
            offers.follow_text(session, idea, values, now, kind)
            queries.add_event(session, idea, at=now, kind=kind, source=Source.BUTTON, actor_id=actor.user_id, note=note)
            self.record_vouched(session, idea, now, Source.BUTTON, actor.user_id, vouched_kinds)
            fresh = queries.idea_by_id(session, idea.id)
            assert fresh is not None
            session.refresh(fresh)
            return Change(fresh)

    # --- support -------------------------------------------------------------------------------------------

    def support(
        self, idea_id: int, user_id: str, *, add: bool, then: Callable[[Session], None] | None = None
    ) -> CardChange | None:
        """Count (or uncount) one person's support; when the count changed, the idea's card_version and supporters
        after it (for `Outbox.change_card`), else None. `then`, when given, runs in the same transaction, after the
        change (e.g. `bot.delivery.inbox.finish_applying`)."""
        now = self._clock.now()
        with self._db.write() as session:
            changed = (
                queries.add_supporter(session, idea_id, user_id, now)
                if add
                else queries.remove_supporter(session, idea_id, user_id)
            )
            if then is not None:
                then(session)
            version = queries.bump_card(session, idea_id) if changed else None
            if version is None:
                return None
            return CardChange(version, queries.supporter_count(session, idea_id))

    def tell_who_approves(self, idea: Idea, user_id: str, channel_id: str, leaders_text: str) -> list[int]:
        """Tell a non-leader, once per idea, who can approve (`WhoApproves`); the id of the message queued, if it
        was newly queued."""
        notice = WhoApproves(idea, user_id, channel_id, leaders_text)
        with reading(self.language_for(idea, notice.kind, user_id)):
            text = words(notice).text
        message = new_message(
            kind=notice.kind, dedupe_key=f"{notice.key}:{idea.id}:{user_id}", workspace_id=idea.workspace_id,
            idea_id=idea.id, channel_id=channel_id, user_id=user_id, text=text, now=self._clock.now(),
        )  # fmt: skip
        with self._db.write() as session:
            message_id = queries.add_outbox(session, message)
        return [message_id] if message_id is not None else []
