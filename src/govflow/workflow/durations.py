"""Durations as people write them in workflow files: ``"72h"``, ``"3d"``, ``"1d12h"``, ``"30m"``."""

from __future__ import annotations

import re
from datetime import timedelta

from govflow.errors import InvalidWorkflowError

_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(value: timedelta | str | int | float) -> timedelta:
    """A positive :class:`~datetime.timedelta` from a timedelta, a number of seconds, or a string
    of ``<number><unit>`` parts with units w, d, h, m, s (``"1d12h"``)."""
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
                "-", "duration", f"{value!r} is not a duration like '72h', '3d' or '1d12h'"
            )
        result = timedelta(**{_UNITS[u]: float(n) for n, u in parts})
    else:
        raise InvalidWorkflowError("-", "duration", f"{value!r} is not a duration")
    if result <= timedelta(0):
        raise InvalidWorkflowError("-", "duration", f"{value!r} must be positive")
    return result


def format_duration(value: timedelta) -> str:
    """The compact form :func:`parse_duration` reads (``timedelta(hours=36)`` → ``"1d12h"``)."""
    seconds = int(value.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"
