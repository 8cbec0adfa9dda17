"""Time, injected. Nothing in govflow reads the wall clock except :class:`SystemClock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` that returns an aware datetime."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """Time that moves only when told: for tests, simulations and replays.

    >>> from datetime import datetime, UTC
    >>> clock = ManualClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    >>> clock.advance(hours=2).isoformat()
    '2024-03-01T11:00:00+00:00'
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2024, 1, 1, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start

    def now(self) -> datetime:
        """The time the clock was last set or advanced to."""
        return self._now

    def advance(
        self,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by the given amount and return the new time."""
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += step
        return self._now

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (not earlier than now) and return it."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware times")
        if when < self._now:
            raise ValueError(f"time only moves forward: {when} is before {self._now}")
        self._now = when
        return self._now
