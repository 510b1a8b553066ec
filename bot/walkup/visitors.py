"""A walk-up visitor's problem or idea, as a normal idea of the form's team: screened for patient details,
validated and committed with its card queued (all in one transaction, before the thank-you page), the card then
posted by a background sender (the outbox's sweep posts it if that fails). Credited to the name they typed, as
plain text, or to nobody (`bot.credit`).

With the form's review on (`/kaizen form review on`), what was sent is screened and validated the same way but held
(a WalkUpSubmission) and each of the team's leaders gets a private note with Accept and Decline; the first leader to
decide decides for all. Accepted, it becomes the idea (raised then); declined, it is deleted."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum

from bot import credit
from bot.clock import Clock
from bot.delivery.outbox import Outbox, new_message
from bot.i18n import reading
from bot.ideas.workflow import NewIdea, Workflow
from bot.render.walkup_review import review_blocks, review_text
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from storage import queries, walkup
from storage.db import Database
from storage.models import OutboxKind, Source, Team
from storage.models_walkup import WalkUpSubmission

log = logging.getLogger(__name__)

SENDERS = 2  # threads posting walk-up cards and leaders' notes after the page has answered


class Decided(StrEnum):
    """What became of a leader's Accept or Decline."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    GONE = "gone"  # another leader decided first (or it never was)


@dataclass(frozen=True)
class Decision:
    """A leader's decision on a held submission: what became of it, and the idea's number once accepted."""

    decided: Decided
    number: int | None = None


class Visitors:
    """Raises walk-up ideas (`raise_idea`), holds them for review, and carries out a leader's `accept` or
    `decline`; `close` stops its senders (the sweep posts what is left)."""

    def __init__(
        self, db: Database, clock: Clock, workflow: Workflow, outbox: Outbox, leaders: Leaders, languages: Languages
    ) -> None:
        self._db = db
        self._clock = clock
        self._workflow = workflow
        self._outbox = outbox
        self._leaders = leaders
        self._languages = languages
        self._senders = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="walkup-card")

    def _new(self, team: Team, problem: str, idea: str | None, name: str | None, vouched: bool) -> NewIdea:
        return NewIdea(
            workspace_id=team.workspace_id, channel_id=team.channel_id, channel_name=team.name,
            author_id=credit.walkup_author(team.workspace_id, name), problem=problem, idea=idea,
            source=Source.WALKUP, vouched=vouched, credited_name=name,
        )  # fmt: skip

    def raise_idea(
        self, team: Team, problem: str, idea: str | None, name: str | None, *, vouched: bool, review: bool = False
    ) -> int | None:
        """Commit the visitor's idea in `team` and have its card posted; returns its number. With `review`, hold
        it for the team's leaders instead (None). Raises the workflow's PatientDetails (text that looks like a
        patient identifier, not vouched for: nothing stored) and InvalidIdea (what to fix, by field: problem, idea,
        name)."""
        new = self._new(team, problem, idea, name, vouched)
        if review:
            self._hold(team, self._workflow.check(new, team))
            return None
        raised = self._workflow.raise_idea(new)
        log.info("Walk-up idea #%s raised in team %s", raised.idea.number, team.id)
        self._later(self._outbox.send_claimed, raised.card, raised.idea)
        return raised.idea.number

    def _later(self, function: Callable[..., object], *args: object) -> None:
        try:
            self._senders.submit(function, *args)
        except RuntimeError:  # shutting down: the sweep sends it
            log.warning("Walk-up message left for the sweep", exc_info=True)

    def _hold(self, team: Team, new: NewIdea) -> None:
        """Keep it, and queue a note to each of the team's leaders, in one transaction; the notes then go out."""
        leaders = self._leaders.everyone_leading(team.workspace_id, team)
        # Each leader reads the note in their own language, learned (from Slack, maybe) before the transaction.
        languages = {leader: self._languages.of_person(team.workspace_id, leader, team=team) for leader in leaders}
        now = self._clock.now()
        ids: list[int] = []
        with self._db.write() as session:
            held = walkup.hold(session, WalkUpSubmission(
                team_id=team.id, problem=new.problem, idea=new.idea, credited_name=new.credited_name,
                vouched=new.vouched, received_at=now,
            ))  # fmt: skip
            for leader in leaders:
                with reading(languages[leader]):
                    blocks = review_blocks(team.channel_id, held.problem, held.idea, held.credited_name, held.id)
                    text = review_text(team.channel_id)
                message = new_message(
                    kind=OutboxKind.DM, dedupe_key=f"walkup-review:{held.id}:{leader}", workspace_id=team.workspace_id,
                    now=now, user_id=leader, text=text, blocks=blocks,
                )  # fmt: skip
                if (message_id := queries.add_outbox(session, message)) is not None:
                    ids.append(message_id)
        log.info("Walk-up idea held for review in team %s (%d leaders told)", team.id, len(ids))
        for message_id in ids:
            self._later(self._outbox.send, message_id)

    def team_of(self, submission_id: int) -> Team | None:
        """The team a held submission was sent to; None once decided."""
        with self._db.read() as session:
            found = walkup.submission(session, submission_id)
        return found[1] if found is not None else None

    def accept(self, submission_id: int, leader: str) -> Decision:
        """Raise a held submission as the idea (its card posted), credited to its visitor; the history records the
        leader who accepted it. GONE when another leader decided first."""
        with self._db.write() as session:
            if not walkup.take(session, submission_id, leader):
                return Decision(Decided.GONE)
            found = walkup.submission(session, submission_id)
        assert found is not None
        held, team = found
        try:
            new = self._new(team, held.problem, held.idea, held.credited_name, held.vouched)
            raised = self._workflow.raise_idea(replace(new, recorded_by=leader))
        except Exception:
            with self._db.write() as session:
                walkup.release(session, submission_id)
            raise
        with self._db.write() as session:
            walkup.drop(session, submission_id, taken_by=leader)
        log.info("Walk-up idea #%s accepted in team %s", raised.idea.number, team.id)
        self._later(self._outbox.send_claimed, raised.card, raised.idea)
        return Decision(Decided.ACCEPTED, raised.idea.number)

    def decline(self, submission_id: int) -> Decision:
        """Delete a held submission (nothing is posted); GONE when another leader decided first."""
        with self._db.write() as session:
            dropped = walkup.drop(session, submission_id)
        return Decision(Decided.DECLINED if dropped else Decided.GONE)

    def close(self) -> None:
        """Stop taking messages to post and wait for those under way."""
        self._senders.shutdown(wait=True)
