"""Queries on the store. Plain functions taking a Session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import EventKind, Idea, IdeaEvent, Team, Workspace


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


# --- the card in the channel -------------------------------------------------------------------------------


def claim_card(session: Session, idea_id: int, claim: str, now: datetime, until: datetime) -> bool:
    """Take the right to post this idea's card; false when it is posted or another claim's lease still runs."""
    result = session.execute(
        update(Idea)
        .where(
            Idea.id == idea_id,
            Idea.card_ts.is_(None),
            or_(Idea.card_claim_until.is_(None), Idea.card_claim_until < now),
        )
        .values(card_claim=claim, card_claim_until=until, card_attempts=Idea.card_attempts + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def record_card(session: Session, idea_id: int, claim: str, ts: str) -> bool:
    result = session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.card_claim == claim, Idea.card_ts.is_(None))
        .values(card_ts=ts, card_claim=None, card_claim_until=None, card_next_attempt_at=None, card_error=None)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_card(session: Session, idea_id: int, claim: str, next_attempt_at: datetime, error: str) -> None:
    """Give a claim back after Slack said no, so the sweep tries again at `next_attempt_at`."""
    session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.card_claim == claim)
        .values(card_claim=None, card_claim_until=None, card_next_attempt_at=next_attempt_at, card_error=error[:100])
    )


def ideas_needing_card(session: Session, now: datetime, limit: int) -> list[int]:
    """Ideas whose card is not posted, not claimed by a live lease, and due for another try."""
    return list(
        session.scalars(
            select(Idea.id)
            .where(
                Idea.card_ts.is_(None),
                or_(Idea.card_next_attempt_at.is_(None), Idea.card_next_attempt_at <= now),
                or_(Idea.card_claim_until.is_(None), Idea.card_claim_until < now),
            )
            .order_by(Idea.id)
            .limit(limit)
        )
    )
