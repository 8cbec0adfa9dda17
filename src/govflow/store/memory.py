"""An in-memory store: the default for tests and for a single process.

Deadlines sit in a heap of ``(due_at, issue_id, version)``; entries for versions that have
since moved on are dropped lazily when they reach the top, so :meth:`MemoryStore.due` costs
O(k log n) for k due issues instead of a scan of every issue.

Each issue's ``open`` event and its latest event are kept as the
:class:`~govflow.records.Event` records they were committed as; every event in between is
packed into one flat tuple of plain values: the mappings' keys and values in turn (a payload's
lists as tuples: a payload holds JSON data, which has no tuples), the plugin and the decisions
as indexes into tables of the few distinct ones. Python's cyclic garbage collector stops
tracking a tuple of such values at its first collection (never one that holds a dict or a
list), so the log of a long-running process does not make every full collection longer.
Unpacking gives an event equal to the one committed.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from govflow.errors import ConflictError, UnknownIssueError
from govflow.records import EMPTY, Event, Issue, PluginRef
from govflow.store.base import CorruptRecord, IssueScan, LogEntry, SubjectKey, check_commit
from govflow.validate import check_time

#: An event without its issue id, packed: ``sequence, trigger, source, destination, actor, at,
#: due_at, plugin, decisions, previous_hash, hash, audit_format, hash_algorithm`` (plugin and
#: decisions as indexes into :class:`_Tables`), the number of payload entries, then the
#: payload's keys and values in turn, then the changes' keys and values in turn.
_Packed = tuple[Any, ...]
_FIXED = 14  # fields before the payload's keys and values


class _Tables:
    """The distinct plugins and decision sets events name: a handful, shared by every event."""

    def __init__(self) -> None:
        self.plugins: list[PluginRef | None] = [None]
        self.decisions: list[Mapping[str, str]] = [EMPTY]
        self._plugin_index: dict[PluginRef | None, int] = {None: 0}
        self._decisions_index: dict[tuple[tuple[str, str], ...], int] = {(): 0}

    def plugin(self, plugin: PluginRef | None) -> int:
        index = self._plugin_index.get(plugin)
        if index is None:
            index = self._plugin_index[plugin] = len(self.plugins)
            self.plugins.append(plugin)
        return index

    def decision_set(self, decisions: Mapping[str, str]) -> int:
        key = tuple(decisions.items())
        index = self._decisions_index.get(key)
        if index is None:
            index = self._decisions_index[key] = len(self.decisions)
            self.decisions.append(MappingProxyType(dict(key)))
        return index


def _mapping(keys_and_values: tuple[Any, ...]) -> Mapping[str, Any]:
    if not keys_and_values:
        return EMPTY
    return MappingProxyType(dict(zip(keys_and_values[::2], keys_and_values[1::2], strict=True)))


def _payload(keys_and_values: tuple[Any, ...]) -> Mapping[str, Any]:
    if not keys_and_values:
        return EMPTY
    values = (list(v) if type(v) is tuple else v for v in keys_and_values[1::2])
    return MappingProxyType(dict(zip(keys_and_values[::2], values, strict=True)))


class MemoryStore:
    """Issues and events in dictionaries; nothing survives the process."""

    def __init__(self) -> None:
        self._issues: dict[str, Issue] = {}
        # issue id -> its log: packed events, then the latest as committed
        self._events: dict[str, list[Event | _Packed]] = {}
        self._keys: dict[tuple[str, str], int] = {}  # (issue id, idempotency key) -> sequence
        self._opening_keys: dict[str, str] = {}  # idempotency key of an open -> issue id
        # The store-wide log (govflow.audit.merkle): (issue id, sequence, hash) per commit, in
        # commit order. Tuples of text and small ints: the collector stops tracking them.
        self._log: list[tuple[str, int, str]] = []
        self._tables = _Tables()
        self._deadlines: list[tuple[datetime, str, int]] = []
        self._ids = itertools.count(1)
        # Subjects' keys (govflow.audit.personal), by subject and by key id.
        self._subject_keys: dict[str, SubjectKey] = {}
        self._secrets: dict[str, SubjectKey] = {}

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
        return tuple(self._unpack(issue_id, kept) for kept in self._events.get(issue_id, ()))

    def last_event(self, issue_id: str) -> Event | None:
        events = self._events.get(issue_id)
        return self._unpack(issue_id, events[-1]) if events else None

    def moves(
        self, issue_id: str, keys: tuple[str, str]
    ) -> list[tuple[str, str | None, str, str, datetime, datetime | None, Any, Any]]:
        """The issue's events as ``(trigger, source, destination, actor, at, due_at,
        payload[keys[0]], payload[keys[1]])`` tuples (None for a key the payload lacks),
        oldest first: what the figures read (:mod:`govflow.metrics.fold`), without building
        an event for each."""
        first, second = keys
        out = []
        for kept in self._events.get(issue_id, ()):
            if type(kept) is tuple:
                one = two = None
                count = kept[_FIXED - 1]  # the payload's key count ends the fixed fields
                if count:
                    for index in range(_FIXED, _FIXED + 2 * count, 2):
                        key = kept[index]
                        if key == first:
                            one = kept[index + 1]
                        elif key == second:
                            two = kept[index + 1]
                out.append((*kept[1:7], one, two))
            else:
                event: Event = kept  # type: ignore[assignment]  # the open or latest event
                payload = event.payload
                out.append(
                    (
                        event.trigger,
                        event.source,
                        event.destination,
                        event.actor,
                        event.at,
                        event.due_at,
                        payload.get(first) if payload else None,
                        payload.get(second) if payload else None,
                    )
                )
        return out

    def find_idempotent(self, issue_id: str, key: str) -> Event | None:
        sequence = self._keys.get((issue_id, key))
        if sequence is None:
            return None
        return self._unpack(issue_id, self._events[issue_id][sequence])

    def find_opened(self, key: str) -> Event | None:
        issue_id = self._opening_keys.get(key)
        return None if issue_id is None else self._unpack(issue_id, self._events[issue_id][0])

    def commit(self, issue: Issue, event: Event, *, idempotency_key: str | None = None) -> None:
        problem = check_commit(self._issues.get(issue.id), issue, event)
        if (
            problem is None
            and idempotency_key is not None
            and (
                (issue.id, idempotency_key) in self._keys
                or (event.sequence == 0 and idempotency_key in self._opening_keys)
            )
        ):
            problem = f"idempotency key {idempotency_key!r} was used already"
        if problem is not None:
            raise ConflictError(issue.id, problem)
        self._issues[issue.id] = issue
        if event.sequence == 0:
            self._events[issue.id] = [event]
        else:
            log = self._events[issue.id]
            latest = log[-1]
            if isinstance(latest, Event) and latest.sequence > 0:  # the open event stays a record
                log[-1] = self._pack(latest)
            log.append(event)
        self._log.append((issue.id, event.sequence, event.hash))
        if idempotency_key is not None:
            self._keys[(issue.id, idempotency_key)] = event.sequence
            if event.sequence == 0:
                self._opening_keys[idempotency_key] = issue.id
        alarm = issue.alarm_at
        if alarm is not None:
            heapq.heappush(self._deadlines, (alarm, issue.id, issue.version))

    def commit_many(self, moves: Sequence[tuple[Issue, Event, str | None]]) -> None:
        current: dict[str, Issue | None] = {}
        keys: set[tuple[str, str]] = set()
        opening: set[str] = set()
        for issue, event, key in moves:  # check them all first: then write them all
            before = current[issue.id] if issue.id in current else self._issues.get(issue.id)
            problem = check_commit(before, issue, event)
            if problem is None and key is not None:
                used = (issue.id, key) in self._keys or (issue.id, key) in keys
                if event.sequence == 0:
                    used = used or key in self._opening_keys or key in opening
                    opening.add(key)
                if used:
                    problem = f"idempotency key {key!r} was used already"
                keys.add((issue.id, key))
            if problem is not None:
                raise ConflictError(issue.id, f"the batch was refused: {problem}")
            current[issue.id] = issue
        for issue, event, key in moves:
            self.commit(issue, event, idempotency_key=key)

    def due(self, now: datetime) -> Iterator[Issue]:
        check_time("now", now)  # a naive time has no place on the deadline heap
        found: list[Issue] = []
        heap = self._deadlines
        while heap and heap[0][0] <= now:
            _, issue_id, version = heapq.heappop(heap)
            issue = self._issues.get(issue_id)
            if issue is not None and issue.version == version:
                found.append(issue)
        # Still-current entries go back: the caller may not move them (a guard may say no).
        for issue in found:
            alarm = issue.alarm_at
            assert alarm is not None
            heapq.heappush(heap, (alarm, issue.id, issue.version))
        return iter(found)

    def issues(self) -> Iterator[Issue]:
        return iter(list(self._issues.values()))

    def __len__(self) -> int:
        return len(self._issues)

    def log_size(self) -> int:
        return len(self._log)

    def subject_key(self, subject: str, *, create: bool = False) -> SubjectKey | None:
        key = self._subject_keys.get(subject)
        if key is None and create:
            key = SubjectKey.new(subject)
            self.add_subject_key(key)
        return key

    def subject_secret(self, key_id: str) -> bytes | None:
        key = self._secrets.get(key_id)
        return None if key is None else key.secret

    def subject_keys(self) -> Iterator[SubjectKey]:
        return iter(sorted(self._subject_keys.values(), key=lambda key: key.subject))

    def add_subject_key(self, key: SubjectKey) -> None:
        if key.subject in self._subject_keys or key.key_id in self._secrets:
            raise ConflictError("-", f"subject {key.subject!r} holds a key already")
        self._subject_keys[key.subject] = key
        self._secrets[key.key_id] = key

    def forget_subject(self, subject: str) -> int:
        key = self._subject_keys.pop(subject, None)
        if key is None:
            return 0
        del self._secrets[key.key_id]
        return 1

    def reported_by(self, subject: str) -> Iterator[Issue]:
        return iter([issue for issue in self._issues.values() if issue.reporter == subject])

    def _logged(self, issue_id: str, sequence: int) -> Event | None:
        events = self._events.get(issue_id)
        if events is None or not 0 <= sequence < len(events):
            return None
        found = self._unpack(issue_id, events[sequence])
        return found if found.sequence == sequence else None

    def log(self, start: int = 0) -> Iterator[LogEntry]:
        for issue_id, sequence, logged in itertools.islice(self._log, start, None):
            event = self._logged(issue_id, sequence)
            if event is None:
                yield LogEntry(issue_id, sequence, logged, None)
            else:
                yield LogEntry(issue_id, sequence, logged, event.hash, event.at.isoformat())

    def log_events(self, start: int = 0) -> Iterator[Event | CorruptRecord]:
        for issue_id, sequence, _ in itertools.islice(self._log, start, None):
            events = self._events.get(issue_id, [])
            if 0 <= sequence < len(events):
                yield self._unpack(issue_id, events[sequence])
            else:
                yield CorruptRecord(issue_id, sequence, "the log names an event that is gone")

    def unlogged(self) -> Iterator[tuple[str, int]]:
        logged = {(issue_id, sequence) for issue_id, sequence, _ in self._log}
        for issue_id, events in self._events.items():
            for position in range(len(events)):
                if (issue_id, position) not in logged:
                    yield issue_id, position

    def scan(self) -> Iterator[IssueScan]:
        ids = [*self._issues, *(i for i in self._events if i not in self._issues)]
        for issue_id in ids:
            issue = self._issues.get(issue_id)
            yield IssueScan(issue_id, issue, tuple(self.events(issue_id)))

    def _pack(self, event: Event) -> _Packed | Event:
        if event.acting_for is not None:
            return event  # a unit's move, made by one of its people: rare, kept whole
        # One flat tuple: a tuple inside a tuple inside a tuple takes the collector more
        # passes to stop tracking, and may reach the oldest generation before it does.
        payload, changes = event.payload, event.changes
        head = (
            event.sequence,
            event.trigger,
            event.source,
            event.destination,
            event.actor,
            event.at,
            event.due_at,
            self._tables.plugin(event.plugin),
            self._tables.decision_set(event.decisions),
            event.previous_hash,
            event.hash,
            event.audit_format,
            event.hash_algorithm,
            len(payload),
        )
        if not payload and not changes:
            return head
        tail: list[Any] = []
        for key, value in payload.items():
            tail.append(key)
            tail.append(tuple(value) if type(value) is list else value)
        for key, value in changes.items():
            tail.append(key)
            tail.append(value)
        return head + tuple(tail)

    def _unpack(self, issue_id: str, kept: Event | _Packed) -> Event:
        if type(kept) is not tuple:
            return kept  # type: ignore[return-value]  # the open event or the latest
        tables = self._tables
        changes_start = _FIXED + 2 * kept[_FIXED - 1]
        return Event(
            issue_id,
            kept[0],
            kept[1],
            kept[2],
            kept[3],
            kept[4],
            kept[5],
            kept[6],
            _payload(kept[_FIXED:changes_start]),
            _mapping(kept[changes_start:]),
            tables.plugins[kept[7]],
            tables.decisions[kept[8]],
            kept[9],
            kept[10],
            audit_format=kept[11],
            hash_algorithm=kept[12],
        )
