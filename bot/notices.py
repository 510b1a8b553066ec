"""What a change to an idea owes people, as typed facts: the lifecycle returns them, `bot.render.notices` words them.

Each notice carries the idea as it was when the change was decided (for its number and whether its author is
anonymous), who acted (Slack user IDs), and says where it goes (`kind`: the card's thread, the author's DM, or a
private reply in a channel) and the suffix that makes its outbox message unique per change (`key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from storage.models import Idea, OutboxKind


@dataclass(frozen=True)
class InThread:
    """A notice in the card's thread about `idea`."""

    kind: ClassVar[OutboxKind] = OutboxKind.THREAD
    idea: Idea


@dataclass(frozen=True)
class Acted(InThread):
    """Someone (`by`) moved the idea on: said in its thread, in words for what they did (the subclass)."""

    by: str


class Approved(Acted):
    """A leader said yes: thanks to whoever raised it."""

    key: ClassVar[str] = "thanks"


class Started(Acted):
    """Someone started the idea."""

    key: ClassVar[str] = "started"


class Reopened(Acted):
    """Someone reopened the idea: it waits for a decision again."""

    key: ClassVar[str] = "reopened"


@dataclass(frozen=True)
class Done(InThread):
    """The idea is done: thanks to its author and owner, with what was `learned` (stripped, as typed)."""

    key: ClassVar[str] = "done"
    learned: str


@dataclass(frozen=True)
class ReasonShared(InThread):
    """The author chose to share the not-now `reason`."""

    key: ClassVar[str] = "reason"
    reason: str


@dataclass(frozen=True)
class NotNowReason:
    """A `leader` decided "not now" for `reason` (stripped, at most limits.REASON_MAX characters): told to the
    author privately, with a button to share it."""

    kind: ClassVar[OutboxKind] = OutboxKind.DM
    key: ClassVar[str] = "reason"
    idea: Idea
    leader: str
    reason: str


@dataclass(frozen=True)
class WhoApproves:
    """Someone who does not lead the team (`user_id`) put the approve emoji on a new idea: they are told privately,
    in `channel_id`, who can approve (`leaders_text`, mrkdwn naming the team's leaders)."""

    kind: ClassVar[OutboxKind] = OutboxKind.EPHEMERAL
    key: ClassVar[str] = "who-approves"
    idea: Idea
    user_id: str
    channel_id: str
    leaders_text: str


# Every notice a change can return.
Notice = Approved | Started | Done | Reopened | NotNowReason | ReasonShared | WhoApproves
