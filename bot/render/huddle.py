"""The daily huddle's thread starter for a five-minute stand-up read on a phone (what fits one screen, its words and
its fallback text), and the leaders' morning digest of ideas waiting for a decision.

Order: done since the last huddle (with one thanks line), today's question, ready for a decision (the count, the
oldest age once, at most WAITING_SHOWN lines: the oldest), needs someone to take it on (approved, not started),
in progress, then "+N more" counting every idea not shown. One line per idea, linked to its card; no idea twice.
A section whose ideas do not fit keeps its heading with its count. Per-idea ages and warnings only in the digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import limits
from bot.domain import age_in_days
from bot.render.words import days_text, linked_number, problem_start
from bot.slack import blockkit as bk
from bot.text import one_line
from storage.huddles import HuddleContent
from storage.models import Idea, IdeaStatus

OPEN = (IdeaStatus.NEW, IdeaStatus.APPROVED)  # an idea whose line says "needs an idea" when it has none
NEEDS_AN_IDEA = "needs\u00a0an\u00a0idea"  # no-break spaces: a phone wraps the tag whole, never "idea" alone

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

    def shown(self) -> list[Idea]:
        """Every idea with a line, in the order shown."""
        return [*self.done.ideas, *self.waiting.ideas, *self.approved.ideas, *self.in_progress.ideas]


def thanked(ideas: list[Idea]) -> list[str]:
    """Whom done ideas thank, each person once: author and owner, never an anonymous author."""
    people: list[str] = []
    for idea in ideas:
        for person in (idea.author_id, idea.owner_id):
            if person and not idea.hides(person) and person not in people:
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
        (content.waiting, content.waiting_total, min(WAITING_SHOWN, len(content.waiting))),
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
    done, waiting, approved, in_progress = sections
    return Layout(
        done=done,
        waiting=waiting,
        approved=approved,
        in_progress=in_progress,
        thanked=thanked(content.done),
        thanked_more=content.done_total > len(content.done),
        oldest_waiting=content.waiting[0].created_at if content.waiting else None,
        hidden=everything - shown,
    )


# --- the words ---------------------------------------------------------------------------------------------------

GREETINGS = {
    "morning": "Good morning",
    "afternoon": "Good afternoon",
    "evening": "Good evening",
    "night": "Hello, night team",
}
TITLES = {"morning": "Morning huddle", "afternoon": "Afternoon huddle", "evening": "Evening huddle",
          "night": "Night huddle"}  # fmt: skip
HOW_TO_REPLY = "reply in this thread (react :bulb: on a reply to make it an idea)"


def owner_name(idea: Idea, names: dict[str, str]) -> str:
    """An owner's name without pinging them (`names`: user id → display name, escaped and clipped to
    `limits.OWNER_NAME`); the author of an anonymous idea who took it on stays unnamed."""
    if not idea.owner_id or idea.hides(idea.owner_id):
        return "the person who raised it" if idea.owner_id else "someone"
    return bk.escape_clipped(names.get(idea.owner_id, "someone"), limits.OWNER_NAME)


THANKED_BY_NAME = 3  # names in the thanks line; more people are "and others"


def thanks_words(layout: Layout, names: dict[str, str]) -> str:
    """Whom the huddle thanks, as plain text (not escaped): "Dan", "Dan and Amira", "Dan, Amira and Mo", and past
    THANKED_BY_NAME people (or when more ideas were done than were read) "Dan, Amira, Mo and others". Each name
    is clipped to `limits.OWNER_NAME`; nobody is pinged."""
    shown = [bk.clip(names.get(p, "a colleague"), limits.OWNER_NAME) for p in layout.thanked[:THANKED_BY_NAME]]
    if not shown:
        return "everyone who helped"  # only anonymous authors, who are never named
    if len(layout.thanked) > THANKED_BY_NAME or layout.thanked_more:
        return f"{', '.join(shown)} and others"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def huddle_title(part: str, local_date: date) -> str:
    """The huddle's header: the part of the day and the local date, e.g. "Morning huddle · Monday 2 March"."""
    return f"{TITLES[part]} · {local_date:%A} {local_date.day} {local_date:%B}"


def huddle_text(layout: Layout, names: dict[str, str], question: str) -> str:
    """The huddle's fallback text, what a notification and a screen reader say: "Huddle: 3 to decide, 1 needs
    someone, 2 in progress, 2 done — thank you Dan and Amira. Today's question: …"."""
    counts = [
        (layout.waiting.total, "to decide"),
        (layout.approved.total, "needs someone" if layout.approved.total == 1 else "need someone"),
        (layout.in_progress.total, "in progress"),
        (layout.done.total, "done"),
    ]
    said = ", ".join(f"{n} {words}" for n, words in counts if n) or "nothing waiting"
    ask = f". Today's question: {question}"
    room = limits.FALLBACK_TEXT - len(f"Huddle: {said}") - len(ask)  # the question is never the part cut
    thanks = bk.escape_clipped(f" — thank you {thanks_words(layout, names)}", room) if layout.thanked else ""
    return f"Huddle: {said}{thanks}{ask}"


def _number(idea: Idea, links: dict[int, str]) -> str:
    return linked_number(idea, links.get(idea.id))


def _line(idea: Idea, links: dict[int, str], tail: str = "") -> str:
    """One idea's line: its number linked to its card, the start of its problem, a "needs an idea" tag for a problem
    without one (not for a redacted idea: its text is gone, not missing), and `tail` (safe mrkdwn)."""
    needs_idea = idea.status in OPEN and not idea.redacted and not (idea.idea or "").strip()
    tag = f" · _{NEEDS_AN_IDEA}_" if needs_idea else ""
    return f"• {_number(idea, links)} {problem_start(idea, limits.HUDDLE_LINE)}{tag}{tail}"


def _done_tail(idea: Idea) -> str:
    learned = "" if idea.redacted else (idea.learned or "").strip()
    return f" — _learned:_ {bk.escape_clipped(one_line(learned), limits.HUDDLE_LEARNED)}" if learned else ""


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

    greeting = GREETINGS[part]
    if layout.done.total:
        who = bk.escape_clipped(thanks_words(layout, names), limits.HUDDLE_THANKS) if layout.thanked else ""
        thanks = f" — thank you {who}! :tada:" if who else " :tada:"
        add(
            f"*Done since the last huddle ({layout.done.total})*{thanks}",
            [_line(idea, links, _done_tail(idea)) for idea in layout.done.ideas],
        )
    blocks.append(bk.section(f":speech_balloon: {greeting}! *Today's question:* {question} — {HOW_TO_REPLY}"))
    if layout.waiting.total:
        oldest = age_in_days(layout.oldest_waiting, now) if layout.oldest_waiting else 0
        add(
            f"*Ready for a decision ({layout.waiting.total})* — "
            + (f"the oldest has waited {days_text(oldest)}" if oldest else "all raised today"),
            [_line(idea, links) for idea in layout.waiting.ideas],
        )
    if layout.approved.total:
        add(
            f"*Needs someone to take it on ({layout.approved.total})* — who'll take it?",
            [_line(idea, links) for idea in layout.approved.ideas],
        )
    if layout.in_progress.total:
        add(
            f"*In progress ({layout.in_progress.total})* — any blockers?",
            [_line(idea, links, f" — {owner_name(idea, names)}") for idea in layout.in_progress.ideas],
        )
    if layout.hidden:
        # Done ideas left out are on `/kaizen list all` only; the plain list shows what is still open.
        where = "/kaizen list all" if layout.done.total > len(layout.done.ideas) else "/kaizen list"
        blocks.append(bk.context(f"+{layout.hidden} more not shown — `{where}`"))
    return bk.fit_blocks(blocks, overflow_note="More than fits here — `/kaizen list` has the whole board.")


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


def digest_text(
    channel_id: str, ideas: Sequence[Idea], total: int, links: dict[int, str], now: datetime, nudge_days: int
) -> str:
    """The leaders' morning digest for a channel: `total` ideas waiting more than `nudge_days` days, the first of
    them (`ideas`) each linked to its card where `links` (idea id → permalink) has one, and "+N more"."""
    lines = [
        f"Good morning! {total} idea{'s' if total != 1 else ''} in <#{channel_id}> "
        f"{'have' if total != 1 else 'has'} waited more than {days_text(nudge_days)} for a decision. "
        "A quick yes keeps ideas flowing:"
    ]
    for idea in ideas:
        number = linked_number(idea, links.get(idea.id))
        age = days_text(age_in_days(idea.created_at, now))
        lines.append(f"• {number} {problem_start(idea, limits.DIGEST_LINE)} — {age}")
    lines += [f"+{total - len(ideas)} more — `/kaizen list new` in <#{channel_id}>"] if total > len(ideas) else []
    return "\n".join(lines)
