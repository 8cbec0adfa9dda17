"""Which days are working days: China's official table, or a fixed table of your own.

A *holiday table* answers one question, :meth:`HolidayTable.is_working_day`, for the years it
covers, and raises :class:`~govflow.errors.CalendarRangeError` for any other year: a calendar
that guessed "weekday means working day" in a year whose 调休 it does not know would put due
times on holidays without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs
import chinese_calendar  # type: ignore[import-untyped]

from govflow.errors import CalendarRangeError, DefinitionError

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
        raise CalendarRangeError(
            day, years.start, years.stop - 1, source, hint=f"give the table {day.year}'s days"
        )


def _dates(value: Iterable[date]) -> frozenset[date]:
    return frozenset(value)


def _day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DefinitionError(f"{value!r} is not a date (YYYY-MM-DD)") from None


@attrs.frozen(slots=True)
class YearSchedule:
    """One year's official schedule, entered by a deployment from the State Council's notice
    (国务院办公厅关于 YYYY 年部分节假日安排的通知) before ``chinese-calendar`` ships it.

    :param year: the year it covers.
    :param holidays: every day off the notice lists (放假), weekends among them or not.
    :param workdays: the make-up working days (调休上班): weekend days offices open.
    :param source: where the dates come from (the notice's number), named in reports and errors.

    >>> from datetime import date
    >>> schedule = YearSchedule(2030, holidays=[date(2030, 1, 1)], source="example")
    >>> schedule.is_working_day(date(2030, 1, 1)), schedule.is_working_day(date(2030, 1, 2))
    (False, True)
    """

    year: int
    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    workdays: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise DefinitionError(f"a year schedule's year must be an integer, got {self.year!r}")
        stray = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if stray:
            raise DefinitionError(f"the {self.year} schedule lists days of other years: {stray}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise DefinitionError(f"the {self.year} schedule lists days both off and on: {both}")
        weekdays = sorted(d for d in self.workdays if d.weekday() < _SATURDAY)
        if weekdays:
            raise DefinitionError(
                f"the {self.year} schedule's make-up working days must be weekend days, "
                f"not {weekdays}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> YearSchedule:
        """A schedule from plain data (a deployment's TOML or JSON): ``{"year": 2030,
        "holidays": ["2030-01-01"], "workdays": [], "source": "国办发明电〔2029〕N号"}``."""
        unknown = sorted(set(data) - {"year", "holidays", "workdays", "source"})
        if unknown or "year" not in data:
            raise DefinitionError(
                f"a year schedule has 'year' and may have 'holidays', 'workdays', 'source'; "
                f"got {sorted(data)}"
            )
        return cls(
            data["year"],
            [_day(d) for d in data.get("holidays", ())],
            [_day(d) for d in data.get("workdays", ())],
            str(data.get("source", "")),
        )

    def is_working_day(self, day: date) -> bool:
        """Weekdays less the days off, plus the make-up working days."""
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays


def _supplement(value: Iterable[YearSchedule]) -> Mapping[int, YearSchedule]:
    years: dict[int, YearSchedule] = {}
    for schedule in value:
        if not isinstance(schedule, YearSchedule):
            raise DefinitionError(f"{schedule!r} is not a YearSchedule")
        if schedule.year in years:
            raise DefinitionError(f"two schedules for {schedule.year}")
        years[schedule.year] = schedule
    return MappingProxyType(years)


@attrs.frozen(slots=True)
class ChinaHolidays:
    """The State Council's holidays and make-up working days (调休), from ``chinese-calendar``.

    The package ships each year's table once the State Council announces it (usually in
    November for the next year); :attr:`years` says which years the installed version knows.
    A deployment that cannot wait for the package enters the year's notice itself as a
    :class:`YearSchedule` in ``supplement``: it must follow on from the package's years (no
    gap), and it takes precedence over the package for its year.
    """

    supplement: Mapping[int, YearSchedule] = attrs.field(factory=dict, converter=_supplement)
    name: str = f"chinese-calendar {getattr(chinese_calendar, '__version__', '?')}"
    _years: range = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        known = [*chinese_calendar.holidays, *chinese_calendar.workdays]
        first = min(d.year for d in known)
        last = max(d.year for d in known)
        for year in sorted(self.supplement):
            if year < first or year > last + 1:
                raise DefinitionError(
                    f"a {year} schedule must follow on from the years {self.name} has "
                    f"({first}–{last}): supply {last + 1} first"
                )
            last = max(last, year)
        object.__setattr__(self, "_years", range(first, last + 1))

    @property
    def years(self) -> range:
        """The years the installed ``chinese-calendar`` has data for, and the supplement's."""
        return self._years

    def is_working_day(self, day: date) -> bool:
        """True on a working day, including 调休 make-up days that fall on a weekend."""
        if self.supplement:
            schedule = self.supplement.get(day.year)
            if schedule is not None:
                return schedule.is_working_day(day)
        if day.year not in self._years:
            first, last = self._years.start, self._years.stop - 1
            hint = (_HOW_TO_ADD_A_YEAR if day.year > last else _BEFORE_THE_DATA).format(
                year=day.year, first=first
            )
            raise CalendarRangeError(day, first, last, self.name, hint=hint)
        # chinese_calendar.is_workday's rule on the package's own tables, read directly: the
        # function rescans its whole table for the year range on every call (65 µs, measured:
        # most of a move's time once limits count working days), and raises
        # NotImplementedError, which must not leak.
        return day in _WORKDAYS or (day.weekday() < _SATURDAY and day not in _HOLIDAYS)


#: What to do about a year the package does not know, as a CalendarRangeError says it.
_HOW_TO_ADD_A_YEAR = (
    "upgrade chinese-calendar once a release has {year} (pip install -U chinese-calendar), "
    "or enter the State Council's {year} notice yourself: "
    "china_calendar(supplement=[YearSchedule({year}, holidays=[...], workdays=[...], "
    'source="...")]) (docs/howto/calendar.md, "A year the package does not have yet")'
)
_BEFORE_THE_DATA = (
    "chinese-calendar starts in {first}: count earlier days on a table of your own "
    "(govflow.calendar.FixedHolidays)"
)


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


__all__ = ["ChinaHolidays", "FixedHolidays", "HolidayTable", "YearSchedule"]
