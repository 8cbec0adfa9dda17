"""Batches: many moves, one transaction, for imports and simulations.

``with engine.batch() as batch:`` gives an engine of its own whose moves are held back and
committed together, with :meth:`~govflow.store.Store.commit_many`, when the block ends:

- **Each move is checked as it is made**, exactly as outside a batch, against the issues as the
  batch's earlier moves left them. A move the engine refuses raises at once, as it always does,
  and is not part of the batch: the moves before and after it are committed. Catch the refusal
  to go on, or let it escape to give up the batch.
- **The batch is committed whole or not at all.** If the block raises, nothing of it is
  committed. If the store refuses the commit -- another engine moved one of the batch's issues
  meanwhile, say -- :class:`~govflow.errors.ConflictError` is raised and none of the batch's
  moves is stored, on every backend; a process killed in the middle of the commit leaves every
  move of the batch or none.
- Plugins' ``govflow_after_transition`` listeners hear of the moves, and the ledgers receive
  what the moves post, after the commit: never of a move that was rolled back.

Only the thread that opened a batch may use it; the engine it came from goes on as before, and
its moves are not part of the batch. The store-wide log (``verify``, ``export``) shows a batch
once it is committed.

A batch holds its moves as the store underneath offers to (:class:`HoldsMoves`): a
:class:`~govflow.store.SQLStore` keeps each as the rows it will write, plain values the garbage
collector stops tracking, and reads on one connection for the whole batch (SQLite); any other
store's batch keeps the records and commits them with ``commit_many``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from govflow.errors import ConflictError, InvalidRequestError, UnknownIssueError
from govflow.records import Event, Issue
from govflow.store.base import (
    CorruptRecord,
    IssueScan,
    LogEntry,
    Store,
    SubjectKey,
    check_commit,
)

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.ledgers import Entry, LedgerStore

__all__ = ["BatchStore", "HeldMoves", "HoldsMoves", "ReadsMany", "batch"]

#: One move held by a batch: the issue's new state, its event, its idempotency key.
Move = tuple[Issue, Event, str | None]


class HeldMoves(Protocol):
    """Where a batch keeps its moves until it commits them: in the order they were made, each
    move following the issue's held ones. A store may offer its own (``hold_moves()``, as
    :meth:`govflow.store.SQLStore.hold_moves` does, keeping each move as the rows it will
    write); any other store's batch keeps the records and commits them with
    :meth:`~govflow.store.Store.commit_many`."""

    def __len__(self) -> int: ...

    def add(self, issue: Issue, event: Event, key: str | None) -> None:
        """Hold one move; ConflictError, and nothing held, if it does not follow."""
        ...

    def event(self, issue_id: str, sequence: int) -> Event | None:
        """The held event of the issue at ``sequence`` (None: not held)."""
        ...

    def read(self, issue_id: str) -> Issue:
        """The issue as the store holds it (its ``get``): the batch's reads of the store."""
        ...

    def close(self) -> None:
        """Release what the reads kept (a connection, say); the holder may read again after."""
        ...

    def events(self) -> Iterator[Event]:
        """Every held event, in the order held."""
        ...

    def commit(self) -> None:
        """Commit every held move to the store, all or none."""
        ...


@runtime_checkable
class ReadsMany(Protocol):
    """A store that reads many issues at once (:meth:`govflow.store.SQLStore.get_many`)."""

    def get_many(self, issue_ids: Iterable[str]) -> Mapping[str, Issue]:
        """The issues among ``issue_ids`` that exist, by id."""
        ...


@runtime_checkable
class HoldsMoves(Protocol):
    """A store that keeps a batch's moves its own way until it commits them."""

    def hold_moves(self) -> HeldMoves:
        """An empty holder of moves for this store."""
        ...


class _HeldRecords:
    """The moves as they were made, committed with the store's ``commit_many``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._moves: list[Move] = []
        self._index: dict[tuple[str, int], int] = {}  # (issue id, sequence) -> its move

    def __len__(self) -> int:
        return len(self._moves)

    def add(self, issue: Issue, event: Event, key: str | None) -> None:
        self._index[issue.id, event.sequence] = len(self._moves)
        self._moves.append((issue, event, key))

    def event(self, issue_id: str, sequence: int) -> Event | None:
        index = self._index.get((issue_id, sequence))
        return None if index is None else self._moves[index][1]

    def events(self) -> Iterator[Event]:
        return (event for _, event, _ in self._moves)

    def read(self, issue_id: str) -> Issue:
        return self._store.get(issue_id)

    def close(self) -> None:
        pass

    def commit(self) -> None:
        if self._moves:
            self._store.commit_many(self._moves)


def _hold(store: Store) -> HeldMoves:
    return store.hold_moves() if isinstance(store, HoldsMoves) else _HeldRecords(store)


class BatchStore:
    """A store that holds one batch's moves over another store until :meth:`flush`.

    Reads see the batch's moves; :meth:`commit` checks a move against them the way the store
    underneath would; :meth:`flush` hands them all to the store underneath at once. The moves
    are held as the store underneath keeps them (:class:`HeldMoves`): of each issue the batch
    moved, only its state after the last move is kept as a record.
    """

    def __init__(self, base: Store) -> None:
        self.base = base
        self._held = _hold(base)
        self._issues: dict[str, Issue] = {}  # issues the batch moved or opened, as they stand
        self._first: dict[str, int] = {}  # issue id -> the sequence of its first held event
        self._opened: dict[str, None] = {}  # issues the batch opened, in order
        self._keys: dict[tuple[str, str], int] = {}  # (issue id, key) -> the event's sequence
        self._opening_keys: dict[str, str] = {}  # key of an open -> the issue it opened
        self._read: dict[str, Issue] = {}  # issues read from the store underneath, as read
        self._prefetched: dict[str, Issue] = {}  # read ahead by prefetch(), not yet asked for

    @property
    def moves(self) -> Sequence[Move]:
        """The moves held so far, in the order they were made (each issue's states rebuilt
        from the events, as a replay of the log rebuilds them)."""
        from govflow.audit.chain import advance  # noqa: PLC0415  (rarely needed)

        states: dict[str, Issue | None] = {}
        keys = {(issue_id, sequence): key for (issue_id, key), sequence in self._keys.items()}
        moves: list[Move] = []
        for event in self._held.events():
            issue_id = event.issue_id
            before = states[issue_id] if issue_id in states else self._read.get(issue_id)
            state = attrs.evolve(advance(before, event), last_hash=event.hash)
            states[issue_id] = state
            moves.append((state, event, keys.get((issue_id, event.sequence))))
        return tuple(moves)

    def prefetch(self, issue_ids: Iterable[str]) -> None:
        """Read the issues named, those the batch has not read or moved yet, from the store
        underneath at once -- in one query a thousand on a :class:`~govflow.store.SQLStore`,
        instead of one query an issue as the batch first asks for each -- for the batch's moves
        to start from. Nothing else changes: each move is checked against the issue as read
        (here or later), and if another engine moves one of them before the batch is
        committed, the commit raises :class:`~govflow.errors.ConflictError` and stores none of
        it, as for any issue a batch reads. Ids of no issue are left for the batch to find
        missing when it asks for them. A store that cannot read many at once is left alone."""
        if not isinstance(self.base, ReadsMany):
            return
        wanted = [
            issue_id
            for issue_id in issue_ids
            if issue_id not in self._issues and issue_id not in self._read
        ]
        self._prefetched.update(self.base.get_many(wanted))

    def close(self) -> None:
        """Release what the batch's reads kept (see :meth:`HeldMoves.close`); its moves stay."""
        self._held.close()

    def flush(self) -> None:
        """Commit every held move to the store underneath in one go, and forget them."""
        held, self._held = self._held, _hold(self.base)
        self._issues.clear()
        self._first.clear()
        self._opened.clear()
        self._keys.clear()
        self._opening_keys.clear()
        self._read.clear()
        self._prefetched.clear()
        held.commit()

    # --- the store contract --------------------------------------------------------------------

    def new_issue_id(self) -> str:
        return self.base.new_issue_id()

    def get(self, issue_id: str) -> Issue:
        held = self._issues.get(issue_id)
        if held is not None:
            return held
        return self._read_below(issue_id)

    def _read_below(self, issue_id: str) -> Issue:
        """The issue from the store underneath (or as read ahead), remembered as what this
        batch's first move of it is checked on."""
        read = self._prefetched.pop(issue_id, None) or self._held.read(issue_id)
        self._read[issue_id] = read
        return read

    def _held_events(self, issue_id: str) -> list[Event]:
        held = self._issues.get(issue_id)
        if held is None:
            return []
        found = (
            self._held.event(issue_id, n) for n in range(self._first[issue_id], held.version + 1)
        )
        return [event for event in found if event is not None]

    def events(self, issue_id: str) -> Sequence[Event]:
        held = self._held_events(issue_id)
        if issue_id in self._opened:
            return tuple(held)
        return (*self.base.events(issue_id), *held)

    def last_event(self, issue_id: str) -> Event | None:
        held = self._issues.get(issue_id)
        if held is None:
            return self.base.last_event(issue_id)
        return self._held.event(issue_id, held.version)

    def find_idempotent(self, issue_id: str, key: str) -> Event | None:
        sequence = self._keys.get((issue_id, key))
        if sequence is None:
            return self.base.find_idempotent(issue_id, key)
        return self._held.event(issue_id, sequence)

    def find_opened(self, key: str) -> Event | None:
        issue_id = self._opening_keys.get(key)
        if issue_id is None:
            return self.base.find_opened(key)
        return self._held.event(issue_id, 0)

    def commit(self, issue: Issue, event: Event, *, idempotency_key: str | None = None) -> None:
        issue_id = issue.id
        current = self._issues.get(issue_id) or self._read.get(issue_id)
        if current is None:
            try:
                current = self._read_below(issue_id)
            except UnknownIssueError:
                current = None
        problem = check_commit(current, issue, event)
        key = idempotency_key
        if problem is None and key is not None:
            used = (issue_id, key) in self._keys or (
                self.base.find_idempotent(issue_id, key) is not None
            )
            if event.sequence == 0:
                used = used or key in self._opening_keys or self.base.find_opened(key) is not None
            if used:
                problem = f"idempotency key {key!r} was used already"
        if problem is not None:
            raise ConflictError(issue_id, problem)
        self._held.add(issue, event, key)  # first: a move it cannot hold leaves all as it was
        if issue_id not in self._issues:
            self._first[issue_id] = event.sequence
        if event.sequence == 0:
            self._opened[issue_id] = None
        self._issues[issue_id] = issue
        if key is not None:
            self._keys[issue_id, key] = event.sequence
            if event.sequence == 0:
                self._opening_keys[key] = issue_id

    def commit_many(self, moves: Sequence[Move]) -> None:
        for issue, event, key in moves:  # a batch inside a batch joins the outer one
            self.commit(issue, event, idempotency_key=key)

    def due(self, now: datetime) -> Iterator[Issue]:
        # A batch holds its moves in memory anyway: the due issues are gathered, with the
        # batch's own state of each, and sorted as the store underneath would sort them.
        found = {issue.id: self._issues.get(issue.id, issue) for issue in self.base.due(now)}
        found.update(self._issues)
        due = [
            (alarm, issue.id, issue)
            for issue in found.values()
            if (alarm := issue.alarm_at) is not None and alarm <= now
        ]
        due.sort(key=lambda item: (item[0], item[1]))
        return iter([issue for _, _, issue in due])

    def issues(self) -> Iterator[Issue]:
        for issue in self.base.issues():
            yield self._issues.get(issue.id, issue)
        for issue_id in list(self._opened):
            yield self._issues[issue_id]

    def __len__(self) -> int:
        return len(self.base) + len(self._opened)

    # The store-wide log holds what was committed: a batch's moves join it at the flush.

    def log_size(self) -> int:
        return self.base.log_size()

    def log(self, start: int = 0) -> Iterator[LogEntry]:
        return self.base.log(start)

    def log_events(self, start: int = 0) -> Iterator[Event | CorruptRecord]:
        return self.base.log_events(start)

    def unlogged(self) -> Iterator[tuple[str, int]]:
        return self.base.unlogged()

    def scan(self) -> Iterator[IssueScan]:
        return self.base.scan()

    # Subjects' keys are not moves: they are read and made in the store underneath at once
    # (a key made for a move the batch then drops opens nothing). Erasing is not batched.

    def subject_key(self, subject: str, *, create: bool = False) -> SubjectKey | None:
        return self.base.subject_key(subject, create=create)

    def subject_secret(self, key_id: str) -> bytes | None:
        return self.base.subject_secret(key_id)

    def subject_keys(self) -> Iterator[SubjectKey]:
        return self.base.subject_keys()

    def add_subject_key(self, key: SubjectKey) -> None:
        self.base.add_subject_key(key)

    def forget_subject(self, subject: str) -> int:
        raise InvalidRequestError(f"erasing {subject!r} is not part of a batch: erase outside it")

    def reported_by(self, subject: str) -> Iterator[Issue]:
        return self.base.reported_by(subject)


class _HeldLedgerStore:
    """The ledger entries a batch's moves post, held until the batch is committed; reads see
    them after the stored ones, so that the batch's later moves number theirs on."""

    def __init__(self, base: LedgerStore) -> None:
        self.base = base
        self.held: list[Entry] = []

    def append(self, entry: Entry) -> None:
        expected = len(self.entries(entry.ledger))
        if entry.sequence != expected:
            raise ConflictError(
                entry.ledger, f"entry {entry.sequence} appended where entry {expected} was expected"
            )
        self.held.append(entry)

    def entries(self, ledger: str) -> Sequence[Entry]:
        return (*self.base.entries(ledger), *(e for e in self.held if e.ledger == ledger))


@contextmanager
def batch(engine: Engine, *, issues: Iterable[str] = ()) -> Iterator[Engine]:
    """What :meth:`govflow.Engine.batch` does: see the module's documentation. ``issues``:
    the ids of issues the batch will move, read at once before it starts
    (:meth:`BatchStore.prefetch`)."""
    held = BatchStore(engine.store)
    held.prefetch(issues)
    view = copy.copy(engine)  # the same workflows, plugins, org and clock; its own store
    view.store = held
    ledgers = None
    if engine.ledgers.posts:
        ledgers = _HeldLedgerStore(engine.ledgers.store)
        view.ledgers = copy.copy(engine.ledgers)
        view.ledgers.store = ledgers
    deferred: list[Callable[[], None]] = []
    view._deferred = deferred  # announcements held back until the batch is committed
    try:
        yield view
        held.flush()
    finally:
        held.close()
    view._deferred = None
    if ledgers is not None:
        engine.ledgers.append(ledgers.held)
    for announce in deferred:
        announce()
