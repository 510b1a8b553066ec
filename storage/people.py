"""Where the store holds a person's Slack user id, found by reading every text and JSON column of every table (so a
table added later is found too): for a subject access export and for erasure (product page, Privacy).

An id counts as held where it stands as a whole word: `U_ALICE` in "U_ALICE", '["U_ALICE"]' or "<@U_ALICE>", not
inside "U_ALICE2". The one place erasure leaves it is slack_sdk's record of who installed the app
(INSTALLATION_TABLES): Slack's OAuth needs it to keep the install. Tokens, secrets and response URLs are never
exported, as columns or as keys inside JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Delete, MetaData, String, Table, Text, cast, delete, inspect, or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Base,
    EventKind,
    Idea,
    IdeaEvent,
    InboxEvent,
    OutboxKind,
    OutboxMessage,
    Source,
    Team,
    TeamLeader,
    Workspace,
)
from storage.models_privacy import ErasureRequest

# slack_sdk's installation records (storage/migrations 0002), not in our models' metadata.
INSTALLATION_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")
# A webhook URL lets anyone post; a response_url lets anyone answer in the person's name for 30 minutes.
_SECRET = re.compile(r"token|secret|webhook|response_url", re.IGNORECASE)
_TO_ONE_PERSON = (OutboxKind.DM, OutboxKind.EPHEMERAL)


def id_pattern(user_id: str) -> re.Pattern[str]:
    """`user_id` as a whole word: not next to a letter, digit or underscore (Slack ids are A-Z0-9; test ids and
    pseudonyms use `_`)."""
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(user_id)}(?![A-Za-z0-9_])")


@dataclass(frozen=True)
class Found:
    """A row that holds the id: its table, its primary key values (in the key's column order), the columns that
    hold the id, and the whole row as stored."""

    table: str
    key: tuple[Any, ...]
    columns: tuple[str, ...]
    row: dict[str, Any]


def _installation_tables(session: Session) -> Iterator[Table]:
    present = set(inspect(session.connection()).get_table_names())
    metadata = MetaData()
    for name in INSTALLATION_TABLES:
        if name in present:
            yield Table(name, metadata, autoload_with=session.connection())


def _textual(table: Table) -> list[str]:
    return [column.name for column in table.columns if isinstance(column.type, String | Text | JSON)]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def find(session: Session, user_id: str, *, include_installations: bool = False) -> list[Found]:
    """Every row, of every table with a text or JSON column, that holds `user_id` as a whole word; slack_sdk's
    installation tables too when `include_installations`. One query per table (a LIKE per column), each candidate
    then checked word by word. Raises ValueError for a blank id."""
    if not user_id.strip():
        raise ValueError("no user id to look for")
    word = id_pattern(user_id)
    tables = [table for table in Base.metadata.sorted_tables if table.name not in INSTALLATION_TABLES]
    if include_installations:
        tables += list(_installation_tables(session))
    found: list[Found] = []
    for table in tables:
        columns = _textual(table)
        if not columns:
            continue
        likes = [cast(table.c[name], Text).contains(user_id, autoescape=True) for name in columns]
        for row in session.execute(select(table).where(or_(*likes))).mappings():
            holding = tuple(name for name in columns if word.search(_as_text(row[name])))
            if holding:
                key = tuple(row[column.name] for column in table.primary_key.columns)
                found.append(Found(table.name, key, holding, dict(row)))
    return found


def _without_secrets(value: Any) -> Any:
    """JSON data without any key that names a credential, at any depth (Slack's envelope carries its verification
    `token`; an interaction its `response_url`)."""
    if isinstance(value, dict):
        return {key: _without_secrets(item) for key, item in value.items() if not _SECRET.search(str(key))}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def exportable(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON-ready values (times and dates in ISO 8601), without any column, or key inside a JSON value,
    that names a token, a secret, a webhook or a response URL."""
    return {
        name: value.isoformat() if isinstance(value, datetime | date) else _without_secrets(value)
        for name, value in row.items()
        if not _SECRET.search(name)
    }


def _replaced(value: Any, word: re.Pattern[str], pseudonym: str, mention: re.Pattern[str] | None = None) -> Any:
    """`value` (a text, or JSON data) with the id replaced by `pseudonym`; with `mention`, a mention of it first
    becomes a plain-name token (`<name:former_7>`): a message not sent yet says "former colleague #7", where
    `<@former_7>` would show raw in Slack."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if mention is not None:
        text = mention.sub(f"<name:{pseudonym}>", text)
    text = word.sub(pseudonym, text)
    return text if isinstance(value, str) else json.loads(text)


@dataclass(frozen=True)
class Erased:
    """What erasing an id changed: how many rows per "table.column" now hold the pseudonym, how many rows per table
    went (and "workspaces.leaders" lists left), and the ideas whose cards may show the person (their card_version
    was bumped, so the cards are drawn again)."""

    replaced: dict[str, int]
    deleted: dict[str, int]
    idea_ids: tuple[int, ...]

    @property
    def anything(self) -> bool:
        """Whether the id was held anywhere (but the installation record)."""
        return bool(self.replaced or self.deleted)


def _delete(session: Session, statement: Delete) -> int:
    return max(int(getattr(session.execute(statement), "rowcount", 0) or 0), 0)


def erase(session: Session, user_id: str, pseudonym: str) -> Erased:
    """Replace `user_id` with `pseudonym` in every text and JSON column of every table but slack_sdk's
    installation record, in the caller's transaction. What must go rather than be renamed goes first: the person's
    leader roles (a team's leader rows, a workspace's leader list), DMs and private notes to them, and Slack's
    deliveries that name them once applied (a delivery still waiting keeps the pseudonym). Raises ValueError for a
    blank id."""
    word = id_pattern(user_id)
    mention = re.compile(rf"<@{re.escape(user_id)}(\|[^<>]*)?>")  # Slack's mention, with or without a label
    deleted: dict[str, int] = {}

    def gone(table: str, rows: int) -> None:
        if rows:
            deleted[table] = deleted.get(table, 0) + rows

    gone("team_leaders", _delete(session, delete(TeamLeader).where(TeamLeader.user_id == user_id)))
    for workspace in session.scalars(select(Workspace)):
        if user_id in (workspace.leaders or []):
            workspace.leaders = [leader for leader in workspace.leaders if leader != user_id]
            gone("workspaces.leaders", 1)
    session.flush()
    to_them = delete(OutboxMessage).where(OutboxMessage.user_id == user_id, OutboxMessage.kind.in_(_TO_ONE_PERSON))
    gone("outbox", _delete(session, to_them))
    found = find(session, user_id)
    applied = [item.key[0] for item in found if item.table == InboxEvent.__tablename__ and item.row["done_at"]]
    if applied:
        gone("inbox_events", _delete(session, delete(InboxEvent).where(InboxEvent.id.in_(applied))))
    replaced: dict[str, int] = {}
    idea_ids: set[int] = set()
    for item in found:
        if item.table == InboxEvent.__tablename__ and item.key[0] in applied:
            continue
        table = Base.metadata.tables[item.table]
        said = mention if item.table == OutboxMessage.__tablename__ else None
        values = {name: _replaced(item.row[name], word, pseudonym, said) for name in item.columns}
        where = [column == value for column, value in zip(table.primary_key.columns, item.key, strict=True)]
        session.execute(update(table).where(*where).values(**values))
        for name in item.columns:
            replaced[f"{item.table}.{name}"] = replaced.get(f"{item.table}.{name}", 0) + 1
        if item.table == Idea.__tablename__:
            idea_ids.add(int(item.key[0]))
        elif "idea_id" in item.row and item.row["idea_id"] is not None and item.table != OutboxMessage.__tablename__:
            idea_ids.add(int(item.row["idea_id"]))
    if idea_ids:
        session.execute(update(Idea).where(Idea.id.in_(idea_ids)).values(card_version=Idea.card_version + 1))
    session.flush()
    return Erased(replaced=replaced, deleted=deleted, idea_ids=tuple(sorted(idea_ids)))


def edited_by_others(session: Session, idea_id: int, user_id: str) -> bool:
    """Whether anyone but `user_id` edited the idea's text (an EDITED event in its history by someone else)."""
    others = select(IdeaEvent.id).where(
        IdeaEvent.idea_id == idea_id, IdeaEvent.kind == EventKind.EDITED, IdeaEvent.actor_id != user_id
    )
    return session.scalars(others.limit(1)).first() is not None


def raised_from_a_message(session: Session, idea_id: int) -> bool:
    """Whether the idea was raised from a message with the message shortcut: its text is that message's, which
    may be someone else's words (a :bulb: idea's text is its author's own reply)."""
    created = select(IdeaEvent.source).where(IdeaEvent.idea_id == idea_id, IdeaEvent.kind == EventKind.CREATED)
    return session.scalars(created.limit(1)).first() == Source.SHORTCUT


def team_names(session: Session) -> dict[int, str]:
    """Every team's name (its channel id while it has none), by team id."""
    return {row.id: row.name or row.channel_id for row in session.execute(select(Team.id, Team.name, Team.channel_id))}


def ideas_by_id(session: Session, idea_ids: Iterable[int]) -> dict[int, Idea]:
    """The ideas of `idea_ids` that exist, by id."""
    wanted = sorted(set(idea_ids))
    if not wanted:
        return {}
    return {idea.id: idea for idea in session.scalars(select(Idea).where(Idea.id.in_(wanted)))}


# --- requests to be forgotten ----------------------------------------------------------------------------------


def open_requests(session: Session, user_id: str | None = None) -> list[ErasureRequest]:
    """Requests not yet carried out (of `user_id` only, when given), oldest first."""
    query = select(ErasureRequest).where(ErasureRequest.carried_out_at.is_(None))
    if user_id is not None:
        query = query.where(ErasureRequest.user_id == user_id)
    return list(session.scalars(query.order_by(ErasureRequest.id)))


def file_request(
    session: Session, workspace_id: str, user_id: str, delete_text: bool, now: datetime
) -> tuple[ErasureRequest, bool]:
    """The person's open request, filed now if they have none (true when new); asking again to delete their text
    too adds that to the open one."""
    for request in open_requests(session, user_id):
        request.delete_text = request.delete_text or delete_text
        session.flush()
        return request, False
    request = ErasureRequest(workspace_id=workspace_id, user_id=user_id, delete_text=delete_text, requested_at=now)
    session.add(request)
    session.flush()
    return request, True


def ideas_raised_by(session: Session, user_id: str) -> list[Idea]:
    """The ideas `user_id` raised (anonymous ones too), in id order."""
    return list(session.scalars(select(Idea).where(Idea.author_id == user_id).order_by(Idea.id)))


def leader_groups(session: Session) -> list[str]:
    """The Slack user groups whose members lead every team of a workspace (workspaces' own settings)."""
    return [group for group in session.scalars(select(Workspace.leader_group)) if group]
