"""Queries on the store: workspaces, teams and their leaders, ideas, their history, cards and supporters, and queuing
a message in the transaction of the change it tells of (`add_outbox`). Plain functions taking a Session; the caller
owns the transaction. The delivery workers' queries (claims, what is due, paused teams' held posts) are
`storage.delivery`."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Integer, bindparam, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from storage.core import insert_skipping_taken, run
from storage.db import changed_rows
from storage.models import (
    BOT_NOTE_EVENTS,
    PAUSED_REASON_CHARS,
    EventKind,
    Idea,
    IdeaEvent,
    OutboxMessage,
    Supporter,
    Team,
    TeamLeader,
    Workspace,
)

# Queries run for every request the bot answers (an idea raised, a reaction on a card) are built once, with bound
# parameters, and the writes among them run as Core statements (`storage.core.run`): see there.


def ensure_workspace(session: Session, workspace_id: str, now: datetime) -> None:
    """Create the workspace's row (`workspace_id`: T… or E…) unless it exists; safe when another transaction creates
    it at the same time."""
    if session.get(Workspace, workspace_id) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(insert(Workspace).values(id=workspace_id, last_idea_number=0, created_at=now))
    except IntegrityError:
        pass  # another transaction created it first; that is all we wanted


_TEAM_OF_CHANNEL = select(Team).where(Team.channel_id == bindparam("channel_id"))


def team_of_channel(session: Session, channel_id: str) -> Team | None:
    """The team a channel is (a channel is one team, whichever workspace asks), or None."""
    return session.scalars(_TEAM_OF_CHANNEL, {"channel_id": channel_id}).one_or_none()


def ensure_team(session: Session, workspace_id: str, channel_id: str, name: str, now: datetime) -> Team:
    """The channel's team; created under `workspace_id` when the channel is not a team yet. A channel that is
    already a team stays filed under the workspace that set it up, whatever `workspace_id` says (Slack Connect)."""
    team = team_of_channel(session, channel_id)
    if team is not None:
        if name and team.name != name:
            team.name = name
        return team
    ensure_workspace(session, workspace_id, now)
    try:
        with session.begin_nested():
            team = Team(workspace_id=workspace_id, channel_id=channel_id, name=name, created_at=now)
            session.add(team)
    except IntegrityError:
        team = team_of_channel(session, channel_id)
        assert team is not None
    return team


_ALLOCATE_IDEA_NUMBER = (
    update(Workspace)
    .where(Workspace.id == bindparam("workspace_id"))
    .values(last_idea_number=Workspace.last_idea_number + 1)
    .returning(Workspace.last_idea_number)
)


def allocate_idea_number(session: Session, workspace_id: str) -> int:
    """The next number in this workspace. The row lock taken by the UPDATE serialises concurrent raisers."""
    return int(run(session, _ALLOCATE_IDEA_NUMBER, {"workspace_id": workspace_id}).scalar_one())


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
    """Add an event to the idea's history (see `IdeaEvent`); flushed with the session, not here."""
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
    """The idea made from message `ts` in `channel_id` (a reply turned into an idea), or None."""
    return session.scalars(
        select(Idea).where(Idea.workspace_id == workspace_id, Idea.source_channel == channel_id, Idea.source_ts == ts)
    ).one_or_none()


def idea_by_number(session: Session, workspace_id: str, number: int) -> Idea | None:
    """The workspace's idea #`number`, or None."""
    return session.scalars(select(Idea).where(Idea.workspace_id == workspace_id, Idea.number == number)).one_or_none()


_IDEA_BY_ID = select(Idea).where(Idea.id == bindparam("idea_id"))


def idea_by_id(session: Session, idea_id: int) -> Idea | None:
    """The idea with this id (its team loaded with it), or None."""
    return session.scalars(_IDEA_BY_ID, {"idea_id": idea_id}).one_or_none()


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
    """How many ideas the team has in each status ({status: count}; statuses without any left out)."""
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
    """The idea's history, oldest first."""
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
    return changed_rows(result) == 1


_BUMP_CARD = (
    update(Idea)
    .where(Idea.id == bindparam("idea_id"))
    .values(card_version=Idea.card_version + 1)
    .returning(Idea.card_version)
)


def bump_card(session: Session, idea_id: int) -> int | None:
    """Mark the idea's card out of date, so that it is drawn again (a change not made by `change_idea`); returns
    its card_version now, None when there is no such idea. Flushes nothing: a change made to a loaded idea object
    is written when the session flushes, as ever."""
    version = run(session, _BUMP_CARD, {"idea_id": idea_id}).scalar_one_or_none()
    return None if version is None else int(version)


_IDEA_BY_CARD = (
    select(Idea)
    .join(Idea.team)
    .options(contains_eager(Idea.team))  # the team from the join the query makes anyway, not a second one
    .where(
        Idea.workspace_id == bindparam("workspace_id"),
        Team.channel_id == bindparam("channel_id"),
        Idea.card_ts == bindparam("ts"),
    )
)


def idea_by_card(session: Session, workspace_id: str, channel_id: str, ts: str) -> Idea | None:
    """The idea whose card is message `ts` in `channel_id`, among the workspace's ideas, or None."""
    params = {"workspace_id": workspace_id, "channel_id": channel_id, "ts": ts}
    return session.scalars(_IDEA_BY_CARD, params).one_or_none()


_MARK_CARD_SYNCED = (
    update(Idea)
    .where(Idea.id == bindparam("idea_id"), Idea.card_synced_version < bindparam("version"))
    .values(card_synced_version=bindparam("version"))
)


def mark_card_synced(session: Session, idea_id: int, version: int) -> None:
    """Record that the card shows the idea at `version` (never moves back)."""
    run(session, _MARK_CARD_SYNCED, {"idea_id": idea_id, "version": version})


_CARD_POSTED = (
    update(Idea)
    .where(Idea.id == bindparam("idea_id"))
    .values(
        card_ts=bindparam("ts"),
        card_synced_version=case(
            (Idea.card_synced_version < bindparam("version", type_=Integer), bindparam("version", type_=Integer)),
            else_=Idea.card_synced_version,
        ),
    )
    .returning(Idea.card_version, Idea.card_synced_version)
)


def record_card_posted(session: Session, idea_id: int, ts: str, version: int) -> bool | None:
    """Record the ts of the idea's posted card, which shows the idea at card_version `version` (the synced version
    never moves back). Returns whether the card is up to date (no change since `version`); None when there is no
    such idea."""
    row = run(session, _CARD_POSTED, {"idea_id": idea_id, "ts": ts, "version": version}).one_or_none()
    return None if row is None else row.card_synced_version >= row.card_version


def cards_out_of_date(session: Session, limit: int) -> list[int]:
    """Posted cards whose idea changed since they were drawn, in teams that are not paused (a paused team's
    channel cannot take an update; its cards catch up when it is un-paused)."""
    return list(
        session.scalars(
            select(Idea.id)
            .join(Team, Idea.team_id == Team.id)
            .where(Idea.card_ts.is_not(None), Idea.card_synced_version < Idea.card_version, Team.paused_at.is_(None))
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
    """The team's leaders' user IDs, in the order they were added."""
    return list(
        session.scalars(select(TeamLeader.user_id).where(TeamLeader.team_id == team_id).order_by(TeamLeader.added_at))
    )


def add_leaders(session: Session, team_id: int, user_ids: Sequence[str], added_by: str, now: datetime) -> list[str]:
    """Make the people in `user_ids` leaders of the team; returns those who were not already, in the order given."""
    existing = set(team_leader_ids(session, team_id))
    added = [user for user in dict.fromkeys(user_ids) if user not in existing]
    for user in added:
        session.add(TeamLeader(team_id=team_id, user_id=user, added_by=added_by, added_at=now))
    return added


def remove_leaders(session: Session, team_id: int, user_ids: Sequence[str]) -> int:
    """Take the people in `user_ids` off the team's leaders; returns how many were leaders."""
    result = session.execute(
        delete(TeamLeader).where(TeamLeader.team_id == team_id, TeamLeader.user_id.in_(list(user_ids)))
    )
    return changed_rows(result)


_REMOVE_SUPPORTER = delete(Supporter).where(
    Supporter.idea_id == bindparam("idea_id"), Supporter.user_id == bindparam("user_id")
)
_SUPPORTER_COUNT = select(func.count()).where(Supporter.idea_id == bindparam("idea_id"))


@functools.cache
def _add_supporter(dialect: str) -> Insert:
    # Counted only for an idea that is still there (an idea undone meanwhile is no error), once per person.
    row = select(
        bindparam("idea_id", type_=Supporter.idea_id.type),
        bindparam("user_id", type_=Supporter.user_id.type),
        bindparam("at", type_=Supporter.at.type),
    ).where(exists().where(Idea.id == bindparam("idea_id")))
    # RETURNING, not rowcount, says whether it was counted: PostgreSQL's driver gives no rowcount for INSERT … SELECT.
    counted = insert_skipping_taken(dialect, Supporter).from_select(["idea_id", "user_id", "at"], row)
    return counted.returning(Supporter.idea_id)


def add_supporter(session: Session, idea_id: int, user_id: str, now: datetime) -> bool:
    """Count a person's support for an idea; false when it was counted already (or the idea is gone)."""
    statement = _add_supporter(session.connection().dialect.name)
    return run(session, statement, {"idea_id": idea_id, "user_id": user_id, "at": now}).first() is not None


def remove_supporter(session: Session, idea_id: int, user_id: str) -> bool:
    """Take back a person's support; false when it was not counted."""
    return run(session, _REMOVE_SUPPORTER, {"idea_id": idea_id, "user_id": user_id}).rowcount == 1


def supporter_count(session: Session, idea_id: int) -> int:
    """How many people support the idea."""
    return int(run(session, _SUPPORTER_COUNT, {"idea_id": idea_id}).scalar_one())


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
    """Every approve emoji some team set for itself (names without colons, no repeats)."""
    return [
        e for e in session.scalars(select(Team.approve_emoji).where(Team.approve_emoji.is_not(None)).distinct()) if e
    ]


def redact_history_notes(session: Session, idea_id: int) -> None:
    """Notes in the history may quote the removed text (a reason, say): they go too (not the bot's own,
    BOT_NOTE_EVENTS); the events stay."""
    written = IdeaEvent.kind.not_in(BOT_NOTE_EVENTS)
    session.execute(update(IdeaEvent).where(IdeaEvent.idea_id == idea_id, written).values(note=None))


def latest_status_source(session: Session, idea_id: int, to_status: str) -> str | None:
    """Where the idea's latest move to `to_status` came from (a `Source`), or None when it never moved there."""
    return session.scalars(
        select(IdeaEvent.source)
        .where(IdeaEvent.idea_id == idea_id, IdeaEvent.kind == EventKind.STATUS, IdeaEvent.to_status == to_status)
        .order_by(IdeaEvent.at.desc(), IdeaEvent.id.desc())
        .limit(1)
    ).one_or_none()


def teams_of_workspace(session: Session, workspace_id: str, limit: int) -> list[Team]:
    """Up to `limit` of the workspace's teams, in the order they were set up."""
    return list(session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id).limit(limit)))


# --- paused teams: Slack said the channel can take no posts (archived, deleted, Kaizen removed) ---------------


def pause_team(session: Session, team_id: int, reason: str, now: datetime) -> bool:
    """Pause a team whose channel Slack refuses posts to; `reason` is Slack's error name. A conditional update:
    true only for the one caller, in any process, that paused it (a paused team stays paused as it was)."""
    result = session.execute(
        update(Team)
        .where(Team.id == team_id, Team.paused_at.is_(None))
        .values(paused_at=now, paused_reason=reason[:PAUSED_REASON_CHARS])
    )
    return changed_rows(result) == 1


def unpause_team(session: Session, team_id: int) -> bool:
    """End a team's pause; true only for the one caller that ended it."""
    result = session.execute(
        update(Team).where(Team.id == team_id, Team.paused_at.is_not(None)).values(paused_at=None, paused_reason=None)
    )
    return changed_rows(result) == 1
