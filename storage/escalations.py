"""Escalation hops in the store (`storage.models_tiers.Escalation`): the open hop of an idea (who decides it now),
hops opened and ended with conditional writes (two leaders at once make one change), the upper cards and what they
still need to show, and the ideas a team has escalated or been sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storage.db import changed_rows
from storage.models import Idea, IdeaStatus, Team
from storage.models_tiers import Escalation, HopEnd


def open_hop(session: Session, idea_id: int) -> Escalation | None:
    """The idea's open hop (it is with the upper team), or None."""
    return session.scalars(
        select(Escalation).where(Escalation.idea_id == idea_id, Escalation.ended_at.is_(None))
    ).one_or_none()


def hops(session: Session, idea_id: int) -> list[Escalation]:
    """Every hop of the idea, oldest first."""
    return list(session.scalars(select(Escalation).where(Escalation.idea_id == idea_id).order_by(Escalation.id)))


def deciding_team(session: Session, idea: Idea) -> Team:
    """The team that decides the idea now: the upper team of its open hop, else its own."""
    hop = open_hop(session, idea.id)
    if hop is None:
        return idea.team
    team = session.get(Team, hop.to_team_id)
    assert team is not None
    return team


def add_hop(
    session: Session, idea: Idea, from_team: Team, to_team: Team, reason: str, by: str, now: datetime
) -> Escalation | None:
    """Open a hop of `idea` from `from_team` to `to_team`; None when the idea has an open hop already (another
    leader's escalation got there first: the partial unique index says so, in a savepoint)."""
    hop = Escalation(
        idea_id=idea.id, from_team_id=from_team.id, to_team_id=to_team.id, reason=reason, escalated_by=by,
        escalated_at=now, card_synced_version=0,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(hop)
            session.flush()
    except IntegrityError:
        return None
    return hop


def end_hop(session: Session, hop_id: int, how: str, by: str, note: str | None, now: datetime) -> bool:
    """End the open hop `hop_id` (`how` a HopEnd); false when it has ended already (someone got there first)."""
    result = session.execute(
        update(Escalation)
        .where(Escalation.id == hop_id, Escalation.ended_at.is_(None))
        .values(ended_at=now, ended_by=by, ended_how=how, end_note=note)
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result) == 1


def reopen_passed_up(session: Session, idea_id: int, ended_hop_id: int) -> bool:
    """After hop `ended_hop_id` was sent back: the hop below it, which was passed up into it, is open again (the
    idea is one tier lower, with the team that sent it up). False when there is none (it came from the idea's own
    team)."""
    ended = session.get(Escalation, ended_hop_id, populate_existing=True)
    if ended is None:
        return False
    below = session.scalars(
        select(Escalation.id)
        .where(
            Escalation.idea_id == idea_id,
            Escalation.to_team_id == ended.from_team_id,
            Escalation.ended_how == HopEnd.PASSED_UP,
            Escalation.id < ended_hop_id,
        )
        .order_by(Escalation.id.desc())
        .limit(1)
    ).first()
    if below is None:
        return False
    session.execute(
        update(Escalation)
        .where(Escalation.id == below)
        .values(ended_at=None, ended_by=None, ended_how=None, end_note=None)
        .execution_options(synchronize_session=False)
    )
    return True


def idea_id_by_hop_card(session: Session, workspace_id: str, channel_id: str, ts: str) -> int | None:
    """The idea whose upper card is message `ts` in `channel_id`, among the workspace's ideas, or None."""
    return session.scalars(
        select(Escalation.idea_id)
        .join(Team, Team.id == Escalation.to_team_id)
        .join(Idea, Idea.id == Escalation.idea_id)
        .where(Escalation.card_ts == ts, Team.channel_id == channel_id, Idea.workspace_id == workspace_id)
    ).first()


def hop_for_card_post(session: Session, idea_id: int, channel_id: str) -> Escalation | None:
    """The newest hop of the idea into `channel_id`: the one whose card an outbox message posts there."""
    return session.scalars(
        select(Escalation)
        .join(Team, Team.id == Escalation.to_team_id)
        .where(Escalation.idea_id == idea_id, Team.channel_id == channel_id)
        .order_by(Escalation.id.desc())
        .limit(1)
    ).one_or_none()


def record_hop_card(session: Session, hop_id: int, ts: str, version: int) -> None:
    """The hop's upper card is message `ts`, showing the idea at card_version `version`."""
    session.execute(
        update(Escalation)
        .where(Escalation.id == hop_id)
        .values(card_ts=ts, card_synced_version=version)
        .execution_options(synchronize_session=False)
    )


def mark_hop_synced(session: Session, hop_id: int, version: int) -> None:
    """The hop's upper card shows the idea at card_version `version` (never moves back)."""
    session.execute(
        update(Escalation)
        .where(Escalation.id == hop_id, Escalation.card_synced_version < version)
        .values(card_synced_version=version)
        .execution_options(synchronize_session=False)
    )


def hop_cards_out_of_date(session: Session, limit: int) -> list[int]:
    """Ideas with an upper card drawn before their latest change, in upper teams that are not paused."""
    return list(
        session.scalars(
            select(Escalation.idea_id)
            .join(Idea, Idea.id == Escalation.idea_id)
            .join(Team, Team.id == Escalation.to_team_id)
            .where(
                Escalation.card_ts.is_not(None),
                Escalation.card_synced_version < Idea.card_version,
                Team.paused_at.is_(None),
            )
            .distinct()
            .order_by(Escalation.idea_id)
            .limit(limit)
        )
    )


# The teams at a hop's two ends, aliased once (a new alias per call would be a new statement to compile and cache).
_SOURCE = aliased(Team, name="source_team")
_HOLDER = aliased(Team, name="holder_team")


@dataclass(frozen=True)
class WaitingHop:
    """An idea waiting for a decision with an open hop: the hop, and the channels of the team it came from and of
    the team holding it."""

    idea: Idea
    hop: Escalation
    from_channel: str
    holder_channel: str


def waiting_hops(session: Session, team_id: int) -> list[WaitingHop]:
    """In one query, the ideas waiting for a decision with an open hop that the team holds (escalated to it) or that
    are its own (a team above holds them), oldest escalation first."""
    rows = session.execute(
        select(Idea, Escalation, _SOURCE.channel_id, _HOLDER.channel_id)
        .join(Escalation, Escalation.idea_id == Idea.id)
        .join(_SOURCE, _SOURCE.id == Escalation.from_team_id)
        .join(_HOLDER, _HOLDER.id == Escalation.to_team_id)
        .where(
            # From the open hops, few at any time, to their ideas by id: the OR alone would read every idea first.
            Idea.id.in_(select(Escalation.idea_id).where(Escalation.ended_at.is_(None)).scalar_subquery()),
            or_(Escalation.to_team_id == team_id, Idea.team_id == team_id),
            Escalation.ended_at.is_(None),
            Idea.status == IdeaStatus.NEW,
        )
        .order_by(Escalation.escalated_at, Idea.id)
    ).all()
    return [WaitingHop(row[0], row[1], row[2], row[3]) for row in rows]


def card_views(session: Session, idea: Idea) -> tuple[list[Escalation], dict[int, Team]]:
    """What drawing the idea's cards needs to know of its tiers: its hops, oldest first, and every team they name
    (with the idea's own), by id. No hops (and only its own team) for an idea never escalated."""
    teams = {idea.team_id: idea.team}
    if idea.escalated_at is None:
        return [], teams
    found = hops(session, idea.id)
    ids = {hop.from_team_id for hop in found} | {hop.to_team_id for hop in found}
    for team in session.scalars(select(Team).where(Team.id.in_(ids - teams.keys()))):
        teams[team.id] = team
    return found, teams


def remove_words(session: Session, idea_id: int, marker: str) -> None:
    """Replace the reasons of the idea's hops with `marker` and drop the notes they were sent back with (a redaction
    or retention removing the idea's words: the reasons may quote them). The hops themselves stay."""
    session.execute(
        update(Escalation)
        .where(Escalation.idea_id == idea_id)
        .values(reason=marker, end_note=None)
        .execution_options(synchronize_session=False)
    )
