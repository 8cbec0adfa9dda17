"""Group commit: callers in one process that commit at the same time share one transaction.

A durable commit costs a flush to disk (SQLite) or a WAL flush on the server (PostgreSQL), and
that flush costs the same for one move as for fifty. So each caller queues its move; the first
caller to find no commit under way becomes the *leader*, takes every move queued by then and
writes them with one call of ``write``; the callers whose moves it took wait for their own
results. Moves queued while the leader writes go into the next group, led by one of their
callers. Nobody waits for a group to fill unless groups of several moves were seen last time:
then the leader waits, at most ``wait`` seconds, for as many moves as the last group had, the
way PostgreSQL's ``commit_delay`` waits only when ``commit_siblings`` are active. A single
caller therefore never waits at all.

``write`` returns one outcome per move, in order: None for a committed move, or the exception
that move's caller must see. It decides how a refused move is kept out of the others' commit;
this module only hands out what it was told.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from govflow.errors import StoreError

_M = TypeVar("_M")


class _Pending(Generic[_M]):
    __slots__ = ("done", "move", "outcome")

    def __init__(self, move: _M) -> None:
        self.move = move
        self.done = False
        self.outcome: BaseException | None = None


class GroupCommitter(Generic[_M]):
    """Shares commits between threads. ``commit(move)`` returns once ``move`` is committed and
    raises what ``write`` said about it otherwise."""

    def __init__(
        self, write: Callable[[Sequence[_M]], Sequence[BaseException | None]], wait: float
    ) -> None:
        self._write = write
        self._wait = wait
        self._changed = threading.Condition()
        self._queue: list[_Pending[_M]] = []
        self._leading = False
        self._last_size = 1
        self._sizes: deque[int] = deque(maxlen=1000)

    @property
    def group_sizes(self) -> list[int]:
        """How many moves each group held, most recent last (the last 1,000): for tests and
        benchmarks that want to see the groups form."""
        with self._changed:
            return list(self._sizes)

    def commit(self, move: _M) -> None:
        pending = _Pending(move)
        with self._changed:
            self._queue.append(pending)
            self._changed.notify_all()  # a leader gathering a group may be waiting for us
            while self._leading and not pending.done:
                self._changed.wait()
            if not pending.done:
                self._leading = True
                self._gather()
                group, self._queue = self._queue, []
        if pending.done:
            self._raise(pending)
            return
        try:
            outcomes = list(self._write([queued.move for queued in group]))
        except BaseException as failure:
            outcomes = [
                failure if queued is pending else StoreError(f"the shared commit failed: {failure}")
                for queued in group
            ]
        with self._changed:
            for queued, outcome in zip(group, outcomes, strict=True):
                queued.outcome = outcome
                queued.done = True
            self._last_size = len(group)
            self._sizes.append(len(group))  # not a copy of the last 1,000 on every commit
            self._leading = False
            self._changed.notify_all()
        self._raise(pending)

    def _gather(self) -> None:
        # Called with the lock held: wait for as many moves as the last group had, if it had
        # more than one (others are committing too), but never longer than the bound.
        if self._wait <= 0 or self._last_size <= 1:
            return
        deadline = time.monotonic() + self._wait
        while len(self._queue) < self._last_size:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._changed.wait(left)

    @staticmethod
    def _raise(pending: _Pending[_M]) -> None:
        if pending.outcome is not None:
            raise pending.outcome
