"""What the bot holds about a person, as one JSON file: `/kaizen my data` (sent to them by DM) and
`kaizen-bot person export USER` (to standard output, for an administrator answering a subject access request).

The file has a readable part (the ideas they raised, owned, supported, decided or were asked about, anonymous ones
included since they are theirs; what they did to ideas; their leader roles; the settings they set; their
requests) and, under `stored`, every row of every table that holds their user id, as stored (tokens and secrets
left out, and so is the author of someone else's anonymous idea), so nothing held is missed: `storage.people.find`
reads every text column of every table. A row that names them but is someone else's (a message the bot sent
another person, Slack's delivery of what another person did) is counted under `withheld`, not shown. Times are
ISO 8601 in UTC.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from bot import cache
from bot.clock import Clock
from bot.i18n import _
from bot.settings import Settings
from bot.slack.gateway import SlackGateway
from storage import people
from storage.db import Database

FORMAT = "kaizen-bot subject access export, version 1"
ASK_AGAIN_AFTER = timedelta(minutes=1)
ASKERS_REMEMBERED = 1_000
_IDEA_FIELDS = (
    "number", "status", "anonymous", "category", "problem", "idea", "benefit", "created_at", "decided_at",
    "started_at", "done_at", "decision_note", "outcome", "result", "learned", "effect", "redacted", "text_removed_at",
)  # fmt: skip
# How a person takes part in an idea, by the column that names them.
_PARTS = {"author_id": "raised", "owner_id": "owns", "decided_by": "decided", "input_from": "asked_for_input"}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _others_anonymity_kept(table: str, row: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A stored row as `user_id` may read it: an anonymous idea someone else raised (one they decided, own, were
    asked about or support) without its author's id, wherever the row holds it (as its owner or decider too)."""
    author = row.get("author_id")
    if table != "ideas" or not row.get("anonymous") or not author or author == user_id:
        return row
    return {
        name: None if value == author else [v for v in value if v != author] if isinstance(value, list) else value
        for name, value in row.items()
    }


def _actor(payload: Any) -> Any:
    """Who did what a stored delivery tells of: the event's `user` (an id, or a user object), else the job's."""
    if not isinstance(payload, dict):
        return None
    inner = payload.get("event")
    event: dict[str, Any] = inner if isinstance(inner, dict) else payload
    actor = event.get("user") or payload.get("user_id")
    return actor.get("id") if isinstance(actor, dict) else actor


def _theirs(table: str, row: dict[str, Any], user_id: str) -> bool:
    """Whether a row that names `user_id` is theirs to read whole. A message the bot sent someone else, or Slack's
    delivery of what someone else did, only names them (a reply thanking them, a reaction on their card): it is
    that other person's, so it is counted, not shown (`withheld`)."""
    if table == "outbox":
        return bool(row.get("user_id") == user_id)
    if table == "inbox_events":
        return bool(_actor(row.get("payload")) == user_id)
    return True


def document(db: Database, settings: Settings, user_id: str, now: datetime) -> dict[str, Any]:
    """Everything stored about `user_id` (see the module's docstring) as JSON-ready data, read in one
    transaction. Raises ValueError for a blank id."""
    with db.read() as session:
        found = people.find(session, user_id, include_installations=True)
        teams = people.team_names(session)
        parts: dict[int, set[str]] = defaultdict(set)
        for item in found:
            if item.table == "ideas":
                parts[item.row["id"]].update(_PARTS[column] for column in item.columns if column in _PARTS)
            elif item.table == "idea_supporters":
                parts[item.row["idea_id"]].add("supports")
        related = [item.row["idea_id"] for item in found if item.table == "idea_events"]
        ideas_by_id = people.ideas_by_id(session, [*parts, *related])
    stored: dict[str, list[dict[str, Any]]] = defaultdict(list)
    withheld: dict[str, int] = defaultdict(int)
    for item in found:
        if not _theirs(item.table, item.row, user_id):
            withheld[item.table] += 1
            continue
        stored[item.table].append(people.exportable(_others_anonymity_kept(item.table, item.row, user_id)))
    ideas = [
        {field: _iso(getattr(ideas_by_id[idea_id], field)) for field in _IDEA_FIELDS}
        | {"team": teams.get(ideas_by_id[idea_id].team_id), "your_parts": sorted(parts[idea_id])}
        for idea_id in sorted(parts)
        if idea_id in ideas_by_id
    ]
    history = [
        {
            "idea": ideas_by_id[item.row["idea_id"]].number if item.row["idea_id"] in ideas_by_id else None,
            "at": _iso(item.row["at"]),
            "kind": item.row["kind"],
            "from_status": item.row["from_status"],
            "to_status": item.row["to_status"],
            "note": item.row["note"],
            "source": item.row["source"],
        }
        for item in found
        if item.table == "idea_events" and "actor_id" in item.columns
    ]
    roles: list[dict[str, Any]] = [
        {"leads_team": teams.get(item.row["team_id"]), "since": _iso(item.row["added_at"])}
        for item in found
        if item.table == "team_leaders" and "user_id" in item.columns
    ]
    roles += [{"leads_every_team_of_workspace": item.row["id"]} for item in found if item.table == "workspaces"]
    if user_id in settings.kaizen_leaders:
        roles.append({"leads_every_team": "named in the KAIZEN_LEADERS setting"})
    return {
        "format": FORMAT,
        "person": user_id,
        "exported_at": now.isoformat(),
        "ideas": ideas,
        "history": history,
        "leader_roles": roles,
        "settings_set": stored.get("team_headcounts", []) + stored.get("measure_steps", []),
        "requests": stored.get("erasure_requests", []),
        "stored": dict(sorted(stored.items())),
        "withheld": dict(sorted(withheld.items())),
        "withheld_why": (
            "Rows that name you but belong to someone else (a message the bot sent them, Slack's delivery of what they "
            "did): counted per table, not shown. They are deleted or emptied after a week."
        ),
        "not_stored": (
            "Names and Slack languages are asked of Slack when shown and kept in memory for hours, not stored. "
            "Slack's deliveries and the bodies of the bot's messages are kept a week."
        ),
    }


def as_bytes(data: dict[str, Any]) -> bytes:
    """The document as a UTF-8 JSON file, indented for reading."""
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


class SubjectAccess:
    """`/kaizen my data`: the person's file, sent to them in a direct message."""

    def __init__(self, db: Database, clock: Clock, settings: Settings, gateway: SlackGateway) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        # Reading every table for someone is work: once a minute each (a double tap, a script) is plenty.
        self._sent: cache.Cached[tuple[str, str], bool] = cache.timed(clock, ASK_AGAIN_AFTER, ASKERS_REMEMBERED)

    def send(self, workspace_id: str, user_id: str) -> int | None:
        """Upload the file of what is held about `user_id` to a DM with them; returns how many ideas it lists, or
        None when one was sent them less than ASK_AGAIN_AFTER ago (nothing is sent). Raises SlackError when Slack
        refuses, SlackUnreachable when it does not answer."""
        if self._sent.get((workspace_id, user_id)):
            return None
        data = document(self._db, self._settings, user_id, self._clock.now())
        slack = self._gateway.workspace(workspace_id)
        slack.upload(
            slack.open_dm(user_id), as_bytes(data), filename="kaizen-my-data.json",
            # Translators: the title of the file `/kaizen my data` sends: everything the bot keeps about the person
            title=_("What Kaizen keeps about you"),
            comment=_(
                "Here is everything Kaizen keeps about you, as a JSON file: the ideas you took part in (anonymous ones "
                "too), what you did, your leader roles, and every stored record that names you."
            ),
        )  # fmt: skip
        self._sent.put((workspace_id, user_id), True)
        return len(data["ideas"])
