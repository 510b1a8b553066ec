"""Queries on the store. Plain functions taking a Session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    EventKind,
    Idea,
    IdeaEvent,
    InboxEvent,
    OutboxMessage,
    Supporter,
    Team,
    TeamLeader,
    Workspace,
)


def ensure_workspace(session: Session, workspace_id: str, now: datetime) -> None:
    if session.get(Workspace, workspace_id) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(insert(Workspace).values(id=workspace_id, last_idea_number=0, created_at=now))
    except IntegrityError:
        pass  # another transaction created it first; that is all we wanted


def get_team(session: Session, workspace_id: str, channel_id: str) -> Team | None:
    return session.scalars(
        select(Team).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id)
    ).one_or_none()


def ensure_team(session: Session, workspace_id: str, channel_id: str, name: str, now: datetime) -> Team:
    ensure_workspace(session, workspace_id, now)
    team = get_team(session, workspace_id, channel_id)
    if team is not None:
        if name and team.name != name:
            team.name = name
        return team
    try:
        with session.begin_nested():
            team = Team(workspace_id=workspace_id, channel_id=channel_id, name=name, created_at=now)
            session.add(team)
    except IntegrityError:
        team = get_team(session, workspace_id, channel_id)
        assert team is not None
    return team


def allocate_idea_number(session: Session, workspace_id: str) -> int:
    """The next number in this workspace. The row lock taken by the UPDATE serialises concurrent raisers."""
    number = session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(last_idea_number=Workspace.last_idea_number + 1)
        .returning(Workspace.last_idea_number)
    ).scalar_one()
    return int(number)


def add_event(
    session: Session,
    idea: Idea,
    *,
    at: datetime,
    kind: EventKind,
    source: str,
    actor_id: str | None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    slack_event_id: str | None = None,
) -> IdeaEvent:
    event = IdeaEvent(
        idea_id=idea.id,
        at=at,
        actor_id=actor_id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        source=source,
        slack_event_id=slack_event_id,
    )
    session.add(event)
    return event


def idea_by_source(session: Session, workspace_id: str, channel_id: str, ts: str) -> Idea | None:
    return session.scalars(
        select(Idea).where(Idea.workspace_id == workspace_id, Idea.source_channel == channel_id, Idea.source_ts == ts)
    ).one_or_none()


def idea_by_number(session: Session, workspace_id: str, number: int) -> Idea | None:
    return session.scalars(select(Idea).where(Idea.workspace_id == workspace_id, Idea.number == number)).one_or_none()


def idea_by_id(session: Session, idea_id: int) -> Idea | None:
    return session.get(Idea, idea_id)


def team_board(session: Session, team_id: int, statuses: Sequence[str], per_status: int) -> dict[str, list[Idea]]:
    """Up to `per_status` ideas of each status, oldest first (the oldest wait longest)."""
    board: dict[str, list[Idea]] = {}
    for status in statuses:
        board[status] = list(
            session.scalars(
                select(Idea)
                .where(Idea.team_id == team_id, Idea.status == status)
                .order_by(Idea.created_at, Idea.id)
                .limit(per_status)
            )
        )
    return board


def count_by_status(session: Session, team_id: int) -> dict[str, int]:
    rows = session.execute(select(Idea.status, func.count()).where(Idea.team_id == team_id).group_by(Idea.status)).all()
    return {status: int(count) for status, count in rows}


def ideas_of_person(session: Session, workspace_id: str, user_id: str, limit: int) -> tuple[list[Idea], int]:
    """Ideas a person raised or owns, newest first, and how many there are in all."""
    where = (Idea.workspace_id == workspace_id, or_(Idea.author_id == user_id, Idea.owner_id == user_id))
    total = session.execute(select(func.count()).select_from(Idea).where(*where)).scalar_one()
    ideas = list(
        session.scalars(select(Idea).where(*where).order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit))
    )
    return ideas, int(total)


def events_of(session: Session, idea_id: int) -> list[IdeaEvent]:
    return list(
        session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.at, IdeaEvent.id))
    )


# --- ideas: conditional changes, cards ------------------------------------------------------------------------


def change_idea(session: Session, idea_id: int, from_statuses: Sequence[str], values: dict[str, Any]) -> bool:
    """Apply `values` only if the idea is still in one of `from_statuses`; two racing changes apply once."""
    result = session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.status.in_(list(from_statuses)))
        .values(**values, card_version=Idea.card_version + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def bump_card(session: Session, idea_id: int) -> None:
    session.execute(update(Idea).where(Idea.id == idea_id).values(card_version=Idea.card_version + 1))


def idea_by_card(session: Session, workspace_id: str, channel_id: str, ts: str) -> Idea | None:
    return session.scalars(
        select(Idea)
        .join(Team, Idea.team_id == Team.id)
        .where(Idea.workspace_id == workspace_id, Team.channel_id == channel_id, Idea.card_ts == ts)
    ).one_or_none()


def mark_card_synced(session: Session, idea_id: int, version: int) -> None:
    session.execute(
        update(Idea).where(Idea.id == idea_id, Idea.card_synced_version < version).values(card_synced_version=version)
    )


def cards_out_of_date(session: Session, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(Idea.id)
            .where(Idea.card_ts.is_not(None), Idea.card_synced_version < Idea.card_version)
            .order_by(Idea.id)
            .limit(limit)
        )
    )


def new_ideas_with_cards(session: Session, since: datetime, after_id: int, limit: int) -> list[Idea]:
    """Ideas still waiting for a decision whose cards may carry approvals we missed while down."""
    return list(
        session.scalars(
            select(Idea)
            .where(Idea.status == "new", Idea.card_ts.is_not(None), Idea.created_at >= since, Idea.id > after_id)
            .order_by(Idea.id)
            .limit(limit)
        )
    )


# --- leaders and supporters ----------------------------------------------------------------------------------


def team_leader_ids(session: Session, team_id: int) -> list[str]:
    return list(
        session.scalars(select(TeamLeader.user_id).where(TeamLeader.team_id == team_id).order_by(TeamLeader.added_at))
    )


def add_leaders(session: Session, team_id: int, user_ids: Sequence[str], added_by: str, now: datetime) -> list[str]:
    existing = set(team_leader_ids(session, team_id))
    added = [user for user in dict.fromkeys(user_ids) if user not in existing]
    for user in added:
        session.add(TeamLeader(team_id=team_id, user_id=user, added_by=added_by, added_at=now))
    return added


def remove_leaders(session: Session, team_id: int, user_ids: Sequence[str]) -> int:
    result = session.execute(
        delete(TeamLeader).where(TeamLeader.team_id == team_id, TeamLeader.user_id.in_(list(user_ids)))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def add_supporter(session: Session, idea_id: int, user_id: str, now: datetime) -> bool:
    try:
        with session.begin_nested():
            session.execute(insert(Supporter).values(idea_id=idea_id, user_id=user_id, at=now))
    except IntegrityError:
        return False
    return True


def remove_supporter(session: Session, idea_id: int, user_id: str) -> bool:
    result = session.execute(delete(Supporter).where(Supporter.idea_id == idea_id, Supporter.user_id == user_id))
    return result.rowcount == 1  # type: ignore[attr-defined]


def supporter_count(session: Session, idea_id: int) -> int:
    return int(session.execute(select(func.count()).where(Supporter.idea_id == idea_id)).scalar_one())


# --- claims: the inbox and the outbox share one way of taking work with a lease ------------------------------

Claimable = type[InboxEvent] | type[OutboxMessage]


def claim(session: Session, model: Claimable, row_id: int, token: str, now: datetime, until: datetime) -> bool:
    """Take a row to work on; false when it is done or another worker's lease still runs."""
    result = session.execute(
        update(model)
        .where(
            model.id == row_id,
            model.done_at.is_(None),
            or_(model.claim_until.is_(None), model.claim_until < now),
        )
        .values(claim=token, claim_until=until, attempts=model.attempts + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def finish(session: Session, model: Claimable, row_id: int, token: str, now: datetime, **values: Any) -> bool:
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.claim == token, model.done_at.is_(None))
        .values(done_at=now, claim=None, claim_until=None, **values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release(session: Session, model: Claimable, row_id: int, token: str, next_attempt_at: datetime, error: str) -> None:
    """Give a claim back so the row is tried again at `next_attempt_at`."""
    session.execute(
        update(model)
        .where(model.id == row_id, model.claim == token)
        .values(claim=None, claim_until=None, next_attempt_at=next_attempt_at, error=error[:100])
    )


def pending(session: Session, model: Claimable, now: datetime, limit: int) -> list[int]:
    """Rows not done, due, and not held by a live lease, oldest first."""
    return list(
        session.scalars(
            select(model.id)
            .where(
                model.done_at.is_(None),
                model.next_attempt_at <= now,
                or_(model.claim_until.is_(None), model.claim_until < now),
            )
            .order_by(model.id)
            .limit(limit)
        )
    )


def add_inbox_event(
    session: Session, event_id: str, workspace_id: str, event_type: str, payload: dict[str, Any], now: datetime
) -> int | None:
    """Store a delivery; None when this event_id is already stored (a retry or a duplicate)."""
    try:
        with session.begin_nested():
            row = InboxEvent(
                event_id=event_id,
                workspace_id=workspace_id,
                event_type=event_type,
                payload=payload,
                received_at=now,
                next_attempt_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row.id


def add_outbox(session: Session, message: OutboxMessage) -> int | None:
    """Queue a message; None when one with the same dedupe_key exists (it is sent once)."""
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message.id


def team_approve_emojis(session: Session) -> list[str]:
    return [
        e for e in session.scalars(select(Team.approve_emoji).where(Team.approve_emoji.is_not(None)).distinct()) if e
    ]


def redact_history_notes(session: Session, idea_id: int) -> None:
    """Notes in the history may quote the removed text (a reason, say): they go too; the events stay."""
    session.execute(update(IdeaEvent).where(IdeaEvent.idea_id == idea_id).values(note=None))


def replace_outbox_texts(
    session: Session, idea_id: int, kinds: Sequence[str], key_suffixes: Sequence[str], text: str
) -> list[OutboxMessage]:
    """Give an idea's messages of `kinds` whose dedupe key ends in one of `key_suffixes` a new text (sent or not);
    returns them."""
    messages = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.idea_id == idea_id,
                OutboxMessage.kind.in_(list(kinds)),
                or_(*(OutboxMessage.dedupe_key.endswith(suffix, autoescape=True) for suffix in key_suffixes)),
            )
            .order_by(OutboxMessage.id)
        )
    )
    for message in messages:
        message.text, message.blocks = text, None
    session.flush()
    return messages


def latest_status_source(session: Session, idea_id: int, to_status: str) -> str | None:
    return session.scalars(
        select(IdeaEvent.source)
        .where(IdeaEvent.idea_id == idea_id, IdeaEvent.kind == EventKind.STATUS, IdeaEvent.to_status == to_status)
        .order_by(IdeaEvent.at.desc(), IdeaEvent.id.desc())
        .limit(1)
    ).one_or_none()


def teams_of_workspace(session: Session, workspace_id: str, limit: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id).limit(limit)))
