"""What only a database can show: real concurrency, raw-SQL tampering, schema handling,
and that SQLAlchemy's own exceptions never reach the caller."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, Store
from govflow.errors import (
    ConflictError,
    DefinitionError,
    GovflowError,
    InvalidRequestError,
    RefusalError,
    StoreError,
    TransitionNotAllowedError,
)
from govflow.store import SQLStore, sql
from tests.store.conftest import SQLBackend

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
OPERATOR = Actor("op-1", roles={"operator"})


def test_concurrent_writers_get_conflicts_not_database_errors(sql_backend: SQLBackend) -> None:
    # Two processes' worth of engines race the same first move on the same issues: for each
    # issue exactly one wins, the other sees ConflictError, and nothing else ever escapes.
    setup = Engine(store=sql_backend.open(), clock=ManualClock(START), autoload=False)
    ids = [setup.open("closed-loop", reporter="r").id for _ in range(8)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, list[str]] = {issue_id: [] for issue_id in ids}
    unexpected: list[BaseException] = []

    def racer(trigger: str) -> None:
        engine = Engine(store=sql_backend.open(), clock=ManualClock(START), autoload=False)
        payload = {"reason": "重复"} if trigger == "cancel" else None
        for issue_id in ids:
            barrier.wait()
            try:
                engine.fire(issue_id, trigger, actor=OPERATOR, payload=payload)
                outcomes[issue_id].append(trigger)
            except ConflictError:
                outcomes[issue_id].append("conflict")
            except TransitionNotAllowedError:  # read the issue after the winner moved it
                outcomes[issue_id].append("too late")
            except BaseException as err:
                unexpected.append(err)

    threads = [threading.Thread(target=racer, args=(t,)) for t in ("file", "cancel")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert unexpected == []
    for issue_id, seen in outcomes.items():
        winners = [outcome for outcome in seen if outcome not in ("conflict", "too late")]
        assert len(winners) == 1, (issue_id, seen)
        assert setup.get(issue_id).state == {"file": "filed", "cancel": "cancelled"}[winners[0]]
        assert setup.verify(issue_id) == 2


def test_event_primary_key_catches_a_second_append(sql_backend: SQLBackend) -> None:
    # If the issue row and the log ever disagree (here: a row set back by hand), the
    # (issue_id, sequence) key still refuses a second event 1, and the row is left alone.
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    issue = engine.open("closed-loop", reporter="r")
    engine.fire(issue.id, "file", actor=OPERATOR)
    sql_backend.execute("UPDATE govflow_issues SET version = 0, state = 'collected'")
    with pytest.raises(ConflictError, match="event 1 of the issue was stored already"):
        engine.fire(issue.id, "cancel", actor=OPERATOR, payload={"reason": "x"})
    assert store.get(issue.id).state == "collected"
    assert [e.trigger for e in store.events(issue.id)] == ["open", "file"]


def test_schema_is_created_once_and_versioned(sql_backend: SQLBackend) -> None:
    first = sql_backend.open()
    second = sql_backend.open()  # create_all again on existing tables is harmless
    assert first.schema_version == second.schema_version == sql.SCHEMA_VERSION
    with SQLStore(sql_backend.url, create=False) as existing:
        assert existing.schema_version == sql.SCHEMA_VERSION
    sql_backend.execute("UPDATE govflow_meta SET value = 99 WHERE name = 'schema_version'")
    with pytest.raises(DefinitionError, match="schema version 99"):
        SQLStore(sql_backend.url)


def test_create_false_refuses_an_empty_database(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="has no govflow tables"):
        SQLStore(f"sqlite:///{tmp_path / 'empty.db'}", create=False)


def test_sqlite_file_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_an_existing_engine_is_used_and_not_disposed(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'e.db'}")
    with SQLStore(engine) as store:
        Engine(store=store, clock=ManualClock(START), autoload=False).open(
            "closed-loop", reporter="r"
        )
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM govflow_issues").scalar() == 1
    engine.dispose()


def test_issues_are_read_a_page_at_a_time_in_order(
    sql_backend: SQLBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "_PAGE", 2)
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    ids = [engine.open("closed-loop", reporter="r", issue_id=f"z{n}").id for n in range(5)]
    assert [issue.id for issue in store.issues()] == ids


def test_bad_urls_are_definition_errors() -> None:
    with pytest.raises(DefinitionError, match="cannot open a store"):
        SQLStore("not a url")
    with pytest.raises(DefinitionError, match="cannot open a store"):
        SQLStore("nosuchdb://x/y")


def test_an_unreachable_database_is_a_store_error() -> None:
    # Port 1 on the loopback refuses at once: the failure must come out as govflow's, not
    # as sqlalchemy's or the driver's.
    with pytest.raises(StoreError, match="could not create the govflow tables") as caught:
        SQLStore("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert not isinstance(caught.value, sa.exc.SQLAlchemyError)
    assert isinstance(caught.value, GovflowError)
    assert not isinstance(caught.value, RefusalError)  # the database failed, not the request


def test_a_writer_holding_the_lock_too_long_is_a_conflict(sql_backend: SQLBackend) -> None:
    # Another connection holds the write lock (SQLite) or the issue's row lock (PostgreSQL)
    # past our patience: the commit is refused as a ConflictError and nothing is stored.
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    issue = engine.open("closed-loop", reporter="r")
    if sql_backend.name == "sqlite":
        impatient = SQLStore(sql_backend.url + "?timeout=0.2")
        blocker_sql = "BEGIN IMMEDIATE"
    else:
        url = sa.make_url(sql_backend.url)
        options = url.query["options"] + " -clock_timeout=200"
        impatient = SQLStore(url.update_query_dict({"options": options}))
        blocker_sql = f"SELECT 1 FROM govflow_issues WHERE id = '{issue.id}' FOR UPDATE"
    blocker = sa.create_engine(sql_backend.url, isolation_level="AUTOCOMMIT")
    try:
        with blocker.connect() as conn:
            if sql_backend.name == "postgres":
                conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql(blocker_sql)
            slow = Engine(store=impatient, clock=ManualClock(START), autoload=False)
            with pytest.raises(ConflictError, match="another writer held the database"):
                slow.fire(issue.id, "file", actor=OPERATOR)
            conn.exec_driver_sql("ROLLBACK")
    finally:
        blocker.dispose()
        impatient.close()
    assert store.get(issue.id).version == 0
    assert len(store.events(issue.id)) == 1
    assert isinstance(store, Store)


def test_an_in_memory_sqlite_database_works() -> None:
    with SQLStore("sqlite://") as store:
        engine = Engine(store=store, clock=ManualClock(START), autoload=False)
        issue = engine.open("closed-loop", reporter="r")
        engine.fire(issue.id, "file", actor=OPERATOR)
        assert engine.verify(issue.id) == 2


def test_processes_creating_the_tables_at_once_all_succeed(sql_backend: SQLBackend) -> None:
    barrier = threading.Barrier(3)
    opened: list[SQLStore] = []
    failed: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            opened.append(SQLStore(sql_backend.url))
        except BaseException as err:
            failed.append(err)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for store in opened:
        store.close()
    assert failed == []
    assert len(opened) == 3
    with SQLStore(sql_backend.url, create=False) as store:
        assert len(store) == 0
        assert store.new_issue_id() == "1"  # the counter row was written once, at 0


def test_values_no_database_can_hold_are_refused_before_the_database(
    sql_backend: SQLBackend,
) -> None:
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    unholdable = [
        ({"location": "\ud800"}, "location holds a lone surrogate"),
        ({"data": {"note": "\udfff"}}, r"data\['note'\] holds a lone surrogate"),
        ({"location": "a\x00b"}, "location holds a NUL"),  # PostgreSQL text cannot hold NUL
    ]
    for fields, message in unholdable:
        with pytest.raises(InvalidRequestError, match=message):
            engine.open("closed-loop", reporter="r", **fields)
    # NUL inside JSON is escaped, so data may carry it everywhere.
    issue = engine.open("closed-loop", reporter="r", data={"note": "a\x00b"})
    assert store.get(issue.id).data == {"note": "a\x00b"}
    assert len(store) == 1


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+nosuchdriver://clerk:s3cret-pw@127.0.0.1/x",
        "postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/x",
        "nonsense://clerk:s3cret-pw@host/x",
    ],
)
def test_a_password_never_appears_in_messages_or_reprs(url: str) -> None:
    with pytest.raises(GovflowError) as caught:
        SQLStore(url)
    assert "s3cret-pw" not in str(caught.value)
    assert "***" in str(caught.value)


def test_a_read_of_several_statements_sees_one_state_of_the_store(
    sql_backend: SQLBackend,
) -> None:
    # The figures count issues and events in two statements: a move another writer commits
    # between them must not be half counted.
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    engine.open("closed-loop", reporter="r1")
    other = Engine(store=sql_backend.open(), clock=ManualClock(START), autoload=False)
    count = sa.text("SELECT count(*) FROM govflow_issues")

    def count_twice(conn: sa.Connection) -> tuple[int, int]:
        first = int(conn.execute(count).scalar_one())
        other.open("closed-loop", reporter="r2")  # committed meanwhile, elsewhere
        return first, int(conn.execute(count).scalar_one())

    assert store.read("count the issues twice", count_twice) == (1, 1)
    assert store.read("count them again", lambda conn: conn.execute(count).scalar_one()) == 2
