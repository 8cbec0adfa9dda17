"""Which days are working days: China's official table, or a fixed table of your own.

A *holiday table* answers one question, :meth:`HolidayTable.is_working_day`, for the years it
covers, and raises :class:`~govflow.errors.CalendarRangeError` for any other year: a calendar
that guessed "weekday means working day" in a year whose 调休 it does not know would put due
times on holidays without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol, runtime_checkable

import attrs
import chinese_calendar  # type: ignore[import-untyped]

from govflow.errors import CalendarRangeError

_SATURDAY = 5
#: The package's tables: date -> the holiday's name (days off, and make-up working days).
_HOLIDAYS = chinese_calendar.holidays
_WORKDAYS = chinese_calendar.workdays


@runtime_checkable
class HolidayTable(Protocol):
    """Tells working days from days off, for the years it covers."""

    @property
    def name(self) -> str:
        """A short name for error messages and reports (``"chinese-calendar 1.11.0"``)."""
        ...

    @property
    def years(self) -> range:
        """The years the table has data for."""
        ...

    def is_working_day(self, day: date) -> bool:
        """True on a working day (weekdays that are not holidays, and make-up days).

        :raises CalendarRangeError: if ``day`` is outside :attr:`years`.
        """
        ...


def _covered(day: date, years: range, source: str) -> None:
    if day.year not in years:
        raise CalendarRangeError(day, years.start, years.stop - 1, source)


@attrs.frozen(slots=True)
class ChinaHolidays:
    """The State Council's holidays and make-up working days (调休), from ``chinese-calendar``.

    The package ships each year's table once the State Council announces it (usually in
    November for the next year); :attr:`years` says which years the installed version knows.
    """

    name: str = f"chinese-calendar {getattr(chinese_calendar, '__version__', '?')}"
    _years: range = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        known = [*chinese_calendar.holidays, *chinese_calendar.workdays]
        first = min(d.year for d in known)
        last = max(d.year for d in known)
        object.__setattr__(self, "_years", range(first, last + 1))

    @property
    def years(self) -> range:
        """The years the installed ``chinese-calendar`` has data for."""
        return self._years

    def is_working_day(self, day: date) -> bool:
        """True on a working day, including 调休 make-up days that fall on a weekend."""
        _covered(day, self._years, self.name)
        # chinese_calendar.is_workday's rule on the package's own tables, read directly: the
        # function rescans its whole table for the year range on every call (65 µs, measured:
        # most of a move's time once limits count working days), and raises
        # NotImplementedError, which must not leak.
        return day in _WORKDAYS or (day.weekday() < _SATURDAY and day not in _HOLIDAYS)


def _dates(value: Iterable[date]) -> frozenset[date]:
    return frozenset(value)


@attrs.frozen(slots=True)
class FixedHolidays:
    """A table you give: weekends off, except the listed ``workdays``; the listed ``holidays``
    off too. For tests, for other countries, or for years before the official table is out.

    >>> from datetime import date
    >>> table = FixedHolidays(holidays={date(2030, 1, 1)}, years=range(2030, 2031))
    >>> table.is_working_day(date(2030, 1, 1)), table.is_working_day(date(2030, 1, 2))
    (False, True)
    """

    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    workdays: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    years: range = range(1970, 2100)
    name: str = "fixed holiday table"

    def is_working_day(self, day: date) -> bool:
        """Weekdays, less the holidays, plus the make-up workdays."""
        _covered(day, self.years, self.name)
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays


__all__ = ["ChinaHolidays", "FixedHolidays", "HolidayTable"]
