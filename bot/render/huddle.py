"""The daily huddle's thread starter, and the leaders' morning digest of ideas waiting for a decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot import limits
from bot.domain import age_in_days
from bot.render.words import days_text, is_safe_link, problem_start, thanked
from bot.slack import blockkit as bk
from storage.huddles import HuddleContent
from storage.models import Idea

HUDDLE_HOW_TO = (
    "Reply in this thread with what got in your way, or an idea. React :bulb: on a reply to turn it into a Kaizen idea."
)


def owner_name(idea: Idea, names: dict[str, str]) -> str:
    """An owner's name without pinging them (`names`: user id → display name, escaped and clipped to
    `limits.OWNER_NAME`); the author of an anonymous idea who took it on stays unnamed."""
    if not idea.owner_id or (idea.anonymous and idea.owner_id == idea.author_id):
        return "the person who raised it" if idea.owner_id else "someone"
    return bk.escape_clipped(names.get(idea.owner_id, "someone"), limits.OWNER_NAME)


def huddle_text(title: str, local_date: date) -> str:
    """The huddle's title with its local date, e.g. "Daily huddle · Monday 2 March": the thread starter's
    notification text."""
    return f"{title} · {local_date:%A} {local_date.day} {local_date:%B}"


def _more(shown: int, total: int) -> list[str]:
    return [f"+{total - shown} more — `/kaizen list`"] if total > shown else []


def _line(idea: Idea) -> str:
    """The start of a huddle line: the idea's number and the start of its problem."""
    return f"`#{idea.number}` {problem_start(idea, limits.HUDDLE_LINE)}"


def huddle_blocks(
    *, title: str, morning: bool, local_date: date, content: HuddleContent, names: dict[str, str], now: datetime,
    nudge_days: int, question: str,
) -> list[bk.Block]:  # fmt: skip
    """The huddle thread starter: what waits for a decision (flagged past `nudge_days` days), what is in progress,
    problems that need an idea, what is done, and the question of the day. Names are shown as plain text (no ping);
    thanks mention people on purpose; anonymous authors are never named. At most MESSAGE_BLOCKS blocks."""
    blocks: list[bk.Block] = [
        bk.HeaderBlock(text=bk.clip(huddle_text(title, local_date), limits.HEADER_TEXT)),
        bk.context(
            f"{'Good morning' if morning else 'Hello'}, team :wave: Five minutes: what waits, what moves, "
            "what we learned."
        ),
    ]

    def add(heading: str, lines: list[str]) -> None:
        blocks.append(bk.section(f"*{heading}*"))
        blocks.extend(bk.line_sections(lines or ["_Nothing here right now._"]))

    waiting = []
    for idea in content.waiting:
        days = age_in_days(idea.created_at, now)
        flag = " :warning:" if days > nudge_days else ""
        waiting.append(f"{_line(idea)} — {days_text(days)}{flag}")
    add(f"Waiting for a decision ({content.waiting_total})", waiting + _more(len(waiting), content.waiting_total))
    doing = [f"{_line(idea)} — {owner_name(idea, names)}" for idea in content.in_progress]
    add(f"In progress ({content.in_progress_total})", doing + _more(len(doing), content.in_progress_total))
    need = [_line(idea) for idea in content.need_an_idea]
    add(
        f"Problems that still need an idea ({content.need_an_idea_total})",
        need + _more(len(need), content.need_an_idea_total),
    )
    done = [f"{_line(idea)} — thank you {thanked(idea)}! :tada:" for idea in content.done]
    add(f"Done since the last huddle ({content.done_total})", done + _more(len(done), content.done_total))
    blocks.append(bk.DividerBlock())
    blocks.append(bk.section(f":speech_balloon: *Question of the day:* {question}"))
    blocks.append(bk.context(HUDDLE_HOW_TO))
    return bk.fit_blocks(blocks, overflow_note="More than fits here — `/kaizen list` has the whole board.")


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
        label = f"#{idea.number}"
        link = links.get(idea.id)
        number = f"<{link}|{label}>" if is_safe_link(link) else label
        age = days_text(age_in_days(idea.created_at, now))
        lines.append(f"• {number} {problem_start(idea, limits.DIGEST_LINE)} — {age}")
    lines += [f"+{total - len(ideas)} more — `/kaizen list new` in <#{channel_id}>"] if total > len(ideas) else []
    return "\n".join(lines)
