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
updated means someone else moved it first), then the event and the idempotency key are inserted
under primary-key and unique constraints. Any failure rolls the whole transaction back and is
reported as :class:`~govflow.errors.ConflictError`; SQLAlchemy's own exceptions never escape.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from functools import partial
from types import MappingProxyType, TracebackType
from typing import Any, Final, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc

from govflow.audit import to_json_value
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
from govflow.store.base import CorruptRecord, IssueScan, LogEntry, SubjectKey, check_commit
from govflow.validate import check_time

__all__ = ["SCHEMA_VERSION", "SQLStore", "metadata"]

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

#: How many issues :meth:`SQLStore.issues` reads per query.
_PAGE: Final = 1000

# --- encoding ----------------------------------------------------------------------------------

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _time_key(value: datetime) -> int:
    """``value`` as whole microseconds since the epoch: orders correctly whatever the offset.

    A naive time (never made by govflow's clocks) is taken as UTC.
    """
    aware = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MICROSECOND


def _dump(value: Any) -> str:
    # Not the audit log's canonical text: key order is kept, so data comes back as it was given.
    return json.dumps(
        to_json_value(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def _load_mapping(text: str) -> Mapping[str, Any]:
    return EMPTY if text == "{}" else freeze_mapping(json.loads(text))


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
    raw = json.loads(text)
    if not raw:
        return EMPTY
    return MappingProxyType({key: _decode_change(key, value) for key, value in raw.items()})


def _issue_values(issue: Issue) -> dict[str, Any]:
    due = issue.due_at
    return {
        "id": issue.id,
        "workflow": issue.workflow,
        "workflow_version": issue.workflow_version,
        "state": issue.state,
        "category": issue.category,
        "location": issue.location,
        "reporter": issue.reporter,
        "opened_at": issue.opened_at.isoformat(),
        "updated_at": issue.updated_at.isoformat(),
        "due_at": None if due is None else due.isoformat(),
        "due_key": None if (alarm := issue.alarm_at) is None else _time_key(alarm),
        "assignees": _dump(issue.assignees),
        "handlers": _dump(issue.handlers),
        "data": _dump(issue.data),
        "version": issue.version,
        "joint": _dump(issue.joint),
        "timing": _dump(issue.timing),
    }


def _issue_from_row(row: sa.Row[Any]) -> Issue:
    m = row._mapping
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
        assignees=tuple(json.loads(m["assignees"])),
        handlers=tuple(json.loads(m["handlers"])),
        data=_load_mapping(m["data"]),
        version=m["version"],
        joint=_load_mapping(m["joint"]),
        timing=_load_mapping(m["timing"]),
    )


def _event_values(event: Event) -> dict[str, Any]:
    plugin = event.plugin
    return {
        "issue_id": event.issue_id,
        "sequence": event.sequence,
        "trigger": event.trigger,
        "source": event.source,
        "destination": event.destination,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "due_at": None if event.due_at is None else event.due_at.isoformat(),
        "payload": _dump(event.payload),
        "changes": _dump(event.changes),
        "plugin_name": None if plugin is None else plugin.name,
        "plugin_version": None if plugin is None else plugin.version,
        "decisions": _dump(event.decisions),
        "previous_hash": event.previous_hash,
        "hash": event.hash,
        "acting_for": event.acting_for,
        "audit_format": event.audit_format,
        "hash_algorithm": event.hash_algorithm,
    }


def _event_from_row(row: sa.Row[Any]) -> Event:
    m = row._mapping
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


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
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


def _configure_sqlite(engine: sa.Engine) -> None:
    if not sa_event.contains(engine, "connect", _sqlite_connect):
        sa_event.listen(engine, "connect", _sqlite_connect)
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
    """

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


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

    For SQLite the store turns on foreign keys and, for a file, write-ahead logging; writers
    wait for each other up to the driver's busy timeout (5 s unless the URL says otherwise).
    """

    def __init__(
        self,
        url_or_engine: str | sa.URL | sa.Engine = "sqlite:///govflow.db",
        *,
        create: bool = True,
    ) -> None:
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
        if self._sqlite:
            _configure_sqlite(self._engine)
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
    def _connection(self, *, write: bool) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn:
            if write:
                if self._sqlite:
                    conn.execution_options(govflow_begin="IMMEDIATE")
            elif self._sqlite:
                conn.execution_options(govflow_begin=None)
            else:
                # Every read is one statement, consistent on its own: without BEGIN and
                # ROLLBACK around it, a read costs one round trip to the server instead of three.
                conn.execution_options(isolation_level="AUTOCOMMIT")
            with conn.begin():
                yield conn

    def read(self, what: str, work: Callable[[sa.Connection], _T]) -> _T:
        """Run ``work`` on a connection to the store's database and return what it returns:
        for read-only queries over :data:`metadata`'s tables (the figures'
        :mod:`govflow.metrics.sql` aggregation). Database failures are reported as
        :class:`~govflow.errors.StoreError` naming ``what``."""
        return self._run(what, work)

    @property
    def dialect(self) -> str:
        """The database's SQLAlchemy dialect name (``sqlite``, ``postgresql``)."""
        return self._engine.dialect.name

    def _run(self, what: str, work: Callable[[sa.Connection], _T], *, write: bool = False) -> _T:
        """``work`` in one transaction; database failures as govflow errors naming ``what``.

        A constraint violation becomes :class:`_RefusedError` (the caller knows what it means); any
        other database failure a :class:`StoreError` -- the database, not the request, failed.
        """
        try:
            with self._connection(write=write) as conn:
                return work(conn)
        except sa_exc.IntegrityError as err:
            raise _RefusedError(str(err.orig)) from None
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
        row = self._run(
            f"read issue {issue_id!r}",
            lambda conn: conn.execute(sa.select(_issues).where(_issues.c.id == issue_id)).first(),
        )
        if row is None:
            raise UnknownIssueError(issue_id)
        return _read(_issue_from_row, row, issue_id, -1)

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
        earliest first (index on due_key)."""
        check_time("now", now)  # refused as by every store, not guessed to be UTC
        rows = self._run(
            "find due issues",
            lambda conn: conn.execute(
                sa.select(_issues)
                .where(_issues.c.due_key <= _time_key(now))
                .order_by(_issues.c.due_key, _issues.c.id)
            ).all(),
        )
        return iter(list(_readable_issues(rows)))

    def issues(self) -> Iterator[Issue]:
        """Every issue, in the order they were opened.

        Read a page at a time, so that a district's worth of issues is never in memory at once
        and no connection is held while the caller works between pages.
        """
        after = 0

        def page(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
            return conn.execute(
                sa.select(_issues)
                .where(_issues.c.position > after)
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
        """
        if event.issue_id != issue.id or event.sequence != issue.version:
            mismatch = check_commit(None, issue, event)  # names the mismatch in shared words
            raise ConflictError(issue.id, mismatch or "the event does not belong to the issue")
        try:
            self._run(
                f"commit event {event.sequence} of issue {issue.id!r}",
                lambda conn: self._write(conn, issue, event, idempotency_key),
                write=True,
            )
        except _RefusedError as refused:
            raise ConflictError(
                issue.id, self._conflict(refused, issue, event, idempotency_key)
            ) from None
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

    @staticmethod
    def _write(conn: sa.Connection, issue: Issue, event: Event, key: str | None) -> None:
        values = _issue_values(issue)
        if event.sequence == 0:
            try:
                conn.execute(sa.insert(_issues).values(values))
            except sa_exc.IntegrityError:
                raise _RefusedError("issue") from None
        else:
            moved = conn.execute(
                sa.update(_issues)
                .where(_issues.c.id == issue.id, _issues.c.version == event.sequence - 1)
                .values(values)
            )
            if moved.rowcount != 1:
                raise _RefusedError("version")
        try:
            conn.execute(sa.insert(_events).values(_event_values(event)))
        except sa_exc.IntegrityError:
            raise _RefusedError("event") from None
        conn.execute(
            sa.insert(_log).values(issue_id=issue.id, sequence=event.sequence, hash=event.hash)
        )
        if key is not None:
            try:
                conn.execute(
                    sa.insert(_keys).values(issue_id=issue.id, key=key, sequence=event.sequence)
                )
            except sa_exc.IntegrityError:
                raise _RefusedError("key") from None

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
