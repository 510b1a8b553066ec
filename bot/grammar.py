"""The `/kaizen` grammar. A subcommand runs only when the whole text matches it exactly; text whose first word
is a subcommand but whose rest does not parse gets that subcommand's usage; anything else raises an idea.

`parse_command` takes Slack's escaped command text (mentions arrive as `<@U123|name>`), so that user IDs can be
read from it, and decodes the rest once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from bot import limits
from bot.grammar_usage import USAGE as USAGE  # how each subcommand is written (re-exported)
from bot.i18n import LANGUAGES, _, language_of
from bot.settings import parse_days, parse_hhmm
from bot.text import decode_slack_text, is_blank, mentioned_user_ids

LIST_FILTERS = ("new", "approved", "in-progress", "done", "not-now", "all")


@dataclass(frozen=True)
class Help:
    """`/kaizen help`."""


@dataclass(frozen=True)
class ListIdeas:
    """`/kaizen list [filter]`: the channel's board."""

    filter: str | None  # one of LIST_FILTERS, None for the open board


@dataclass(frozen=True)
class Mine:
    """`/kaizen mine`: the ideas the person raised or owns."""


@dataclass(frozen=True)
class Show:
    """`/kaizen show N` (or `/kaizen N`): one idea, by its number in the workspace, and its history."""

    number: int


@dataclass(frozen=True)
class HuddleNow:
    """`/kaizen huddle`: post the team's huddle thread now."""


@dataclass(frozen=True)
class HuddleAt:
    """`/kaizen huddle at HH:MM[,HH:MM] [days] [zone]`: the daily huddle's local times (sorted, no repeats),
    weekdays (Monday = 0) and IANA time zone; None for what was not given."""

    times: tuple[time, ...]
    days: tuple[int, ...] | None
    zone: str | None


@dataclass(frozen=True)
class HuddleOff:
    """`/kaizen huddle off`: no more daily huddles."""


@dataclass(frozen=True)
class HuddleSkip:
    """`/kaizen huddle skip YYYY-MM-DD`: no huddle on that local date."""

    day: date


@dataclass(frozen=True)
class HuddleHolidays:
    """`/kaizen huddle holidays CC|off`: skip the public holidays of a country (ISO 3166 alpha-2, upper case)."""

    country: str | None  # None turns holidays off


@dataclass(frozen=True)
class Leaders:
    """`/kaizen leaders`: who leads the team."""


@dataclass(frozen=True)
class LeadersAdd:
    """`/kaizen leaders add @a @b`: the mentioned user IDs, in the order given."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class LeadersRemove:
    """`/kaizen leaders remove @a`: the mentioned user IDs, in the order given."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    """`/kaizen stats [weeks] [share] [tree]`: the window in weeks (4–156; None: the default), whether to post the
    charts in the channel, and whether to add the charts of the team's whole tier tree (it and every team below)."""

    weeks: int | None
    share: bool
    tree: bool = False


@dataclass(frozen=True)
class StatsRebase:
    """`/kaizen stats rebase YYYY-MM-DD what changed`: new limits from that local date, with a note."""

    day: date
    note: str  # plain text, decoded; not blank


@dataclass(frozen=True)
class StatsRebaseUndo:
    """`/kaizen stats rebase undo`: take back the latest step."""


@dataclass(frozen=True)
class StatsSteps:
    """`/kaizen stats rebase`: list the steps."""


@dataclass(frozen=True)
class Headcount:
    """`/kaizen team headcount`: the team's headcount history."""


@dataclass(frozen=True)
class SetHeadcount:
    """`/kaizen team headcount N [from YYYY-MM-DD]`: the team's headcount (1–HEADCOUNT_MAX) from a local date on."""

    headcount: int
    starts_on: date | None  # None: from today, in the team's zone


@dataclass(frozen=True)
class TeamLanguage:
    """`/kaizen team language`: the language the team's channel posts are written in, and the choices."""


@dataclass(frozen=True)
class SetTeamLanguage:
    """`/kaizen team language CODE|default`: the team's posts in that language (one of `bot.i18n.LANGUAGES`; a
    Slack-style tag such as `ja-JP` is read by its language), or in the bot's (`default`: None)."""

    language: str | None


@dataclass(frozen=True)
class Export:
    """`/kaizen export`: the team's ideas as a CSV file."""


@dataclass(frozen=True)
class MyData:
    """`/kaizen my data`: what Kaizen keeps about the person, as a file in a DM."""


@dataclass(frozen=True)
class ForgetMe:
    """`/kaizen forget me`: what being forgotten means, and the buttons that ask for it."""


@dataclass(frozen=True)
class WalkUp:
    """`/kaizen form` (whether the team's walk-up form is on), `form new` (a new address, with its poster),
    `form off`, `form poster`, or `form review on|off` (what visitors send waits for a leader's Accept)."""

    action: str  # "show", "new", "off", "poster", "review on" or "review off"


@dataclass(frozen=True)
class Tier:
    """`/kaizen tier`: the chain above this team and the teams below it."""


@dataclass(frozen=True)
class TierUp:
    """`/kaizen tier up #channel`: the channel (as Slack escaped it: `<#C123|name>`) becomes this team's tier up."""

    channel_id: str
    channel_name: str  # "" when Slack sent none


@dataclass(frozen=True)
class TierOff:
    """`/kaizen tier off`: this team escalates to no one."""


@dataclass(frozen=True)
class Raise:
    """Any other text: raise it as an idea (the raise form opens with it)."""

    text: str  # plain text, decoded; may be empty


@dataclass(frozen=True)
class Usage:
    """Text that starts with a subcommand but does not parse as it: show that subcommand's usage."""

    subcommand: str
    text: str  # the decoded text, offered to raise as an idea instead

    @property
    def usage(self) -> str:
        """How the subcommand is written, as shown to the person (mrkdwn, in the reader's language)."""
        return _(USAGE[self.subcommand])


Command = (
    Help
    | ListIdeas
    | Mine
    | Show
    | HuddleNow
    | HuddleAt
    | HuddleOff
    | HuddleSkip
    | HuddleHolidays
    | Leaders
    | LeadersAdd
    | LeadersRemove
    | Stats
    | StatsRebase
    | StatsRebaseUndo
    | StatsSteps
    | Headcount
    | SetHeadcount
    | TeamLanguage
    | SetTeamLanguage
    | Export
    | MyData
    | ForgetMe
    | WalkUp
    | Tier
    | TierUp
    | TierOff
    | Raise
    | Usage
)

FORM_WORDS: tuple[list[str], ...] = ([], ["new"], ["off"], ["poster"], ["review", "on"], ["review", "off"])
_MENTION_ONLY = re.compile(r"^(<@[UW][A-Z0-9_]+(\|[^<>]*)?>\s*)+$")
_NUMBER = re.compile(r"^#?([0-9]{1,9})$")
# A channel as Slack escapes it in command text: <#C123|name>, or <#C123|> / <#C123> without the name.
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9_]{2,})(?:\|([^<>]*))?>$")
_ZONE = re.compile(r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){1,2}$|^UTC$")


def _parse_huddle(rest: list[str]) -> Command | None:
    if not rest:
        return HuddleNow()
    head, args = rest[0].lower(), rest[1:]
    if head == "off" and not args:
        return HuddleOff()
    if head == "skip" and len(args) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", args[0]):
        try:
            return HuddleSkip(date.fromisoformat(args[0]))
        except ValueError:
            return None
    if head == "holidays" and len(args) == 1:
        if args[0].lower() == "off":
            return HuddleHolidays(None)
        if re.fullmatch(r"[A-Za-z]{2}", args[0]):
            return HuddleHolidays(args[0].upper())
        return None
    if head == "at" and 1 <= len(args) <= 3:
        try:
            times = tuple(sorted({parse_hhmm(part) for part in args[0].split(",")}))
        except ValueError:
            return None
        days: tuple[int, ...] | None = None
        zone: str | None = None
        for arg in args[1:]:
            if days is None and zone is None and not _ZONE.match(arg):
                try:
                    days = parse_days(arg)
                except ValueError:
                    return None
            elif zone is None and _ZONE.match(arg):
                zone = arg
            else:
                return None
        return HuddleAt(times, days, zone)
    return None


def _parse_leaders(raw_rest: str, rest: list[str]) -> Command | None:
    if not rest:
        return Leaders()
    head = rest[0].lower()
    mentions_text = raw_rest.strip()[len(rest[0]) :].strip()
    if head in ("add", "remove") and mentions_text and _MENTION_ONLY.match(mentions_text):
        users = tuple(mentioned_user_ids(mentions_text))
        return LeadersAdd(users) if head == "add" else LeadersRemove(users)
    return None


def _day(word: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        return None
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


HEADCOUNT_MAX = 100_000


def _parse_stats(raw_rest: str, rest: list[str]) -> Command | None:
    if rest and rest[0].lower() == "rebase":
        args = rest[1:]
        if not args:
            return StatsSteps()
        if len(args) == 1 and args[0].lower() == "undo":
            return StatsRebaseUndo()
        day = _day(args[0])
        # The note is everything after the date, as the person typed it.
        note = decode_slack_text(raw_rest.strip()[len(rest[0]) :].strip()[len(args[0]) :]).strip()
        # A note that shows nothing (zero-width or braille blanks) would be a step nobody can read.
        if day is None or is_blank(note) or len(note) > limits.MEASURE_NOTE_MAX:
            return None
        return StatsRebase(day, " ".join(note.split()))
    weeks: int | None = None
    share = tree = False
    for word in rest:
        if word.lower() == "share" and not share:
            share = True
        elif word.lower() == "tree" and not tree:
            tree = True
        elif re.fullmatch(r"[0-9]{1,3}", word) and weeks is None and not share and 4 <= int(word) <= 156:
            weeks = int(word)
        else:
            return None
    return Stats(weeks, share, tree)


def _parse_team(rest: list[str]) -> Command | None:
    if rest and rest[0].lower() == "language":
        if len(rest) == 1:
            return TeamLanguage()
        if len(rest) == 2 and rest[1].lower() == "default":
            return SetTeamLanguage(None)
        language = language_of(rest[1]) if len(rest) == 2 else None
        return SetTeamLanguage(language) if language in LANGUAGES else None
    if not rest or rest[0].lower() != "headcount":
        return None
    args = rest[1:]
    if not args:
        return Headcount()
    if not re.fullmatch(r"[0-9]{1,6}", args[0]) or not 1 <= int(args[0]) <= HEADCOUNT_MAX:
        return None
    if len(args) == 1:
        return SetHeadcount(int(args[0]), None)
    if len(args) == 3 and args[1].lower() == "from" and (day := _day(args[2])) is not None:
        return SetHeadcount(int(args[0]), day)
    return None


def _parse_tier(rest: list[str]) -> Command | None:
    if not rest:
        return Tier()
    head = rest[0].lower()
    if head == "off" and len(rest) == 1:
        return TierOff()
    if head == "up" and len(rest) == 2:
        match = _CHANNEL.match(rest[1])
        if match:
            return TierUp(match.group(1), decode_slack_text(match.group(2) or ""))
    return None


def _number(word: str) -> int:
    match = _NUMBER.match(word)
    assert match is not None
    return int(match.group(1))


def parse_command(raw_text: str) -> Command:
    """Slack's escaped command text → the command it asks for."""
    stripped = raw_text.strip()
    plain = decode_slack_text(stripped).strip()
    words = stripped.split()
    if not words:
        return Raise("")
    head = words[0].lower()
    rest = words[1:]
    raw_rest = stripped[len(words[0]) :]
    if _NUMBER.match(head) and not rest:
        return Show(_number(head))
    parsed: Command | None
    if head == "help":
        parsed = Help() if not rest else None
    elif head == "list":
        parsed = ListIdeas(rest[0].lower()) if len(rest) == 1 and rest[0].lower() in LIST_FILTERS else None
        if not rest:
            parsed = ListIdeas(None)
    elif head == "mine":
        parsed = Mine() if not rest else None
    elif head == "show":
        parsed = Show(_number(rest[0])) if len(rest) == 1 and _NUMBER.match(rest[0]) else None
    elif head == "huddle":
        parsed = _parse_huddle(rest)
    elif head == "leaders":
        parsed = _parse_leaders(raw_rest, rest)
    elif head == "stats":
        parsed = _parse_stats(raw_rest, rest)
    elif (
        head == "team"
        and rest
        and (rest[0].lower() == "headcount" or (rest[0].lower() == "language" and len(rest) <= 2))
    ):
        # Only "team headcount …" and "team language [CODE]" are commands: "/kaizen team handover loses notes" and
        # "/kaizen team language barrier with agency staff" are ideas.
        parsed = _parse_team(rest)
    elif head == "export":
        parsed = Export() if not rest else None
    elif head == "tier" and (not rest or rest[0].lower() in ("up", "off")):
        # Only "tier", "tier up …" and "tier off" are commands: "/kaizen tier 2 staff miss breaks" is an idea.
        parsed = _parse_tier(rest)
    elif head == "form" and [word.lower() for word in rest] in FORM_WORDS:
        # Only these exact words: "/kaizen form for handover is confusing" is an idea.
        return WalkUp(" ".join(rest).lower() if rest else "show")
    elif (head, [word.lower() for word in rest]) in (("my", ["data"]), ("forget", ["me"])):
        # Only these exact words: "/kaizen my locker is broken" and "/kaizen forget the old rota" are ideas.
        return MyData() if head == "my" else ForgetMe()
    else:
        return Raise(plain)
    return parsed if parsed is not None else Usage(head, plain)
