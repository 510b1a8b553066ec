"""Retention in the store (product page, Privacy): the ideas whose text is due to go, removing it while keeping every
number, status, date and count the measures read, the daily run's claim, and the purge of Slack's deliveries and
the outbox's message bodies after a week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    ColumnElement,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage import escalations
from storage.core import insert_skipping_taken, run
from storage.models import (
    BOT_NOTE_EVENTS,
    EventKind,
    Idea,
    IdeaEvent,
    IdeaStatus,
    InboxEvent,
    OutboxMessage,
    Team,
    UtcDateTime,
)
from storage.models_privacy import RetentionRun

FINISHED = (IdeaStatus.DONE, IdeaStatus.NOT_NOW)
# The events of a change that may write text: an edit, and a status change (a done idea's result and what was learned,
# a not-now reason), such as an idea whose text went being reopened and finished again.
_WRITING = (EventKind.EDITED, EventKind.STATUS)


@dataclass(frozen=True)
class Due:
    """An idea whose text retention removes: its id and number, its team's channel and name, whether the team is
    paused (its channel takes no posts: the card cannot be updated), and when it was finished (UTC)."""

    idea_id: int
    number: int
    workspace_id: str
    channel_id: str
    team_name: str
    paused: bool
    finished_at: datetime


def _finished_before(cutoff: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Idea.status == IdeaStatus.DONE, Idea.done_at < cutoff),
        and_(Idea.status == IdeaStatus.NOT_NOW, Idea.decided_at < cutoff),
    )


def _text_there() -> ColumnElement[bool]:
    # Never removed, or written since it was (an edit, or reopened and finished again): the text is there.
    written_since = exists().where(
        IdeaEvent.idea_id == Idea.id, IdeaEvent.kind.in_(_WRITING), IdeaEvent.at >= Idea.text_removed_at
    )
    return or_(Idea.text_removed_at.is_(None), written_since)


def due(session: Session, cutoff: datetime, *, after_id: int = 0, limit: int = 100) -> list[Due]:
    """Up to `limit` ideas (id above `after_id`, in id order) done before `cutoff` (done_at) or not-now before it
    (decided_at), whose text is still there: never removed, or written since it was (edited, or reopened and finished
    again)."""
    rows = session.execute(
        select(Idea.id, Idea.number, Idea.workspace_id, Idea.status, Idea.done_at, Idea.decided_at, Team)
        .join(Team, Idea.team_id == Team.id)
        .where(Idea.id > after_id, _text_there(), _finished_before(cutoff))
        .order_by(Idea.id)
        .limit(limit)
    )
    return [
        Due(
            idea_id=row.id,
            number=row.number,
            workspace_id=row.workspace_id,
            channel_id=row.Team.channel_id,
            team_name=row.Team.name,
            paused=row.Team.paused_at is not None,
            finished_at=row.done_at if row.status == IdeaStatus.DONE else row.decided_at,
        )
        for row in rows
    ]


def paused(session: Session, idea_id: int) -> bool:
    """Whether the idea's team is paused now (its channel takes no posts)."""
    found = session.scalar(select(Team.paused_at).join(Idea, Idea.team_id == Team.id).where(Idea.id == idea_id))
    return found is not None


def remove_text(session: Session, idea_id: int, cutoff: datetime, marker: str, now: datetime) -> bool:
    """Replace the idea's text with `marker` (the problem, and the result and what was learned where written) and
    drop the rest (idea, benefit, effect, the decision's reason, the notes people wrote in its history: a
    screening's kinds stay), only if it is still finished before `cutoff` with its text there; bumps card_version
    so the card is drawn again. True when it did."""
    idea = session.get(Idea, idea_id)
    if idea is None:
        return False
    values = {
        "problem": marker,
        "idea": None,
        "benefit": None,
        "result": marker if idea.result else None,
        "learned": marker if idea.learned else None,
        "effect": None,
        "decision_note": None,
        "credited_name": None,  # a walk-up visitor's name goes with the words (their stand-in id stays: the counts)
        "text_removed_at": now,
        "card_version": Idea.card_version + 1,
    }
    changed = session.execute(
        update(Idea)
        .where(Idea.id == idea_id, _text_there(), _finished_before(cutoff))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(changed, "rowcount", 0):
        return False
    # Notes people wrote go; the safety trail stays (what a screening matched, by kind; "already done").
    written = IdeaEvent.kind.not_in([EventKind.NOT_PATIENT_INFO, EventKind.CREATED, *BOT_NOTE_EVENTS])
    session.execute(update(IdeaEvent).where(IdeaEvent.idea_id == idea_id, written).values(note=None))
    escalations.remove_words(session, idea_id, marker)  # the reasons and notes of its hops up and down the tiers
    return True


# Core statements, built once (storage.core): the daily job's claim and purge run at every worker's start, and the
# ORM's unit of work and UPDATE synchronisation would cost each worker about 2 MB of memory it keeps (`bench memory`).
_CLAIM_AGAIN = (
    update(RetentionRun)
    .where(
        RetentionRun.day == bindparam("run_day"),
        RetentionRun.finished_at.is_(None),
        or_(RetentionRun.claim_until.is_(None), RetentionRun.claim_until < bindparam("now")),
    )
    .values(claim=bindparam("token"), claim_until=bindparam("until"), attempts=RetentionRun.attempts + 1)
    .returning(RetentionRun.day)
)
_HELD = (
    RetentionRun.day == bindparam("run_day"),
    RetentionRun.claim == bindparam("token"),
    RetentionRun.finished_at.is_(None),
)
_RENEW = update(RetentionRun).where(*_HELD).values(claim_until=bindparam("until")).returning(RetentionRun.day)
_FINISH = (
    update(RetentionRun)
    .where(*_HELD)
    .values(finished_at=bindparam("finished"), report=bindparam("run_report", type_=JSON), claim_until=None)
    .returning(RetentionRun.day)
)


def claim_run(session: Session, day: date, token: str, now: datetime, until: datetime) -> bool:
    """Claim the retention run of `day` (a UTC date) until `until`; false when it finished or another process's
    lease runs. The row is created on first claim."""
    dialect = session.connection().dialect.name
    first = run(
        session, insert_skipping_taken(dialect, RetentionRun).returning(RetentionRun.day),
        {"day": day, "claim": token, "claim_until": until, "attempts": 1},
    ).first()  # fmt: skip
    if first is not None:
        return True
    # Taken: by an earlier claim (its lease may have run out) or a finished run.
    return run(session, _CLAIM_AGAIN, {"run_day": day, "now": now, "token": token, "until": until}).first() is not None


def finish_run(session: Session, day: date, token: str, now: datetime, report: dict[str, object]) -> bool:
    """Record the run of `day` done with `report`; false when `token` no longer holds its claim."""
    held = {"run_day": day, "token": token, "finished": now, "run_report": report}
    return run(session, _FINISH, held).first() is not None


def purgeable(session: Session, before: datetime) -> tuple[int, int]:
    """How many inbox deliveries and outbox message bodies `purge` would remove (for a dry run)."""
    inbox = session.scalars(select(InboxEvent.id).where(*_old_inbox(before))).all()
    outbox = session.scalars(select(OutboxMessage.id).where(*_old_outbox(before))).all()
    return len(inbox), len(outbox)


def _old_inbox(before: datetime | ColumnElement[datetime]) -> tuple[ColumnElement[bool], ...]:
    # Applied (or given up on) before `before`: a delivery still being worked on stays.
    return (InboxEvent.done_at.is_not(None), InboxEvent.received_at < before)


def _old_outbox(before: datetime | ColumnElement[datetime]) -> tuple[ColumnElement[bool], ...]:
    # Sent (or given up on) before `before`, body still there, and shown in Slack as stored (a stale one keeps the
    # body it is still to be updated to). The row stays: its dedupe key keeps a message from being sent twice, and
    # its ts lets a later redaction or retention reach the reply in Slack.
    return (
        OutboxMessage.done_at.is_not(None),
        OutboxMessage.stale_since.is_(None),
        OutboxMessage.created_at < before,
        # JSON's null (what the ORM may store for None) counts as no body, as SQL's NULL does.
        or_(OutboxMessage.text.is_not(None), cast(OutboxMessage.blocks, Text) != "null"),
    )


def purge(session: Session, before: datetime) -> tuple[int, int]:
    """Delete Slack's deliveries applied before `before` and empty the bodies (text, blocks) of outbox messages
    created and finished before it; returns (deliveries deleted, bodies emptied)."""
    params = {"before": before}
    # Counted by rowcount (reliable for DELETE and UPDATE on both databases): a week of deliveries is not loaded.
    inbox = run(session, _PURGE_INBOX, params).rowcount
    outbox = run(session, _EMPTY_BODIES, params).rowcount
    return int(inbox or 0), int(outbox or 0)


_BEFORE = bindparam("before", type_=UtcDateTime())
_PURGE_INBOX = delete(InboxEvent).where(*_old_inbox(_BEFORE))
_EMPTY_BODIES = update(OutboxMessage).where(*_old_outbox(_BEFORE)).values(text=None, blocks=null())


def renew_run(session: Session, day: date, token: str, until: datetime) -> bool:
    """Hold the run of `day` until `until`; false when `token` no longer holds its claim."""
    return run(session, _RENEW, {"run_day": day, "token": token, "until": until}).first() is not None
