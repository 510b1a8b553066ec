"""The daily huddle's thread starter for a five-minute stand-up read on a phone (what fits one screen, its words and
its fallback text). The leaders' morning digest is `bot.render.digest`.

Order: done since the last huddle (with one thanks line), today's question, escalated to us (from teams below: the
count and the oldest age once, at most WAITING_SHOWN lines), ready for a decision (the count, the oldest age once, at
most WAITING_SHOWN lines: the oldest), waiting on the tier above (this team's ideas a team above decides), needs
someone to take it on (approved, not started), in progress, then "+N more" counting every idea not shown. One line
per idea, linked to its card; no idea twice. A section whose ideas do not fit keeps its heading with its count.
Per-idea ages and warnings only in the digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot import limits
from bot.domain import age_in_days
from bot.i18n import N_, _, day, join, n_, number, people
from bot.render.words import linked_number, problem_start
from bot.slack import blockkit as bk
from bot.text import one_line
from storage.huddles import HuddleContent
from storage.models import WALKUP_UNNAMED, Idea, IdeaStatus

OPEN = (IdeaStatus.NEW, IdeaStatus.APPROVED)  # an idea whose line says "needs an idea" when it has none
# Translators: a tag after a problem in the huddle that has no idea yet; keep the no-break spaces (a phone wraps the
# tag whole)
NEEDS_AN_IDEA = N_("needs\u00a0an\u00a0idea")  # no-break spaces: a phone wraps the tag whole, never "idea" alone

# --- what fits one phone screen ---------------------------------------------------------------------------------

HUDDLE_LINES = 16  # lines of text in one huddle: one phone screen for a ward with twelve ideas
WAITING_SHOWN = 3  # ideas ready for a decision shown by name: the oldest
FIXED_LINES = 2  # the header and today's question


def part_of_day(hour: int) -> str:
    """The part of the day a local hour falls in: 05–12 "morning", 12–17 "afternoon", 17–22 "evening", else
    "night"."""
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


@dataclass(frozen=True)
class Section:
    """One of a huddle's lists: the ideas shown (one line each) and how many there are in all."""

    ideas: list[Idea]
    total: int


@dataclass(frozen=True)
class Layout:
    """A huddle as planned: each section's shown ideas and count, the people thanked (user ids, each once, in the
    order their ideas were done), the oldest waiting idea, and how many ideas are not shown."""

    done: Section
    waiting: Section
    approved: Section
    in_progress: Section
    thanked: list[str]
    oldest_waiting: datetime | None
    hidden: int
    thanked_more: bool = False  # more people to thank than `thanked` names (done ideas beyond those read)
    # Tiers: escalated to this team (with the channel each came from, and since when the oldest waits here), and
    # this team's ideas a team above holds (with its channel).
    escalated: Section = Section([], 0)
    escalated_from: dict[int, str] = field(default_factory=dict)
    escalated_since: datetime | None = None
    above: Section = Section([], 0)
    held_by: dict[int, str] = field(default_factory=dict)

    def shown(self) -> list[Idea]:
        """Every idea with a line, in the order shown."""
        return [*self.done.ideas, *self.escalated.ideas, *self.waiting.ideas, *self.above.ideas,
                *self.approved.ideas, *self.in_progress.ideas]  # fmt: skip


def thanked(ideas: list[Idea]) -> list[str]:
    """Whom done ideas thank, each person once: author and owner, never an anonymous author."""
    people: list[str] = []
    for idea in ideas:
        for person in (idea.author_id, idea.owner_id):
            if person and not idea.hides(person) and person != WALKUP_UNNAMED and person not in people:
                people.append(person)
    return people


def people_named(layout: Layout) -> list[str]:
    """Whose names the huddle shows (user IDs, sorted): the people it thanks and the owners of ideas in progress."""
    return sorted(set(layout.thanked) | {idea.owner_id for idea in layout.in_progress.ideas if idea.owner_id})


def plan(content: HuddleContent, budget: int = HUDDLE_LINES) -> Layout:
    """Which ideas get a line: in the huddle's order, as many as `budget` lines of text allow once the header, the
    question, each non-empty section's heading and (when anything is left out) the "+N more" line are counted."""
    lists = [
        (content.done, content.done_total, len(content.done)),
        (content.escalated, content.escalated_total, min(WAITING_SHOWN, len(content.escalated))),
        (content.waiting, content.waiting_total, min(WAITING_SHOWN, len(content.waiting))),
        (content.above, content.above_total, min(WAITING_SHOWN, len(content.above))),
        (content.approved, content.approved_total, len(content.approved)),
        (content.in_progress, content.in_progress_total, len(content.in_progress)),
    ]
    headings = sum(1 for _, total, _ in lists if total)
    room = budget - FIXED_LINES - headings
    everything = sum(total for _, total, _ in lists)
    wanted = sum(cap for _, _, cap in lists)
    if wanted < everything or wanted > room:
        room -= 1  # the "+N more" line
    sections: list[Section] = []
    for ideas, total, cap in lists:
        take = max(0, min(cap, room))
        room -= take
        sections.append(Section(ideas[:take], total))
    shown = sum(len(s.ideas) for s in sections)
    done, escalated, waiting, above, approved, in_progress = sections
    return Layout(
        done=done,
        waiting=waiting,
        approved=approved,
        in_progress=in_progress,
        escalated=escalated,
        escalated_from=content.escalated_from,
        escalated_since=content.escalated_since,
        above=above,
        held_by=content.held_by,
        thanked=thanked(content.done),
        thanked_more=content.done_total > len(content.done),
        oldest_waiting=content.waiting[0].created_at if content.waiting else None,
        hidden=everything - shown,
    )


# --- the words ---------------------------------------------------------------------------------------------------

# The part of the day → the huddle's greeting with today's question ({question}) and how to answer, one whole message
# each (a language may greet differently, or end the greeting otherwise than with "!").
GREETINGS = {
    # Translators: a huddle's line before noon: the greeting, the question of the day and how to answer it
    "morning": N_(
        ":speech_balloon: Good morning! *Today's question:* {question} — "
        "reply in this thread (react :bulb: on a reply to make it an idea)"
    ),
    # Translators: a huddle's line in the afternoon: the greeting, the question of the day and how to answer it
    "afternoon": N_(
        ":speech_balloon: Good afternoon! *Today's question:* {question} — "
        "reply in this thread (react :bulb: on a reply to make it an idea)"
    ),
    # Translators: a huddle's line in the evening: the greeting, the question of the day and how to answer it
    "evening": N_(
        ":speech_balloon: Good evening! *Today's question:* {question} — "
        "reply in this thread (react :bulb: on a reply to make it an idea)"
    ),
    # Translators: a huddle's line at night: the greeting, the question of the day and how to answer it
    "night": N_(
        ":speech_balloon: Hello, night team! *Today's question:* {question} — "
        "reply in this thread (react :bulb: on a reply to make it an idea)"
    ),
}
# The part of the day → the huddle's header, with its date ({date}, as `HEADER_DATE` writes it).
TITLES = {
    # Translators: the header of a huddle before noon; {date} is its day, e.g. "Wednesday 25 November"
    "morning": N_("Morning huddle · {date}"),
    # Translators: the header of a huddle in the afternoon; {date} is its day, e.g. "Wednesday 25 November"
    "afternoon": N_("Afternoon huddle · {date}"),
    # Translators: the header of a huddle in the evening; {date} is its day, e.g. "Wednesday 25 November"
    "evening": N_("Evening huddle · {date}"),
    # Translators: the header of a huddle at night; {date} is its day, e.g. "Wednesday 25 November"
    "night": N_("Night huddle · {date}"),
}


def owner_name(idea: Idea, names: dict[str, str]) -> str:
    """An owner's name without pinging them (`names`: user id → display name, escaped and clipped to
    `limits.OWNER_NAME`); the author of an anonymous idea who took it on stays unnamed."""
    if idea.owner_id and idea.hides(idea.owner_id):
        # Translators: in the huddle, after an idea in progress, instead of the name of its anonymous author
        return _("the person who raised it")
    # Translators: in the huddle, after an idea in progress, instead of its owner's name when it is not known
    someone = _("someone")
    if not idea.owner_id:
        return someone
    return bk.escape_clipped(names.get(idea.owner_id, someone), limits.OWNER_NAME)


THANKED_BY_NAME = 3  # names in the thanks line; more people are "and others"


def thanks_words(layout: Layout, names: dict[str, str]) -> str:
    """Whom the huddle thanks, as plain text (not escaped), listed as the reader's language lists names: "Dan", "Dan
    and Amira", "Dan, Amira, and Mo", and past THANKED_BY_NAME people (or when more ideas were done than were read)
    "Dan, Amira, Mo and others". Each name is clipped to `limits.OWNER_NAME`; nobody is pinged."""
    # Translators: in a huddle's thanks ("thank you {names}"), someone whose name is not known
    colleague = _("a colleague")
    shown = [bk.clip(names.get(p, colleague), limits.OWNER_NAME) for p in layout.thanked[:THANKED_BY_NAME]]
    if not shown:
        # Translators: in a huddle's thanks ("thank you {names}"), when only anonymous authors did the ideas
        return _("everyone who helped")
    if len(layout.thanked) > THANKED_BY_NAME or layout.thanked_more:
        # One message per number of names shown: a list ending in "and others" is not one `join` can make.
        if len(shown) == 1:
            # Translators: in a huddle's thanks ("thank you {names}"): one name, and more people not named
            return _("{first} and others", first=shown[0])
        if len(shown) == 2:
            # Translators: in a huddle's thanks ("thank you {names}"): two names, and more people not named
            return _("{first}, {second} and others", first=shown[0], second=shown[1])
        # Translators: in a huddle's thanks ("thank you {names}"): three names, and more people not named
        return _("{first}, {second}, {third} and others", first=shown[0], second=shown[1], third=shown[2])
    return people(shown)


def huddle_title(part: str, local_date: date) -> str:
    """The huddle's header: the part of the day and the local date, e.g. "Morning huddle · Monday 2 March"."""
    # Translators: how a huddle's header writes its day, as a CLDR date pattern: "EEEE d MMMM" is "Monday 2 March"
    # (e.g. "EEEE, d. MMMM" in German, "M月d日(EEE)" in Japanese); quote literal letters as 'de'
    pattern = _("EEEE d MMMM")
    return _(TITLES[part], date=day(local_date, pattern))


def huddle_text(layout: Layout, names: dict[str, str], question: str) -> str:
    """The huddle's fallback text, what a notification and a screen reader say: "Huddle: 3 to decide, 1 needs
    someone, 2 in progress, 2 done — thank you Dan and Amira. Today's question: …"."""
    counts: list[str] = []
    if layout.escalated.total:
        # Translators: in a huddle's notification: how many ideas teams below escalated to this one, to decide
        counts.append(n_("{count} escalated to us", "{count} escalated to us", layout.escalated.total))
    if layout.waiting.total:
        # Translators: in a huddle's notification: how many ideas wait for a leader's decision
        counts.append(n_("{count} to decide", "{count} to decide", layout.waiting.total))
    if layout.above.total:
        # Translators: in a huddle's notification: how many of this team's ideas wait for a team one tier up
        counts.append(n_("{count} waiting above", "{count} waiting above", layout.above.total))
    if layout.approved.total:
        # Translators: in a huddle's notification: how many approved ideas need someone to take them on
        counts.append(n_("{count} needs someone", "{count} need someone", layout.approved.total))
    if layout.in_progress.total:
        # Translators: in a huddle's notification: how many ideas are in progress
        counts.append(n_("{count} in progress", "{count} in progress", layout.in_progress.total))
    if layout.done.total:
        # Translators: in a huddle's notification: how many ideas were done since the last huddle
        counts.append(n_("{count} done", "{count} done", layout.done.total))
    if not counts:
        # Translators: a huddle's notification when no idea is open or done; {question} is the question of the day
        return _("Huddle: nothing waiting. Today's question: {question}", question=question)
    # Translators: between the counts in a huddle's notification: "6 to decide, 1 needs someone, 2 done"
    said = _(", ").join(counts)
    if layout.thanked:
        # Translators: a huddle's notification: {counts} as "6 to decide, 2 done", {names} the people thanked,
        # {question} the question of the day
        thanked = N_("Huddle: {counts} — thank you {names}. Today's question: {question}")
        # The names are the part cut to fit, never the question.
        room = limits.FALLBACK_TEXT - len(_(thanked, counts=said, names="", question=question))
        who = bk.escape_clipped(thanks_words(layout, names), room)
        return _(thanked, counts=said, names=who, question=question)
    # Translators: a huddle's notification: {counts} as "6 to decide, 2 done", {question} the question of the day
    return _("Huddle: {counts}. Today's question: {question}", counts=said, question=question)


def _number(idea: Idea, links: dict[int, str]) -> str:
    return linked_number(idea, links.get(idea.id))


def _line(idea: Idea, links: dict[int, str], tail: str = "") -> str:
    """One idea's line: its number linked to its card, the start of its problem, a "needs an idea" tag for a problem
    without one (not for a redacted idea: its text is gone, not missing), and `tail` (safe mrkdwn, its separator
    included)."""
    needs_idea = idea.status in OPEN and not idea.redacted and not (idea.idea or "").strip()
    tag = f" · _{_(NEEDS_AN_IDEA)}_" if needs_idea else ""
    return f"• {_number(idea, links)} {problem_start(idea, limits.HUDDLE_LINE)}{tag}{tail}"


def _done_tail(idea: Idea) -> str:
    # A redacted idea's, or one whose text retention removed: no line with a marker in it.
    learned = "" if idea.redacted or idea.text_removed_at is not None else (idea.learned or "").strip()
    if not learned:
        return ""
    # Translators: after a done idea's line in the huddle: what the team learned ({learned}, as someone wrote it)
    return " " + _("— _learned:_ {learned}", learned=bk.escape_clipped(one_line(learned), limits.HUDDLE_LEARNED))


def _owner_tail(idea: Idea, names: dict[str, str]) -> str:
    # Translators: after the line of an idea in progress in the huddle: who works on it ({name})
    return " " + _("— {name}", name=owner_name(idea, names))


def huddle_blocks(
    *, part: str, local_date: date, layout: Layout, names: dict[str, str], links: dict[int, str], now: datetime,
    question: str,
) -> list[bk.Block]:  # fmt: skip
    """The huddle thread starter, one line per idea, each linked to its card (`links`: idea id → permalink):
    done since the last huddle with one thanks line, today's question, ready for a decision (count and oldest age
    once), needs someone to take it on, in progress, "+N more". Plain names (`names`: user id → display name), no
    ping; anonymous authors are never named; no per-idea ages in public."""
    blocks: list[bk.Block] = [bk.HeaderBlock(text=bk.clip(huddle_title(part, local_date), limits.HEADER_TEXT))]

    def add(heading: str, lines: list[str]) -> None:
        blocks.append(bk.section(heading))
        blocks.extend(bk.line_sections(lines) if lines else [])

    if layout.done.total:
        done = number(layout.done.total)
        who = bk.escape_clipped(thanks_words(layout, names), limits.HUDDLE_THANKS) if layout.thanked else ""
        if who:
            # Translators: a huddle's heading over the ideas done since the last one ({count}), thanking {names}
            heading = _("*Done since the last huddle ({count})* — thank you {names}! :tada:", count=done, names=who)
        else:
            # Translators: a huddle's heading over the ideas done since the last one ({count})
            heading = _("*Done since the last huddle ({count})* :tada:", count=done)
        add(heading, [_line(idea, links, _done_tail(idea)) for idea in layout.done.ideas])
    blocks.append(bk.section(_(GREETINGS[part], question=question)))
    if layout.escalated.total:
        add(
            _escalated_heading(layout, now),
            [_line(idea, links, _from_tail(layout, idea)) for idea in layout.escalated.ideas],
        )
    if layout.waiting.total:
        waiting = number(layout.waiting.total)
        oldest = age_in_days(layout.oldest_waiting, now) if layout.oldest_waiting else 0
        if oldest:
            # Translators: a huddle's heading over the ideas waiting for a decision ({total} of them); the oldest has
            # waited {count} days
            heading = n_(
                "*Ready for a decision ({total})* — the oldest has waited {count} day",
                "*Ready for a decision ({total})* — the oldest has waited {count} days",
                oldest,
                total=waiting,
            )
        else:
            # Translators: a huddle's heading over the ideas waiting for a decision ({count}), all raised today
            heading = _("*Ready for a decision ({count})* — all raised today", count=waiting)
        add(heading, [_line(idea, links) for idea in layout.waiting.ideas])
    if layout.above.total:
        holders = list(dict.fromkeys(layout.held_by.get(idea.id, "") for idea in layout.above.ideas))
        # Translators: a huddle's heading over this team's ideas that a team one tier up decides now ({count});
        # {channels} are those teams' channels
        heading = _("*Waiting on {channels} ({count})*", count=number(layout.above.total),
                    channels=join([f"<#{c}>" for c in holders if c]) or _("the tier above"))  # fmt: skip
        add(heading, [_line(idea, links) for idea in layout.above.ideas])
    if layout.approved.total:
        # Translators: a huddle's heading over the approved ideas nobody has started ({count}), asking who will
        heading = _("*Needs someone to take it on ({count})* — who'll take it?", count=number(layout.approved.total))
        add(heading, [_line(idea, links) for idea in layout.approved.ideas])
    if layout.in_progress.total:
        # Translators: a huddle's heading over the ideas in progress ({count}), asking what is in their way
        heading = _("*In progress ({count})* — any blockers?", count=number(layout.in_progress.total))
        add(heading, [_line(idea, links, _owner_tail(idea, names)) for idea in layout.in_progress.ideas])
    if layout.hidden:
        # Done ideas left out are on `/kaizen list all` only; the plain list shows what is still open.
        where = "/kaizen list all" if layout.done.total > len(layout.done.ideas) else "/kaizen list"
        # Translators: the huddle's last line: how many ideas it leaves out; {command} is a Slack command, as is
        hidden = n_(
            "+{count} more not shown — `{command}`",
            "+{count} more not shown — `{command}`",
            layout.hidden,
            command=where,
        )
        blocks.append(bk.context(hidden))
    # Translators: the huddle's last line when it has more parts than one Slack message holds
    overflow_note = _("More than fits here — `/kaizen list` has the whole board.")
    return bk.fit_blocks(blocks, overflow_note=overflow_note)


def _escalated_heading(layout: Layout, now: datetime) -> str:
    """The heading over ideas escalated to this team: how many, and how long the oldest has waited here (once)."""
    total = number(layout.escalated.total)
    oldest = age_in_days(layout.escalated_since, now) if layout.escalated_since else 0
    if oldest:
        # Translators: a huddle's heading over ideas teams below sent to this one ({total}); the oldest came {count}
        # days ago
        return n_("*Escalated to us ({total})* — the oldest came {count} day ago",
                  "*Escalated to us ({total})* — the oldest came {count} days ago", oldest, total=total)  # fmt: skip
    # Translators: a huddle's heading over ideas teams below sent to this one ({count}), all of them today
    return _("*Escalated to us ({count})* — all came today", count=total)


def _from_tail(layout: Layout, idea: Idea) -> str:
    channel = layout.escalated_from.get(idea.id)
    # Translators: after the line of an idea escalated to this team in the huddle: the channel it came from
    return " " + _("— from <#{channel}>", channel=channel) if channel else ""


def huddle_message(
    layout: Layout, *, names: dict[str, str], links: dict[int, str], now: datetime, hour: int, local_date: date,
    question: str,
) -> tuple[str, list[bk.Block]]:  # fmt: skip
    """The huddle as posted: its fallback text (`huddle_text`) and blocks (`huddle_blocks`); the greeting from the
    team's local `hour` now, the header's date `local_date` (the slot's: a slot just before midnight keeps its
    day); `names` covers `people_named(layout)`, `links` maps idea id → card link."""
    blocks = huddle_blocks(
        part=part_of_day(hour), local_date=local_date, layout=layout, names=names, links=links, now=now,
        question=question,
    )  # fmt: skip
    return huddle_text(layout, names, question), blocks
