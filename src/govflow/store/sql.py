"""A durable store on SQLAlchemy Core: a SQLite file by default, PostgreSQL by URL.

Four tables, all prefixed ``govflow_`` so they can share a database with an application:

``govflow_issues``
    one row per issue, every :class:`~govflow.records.Issue` field plus ``position`` (the order
    issues were opened in) and ``due_key`` (the issue's ``alarm_at`` -- its pending early
    warning, else its ``due_at`` -- as microseconds since the epoch, UTC, indexed: what
    :meth:`SQLStore.due` searches).
``govflow_events``
    the audit log: one row per event, keyed by ``(issue_id, sequence)``.
``govflow_idempotency``
    ``(issue_id, key) -> sequence``: which event a request with that key produced.
``govflow_meta``
    named integers: the ``schema_version`` and the ``issue_counter`` behind
    :meth:`SQLStore.new_issue_id`.

Everything round-trips exactly, so the hash chain verifies after a trip through the database:
times are kept as ISO 8601 text *with their UTC offset* (a timestamp column would normalize the
offset away on PostgreSQL, or drop it on SQLite, and the offset is part of each event's hash);
payloads, changes, decisions and issue data are kept as JSON text in the order they were given;
the tuples among changes come back as tuples, as the engine made them.

:meth:`SQLStore.commit` is one database transaction. The issue row is moved with
``UPDATE ... WHERE id = :id AND version = :expected`` (optimistic concurrency: zero rows
updated means someone else moved it first), then the event, its entry in the store-wide log and
the idempotency key are inserted under primary-key and unique constraints. Any failure rolls the
whole transaction back and is reported as :class:`~govflow.errors.ConflictError`; SQLAlchemy's
own exceptions never escape.

What a move costs (see ``docs/howto/storage.md``): on PostgreSQL the whole move is one
statement -- the UPDATE, and INSERTs that select from what the UPDATE returned, chained in a
``WITH`` -- sent in autocommit, so a move is one round trip to the server; every statement is
built once at import and compiled once per dialect. A move's read and its commit go to the
driver's cursor directly (a connection from SQLAlchemy's pool, each statement compiled by
SQLAlchemy once per store): on SQLite, which runs in process, SQLAlchemy's execution around a
statement costs more than SQLite's own work in WAL mode; on PostgreSQL it was a third of a
move's client CPU (psycopg still prepares each statement on the server after its fifth run on a
connection). The issue is read with its last event's
hash (:attr:`~govflow.records.Issue.last_hash`), so a move reads nothing of the log. Commits of
several threads of one process may share a transaction (group commit, on SQLite by default),
and :meth:`SQLStore.commit_many` writes a batch of moves in one transaction.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from functools import partial
from types import MappingProxyType, TracebackType
from typing import Any, Final, Literal, Self, TypeVar, cast

import orjson
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc

from govflow._views import ViewMemo
from govflow.errors import (
    ConflictError,
    CorruptRecordError,
    DefinitionError,
    GovflowError,
    InvalidRequestError,
    StoreError,
    UnknownIssueError,
)
from govflow.records import EMPTY, Event, Issue, PluginRef, freeze_mapping
from govflow.store import _sql_keys
from govflow.store._group import GroupCommitter
from govflow.store.base import CorruptRecord, IssueScan, LogEntry, SubjectKey, check_commit
from govflow.validate import check_time

__all__ = ["SCHEMA_VERSION", "SYNCHRONOUS", "HeldRows", "SQLStore", "metadata"]

#: The layout of the tables this module writes; kept in ``govflow_meta`` so that a later
#: release can tell which migration a database needs.
SCHEMA_VERSION: Final = 7

_T = TypeVar("_T")

log = logging.getLogger(__name__)

# --- schema ------------------------------------------------------------------------------------

#: The tables, for tools that want them (migrations, reports); :class:`SQLStore` creates them.
metadata = sa.MetaData()

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
_POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_issues = sa.Table(
    "govflow_issues",
    metadata,
    sa.Column("position", _POSITION, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String, nullable=False),
    sa.Column("workflow", sa.String, nullable=False),
    sa.Column("workflow_version", sa.Integer, nullable=False),
    sa.Column("state", sa.String, nullable=False),
    sa.Column("category", sa.String),
    sa.Column("location", sa.String),
    sa.Column("reporter", sa.String, nullable=False),
    sa.Column("opened_at", sa.String, nullable=False),
    sa.Column("updated_at", sa.String, nullable=False),
    sa.Column("due_at", sa.String),
    sa.Column("due_key", sa.BigInteger),
    sa.Column("assignees", sa.Text, nullable=False),
    sa.Column("handlers", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("joint", sa.Text, nullable=False),
    sa.Column("timing", sa.Text, nullable=False, server_default="{}"),
    sa.UniqueConstraint("id", name="govflow_issues_id_key"),
    sa.Index("govflow_issues_due", "due_key", "id"),
)

_events = sa.Table(
    "govflow_events",
    metadata,
    sa.Column("issue_id", sa.String, primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("trigger", sa.String, nullable=False),
    sa.Column("source", sa.String),
    sa.Column("destination", sa.String, nullable=False),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("at", sa.String, nullable=False),
    sa.Column("due_at", sa.String),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("changes", sa.Text, nullable=False),
    sa.Column("plugin_name", sa.String),
    sa.Column("plugin_version", sa.String),
    sa.Column("decisions", sa.Text, nullable=False),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("acting_for", sa.String),
    sa.Column("audit_format", sa.Integer, nullable=False),
    sa.Column("hash_algorithm", sa.String, nullable=False),
    sa.ForeignKeyConstraint(["issue_id"], ["govflow_issues.id"], name="govflow_events_issue_fkey"),
)

_keys = sa.Table(
    "govflow_idempotency",
    metadata,
    sa.Column("issue_id", sa.String, primary_key=True),
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.ForeignKeyConstraint(
        ["issue_id", "sequence"],
        ["govflow_events.issue_id", "govflow_events.sequence"],
        name="govflow_idempotency_event_fkey",
    ),
    # The key of an open names one issue across the store: a retried report opens nothing new.
    sa.Index(
        "govflow_idempotency_opening",
        "key",
        unique=True,
        sqlite_where=sa.text("sequence = 0"),
        postgresql_where=sa.text("sequence = 0"),
    ),
)

#: The store-wide log (govflow.audit.merkle): one row per committed event, in commit order,
#: inserted in the move's transaction. ``position`` only orders the rows (PostgreSQL may leave
#: gaps); an entry's index is its rank.
_log = sa.Table(
    "govflow_log",
    metadata,
    sa.Column("position", _POSITION, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String, nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("issue_id", "sequence", name="govflow_log_event_key"),
)

#: Subjects' data keys (govflow.audit.personal): outside every hash, deleted to erase.
_subject_keys = sa.Table(
    "govflow_subject_keys",
    metadata,
    sa.Column("key_id", sa.String, primary_key=True),
    sa.Column("subject", sa.String, nullable=False),
    sa.Column("secret", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("subject", name="govflow_subject_keys_subject_key"),
)

_meta = sa.Table(
    "govflow_meta",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

_SCHEMA_VERSION_ROW: Final = "schema_version"
_COUNTER_ROW: Final = "issue_counter"

#: How many issues :meth:`SQLStore.issues` and :meth:`SQLStore.due` read per query.
_PAGE: Final = 1000

#: How long a SQLite commit waits, at most, for commits of other threads to join it.
_GROUP_WAIT: Final = 0.002

# --- encoding ----------------------------------------------------------------------------------

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _time_key(value: datetime) -> int:
    """``value`` as whole microseconds since the epoch: orders correctly whatever the offset.

    A naive time (never made by govflow's clocks) is taken as UTC.
    """
    aware = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MICROSECOND


def _json_default(value: Any) -> Any:
    # What json cannot encode on its own among what records hold: read-only mappings, times
    # (the text govflow.audit.to_json_value gives them).
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


#: Not the audit log's canonical text: key order is kept, so data comes back as it was given.
#: One encoder, built once: several fields of every move go through it.
_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default
)


def _dump(value: Any) -> str:
    kind = type(value)
    if not value:  # most moves' changes, decisions, payloads, handlers are empty
        return "[]" if kind is tuple or kind is list else "{}"
    if kind is MappingProxyType:  # records' mappings: the encoder takes a dict without help
        value = value.copy()
    return _ENCODER.encode(value)


#: The engine shares one decisions view between every event that made the same decisions:
#: each is encoded once.
_dump_decisions: ViewMemo[str] = ViewMemo(_dump, limit=1024)


def _load_mapping(text: str) -> Mapping[str, Any]:
    return EMPTY if text == "{}" else freeze_mapping(orjson.loads(text))


#: Decisions are a handful of distinct texts over a whole log: each read once (verify reads
#: every event of a district; the mappings are read-only, so sharing them is safe).
_DECISIONS: dict[str, Mapping[str, Any]] = {}


def _load_decisions(text: str) -> Mapping[str, Any]:
    found = _DECISIONS.get(text)
    if found is None:
        found = _load_mapping(text)
        if len(_DECISIONS) < 1024:
            _DECISIONS[text] = found
    return found


def _decode_change(key: str, value: Any) -> Any:
    # JSON has no tuples: give back what the engine put in an event's changes.
    if key in ("assignees", "handlers") and isinstance(value, list):
        return tuple(value)
    if key in ("data", "joint", "timing") and isinstance(value, dict):
        return freeze_mapping(value)
    return value


def _load_changes(text: str) -> Mapping[str, Any]:
    if text == "{}":
        return EMPTY
    raw = orjson.loads(text)
    if not raw:
        return EMPTY
    return MappingProxyType({key: _decode_change(key, value) for key, value in raw.items()})


def _issue_values(issue: Issue, columns: Sequence[str] | None = None) -> dict[str, Any]:
    """The issue's row: every column, or only ``columns`` (a move encodes only what it sets)."""
    if columns is None:
        return dict(zip(_ISSUE_NAMES, _issue_row(issue), strict=True))
    return {name: _ISSUE_ENCODERS[name](issue) for name in columns}


def _issue_row(issue: Issue) -> tuple[Any, ...]:
    """The issue's row, its values in the order of the table's columns (:data:`_ISSUE_NAMES`,
    ``id`` first): what a batch writes for each issue it opened or moved. Each column encoded
    by its entry in :data:`_ISSUE_ENCODERS`, the one definition of a column's encoding."""
    return tuple([encode(issue) for encode in _ROW_ENCODERS])


def _due_key(issue: Issue) -> int | None:
    alarm = issue.alarm_at
    return None if alarm is None else _time_key(alarm)


#: Each column of an issue row, as :func:`_issue_values` encodes it.
_ISSUE_ENCODERS: Final[dict[str, Callable[[Issue], Any]]] = {
    "id": lambda issue: issue.id,
    "workflow": lambda issue: issue.workflow,
    "workflow_version": lambda issue: issue.workflow_version,
    "state": lambda issue: issue.state,
    "category": lambda issue: issue.category,
    "location": lambda issue: issue.location,
    "reporter": lambda issue: issue.reporter,
    "opened_at": lambda issue: issue.opened_at.isoformat(),
    "updated_at": lambda issue: issue.updated_at.isoformat(),
    "due_at": lambda issue: None if issue.due_at is None else issue.due_at.isoformat(),
    "due_key": _due_key,
    "assignees": lambda issue: _dump(issue.assignees),
    "handlers": lambda issue: _dump(issue.handlers),
    "data": lambda issue: _dump(issue.data),
    "version": lambda issue: issue.version,
    "joint": lambda issue: _dump(issue.joint),
    "timing": lambda issue: _dump(issue.timing),
}


def _load_ids(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(orjson.loads(text))  # most issues' handlers, say


def _issue_from_row(row: sa.Row[Any]) -> Issue:
    return _issue_from_mapping(row._mapping)


def _issue_from_mapping(m: Mapping[Any, Any]) -> Issue:
    due = m["due_at"]
    return Issue(
        id=m["id"],
        workflow=m["workflow"],
        workflow_version=m["workflow_version"],
        state=m["state"],
        category=m["category"],
        location=m["location"],
        reporter=m["reporter"],
        opened_at=datetime.fromisoformat(m["opened_at"]),
        updated_at=datetime.fromisoformat(m["updated_at"]),
        due_at=None if due is None else datetime.fromisoformat(due),
        assignees=_load_ids(m["assignees"]),
        handlers=_load_ids(m["handlers"]),
        data=_load_mapping(m["data"]),
        version=m["version"],
        joint=_load_mapping(m["joint"]),
        timing=_load_mapping(m["timing"]),
        # Read with the issue from its last event (_SELECT_ISSUES); "" where a query did not.
        last_hash=m.get("last_hash") or "",
    )


def _event_row(event: Event) -> tuple[Any, ...]:
    """The event's row, its values in the order of :data:`_EVENT_NAMES` (every column):
    what a batch holds for each move until it writes them all (plain values, which the
    garbage collector stops tracking)."""
    plugin = event.plugin
    due = event.due_at
    return (
        event.issue_id,
        event.sequence,
        event.trigger,
        event.source,
        event.destination,
        event.actor,
        event.at.isoformat(),
        None if due is None else due.isoformat(),
        _dump(event.payload),
        _dump(event.changes),
        None if plugin is None else plugin.name,
        None if plugin is None else plugin.version,
        _dump_decisions(event.decisions),
        event.previous_hash,
        event.hash,
        event.acting_for,
        event.audit_format,
        event.hash_algorithm,
    )


def _event_values(event: Event) -> dict[str, Any]:
    return dict(zip(_EVENT_NAMES, _event_row(event), strict=True))


def _event_from_row(row: sa.Row[Any]) -> Event:
    return _event_from_mapping(row._mapping)


def _event_from_mapping(m: Mapping[Any, Any]) -> Event:
    name = m["plugin_name"]
    return Event(
        issue_id=m["issue_id"],
        sequence=m["sequence"],
        trigger=m["trigger"],
        source=m["source"],
        destination=m["destination"],
        actor=m["actor"],
        at=datetime.fromisoformat(m["at"]),
        due_at=None if m["due_at"] is None else datetime.fromisoformat(m["due_at"]),
        payload=_load_mapping(m["payload"]),
        changes=_load_changes(m["changes"]),
        plugin=None if name is None else PluginRef(name, m["plugin_version"]),
        decisions=_load_decisions(m["decisions"]),
        previous_hash=m["previous_hash"],
        hash=m["hash"],
        acting_for=m["acting_for"],
        audit_format=m["audit_format"],
        hash_algorithm=m["hash_algorithm"],
    )


# --- statements, built once: SQLAlchemy compiles each once per dialect and caches it ----------

_ISSUE_NAMES: Final = tuple(column.name for column in _issues.c if column.name != "position")
#: The issue encoders in the table's column order: :func:`_issue_row`.
_ROW_ENCODERS: Final = tuple(_ISSUE_ENCODERS[name] for name in _ISSUE_NAMES)
#: The event table's columns in the order :func:`_event_row` gives their values (statements
#: take rows by these names, so the table may order its columns otherwise).
_EVENT_NAMES: Final = (
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
if set(_EVENT_NAMES) != {column.name for column in _events.c}:  # pragma: no cover
    raise AssertionError("_event_row does not give every column of govflow_events")
_LOG_NAMES: Final = ("issue_id", "sequence", "hash")
_KEY_NAMES: Final = ("issue_id", "key", "sequence")

#: Issues with the hash of their last event (the one at the issue's version), which the next
#: move links to: read with the issue, so that a move reads nothing of the log. An outer join,
#: so that an issue whose event is missing is still read (verify names it).
_last = _events.alias("last_event")
_SELECT_ISSUES: Final = sa.select(_issues, _last.c.hash.label("last_hash")).select_from(
    _issues.outerjoin(
        _last, sa.and_(_last.c.issue_id == _issues.c.id, _last.c.sequence == _issues.c.version)
    )
)
_SELECT_ISSUE: Final = _SELECT_ISSUES.where(_issues.c.id == sa.bindparam("issue_id"))
_INSERT_ISSUE: Final = sa.insert(_issues)
_INSERT_EVENT: Final = sa.insert(_events)
_INSERT_LOG: Final = sa.insert(_log)
_INSERT_KEY: Final = sa.insert(_keys)

#: The columns every move sets; a move sets others only if its event's ``changes`` name them.
_MOVED: Final = ("state", "updated_at", "due_at", "due_key", "version")
#: The columns a move may set: all of them but the key.
_SETTABLE: Final = tuple(name for name in _ISSUE_NAMES if name != "id")


def _typed(table: sa.Table, names: Sequence[str], prefix: str) -> list[sa.ColumnElement[Any]]:
    # Parameters in a SELECT list need their type spelled out for PostgreSQL to accept them.
    return [sa.cast(sa.bindparam(prefix + name), table.c[name].type) for name in names]


def _pg_chain(first: sa.CTE, *, keyed: bool) -> sa.Insert:
    """PostgreSQL's one-statement move after ``first`` (the issue row's UPDATE or INSERT,
    returning its id only if it matched): the event (parameters ``e_*``) selected from it, the
    log entry selected from the event, and the idempotency key (``k_key``) from the log entry.
    Each inserts one row or none, so the statement's row count says whether the move was
    stored; a constraint that refuses any part fails the whole statement."""
    event = (
        sa.insert(_events)
        .from_select(
            list(_EVENT_NAMES),
            sa.select(*_typed(_events, _EVENT_NAMES, "e_")).select_from(first),
        )
        .returning(_events.c.issue_id, _events.c.sequence, _events.c.hash)
        .cte(f"{first.name}_event")
    )
    log = sa.insert(_log).from_select(
        ["issue_id", "sequence", "hash"],
        sa.select(event.c.issue_id, event.c.sequence, event.c.hash),
    )
    if keyed:
        logged = log.returning(_log.c.issue_id, _log.c.sequence).cte(f"{first.name}_log")
        statement = (
            sa.insert(_keys)
            .from_select(
                ["issue_id", "key", "sequence"],
                sa.select(logged.c.issue_id, sa.cast(sa.bindparam("k_key"), sa.String),
                          logged.c.sequence),
            )
            .add_cte(first, event, logged)
        )  # fmt: skip
    else:
        statement = log.add_cte(first, event)
    # SQLAlchemy keeps an INSERT's row count only when asked: it is the move's answer.
    return statement.execution_options(preserve_rowcount=True)


class _MoveStatements:
    """The statements that store a move setting ``columns`` of the issue row, built once.

    ``update``: the version-checked UPDATE (parameters ``b_id``, ``b_read`` and ``i_*``).
    ``pg_move`` and ``pg_move_keyed``: PostgreSQL's one-statement move (:func:`_pg_chain`),
    without and with an idempotency key.
    """

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.update = (
            sa.update(_issues)
            .where(
                _issues.c.id == sa.bindparam("b_id"), _issues.c.version == sa.bindparam("b_read")
            )
            .values({name: sa.bindparam(f"i_{name}") for name in columns})
        )
        moved = self.update.returning(_issues.c.id).cte("moved")
        self.pg_move = _pg_chain(moved, keyed=False)
        self.pg_move_keyed = _pg_chain(moved, keyed=True)

    def params(self, issue: Issue, read: int) -> dict[str, Any]:
        params = {f"i_{name}": _ISSUE_ENCODERS[name](issue) for name in self.columns}
        params["b_id"] = issue.id
        params["b_read"] = read
        return params


#: Every column: for batches (an issue's row written once for all its moves) and for moves
#: that change more than the people on the issue and its timing.
_ALL_COLUMNS: Final = _MoveStatements(_SETTABLE)
#: The parameters of :data:`_ALL_COLUMNS`' UPDATE, in the order a batch gives them.
_UPDATE_ALL_NAMES: Final = (*(f"i_{name}" for name in _SETTABLE), "b_id", "b_read")
#: The moves the engine makes most: each sets the state and its times, some the people or
#: the deadline bookkeeping too.
_MOVES: Final = {
    frozenset(extra): _MoveStatements((*_MOVED, *extra))
    for extra in (
        (),
        ("assignees",),
        ("handlers",),
        ("timing",),
        ("assignees", "handlers"),
        ("assignees", "timing"),
        ("handlers", "timing"),
        ("assignees", "handlers", "timing"),
    )
}


def _statements_for(event: Event) -> _MoveStatements:
    """The statements for a move that sets what its event's ``changes`` name besides the
    state and its times."""
    return (
        _MOVES.get(frozenset(event.changes), _ALL_COLUMNS) if event.changes else _MOVES[frozenset()]
    )


_pg_opened = (
    sa.insert(_issues)
    .values({name: sa.bindparam(f"i_{name}") for name in _ISSUE_NAMES})
    .returning(_issues.c.id)
    .cte("opened")
)
_PG_OPEN: Final = _pg_chain(_pg_opened, keyed=False)


def _prefixed(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


class _CoreStatements:
    """Statements run through a SQLAlchemy connection; ``execute`` answers the row count."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def execute(
        self, statement: _Statement, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> int:
        if isinstance(params, Sequence) and not self._conn.dialect.supports_sane_multi_rowcount:
            # pragma: no cover -- both shipped dialects count executemany's rows
            return sum(self._conn.execute(statement, one).rowcount for one in params)
        return int(self._conn.execute(statement, params).rowcount)

    def execute_rows(
        self, statement: _Statement, names: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> int:
        """``statement`` once per row of ``rows``, whose values are in the order of ``names``."""
        return self.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])


#: The statements a write runs: built once (this module's constants).
_Statement = sa.Insert | sa.Update | sa.Select[Any]

#: A statement as the driver takes it: its SQL text, its parameters' names in order (None: the
#: driver takes them by name, as psycopg does), and the names of the columns it selects.
_DriverSQL = tuple[str, tuple[str, ...] | None, tuple[str, ...]]


class _DriverStatements:
    """Statements run on the driver's cursor (a move's read and commit, see
    :meth:`SQLStore._on_driver`), each compiled by SQLAlchemy once per store:
    ``compiled(statement, params)`` gives its text, the order of its parameters and the names
    of the columns it selects."""

    __slots__ = ("_compiled", "_cursor")

    def __init__(
        self, cursor: Any, compiled: Callable[[_Statement, Mapping[str, Any]], _DriverSQL]
    ) -> None:
        self._cursor = cursor
        self._compiled = compiled

    def execute(
        self, statement: _Statement, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> int:
        cursor = self._cursor
        if isinstance(params, Mapping):
            text, names, _ = self._compiled(statement, params)
            cursor.execute(text, params if names is None else [params[name] for name in names])
        else:
            text, names, _ = self._compiled(statement, params[0])
            cursor.executemany(
                text, params if names is None else [[row[name] for name in names] for row in params]
            )
        return int(cursor.rowcount)

    def execute_rows(
        self, statement: _Statement, names: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> int:
        """``statement`` once per row of ``rows``, whose values are in the order of ``names``:
        handed to the driver as they are when the compiled statement takes its parameters in
        that order (an INSERT of every column of its table does)."""
        text, order, _ = self._compiled(statement, dict.fromkeys(names))
        given: Sequence[Any] = rows
        if order is None:  # the driver takes parameters by name
            given = [dict(zip(names, row, strict=True)) for row in rows]
        elif order != tuple(names):
            where = [names.index(name) for name in order]
            given = [[row[index] for index in where] for row in rows]
        cursor = self._cursor
        cursor.executemany(text, given)
        return int(cursor.rowcount)

    def first(self, statement: _Statement, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row of a query of one row at most, by column name, or None. The query is
        run to its end: a connection kept for more reads holds no snapshot between them."""
        text, names, columns = self._compiled(statement, params)
        cursor = self._cursor
        cursor.execute(text, params if names is None else [params[name] for name in names])
        rows = cursor.fetchall()
        if not rows:
            return None
        # The names SQLAlchemy compiled, not the cursor's description: psycopg builds an
        # object per column each time it is asked for one.
        return dict(zip(columns, rows[0], strict=True))


_DECODE_ERRORS: Final = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


def _read(decode: Callable[[Any], _T], row: Any, issue_id: str, sequence: int) -> _T:
    """``decode(row)``; a row it cannot read as :class:`CorruptRecordError` naming it
    (``sequence`` -1: the issue row), never the decoder's own exception."""
    try:
        return decode(row)
    except _DECODE_ERRORS as err:  # JSONDecodeError is a ValueError
        raise CorruptRecordError(
            issue_id, sequence, f"cannot be read: {type(err).__name__}: {err}"
        ) from None


def _readable_issues(rows: Iterable[Any]) -> Iterator[Issue]:
    # One corrupt row must not stop a listing (metrics, tick): it is logged and left out;
    # verify names it.
    for row in rows:
        try:
            yield _read(_issue_from_row, row, str(row._mapping["id"]), -1)
        except CorruptRecordError as err:
            log.warning("skipping an unreadable issue row: %s", err)


def _without_password(url: str | sa.URL) -> str:
    """``url`` for messages: its password (if any) as ``***``, even when it does not parse."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa_exc.ArgumentError, ValueError, TypeError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


# --- SQLite connection set-up ------------------------------------------------------------------


#: SQLite's ``synchronous`` settings a store may ask for (see :class:`SQLStore`).
SYNCHRONOUS: Final = ("FULL", "NORMAL")
_SYNCHRONOUS_NAMES: Final = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def _sqlite_connect(synchronous: str, dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and on its own terms; we emit BEGIN ourselves (below)
    # so that a commit can take the write lock up front with BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA database_list")
        file = next((row[2] for row in cursor.fetchall() if row[1] == "main"), "")
        if file:  # WAL needs a file; an in-memory database has an empty name here
            # Readers never block the writer and the writer never blocks readers.
            cursor.execute("PRAGMA journal_mode = WAL")
        # Per connection, not stored in the file: every connection the pool opens is told.
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
    finally:
        cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    # A commit reads nothing before it writes, but a deferred transaction in WAL mode that was
    # overtaken by another writer fails at once with SQLITE_BUSY instead of waiting; IMMEDIATE
    # takes the write lock first, so concurrent writers queue on the busy timeout instead.
    # A read (mode None) is one statement, consistent on its own: no BEGIN, no ROLLBACK.
    mode = connection.get_execution_options().get("govflow_begin", "DEFERRED")
    if mode is not None:
        connection.exec_driver_sql(f"BEGIN {mode}")


_CONFIGURED: Final[weakref.WeakSet[sa.Engine]] = weakref.WeakSet()


def _configure_sqlite(engine: sa.Engine, synchronous: str) -> None:
    # One set-up per engine, even when several stores share it: the first store's
    # synchronous setting is the engine's (connections are pooled, and configured once each).
    if engine not in _CONFIGURED:
        _CONFIGURED.add(engine)
        sa_event.listen(engine, "connect", partial(_sqlite_connect, synchronous))
        sa_event.listen(engine, "begin", _sqlite_begin)


# --- errors ------------------------------------------------------------------------------------

#: SQLSTATEs PostgreSQL uses for "another transaction got in the way".
_PG_CONTENTION: Final = frozenset({"40001", "40P01", "55P03"})


def _contention(err: sa_exc.DBAPIError) -> bool:
    """True if ``err`` says another writer held the database or the row, not that it broke."""
    if "database is locked" in str(err.orig) or "database is busy" in str(err.orig):
        return True
    return getattr(err.orig, "sqlstate", None) in _PG_CONTENTION


class _BusyError(GovflowError):
    """Another writer held the database (SQLite) or the row (PostgreSQL) for too long."""


class _RefusedError(GovflowError):
    """A constraint refused a write; raised inside the transaction to roll it back.

    :meth:`SQLStore.commit` turns it into a :class:`ConflictError`; it is a GovflowError so
    that, should another path ever meet a constraint, what escapes is still govflow's.
    ``constraint`` names which of govflow's: ``key``, ``event``, ``issue`` or ``version``.
    """

    def __init__(self, constraint: str, detail: str | None = None) -> None:
        super().__init__(detail or constraint)
        self.constraint = constraint


def _constraint(err: sa_exc.IntegrityError) -> str:
    """Which of govflow's constraints a write broke: ``key``, ``event`` or ``issue``. Read
    from the database's message, which names the table (SQLite) or the constraint (PostgreSQL):
    a one-statement move cannot tell by which of its statements failed."""
    text = str(err.orig)
    if "govflow_idempotency" in text:
        return "key"
    if "govflow_events" in text or "govflow_log" in text:
        return "event"
    return "issue"


# --- the store ---------------------------------------------------------------------------------


class SQLStore:
    """Issues and their audit logs in a SQL database, shared safely between processes.

    :param url_or_engine: a SQLAlchemy URL (``sqlite:///path/to/file.db``,
        ``postgresql+psycopg://user@host/dbname``; PostgreSQL needs ``govflow[postgres]``) or a
        ready :class:`sqlalchemy.Engine`, which the store uses but does not dispose of.
    :param create: create the tables if they are missing. With ``create=False`` a database
        without govflow's tables is refused.
    :raises DefinitionError: the URL is malformed, its driver is not installed, the tables are
        missing (``create=False``) or were written by an incompatible schema version.
    :raises StoreError: the database cannot be reached.
    :param synchronous: SQLite only: how hard a commit pushes to disk. ``"NORMAL"`` (the
        default), in write-ahead-log mode, survives a crash of the application or of the
        process, but a power loss or an operating-system crash may lose the last commits
        (never corrupt the file); ``"FULL"`` flushes at every commit and loses nothing, at
        several times the cost a commit. PostgreSQL's equivalent, ``synchronous_commit``, is
        the server's and its operator's to set. :meth:`durability` reads back what is in force.
    :param group_commit: the longest a commit waits, in seconds, for commits of other threads
        to join its transaction (it waits only when groups formed before, so a lone caller
        never waits); ``None`` commits every move in a transaction of its own. ``"auto"`` (the
        default) is 2 ms on SQLite, where writers take turns and each commit may cost a flush,
        and ``None`` on PostgreSQL, whose server already shares one WAL flush between
        concurrent transactions and where a move is one statement (bench/store.py measures
        both).
    :raises DefinitionError: also for a ``synchronous`` not in :data:`SYNCHRONOUS`, or a
        negative ``group_commit``.

    For SQLite the store turns on foreign keys and, for a file, write-ahead logging; writers
    wait for each other up to the driver's busy timeout (5 s unless the URL says otherwise).
    """

    def __init__(
        self,
        url_or_engine: str | sa.URL | sa.Engine = "sqlite:///govflow.db",
        *,
        create: bool = True,
        synchronous: str = "NORMAL",
        group_commit: float | Literal["auto"] | None = "auto",
    ) -> None:
        if synchronous not in SYNCHRONOUS:
            raise DefinitionError(f"synchronous must be one of {SYNCHRONOUS}, not {synchronous!r}")
        if group_commit != "auto" and group_commit is not None and not group_commit >= 0:
            raise DefinitionError(
                f"group_commit must be 'auto', None or ≥ 0 seconds, not {group_commit!r}"
            )
        if isinstance(url_or_engine, sa.Engine):
            self._engine = url_or_engine
            self._owns_engine = False
        else:
            try:
                self._engine = sa.create_engine(url_or_engine)
            except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as err:
                shown = _without_password(url_or_engine)
                reason = str(err).replace(str(url_or_engine), shown)
                raise DefinitionError(
                    f"cannot open a store at {shown}: {reason}"
                    " (PostgreSQL needs the extra: pip install 'govflow[postgres]')"
                ) from None
            self._owns_engine = True
        #: The database's URL, password hidden: for messages and logs.
        self.url: str = self._engine.url.render_as_string(hide_password=True)
        self._sqlite = self._engine.dialect.name == "sqlite"
        #: The driver's base exception, which the driver path (:meth:`_on_driver`) meets bare.
        self._dbapi_error: type[Exception] = self._engine.dialect.loaded_dbapi.Error
        #: id of a statement -> its text for the driver (built on first use: _compiled).
        self._driver_sql: dict[int, _DriverSQL] = {}
        if self._sqlite:
            _configure_sqlite(self._engine, synchronous)
        if group_commit == "auto":
            group_commit = _GROUP_WAIT if self._sqlite else None
        self._group: GroupCommitter[_Move] | None = (
            None if group_commit is None else GroupCommitter(self._write_group, group_commit)
        )
        try:
            #: The schema version found in (or written to) the database.
            self.schema_version: int = self._prepare(create=create)
        except BaseException:
            self.close()
            raise

    # --- life cycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Release the store's connections (a passed-in engine is left to its owner)."""
        if self._owns_engine:
            self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLStore({self.url!r})"

    def _prepare(self, *, create: bool) -> int:
        if create:
            self._create_tables()
            for name, value in ((_SCHEMA_VERSION_ROW, SCHEMA_VERSION), (_COUNTER_ROW, 0)):
                # Already there: created earlier, or by another process just now.
                with suppress(_RefusedError):
                    self._run(
                        "initialize govflow_meta",
                        partial(self._insert_meta, name=name, value=value),
                        write=True,
                    )
        found = self._run("read the schema version", self._schema_version)
        if found is None:
            raise DefinitionError(
                f"{self.url} has no govflow tables; open it with create=True to create them"
            )
        if found != SCHEMA_VERSION:
            raise DefinitionError(
                f"{self.url} holds govflow schema version {found}, but this govflow reads "
                f"version {SCHEMA_VERSION}: migrate the database first"
            )
        return found

    def _create_tables(self) -> None:
        try:
            self._run("create the govflow tables", self._create, write=True)
        except GovflowError:
            # Two processes creating the tables at once on PostgreSQL: the loser's CREATE TABLE
            # hits the winner's catalog entry. Once the winner committed, checkfirst sees the
            # tables, so one more try settles it; a second failure is real.
            try:
                self._run("create the govflow tables", self._create, write=True)
            except _RefusedError as refused:
                raise StoreError(
                    f"{self.url}: could not create the govflow tables: {refused}"
                ) from None

    @staticmethod
    def _create(conn: sa.Connection) -> None:
        metadata.create_all(conn, checkfirst=True)

    @staticmethod
    def _insert_meta(conn: sa.Connection, *, name: str, value: int) -> None:
        conn.execute(sa.insert(_meta).values(name=name, value=value))

    @staticmethod
    def _schema_version(conn: sa.Connection) -> int | None:
        if not sa.inspect(conn).has_table(_meta.name):
            return None
        value = conn.execute(
            sa.select(_meta.c.value).where(_meta.c.name == _SCHEMA_VERSION_ROW)
        ).scalar_one_or_none()
        return None if value is None else int(value)

    # --- transactions --------------------------------------------------------------------------

    @contextmanager
    def _connection(self, *, write: bool, snapshot: bool = False) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn:
            if write:
                if self._sqlite:
                    conn.execution_options(govflow_begin="IMMEDIATE")
            elif snapshot:
                # Several statements that must see one state of the store (the figures count
                # issues and events apart): one read transaction. SQLite in WAL mode fixes its
                # snapshot at the first read and never blocks a writer; PostgreSQL's REPEATABLE
                # READ gives the whole transaction the snapshot of its first statement.
                if self._sqlite:
                    conn.execution_options(govflow_begin="DEFERRED")
                else:
                    conn.execution_options(isolation_level="REPEATABLE READ")
            elif self._sqlite:
                conn.execution_options(govflow_begin=None)
            else:
                # Every read is one statement, consistent on its own: without BEGIN and
                # COMMIT around it, it costs one round trip to the server instead of three.
                # (A move's read and its one-statement write run so on the driver.)
                conn.execution_options(isolation_level="AUTOCOMMIT")
            with conn.begin():
                yield conn

    @contextmanager
    def _on_driver(self, what: str, *, transaction: bool) -> Iterator[_DriverStatements]:
        """The hot path -- a move's read and its commit -- on the driver's connection, taken
        from SQLAlchemy's pool: SQLAlchemy builds and compiles each statement once, the driver
        runs it. A statement through :meth:`sqlalchemy.Connection.execute` costs some 30 µs of
        Python around a few µs of SQLite, several times what the write costs in WAL mode; on
        PostgreSQL, SQLAlchemy's execution, its connection's checkout with the isolation level
        set and reset, and the result's column objects cost about a third of a move's client
        CPU (bench/store.py measures both). ``transaction`` (SQLite): one transaction, holding
        the write lock from its start (BEGIN IMMEDIATE, as :func:`_sqlite_begin` explains),
        rolled back if the block raises; without it, one statement, consistent on its own.
        PostgreSQL runs only single statements here, each its own transaction (autocommit):
        a read, or a whole move (:meth:`_single_statement`). Errors are judged as :meth:`_run`
        judges them; a connection the server dropped is not handed out again.
        """
        with self._translated(what):
            connection = self._engine.raw_connection()
            cursor = None
            try:
                cursor = connection.cursor()
                statements = _DriverStatements(cursor, self._compiled)
                if not self._sqlite:
                    if transaction:  # pragma: no cover -- PostgreSQL's transactions use _run
                        raise AssertionError("PostgreSQL's driver path runs single statements")
                    with self._autocommit(connection):
                        yield statements
                elif not transaction:
                    yield statements
                else:
                    cursor.execute("BEGIN IMMEDIATE")
                    try:
                        yield statements
                        cursor.execute("COMMIT")
                    except BaseException:
                        connection.rollback()
                        raise
            except self._dbapi_error as err:
                # (The dialect types the error as its DB-API's; _dbapi_error is that class.)
                dropped = cast(Any, err)
                if self._engine.dialect.is_disconnect(dropped, connection.dbapi_connection, cursor):
                    connection.invalidate(err)
                raise
            finally:
                connection.close()  # back to the pool

    @contextmanager
    def _autocommit(self, connection: Any) -> Iterator[None]:
        """PostgreSQL: statements on ``connection`` (from the pool) each their own transaction,
        as SQLAlchemy's ``AUTOCOMMIT`` isolation level makes them; the pool gets it back as it
        gave it (psycopg switches without a round trip while no transaction is open)."""
        driver = connection.driver_connection
        before = driver.autocommit
        driver.autocommit = True
        try:
            yield
        finally:
            try:
                driver.autocommit = before
            except self._dbapi_error as err:
                # Not switched back (the connection broke): never hand it out again.
                connection.invalidate(err)

    def _compiled(self, statement: _Statement, params: Mapping[str, Any]) -> _DriverSQL:
        # Keyed by identity: the statements are built once, at import, and each is always
        # given the same parameter names (an INSERT's columns are those of its first use).
        found = self._driver_sql.get(id(statement))
        if found is None:
            compiled = statement.compile(dialect=self._engine.dialect, column_keys=list(params))
            positions = compiled.positiontup
            columns = (
                tuple(statement.selected_columns.keys()) if isinstance(statement, sa.Select) else ()
            )
            found = (compiled.string, None if positions is None else tuple(positions), columns)
            self._driver_sql[id(statement)] = found
        return found

    def _write(self, what: str, work: Callable[[Any], _T], *, autocommit: bool = False) -> _T:
        """``work(statements)`` in one write transaction: on the driver for SQLite, and for
        PostgreSQL when ``work`` is one statement, its own transaction (``autocommit``);
        through SQLAlchemy otherwise."""
        if self._sqlite or autocommit:
            with self._on_driver(what, transaction=self._sqlite) as statements:
                return work(statements)
        return self._run(what, lambda conn: work(_CoreStatements(conn)), write=True)

    def read(self, what: str, work: Callable[[sa.Connection], _T]) -> _T:
        """Run ``work`` on a connection to the store's database and return what it returns:
        for read-only queries over :data:`metadata`'s tables (the figures'
        :mod:`govflow.metrics.sql` aggregation). Every statement ``work`` runs sees the same
        state of the store, however many moves other writers commit meanwhile (one read
        transaction). Database failures are reported as :class:`~govflow.errors.StoreError`
        naming ``what``."""
        return self._run(what, work, snapshot=True)

    @property
    def dialect(self) -> str:
        """The database's SQLAlchemy dialect name (``sqlite``, ``postgresql``)."""
        return self._engine.dialect.name

    def _run(
        self,
        what: str,
        work: Callable[[sa.Connection], _T],
        *,
        write: bool = False,
        snapshot: bool = False,
    ) -> _T:
        """``work`` in one transaction; database failures as govflow errors naming ``what``.

        A constraint violation becomes :class:`_RefusedError` (the caller knows what it means); any
        other database failure a :class:`StoreError` -- the database, not the request, failed.
        ``snapshot``: ``work`` reads with several statements that must see one state of the
        store (:meth:`read`); a plain read is one statement, consistent on its own.
        """
        connection = self._connection(write=write, snapshot=snapshot)
        with self._translated(what), connection as conn:
            return work(conn)

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        """Database failures inside the block as govflow's errors naming ``what`` (see
        :meth:`_run`); the driver's own exceptions (:meth:`_on_driver`) are wrapped by
        SQLAlchemy first, so that both paths are judged alike."""
        try:
            try:
                yield
            except self._dbapi_error as err:
                raise sa_exc.DBAPIError.instance(
                    None, None, err, self._dbapi_error, dialect=self._engine.dialect
                ) from None
        except sa_exc.IntegrityError as err:
            raise _RefusedError(_constraint(err), str(err.orig)) from None
        except (sa_exc.DataError, UnicodeError) as err:
            # A value the database cannot hold (PostgreSQL text refuses NUL characters; no
            # database takes a lone surrogate): the request was at fault, and was rolled back.
            reason = err.orig if isinstance(err, sa_exc.DataError) else err
            raise InvalidRequestError(
                f"{self.url}: could not {what}: the database refused a value: {reason}"
            ) from None
        except sa_exc.DBAPIError as err:
            if _contention(err):
                raise _BusyError(
                    f"{self.url}: could not {what}: another writer held the database too long"
                ) from None
            raise StoreError(f"{self.url}: could not {what}: {err.orig}") from None
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"{self.url}: could not {what}: {err}") from None

    # --- reading -------------------------------------------------------------------------------

    def new_issue_id(self) -> str:
        """The next number of the shared ``issue_counter``, as text: ``"1"``, ``"2"``, ...

        The counter row is incremented in its own short transaction, so ids are unique across
        every process sharing the database and stay short enough to read out over the phone;
        numbers taken by issues opened with an explicit id are skipped.
        """
        return self._run("allocate an issue id", self._allocate_id, write=True)

    @staticmethod
    def _allocate_id(conn: sa.Connection) -> str:
        while True:
            # The UPDATE takes the row (PostgreSQL) or database (SQLite) write lock first, so
            # the SELECT sees our own increment and nobody else's.
            conn.execute(
                sa.update(_meta).where(_meta.c.name == _COUNTER_ROW).values(value=_meta.c.value + 1)
            )
            number = conn.execute(
                sa.select(_meta.c.value).where(_meta.c.name == _COUNTER_ROW)
            ).scalar_one()
            candidate = str(number)
            taken = conn.execute(
                sa.select(_issues.c.position).where(_issues.c.id == candidate)
            ).first()
            if taken is None:
                return candidate

    def get(self, issue_id: str) -> Issue:
        """The issue as it stands; :class:`~govflow.errors.UnknownIssueError` if there is none."""
        with self._on_driver(f"read issue {issue_id!r}", transaction=False) as statements:
            return self._get_on(statements, issue_id)

    def _get_on(self, statements: _DriverStatements, issue_id: str) -> Issue:
        """:meth:`get` on the driver's ``statements`` (a batch's reads keep theirs)."""
        what = f"read issue {issue_id!r}"
        with self._translated(what):
            found = statements.first(_SELECT_ISSUE, {"issue_id": issue_id})
        if found is None:
            raise UnknownIssueError(issue_id)
        return _read(_issue_from_mapping, found, issue_id, -1)

    def get_many(self, issue_ids: Iterable[str]) -> dict[str, Issue]:
        """The issues among ``issue_ids`` that exist, by id, each as :meth:`get` reads it: one
        query a thousand ids instead of one an issue (what
        :meth:`govflow.batch.BatchStore.prefetch` reads with). A row that cannot be read raises
        :class:`~govflow.errors.CorruptRecordError`, as :meth:`get` does."""
        wanted = list(dict.fromkeys(issue_ids))
        found: dict[str, Issue] = {}

        def read(page: list[str], conn: sa.Connection) -> Sequence[sa.Row[Any]]:
            return conn.execute(_SELECT_ISSUES.where(_issues.c.id.in_(page))).all()

        for start in range(0, len(wanted), _PAGE):
            page = wanted[start : start + _PAGE]
            rows = self._run(f"read {len(page)} issues", partial(read, page))
            for row in rows:
                issue_id = row._mapping["id"]
                found[issue_id] = _read(_issue_from_row, row, issue_id, -1)
        return found

    def events(self, issue_id: str) -> Sequence[Event]:
        """The issue's events in sequence order (empty if the issue is unknown)."""
        rows = self._run(
            f"read the events of issue {issue_id!r}",
            lambda conn: conn.execute(
                sa.select(_events)
                .where(_events.c.issue_id == issue_id)
                .order_by(_events.c.sequence)
            ).all(),
        )
        return tuple(
            _read(_event_from_row, row, issue_id, row._mapping["sequence"]) for row in rows
        )

    def last_event(self, issue_id: str) -> Event | None:
        """The issue's latest event (None if the issue is unknown)."""
        row = self._run(
            f"read the last event of issue {issue_id!r}",
            lambda conn: conn.execute(
                sa.select(_events)
                .where(_events.c.issue_id == issue_id)
                .order_by(_events.c.sequence.desc())
                .limit(1)
            ).first(),
        )
        return (
            None if row is None else _read(_event_from_row, row, issue_id, row._mapping["sequence"])
        )

    def find_idempotent(self, issue_id: str, key: str) -> Event | None:
        """The event an earlier move with this idempotency key produced, if any."""
        joined = _keys.join(
            _events,
            sa.and_(_keys.c.issue_id == _events.c.issue_id, _keys.c.sequence == _events.c.sequence),
        )
        row = self._run(
            f"look up idempotency key {key!r} of issue {issue_id!r}",
            lambda conn: conn.execute(
                sa.select(_events)
                .select_from(joined)
                .where(_keys.c.issue_id == issue_id, _keys.c.key == key)
            ).first(),
        )
        return (
            None if row is None else _read(_event_from_row, row, issue_id, row._mapping["sequence"])
        )

    def find_opened(self, key: str) -> Event | None:
        """The ``open`` event of the issue opened with this idempotency key, if any."""
        joined = _keys.join(
            _events,
            sa.and_(_keys.c.issue_id == _events.c.issue_id, _keys.c.sequence == _events.c.sequence),
        )
        row = self._run(
            f"look up opening key {key!r}",
            lambda conn: conn.execute(
                sa.select(_events)
                .select_from(joined)
                .where(_keys.c.key == key, _keys.c.sequence == 0)
            ).first(),
        )
        return None if row is None else _read(_event_from_row, row, row._mapping["issue_id"], 0)

    def due(self, now: datetime) -> Iterator[Issue]:
        """Issues whose ``alarm_at`` (early warning or due time) is at or before ``now``,
        earliest first (index on due_key).

        Read a page at a time along the index, each page starting after the last issue of the
        one before: memory stays flat however many issues are due, no connection is held
        between pages, and an issue the caller moves meanwhile is read again only if the move
        left it due at a later point of the order.
        """
        check_time("now", now)  # refused as by every store, not guessed to be UTC
        return self._due_pages(_time_key(now))

    def _due_pages(self, limit: int) -> Iterator[Issue]:
        after: tuple[int, str] | None = None

        def page(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
            query = _SELECT_ISSUES.where(_issues.c.due_key <= limit)
            if after is not None:
                query = query.where(sa.tuple_(_issues.c.due_key, _issues.c.id) > after)
            return conn.execute(query.order_by(_issues.c.due_key, _issues.c.id).limit(_PAGE)).all()

        while True:
            rows = self._run("find due issues", page)
            yield from _readable_issues(rows)
            if len(rows) < _PAGE:
                return
            last = rows[-1]._mapping
            after = (last["due_key"], last["id"])

    @property
    def group_sizes(self) -> tuple[int, ...]:
        """How many moves each of the last (up to 1,000) group commits held, oldest first:
        to see whether concurrent callers share commits, and to tune ``group_commit``."""
        return () if self._group is None else tuple(self._group.group_sizes)

    def durability(self) -> Mapping[str, str]:
        """The durability settings in force, read back from the database.

        SQLite: ``journal_mode`` and ``synchronous`` (``"wal"``, ``"NORMAL"`` by default);
        PostgreSQL: the server's ``synchronous_commit`` and ``fsync``.
        """

        def read(conn: sa.Connection) -> dict[str, str]:
            if self._sqlite:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
                level = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
                return {"journal_mode": str(mode), "synchronous": _SYNCHRONOUS_NAMES[int(level)]}
            return {
                name: str(conn.exec_driver_sql(f"SHOW {name}").scalar_one())
                for name in ("synchronous_commit", "fsync")
            }

        return MappingProxyType(self._run("read the durability settings", read))

    def issues(self) -> Iterator[Issue]:
        """Every issue, in the order they were opened.

        Read a page at a time, so that a district's worth of issues is never in memory at once
        and no connection is held while the caller works between pages.
        """
        after = 0

        def page(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
            return conn.execute(
                _SELECT_ISSUES.where(_issues.c.position > after)
                .order_by(_issues.c.position)
                .limit(_PAGE)
            ).all()

        while True:
            rows = self._run("list issues", page)
            yield from _readable_issues(rows)
            if len(rows) < _PAGE:
                return
            after = rows[-1]._mapping["position"]

    def __len__(self) -> int:
        """How many issues the store holds."""
        return self._run(
            "count issues",
            lambda conn: int(
                conn.execute(sa.select(sa.func.count()).select_from(_issues)).scalar_one()
            ),
        )

    # --- the store-wide audit log (see govflow.store._sql_audit) ------------------------------

    def log_size(self) -> int:
        """How many entries the store-wide log holds: one per event ever committed."""
        from govflow.store import _sql_audit  # noqa: PLC0415  (it imports this module)

        return _sql_audit.log_size(self)

    def log(self, start: int = 0) -> Iterator[LogEntry]:
        """The store-wide log from entry ``start`` on, in commit order (streamed)."""
        from govflow.store import _sql_audit  # noqa: PLC0415

        return _sql_audit.log(self, start)

    def log_events(self, start: int = 0) -> Iterator[Event | CorruptRecord]:
        """The events the log names, in its order (streamed)."""
        from govflow.store import _sql_audit  # noqa: PLC0415

        return _sql_audit.log_events(self, start)

    def unlogged(self) -> Iterator[tuple[str, int]]:
        """``(issue id, sequence)`` of every event the store-wide log does not name."""
        from govflow.store import _sql_audit  # noqa: PLC0415

        return _sql_audit.unlogged(self)

    def scan(self) -> Iterator[IssueScan]:
        """Every issue with its events, streamed; unreadable rows named, not raised."""
        from govflow.store import _sql_audit  # noqa: PLC0415

        return _sql_audit.scan(self)

    # --- subjects' keys (see govflow.store._sql_keys) ----------------------------------------

    def subject_key(self, subject: str, *, create: bool = False) -> SubjectKey | None:
        """The subject's current key; with ``create``, a new one is stored if there is none."""
        return _sql_keys.subject_key(self, subject, create=create)

    def subject_secret(self, key_id: str) -> bytes | None:
        """The secret of the key with this id; None if there is none (it was erased)."""
        return _sql_keys.subject_secret(self, key_id)

    def subject_keys(self) -> Iterator[SubjectKey]:
        """Every key held, by subject (for export)."""
        return _sql_keys.subject_keys(self)

    def add_subject_key(self, key: SubjectKey) -> None:
        """Store ``key`` as it is (for import)."""
        _sql_keys.add_subject_key(self, key)

    def forget_subject(self, subject: str) -> int:
        """Delete the subject's keys, overwritten on disk where the database can."""
        return _sql_keys.forget_subject(self, subject)

    def reported_by(self, subject: str) -> Iterator[Issue]:
        """The issues ``subject`` reported, in the order they were opened."""
        return _sql_keys.reported_by(self, subject)

    # --- writing -------------------------------------------------------------------------------

    def commit(self, issue: Issue, event: Event, *, idempotency_key: str | None = None) -> None:
        """Atomically append ``event``, save ``issue`` and remember ``idempotency_key``.

        One transaction: for ``event.sequence == 0`` the issue row is inserted (a duplicate id
        violates the unique constraint); otherwise it is updated only if it is still at version
        ``event.sequence - 1``. Then the event is inserted (a second event with the same
        sequence -- two engines racing -- violates its primary key) and the key (a reused key
        violates its primary key). Any of these, and a writer that held the database past the
        busy timeout, raises :class:`~govflow.errors.ConflictError` after a rollback: nothing of
        the move is stored. A value the database cannot hold (a NUL character in a PostgreSQL
        text column, a lone surrogate) raises :class:`~govflow.errors.InvalidRequestError`,
        likewise after a rollback.

        With group commit on (the default on SQLite), moves committed at the same time by other
        threads may share the transaction; each is still checked on its own, and a refused one
        is kept out of the others' commit (see :meth:`_write_group`).
        """
        if event.issue_id != issue.id or event.sequence != issue.version:
            mismatch = check_commit(None, issue, event)  # names the mismatch in shared words
            raise ConflictError(issue.id, mismatch or "the event does not belong to the issue")
        move = (issue, event, idempotency_key)
        if self._group is None:
            self._commit_alone(move)
        else:
            self._group.commit(move)

    def commit_many(self, moves: Sequence[_Move]) -> None:
        """Commit every move of ``moves`` in one transaction, or none of them.

        The moves are ``(issue, event, idempotency_key)`` in the order they were made; an issue
        may move several times. Each issue's row is written once, at its last state, checked
        against the version the first of its moves read; events, log entries and keys go in
        with one ``executemany`` each. Any conflict rolls the whole transaction back and raises
        :class:`~govflow.errors.ConflictError` naming the first issue that could not be stored.
        """
        held = self.hold_moves()
        for issue, event, key in moves:  # a move that does not follow is refused before writing
            held.add(issue, event, key)
        held.commit()

    def hold_moves(self) -> HeldRows:
        """An empty :class:`HeldRows`: moves held as the rows they will be written as, until
        its ``commit`` writes them all in one transaction (what a batch holds its moves in)."""
        return HeldRows(self)

    def _commit_held(self, held: HeldRows) -> None:
        try:
            self._write(f"commit a batch of {len(held)} moves", held._write)
        except _RefusedError as refused:
            raise ConflictError(
                held.first_issue,
                f"the batch was refused ({self._batch_conflict(held, refused)});"
                " nothing of it was stored",
            ) from None
        except _BusyError as busy:
            raise ConflictError(
                held.first_issue, f"{busy}; nothing of the batch was stored"
            ) from None

    def _commit_alone(self, move: _Move) -> None:
        issue, event, key = move
        try:
            self._write(
                f"commit event {event.sequence} of issue {issue.id!r}",
                partial(self._write_one_alone, move),
                autocommit=self._single_statement(move),
            )
        except _RefusedError as refused:
            raise ConflictError(issue.id, self._conflict(refused, issue, event, key)) from None
        except _BusyError as busy:
            raise ConflictError(issue.id, f"{busy}; nothing was stored") from None

    def add_records(self, records: Iterable[tuple[Issue, Sequence[Event]]]) -> int:
        """Store whole issues, each with its complete log, in one transaction.

        For records made elsewhere -- a season simulated in memory, say: one transaction for
        thousands of issues instead of one a move. Each log must start at the ``open`` event
        and end at the issue's version; an id that is taken refuses the whole batch with
        :class:`~govflow.errors.ConflictError`, and nothing is stored. Returns the number of
        events stored. (The hash chains are stored as given: verify them with the engine.)
        """
        issues: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for issue, log in records:
            if not log or log[0].sequence != 0 or log[-1].sequence != issue.version:
                raise InvalidRequestError(
                    f"issue {issue.id!r}: a log from sequence 0 to the issue's version "
                    f"{issue.version} is needed"
                )
            issues.append(_issue_values(issue))
            events.extend(_event_values(event) for event in log)

        def write(conn: sa.Connection) -> None:
            if issues:
                conn.execute(sa.insert(_issues), issues)
                conn.execute(sa.insert(_events), events)

        try:
            self._run(f"add {len(issues)} issues", write, write=True)
        except _RefusedError as refused:
            span = f"{issues[0]['id']}..{issues[-1]['id']}"
            raise ConflictError(span, f"{refused}; nothing was stored") from None
        return len(events)

    def _single_statement(self, move: _Move) -> bool:
        # PostgreSQL takes the whole move as one statement (see _write_one); a statement run
        # in autocommit is its own transaction, so the move costs one round trip to the server.
        return not self._sqlite and (move[1].sequence > 0 or move[2] is None)

    def _write_one_alone(self, move: _Move, statements: _Statements) -> None:
        if not self._write_one(statements, move):
            raise _RefusedError("version")

    def _write_one(self, statements: _Statements, move: _Move) -> bool:
        """Write one move inside ``statements``' transaction; False if the issue was not at
        the version the move read (then nothing was written)."""
        issue, event, key = move
        run = statements.execute
        event_params = _event_values(event)
        moving = None if event.sequence == 0 else _statements_for(event)
        if not self._sqlite and (moving is not None or key is None):
            params = _prefixed(event_params, "e_")
            if moving is None:
                params.update(_prefixed(_issue_values(issue), "i_"))
                statement: _Statement = _PG_OPEN
            else:
                params.update(moving.params(issue, event.sequence - 1))
                if key is None:
                    statement = moving.pg_move
                else:
                    params["k_key"] = key
                    statement = moving.pg_move_keyed
            return run(statement, params) == 1
        if moving is None:
            run(_INSERT_ISSUE, _issue_values(issue))
        elif run(moving.update, moving.params(issue, event.sequence - 1)) != 1:
            return False
        run(_INSERT_EVENT, event_params)
        run(_INSERT_LOG, {"issue_id": issue.id, "sequence": event.sequence, "hash": event.hash})
        if key is not None:
            run(_INSERT_KEY, {"issue_id": issue.id, "key": key, "sequence": event.sequence})
        return True

    def _write_group(self, moves: Sequence[_Move]) -> list[BaseException | None]:
        """The group committer's writer: every move in one transaction, each checked alone.

        A move whose issue moved on meanwhile writes nothing (its UPDATE matched no row), so it
        is simply left out. A move that breaks a constraint would take the transaction down
        with it (PostgreSQL aborts the whole transaction on an error), so then the group is
        rolled back and every move committed on its own instead: the refused move is refused,
        the others are stored, as if they had never met.
        """
        if len(moves) == 1:
            return [self._outcome_alone(moves[0])]

        def write(statements: _Statements) -> list[bool]:
            return [self._write_one(statements, move) for move in moves]

        try:
            written = self._write(f"commit a group of {len(moves)} moves", write)
        except (_RefusedError, InvalidRequestError):
            return [self._outcome_alone(move) for move in moves]
        except _BusyError as busy:
            return [ConflictError(move[0].id, f"{busy}; nothing was stored") for move in moves]
        except GovflowError as failed:
            return [StoreError(str(failed)) for _ in moves]
        return [
            None
            if stored
            else ConflictError(
                move[0].id, self._conflict(_RefusedError("version"), move[0], move[1], move[2])
            )
            for move, stored in zip(moves, written, strict=True)
        ]

    def _outcome_alone(self, move: _Move) -> BaseException | None:
        try:
            self._commit_alone(move)
        except GovflowError as refused:
            return refused
        return None

    def _conflict(self, refused: _RefusedError, issue: Issue, event: Event, key: str | None) -> str:
        """Why a commit was refused, in the words every store uses (read after the rollback)."""
        if refused.constraint == "key":
            return f"idempotency key {key!r} was used already"
        if refused.constraint == "event":
            return (
                f"event {event.sequence} of the issue was stored already: another engine "
                "committed a move first"
            )
        try:
            current: Issue | None = self.get(issue.id)
        except UnknownIssueError:
            current = None
        return check_commit(current, issue, event) or (
            "the issue changed while the move was being stored"
        )

    def _batch_conflict(self, held: HeldRows, refused: _RefusedError) -> str:
        """Why a batch was refused: the first issue whose stored version is not the one read."""
        if refused.constraint == "key":
            return "an idempotency key of the batch was used already"
        if refused.constraint == "event":
            return "an event of the batch was stored already: another engine committed first"
        for issue_id, read in held.read_versions.items():
            try:
                current = self.get(issue_id).version
            except UnknownIssueError:
                return f"issue {issue_id!r} does not exist"
            if current != read:
                return (
                    f"issue {issue_id!r} is at version {current}, not {read}: it changed since "
                    "the batch read it"
                )
        if refused.constraint == "issue":
            return "an issue the batch opens exists already"
        return "an issue changed while the batch was being stored"

    # --- deadline claims, for several workers on one database (see govflow.store._claims) ---

    def claim_due(
        self, now: datetime, *, owner: str, lease: timedelta, limit: int = 100
    ) -> list[Issue]:
        """Claim up to ``limit`` issues due at ``now`` for worker ``owner``, earliest first.

        An issue is skipped while another worker holds a live claim on it at its current
        version; a claim expires at ``now + lease`` (``now`` as the claimers' clock tells it),
        so the issues a dead worker held become claimable again. Release claims with
        :meth:`release_claims` once their deadlines are fired.
        """
        from govflow.store import _claims  # noqa: PLC0415  (only workers need it)

        return _claims.claim_due(self, now, owner=owner, lease=lease, limit=limit)

    def release_claims(self, owner: str, issue_ids: Iterable[str]) -> None:
        """Drop ``owner``'s claims on ``issue_ids``."""
        from govflow.store import _claims  # noqa: PLC0415  (only workers need it)

        _claims.release(self, owner, issue_ids)


#: One move as a store commits it: the issue's new state, its event, its idempotency key.
_Move = tuple[Issue, Event, str | None]
#: Where a write transaction's statements go: the driver's cursor or a SQLAlchemy connection.
_Statements = _DriverStatements | _CoreStatements


class HeldRows:
    """A batch's moves held as the rows :meth:`commit` will write, all in one transaction: what
    :meth:`SQLStore.hold_moves` gives and :meth:`SQLStore.commit_many` and
    :meth:`govflow.Engine.batch` commit with.

    Each move is encoded as it is held -- its event's row, its log entry, its key -- into
    tuples of plain values, which Python's cyclic garbage collector stops tracking: a batch
    of many thousand moves does not make every collection meanwhile longer. Of the issues only
    the last state is kept (an issue's row is written once, at its last state, checked against
    the version its first held move read). :meth:`add` refuses, before anything is written, a
    move that does not follow the issue's held ones.
    """

    def __init__(self, store: SQLStore) -> None:
        self._store = store
        #: issue id -> the version its first held move read (absent for issues opened here)
        self.read_versions: dict[str, int] = {}
        self._opened: dict[str, None] = {}  # issues opened here, in order (a dict: ordered)
        self._latest: dict[str, Issue] = {}  # each issue at its last held move
        self._events: list[tuple[Any, ...]] = []
        self._log: list[tuple[str, int, str]] = []
        self._keys: list[tuple[str, str, int]] = []
        self._index: dict[tuple[str, int], int] = {}  # (issue id, sequence) -> its row
        self._reader: tuple[Any, _DriverStatements] | None = None  # SQLite: see read()

    def __len__(self) -> int:
        return len(self._events)

    def read(self, issue_id: str) -> Issue:
        """The issue as the store holds it now (:meth:`SQLStore.get`). On SQLite every read
        of the batch goes to one connection, taken from the pool at the first and given back
        by :meth:`close` (a read holds no snapshot after it): a pool round a read would cost
        more than the read."""
        store = self._store
        if not store._sqlite:
            return store.get(issue_id)
        if self._reader is None:
            with store._translated(f"read issue {issue_id!r}"):
                connection = store._engine.raw_connection()
                self._reader = (connection, _DriverStatements(connection.cursor(), store._compiled))
        return store._get_on(self._reader[1], issue_id)

    def close(self) -> None:
        """Give back the connection the reads were made on, if any."""
        if self._reader is not None:
            connection, self._reader = self._reader[0], None
            connection.close()

    @property
    def first_issue(self) -> str:
        """The issue of the first held move (which a refused commit names)."""
        return str(self._events[0][0])

    def add(self, issue: Issue, event: Event, key: str | None) -> None:
        """Hold one move: ``issue`` at ``event``, remembering ``key``; ConflictError (and
        nothing held) if the event does not follow the issue's last held move."""
        issue_id = issue.id
        sequence = event.sequence
        if event.issue_id != issue_id or sequence != issue.version:
            raise ConflictError(issue_id, "the event does not belong to this version of the issue")
        before = self._latest.get(issue_id)
        if before is not None and sequence != before.version + 1:
            raise ConflictError(
                issue_id, f"the batch moves it from version {before.version} to {sequence}"
            )
        row = _event_row(event)
        if before is None:
            if sequence == 0:
                self._opened[issue_id] = None
            else:
                self.read_versions[issue_id] = sequence - 1
        self._latest[issue_id] = issue
        self._index[issue_id, sequence] = len(self._events)
        self._events.append(row)
        self._log.append((issue_id, sequence, event.hash))
        if key is not None:
            self._keys.append((issue_id, key, sequence))

    def event(self, issue_id: str, sequence: int) -> Event | None:
        """The held event of the issue at ``sequence``, read back from its row (None: not held)."""
        index = self._index.get((issue_id, sequence))
        if index is None:
            return None
        return _event_from_mapping(dict(zip(_EVENT_NAMES, self._events[index], strict=True)))

    def events(self) -> Iterator[Event]:
        """Every held event, in the order the moves were held."""
        for row in self._events:
            yield _event_from_mapping(dict(zip(_EVENT_NAMES, row, strict=True)))

    def commit(self) -> None:
        """Write every held move in one transaction, or none of them (ConflictError)."""
        self.close()
        if self._events:
            self._store._commit_held(self)

    def _write(self, statements: _Statements) -> None:
        """The transaction's statements (:meth:`SQLStore._commit_held`): the issues opened
        here, the rows of those moved (once each, version-checked), then every event, log
        entry and key in the order held."""
        latest = self._latest
        if self._opened:
            opened = [_issue_row(latest[issue_id]) for issue_id in self._opened]
            statements.execute_rows(_INSERT_ISSUE, _ISSUE_NAMES, opened)
        # Every column but the id, then the id and the version read (the UPDATE's WHERE).
        updates = [
            (*row[1:], row[0], read)
            for row, read in (
                (_issue_row(latest[issue_id]), read)
                for issue_id, read in self.read_versions.items()
            )
        ]
        if updates and statements.execute_rows(
            _ALL_COLUMNS.update, _UPDATE_ALL_NAMES, updates
        ) != len(updates):
            raise _RefusedError("version")
        statements.execute_rows(_INSERT_EVENT, _EVENT_NAMES, self._events)
        statements.execute_rows(_INSERT_LOG, _LOG_NAMES, self._log)
        if self._keys:
            statements.execute_rows(_INSERT_KEY, _KEY_NAMES, self._keys)
