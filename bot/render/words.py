"""Wording every surface shares: the labels of statuses, categories and outcomes, how people, ages and dates are
shown, and one line of a list or of an idea's history. Every word a person reads goes through `bot.i18n`.

Everything a person typed goes through `escape_clipped`; mentions and dates we build ourselves are Slack markup
on purpose (`<@U123>` shows a name, `<!date^…>` shows a date in the reader's own time zone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot import credit, limits
from bot.i18n import N_, _, n_
from bot.privacy import pseudonyms
from bot.privacy.screening import described_kinds
from bot.render.ids import Outcome
from bot.slack import blockkit as bk
from bot.text import one_line
from storage.models import Category, EventKind, Idea, IdeaEvent, IdeaStatus

# The labels below are marked for the catalogs (`N_`) and translated where they are shown: `_(STATUS_LABEL[status])`.

# An idea's status as its card's status line says it.
STATUS_LABEL: dict[str, str] = {
    # Translators: the status line of a new idea's card
    IdeaStatus.NEW: N_(":new: New — waiting for a decision"),
    # Translators: the status line of an approved idea's card: the team may go ahead with it
    IdeaStatus.APPROVED: N_(":white_check_mark: Approved — go ahead"),
    # Translators: the status line of the card of an idea someone is working on
    IdeaStatus.IN_PROGRESS: N_(":hammer_and_wrench: In progress"),
    # Translators: the status line of the card of an idea that is done
    IdeaStatus.DONE: N_(":tada: Done"),
    # Translators: the status line of the card of an idea a leader declined for now (kindly: not "rejected")
    IdeaStatus.NOT_NOW: N_(":double_vertical_bar: Not now"),
}

# An idea's status as the heading of a list of ideas in it (and in an idea's history: "Waiting … → Approved …").
GROUP_TITLE: dict[str, str] = {
    # Translators: a heading over the ideas that wait for a leader's decision; also a status in an idea's history
    IdeaStatus.NEW: N_("Waiting for a decision"),
    # Translators: a heading over the approved ideas nobody has started; also a status in an idea's history
    IdeaStatus.APPROVED: N_("Approved, not started yet"),
    # Translators: a heading over the ideas someone is working on; also a status in an idea's history
    IdeaStatus.IN_PROGRESS: N_("In progress"),
    # Translators: a heading over the ideas that are done; also a status in an idea's history
    IdeaStatus.DONE: N_("Done"),
    # Translators: a heading over the ideas a leader declined for now; also a status in an idea's history
    IdeaStatus.NOT_NOW: N_("Not now"),
}

CATEGORY_LABEL: dict[str, str] = {
    # Translators: a category of an idea (the raise form's select, the card's "Category: …")
    Category.SAFETY: N_("Safety"),
    # Translators: a category of an idea (the raise form's select, the card's "Category: …")
    Category.QUALITY: N_("Quality"),
    # Translators: a category of an idea: how patients (or customers) experience the care
    Category.CUSTOMER_EXPERIENCE: N_("Patient/customer experience"),
    # Translators: a category of an idea: how the staff experience their work
    Category.STAFF_EXPERIENCE: N_("Staff experience"),
    # Translators: a category of an idea: how smoothly work flows, time saved or lost
    Category.FLOW: N_("Flow/time"),
    # Translators: a category of an idea: money, materials
    Category.COST: N_("Cost"),
    # Translators: a category of an idea: none of the others
    Category.OTHER: N_("Other"),
}

# A done idea's outcome (the done modal's options, keyed by `Outcome`) as the card labels its result.
OUTCOME_LABEL: dict[str, str] = {
    # Translators: an answer to "Did it work?" when an idea is done; also the label over its result on the card
    Outcome.WORKED: N_("It worked"),
    # Translators: an answer to "Did it work?" when an idea is done; also the label over its result on the card
    Outcome.DID_NOT_WORK: N_("It didn't work — and we learned from it"),
}

_SAFE_LINK = re.compile(r"^https://[^\s<>|]+$")


def is_safe_link(url: str | None) -> bool:
    """True when `url` is an https address that cannot break out of Slack's `<url|label>` markup."""
    return bool(url and _SAFE_LINK.match(url))


def linked_number(idea: Idea, link: str | None, unlinked: str = "#{number}") -> str:
    """The idea's number, "#12", linked to its card when `link` is a safe https address (see `is_safe_link`), else
    written as `unlinked` (a format with `{number}`)."""
    return f"<{link}|#{idea.number}>" if is_safe_link(link) else unlinked.format(number=idea.number)


def to_dicts(blocks: Sequence[bk.Block]) -> list[dict[str, Any]]:
    """Blocks as JSON-ready dicts (validated by slack_sdk on the way), for storing in the outbox."""
    return [block.to_dict() for block in blocks]


def date_markup(when: datetime, style: str = "{date_short_pretty}") -> str:
    """A date Slack renders in the reader's time zone, with an ISO fallback."""
    return f"<!date^{int(when.timestamp())}^{style}|{when:%Y-%m-%d %H:%M} UTC>"


# A person's plain name in a queued message: filled in when it is sent (`fill_names`), as it shows who without
# pinging them (a <@mention> notifies). Escaped text cannot contain "<", so no one can type one.
# A Japanese template writes さん after a name ("{name}さん"); the anonymised 「元メンバー #7」 takes none
# (docs/glossary/ja.md), so a pseudonym's token takes the さん after it with it.
_NAME_TOKEN = re.compile(r"<name:([A-Za-z0-9_]+)>(さん)?")
NAME_MARK = "<name:"  # in every text that holds a plain name: a text without it needs no filling in


def mention(user_id: str) -> str:
    """A person as a mention (`<@U123>`), for private replies and lists where it pings no one; a forgotten person's
    pseudonym as its label ("former colleague #7"), which Slack could not show as a mention."""
    if pseudonyms.is_pseudonym(user_id):
        return pseudonyms.label(user_id)
    return credit.label(user_id) if credit.not_on_slack(user_id) else f"<@{user_id}>"


def plain_name(user_id: str) -> str:
    """Someone as a plain name (not a mention) in a message the outbox sends: see `fill_names`."""
    return f"<name:{user_id}>"


def fill_names(text: str, name: Callable[[str], str]) -> str:
    """`text` with each `plain_name` replaced by that person's name (`name`, escaped)."""

    def filled(match: re.Match[str]) -> str:
        user_id, honorific = match.group(1), match.group(2) or ""
        shown = bk.escape_clipped(name(user_id), limits.OWNER_NAME)
        return shown if pseudonyms.is_pseudonym(user_id) else shown + honorific

    return _NAME_TOKEN.sub(filled, text)


def person(idea: Idea, user_id: str) -> str:
    """Someone who acted on an idea, as others see them: a plain name (never a mention: that would ping them),
    never the author of an anonymous idea by name."""
    if idea.hides(user_id):
        # Translators: stands for the name of an anonymous idea's author, e.g. in "Approved by {name}"
        return _("the person who raised it")
    if credit.not_on_slack(user_id):  # no Slack user: the name they typed, as plain text
        name = credit.credited(idea) if user_id == idea.author_id else None
        return bk.escape_clipped(name, limits.OWNER_NAME) if name else credit.label(user_id)
    return plain_name(user_id)


# What a leader's redaction leaves of the idea's text, on the card and in thread replies that quoted it. Stored in
# the idea's text as it is (English: stored words are data); shown in the reader's words (`stored_text`), and said
# so in the replies the outbox rewrites.
# Translators: what is left of an idea's text (and of replies that quoted it) after a leader removed it
REDACTED_TEXT = N_("[removed by a leader]")
# What erasure leaves of the text of ideas only its author wrote, when they asked for it to go (bot.personal_data).
# Translators: what is left of an idea's text after its author asked the bot to forget them and their words
ERASED_TEXT = N_("[removed at its author's request]")
# What retention leaves of an idea's text, stored in English with the number of days (`retained_text`).
_RETAINED = re.compile(r"^\[removed after ([0-9]+) days\]$")


def retained_text(days: int) -> str:
    """What retention stores in place of an idea's text after `days` days: "[removed after 730 days]" (English,
    as data; `stored_text` says it in the reader's language)."""
    return f"[removed after {days} days]"


def stored_text(text: str | None) -> str | None:
    """A text of an idea as people see it: as typed, except what a redaction, erasure or retention left
    (REDACTED_TEXT, ERASED_TEXT, `retained_text`), which is said in the reader's language."""
    if text in (REDACTED_TEXT, ERASED_TEXT):
        return _(text)
    retained = _RETAINED.match(text or "")
    if retained is not None:
        days = int(retained.group(1))
        # Translators: what is left of an idea's text once the hospital's retention period has passed
        return n_("[removed after {days} day]", "[removed after {days} days]", days, days=days)
    return text


def problem_start(idea: Idea, limit: int = limits.LIST_LINE) -> str:
    """The start of an idea's problem on one line, escaped and clipped to `limit` characters. Safe mrkdwn."""
    return bk.escape_clipped(one_line(stored_text(idea.problem) or ""), limit)


# What someone is told when the idea moved on before their change, one whole sentence per status it is in now.
_MOVED_ON: dict[str, str] = {
    IdeaStatus.NEW: N_("#{number} is already waiting for a decision."),
    IdeaStatus.APPROVED: N_("#{number} is already approved, not started yet."),
    IdeaStatus.IN_PROGRESS: N_("#{number} is already in progress."),
    IdeaStatus.DONE: N_("#{number} is already done."),
    # Translators: an idea a leader declined for now; said to someone whose change came too late
    IdeaStatus.NOT_NOW: N_("#{number} is already not now."),
}


def moved_on_text(idea: Idea) -> str:
    """What someone is told when the idea moved on before their change (another click got there first): where it
    is now, e.g. "#12 is already approved."."""
    return _(_MOVED_ON[idea.status], number=idea.number)


def history_line(event: IdeaEvent, idea: Idea) -> str:
    """One line of an idea's history: when (in the reader's time zone), what changed, by whom (never an anonymous
    author by name), and the note, if any (escaped, at most `limits.HISTORY_NOTE` characters)."""
    when = date_markup(event.at, "{date_short_pretty} {time}")
    by_author = bool(event.actor_id and idea.hides(event.actor_id))
    # Translators: the bot's name, as who made a change in an idea's history ("… — raised by Kaizen")
    who = _("Kaizen") if not event.actor_id else mention(event.actor_id)
    if event.kind == EventKind.STATUS:
        before, after = _status_title(event.from_status), _status_title(event.to_status)
        if by_author:
            # Translators: a line of an idea's history: its status changed; {when} is a date Slack shows
            line = _("{when} — {before} → {after} by the author", when=when, before=before, after=after)
        else:
            # Translators: a line of an idea's history: its status changed, by {who} (a name, or "Kaizen")
            line = _("{when} — {before} → {after} by {who}", when=when, before=before, after=after, who=who)
    elif event.kind == EventKind.CREATED:
        if by_author:
            # Translators: a line of an idea's history; {when} is a date Slack shows
            line = _("{when} — raised by the author", when=when)
        else:
            # Translators: a line of an idea's history; {who} is a name (or "Kaizen"), {when} a date Slack shows
            line = _("{when} — raised by {who}", when=when, who=who)
    elif event.kind == EventKind.EDITED:
        if by_author:
            # Translators: a line of an idea's history; {when} is a date Slack shows
            line = _("{when} — edited by the author", when=when)
        else:
            # Translators: a line of an idea's history; {who} is a name (or "Kaizen"), {when} a date Slack shows
            line = _("{when} — edited by {who}", when=when, who=who)
    elif event.kind == EventKind.REDACTED:
        if by_author:
            # Translators: a line of an idea's history: its text was removed; {when} is a date Slack shows
            line = _("{when} — redacted by the author", when=when)
        else:
            # Translators: a line of an idea's history: its text was removed by {who}; {when} is a date Slack shows
            line = _("{when} — redacted by {who}", when=when, who=who)
    elif event.kind == EventKind.NOT_PATIENT_INFO:
        kinds = described_kinds(event.note or "")
        # Translators: a line of an idea's history: someone said their text holds no patient information although
        # it looked like it; {what} is e.g. "an NHS number"; {who} a name, or "the author"
        line = _("{when} — {who} said it isn't patient information ({what})", when=when,
                 who=_("the author") if by_author else who, what=kinds)  # fmt: skip
        return line
    elif event.kind in _HOP_LINES:
        line = _(_HOP_LINES[event.kind], when=when, who=_("the author") if by_author else who)
    elif event.kind in _SPREAD_LINES and _SPREAD_NOTE.fullmatch(event.note or ""):
        # The note is the bot's own: a channel id or an idea's number, shown as a link or as it is. An anonymous
        # author answering for another team is not "the author" there: that would tie them to their copy.
        lines = _SPREAD_UNNAMED if by_author and event.kind in _SPREAD_UNNAMED else _SPREAD_LINES
        return _(lines[event.kind], when=when, who=_("the author") if by_author else who, channel=event.note,
                 number=(event.note or "").lstrip("#"))  # fmt: skip
    elif by_author:
        # Translators: a line of an idea's history; {what} is what happened, as the database names it
        line = _("{when} — {what} by the author", when=when, what=event.kind)
    else:
        # Translators: a line of an idea's history; {what} is what happened, as the database names it
        line = _("{when} — {what} by {who}", when=when, what=event.kind, who=who)
    if event.note:
        note = bk.escape_clipped(one_line(_(SYSTEM_NOTES[event.note]) if event.note in SYSTEM_NOTES else event.note),
                                 limits.HISTORY_NOTE)  # fmt: skip
        # Translators: a line of an idea's history followed by the note someone gave with the change
        line = _("{line}: {note}", line=line, note=note)
    return line


# A hop up or down the tiers in an idea's history; {who} is a name, "the author" or "Kaizen", {when} a date Slack shows.
_HOP_LINES: dict[str, str] = {
    # Translators: a line of an idea's history: a leader sent it to the team one tier up (the reason follows)
    EventKind.ESCALATED: N_("{when} — escalated one tier up by {who}"),
    # Translators: a line of an idea's history: the team one tier up sent it back down (their note follows)
    EventKind.SENT_BACK: N_("{when} — sent back down by {who}"),
    # Translators: a line of an idea's history: a leader of its own team took it back from the team above
    EventKind.TAKEN_BACK: N_("{when} — taken back by {who}"),
}


# Spreading an idea to other teams in its history; {who} is a name, "the author" or "Kaizen", {when} a date Slack
# shows; the note ({channel} or {number}) is what `_SPREAD_NOTE` matches.
_SPREAD_LINES: dict[str, str] = {
    # Translators: a line of an idea's history: {who} offered the done idea to another team ({channel})
    EventKind.OFFERED: N_("{when} — offered to <#{channel}> by {who}"),
    # Translators: a line of an idea's history: another team tried it, as its idea #{number}; {who} pressed it
    EventKind.TRIED: N_("{when} — tried in another team as #{number}, by {who}"),
    # Translators: a line of an idea's history: it was raised as a copy of another team's done idea #{number}
    EventKind.COPIED: N_("{when} — tried here from #{number}, by {who}"),
    # Translators: a line of an idea's history: a leader of the team it was offered to ({channel}) said no
    EventKind.NOT_FOR_US: N_("{when} — not for <#{channel}> for now ({who})"),
}
_SPREAD_UNNAMED: dict[str, str] = {
    # Translators: a line of an idea's history: another team tried it, as its idea #{number}
    EventKind.TRIED: N_("{when} — tried in another team as #{number}"),
    # Translators: a line of an idea's history: the team it was offered to ({channel}) said no
    EventKind.NOT_FOR_US: N_("{when} — not for <#{channel}> for now"),
}
_SPREAD_NOTE = re.compile(r"[CG][A-Z0-9]{2,30}|#[0-9]{1,18}")


# Notes the bot itself stores with an event (English, as data), said in the reader's words in the history.
SYSTEM_NOTES: dict[str, str] = {
    # Translators: a note in an idea's history: a leader took their approve emoji off, so it waits again
    "approval withdrawn": N_("approval withdrawn"),
    # Translators: a note in an idea's history: it was raised as already done ("just did it")
    "already done": N_("already done"),
    # Translators: a note in an idea's history: its text was edited or removed along with the other team's idea it
    # was tried from (e.g. "edited by Grace: as the idea it was tried from")
    "as the idea it was tried from": N_("as the idea it was tried from"),
}


def _status_title(status: str | None) -> str:
    """A status in an idea's history: its heading (`GROUP_TITLE`) in the reader's language, else as stored."""
    title = GROUP_TITLE.get(status or "")
    return _(title) if title else f"{status}"


def held_above_text(channel_id: str) -> str:
    """Said to a leader of an idea's own team who tries to decide it while the team in `channel_id` holds it."""
    return _(
        "This idea is with <#{channel}> now: its leaders decide it. *Take back* (in the card's menu) to decide it "
        "here.",
        channel=channel_id,
    )
