"""A year the installed chinese-calendar does not have yet: a clear error that says how to fix
it, and the deployment's own entry of the State Council's notice (YearSchedule).

The years are relative to the installed package's last one, so these tests keep meaning the
same when a newer chinese-calendar brings the next year in. No schedule here is an official
one: each names the days it needs and says so in its ``source``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from govflow import Engine, ManualClock
from govflow.calendar import ChinaHolidays, WorkingTime, YearSchedule, china_calendar
from govflow.errors import CalendarRangeError, DefinitionError

from .test_deadlines import DEPARTMENT, DISPATCHER, HOTLINE, RESIDENT, SHANGHAI, local

LAST = ChinaHolidays().years[-1]
NEXT = LAST + 1
#: 元旦 is 1 January by statute (《全国年节及纪念日放假办法》); nothing else is assumed.
NEW_YEAR = YearSchedule(NEXT, holidays=[date(NEXT, 1, 1)], source="test: 元旦 only")


def next_working_days(start: date, count: int, off: set[date]) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            count -= 1
    return day


def test_the_error_says_how_to_bring_the_year_in() -> None:
    with pytest.raises(CalendarRangeError) as err:
        china_calendar().add(local(LAST, 12, 30, 10, 0), WorkingTime(days=5))
    message = str(err.value)
    assert f"covers the years 2004–{LAST} only" in message
    assert "pip install -U chinese-calendar" in message
    assert f"china_calendar(supplement=[YearSchedule({NEXT}, holidays=[...]" in message
    assert "docs/howto/calendar.md" in message
    assert err.value.hint in message
    with pytest.raises(CalendarRangeError, match="FixedHolidays"):
        china_calendar().is_working_day(date(2003, 5, 1))


def test_a_supplied_year_counts_working_days_across_the_new_year() -> None:
    calendar = china_calendar(supplement=[NEW_YEAR])
    assert calendar.holidays.years == range(2004, NEXT + 1)
    assert not calendar.is_working_day(date(NEXT, 1, 1))
    start = local(LAST, 12, 30, 10, 0)
    due = calendar.add(start, WorkingTime(days=5)).astimezone(SHANGHAI)
    day = date(LAST, 12, 30)
    off = {date(NEXT, 1, 1)} | {d for d in (date(LAST, 12, 31),) if not calendar.is_working_day(d)}
    assert due == datetime.combine(next_working_days(day, 5, off), due.timetz())
    assert (due.hour, due.minute) == (17, 30)


def test_an_engine_on_the_supplied_year_accepts_what_it_refused() -> None:
    clock = ManualClock(local(LAST, 12, 30, 10, 0))
    without = Engine(clock=clock, autoload=False, workflows=[HOTLINE])
    with pytest.raises(CalendarRangeError):  # its 办结时限 of 10 working days reaches NEXT
        without.open("hotline", reporter=RESIDENT)
    assert list(without.issues()) == []  # refused: nothing changed
    supplied = Engine(
        clock=clock,
        autoload=False,
        workflows=[HOTLINE],
        calendar=china_calendar(supplement=[NEW_YEAR]),
    )
    issue = supplied.open("hotline", reporter=RESIDENT)
    moved = supplied.fire(
        issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": [DEPARTMENT.id]}
    )
    assert moved.due_at is not None
    assert moved.due_at.astimezone(SHANGHAI).year == NEXT


def test_a_schedule_is_checked_and_read_from_plain_data() -> None:
    data = {
        "year": NEXT,
        "holidays": [f"{NEXT}-01-01"],
        "workdays": [],
        "source": "test: from a deployment's TOML",
    }
    assert YearSchedule.from_dict(data).holidays == NEW_YEAR.holidays
    with pytest.raises(DefinitionError, match="'year'"):
        YearSchedule.from_dict({"holidays": []})
    with pytest.raises(DefinitionError, match="is not a date"):
        YearSchedule.from_dict({"year": NEXT, "holidays": ["1 月 1 日"]})
    with pytest.raises(DefinitionError, match="days of other years"):
        YearSchedule(NEXT, holidays=[date(LAST, 12, 31)])
    saturday = next(date(NEXT, 1, d) for d in range(1, 8) if date(NEXT, 1, d).weekday() == 5)
    with pytest.raises(DefinitionError, match="both off and on"):
        YearSchedule(NEXT, holidays=[saturday], workdays=[saturday])
    monday = next(date(NEXT, 1, d) for d in range(1, 8) if date(NEXT, 1, d).weekday() == 0)
    with pytest.raises(DefinitionError, match="must be weekend days"):
        YearSchedule(NEXT, workdays=[monday])


def test_a_supplement_follows_on_from_the_package_and_wins_its_year() -> None:
    with pytest.raises(DefinitionError, match=f"supply {NEXT} first"):
        ChinaHolidays([YearSchedule(NEXT + 1, source="test")])
    with pytest.raises(DefinitionError, match=f"two schedules for {NEXT}"):
        ChinaHolidays([NEW_YEAR, NEW_YEAR])
    both = ChinaHolidays([NEW_YEAR, YearSchedule(NEXT + 1, source="test")])
    assert both.years[-1] == NEXT + 1
    # A schedule for a year the package has replaces the package's table for that year.
    workday = next(
        date(LAST, 3, d) for d in range(1, 8) if ChinaHolidays().is_working_day(date(LAST, 3, d))
    )
    local_table = ChinaHolidays([YearSchedule(LAST, holidays=[workday], source="test")])
    assert not local_table.is_working_day(workday)
