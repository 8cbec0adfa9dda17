"""An in-memory store: the default for tests and for a single process.

Deadlines sit in a heap of ``(due_at, issue_id, version)``; entries for versions that have
since moved on are dropped lazily when they reach the top, so :meth:`MemoryStore.due` costs
O(k log n) for k due issues instead of a scan of every issue.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime

from govflow.errors import ConflictError, UnknownIssueError
from govflow.records import Event, Issue
from govflow.store.base import check_commit


class MemoryStore:
    """Issues and events in dictionaries; nothing survives the process."""

    def __init__(self) -> None:
        self._issues: dict[str, Issue] = {}
        self._events: dict[str, list[Event]] = {}
        self._keys: dict[tuple[str, str], Event] = {}
        self._deadlines: list[tuple[datetime, str, int]] = []
        self._ids = itertools.count(1)

    def new_issue_id(self) -> str:
        while True:
            candidate = str(next(self._ids))
            if candidate not in self._issues:
                return candidate

    def get(self, issue_id: str) -> Issue:
        try:
            return self._issues[issue_id]
        except KeyError:
            raise UnknownIssueError(issue_id) from None

    def events(self, issue_id: str) -> Sequence[Event]:
        return tuple(self._events.get(issue_id, ()))

    def last_event(self, issue_id: str) -> Event | None:
        events = self._events.get(issue_id)
        return events[-1] if events else None

    def find_idempotent(self, issue_id: str, key: str) -> Event | None:
        return self._keys.get((issue_id, key))

    def commit(self, issue: Issue, event: Event, *, idempotency_key: str | None = None) -> None:
        problem = check_commit(self._issues.get(issue.id), issue, event)
        if (
            problem is None
            and idempotency_key is not None
            and (issue.id, idempotency_key) in self._keys
        ):
            problem = f"idempotency key {idempotency_key!r} was used already"
        if problem is not None:
            raise ConflictError(issue.id, problem)
        self._issues[issue.id] = issue
        if event.sequence == 0:
            self._events[issue.id] = [event]
        else:
            self._events[issue.id].append(event)
        if idempotency_key is not None:
            self._keys[(issue.id, idempotency_key)] = event
        if issue.due_at is not None:
            heapq.heappush(self._deadlines, (issue.due_at, issue.id, issue.version))

    def due(self, now: datetime) -> Iterator[Issue]:
        found: list[Issue] = []
        heap = self._deadlines
        while heap and heap[0][0] <= now:
            _, issue_id, version = heapq.heappop(heap)
            issue = self._issues.get(issue_id)
            if issue is not None and issue.version == version:
                found.append(issue)
        # Still-current entries go back: the caller may not move them (a guard may say no).
        for issue in found:
            assert issue.due_at is not None
            heapq.heappush(heap, (issue.due_at, issue.id, issue.version))
        return iter(found)

    def issues(self) -> Iterator[Issue]:
        return iter(list(self._issues.values()))

    def __len__(self) -> int:
        return len(self._issues)
