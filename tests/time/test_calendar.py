"""The business calendar counts time as a Chinese government office does (real dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from govflow import ManualClock
from govflow.calendar import (
    BusinessCalendar,
    ChinaHolidays,
    FixedHolidays,
    WorkingTime,
    china_calendar,
    format_duration,
    parse_duration,
)
from govflow.errors import CalendarRangeError, DefinitionError, InvalidWorkflowError
from govflow.testing import advance_working_days, advance_working_hours, fixed_calendar, past
from govflow.testing.strategies import calendar_instants, durations

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


CHINA = china_calendar()


def test_three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday() -> None:
    # 2026: 10-01..10-07 are 国庆 holidays, Saturday 10-10 is a make-up working day (调休).
    start = local(2026, 9, 30, 10, 0)
    due = CHINA.add(start.astimezone(UTC), parse_duration("3wd"))
    assert due == local(2026, 10, 10, 17, 30)  # 10-08, 10-09, then Saturday 10-10
    assert due.tzinfo is UTC  # events stay in UTC
    assert CHINA.is_working_day(date(2026, 10, 10))
    assert not CHINA.is_working_day(date(2026, 10, 3))
    # Natural time ignores holidays: this is the naive "3 days" that lands mid-holiday.
    assert CHINA.add(start, parse_duration("3d")) == local(2026, 10, 3, 10, 0)


def test_a_working_day_limit_does_not_count_the_starting_day() -> None:
    # 期间开始的日不计算在内: one working day from a Monday is the close of Tuesday.
    assert CHINA.add(local(2026, 6, 1, 8, 0), WorkingTime(days=1)) == local(2026, 6, 2, 17, 30)
    # From a Sunday, the first working day is Monday.
    assert CHINA.add(local(2026, 6, 7, 20, 0), WorkingTime(days=1)) == local(2026, 6, 8, 17, 30)


def test_an_urgent_eight_working_hours_limit_runs_over_a_weekend() -> None:
    friday = local(2026, 10, 16, 16, 0)
    # Friday 16:00–17:30 (1.5 h), Monday 9:00–12:00 (3 h), 13:30–17:00 (3.5 h).
    assert CHINA.add(friday, parse_duration("8wh")) == local(2026, 10, 19, 17, 0)
    assert CHINA.working_between(friday, local(2026, 10, 19, 17, 0)) == timedelta(hours=8)


def test_working_hours_start_at_the_next_opening_outside_office_hours() -> None:
    lunch = local(2026, 6, 1, 12, 30)
    assert CHINA.add(lunch, parse_duration("1wh")) == local(2026, 6, 1, 14, 30)
    evening = local(2026, 6, 1, 19, 0)
    assert CHINA.add(evening, parse_duration("30m")) == local(2026, 6, 1, 19, 30)  # natural
    assert CHINA.add(evening, parse_duration("2wh")) == local(2026, 6, 2, 11, 0)


def test_office_hours_are_configurable() -> None:
    long_day = china_calendar(hours=[(time(8, 30), time(12)), (time(14), time(18))])
    assert long_day.add(local(2026, 6, 1, 8, 0), WorkingTime(days=1)) == local(2026, 6, 2, 18, 0)
    with pytest.raises(DefinitionError, match="increasing"):
        china_calendar(hours=[(time(14), time(12))])


def test_a_locality_keeps_days_of_its_own() -> None:
    # A district that opens its service hall on Sunday 2026-06-07 and closes on Monday the 8th.
    calendar = china_calendar(
        localities={"340303": {date(2026, 6, 7): True, date(2026, 6, 8): False}}
    )
    saturday = local(2026, 6, 6, 10, 0)
    assert calendar.add(saturday, WorkingTime(days=1)) == local(2026, 6, 8, 17, 30)
    here = calendar.for_units(["340303001001", "340303"])
    assert here.add(saturday, WorkingTime(days=1)) == local(2026, 6, 7, 17, 30)
    assert here.add(local(2026, 6, 7, 10, 0), WorkingTime(days=1)) == local(2026, 6, 9, 17, 30)


def test_a_date_beyond_the_data_years_is_a_clear_error() -> None:
    table = ChinaHolidays()
    last = table.years.stop - 1
    assert last >= 2026
    with pytest.raises(CalendarRangeError, match=rf"covers the years 2004–{last} only") as err:
        CHINA.add(local(last, 12, 30, 10, 0), WorkingTime(days=5))
    assert err.value.day == date(last + 1, 1, 1)
    with pytest.raises(CalendarRangeError):
        CHINA.is_working_day(date(2003, 5, 1))
    # Natural time needs no holiday data.
    assert CHINA.add(local(last + 5, 1, 1), timedelta(days=3)) == local(last + 5, 1, 4)


def test_durations_read_natural_and_working_time() -> None:
    assert parse_duration("3wd") == WorkingTime(days=3)
    assert parse_duration("8wh") == WorkingTime(hours=8)
    assert parse_duration("1.5wh") == WorkingTime(hours=1.5)
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("3d") == timedelta(days=3)
    assert parse_duration("1w") == timedelta(weeks=1)
    for text in ("3wd", "8wh", "1.5wh", "1d12h"):
        assert format_duration(parse_duration(text)) == text
    for bad in ("1d4wh", "1.5wd", "0wd", "3 working days", "wd"):
        with pytest.raises(InvalidWorkflowError):
            parse_duration(bad)


def test_fixed_tables_and_clock_helpers_for_tests() -> None:
    calendar = fixed_calendar(holidays=[date(2030, 1, 1)], workdays=[date(2030, 1, 5)])
    assert calendar.is_working_day(date(2030, 1, 5))  # a make-up Saturday
    clock = ManualClock(local(2029, 12, 31, 10, 0).astimezone(UTC))
    assert advance_working_days(clock, calendar, 2) == local(2030, 1, 3, 17, 30)
    assert advance_working_hours(clock, calendar, 9) == local(2030, 1, 5, 11, 0)  # 7 h Friday
    assert past(local(2030, 1, 6), clock) == local(2030, 1, 6) + timedelta(seconds=1)
    with pytest.raises(CalendarRangeError, match="fixed holiday table"):
        fixed_calendar(years=range(2030, 2031)).add(local(2030, 12, 31), WorkingTime(days=1))
    assert isinstance(calendar.holidays, FixedHolidays)
    assert isinstance(calendar, BusinessCalendar)


instants = calendar_instants()


@given(instants, st.integers(min_value=1, max_value=60 * 40))
def test_office_time_added_is_office_time_elapsed(start: datetime, minutes: int) -> None:
    span = timedelta(minutes=minutes)
    end = CHINA.add_working(start, span)
    assert CHINA.working_between(start, end) == span
    assert end >= start


@given(instants, st.integers(min_value=1, max_value=15))
def test_working_days_end_at_the_close_of_a_working_day(start: datetime, days: int) -> None:
    due = CHINA.add(start, WorkingTime(days=days)).astimezone(SHANGHAI)
    assert due.time() == time(17, 30)
    assert CHINA.is_working_day(due.date())
    between = [
        start.astimezone(SHANGHAI).date() + timedelta(days=n)
        for n in range(1, (due.date() - start.astimezone(SHANGHAI).date()).days + 1)
    ]
    assert sum(CHINA.is_working_day(day) for day in between) == days


@given(instants, durations())
def test_every_limit_falls_due_after_it_starts_and_reads_back(
    start: datetime, limit: timedelta | WorkingTime
) -> None:
    assert CHINA.add(start, limit) > start
    assert parse_duration(format_duration(limit)) == limit


def test_the_china_table_is_chinese_calendars_own_rule_on_every_day_it_covers() -> None:
    table = ChinaHolidays()
    day = date(table.years[0], 1, 1)
    while day.year in table.years:
        assert table.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
