"""The storage contract every backend fulfils.

A store keeps issues and their audit logs. The one write, :meth:`Store.commit`, is atomic: it
checks the issue is still at the version the engine read (optimistic concurrency), appends the
event, saves the issue's new state and remembers the idempotency key -- all or nothing. That
single method is what keeps "every accepted move is one append, in the same transaction as the
issue's new state" true for every backend.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from govflow.records import Event, Issue


@attrs.frozen
class CorruptRecord:
    """A stored row that could not be read: which issue, which event (None: the issue row)."""

    issue_id: str
    sequence: int | None
    problem: str


@attrs.frozen
class IssueScan:
    """One issue as :meth:`Store.scan` finds it: its row (None if there is none, or if the row
    is not at one of its events), its events in sequence order, and rows it could not read."""

    issue_id: str
    issue: Issue | None
    events: tuple[Event, ...]
    corrupt: tuple[CorruptRecord, ...] = ()
    #: The version the issue row claims, when the row exists but ``issue`` is None.
    row_version: int | None = None
    #: Each event's hash as the store recomputed it from the row it read, where it did
    #: (None where it did not): a verifier takes a match as checked and recomputes the rest.
    hashes: tuple[str | None, ...] = ()


@attrs.frozen
class LogEntry:
    """One leaf of the store-wide log (see :mod:`govflow.audit.merkle`): the event it stands for,
    the hash the log recorded for it, and the hash that event carries now (None: it is gone)."""

    issue_id: str
    sequence: int
    hash: str
    event_hash: str | None
    #: When the event says it happened (its ``at``, ISO 8601), if it is there.
    at: str | None = None


@attrs.frozen
class SubjectKey:
    """A subject's data key (see :mod:`govflow.audit.personal`): 32 random bytes, and the id
    every envelope sealed with it names."""

    subject: str
    key_id: str
    secret: bytes = attrs.field(repr=False)  # never in a message, a repr or a log line

    @classmethod
    def new(cls, subject: str) -> SubjectKey:
        """A fresh random key for ``subject``."""
        return cls(subject, secrets.token_hex(16), secrets.token_bytes(32))


@runtime_checkable
class Store(Protocol):
    """Where an engine keeps issues and events. Plugins never see it; only the engine writes."""

    def new_issue_id(self) -> str:
        """A fresh issue id, never handed out before by this store."""
        ...

    def get(self, issue_id: str) -> Issue:
        """The issue as it stands; :class:`~govflow.errors.UnknownIssueError` if there is none."""
        ...

    def events(self, issue_id: str) -> Sequence[Event]:
        """The issue's events in sequence order (empty if the issue is unknown)."""
        ...

    def last_event(self, issue_id: str) -> Event | None:
        """The issue's latest event (None if the issue is unknown)."""
        ...

    def find_idempotent(self, issue_id: str, key: str) -> Event | None:
        """The event an earlier move with this idempotency key produced, if any."""
        ...

    def find_opened(self, key: str) -> Event | None:
        """The ``open`` event of the issue opened with this idempotency key, if any."""
        ...

    def commit(self, issue: Issue, event: Event, *, idempotency_key: str | None = None) -> None:
        """Atomically append ``event`` and save ``issue`` as its new state.

        ``event.sequence == 0`` creates the issue (it must not exist yet). Otherwise the stored
        issue must be at version ``event.sequence - 1``, or
        :class:`~govflow.errors.ConflictError` is raised and nothing is written. A reused
        idempotency key is a conflict too; so is the key of an ``open`` (sequence 0) that
        opened another issue already: opening keys are unique across the store.
        """
        ...

    def commit_many(self, moves: Sequence[tuple[Issue, Event, str | None]]) -> None:
        """Atomically commit every move of ``moves`` (``(issue, event, idempotency_key)`` in the
        order they were made; an issue may move several times), or none of them.

        Each move is checked as :meth:`commit` checks it, against the store as the moves
        before it in ``moves`` left it. Any conflict raises
        :class:`~govflow.errors.ConflictError` and nothing of ``moves`` is written. What
        :meth:`govflow.Engine.batch` commits with.
        """
        ...

    def due(self, now: datetime) -> Iterator[Issue]:
        """Issues whose ``alarm_at`` (a pending early warning, else ``due_at``) is at or before
        ``now``, earliest first.

        May be read lazily while the caller moves the issues it yields (as
        :meth:`govflow.Engine.tick` does): an issue is yielded at the version it had when it
        was read, and again only if a move put it back among the due issues later in the order.
        """
        ...

    def issues(self) -> Iterator[Issue]:
        """Every issue, in the order they were opened."""
        ...

    def __len__(self) -> int:
        """How many issues the store holds."""
        ...

    # --- the audit log, store-wide (read by govflow.audit.verify and .export) -------------

    def log_size(self) -> int:
        """How many entries the store-wide log holds: one per event ever committed."""
        ...

    def log(self, start: int = 0) -> Iterator[LogEntry]:
        """The store-wide log from entry ``start`` on, in commit order (streamed)."""
        ...

    def log_events(self, start: int = 0) -> Iterator[Event | CorruptRecord]:
        """The events the log names, in its order (streamed); a row it cannot read as a
        :class:`CorruptRecord`."""
        ...

    def unlogged(self) -> Iterator[tuple[str, int]]:
        """``(issue id, sequence)`` of every event the store-wide log does not name."""
        ...

    def scan(self) -> Iterator[IssueScan]:
        """Every issue with its events, one issue at a time (streamed: constant memory), and
        every row that cannot be read named instead of raised."""
        ...

    # --- subjects' keys, outside every hash (read by govflow.audit.personal) ----------------

    def subject_key(self, subject: str, *, create: bool = False) -> SubjectKey | None:
        """The subject's current key; with ``create``, a new one is stored if there is none."""
        ...

    def subject_secret(self, key_id: str) -> bytes | None:
        """The secret of the key with this id; None if there is none (it was erased)."""
        ...

    def subject_keys(self) -> Iterator[SubjectKey]:
        """Every key held, by subject (for export)."""
        ...

    def add_subject_key(self, key: SubjectKey) -> None:
        """Store ``key`` as it is (for import): a subject holds one key at a time."""
        ...

    def forget_subject(self, subject: str) -> int:
        """Delete the subject's keys beyond recovery (overwritten where the database can);
        return how many there were."""
        ...

    def reported_by(self, subject: str) -> Iterator[Issue]:
        """The issues ``subject`` reported, in the order they were opened."""
        ...


__all__ = ["CorruptRecord", "IssueScan", "LogEntry", "Store", "SubjectKey", "check_commit"]


def check_commit(current: Issue | None, issue: Issue, event: Event) -> str | None:
    """Why committing ``event`` over ``current`` would be a conflict, or None if it is fine.

    Shared by every backend so that all of them refuse exactly the same things.
    """
    if event.issue_id != issue.id or event.sequence != issue.version:
        return "the event does not belong to this version of the issue"
    if event.sequence == 0:
        return None if current is None else "an issue with this id exists already"
    if current is None:
        return "the issue does not exist"
    if current.version != event.sequence - 1:
        return (
            f"expected version {event.sequence - 1} but the issue is at version "
            f"{current.version}: it changed since it was read"
        )
    return None
