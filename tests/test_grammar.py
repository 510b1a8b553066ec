"""The `/kaizen` grammar (product.md, "Slash command grammar"): exact matches run, near misses get usage, the
rest raises an idea. `parse_command` receives Slack's escaped text, as Slack sends it with should_escape."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.commands import (
    USAGE,
    Export,
    Help,
    HuddleAt,
    HuddleHolidays,
    HuddleNow,
    HuddleOff,
    HuddleSkip,
    Leaders,
    LeadersAdd,
    LeadersRemove,
    ListIdeas,
    Mine,
    Raise,
    Show,
    Stats,
    Usage,
    parse_command,
)

MON_FRI = (0, 1, 2, 3, 4)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("help", Help()),
        ("list", ListIdeas(None)),
        ("list new", ListIdeas("new")),
        ("list approved", ListIdeas("approved")),
        ("list in-progress", ListIdeas("in-progress")),
        ("list done", ListIdeas("done")),
        ("list not-now", ListIdeas("not-now")),
        ("list all", ListIdeas("all")),
        ("mine", Mine()),
        ("show 42", Show(42)),
        ("show #42", Show(42)),
        ("42", Show(42)),
        ("#42", Show(42)),
        ("  7  ", Show(7)),
        ("huddle", HuddleNow()),
        ("huddle at 08:30", HuddleAt((time(8, 30),), None, None)),
        ("huddle at 14:00,08:30", HuddleAt((time(8, 30), time(14, 0)), None, None)),
        ("huddle at 08:30 mon-fri", HuddleAt((time(8, 30),), MON_FRI, None)),
        ("huddle at 08:30 daily", HuddleAt((time(8, 30),), tuple(range(7)), None)),
        ("huddle at 08:30 Europe/London", HuddleAt((time(8, 30),), None, "Europe/London")),
        (
            "huddle at 08:30,14:00 mon,wed,fri Europe/London",
            HuddleAt((time(8, 30), time(14, 0)), (0, 2, 4), "Europe/London"),
        ),
        (
            "huddle at 07:00,19:00 daily America/Argentina/Buenos_Aires",
            HuddleAt((time(7, 0), time(19, 0)), tuple(range(7)), "America/Argentina/Buenos_Aires"),
        ),
        ("huddle off", HuddleOff()),
        ("huddle skip 2026-12-24", HuddleSkip(date(2026, 12, 24))),
        ("huddle holidays GB", HuddleHolidays("GB")),
        ("huddle holidays gb", HuddleHolidays("GB")),
        ("huddle holidays off", HuddleHolidays(None)),
        ("leaders", Leaders()),
        ("leaders add <@U1|a> <@U2|b>", LeadersAdd(("U1", "U2"))),
        ("leaders add <@U1>", LeadersAdd(("U1",))),
        ("leaders add <@U1|a> <@U1|a>", LeadersAdd(("U1",))),
        ("leaders add <@U1|bob smith>", LeadersAdd(("U1",))),
        ("leaders remove <@U1>", LeadersRemove(("U1",))),
        ("leaders remove <@U1|a> <@W2|b>", LeadersRemove(("U1", "W2"))),
        ("stats", Stats(None, False)),
        ("stats 26", Stats(26, False)),
        ("stats 26 share", Stats(26, True)),
        ("stats share", Stats(None, True)),
        ("export", Export()),
        # subcommand words are not case sensitive
        ("HELP", Help()),
        ("List Done", ListIdeas("done")),
    ],
)
def test_subcommands_that_match_their_grammar_run(text: str, command: object) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("text", "subcommand", "decoded"),
    [
        ("help me", "help", "help me"),
        ("list banana", "list", "list banana"),
        ("list done new", "list", "list done new"),
        ("mine please", "mine", "mine please"),
        ("show", "show", "show"),
        ("show forty", "show", "show forty"),
        ("show 1 2", "show", "show 1 2"),
        ("show ²", "show", "show ²"),
        ("show ٤٢", "show", "show ٤٢"),
        ("show 42x", "show", "show 42x"),
        ("huddle at 25:00", "huddle", "huddle at 25:00"),
        ("huddle at 08:60", "huddle", "huddle at 08:60"),
        ("huddle at 8.30", "huddle", "huddle at 8.30"),
        ("huddle at", "huddle", "huddle at"),
        ("huddle at 08:30,", "huddle", "huddle at 08:30,"),
        ("huddle at 08:30 weekends", "huddle", "huddle at 08:30 weekends"),
        ("huddle at 08:30 fri-mon", "huddle", "huddle at 08:30 fri-mon"),
        ("huddle at 08:30 mon-fri Europe/London extra", "huddle", "huddle at 08:30 mon-fri Europe/London extra"),
        ("huddle off now", "huddle", "huddle off now"),
        ("huddle skip tomorrow", "huddle", "huddle skip tomorrow"),
        ("huddle skip 2026-02-30", "huddle", "huddle skip 2026-02-30"),
        ("huddle skip", "huddle", "huddle skip"),
        ("huddle holidays", "huddle", "huddle holidays"),
        ("huddle holidays GBR", "huddle", "huddle holidays GBR"),
        ("huddle banana", "huddle", "huddle banana"),
        ("leaders add", "leaders", "leaders add"),
        ("leaders add bob", "leaders", "leaders add bob"),
        ("leaders add <@U1|a> bob", "leaders", "leaders add @a bob"),
        ("leaders add <!channel>", "leaders", "leaders add @channel"),
        ("leaders add <#C1|general>", "leaders", "leaders add #general"),
        ("leaders remove", "leaders", "leaders remove"),
        ("leaders promote <@U1|a>", "leaders", "leaders promote @a"),
        ("stats banana", "stats", "stats banana"),
        ("stats 26 26", "stats", "stats 26 26"),
        ("stats share share", "stats", "stats share share"),
        ("stats ²", "stats", "stats ²"),
        ("export csv", "export", "export csv"),
        # the text offered to "Raise this as an idea instead" is decoded once
        ("list &lt;everything&gt; &amp; more", "list", "list <everything> & more"),
        ("show <@U1|bob>", "show", "show @bob"),
    ],
)
def test_near_misses_get_their_subcommands_usage(text: str, subcommand: str, decoded: str) -> None:
    parsed = parse_command(text)
    assert parsed == Usage(subcommand, decoded)
    assert isinstance(parsed, Usage)
    assert parsed.usage == USAGE[subcommand]
    assert f"/kaizen {subcommand}" in parsed.usage


@pytest.mark.parametrize(
    "text",
    [
        "huddle skip 20261224",  # the grammar says YYYY-MM-DD; Python also reads these ISO forms as dates
        "huddle skip 2026-W52-4",
    ],
)
def test_huddle_skip_takes_only_yyyy_mm_dd(text: str) -> None:
    assert parse_command(text) == Usage("huddle", text)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("", ""),
        ("   ", ""),
        ("The fridge is broken &amp; leaking", "The fridge is broken & leaking"),
        ("listing problems", "listing problems"),  # first word is not exactly a subcommand
        ("helpful idea: label the drawers", "helpful idea: label the drawers"),
        ("shows are late", "shows are late"),
        ("exporting notes takes ages", "exporting notes takes ages"),
        ("42 beds and only 3 pumps", "42 beds and only 3 pumps"),
        ("²", "²"),  # a superscript digit is not a number
        ("٤٢", "٤٢"),  # nor are Arabic-Indic digits
        ("４２", "４２"),  # nor full-width ones
        ("1234567890", "1234567890"),  # too long to be an idea number
        ("<@U1|bob> says the pump alarm is too quiet", "@bob says the pump alarm is too quiet"),
        ("<!channel> the lift is out", "@channel the lift is out"),
        ("&lt;!here&gt; typed on purpose", "<!here> typed on purpose"),
        ("  padded text  ", "padded text"),
    ],
)
def test_anything_else_raises_an_idea_with_the_decoded_text(text: str, plain: str) -> None:
    assert parse_command(text) == Raise(plain)
