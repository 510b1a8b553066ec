"""A walk-up visitor's problem or idea, as a normal idea of the form's team: screened for patient details,
validated and committed with its card queued (all in one transaction, before the thank-you page), the card then
posted by a background sender (the outbox's sweep posts it if that fails). Credited to the name they typed, as
plain text, or to nobody (`bot.credit`)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from bot import credit
from bot.delivery.outbox import Outbox
from bot.ideas.workflow import NewIdea, Workflow
from storage.models import Source, Team

log = logging.getLogger(__name__)

SENDERS = 2  # threads posting walk-up cards after the page has answered


class Visitors:
    """Raises walk-up ideas (`raise_idea`); `close` stops its card senders (the sweep posts what is left)."""

    def __init__(self, workflow: Workflow, outbox: Outbox) -> None:
        self._workflow = workflow
        self._outbox = outbox
        self._senders = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="walkup-card")

    def raise_idea(self, team: Team, problem: str, idea: str | None, name: str | None, *, vouched: bool) -> int:
        """Commit the visitor's idea in `team` and have its card posted; returns its number. Raises the workflow's
        PatientDetails (text that looks like a patient identifier, not vouched for: nothing stored) and
        InvalidIdea (what to fix, by field: problem, idea, name)."""
        new = NewIdea(
            workspace_id=team.workspace_id, channel_id=team.channel_id, channel_name=team.name,
            author_id=credit.walkup_author(team.workspace_id, name), problem=problem, idea=idea,
            source=Source.WALKUP, vouched=vouched, credited_name=name,
        )  # fmt: skip
        raised = self._workflow.raise_idea(new)
        log.info("Walk-up idea #%s raised in team %s", raised.idea.number, team.id)
        try:
            self._senders.submit(self._outbox.send_claimed, raised.card, raised.idea)
        except RuntimeError:  # shutting down: the sweep posts it
            log.warning("Walk-up card of idea #%s left for the sweep", raised.idea.number, exc_info=True)
        return raised.idea.number

    def close(self) -> None:
        """Stop taking cards to post and wait for those under way."""
        self._senders.shutdown(wait=True)
