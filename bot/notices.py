"""What a change to an idea owes people, as typed facts: the lifecycle returns them, `bot.render.notices` words them.

Each notice carries the idea as it was when the change was decided (for its number and whether its author is
anonymous), who acted (Slack user IDs), and says where it goes (`kind`: the card's thread, the author's DM, or a
private reply in a channel) and the suffix that makes its outbox message unique per change (`key`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from bot import credit
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
class Done(Acted):
    """Someone (`by`) finished the idea: thanks to its author and owner, with what was `learned` (stripped, as
    typed)."""

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
class Escalated:
    """A leader (`by`) sent the idea one tier up, to the team of `channel_id`, for `reason`: told to its author
    privately."""

    kind: ClassVar[OutboxKind] = OutboxKind.DM
    key: ClassVar[str] = "escalated"
    idea: Idea
    by: str
    channel_id: str
    reason: str


@dataclass(frozen=True)
class SentBack(InThread):
    """The team above (`channel_id`; `by`, one of its leaders) sent the idea back down, with a `note`: said in the
    card's thread, for the team it came from."""

    key: ClassVar[str] = "sent-back"
    by: str
    channel_id: str
    note: str


@dataclass(frozen=True)
class NotNowAbove(InThread):
    """The team above (`channel_id`; `by`, one of its leaders) decided "not now" on an idea escalated to it: said in
    the card's thread for the team below, without the reason (that goes to the author alone)."""

    key: ClassVar[str] = "not-now-above"
    by: str
    channel_id: str


@dataclass(frozen=True)
class TakenBack(InThread):
    """A leader of the idea's team (`by`) took it back from the team above (`channel_id`): it is decided here
    again."""

    key: ClassVar[str] = "taken-back"
    by: str
    channel_id: str


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


@dataclass(frozen=True)
class CopyDone(InThread):
    """A copy of `idea` (another team tried it: `copy`, in `channel_id`) is done, finished by `by`: said in the
    original card's thread, thanking the original's author."""

    key: ClassVar[str] = "copy-done"
    copy: Idea
    channel_id: str
    by: str


# Every notice a change can return.
Notice = (
    Approved
    | Started
    | Done
    | Reopened
    | NotNowReason
    | ReasonShared
    | WhoApproves
    | Escalated
    | SentBack
    | TakenBack
    | NotNowAbove
    | CopyDone
)


# --- the one notification rule -----------------------------------------------------------------------------------
#
# Whom a notice mentions (a <@mention> pings) and whether it is owed at all, in one place:
# - the author is mentioned when *someone else* approves or finishes their idea (once each), never when anonymous,
#   and when another team finishes a copy of it (thanks: their idea helped there too);
#   "not now" goes to them privately (a DM), unless they declined their own idea;
# - nobody is pinged about their own actions: an approval or a Done by the author is not said in the thread at all
#   (the card shows it), and every actor and owner is written as a plain name, never a mention;
# - starting an idea is not said in the thread (the card shows it); reopening is said, naming no one by mention;
# - the people an author asks for input ("Input needed from" on the raise form) are mentioned on the card: that is
#   the ask, made once (a card's later edits do not notify). The author is never listed among them.


def _on_slack(user_id: str) -> bool:
    # A Slack user the bot can ping or write to: not a visitor to the walk-up form.
    return not credit.not_on_slack(user_id)


def is_owed(notice: Notice) -> bool:
    """Whether `notice` is said at all (see the rule above)."""
    idea = notice.idea
    match notice:
        case Started():
            return False
        case Approved() | Done():
            return notice.by != idea.author_id
        case NotNowReason():  # a DM to the author: none to a walk-up visitor
            return notice.leader != idea.author_id and _on_slack(idea.author_id)
        case Escalated():  # a DM to the author, unless they sent it up themself
            return notice.by != idea.author_id and _on_slack(idea.author_id)
        case CopyDone():  # not for finishing the copy themself, nor for a copy they raised (thanked there)
            return notice.by != idea.author_id and notice.copy.author_id != idea.author_id
        case _:
            return True


def mentioned(notice: Notice) -> frozenset[str]:
    """Whom `notice`, when owed, mentions (pings) by Slack user ID: only the author of a named idea, when someone
    else approved or finished it (or a copy of it another team tried). Everyone else it names is written as a plain
    name."""
    idea = notice.idea
    if (
        isinstance(notice, Approved | Done | CopyDone)
        and not idea.anonymous
        and notice.by != idea.author_id
        and _on_slack(idea.author_id)
    ):
        return frozenset({idea.author_id})
    return frozenset()


def asked_for_input(idea: Idea) -> list[str]:
    """The people an idea's card mentions (Slack user IDs, in the order picked): those its author asked for input,
    never the author themself (asking oneself is no ask, and would name an anonymous author)."""
    return [user for user in idea.input_from or () if user != idea.author_id]


def owed(notices: Iterable[Notice]) -> list[Notice]:
    """Those of `notices` that are owed, in order."""
    return [notice for notice in notices if is_owed(notice)]
