"""The words for what a change to an idea owes people (`bot.notices`): safe mrkdwn, with Block Kit blocks where a
notice has any. Whom a notice mentions is `bot.notices.mentioned`; everyone else is a plain name (`person`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from bot import limits
from bot.i18n import _, people
from bot.notices import (
    Approved,
    CopyDone,
    Done,
    Escalated,
    Notice,
    NotNowAbove,
    NotNowReason,
    ReasonShared,
    Reopened,
    SentBack,
    Started,
    TakenBack,
    WhoApproves,
    mentioned,
)
from bot.render.replies import not_now_dm_blocks, not_now_dm_text
from bot.render.words import mention, person, plain_name, to_dicts
from bot.slack import blockkit as bk


@dataclass(frozen=True)
class Words:
    """A notice as a message: its mrkdwn `text` and, if it has any, its blocks as JSON-ready dicts."""

    text: str
    blocks: list[dict[str, Any]] | None = None


def _who(notice: Notice, user_id: str) -> str:
    # A mention for whom the rule says to ping; else a plain name (never an anonymous author's).
    return mention(user_id) if user_id in mentioned(notice) else person(notice.idea, user_id)


def _thanked(notice: Done) -> list[str]:
    # Whom Done thanks by name: its author (mentioned when someone else finished it) and its owner (a plain name);
    # none when the only people are an anonymous author.
    idea = notice.idea
    people = [p for p in dict.fromkeys((idea.author_id, idea.owner_id)) if p]
    return [_who(notice, p) for p in people if not idea.hides(p)]


def words(notice: Notice) -> Words:
    """The message for `notice` (user text escaped and clipped to its budget in `bot.limits`)."""
    idea = notice.idea
    match notice:
        case Approved():
            return Words(_approved(notice))
        case Started():
            if idea.hides(notice.by):
                # Translators: in an idea's thread: its anonymous author started work on it
                return Words(_(":hammer_and_wrench: Started by the person who raised it."))
            # Translators: in an idea's thread: {name} started work on it
            return Words(_(":hammer_and_wrench: Started by {name}.", name=plain_name(notice.by)))
        case Done():
            learned = bk.escape_clipped(notice.learned, limits.LEARNED_QUOTE)
            thanked = _thanked(notice)
            if not thanked:
                # Translators: {learned} is what the team wrote they learned from the idea
                return Words(
                    _(":tada: Done! Thank you everyone who helped. What we learned: {learned}", learned=learned)
                )
            # Translators: {names} are the idea's author and owner; {learned} what the team wrote they learned
            return Words(
                _(":tada: Done! Thank you {names}. What we learned: {learned}", names=people(thanked), learned=learned)
            )
        case Reopened():
            if idea.hides(notice.by):
                # Translators: in an idea's thread: its anonymous author reopened it
                return Words(_("Reopened by the person who raised it: it waits for a decision again."))
            # Translators: in an idea's thread: {name} reopened it
            return Words(_("Reopened by {name}: it waits for a decision again.", name=plain_name(notice.by)))
        case NotNowReason():
            blocks = to_dicts(not_now_dm_blocks(idea, notice.leader, notice.reason))
            return Words(not_now_dm_text(idea, notice.leader, notice.reason), blocks)
        case ReasonShared():
            reason = bk.escape_clipped(notice.reason, limits.SHARED_REASON_QUOTE)
            # Translators: in an idea's thread: why a leader decided "not now" on it, shared by its author
            return Words(_("Not now, for this reason: {reason}", reason=reason))
        case WhoApproves():
            # Translators: to someone who reacted with the approve emoji but does not lead the team; {leaders} are
            # the names of the team's leaders
            return Words(
                _(
                    "Thanks for backing #{number}! Only this team's leaders can approve ideas ({leaders}). "
                    "Your reaction stays on the card for them to see.",
                    number=idea.number,
                    leaders=notice.leaders_text,
                )
            )
        case Escalated():
            reason = bk.escape_clipped(notice.reason, limits.SHARED_REASON_QUOTE)
            # Translators: a direct message to an idea's author: a leader sent it to the team one tier up
            return Words(_(
                "Your idea #{number} is with <#{channel}> now: {name} sent it one tier up. Reason: {reason} "
                "You'll hear when it is decided.",
                number=idea.number, channel=notice.channel_id, name=person(idea, notice.by), reason=reason,
            ))  # fmt: skip
        case SentBack():
            note = bk.escape_clipped(notice.note, limits.SHARED_REASON_QUOTE)
            # Translators: in an idea's thread: the team one tier up sent it back down, with a note
            return Words(_(
                ":arrow_down: Sent back by <#{channel}> ({name}): {note}",
                channel=notice.channel_id, name=person(idea, notice.by), note=note,
            ))  # fmt: skip
        case NotNowAbove():
            # Translators: in an idea's thread: the team one tier up decided "not now" (kindly); the reason went to the
            # person who raised it, privately
            return Words(_(
                "Not now, for the time being: <#{channel}> decided ({name}). The person who raised it has the reason.",
                channel=notice.channel_id, name=person(idea, notice.by),
            ))  # fmt: skip
        case TakenBack():
            # Translators: in an idea's thread: a leader of this team took it back from the team one tier up
            return Words(_(
                ":arrow_down: Taken back from <#{channel}> by {name}: it is decided here again.",
                channel=notice.channel_id, name=person(idea, notice.by),
            ))  # fmt: skip
        case CopyDone():
            # What the other team learned is on its card, not quoted here: its redaction has nothing to chase.
            if idea.author_id not in mentioned(notice):
                # Translators: in a done idea's thread: another team ({channel}) tried it as #{number}, and finished
                return Words(_(
                    ":seedling: <#{channel}> tried this as #{number}, and it's done. See what they learned on its "
                    "card.",
                    channel=notice.channel_id, number=notice.copy.number,
                ))  # fmt: skip
            # Translators: as above, thanking {name}, who raised the idea the other team tried
            return Words(_(":seedling: <#{channel}> tried this as #{number}, and it's done — thank you {name}, your "
                           "idea helped there too.", channel=notice.channel_id, number=notice.copy.number,
                           name=mention(idea.author_id)))  # fmt: skip
        case _:
            assert_never(notice)


def _approved(notice: Approved) -> str:
    # Who approved (never an anonymous author by name) and who is thanked for raising it: one message per case.
    idea = notice.idea
    if idea.hides(notice.by):
        # Translators: in an idea's thread: its anonymous author, a leader, approved it themself
        return _(":white_check_mark: Approved by the person who raised it — go ahead!")
    if idea.anonymous:
        # Translators: {name} is the leader who approved the idea; its author is anonymous
        return _(
            ":white_check_mark: Approved by {name} — go ahead! Thank you to whoever raised it.",
            name=plain_name(notice.by),
        )
    # Translators: {name} is the leader who approved the idea, {author} the person who raised it
    return _(
        ":white_check_mark: Approved by {name} — go ahead! Thank you {author} for raising it.",
        name=plain_name(notice.by),
        author=_who(notice, idea.author_id),
    )
