"""The App Home tab: a person's ideas, ideas waiting for their decision, and their teams' boards and figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot import limits
from bot.measures.figures import Headline
from bot.measures.words import headline_text
from bot.render.words import GROUP_TITLE, idea_line
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaStatus, Team


@dataclass(frozen=True)
class HomeTeam:
    """One team on the App Home: its idea counts by status and its headline figures."""

    team: Team
    counts: dict[str, int]
    figures: Headline


@dataclass(frozen=True)
class HomeContent:
    """What the App Home shows one person: their ideas (`mine`, with `mine_total`), ideas waiting for their decision
    (for leaders), and the teams they see."""

    mine: Sequence[Idea]
    mine_total: int
    waiting: Sequence[Idea]  # for leaders: ideas waiting for their decision
    teams: Sequence[HomeTeam]
    now: datetime


def home_view(content: HomeContent) -> bk.View:
    """The App Home tab: the person's ideas, ideas waiting for their decision, and each team's board counts and
    headline figures. At most VIEW_BLOCKS blocks."""
    now = content.now
    blocks: list[bk.Block] = [
        bk.HeaderBlock(text="Kaizen"),
        bk.context("Small improvements, every day. `/kaizen` raises a problem or an idea from any channel."),
        bk.DividerBlock(),
        bk.section(f"*Your ideas* ({content.mine_total})"),
    ]
    mine = [idea_line(idea, now, with_status=True, with_channel=True) for idea in content.mine]
    if content.mine_total > len(mine):
        mine.append(f"+{content.mine_total - len(mine)} older — `/kaizen mine`")
    blocks += bk.line_sections(mine or ["None yet: `/kaizen` raises your first."])
    if content.waiting:
        blocks += [bk.DividerBlock(), bk.section(f"*Waiting for your decision* ({len(content.waiting)})")]
        blocks += bk.line_sections([idea_line(idea, now, with_channel=True) for idea in content.waiting])
        blocks.append(bk.context("A quick yes keeps ideas flowing: react on the card, or press Approve."))
    for home_team in content.teams:
        counts = home_team.counts
        board = " · ".join(
            f"{counts.get(status, 0)} {GROUP_TITLE[status].lower()}"
            for status in (IdeaStatus.NEW, IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
        )
        blocks += [
            bk.DividerBlock(),
            bk.section(f"*<#{home_team.team.channel_id}>*\n{board}"),
            bk.context(headline_text(home_team.figures)),
        ]
    return bk.View(type="home", blocks=bk.fit_blocks(blocks, limit=limits.VIEW_BLOCKS, overflow_note="More in Slack."))
