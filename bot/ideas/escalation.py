"""Escalation: a leader sends an idea one tier up with a reason; the team above decides it (the same emoji and
buttons, `bot.teams.permissions.Permissions.actor`), escalates it further, or sends it back with a note; a leader of
the team it came from may take it back. It stays one idea (one number, one history): each hop is a row
(`storage.models_tiers.Escalation`) and an event in its history, and the team above gets a second card, posted and
kept up to date through the outbox (`OutboxKind.HOP_CARD`).

Each change is a conditional write (two leaders at once make one change), recorded with its event and the notices
it owes people (`bot.notices`: the author told privately; sending and taking back said in the card's thread) in
one transaction, then delivered."""

from __future__ import annotations

from dataclasses import dataclass

from bot import limits
from bot.clock import Clock
from bot.delivery.outbox import new_message
from bot.domain import Actor
from bot.i18n import _
from bot.ideas.lifecycle import Change, Lifecycle, NotAllowed
from bot.ideas.rules import stale
from bot.notices import Escalated, Notice, SentBack, TakenBack
from bot.privacy.identifiers import PatientIdGuard
from bot.privacy.screening import screen
from bot.text import is_blank
from storage import escalations, queries
from storage.db import Database
from storage.models import OPEN_STATUSES, EventKind, Idea, IdeaStatus, OutboxKind, Source, Team
from storage.models_tiers import Escalation, HopEnd


@dataclass(frozen=True)
class Hop:
    """Where an escalation would go or went: the idea, the team it leaves and the team it goes to."""

    idea: Idea
    from_team: Team
    to_team: Team


class Escalations:
    """Escalate, send back and take back (see the module's docstring). Each raises NotAllowed (with words for the
    person) or Stale (the idea moved on), else returns the `Change` to deliver."""

    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle, guard: PatientIdGuard | None = None) -> None:
        self._db = db
        self._clock = clock
        self._lifecycle = lifecycle
        self._guard = guard or PatientIdGuard()

    # --- up -------------------------------------------------------------------------------------------------

    def check_may_escalate(self, idea: Idea, actor: Actor, deciding: Team) -> Hop:
        """Where `actor` (as `Permissions.actor` sees them) would send `idea`, which `deciding` decides now: raises
        NotAllowed unless they lead that team and it has a tier up, Stale unless the idea is still open."""
        if not actor.is_leader:
            if actor.held_by is not None:
                raise NotAllowed(_("This idea is with <#{channel}> now: only its leaders can send it further up.",
                                   channel=actor.held_by))  # fmt: skip
            raise NotAllowed(_("Only a leader of the team that decides this idea can escalate it."))
        if idea.status != IdeaStatus.NEW:  # escalation asks the team above for a decision
            raise stale(idea)
        with self._db.read() as session:
            upper = session.get(Team, deciding.upper_team_id) if deciding.upper_team_id else None
        if upper is None:
            raise NotAllowed(_("<#{channel}> has no tier up to escalate to. A leader there can name one with "
                               "`/kaizen tier up #channel`.", channel=deciding.channel_id))  # fmt: skip
        return Hop(idea, deciding, upper)

    def escalate(self, hop: Hop, actor: Actor, reason: str, *, vouched: bool = False) -> Change:
        """Send `hop.idea` from `hop.from_team` to `hop.to_team` for `reason` (required; stripped, at most
        limits.REASON_MAX characters): the hop opened (ending the one below it, if the idea was already escalated),
        the event recorded, both cards redrawn, the upper card queued, the author told. Raises NotAllowed (no
        reason), PatientDetails (see `Lifecycle.not_now`) or Stale (someone else escalated it or it moved on)."""
        reason = "" if is_blank(reason) else reason.strip()[: limits.REASON_MAX]
        if not reason:
            raise NotAllowed(_("Please give a reason: it tells the team above what you need from them."))
        kinds = screen(self._guard, {"reason": reason}, vouched=vouched)
        idea, now = hop.idea, self._clock.now()
        notices: list[Notice] = [Escalated(idea, actor.user_id, hop.to_team.channel_id, reason)]
        self._learn_reader(idea, notices)
        with self._db.write() as session:
            below = escalations.open_hop(session, idea.id)
            if (below.to_team_id if below else idea.team_id) != hop.from_team.id:
                raise stale(self._lifecycle.load(idea.id))  # sent up, back or taken back meanwhile
            if below is not None:
                escalations.end_hop(session, below.id, HopEnd.PASSED_UP, actor.user_id, None, now)
            opened = escalations.add_hop(session, idea, hop.from_team, hop.to_team, reason, actor.user_id, now)
            first = {"escalated_at": now} if idea.escalated_at is None else {}
            if opened is None or not queries.change_idea(session, idea.id, list(OPEN_STATUSES), first):
                raise stale(self._lifecycle.load(idea.id))
            event = queries.add_event(session, idea, at=now, kind=EventKind.ESCALATED, source=Source.BUTTON,
                                      actor_id=actor.user_id, note=reason)  # fmt: skip
            self._lifecycle.record_vouched(session, idea, now, Source.BUTTON, actor.user_id, kinds)
            session.flush()
            card = new_message(
                kind=OutboxKind.HOP_CARD, dedupe_key=f"hop:{opened.id}:card", workspace_id=idea.workspace_id,
                idea_id=idea.id, channel_id=hop.to_team.channel_id, now=now,
            )  # fmt: skip
            card_id = queries.add_outbox(session, card)
            ids = [card_id] if card_id is not None else []
            ids += self._lifecycle.queue_notices(session, idea, now, f"event:{event.id}", notices)
            fresh = queries.idea_by_id(session, idea.id)
            assert fresh is not None
            session.refresh(fresh)
            return Change(fresh, ids, notices)

    # --- down -----------------------------------------------------------------------------------------------

    def _holding(self, idea: Idea) -> tuple[Escalation, Team] | None:
        """The idea's open hop and the team holding it, or None when it is not escalated."""
        with self._db.read() as session:
            hop = escalations.open_hop(session, idea.id)
            holder = session.get(Team, hop.to_team_id) if hop else None
        return (hop, holder) if hop is not None and holder is not None else None

    def check_may_send_back(self, idea: Idea, actor: Actor) -> tuple[Escalation, Team]:
        """The open hop of `idea` and the team holding it, if `actor` may send it back down: raises NotAllowed
        when it is not escalated or they do not lead that team."""
        holding = self._holding(idea)
        if holding is None:
            raise NotAllowed(_("This idea is not escalated: there is nothing to send back."))
        hop, holder = holding
        if not actor.is_leader:
            raise NotAllowed(_("Only the leaders of <#{channel}> can send this idea back.", channel=holder.channel_id))
        return hop, holder

    def send_back(
        self, idea_id: int, actor: Actor, note: str, *, vouched: bool = False, hop_id: int | None = None
    ) -> Change:
        """A leader of the team holding the idea sends it back to the team it came from, with `note` (required;
        at most limits.REASON_MAX characters), said in the card's thread; `hop_id`, when given, is the hop the
        form was opened for. Raises NotAllowed (not a leader there, no note, not escalated), PatientDetails or
        Stale (that hop has ended since)."""
        idea = self._lifecycle.load(idea_id)
        note = "" if is_blank(note) else note.strip()[: limits.REASON_MAX]
        hop, holder = self.check_may_send_back(idea, actor)
        if hop_id is not None and hop.id != hop_id:
            raise stale(idea)
        if not note:
            raise NotAllowed(_("Please add a note for the team it goes back to."))
        kinds = screen(self._guard, {"note": note}, vouched=vouched)
        notice = SentBack(idea, actor.user_id, holder.channel_id, note)
        return self._end(idea, hop.id, HopEnd.SENT_BACK, actor.user_id, note, EventKind.SENT_BACK, notice, kinds)

    def take_back(self, idea_id: int, actor: Actor) -> Change:
        """A leader of the idea's own team takes it back from the team above: it is decided there again (every
        hop above ends). Raises NotAllowed (not escalated, not a leader of its team) or Stale."""
        idea = self._lifecycle.load(idea_id)
        holding = self._holding(idea)
        if holding is None:
            raise NotAllowed(_("This idea is not escalated: it is decided here already."))
        hop, holder = holding
        if not actor.leads_home:
            raise NotAllowed(_("Only a leader of the team that raised it can take an idea back."))
        if idea.status != IdeaStatus.NEW:  # decided above meanwhile: there is no decision left to take back
            raise stale(idea)
        notice = TakenBack(idea, actor.user_id, holder.channel_id)
        return self._end(idea, hop.id, HopEnd.TAKEN_BACK, actor.user_id, None, EventKind.TAKEN_BACK, notice, ())

    def _end(
        self, idea: Idea, hop_id: int, how: HopEnd, by: str, note: str | None, kind: EventKind, notice: Notice,
        vouched_kinds: tuple[str, ...],
    ) -> Change:  # fmt: skip
        """End the open hop `hop_id` (`how`): sent back, the hop below it (if any) opens again, so the idea goes
        down one tier; taken back, it goes home. Its event, the cards redrawn and `notice`, in one transaction."""
        now = self._clock.now()
        with self._db.write() as session:
            if not escalations.end_hop(session, hop_id, how, by, note, now):
                raise stale(self._lifecycle.load(idea.id))
            if how is HopEnd.SENT_BACK:
                escalations.reopen_passed_up(session, idea.id, hop_id)
            queries.bump_card(session, idea.id)
            event = queries.add_event(session, idea, at=now, kind=kind, source=Source.BUTTON, actor_id=by, note=note)
            self._lifecycle.record_vouched(session, idea, now, Source.BUTTON, by, vouched_kinds)
            session.flush()
            ids = self._lifecycle.queue_notices(session, idea, now, f"event:{event.id}", [notice])
            fresh = queries.idea_by_id(session, idea.id)
            assert fresh is not None
            session.refresh(fresh)
            return Change(fresh, ids, [notice])

    def _learn_reader(self, idea: Idea, notices: list[Notice]) -> None:
        """The author's language, learned before the transaction that words their DM (see `Lifecycle`)."""
        for notice in notices:
            if notice.kind == OutboxKind.DM:
                self._lifecycle.language_for(idea, notice.kind, idea.author_id, wait=True)
