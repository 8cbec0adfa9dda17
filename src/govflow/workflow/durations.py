"""Durations as people write them in workflow files.

Two kinds, because governments count two kinds of time:

* **natural time** -- ``"72h"``, ``"3d"``, ``"1d12h"``, ``"30m"`` -- elapsed time, read as a
  :class:`~datetime.timedelta`; ``3d`` from Wednesday noon is Saturday noon, holiday or not.
* **working time** -- ``"3wd"`` (working days) and ``"8wh"`` (working hours) -- read as a
  :class:`WorkingTime`, which only a business calendar (:mod:`govflow.calendar`) can turn into
  an instant: it skips weekends, official holidays and the hours outside office time, and
  counts make-up working days (调休).

A duration mixes no kinds: ``"1d4wh"`` is an error, not a guess.
"""

from __future__ import annotations

import re
from datetime import timedelta

import attrs

from govflow.errors import InvalidWorkflowError

_PART = re.compile(r"(\d+(?:\.\d+)?)(wd|wh|[wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@attrs.frozen(slots=True)
class WorkingTime:
    """A span of working time: whole working ``days`` or working ``hours`` (not both).

    ``WorkingTime(days=3)`` is ``"3wd"``: due at the close of the third working day after the
    day it starts (the starting day is not counted, as 《行政许可法》 and the civil procedure
    rules count 期间). ``WorkingTime(hours=8)`` is ``"8wh"``: eight hours of office time.
    """

    days: int = 0
    hours: float = 0.0

    def __attrs_post_init__(self) -> None:
        if self.days < 0 or self.hours < 0 or (self.days == 0) == (self.hours == 0):
            raise InvalidWorkflowError(
                "-", "duration", f"working time needs days or hours (one, positive): {self!r}"
            )

    def __str__(self) -> str:
        if self.days:
            return f"{self.days}wd"
        return f"{_number(self.hours)}wh"


#: A time limit: natural time or working time.
Duration = timedelta | WorkingTime


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def parse_duration(value: Duration | str | int | float) -> Duration:
    """A positive duration from a timedelta, a :class:`WorkingTime`, a number of seconds, or a
    string of ``<number><unit>`` parts: natural units w, d, h, m, s (``"1d12h"``), or one
    working unit, wd or wh (``"3wd"``, ``"8wh"``, ``"1.5wh"``)."""
    if isinstance(value, WorkingTime):
        return value
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, bool):
        raise InvalidWorkflowError("-", "duration", f"{value!r} is not a duration")
    elif isinstance(value, int | float):
        result = timedelta(seconds=value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _PART.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise InvalidWorkflowError(
                "-",
                "duration",
                f"{value!r} is not a duration like '72h', '3d', '1d12h', '3wd' or '8wh'",
            )
        working = [(n, u) for n, u in parts if u in ("wd", "wh")]
        if working:
            if len(parts) != 1:
                raise InvalidWorkflowError(
                    "-", "duration", f"{value!r} mixes working time with other units"
                )
            number, unit = working[0]
            if unit == "wd":
                if "." in number:
                    raise InvalidWorkflowError(
                        "-", "duration", f"{value!r}: working days are whole days"
                    )
                return WorkingTime(days=int(number)) if int(number) else _not_positive(value)
            return WorkingTime(hours=float(number)) if float(number) else _not_positive(value)
        result = timedelta(**{_UNITS[u]: float(n) for n, u in parts})
    else:
        raise InvalidWorkflowError("-", "duration", f"{value!r} is not a duration")
    if result <= timedelta(0):
        _not_positive(value)
    return result


def _not_positive(value: object) -> Duration:
    raise InvalidWorkflowError("-", "duration", f"{value!r} must be positive")


def format_duration(value: Duration) -> str:
    """The compact form :func:`parse_duration` reads (``timedelta(hours=36)`` → ``"1d12h"``,
    ``WorkingTime(days=3)`` → ``"3wd"``)."""
    if isinstance(value, WorkingTime):
        return str(value)
    seconds = int(value.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


__all__ = ["Duration", "WorkingTime", "format_duration", "parse_duration"]
