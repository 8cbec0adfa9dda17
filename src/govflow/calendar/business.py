"""Counting time as an office counts it: working days, office hours, a local time zone.

A :class:`BusinessCalendar` turns "``D`` from instant ``T``" into an instant, for the three
kinds of limit a workflow states (see :mod:`govflow.workflow.durations`):

* natural time (``2h``, ``3d``): ``T + D``, in absolute time; holidays do not matter;
* working days (``3wd``): the close of office hours on the third working day *after* the day
  ``T`` falls on, in the calendar's zone. The starting day is not counted and a period that
  would end on a day off ends on the next working day, as 《行政许可法》 (第八十二条) and the civil
  procedure rules count 期间 ("期间开始的日，不计算在期间内");
* working hours (``8wh``): eight hours of office time, counted from ``T`` (or from the next
  opening if ``T`` is outside office hours) through working days only.

Arithmetic happens in local time (``Asia/Shanghai`` by default: office hours are local); the
result has ``T``'s own time zone, so events stay in UTC.

A locality may keep days of its own (a local holiday, a day the office opens on a weekend):
:attr:`BusinessCalendar.overrides` apply everywhere, :attr:`BusinessCalendar.localities`
apply to issues located at or under the named org units (the nearest unit wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import attrs

from govflow.calendar.holidays import ChinaHolidays, HolidayTable, YearSchedule
from govflow.errors import DefinitionError
from govflow.workflow.durations import Duration, WorkingTime

#: Office hours of most Chinese government service centres: 9:00–12:00 and 13:30–17:30.
DEFAULT_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(17, 30)))
#: The zone calendar arithmetic happens in unless told otherwise.
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: How far a due time may lie: a limit that finds no working time within this many days
#: means a calendar with no working days at all, not a very long limit.
_HORIZON_DAYS = 3660
#: How many working_days answers a calendar keeps (a few years of days, a few limits each).
_KEPT_ANSWERS = 8192


def _hours(value: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    periods = tuple((start, end) for start, end in value)
    if not periods:
        raise DefinitionError("a business calendar needs at least one period of office hours")
    previous = time(0)
    for start, end in periods:
        if not (previous <= start < end):
            raise DefinitionError(
                f"office hours must be increasing, non-overlapping periods: {periods!r}"
            )
        previous = end
    return periods


def _days(value: Mapping[date, bool]) -> Mapping[date, bool]:
    return MappingProxyType(dict(value))


def _localities(value: Mapping[str, Mapping[date, bool]]) -> Mapping[str, Mapping[date, bool]]:
    return MappingProxyType({unit: _days(days) for unit, days in value.items()})


@attrs.frozen(slots=True)
class BusinessCalendar:
    """Working days, office hours and a time zone: what an engine counts every due time with.

    :param holidays: which days are working days (China's official table by default).
    :param hours: office hours of a working day, as increasing ``(start, end)`` local times.
    :param zone: the zone office hours and days are in.
    :param overrides: days that are (True) or are not (False) working days whatever the table
        says: the locality's own.
    :param localities: more overrides, by org unit id: they apply to issues located at that
        unit or below it (the nearest unit with an entry wins; it is laid over ``overrides``).
    """

    holidays: HolidayTable = attrs.field(factory=ChinaHolidays)
    hours: tuple[tuple[time, time], ...] = attrs.field(default=DEFAULT_HOURS, converter=_hours)
    zone: ZoneInfo = SHANGHAI
    overrides: Mapping[date, bool] = attrs.field(factory=dict, converter=_days)
    localities: Mapping[str, Mapping[date, bool]] = attrs.field(factory=dict, converter=_localities)
    #: working_days' answers: every move into a state limited in working days asks the same
    #: (day, count) all day long, and a frozen calendar's answer cannot change (a holiday table
    #: is data: supplementing a year makes a new table, and a new calendar).
    _working_days: dict[tuple[date, int], date] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    # --- days ------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True if offices open on ``day`` (the overrides first, then the holiday table).

        :raises CalendarRangeError: for a day outside the table's years and not overridden.
        """
        override = self.overrides.get(day)
        return self.holidays.is_working_day(day) if override is None else override

    def working_days(self, after: date, count: int) -> date:
        """The ``count``-th working day after ``after`` (``after`` itself not counted)."""
        known = self._working_days.get((after, count))
        if known is not None:
            return known
        day = self._count_working_days(after, count)
        if len(self._working_days) < _KEPT_ANSWERS:
            self._working_days[after, count] = day
        return day

    def _count_working_days(self, after: date, count: int) -> date:
        day = after
        for _ in range(_HORIZON_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
                if count <= 0:
                    return day
        raise DefinitionError(f"no working day within {_HORIZON_DAYS} days of {after}")

    def for_units(self, units: Iterable[str]) -> BusinessCalendar:
        """This calendar with the overrides of the first of ``units`` that has any (pass an
        issue's location and the units above it, nearest first)."""
        for unit in units:
            days = self.localities.get(unit)
            if days is not None:
                return attrs.evolve(self, overrides={**self.overrides, **days}, localities={})
        return self

    # --- instants --------------------------------------------------------------------------

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The instant ``duration`` after ``start`` (see the module docstring for each kind),
        in ``start``'s time zone."""
        if isinstance(duration, timedelta):
            return start + duration
        if duration.days:
            local = start.astimezone(self.zone)
            day = self.working_days(local.date(), duration.days)
            close = datetime.combine(day, self.hours[-1][1], self.zone)
            return close.astimezone(start.tzinfo)
        return self.add_working(start, timedelta(hours=duration.hours))

    def add_working(self, start: datetime, span: timedelta) -> datetime:
        """The instant when ``span`` of office time has passed since ``start``.

        A zero span from outside office hours gives the next opening.
        """
        left = span
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(_HORIZON_DAYS):
            if self.is_working_day(day):
                for opens, closes in self.hours:
                    begin = max(datetime.combine(day, opens, self.zone), local)
                    end = datetime.combine(day, closes, self.zone)
                    if begin < end or (begin == end and not left):
                        if left <= end - begin:
                            return (begin + left).astimezone(start.tzinfo)
                        left -= end - begin
            day += timedelta(days=1)
        raise DefinitionError(f"no office hours within {_HORIZON_DAYS} days of {start}")

    def working_between(self, start: datetime, end: datetime) -> timedelta:
        """The office time between two instants (zero if ``end`` is not after ``start``)."""
        if end <= start:
            return timedelta(0)
        first = start.astimezone(self.zone)
        last = end.astimezone(self.zone)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                for opens, closes in self.hours:
                    begin = max(datetime.combine(day, opens, self.zone), first)
                    stop = min(datetime.combine(day, closes, self.zone), last)
                    if stop > begin:
                        total += stop - begin
            day += timedelta(days=1)
        return total

    def elapsed(self, start: datetime, end: datetime, duration: Duration) -> timedelta:
        """Time between two instants counted the way ``duration`` counts: office time for
        working time, elapsed time for natural time. What a paused limit has used up."""
        if isinstance(duration, WorkingTime):
            return self.working_between(start, end)
        return max(end - start, timedelta(0))

    def resume(self, start: datetime, left: timedelta, duration: Duration) -> datetime:
        """When ``left`` of a limit counted like ``duration`` runs out, counting from ``start``:
        office time for working time, elapsed time for natural time."""
        if isinstance(duration, WorkingTime):
            return self.add_working(start, left)
        return start + left


def china_calendar(
    *,
    hours: Iterable[tuple[time, time]] = DEFAULT_HOURS,
    overrides: Mapping[date, bool] | None = None,
    localities: Mapping[str, Mapping[date, bool]] | None = None,
    supplement: Iterable[YearSchedule] = (),
) -> BusinessCalendar:
    """China's calendar: official holidays and 调休 (``chinese-calendar``), office hours
    9:00–12:00 and 13:30–17:30 unless ``hours`` says otherwise, Asia/Shanghai.

    :param supplement: the official schedules of years the installed ``chinese-calendar``
        does not have yet, entered from the State Council's notices (:class:`YearSchedule`).
    """
    return BusinessCalendar(
        ChinaHolidays(supplement),
        tuple(hours),
        SHANGHAI,
        overrides or {},
        localities or {},
    )


__all__ = ["DEFAULT_HOURS", "SHANGHAI", "BusinessCalendar", "china_calendar"]
