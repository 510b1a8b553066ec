"""A scope's measures, judged and laid out for people: what the chart draws, the summary in words, and the same
as JSON or CSV for a quality report or a board paper (`kaizen-bot stats`).

Every series is judged over its whole history (limits anchored in time); the window only chooses what is shown,
so `/kaizen stats 12` and `/kaizen stats 52` show the same limits for the same weeks.

Titles are in the reader's language (`bot.i18n`), made when the report is measured and drawn; the JSON and CSV
keep their keys, names and periods in English (machine-facing), and `kaizen-bot stats` reads English.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, n_
from bot.measures import baselines
from bot.measures.baselines import StepRecord
from bot.measures.chart_series import ChartSeries
from bot.measures.charts import render_png
from bot.measures.figures import Headline, denominator, headline
from bot.measures.periods import FORTNIGHT, MONTH, WEEK, period_start
from bot.measures.series import DAYS_TO_DECISION, DONE, ESCALATED, PEOPLE, RAISED, WAITING, Series, measure_series
from bot.measures.xmr import Episode, XmRChart
from storage.db import Database
from storage.measures import Scope

DEFAULT_WEEKS = 26
# A report's `where` when it names no channel (kept in English in the JSON; its title says it in the reader's words).
WORKSPACE = "the workspace"
THIS_TEAM = "this team"  # a team whose channel's name is not known

# The charts' titles by series and period (the ideas waiting have a number in theirs: `_waiting_title`).
TITLES = {
    (RAISED, WEEK): N_("Ideas raised per week"),
    (RAISED, FORTNIGHT): N_("Ideas raised per fortnight"),
    (RAISED, MONTH): N_("Ideas raised per month"),
    (DONE, WEEK): N_("Ideas done per week"),
    (DONE, FORTNIGHT): N_("Ideas done per fortnight"),
    (DONE, MONTH): N_("Ideas done per month"),
    (PEOPLE, WEEK): N_("People taking part per week"),
    (PEOPLE, FORTNIGHT): N_("People taking part per fortnight"),
    (PEOPLE, MONTH): N_("People taking part per month"),
    # Translators: a chart's title: the median number of days from raising an idea to its first decision
    (DAYS_TO_DECISION, WEEK): N_("Days to a decision (median per week)"),
    # Translators: a chart's title: the median number of days from raising an idea to its first decision
    (DAYS_TO_DECISION, FORTNIGHT): N_("Days to a decision (median per fortnight)"),
    # Translators: a chart's title: the median number of days from raising an idea to its first decision
    (DAYS_TO_DECISION, MONTH): N_("Days to a decision (median per month)"),
}


def title(series: Series, nudge_days: int) -> str:
    """The chart's title for a series, with its period, in the reader's language: "Ideas raised per fortnight"."""
    if series.name == WAITING:
        return _waiting_title(series.period, nudge_days)
    if series.name == ESCALATED:  # a stock, always weekly
        # Translators: a chart's title: how many ideas escalated to this team (from a team below) were waiting for
        # its decision, counted at the end of each week
        return _("Escalated ideas waiting for a decision, at each week's end")
    period = series.period if series.period in (FORTNIGHT, MONTH) else WEEK
    return _(TITLES[series.name, period])


def _waiting_title(period: str, nudge_days: int) -> str:
    """The title of the ideas waiting for a decision: counted at the end of each period (a week, in practice)."""
    if period == FORTNIGHT:
        # Translators: a chart's title: how many ideas had waited longer than {count} days for a decision, counted
        # at the end of each fortnight
        return n_(
            "Ideas waiting over {count} day for a decision, at each fortnight's end",
            "Ideas waiting over {count} days for a decision, at each fortnight's end",
            nudge_days,
        )
    if period == MONTH:
        # Translators: a chart's title: how many ideas had waited longer than {count} days for a decision, counted
        # at the end of each month
        return n_(
            "Ideas waiting over {count} day for a decision, at each month's end",
            "Ideas waiting over {count} days for a decision, at each month's end",
            nudge_days,
        )
    # Translators: a chart's title: how many ideas had waited longer than {count} days for a decision, counted at
    # the end of each week
    return n_(
        "Ideas waiting over {count} day for a decision, at each week's end",
        "Ideas waiting over {count} days for a decision, at each week's end",
        nudge_days,
    )


@dataclass(frozen=True)
class Measured:
    """One series judged: `first_shown` is the index of the first complete period in the window."""

    series: Series
    chart: XmRChart
    title: str
    first_shown: int

    def shown(self, index: int) -> bool:
        """Whether the complete period at `index` is inside the report's window."""
        return index >= self.first_shown


@dataclass(frozen=True)
class Report:
    """Everything `/kaizen stats` and `kaizen-bot stats` show for one scope at one moment."""

    scope: Scope
    where: str  # "#ward-7", "the workspace"
    weeks: int  # the window, in weeks up to and including the current one
    now: datetime
    zone: str
    nudge_days: int
    measured: tuple[Measured, ...]
    figures: Headline
    steps: tuple[StepRecord, ...]  # the scope's step history, undone ones included

    @property
    def place(self) -> str:
        """Where, as the JSON, the CSV and file names say it (in English): `where`, and for a tier's tree "#surgery-dept
        and the teams below"."""
        return f"{self.where} and the teams below" if self.scope.tree else self.where

    @property
    def title(self) -> str:
        """The report's heading in the reader's language, the team's name first (what a phone shows of it):
        "#ward-7 · Kaizen, the last 12 weeks", "The workspace · Kaizen, the last 12 weeks", "#surgery-dept and the
        teams below · Kaizen, the last 12 weeks"."""
        if self.scope.tree:
            # Translators: the title of the charts of a team with every team below it in the tiers (its wards, for a
            # department); {team} is the team's channel name, e.g. "#surgery-dept"
            return n_(
                "{team} and the teams below · Kaizen, the last {count} week",
                "{team} and the teams below · Kaizen, the last {count} weeks",
                self.weeks,
                team=f"{self.where[:1].upper()}{self.where[1:]}",
            )
        if self.where == WORKSPACE:
            # Translators: the title of the charts of the whole workspace (every team)
            return n_(
                "The workspace · Kaizen, the last {count} week", "The workspace · Kaizen, the last {count} weeks",
                self.weeks,
            )  # fmt: skip
        if self.where == THIS_TEAM:
            # Translators: the title of a team's charts, when the name of its channel is not known
            return n_(
                "This team · Kaizen, the last {count} week", "This team · Kaizen, the last {count} weeks", self.weeks
            )
        # Translators: the title of a team's charts; {team} is its channel's name, e.g. "#ward-7"
        return n_(
            "{team} · Kaizen, the last {count} week", "{team} · Kaizen, the last {count} weeks", self.weeks,
            team=f"{self.where[:1].upper()}{self.where[1:]}",
        )  # fmt: skip


def _first_shown(series: Series, zone: ZoneInfo, now: datetime, weeks: int) -> int:
    this_week = period_start(now.astimezone(zone).date(), WEEK)
    cutoff = period_start(this_week - timedelta(weeks=weeks - 1), series.period)
    return bisect.bisect_left(series.starts, cutoff)


def measure(
    db: Database,
    scope: Scope,
    *,
    where: str,
    zone: ZoneInfo,
    now: datetime,
    weeks: int,
    nudge_days: int,
    members: int | None,
) -> Report:
    """Measure and judge `scope` to `now` (aware), showing the last `weeks` weeks; records shifts found for the
    first time in the step history. `members`: the channel's human members, the denominator when no headcount
    is set (None: unknown)."""
    all_series = measure_series(db, scope, zone, now, nudge_days)
    records = baselines.history(db, scope)
    measured = []
    for series in all_series:
        chart = baselines.judge(series, records)
        records += baselines.record_shifts(db, scope, series, chart, records, now)
        measured.append(Measured(series, chart, title(series, nudge_days), _first_shown(series, zone, now, weeks)))
    per = denominator(db, scope, now.astimezone(zone).date(), members)
    return Report(
        scope=scope,
        where=where,
        weeks=weeks,
        now=now,
        zone=zone.key,
        nudge_days=nudge_days,
        measured=tuple(measured),
        figures=headline(db, scope, now, per),
        steps=tuple(records),
    )


def episodes(one: Measured) -> list[Episode]:
    """The signals of the window, one per occurrence (a shift's run included), oldest first."""
    found = {(e.rule, e.side, e.start): e for e in (*one.chart.episodes, *one.chart.shifts) if one.shown(e.end)}
    # A shift's run can also be a run of the new limits it started: one occurrence, said once.
    return sorted(found.values(), key=lambda e: (e.start, e.rule, e.side))


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _day(starts: Sequence[date], index: int) -> str:
    return starts[index].isoformat()


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data: {"scope": {"workspace", "team", "tree": the tier tree's team ids or null},
    "where", "generated_at", "weeks", "series": [{"name", "title",
    "period", "points": [{"start", "value", "complete"}], "limits": [{"from", "until", "center", "lower",
    "upper", "trial", "kind", "note", "baseline_points"}], "signals": [{"rule", "side", "start", "end"}],
    "unusual_jumps": [{"from", "to", "size"}]}], "figures": {...}, "steps": [...]}. Dates are local ISO dates;
    "until" is exclusive (null: still in force)."""
    series = []
    for one in report.measured:
        s, chart = one.series, one.chart
        points: list[dict[str, Any]] = [
            {"start": _day(s.starts, i), "value": _number(s.values[i]), "complete": True}
            for i in range(one.first_shown, len(s.values))
        ]
        points.append({"start": s.current_start.isoformat(), "value": _number(s.current_value), "complete": False})
        limits = [
            {
                "from": _day(s.starts, segment.start),
                "until": _day(s.starts, segment.end) if segment.end < len(s.values) else None,
                "center": _number(segment.limits.center),
                "lower": _number(segment.limits.lower),
                "upper": _number(segment.limits.upper),
                "trial": segment.limits.trial,
                "kind": segment.kind,
                "note": segment.note,
                "baseline_points": segment.limits.baseline_points,
            }
            for segment in chart.segments
            if segment.limits is not None and one.shown(segment.end - 1)
        ]
        series.append(
            {
                "name": s.name,
                "title": one.title,
                "period": s.period,
                "points": points,
                "limits": limits,
                "signals": [
                    {"rule": e.rule, "side": e.side, "start": _day(s.starts, e.start), "end": _day(s.starts, e.end)}
                    for e in episodes(one)
                ],
                "unusual_jumps": [
                    {"from": _day(s.starts, j.previous), "to": _day(s.starts, j.index), "size": _number(j.size)}
                    for j in chart.jumps
                    if one.shown(j.index)
                ],
            }
        )
    f = report.figures
    return {
        "scope": {
            "workspace": report.scope.workspace_id,
            "team": report.scope.team_id,
            "tree": list(report.scope.tree) if report.scope.tree else None,
        },
        "where": report.place,
        "generated_at": report.now.isoformat(),
        "time_zone": report.zone,
        "weeks": report.weeks,
        "series": series,
        "figures": {
            "weeks": 52,
            "done": f.done,
            "participants": f.participants,
            "denominator": {"value": f.denominator.value, "kind": f.denominator.kind} if f.denominator else None,
            "done_per_person_per_year": _number(f.done_per_person_per_year),
            "participation_rate": _number(f.participation_rate),
            "approved": f.approved,
            "not_now": f.not_now,
            "approval_rate": _number(f.approval_rate),
            "median_days_to_decision": _number(f.median_days_to_decision),
        },
        "steps": [
            {
                "kind": step.kind,
                "series": step.series,
                "from": step.starts_on.isoformat(),
                "note": step.note,
                "side": step.side,
                "by": step.created_by,
                "at": step.created_at.isoformat(),
                "undone_at": step.undone_at.isoformat() if step.undone_at else None,
                "undone_by": step.undone_by,
            }
            for step in report.steps
        ],
    }


CSV_COLUMNS = ("series", "period", "start", "value", "complete", "center", "lower", "upper", "trial", "signals")


def as_csv(report: Report) -> str:
    """One row per period shown, with the limits in force for it and the rules that flag it (e.g. "2;3")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for one in report.measured:
        s, chart = one.series, one.chart
        for i in range(one.first_shown, len(s.values)):
            limits = chart.segment_of(i).limits
            rules = sorted({signal.rule for signal in chart.signals if signal.index == i})
            writer.writerow(
                [
                    s.name, s.period, _day(s.starts, i), _csv_number(s.values[i]), "yes",
                    *(
                        (_csv_number(limits.center), _csv_number(limits.lower), _csv_number(limits.upper),
                         "yes" if limits.trial else "no")
                        if limits else ("", "", "", "")
                    ),
                    ";".join(str(rule) for rule in rules),
                ]
            )  # fmt: skip
        writer.writerow(
            [s.name, s.period, s.current_start.isoformat(), _csv_number(s.current_value), "no", "", "", "", "", ""]
        )
    return out.getvalue()


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}" if value != int(value) else str(int(value))


def chart_title(one: Measured, nudge_days: int) -> str:
    """A row's title on the PNG: the series' title, shorter where it would not fit a phone's width."""
    if one.series.name == ESCALATED:
        # Translators: a chart's title (short, for a phone): how many ideas escalated to this team were waiting
        return _("Escalated ideas waiting for a decision")
    if one.series.name == WAITING:
        # Translators: a chart's title (short, for a phone): how many ideas had waited longer than {count} days for
        # a decision
        return n_(
            "Ideas waiting over {count} day for a decision",
            "Ideas waiting over {count} days for a decision",
            nudge_days,
        )
    return one.title


def chart_series(report: Report) -> list[ChartSeries]:
    """What the PNG draws: each series' window, judged over its whole history."""
    return [
        ChartSeries(
            title=chart_title(one, report.nudge_days),
            period=one.series.period,
            starts=one.series.starts[one.first_shown :],
            values=one.series.values[one.first_shown :],
            chart=one.chart,
            first_index=one.first_shown,
            current_start=one.series.current_start,
            current_value=one.series.current_value,
            count=one.series.count,
        )
        for one in report.measured
    ]


def png(report: Report) -> bytes:
    """The report's chart: one PNG, a row per series."""
    return render_png(chart_series(report), title=report.title)


def file_name(where: str) -> str:
    """A safe PNG file name for a report: "kaizen-ward-7.png"."""
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in where.lstrip("#")).strip("-") or "report"
    return f"kaizen-{slug}.png"


def csv_text(reports: Sequence[Report], *, tree: bool) -> str:
    """The reports as one CSV; with `tree`, a first column says which team (or the workspace) a row is of."""
    if not tree:
        return as_csv(reports[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("where", *CSV_COLUMNS))
    for report in reports:
        for row in list(csv.reader(io.StringIO(as_csv(report))))[1:]:
            writer.writerow((report.place, *row))
    return out.getvalue()
