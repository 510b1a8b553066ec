"""The steps of a series in a chart's summary, each a line under its lead sentence: a leader's new usual range
(`rebase_line`, or `pending_line` when it starts with the period in progress), an automatic one after a run
(`shift_line`), and unusual jumps between periods (`jumps_line`); and a step in a few words for the person who made
or undid it (`step_words`)."""

from __future__ import annotations

from datetime import date

from bot.i18n import _, n_
from bot.measures.periods import FORTNIGHT, MONTH
from bot.measures.xmr import BASELINE_MIN, REBASE, RUN_LENGTH
from bot.text import escape


def shift_line(period: str, start: str) -> str:
    """An automatic new usual range from `start`, after a run of 8 periods on one side of the average."""
    if period == FORTNIGHT:
        # Translators: a line of a chart's summary: the bot started a new usual range by itself on {date}, after
        # {count} fortnights (periods of two weeks) in a row on one side of the average
        return n_(
            "New usual range from {date}, after {count} fortnight in a row on one side of average "
            "(`/kaizen stats rebase undo` takes it back).",
            "New usual range from {date}, after {count} fortnights in a row on one side of average "
            "(`/kaizen stats rebase undo` takes it back).",
            RUN_LENGTH,
            date=start,
        )
    if period == MONTH:
        # Translators: a line of a chart's summary: the bot started a new usual range by itself on {date}, after
        # {count} months in a row on one side of the average
        return n_(
            "New usual range from {date}, after {count} month in a row on one side of average "
            "(`/kaizen stats rebase undo` takes it back).",
            "New usual range from {date}, after {count} months in a row on one side of average "
            "(`/kaizen stats rebase undo` takes it back).",
            RUN_LENGTH,
            date=start,
        )
    # Translators: a line of a chart's summary: the bot started a new usual range by itself on {date}, after {count}
    # weeks in a row on one side of the average
    return n_(
        "New usual range from {date}, after {count} week in a row on one side of average "
        "(`/kaizen stats rebase undo` takes it back).",
        "New usual range from {date}, after {count} weeks in a row on one side of average "
        "(`/kaizen stats rebase undo` takes it back).",
        RUN_LENGTH,
        date=start,
    )


def jumps_line(period: str, count: int) -> str:
    """More than one unusual jump between periods in the window."""
    if period == FORTNIGHT:
        # Translators: a line of a chart's summary: unusual jumps between fortnights (periods of two weeks)
        return n_(
            "{count} unusual jump between fortnights; left out of the usual range.",
            "{count} unusual jumps between fortnights; left out of the usual range.",
            count,
        )
    if period == MONTH:
        # Translators: a line of a chart's summary: unusual jumps between months
        return n_(
            "{count} unusual jump between months; left out of the usual range.",
            "{count} unusual jumps between months; left out of the usual range.",
            count,
        )
    # Translators: a line of a chart's summary: unusual jumps between weeks
    return n_(
        "{count} unusual jump between weeks; left out of the usual range.",
        "{count} unusual jumps between weeks; left out of the usual range.",
        count,
    )


def rebase_line(start: str, note: str | None) -> str:
    """A leader's new usual range from `start`, with their note (escaped here)."""
    if note:
        # Translators: a line of a chart's summary: a leader started a new usual range on {date}; {note} is their
        # note (their own words)
        return _("New usual range from {date}: {note}.", date=start, note=escape(note))
    # Translators: a line of a chart's summary: a leader started a new usual range on {date}, without a note
    return _("New usual range from {date}: a new baseline.", date=start)


def pending_line(period: str, start: str, note: str | None) -> str:
    """A leader's new usual range from the period in progress, set by its first complete periods."""
    if note:
        return _pending_note_line(period, start, escape(note))
    if period == FORTNIGHT:
        # Translators: a line of a chart's summary: a leader started a new usual range from the fortnight in
        # progress (two weeks), without a note; its first {count} complete fortnights will set it
        return n_(
            "New usual range from {date}: a new baseline (from the fortnight in progress; {count} complete "
            "fortnight sets it).",
            "New usual range from {date}: a new baseline (from the fortnight in progress; {count} complete "
            "fortnights set it).",
            BASELINE_MIN,
            date=start,
        )
    if period == MONTH:
        # Translators: a line of a chart's summary: a leader started a new usual range from the month in progress,
        # without a note; its first {count} complete months will set it
        return n_(
            "New usual range from {date}: a new baseline (from the month in progress; {count} complete month sets it).",
            "New usual range from {date}: a new baseline (from the month in progress; {count} complete months set it).",
            BASELINE_MIN,
            date=start,
        )
    # Translators: a line of a chart's summary: a leader started a new usual range from the week in progress, without
    # a note; its first {count} complete weeks will set it
    return n_(
        "New usual range from {date}: a new baseline (from the week in progress; {count} complete week sets it).",
        "New usual range from {date}: a new baseline (from the week in progress; {count} complete weeks set it).",
        BASELINE_MIN,
        date=start,
    )


def _pending_note_line(period: str, start: str, note: str) -> str:
    """`pending_line` with the leader's note (escaped)."""
    if period == FORTNIGHT:
        # Translators: a line of a chart's summary: a leader started a new usual range from the fortnight in
        # progress (two weeks); {note} is their note (their own words); its first {count} complete fortnights will
        # set it
        return n_(
            "New usual range from {date}: {note} (from the fortnight in progress; {count} complete fortnight sets it).",
            "New usual range from {date}: {note} (from the fortnight in progress; {count} complete fortnights set it).",
            BASELINE_MIN,
            date=start,
            note=note,
        )
    if period == MONTH:
        # Translators: a line of a chart's summary: a leader started a new usual range from the month in progress;
        # {note} is their note (their own words); its first {count} complete months will set it
        return n_(
            "New usual range from {date}: {note} (from the month in progress; {count} complete month sets it).",
            "New usual range from {date}: {note} (from the month in progress; {count} complete months set it).",
            BASELINE_MIN,
            date=start,
            note=note,
        )
    # Translators: a line of a chart's summary: a leader started a new usual range from the week in progress; {note}
    # is their note (their own words); its first {count} complete weeks will set it
    return n_(
        "New usual range from {date}: {note} (from the week in progress; {count} complete week sets it).",
        "New usual range from {date}: {note} (from the week in progress; {count} complete weeks set it).",
        BASELINE_MIN,
        date=start,
        note=note,
    )


def step_words(kind: str, starts_on: date, note: str | None) -> str:
    """A step in a few words for the person who made or undid it, to go inside a sentence ("Took back …")."""
    if kind == REBASE:
        # Translators: a leader's new baseline of the charts from {date}, with their note (their own words), inside a
        # sentence such as "Took back the new baseline from 2026-09-07 (started daily huddles)."
        return _("the new baseline from {date} ({note})", date=starts_on.isoformat(), note=escape(note or ""))
    # Translators: a new usual range the bot started by itself from {date}, inside a sentence such as "Took back the
    # automatic new usual range from 2026-09-28."
    return _("the automatic new usual range from {date}", date=starts_on.isoformat())
