"""Time helpers for tests: calendars on fixed holiday tables, and clocks moved in office time.

A test that counts working days against the installed ``chinese-calendar`` stops passing the
year the package's data runs out; one on :func:`fixed_calendar` does not. The ``advance_*``
helpers move a :class:`~govflow.ManualClock` the way an office counts:

>>> from datetime import UTC, date, datetime
>>> from govflow import ManualClock
>>> calendar = fixed_calendar(holidays=[date(2030, 1, 1)])
>>> clock = ManualClock(datetime(2029, 12, 31, 2, tzinfo=UTC))  # Monday 10:00 in Shanghai
>>> advance_working_days(clock, calendar, 1).isoformat()  # New Year's Day is off
'2030-01-02T09:30:00+00:00'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from govflow.calendar import DEFAULT_HOURS, SHANGHAI, BusinessCalendar, FixedHolidays, WorkingTime
from govflow.clock import ManualClock
from govflow.records import Issue


def fixed_calendar(
    *,
    holidays: Iterable[date] = (),
    workdays: Iterable[date] = (),
    years: range = range(1970, 2100),
    hours: Iterable[tuple[time, time]] = DEFAULT_HOURS,
    localities: Mapping[str, Mapping[date, bool]] | None = None,
) -> BusinessCalendar:
    """A calendar in Asia/Shanghai whose days off are weekends and ``holidays``, less the
    make-up ``workdays``, for ``years`` only."""
    table = FixedHolidays(holidays=frozenset(holidays), workdays=frozenset(workdays), years=years)
    return BusinessCalendar(table, tuple(hours), SHANGHAI, {}, localities or {})


def advance_working_days(clock: ManualClock, calendar: BusinessCalendar, days: int) -> datetime:
    """Move ``clock`` to the close of office on the ``days``-th working day from now: when a
    ``"{days}wd"`` limit started now falls due."""
    return clock.set(calendar.add(clock.now(), WorkingTime(days=days)))


def advance_working_hours(clock: ManualClock, calendar: BusinessCalendar, hours: float) -> datetime:
    """Move ``clock`` on by ``hours`` of office time: when a ``"{hours}wh"`` limit started now
    falls due."""
    return clock.set(calendar.add_working(clock.now(), timedelta(hours=hours)))


def past(when: datetime, clock: ManualClock, *, by: timedelta = timedelta(seconds=1)) -> datetime:
    """Move ``clock`` just past ``when`` (a due time): what ``tick`` needs to fire it."""
    return clock.set(when + by)


def overall_due(issue: Issue) -> datetime | None:
    """The 办结时限 running for ``issue`` (None: none, or it is closed): ``past(overall_due(
    issue), clock)`` then ``engine.tick()`` makes the clock record it passing."""
    due = issue.timing.get("overall_due")
    return None if due is None else datetime.fromisoformat(due)


__all__ = ["advance_working_days", "advance_working_hours", "fixed_calendar", "overall_due", "past"]
