"""Spreading what works (yokoten; product page, Spreading what works): a team tries another team's done idea as an
idea of its own, or says it is not for them.

A try makes a *new* idea in the trying team (its own number and history; raised and owned by whoever pressed, waiting
for that team's leaders), linked both ways: the copy names its original (`Idea.copied_from_id`), the original's
offer to that team names the copy (`Spread.copy_id`), and both cards say so. The copy, the answer and the events
are one transaction; the answer is a conditional write, so two people pressing Try it here at once make one copy
(the second is told where it went). The suggestions themselves are queued by the Done (`bot.ideas.offers`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.i18n import _
from bot.ideas.lifecycle import Lifecycle, NotAllowed
from bot.ideas.offers import COPIED_TEXTS
from bot.ideas.workflow import NewIdea, Raised, raise_idea
from storage import queries, spreads
from storage.db import Database
from storage.models import EventKind, Idea, IdeaStatus, Source, Team
from storage.models_spread import Spread, SpreadAnswer


class AlreadyTried(NotAllowed):
    """The team tried the idea already (someone got there first): str(error) says as which idea."""


@dataclass(frozen=True)
class Tried:
    """A try: the copy raised in the trying team (its card claimed for the caller to post) and the original."""

    copy: Raised
    original: Idea


@dataclass(frozen=True)
class Declined:
    """A team's "not for us": the original and the offer answered."""

    original: Idea
    spread: Spread


def _already(copy: Idea | None, team: Team) -> AlreadyTried:
    if copy is None:
        return AlreadyTried(_("Someone in <#{channel}> is trying this already.", channel=team.channel_id))
    # Translators: someone pressed Try it here for a team that tries the idea already, as idea #{number}
    return AlreadyTried(_("<#{channel}> is trying this already, as #{number}.", channel=team.channel_id,
                          number=copy.number))  # fmt: skip


class Spreading:
    """Try it here, Try it in my team, and Not for us (see the module's docstring). Each raises NotAllowed (with
    words for the person; AlreadyTried when that team tries it already), else says what changed."""

    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle) -> None:
        self._db = db
        self._clock = clock
        self._lifecycle = lifecycle

    def offer_of(self, workspace_id: str, spread_id: int) -> tuple[Spread, Idea, Team]:
        """Offer `spread_id` (a suggestion's button value) with its idea and the team offered it; NotAllowed when it
        is no offer of this workspace's."""
        with self._db.read() as session:
            found = spreads.spread_in(session, spread_id, workspace_id)
        if found is None:
            raise NotAllowed(_("That suggestion no longer exists."))
        return found

    def load_in(self, workspace_id: str, idea_id: int) -> Idea:
        """The idea, if it is one of this workspace's (`Lifecycle.load_in`); NotAllowed otherwise."""
        return self._lifecycle.load_in(workspace_id, idea_id)

    @staticmethod
    def check_may_copy(original: Idea, team: Team) -> None:
        """Raise NotAllowed unless `original` can be tried in `team`: done, its text still there, another team of its
        workspace."""
        if team.workspace_id != original.workspace_id:  # a Slack Connect channel filed under its own workspace
            raise NotAllowed(_("<#{channel}> is filed under another workspace: an idea spreads within its own.",
                               channel=team.channel_id))  # fmt: skip
        if original.team_id == team.id:
            raise NotAllowed(_("This idea is from <#{channel}> already: pick another team's channel.",
                               channel=team.channel_id))  # fmt: skip
        if original.status != IdeaStatus.DONE:
            raise NotAllowed(_("#{number} is not done any more, so there is nothing to try yet.",
                               number=original.number))  # fmt: skip
        if original.redacted or original.text_removed_at is not None:
            raise NotAllowed(_("#{number}'s text was removed, so there is nothing to copy. Raise your own idea "
                               "with `/kaizen`.", number=original.number))  # fmt: skip

    def try_in(self, original: Idea, team: Team, user_id: str) -> Tried:
        """`user_id` tries `original` in `team` (Try it here on its suggestion, or Try it in my team on its card): a
        new idea there raised and owned by them, linked to the original, whose cards are redrawn. Raises NotAllowed
        (see `check_may_copy`) or AlreadyTried."""
        self.check_may_copy(original, team)
        new = NewIdea(
            workspace_id=team.workspace_id, channel_id=team.channel_id, channel_name=team.name, author_id=user_id,
            problem=original.problem, idea=original.idea, benefit=original.benefit, category=original.category,
            source=Source.BUTTON, copied_from_id=original.id,
        )  # fmt: skip

        def link(session: Session, copy: Idea, now: datetime) -> None:
            # The original as it is now, held until this commits: an edit, a redaction or a reopen made since it
            # was read either waits for the copy (and then reaches it) or has happened (and is seen here).
            fresh = spreads.hold_idea(session, original.id)
            if fresh is None:
                raise NotAllowed(_("That idea no longer exists."))
            self.check_may_copy(fresh, team)
            texts = {name: getattr(fresh, name) for name in (*COPIED_TEXTS, "category")}
            if any(getattr(copy, name) != value for name, value in texts.items()):
                queries.change_idea(session, copy.id, [IdeaStatus.NEW], texts)
            offered = spreads.offered(session, original.id, team.id)
            if offered is None:
                made = spreads.offer(session, fresh, [team.id], user_id, now, suggested=False)
                offered = made[0] if made else spreads.offered(session, original.id, team.id)  # offered meanwhile
            if (
                offered is None
                or offered.copy_id is not None
                or not spreads.answer(session, offered.id, SpreadAnswer.TRIED, user_id, now, copy.id)
            ):
                found = spreads.offered(session, original.id, team.id)
                tried = queries.idea_by_id(session, found.copy_id) if found and found.copy_id else None
                raise _already(tried, team)  # nothing written: the transaction rolls back
            queries.add_event(session, original, at=now, kind=EventKind.TRIED, source=Source.BUTTON,
                              actor_id=user_id, note=f"#{copy.number}")  # fmt: skip
            queries.add_event(session, copy, at=now, kind=EventKind.COPIED, source=Source.BUTTON, actor_id=user_id,
                              note=f"#{original.number}")  # fmt: skip
            queries.bump_card(session, original.id)  # its cards name the copy

        raised = raise_idea(self._db, self._clock, new, claim_card=True, then=link)
        return Tried(raised, self._lifecycle.load(original.id))

    def not_for_us(self, spread_id: int, workspace_id: str, user_id: str, *, leads: bool) -> Declined:
        """The team offered `spread_id` says it is not for them (`user_id`, who must lead that team: `leads`): the
        answer recorded once, the suggestion redrawn without its buttons. Raises NotAllowed (not a leader there, or
        answered already)."""
        spread, original, team = self.offer_of(workspace_id, spread_id)
        if not leads:
            raise NotAllowed(_("Only a leader of <#{channel}> can say this is not for the team. You can still try it "
                               "here.", channel=team.channel_id))  # fmt: skip
        now = self._clock.now()
        with self._db.write() as session:
            if not spreads.answer(session, spread.id, SpreadAnswer.NOT_FOR_US, user_id, now):
                found = spreads.offered(session, original.id, team.id)
                copy = queries.idea_by_id(session, found.copy_id) if found and found.copy_id else None
                if copy is not None:
                    raise _already(copy, team)
                raise NotAllowed(_("<#{channel}> answered this suggestion already.", channel=team.channel_id))
            queries.add_event(session, original, at=now, kind=EventKind.NOT_FOR_US, source=Source.BUTTON,
                              actor_id=user_id, note=team.channel_id)  # fmt: skip
            queries.bump_card(session, original.id)  # its suggestion there is redrawn, answered
        return Declined(self._lifecycle.load(original.id), spread)
