"""Spreading what works in the store (`storage.models_spread.Spread`): a done idea offered to teams once each,
their answers written once (conditional writes: two people pressing at once make one copy), the suggestions posted
in those teams' channels and what they still need to show, and the links between an idea and its copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from storage.core import insert_skipping_taken, run
from storage.db import changed_rows
from storage.models import Idea, Team
from storage.models_spread import Spread, SpreadAnswer


def offer(
    session: Session, idea: Idea, team_ids: Sequence[int], by: str, now: datetime, *, suggested: bool
) -> list[Spread]:
    """Offer `idea` to each team of `team_ids` (its own team and teams it was offered to already are skipped):
    the rows newly written, in the order given; the idea marked as spread. `suggested`: a suggestion is to be
    posted in each team's channel (the Done form's "Where else could this help?")."""
    wanted = [team_id for team_id in dict.fromkeys(team_ids) if team_id != idea.team_id]
    if not wanted:
        return []
    statement = insert_skipping_taken(session.connection().dialect.name, Spread).returning(Spread.id)
    made: list[int] = []
    for team_id in wanted:
        row = {"idea_id": idea.id, "team_id": team_id, "offered_by": by, "offered_at": now, "suggested": suggested,
               "card_synced_version": 0}  # fmt: skip
        made += list(run(session, statement, row).scalars())
    if made:
        session.execute(
            update(Idea).where(Idea.id == idea.id, Idea.spread_at.is_(None)).values(spread_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    return list(session.scalars(select(Spread).where(Spread.id.in_(made)).order_by(Spread.id))) if made else []


def offered(session: Session, idea_id: int, team_id: int) -> Spread | None:
    """The idea's offer to the team, if it was offered there."""
    return session.scalars(select(Spread).where(Spread.idea_id == idea_id, Spread.team_id == team_id)).one_or_none()


def answer(
    session: Session, spread_id: int, how: SpreadAnswer, by: str, now: datetime, copy_id: int | None = None
) -> bool:
    """Write the team's answer once: "tried" (with the copy `copy_id`) when no copy was made yet (also after "not
    for us": someone there changed their mind), "not for us" only while unanswered. False when someone answered
    first."""
    open_to = Spread.copy_id.is_(None) if how is SpreadAnswer.TRIED else Spread.answer.is_(None)
    result = session.execute(
        update(Spread).where(Spread.id == spread_id, open_to)
        .values(answer=how, answered_by=by, answered_at=now, copy_id=copy_id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return changed_rows(result) == 1


def for_post(session: Session, idea_id: int, channel_id: str) -> tuple[Spread, Team] | None:
    """The idea's suggestion in `channel_id` and that channel's team: what an outbox message posts there."""
    row = session.execute(
        select(Spread, Team).join(Team, Team.id == Spread.team_id)
        .where(Spread.idea_id == idea_id, Team.channel_id == channel_id, Spread.suggested.is_(True))
    ).first()  # fmt: skip
    return None if row is None else (row[0], row[1])


def record_post(session: Session, spread_id: int, ts: str, version: int) -> None:
    """The suggestion is message `ts`, showing the idea at card_version `version`."""
    session.execute(
        update(Spread).where(Spread.id == spread_id).values(card_ts=ts, card_synced_version=version)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def mark_synced(session: Session, spread_id: int, version: int) -> None:
    """The suggestion shows the idea at card_version `version` (never moves back)."""
    session.execute(
        update(Spread).where(Spread.id == spread_id, Spread.card_synced_version < version)
        .values(card_synced_version=version).execution_options(synchronize_session=False)
    )  # fmt: skip


def suggestions_out_of_date(session: Session, limit: int) -> list[int]:
    """Ideas with a posted suggestion drawn before their latest change, in teams that are not paused."""
    return list(
        session.scalars(
            select(Spread.idea_id)
            .join(Idea, Idea.id == Spread.idea_id)
            .join(Team, Team.id == Spread.team_id)
            .where(
                Spread.card_ts.is_not(None), Spread.card_synced_version < Idea.card_version, Team.paused_at.is_(None)
            )
            .distinct()
            .order_by(Spread.idea_id)
            .limit(limit)
        )
    )


_COPY = aliased(Idea, name="copy_idea")


@dataclass(frozen=True)
class Offer:
    """One team an idea was offered to: the offer, the team, and the number and status of the copy tried there
    (None: not tried; the copy's id is `spread.copy_id`)."""

    spread: Spread
    team: Team
    copy_number: int | None
    copy_status: str | None


def offers(session: Session, idea_id: int) -> list[Offer]:
    """Every team the idea was offered to, in the order offered, with the copy each tried."""
    # The copy's columns, not the entity: an Idea loads its team with an inner join, which would drop the offers
    # with no copy from the outer join.
    rows = session.execute(
        select(Spread, Team, _COPY.number, _COPY.status).join(Team, Team.id == Spread.team_id)
        .outerjoin(_COPY, _COPY.id == Spread.copy_id)
        .where(Spread.idea_id == idea_id).order_by(Spread.id)
    ).all()  # fmt: skip
    return [Offer(spread, team, number, status) for spread, team, number, status in rows]


def spread_in(session: Session, spread_id: int, workspace_id: str) -> tuple[Spread, Idea, Team] | None:
    """Offer `spread_id` of an idea of `workspace_id`, with the idea and the team it was offered to."""
    row = session.execute(
        select(Spread, Idea, Team).join(Idea, Idea.id == Spread.idea_id).join(Team, Team.id == Spread.team_id)
        .where(Spread.id == spread_id, Idea.workspace_id == workspace_id)
    ).first()  # fmt: skip
    return None if row is None else (row[0], row[1], row[2])


def touching(session: Session, idea_id: int) -> list[int]:
    """The ideas linked to `idea_id` both ways: the original it was copied from and the copies of it."""
    idea = session.get(Idea, idea_id)
    if idea is None:
        return []
    found = set(session.scalars(select(Spread.copy_id).where(Spread.idea_id == idea_id, Spread.copy_id.is_not(None))))
    if idea.copied_from_id is not None:
        found.add(idea.copied_from_id)
    return sorted(i for i in found if i is not None)


def copies_with_text(session: Session, idea_id: int, fields: dict[str, str | None]) -> list[int]:
    """The copies of `idea_id` whose texts still read as `fields` (column → value): those still quoting it."""
    conditions = [
        (getattr(Idea, name) == value) if value is not None else getattr(Idea, name).is_(None)
        for name, value in fields.items()
    ]
    return list(session.scalars(select(Idea.id).where(Idea.copied_from_id == idea_id, *conditions).order_by(Idea.id)))


def card_links(session: Session, idea: Idea) -> tuple[tuple[int, str] | None, list[tuple[int, str]]]:
    """What the idea's cards name: the idea it was tried from (its number and team channel), and the copies other
    teams tried of it (number and channel each, in the order tried)."""
    original: tuple[int, str] | None = None
    if idea.copied_from_id is not None:
        row = session.execute(
            select(Idea.number, Team.channel_id)
            .join(Team, Team.id == Idea.team_id)
            .where(Idea.id == idea.copied_from_id)
        ).first()  # fmt: skip
        original = None if row is None else (row[0], row[1])
    copies: list[tuple[int, str]] = []
    if idea.spread_at is not None:
        rows = session.execute(
            select(_COPY.number, Team.channel_id).join(Spread, Spread.copy_id == _COPY.id)
            .join(Team, Team.id == _COPY.team_id)
            .where(Spread.idea_id == idea.id)
            .order_by(Spread.answered_at, Spread.id)
        ).all()  # fmt: skip
        copies = [(row[0], row[1]) for row in rows]
    return original, copies


def hold_idea(session: Session, idea_id: int) -> Idea | None:
    """The idea as it is now, its row locked until the transaction ends (PostgreSQL's FOR UPDATE; SQLite has one
    writer at a time anyway): a change to it waits, or has been made."""
    return session.scalars(
        select(Idea).where(Idea.id == idea_id).with_for_update(of=Idea).execution_options(populate_existing=True)
    ).one_or_none()
