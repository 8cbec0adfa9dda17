"""The SQL store's audit reads: whole-store scans for verify and export, streamed.

Each read is one query the database answers in index order, fetched a batch at a time, so a
scan of a million issues holds one issue's rows at a time. A row that cannot be decoded (bad
JSON, a bad time, a NULL where a value belongs) is reported as a
:class:`~govflow.store.base.CorruptRecord` naming it; the scan goes on.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import orjson
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from govflow.errors import GovflowError, StoreError
from govflow.records import EMPTY, Event, Issue, PluginRef, freeze_mapping
from govflow.store.base import CorruptRecord, IssueScan, LogEntry

if TYPE_CHECKING:
    from govflow.store.sql import SQLStore

#: Rows fetched from the database per batch.
_BATCH: Final = 2000

#: What decoding a hostile row can raise: none of it may escape as itself.
DECODE_ERRORS: Final = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


def _stream(store: SQLStore, what: str, statement: sa.Executable) -> Iterator[Any]:
    try:
        with store._engine.connect() as connection:
            # One transaction: a server-side cursor needs one on PostgreSQL, and it gives the
            # scan a consistent snapshot there (REPEATABLE READ) and on SQLite (a deferred read
            # transaction in WAL mode, which never blocks writers).
            conn = connection
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(
                    statement
                )
                yield from result
    except sa_exc.SQLAlchemyError as err:
        raise StoreError(f"{store.url}: could not {what}: {err}") from None


class _Row:
    """A raw DB-API row with its column names: what the store's decoders read (``_mapping``),
    without SQLAlchemy building a Row for each of a district's events."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping


def _stream_raw(
    store: SQLStore, what: str, statement: sa.Select[Any], names: list[str]
) -> Iterator[tuple[Any, ...]]:
    """``statement``'s rows straight from the driver's cursor as tuples, in batches;
    ``names`` is filled with the columns' names before the first row."""
    try:
        with store._engine.connect() as connection:
            conn = connection
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                compiled = statement.compile(dialect=conn.dialect)
                params = compiled.construct_params()
                arguments: Any = (
                    tuple(params[name] for name in compiled.positiontup or ())
                    if compiled.positional
                    else params
                )
                driver = conn.connection.driver_connection
                assert driver is not None
                # A named (server-side) cursor on PostgreSQL streams; SQLite's always does.
                cursor = driver.cursor(name="govflow_scan") if postgres else driver.cursor()
                try:
                    cursor.execute(str(compiled), arguments)
                    names[:] = [column[0] for column in cursor.description]
                    while True:
                        batch = cursor.fetchmany(_BATCH)
                        if not batch:
                            break
                        yield from batch
                        del batch  # before the next fetch: one batch in memory, not two
                finally:
                    cursor.close()
    except sa_exc.SQLAlchemyError as err:
        raise StoreError(f"{store.url}: could not {what}: {err}") from None
    except Exception as err:
        if type(err).__module__.split(".")[0] in {"sqlite3", "psycopg"}:
            raise StoreError(f"{store.url}: could not {what}: {err}") from None
        raise


def _decode(decode: Callable[[Any], Any], row: Any, issue_id: str, sequence: int | None) -> Any:
    try:
        return decode(row)
    except json.JSONDecodeError as err:
        return CorruptRecord(issue_id, sequence, f"holds malformed JSON ({err.msg})")
    except DECODE_ERRORS as err:
        return CorruptRecord(issue_id, sequence, f"cannot be read: {type(err).__name__}: {err}")


def log_size(store: SQLStore) -> int:
    from govflow.store.sql import _log  # noqa: PLC0415  (sql imports this module lazily)

    def count(conn: sa.Connection) -> int:
        if conn.dialect.name == "postgresql":
            # Wait for every transaction that took a position to finish: afterwards no entry
            # can appear below the ones counted (positions are handed out in order).
            conn.exec_driver_sql(f"LOCK TABLE {_log.name} IN SHARE MODE")
        return int(conn.execute(sa.select(sa.func.count()).select_from(_log)).scalar_one())

    return store._run("count the log", count, write=True)


def log(store: SQLStore, start: int = 0) -> Iterator[LogEntry]:
    from govflow.store.sql import _events, _log  # noqa: PLC0415

    joined = _log.outerjoin(
        _events,
        sa.and_(_events.c.issue_id == _log.c.issue_id, _events.c.sequence == _log.c.sequence),
    )
    statement = (
        sa.select(_log.c.issue_id, _log.c.sequence, _log.c.hash, _events.c.hash, _events.c.at)
        .select_from(joined)
        .order_by(_log.c.position)
        .offset(start)
    )
    # Raw rows: a district's log is read whole by every verify.
    for row in _stream_raw(store, "read the log", statement, []):
        yield LogEntry(*row)


def log_events(store: SQLStore, start: int = 0) -> Iterator[Event | CorruptRecord]:
    from govflow.store.sql import _event_from_row, _events, _log  # noqa: PLC0415

    joined = _log.outerjoin(
        _events,
        sa.and_(_events.c.issue_id == _log.c.issue_id, _events.c.sequence == _log.c.sequence),
    )
    statement = (
        sa.select(
            _events, _log.c.issue_id.label("log_issue"), _log.c.sequence.label("log_sequence")
        )
        .select_from(joined)
        .order_by(_log.c.position)
        .offset(start)
    )
    for row in _stream(store, "read the logged events", statement):
        m = row._mapping
        if m["issue_id"] is None:
            yield CorruptRecord(
                m["log_issue"], m["log_sequence"], "the log names an event that is gone"
            )
        else:
            yield _decode(_event_from_row, row, m["log_issue"], m["log_sequence"])


def unlogged(store: SQLStore) -> Iterator[tuple[str, int]]:
    from govflow.store.sql import _events, _log  # noqa: PLC0415

    joined = _events.outerjoin(
        _log, sa.and_(_events.c.issue_id == _log.c.issue_id, _events.c.sequence == _log.c.sequence)
    )
    statement = (
        sa.select(_events.c.issue_id, _events.c.sequence)
        .select_from(joined)
        .where(_log.c.position.is_(None))
        .order_by(_events.c.issue_id, _events.c.sequence)
    )
    for row in _stream(store, "find unlogged events", statement):
        yield row[0], row[1]


_ISSUE_LABELS: tuple[tuple[str, str], ...] = ()


class _IssuePart:
    """The issue row's columns of a joined row, under their own names."""

    def __init__(self, row: _Row, labels: tuple[tuple[str, str], ...]) -> None:
        m = row._mapping
        self._mapping = {name: m[label] for name, label in labels}


def _check_due_key(issue: Issue, due_key: Any) -> str | None:
    from govflow.store.sql import _time_key  # noqa: PLC0415

    expected = None if issue.due_at is None else _time_key(issue.due_at)
    if due_key != expected:
        return (
            f"its due_key is {due_key!r} but its due_at gives {expected!r}: the deadline index "
            "was edited (a timeout would fire at the wrong time, or never)"
        )
    return None


def _joined_issue(row: _Row, issue_id: str, corrupt: list[CorruptRecord]) -> Issue | None:
    """The issue row joined to ``row`` (when the row is at this event), checked."""
    from govflow.store.sql import _issue_from_row, _issues  # noqa: PLC0415

    global _ISSUE_LABELS  # noqa: PLW0603  (the issue table's columns, computed once)
    if not _ISSUE_LABELS:
        _ISSUE_LABELS = tuple((column.name, f"i_{column.name}") for column in _issues.c)
    found = _decode(_issue_from_row, _IssuePart(row, _ISSUE_LABELS), issue_id, None)
    if isinstance(found, CorruptRecord):
        corrupt.append(found)
        return None
    problem = _check_due_key(found, row._mapping["i_due_key"])
    if problem is not None:
        corrupt.append(CorruptRecord(issue_id, None, problem))
    return found  # type: ignore[no-any-return]


class _IssueReader:
    """Reads the issue row joined to a scanned event into an :class:`Issue` equal to what the
    store's own decoder gives, straight from the row's values: each JSON column one call into
    the C scanner. A row it cannot read so goes to the store's decoder, which names what is
    wrong with it."""

    #: The issue row's columns, in the order :meth:`read` unpacks them.
    COLUMNS: Final = (
        "i_id",
        "i_workflow",
        "i_workflow_version",
        "i_state",
        "i_category",
        "i_location",
        "i_reporter",
        "i_opened_at",
        "i_updated_at",
        "i_due_at",
        "i_assignees",
        "i_handlers",
        "i_data",
        "i_version",
        "i_joint",
        "i_timing",
        "i_due_key",
    )

    def __init__(self, names: list[str]) -> None:
        self.names = names
        index = {name: position for position, name in enumerate(names)}
        self.columns = operator.itemgetter(*(index[name] for name in self.COLUMNS))

    def read(self, values: tuple[Any, ...], corrupt: list[CorruptRecord]) -> Issue | None:
        """The issue, checked; None (and the problem in ``corrupt``) if it cannot be read."""
        (
            issue_id,
            workflow,
            workflow_version,
            state,
            category,
            location,
            reporter,
            opened_at,
            updated_at,
            due_at,
            assignees,
            handlers,
            data,
            version,
            joint,
            timing,
            due_key,
        ) = self.columns(values)
        try:
            issue = Issue(
                id=issue_id,
                workflow=workflow,
                workflow_version=workflow_version,
                state=state,
                category=category,
                location=location,
                reporter=reporter,
                opened_at=datetime.fromisoformat(opened_at),
                updated_at=datetime.fromisoformat(updated_at),
                due_at=None if due_at is None else datetime.fromisoformat(due_at),
                assignees=() if assignees == "[]" else tuple(_load(assignees)),
                handlers=() if handlers == "[]" else tuple(_load(handlers)),
                data=_load_mapping(data),
                version=version,
                joint=_load_mapping(joint),
                timing=_load_mapping(timing),
            )
        except (*DECODE_ERRORS, RecursionError):
            row = _Row(dict(zip(self.names, values, strict=True)))
            return _joined_issue(row, issue_id, corrupt)
        problem = _check_due_key(issue, due_key)
        if problem is not None:
            corrupt.append(CorruptRecord(issue_id, None, problem))
        return issue


def _load_mapping(text: str) -> Mapping[str, Any]:
    return EMPTY if text == "{}" else freeze_mapping(_load(text))


def _load(text: str) -> Any:
    """``json.loads(text)``, by orjson, for text as the store writes it; anything else raises
    ValueError (the store's own decoder then reads the row, and names what is wrong with it).
    orjson refuses what the standard library would let through (NaN, a lone surrogate's
    escape): such a row goes to the store's decoder too."""
    return orjson.loads(text)


class _EventReader:
    """Reads an event row of the scan into an :class:`Event` (equal to what the store's own
    decoder gives) and its hash recomputed from the same decoded values: the canonical text
    (:mod:`govflow.audit.canonical`) written in one pass of orjson
    (:func:`~govflow.audit.canonical.plain_bytes`). JCS is what it writes except in corners
    (fractions, exponents, keys at or above U+E000); there the text may differ, the hash then
    does not match, and ``verify_events`` recomputes the event exactly."""

    #: The event table's columns, in the order :meth:`read` unpacks them.
    COLUMNS: Final = (
        "issue_id",
        "sequence",
        "trigger",
        "source",
        "destination",
        "actor",
        "at",
        "due_at",
        "payload",
        "changes",
        "plugin_name",
        "plugin_version",
        "decisions",
        "previous_hash",
        "hash",
        "acting_for",
        "audit_format",
        "hash_algorithm",
    )

    def __init__(self, names: list[str]) -> None:
        # Bound once here, not imported per row (sql imports this module lazily).
        from govflow.audit.canonical import (  # noqa: PLC0415
            AUDIT_FORMAT,
            CANONICAL_FIELDS,
            plain_bytes,
        )
        from govflow.audit.hashing import digest  # noqa: PLC0415
        from govflow.store.sql import _decode_change  # noqa: PLC0415

        self.format = AUDIT_FORMAT
        self.plain_bytes = plain_bytes
        self.digest = digest
        self.sha256 = hashlib.sha256
        self.decode_change = _decode_change
        index = {name: position for position, name in enumerate(names)}
        self.issue_id = index["issue_id"]
        self.sequence = index["sequence"]
        self.row_version = index["row_version"]
        self.joined = index["i_id"]
        self.columns = operator.itemgetter(*(index[name] for name in self.COLUMNS))
        # read() writes the canonical object's keys out: they must be the canonical fields.
        unpacked = {name for name in self.COLUMNS if not name.startswith("plugin_")} - {"hash"}
        if unpacked | {"plugin"} != set(CANONICAL_FIELDS):
            raise AssertionError("the scan's canonical object misses an Event field")
        self._decisions: dict[str, tuple[Any, Mapping[str, Any]]] = {}
        self._plugins: dict[tuple[str, str | None], tuple[PluginRef, dict[str, Any]]] = {}

    def _decided(self, text: str) -> tuple[Any, Mapping[str, Any]]:
        from govflow.store.sql import _load_decisions  # noqa: PLC0415

        found = self._decisions.get(text)
        if found is None:
            found = (_load(text), _load_decisions(text))
            if len(self._decisions) < _CACHED:
                self._decisions[text] = found
        return found

    def _plugin(self, name: str, version: str | None) -> tuple[PluginRef, dict[str, Any]]:
        found = self._plugins.get((name, version))
        if found is None:
            found = (PluginRef(name, version), {"name": name, "version": version})
            if len(self._plugins) < _CACHED:
                self._plugins[name, version] = found
        return found

    def read(self, values: tuple[Any, ...]) -> tuple[Event, str | None]:
        """The event, and its hash recomputed (None where it cannot be here)."""
        (
            issue_id,
            sequence,
            trigger,
            source,
            destination,
            actor,
            at,
            due_at,
            payload_text,
            changes_text,
            plugin_name,
            plugin_version,
            decisions_text,
            previous_hash,
            hash_,
            acting_for,
            audit_format,
            algorithm,
        ) = self.columns(values)
        payload = {} if payload_text == "{}" else _load(payload_text)
        changes = {} if changes_text == "{}" else _load(changes_text)
        if type(payload) is not dict or type(changes) is not dict:
            raise TypeError("payload and changes must be objects")
        decisions, frozen_decisions = self._decided(decisions_text)
        plugin, plain_plugin = (
            (None, None) if plugin_name is None else self._plugin(plugin_name, plugin_version)
        )
        decode_change = self.decode_change
        event = Event(
            issue_id,
            sequence,
            trigger,
            source,
            destination,
            actor,
            datetime.fromisoformat(at),
            None if due_at is None else datetime.fromisoformat(due_at),
            MappingProxyType(payload) if payload else EMPTY,
            MappingProxyType({k: decode_change(k, v) for k, v in changes.items()})
            if changes
            else EMPTY,
            plugin,
            frozen_decisions,
            previous_hash,
            hash_,
            acting_for,
            audit_format,
            algorithm,
        )
        if audit_format != self.format:
            return event, None
        canonical = {
            "acting_for": acting_for,
            "actor": actor,
            "at": at,
            "audit_format": audit_format,
            "changes": changes,
            "decisions": decisions,
            "destination": destination,
            "due_at": due_at,
            "hash_algorithm": algorithm,
            "issue_id": issue_id,
            "payload": payload,
            "plugin": plain_plugin,
            "previous_hash": previous_hash,
            "sequence": sequence,
            "source": source,
            "trigger": trigger,
        }
        try:
            text = self.plain_bytes(canonical)
        except (ValueError, TypeError, GovflowError):  # a lone surrogate, say
            return event, None
        if algorithm == "sha256":  # nearly every event: hashlib straight away
            return event, self.sha256(text).hexdigest()
        try:
            return event, self.digest(algorithm, text)
        except GovflowError:  # an algorithm this installation lacks: named by verify_events
            return event, None


_CACHED: Final = 1024  # distinct decision sets and plugins kept decoded


def _unread_event(reader: _EventReader, values: tuple[Any, ...], names: list[str]) -> Any:
    """What the store's own decoder makes of an event row the reader could not read: the
    event, or a CorruptRecord naming what is wrong with it, as every read names it."""
    from govflow.store.sql import _event_from_row  # noqa: PLC0415

    row = _Row(dict(zip(names, values, strict=True)))
    return _decode(_event_from_row, row, values[reader.issue_id], values[reader.sequence])


def scan(store: SQLStore) -> Iterator[IssueScan]:
    """Every issue with its events: one query over the events in key order, each joined to its
    issue row where the row is at that event, then the issue rows that have no events."""
    from govflow.store.sql import _events, _issues  # noqa: PLC0415

    # One lookup of the issue row per event (not one for the row at this event and another for
    # its version): its columns where it is at this event, NULL elsewhere.
    at_event = _issues.c.version == _events.c.sequence
    statement = (
        sa.select(
            _events,
            *[sa.case((at_event, column)).label(f"i_{column.name}") for column in _issues.c],
            _issues.c.version.label("row_version"),
        )
        .select_from(_events.outerjoin(_issues, _issues.c.id == _events.c.issue_id))
        .order_by(_events.c.issue_id, _events.c.sequence)
    )
    current: str | None = None
    events: list[Event] = []
    hashes: list[str | None] = []
    corrupt: list[CorruptRecord] = []
    issue: Issue | None = None
    row_version: int | None = None

    def finish() -> IssueScan:
        assert current is not None
        return IssueScan(
            current, issue, tuple(events), tuple(corrupt), row_version, hashes=tuple(hashes)
        )

    names: list[str] = []
    reader: _EventReader | None = None
    issue_reader: _IssueReader | None = None
    for values in _stream_raw(store, "scan the events", statement, names):
        if reader is None:
            reader, issue_reader = _EventReader(names), _IssueReader(names)
        issue_id = values[reader.issue_id]
        if issue_id != current:
            if current is not None:
                yield finish()
            current, events, hashes, corrupt, issue = issue_id, [], [], [], None
            row_version = values[reader.row_version]
        try:
            event, rehashed = reader.read(values)
        except (*DECODE_ERRORS, RecursionError):
            decoded = _unread_event(reader, values, names)
            if isinstance(decoded, CorruptRecord):
                corrupt.append(decoded)
            else:
                events.append(decoded)
                hashes.append(None)
        else:
            events.append(event)
            hashes.append(rehashed)
        if values[reader.joined] is not None:
            assert issue_reader is not None
            issue = issue_reader.read(values, corrupt)
    if current is not None:
        yield finish()
    yield from _issues_without_events(store)


def _issues_without_events(store: SQLStore) -> Iterator[IssueScan]:
    from govflow.store.sql import _events, _issue_from_row, _issues  # noqa: PLC0415

    orphans = (
        sa.select(_issues)
        .where(~sa.exists().where(_events.c.issue_id == _issues.c.id))
        .order_by(_issues.c.id)
    )
    for row in _stream(store, "find issues without events", orphans):
        issue_id = row._mapping["id"]
        found = _decode(_issue_from_row, row, issue_id, None)
        if isinstance(found, CorruptRecord):
            yield IssueScan(issue_id, None, (), (found,), row._mapping["version"])
        else:
            yield IssueScan(issue_id, found, ())


__all__ = ["DECODE_ERRORS", "log", "log_events", "log_size", "scan", "unlogged"]
