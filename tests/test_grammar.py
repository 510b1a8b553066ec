"""The `/kaizen` grammar (product.md, "Slash command grammar"): exact matches run, near misses get usage, the
rest raises an idea. `parse_command` receives Slack's escaped text, as Slack sends it with should_escape."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.grammar import (
    USAGE,
    Export,
    ForgetMe,
    Headcount,
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
    MyData,
    Raise,
    SetHeadcount,
    SetTeamLanguage,
    Show,
    Stats,
    StatsRebase,
    StatsRebaseUndo,
    StatsSteps,
    TeamLanguage,
    Tier,
    TierOff,
    TierUp,
    Usage,
    parse_command,
)
from bot.limits import MEASURE_NOTE_MAX as NOTE_MAX

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
        ("stats rebase 2026-03-02 started daily huddles", StatsRebase(date(2026, 3, 2), "started daily huddles")),
        ("stats rebase 2026-03-02 new   rota\tfrom today", StatsRebase(date(2026, 3, 2), "new rota from today")),
        ("stats rebase 2024-02-29 leap", StatsRebase(date(2024, 2, 29), "leap")),
        # the note is decoded once: as the person meant it, escaped only when shown
        ("stats rebase 2026-03-02 &lt;!channel&gt; *bold* &amp;", StatsRebase(date(2026, 3, 2), "<!channel> *bold* &")),
        ("stats rebase 2026-03-02 <!channel> ask <@U1|bob>", StatsRebase(date(2026, 3, 2), "@channel ask @bob")),
        ("stats rebase 2026-03-02 <https://x.example|plan>", StatsRebase(date(2026, 3, 2), "plan (https://x.example)")),
        ("stats rebase 2026-03-02 " + "n" * NOTE_MAX, StatsRebase(date(2026, 3, 2), "n" * NOTE_MAX)),
        ("stats rebase 2026-03-02 " + "&amp;" * NOTE_MAX, StatsRebase(date(2026, 3, 2), "&" * NOTE_MAX)),
        ("stats rebase undo", StatsRebaseUndo()),
        ("Stats Rebase UNDO", StatsRebaseUndo()),
        ("stats rebase", StatsSteps()),
        ("team headcount", Headcount()),
        ("team headcount 42", SetHeadcount(42, None)),
        ("team headcount 1", SetHeadcount(1, None)),
        ("team headcount 100000", SetHeadcount(100_000, None)),
        ("team headcount 40 from 2026-01-05", SetHeadcount(40, date(2026, 1, 5))),
        ("Team Headcount 40 FROM 2026-01-05", SetHeadcount(40, date(2026, 1, 5))),
        ("team language", TeamLanguage()),
        ("team language ja", SetTeamLanguage("ja")),
        ("Team Language DE", SetTeamLanguage("de")),
        ("team language ja-JP", SetTeamLanguage("ja")),  # Slack's own tags read by their language
        ("team language es-LA", SetTeamLanguage("es")),
        ("team language default", SetTeamLanguage(None)),
        ("export", Export()),
        ("my data", MyData()),
        ("My Data", MyData()),
        ("forget me", ForgetMe()),
        ("FORGET ME", ForgetMe()),
        ("tier", Tier()),
        ("tier off", TierOff()),
        ("Tier Off", TierOff()),
        ("tier up <#C0DEPT|surgery-dept>", TierUp("C0DEPT", "surgery-dept")),
        ("tier up <#C0DEPT|>", TierUp("C0DEPT", "")),  # Slack may leave the name out
        ("tier up <#C0DEPT>", TierUp("C0DEPT", "")),
        ("tier up <#G0PRIV|icu-leads>", TierUp("G0PRIV", "icu-leads")),
        ("tier up <#C0DEPT|a&amp;e-dept>", TierUp("C0DEPT", "a&e-dept")),
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
        ("stats rebase 2026-02-30 new rota", "stats", "stats rebase 2026-02-30 new rota"),
        ("stats rebase 2026-3-2 new rota", "stats", "stats rebase 2026-3-2 new rota"),
        ("stats rebase 20260302 new rota", "stats", "stats rebase 20260302 new rota"),
        ("stats rebase 2026-W10-1 new rota", "stats", "stats rebase 2026-W10-1 new rota"),
        ("stats rebase yesterday new rota", "stats", "stats rebase yesterday new rota"),
        ("stats rebase 2026-03-02", "stats", "stats rebase 2026-03-02"),
        ("stats rebase 2026-03-02 " + "n" * (NOTE_MAX + 1), "stats", "stats rebase 2026-03-02 " + "n" * (NOTE_MAX + 1)),
        ("stats rebase undo now", "stats", "stats rebase undo now"),
        ("stats rebase new rota", "stats", "stats rebase new rota"),
        ("stats 12 rebase", "stats", "stats 12 rebase"),
        ("team headcount lots", "team", "team headcount lots"),
        ("team headcount 0", "team", "team headcount 0"),
        ("team headcount 100001", "team", "team headcount 100001"),
        ("team headcount -3", "team", "team headcount -3"),
        ("team headcount 4.5", "team", "team headcount 4.5"),
        ("team headcount ４２", "team", "team headcount ４２"),
        ("team headcount 42 from", "team", "team headcount 42 from"),
        ("team headcount 42 from 2026-02-30", "team", "team headcount 42 from 2026-02-30"),
        ("team headcount 42 since 2026-01-05", "team", "team headcount 42 since 2026-01-05"),
        ("team headcount 42 from 2026-01-05 on", "team", "team headcount 42 from 2026-01-05 on"),
        ("team headcount from 2026-01-05", "team", "team headcount from 2026-01-05"),
        ("team language fr", "team", "team language fr"),  # not a language the catalogs speak
        ("team language xx-YY", "team", "team language xx-YY"),
        ("team language 日本語", "team", "team language 日本語"),
        ("export csv", "export", "export csv"),
        # a channel typed, not picked from Slack's list, arrives as plain text: no channel id to link
        ("tier up #surgery-dept", "tier", "tier up #surgery-dept"),
        ("tier up", "tier", "tier up"),
        ("tier up <#C0DEPT|dept> <#C0EXEC|exec>", "tier", "tier up #dept #exec"),
        ("tier up <@U1|bob>", "tier", "tier up @bob"),
        ("tier off now", "tier", "tier off now"),
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
        # only `team headcount` and `team language [CODE]` are commands: other words after "team" are an idea
        ("team", "team"),
        ("team language barrier with agency staff", "team language barrier with agency staff"),
        ("team language ja es", "team language ja es"),
        ("team handover notes are lost", "team handover notes are lost"),
        ("team headcounts are wrong on the rota", "team headcounts are wrong on the rota"),
        ("teamwork &amp; handover", "teamwork & handover"),
        ("rebase the drip stands", "rebase the drip stands"),
        # only `my data` and `forget me` exactly: other words after "my" or "forget" are an idea
        ("my locker is broken", "my locker is broken"),
        ("my data entry takes too long", "my data entry takes too long"),
        ("my", "my"),
        ("forget", "forget"),
        ("forget the old rota", "forget the old rota"),
        ("forget me not flowers in the day room", "forget me not flowers in the day room"),
        # only `tier`, `tier up …` and `tier off`: other words after "tier" are an idea
        ("tier 2 staff miss their breaks", "tier 2 staff miss their breaks"),
        ("tiered trolleys block the corridor", "tiered trolleys block the corridor"),
    ],
)
def test_anything_else_raises_an_idea_with_the_decoded_text(text: str, plain: str) -> None:
    assert parse_command(text) == Raise(plain)


@pytest.mark.parametrize("blank", ["\u200b", "\u2800", "\u200b\u200d", "\u00a0\u3000"])
def test_a_rebase_note_that_shows_nothing_gets_the_usage(blank: str) -> None:
    text = f"stats rebase 2026-03-02 {blank}"
    assert parse_command(text) == Usage("stats", text.strip())


def test_the_usage_of_stats_and_team_shows_the_new_forms() -> None:
    assert "/kaizen stats rebase YYYY-MM-DD what changed" in USAGE["stats"]
    assert "/kaizen stats rebase undo" in USAGE["stats"]
    assert "/kaizen team headcount 42 [from YYYY-MM-DD]" in USAGE["team"]
