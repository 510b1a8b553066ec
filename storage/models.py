"""The store: workspaces, teams (channels), ideas and their history.

Times are stored as UTC. A workspace is a Slack workspace (Slack calls it a "team"); a team here is a channel
that runs Kaizen, as in the product page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (no zone support) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """To the database: UTC (naive on SQLite); a naive datetime raises ValueError."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use the clock's aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """From the database: an aware datetime in UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class IdeaStatus(StrEnum):
    """Where an idea stands; the lifecycle (bot.ideas.lifecycle) says which moves are allowed."""

    NEW = "new"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_NOW = "not_now"


OPEN_STATUSES = (IdeaStatus.NEW, IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS)

# Column widths that writers clip to (bot.limits names them again for the product).
ERROR_CHARS = 100  # an outbox message's or huddle post's last error
INBOX_ERROR_CHARS = 200  # an inbox event's last error
PAUSED_REASON_CHARS = 64  # Slack's error name that paused a team
SOURCE_LINK_CHARS = 500  # the permalink an idea was raised from


class Category(StrEnum):
    """What an idea improves, as chosen in the raise form (optional)."""

    SAFETY = "safety"
    QUALITY = "quality"
    CUSTOMER_EXPERIENCE = "customer_experience"
    STAFF_EXPERIENCE = "staff_experience"
    FLOW = "flow"
    COST = "cost"
    OTHER = "other"


class EventKind(StrEnum):
    """What an `IdeaEvent` records: the idea raised, a status change, its text edited or redacted, its card posted;
    its writer saying that what looked like a patient identifier is not one (the note: the kinds found, never
    the text); a hop up or down the tiers (`storage.models_tiers.Escalation` holds the teams); spreading it to other
    teams (`storage.models_spread.Spread`)."""

    CREATED = "created"
    STATUS = "status"
    EDITED = "edited"
    REDACTED = "redacted"
    CARD_POSTED = "card_posted"
    NOT_PATIENT_INFO = "not_patient_info"
    ESCALATED = "escalated"  # sent one tier up (the note: the reason)
    SENT_BACK = "sent_back"  # sent back down by the team above (the note: theirs)
    TAKEN_BACK = "taken_back"  # taken back by a team below
    OFFERED = "offered"  # offered to another team, done (the note: that team's channel)
    TRIED = "tried"  # another team tried it (the note: the copy's number, "#57")
    COPIED = "copied"  # raised as a copy of another team's done idea (the note: the original's number, "#42")
    NOT_FOR_US = "not_for_us"  # a team it was offered to said it is not for them (the note: its channel)


# Events whose note the bot writes itself (a channel id, an idea's number: `storage.spreads`), never a person's words:
# kept when a redaction or retention removes the notes people wrote.
BOT_NOTE_EVENTS = (EventKind.OFFERED, EventKind.TRIED, EventKind.COPIED, EventKind.NOT_FOR_US)


class Source(StrEnum):
    """Where a change came from: a form, a command, a shortcut, an emoji, a button, the sweep after a restart, a :bulb:
    reaction, the CLI, the walk-up web form."""

    MODAL = "modal"
    COMMAND = "command"
    SHORTCUT = "shortcut"
    EMOJI = "emoji"
    BUTTON = "button"
    SWEEP = "sweep"
    BULB = "bulb"
    CLI = "cli"
    WALKUP = "walkup"  # the team's walk-up web form


_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base: one naming convention for constraints, and `datetime` columns stored as `UtcDateTime`."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class Workspace(Base):
    """An installation of Kaizen: a Slack workspace's id (T…), or an Enterprise Grid organisation's (E…) when
    installed org-wide."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Idea numbers count up per workspace and are never handed out twice.
    last_idea_number: Mapped[int] = mapped_column(Integer, default=0)
    # Per-workspace settings (installs in several workspaces); unset, KAIZEN_* settings apply.
    leaders: Mapped[list[str]] = mapped_column(JSON, default=list)
    leader_group: Mapped[str | None] = mapped_column(String(32))
    approve_emoji: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Team(Base):
    """A team: one channel that runs Kaizen, filed under the workspace that set it up, with its own settings (approve
    emoji, huddle schedule, time zone)."""

    __tablename__ = "teams"
    # A channel is one team, filed under the installation that first set it up (Slack Connect channels are
    # shared by several organisations under one channel id).
    __table_args__ = (
        Index("uq_teams_channel", "channel_id", unique=True),
        Index("ix_teams_upper_team", "upper_team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.id"))
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255), default="")
    approve_emoji: Mapped[str | None] = mapped_column(String(100))
    anonymous_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    just_do_it_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The daily huddle: off (no times) until a leader sets it. Times are local "HH:MM" in `timezone`; days are
    # weekday numbers (Monday = 0); holidays name a country whose public holidays are skipped.
    huddle_times: Mapped[list[str]] = mapped_column(JSON, default=list)
    huddle_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    huddle_holidays: Mapped[str | None] = mapped_column(String(8))
    # The language the team's channel posts are written in (a language code such as "ja"); None: the bot's default.
    language: Mapped[str | None] = mapped_column(String(8))
    # Set when Slack said the channel can no longer take posts (archived, deleted, Kaizen removed): no huddles
    # and no card retries until Kaizen is back in a live channel. The reason is Slack's error name.
    paused_at: Mapped[datetime | None]
    paused_reason: Mapped[str | None] = mapped_column(String(PAUSED_REASON_CHARS))
    # The team one tier up, where this team's leaders escalate what it cannot solve (`bot.teams.tiers`), who named it
    # and when. A team id without a foreign key constraint (see migration 0012); None: this team is a top tier.
    upper_team_id: Mapped[int | None] = mapped_column(Integer)
    upper_set_by: Mapped[str | None] = mapped_column(String(32))
    upper_set_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


CREDITED_NAME_CHARS = 80
# The author of an idea raised on the walk-up form by someone who gave no name (bot.credit): raised by nobody the
# measures can count as a participant. Lower-case with an underscore: never a Slack id.
WALKUP_UNNAMED = "walkup_anyone"


class Idea(Base):
    """A problem (and maybe an idea for it) raised in a team; `number` counts per workspace. Times are UTC."""

    __tablename__ = "ideas"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number", name="uq_ideas_workspace_number"),
        Index("ix_ideas_team_status", "team_id", "status"),
        Index("ix_ideas_workspace_author", "workspace_id", "author_id"),
        Index("ix_ideas_card_ts", "card_ts"),
        # The measures count by time within a team or a workspace, reading only these indexes (covering): who
        # raised ideas when; who completed them when (done_at stays on a reopened idea: status tells); the
        # ideas waiting now, by how long.
        Index("ix_ideas_team_created_author", "team_id", "created_at", "author_id"),
        Index("ix_ideas_workspace_created_author", "workspace_id", "created_at", "author_id"),
        Index("ix_ideas_team_done_owner", "team_id", "done_at", "status", "owner_id"),
        Index("ix_ideas_workspace_done_owner", "workspace_id", "done_at", "status", "owner_id"),
        Index("ix_ideas_workspace_status_created", "workspace_id", "status", "created_at"),
        UniqueConstraint("workspace_id", "source_channel", "source_ts", name="uq_ideas_source_message"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.id"))
    number: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    author_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    problem: Mapped[str] = mapped_column(Text)
    idea: Mapped[str | None] = mapped_column(Text)
    benefit: Mapped[str | None] = mapped_column(Text)
    input_from: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.NEW)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decision_note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    effect: Mapped[str | None] = mapped_column(Text)
    source_link: Mapped[str | None] = mapped_column(String(SOURCE_LINK_CHARS))
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    text_removed_at: Mapped[datetime | None]  # when retention (bot.privacy.retention) removed the text
    # Who is credited when no Slack user raised it (the walk-up form's "your name"): plain text, never a mention.
    credited_name: Mapped[str | None] = mapped_column(String(CREDITED_NAME_CHARS))
    # When it was first escalated to a team one tier up (`storage.models_tiers.Escalation`); None: never, so no
    # look-up of its hops is needed to draw its card or to know who decides it.
    escalated_at: Mapped[datetime | None]
    # When it was first offered to another team (`storage.models_spread.Spread`); None: never, so its cards name no
    # copies and it has no suggestions to keep up to date (no look-up needed). `copied_from_id`: the idea another
    # team tried this one from.
    spread_at: Mapped[datetime | None]
    copied_from_id: Mapped[int | None] = mapped_column(Integer)  # an idea's id (no constraint: SQLite adds none)
    # The card in the team channel: its ts once posted (the outbox posts it once). Every change bumps
    # card_version; the card is re-rendered until card_synced_version catches up.
    card_ts: Mapped[str | None] = mapped_column(String(32))
    # A reply turned into an idea with :bulb: (unique: however many react, it becomes one idea).
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    card_version: Mapped[int] = mapped_column(Integer, default=1)
    card_synced_version: Mapped[int] = mapped_column(Integer, default=0)

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)

    def hides(self, user_id: str | None) -> bool:
        """Whether `user_id` is this idea's anonymous author: never named with it, whatever part they take in it
        (owner, thanked, whoever did something to it)."""
        return bool(self.anonymous) and user_id == self.author_id


class IdeaEvent(Base):
    """One entry in an idea's history: a status change (from → to), an edit, a redaction, a card posted; who did it and
    from where."""

    __tablename__ = "idea_events"
    # The measures find status changes by target status and time: the decisions of a span, the returns to "new";
    # an idea's status changes in time order by (idea, kind, time): when it left or re-entered "new" (the waiting
    # stock).
    __table_args__ = (
        Index("ix_idea_events_status_at", "kind", "to_status", "at", "idea_id"),
        Index("ix_idea_events_idea_kind_at", "idea_id", "kind", "at", "to_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    slack_event_id: Mapped[str | None] = mapped_column(String(64))


class TeamLeader(Base):
    """A leader of one team, added with `/kaizen leaders add` (KAIZEN_LEADERS lead every team besides)."""

    __tablename__ = "team_leaders"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime]


class Supporter(Base):
    """One person backing an idea (by reacting on its card); counted once per person."""

    __tablename__ = "idea_supporters"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime]


class InboxEvent(Base):
    """An Events API delivery, committed before Slack gets its 200, applied by a worker (once: unique event_id)."""

    __tablename__ = "inbox_events"
    __table_args__ = (Index("ix_inbox_events_pending", "done_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claim: Mapped[str | None] = mapped_column(String(64))
    claim_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(INBOX_ERROR_CHARS))


class OutboxKind(StrEnum):
    """Where an outbox message goes."""

    CARD = "card"  # the idea's card in its team channel
    CHANNEL = "channel"  # a message in a team channel (an announcement)
    THREAD = "thread"  # a reply in the card's thread
    DM = "dm"  # a direct message to one person
    HOP_CARD = "hop_card"  # the idea's card in the channel of a team it was escalated to
    EPHEMERAL = "ephemeral"  # a message only one person sees, in a channel
    SUGGESTION = "suggestion"  # a done idea offered to a team, in that team's channel (storage.models_spread)


class OutboxMessage(Base):
    """A message that must reach Slack once: written in the same transaction as the change it tells of, then
    posted under a claim with a lease; posts carry metadata with the row id so a lost answer is found, not
    repeated."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "done_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # a CHANNEL message posted in a thread
    user_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claim: Mapped[str | None] = mapped_column(String(64))
    claim_until: Mapped[datetime | None]
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(ERROR_CHARS))
    # Since when its text in the store was replaced (redaction, retention) while the message in Slack still shows
    # the old words: cleared once Slack took the update; a later run tries again until then.
    stale_since: Mapped[datetime | None]


class HuddleSkip(Base):
    """A local date a team's huddles are skipped on."""

    __tablename__ = "huddle_skips"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class HuddlePost(Base):
    """A huddle thread starter. Scheduled ones are claimed per (team, local date, slot) before posting, so each
    slot is posted once across restarts and processes; manual ones (`/kaizen huddle`) have no slot."""

    __tablename__ = "huddle_posts"
    __table_args__ = (
        UniqueConstraint("team_id", "local_date", "slot", name="uq_huddle_posts_slot"),
        Index("ix_huddle_posts_message", "message_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[int | None] = mapped_column(Integer)
    scheduled_for: Mapped[datetime]
    claim: Mapped[str | None] = mapped_column(String(64))
    claim_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(ERROR_CHARS))
    # What the first huddle of the day brings after it (the leaders' digest, the weekly chart): done under its own
    # lease, so a crash or a Slack fault after the post is followed up by the next tick.
    follow_up_until: Mapped[datetime | None]
    followed_up_at: Mapped[datetime | None]
