"""Ideas for export: one flat row per idea, read in pages so that a store of any size streams in bounded memory.

Rows come in workspace order, then by idea number. Each page is a keyset query on (workspace_id, number), which
the unique index on those columns serves directly: no OFFSET, so the last page costs what the first does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, case, select, tuple_
from sqlalchemy.orm import Session

from storage.models import Idea, Team


@dataclass(frozen=True)
class ExportRow:
    """One idea as exported. Field names are the export's column names; times are aware UTC."""

    id: int  # the idea's number in its workspace (shown #42), not the row's primary key
    team: str  # the team's channel id
    status: str
    problem: str
    idea: str | None
    benefit: str | None
    category: str | None
    author: str | None  # None when the idea is anonymous: the author's id never leaves the database
    created: datetime
    decided: datetime | None
    done: datetime | None
    decided_by: str | None
    outcome: str | None
    result: str | None
    learned: str | None
    credited: str | None  # a walk-up visitor's name as typed (bot.credit); None for everyone else


_QUERY = (
    select(
        Idea.workspace_id,
        Idea.number,
        Team.channel_id,
        Idea.status,
        Idea.problem,
        Idea.idea,
        Idea.benefit,
        Idea.category,
        # Chosen in SQL so an anonymous author is never fetched; anything but a plain "not anonymous" hides it.
        case((Idea.anonymous.is_(False), Idea.author_id), else_=None).label("author"),
        Idea.created_at,
        Idea.decided_at,
        Idea.done_at,
        Idea.decided_by,
        Idea.outcome,
        Idea.result,
        Idea.learned,
        Idea.credited_name,
    )
    .join(Team, Idea.team_id == Team.id)
    .order_by(Idea.workspace_id, Idea.number)
)


def _export_row(row: Row[tuple[object, ...]]) -> ExportRow:
    return ExportRow(
        id=row.number,
        team=row.channel_id,
        status=row.status,
        problem=row.problem,
        idea=row.idea,
        benefit=row.benefit,
        category=row.category,
        author=row.author,
        created=row.created_at,
        decided=row.decided_at,
        done=row.done_at,
        decided_by=row.decided_by,
        outcome=row.outcome,
        result=row.result,
        credited=row.credited_name,
        learned=row.learned,
    )


def export_rows(
    session: Session, *, workspace_id: str | None = None, channel_id: str | None = None, batch: int = 500
) -> Iterator[ExportRow]:
    """Every idea, or those of one workspace and/or one team channel, ordered by workspace then number.

    Lazy: a page of `batch` rows is fetched only when the previous one is used up, so consume the iterator inside
    the caller's transaction (`with db.read() as session: ...`), which also gives every page the same snapshot.
    Plain column rows, not ORM objects, so the session's identity map does not grow with the export.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    query = _QUERY.limit(batch)
    if workspace_id is not None:
        query = query.where(Idea.workspace_id == workspace_id)
    if channel_id is not None:
        query = query.where(Team.channel_id == channel_id)
    after: tuple[str, int] | None = None
    while True:
        page = query if after is None else query.where(tuple_(Idea.workspace_id, Idea.number) > tuple_(*after))
        rows = session.execute(page).all()
        for row in rows:
            yield _export_row(row)
        if len(rows) < batch:
            return
        after = (rows[-1].workspace_id, rows[-1].number)
