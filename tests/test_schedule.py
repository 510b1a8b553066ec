"""When a team's huddles are due (`bot.schedule.due_slots`), checked at hand-picked instants: slots on their days,
skip dates, public holidays, both daylight-saving changes of 2026 in London and New York, the grace window and
local midnight. Pure and fast: no database, no Slack."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.huddles.daily import QUESTIONS, question_of_the_day
from bot.huddles.times import GRACE, Slot, due_slots, is_holiday, supported_country

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MON_FRI = range(5)
DAILY = range(7)
WEDNESDAY = date(2026, 11, 25)  # London is on GMT (UTC+0) then, New York on EST (UTC-5)


def due(
    now: datetime,
    times: Sequence[str] = ("08:30",),
    *,
    days: Collection[int] = MON_FRI,
    zone: ZoneInfo = LONDON,
    skips: Collection[date] = (),
    holidays: str | None = None,
) -> list[Slot]:
    return due_slots(
        times=[time.fromisoformat(t) for t in times],
        days=set(days),
        zone=zone,
        skips=set(skips),
        holiday_country=holidays,
        now=now,
    )


def at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """A local wall-clock time that exists once (not on a DST change), as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots_over(start: datetime, end: datetime, step: timedelta = timedelta(minutes=1), **kwargs) -> dict[Slot, list]:
    """Every slot seen due at any instant in [start, end), with the instants it was due at."""
    seen: dict[Slot, list[datetime]] = {}
    now = start.astimezone(UTC)  # step in real time: wall-clock arithmetic would land in DST gaps
    end = end.astimezone(UTC)
    while now < end:
        for slot in due(now, **kwargs):
            seen.setdefault(slot, []).append(now)
        now += step
    return seen


# --- one slot, several slots -----------------------------------------------------------------------------------


def test_one_slot_a_day_is_due_from_its_time_not_a_second_before():
    slot_at = at(WEDNESDAY, "08:30", LONDON)
    assert due(slot_at - timedelta(seconds=1)) == []
    assert due(slot_at) == [Slot(0, WEDNESDAY, slot_at.astimezone(UTC))]
    assert due(slot_at + timedelta(minutes=1)) == [Slot(0, WEDNESDAY, utc(2026, 11, 25, 8, 30))]


def test_the_slot_instant_follows_the_team_zone():
    # 08:30 in New York in November is 13:30 UTC: at 08:30 UTC nothing is due there yet.
    assert due(utc(2026, 11, 25, 8, 30), zone=NEW_YORK) == []
    assert due(utc(2026, 11, 25, 13, 30), zone=NEW_YORK) == [Slot(0, WEDNESDAY, utc(2026, 11, 25, 13, 30))]


def test_several_slots_a_day_are_numbered_in_time_order_and_each_is_due_at_its_own_time():
    times = ("14:00", "08:30", "21:15")  # given out of order: the first of the day is still slot 0
    assert due(at(WEDNESDAY, "08:45", LONDON), times) == [Slot(0, WEDNESDAY, utc(2026, 11, 25, 8, 30))]
    assert due(at(WEDNESDAY, "14:00", LONDON), times) == [Slot(1, WEDNESDAY, utc(2026, 11, 25, 14, 0))]
    assert due(at(WEDNESDAY, "21:20", LONDON), times) == [Slot(2, WEDNESDAY, utc(2026, 11, 25, 21, 15))]
    assert due(at(WEDNESDAY, "12:00", LONDON), times) == []  # between slots, after the first's grace


def test_two_slots_close_together_are_both_due_inside_their_grace():
    slots = due(at(WEDNESDAY, "09:10", LONDON), ("08:30", "09:00"))
    assert slots == [Slot(0, WEDNESDAY, utc(2026, 11, 25, 8, 30)), Slot(1, WEDNESDAY, utc(2026, 11, 25, 9, 0))]


def test_over_a_whole_day_each_slot_is_one_slot():
    seen = slots_over(at(WEDNESDAY, "00:00", LONDON), at(WEDNESDAY, "23:59", LONDON), times=("08:30", "14:00"))
    assert sorted((s.index, s.at) for s in seen) == [(0, utc(2026, 11, 25, 8, 30)), (1, utc(2026, 11, 25, 14, 0))]


# --- days, skip dates, public holidays -------------------------------------------------------------------------


def test_mon_fri_skips_saturday_and_sunday():
    friday, saturday, sunday, monday = (date(2026, 11, d) for d in (27, 28, 29, 30))
    assert [s.local_date for s in due(at(friday, "08:31", LONDON))] == [friday]
    assert due(at(saturday, "08:31", LONDON)) == []
    assert due(at(sunday, "08:31", LONDON)) == []
    assert [s.local_date for s in due(at(monday, "08:31", LONDON))] == [monday]


def test_daily_and_a_list_of_days():
    saturday = date(2026, 11, 28)
    assert [s.local_date for s in due(at(saturday, "08:31", LONDON), days=DAILY)] == [saturday]
    mon_wed_fri = (0, 2, 4)
    assert due(at(date(2026, 11, 24), "08:31", LONDON), days=mon_wed_fri) == []  # a Tuesday
    assert len(due(at(WEDNESDAY, "08:31", LONDON), days=mon_wed_fri)) == 1


def test_a_skip_date_has_no_huddle_and_the_next_day_does():
    thursday = date(2026, 11, 26)
    assert due(at(WEDNESDAY, "08:31", LONDON), skips={WEDNESDAY}) == []
    assert due(at(WEDNESDAY, "14:01", LONDON), ("08:30", "14:00"), skips={WEDNESDAY}) == []  # no slot that day
    assert [s.local_date for s in due(at(thursday, "08:31", LONDON), skips={WEDNESDAY})] == [thursday]


def test_gb_public_holidays_have_no_huddle():
    christmas, christmas_eve = date(2026, 12, 25), date(2026, 12, 24)  # a Friday and a Thursday
    assert due(at(christmas, "08:31", LONDON), holidays="GB") == []
    assert len(due(at(christmas, "08:31", LONDON))) == 1, "without a holiday country Christmas is a weekday"
    assert len(due(at(christmas_eve, "08:31", LONDON), holidays="GB")) == 1
    # 26 December 2026 is a Saturday, so Boxing Day is observed on Monday 28 December.
    assert due(at(date(2026, 12, 28), "08:31", LONDON), holidays="GB") == []
    assert len(due(at(date(2026, 12, 29), "08:31", LONDON), holidays="GB")) == 1


def test_holidays_are_the_teams_countrys():
    thanksgiving = date(2026, 11, 26)
    assert due(at(thanksgiving, "08:31", NEW_YORK), zone=NEW_YORK, holidays="US") == []
    assert len(due(at(thanksgiving, "08:31", NEW_YORK), zone=NEW_YORK, holidays="GB")) == 1
    assert is_holiday("GB", date(2026, 12, 25)) and not is_holiday(None, date(2026, 12, 25))


def test_supported_countries():
    assert supported_country("GB") and supported_country("us")
    assert not supported_country("XX")


# --- daylight saving: spring forward ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hhmm", "first_due", "local_wall_time"),
    [
        # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day.
        (NEW_YORK, date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 30), "03:30"),
        # London, 29 March 2026: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist that day.
        (LONDON, date(2026, 3, 29), "01:30", utc(2026, 3, 29, 1, 30), "02:30"),
    ],
)
def test_a_slot_in_the_spring_forward_gap_is_due_once_just_after_the_gap(
    zone: ZoneInfo, day: date, hhmm: str, first_due: datetime, local_wall_time: str
):
    assert first_due.astimezone(zone).strftime("%H:%M") == local_wall_time
    seen = slots_over(
        datetime.combine(day, time(0, 0), tzinfo=zone), datetime.combine(day, time(12, 0), tzinfo=zone),
        times=(hhmm,), days=DAILY, zone=zone,
    )  # fmt: skip
    assert [(s.index, s.local_date, s.at) for s in seen] == [(0, day, first_due)], "one slot that day"
    [instants] = seen.values()
    assert instants[0] == first_due, "due at the first instant after the gap, not before"
    assert instants[-1] == first_due + GRACE - timedelta(minutes=1)
    assert due(first_due - timedelta(seconds=1), (hhmm,), days=DAILY, zone=zone) == []


def test_an_ordinary_slot_on_the_spring_forward_day_keeps_its_local_time():
    day = date(2026, 3, 8)  # New York is on EDT (UTC-4) by 08:30
    assert due(utc(2026, 3, 8, 12, 29), zone=NEW_YORK, days=DAILY) == []
    assert due(utc(2026, 3, 8, 12, 30), zone=NEW_YORK, days=DAILY) == [Slot(0, day, utc(2026, 3, 8, 12, 30))]
    london = date(2026, 3, 29)  # BST: 08:30 local is 07:30 UTC
    assert due(utc(2026, 3, 29, 7, 30), days=DAILY) == [Slot(0, london, utc(2026, 3, 29, 7, 30))]
    # The day before, still GMT: 08:30 local is 08:30 UTC.
    assert due(utc(2026, 3, 28, 7, 30), days=DAILY) == []
    assert due(utc(2026, 3, 28, 8, 30), days=DAILY) == [Slot(0, date(2026, 3, 28), utc(2026, 3, 28, 8, 30))]


# --- daylight saving: fall back --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "first", "second"),
    [
        # New York, 1 November 2026: 01:30 EDT (05:30 UTC), then 01:30 EST (06:30 UTC).
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
        # London, 25 October 2026: 01:30 BST (00:30 UTC), then 01:30 GMT (01:30 UTC).
        (LONDON, date(2026, 10, 25), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
    ],
)
def test_a_slot_that_happens_twice_on_the_fall_back_day_is_due_once_at_the_first(
    zone: ZoneInfo, day: date, first: datetime, second: datetime
):
    assert first.astimezone(zone).strftime("%H:%M") == second.astimezone(zone).strftime("%H:%M") == "01:30"
    assert due(first - timedelta(seconds=1), ("01:30",), days=DAILY, zone=zone) == []
    assert due(first, ("01:30",), days=DAILY, zone=zone) == [Slot(0, day, first)]
    # An hour later the wall clock shows 01:30 again: it is the same slot (same date, index and instant), not a new one.
    assert due(second, ("01:30",), days=DAILY, zone=zone) == [Slot(0, day, first)]
    # The grace runs from the first 01:30: two hours after it the slot is over, not two hours after the second.
    assert due(first + GRACE, ("01:30",), days=DAILY, zone=zone) == []
    seen = slots_over(first - timedelta(hours=3), first + timedelta(hours=8), times=("01:30",), days=DAILY, zone=zone)
    assert list(seen) == [Slot(0, day, first)]
    [instants] = seen.values()
    assert (instants[0], instants[-1]) == (first, first + GRACE - timedelta(minutes=1))


def test_an_ordinary_slot_on_the_fall_back_day_keeps_its_local_time():
    day = date(2026, 11, 1)  # New York is on EST (UTC-5) by 08:30
    assert due(utc(2026, 11, 1, 12, 30), zone=NEW_YORK, days=DAILY) == []
    assert due(utc(2026, 11, 1, 13, 30), zone=NEW_YORK, days=DAILY) == [Slot(0, day, utc(2026, 11, 1, 13, 30))]


# --- the grace window ------------------------------------------------------------------------------------------


def test_grace_due_at_the_slot_still_due_1h59m_later_not_at_2h():
    slot_at = utc(2026, 11, 25, 8, 30)
    assert due(slot_at) == [Slot(0, WEDNESDAY, slot_at)]
    assert due(slot_at + timedelta(hours=1, minutes=59)) == [Slot(0, WEDNESDAY, slot_at)]
    assert due(slot_at + timedelta(hours=1, minutes=59, seconds=59)) == [Slot(0, WEDNESDAY, slot_at)]
    assert due(slot_at + timedelta(hours=2)) == []
    assert due(slot_at + timedelta(hours=3)) == []


def test_a_custom_grace_window():
    slot_at = utc(2026, 11, 25, 8, 30)
    kwargs = {
        "times": [time(8, 30)], "days": set(MON_FRI), "zone": LONDON, "skips": set(), "holiday_country": None,
    }  # fmt: skip
    assert due_slots(now=slot_at + timedelta(minutes=9), grace=timedelta(minutes=10), **kwargs)
    assert not due_slots(now=slot_at + timedelta(minutes=10), grace=timedelta(minutes=10), **kwargs)


# --- local midnight --------------------------------------------------------------------------------------------


def test_a_slot_just_before_local_midnight_is_still_due_just_after_it_for_the_previous_date():
    tuesday = date(2026, 11, 24)
    slot_at = at(tuesday, "23:50", NEW_YORK)  # 04:50 UTC on Wednesday
    after_midnight = at(WEDNESDAY, "00:10", NEW_YORK)
    assert due(after_midnight, ("23:50",), zone=NEW_YORK) == [Slot(0, tuesday, slot_at.astimezone(UTC))]
    assert due(at(WEDNESDAY, "01:49", NEW_YORK), ("23:50",), zone=NEW_YORK) == [
        Slot(0, tuesday, utc(2026, 11, 25, 4, 50))
    ]
    assert due(at(WEDNESDAY, "01:50", NEW_YORK), ("23:50",), zone=NEW_YORK) == []


def test_after_midnight_the_previous_dates_days_skips_and_holidays_decide():
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    # Friday's 23:50 is still due at 00:10 on Saturday, though Saturday has no huddles.
    assert [s.local_date for s in due(at(saturday, "00:10", LONDON), ("23:50",))] == [friday]
    # Sunday's 23:50 (not a huddle day) is not due at 00:10 on Monday.
    assert due(at(date(2026, 11, 30), "00:10", LONDON), ("23:50",)) == []
    # A skipped Friday stays skipped after midnight; Christmas Day's 23:50 is a holiday's.
    assert due(at(saturday, "00:10", LONDON), ("23:50",), skips={friday}) == []
    assert due(at(date(2026, 12, 26), "00:10", LONDON), ("23:50",), holidays="GB") == []


# --- the question of the day -----------------------------------------------------------------------------------


def test_the_question_of_the_day_rotates_through_every_question():
    start = date(2026, 11, 2)
    days = [start + timedelta(days=n) for n in range(len(QUESTIONS))]
    asked = [question_of_the_day(day, 0) for day in days]
    assert sorted(asked) == sorted(QUESTIONS), "each question once over as many days as there are questions"
    assert all(a != b for a, b in pairwise(asked)), "never the same two days running"
    assert question_of_the_day(start + timedelta(days=len(QUESTIONS)), 0) == asked[0]


def test_a_later_huddle_the_same_day_asks_another_question():
    assert question_of_the_day(WEDNESDAY, 1) != question_of_the_day(WEDNESDAY, 0)
    assert all(q.endswith("?") for q in QUESTIONS)
