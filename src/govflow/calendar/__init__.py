"""Business calendars: China's official holidays and 调休, office hours, a local zone.

The engine asks its calendar for every due time (:meth:`govflow.Engine.due_time`); give an
engine another one with ``Engine(calendar=...)``. See ``docs/howto/calendar.md``.
"""

from govflow.calendar.business import DEFAULT_HOURS, SHANGHAI, BusinessCalendar, china_calendar
from govflow.calendar.holidays import ChinaHolidays, FixedHolidays, HolidayTable, YearSchedule
from govflow.workflow.durations import Duration, WorkingTime, format_duration, parse_duration

__all__ = [
    "DEFAULT_HOURS",
    "SHANGHAI",
    "BusinessCalendar",
    "ChinaHolidays",
    "Duration",
    "FixedHolidays",
    "HolidayTable",
    "WorkingTime",
    "YearSchedule",
    "china_calendar",
    "format_duration",
    "parse_duration",
]
