"""What a durable move costs and guarantees on a database: durability modes read back, one
statement a move on PostgreSQL, group commit that never lets a refused move ride along, paged
deadlines, and a process killed in the middle of a batch leaving every move of it or none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, Transition, hookimpl
from govflow.batch import batch
from govflow.errors import ConflictError, DefinitionError, GovflowError, UnknownIssueError
from govflow.store import SQLStore, sql
from govflow.store._group import GroupCommitter
from tests.joint import conftest as joint
from tests.store.conftest import SQLBackend

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
RESIDENT = Actor("resident-1")
ROOT = Path(__file__).resolve().parents[2]


# --- durability modes ---------------------------------------------------------------------------


@pytest.mark.parametrize("synchronous", ["NORMAL", "FULL"])
def test_sqlite_runs_in_the_synchronous_mode_it_was_given(tmp_path: Path, synchronous: str) -> None:
    with SQLStore(f"sqlite:///{tmp_path / 'g.db'}", synchronous=synchronous) as store:
        assert store.durability() == {"journal_mode": "wal", "synchronous": synchronous}
        # Every pooled connection, not only the first: the pragma is per connection.
        with store._engine.connect() as one, store._engine.connect() as two:
            for conn in (one, two):
                assert (
                    conn.exec_driver_sql("PRAGMA synchronous").scalar()
                    == {
                        "NORMAL": 1,
                        "FULL": 2,
                    }[synchronous]
                )


def test_sqlite_defaults_to_wal_with_normal_synchronous(tmp_path: Path) -> None:
    with SQLStore(f"sqlite:///{tmp_path / 'g.db'}") as store:
        assert store.durability()["synchronous"] == "NORMAL"


def test_group_commit_is_on_for_sqlite_and_left_to_the_server_on_postgres(
    sql_backend: SQLBackend,
) -> None:
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    engine.fire(engine.open("closed-loop", reporter=RESIDENT).id, "file", actor=OPERATOR)
    # Only a store that groups commits counts its groups.
    assert bool(store.group_sizes) == (sql_backend.name == "sqlite")


def test_an_unknown_durability_mode_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"synchronous must be one of \('FULL', 'NORMAL'\)"):
        SQLStore(f"sqlite:///{tmp_path / 'g.db'}", synchronous="OFF")
    with pytest.raises(DefinitionError, match="group_commit must be 'auto', None or"):
        SQLStore(f"sqlite:///{tmp_path / 'g.db'}", group_commit=-1)


def test_postgres_durability_is_the_servers(sql_backend: SQLBackend) -> None:
    store = sql_backend.open()
    settings = store.durability()
    if sql_backend.name == "postgres":
        assert set(settings) == {"synchronous_commit", "fsync"}
        assert settings["synchronous_commit"] in {"on", "off", "local", "remote_write"}
    else:
        assert settings["journal_mode"] == "wal"


# --- one statement a move -----------------------------------------------------------------------


@pytest.fixture
def counted(sql_backend: SQLBackend) -> Iterator[tuple[SQLStore, list[str]]]:
    """A store on an engine that records every statement sent to the database."""
    engine = sa.create_engine(sql_backend.url)
    statements: list[str] = []

    def record(statement: str) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    if sql_backend.name == "sqlite":
        # SQLite's hot path runs on the driver, past SQLAlchemy's events: sqlite3 itself
        # reports every statement it runs.
        @sa.event.listens_for(engine, "connect")
        def trace(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_trace_callback(record)

    else:
        # PostgreSQL's move runs on psycopg's cursor too, past SQLAlchemy's events: every
        # cursor the connection opens (SQLAlchemy's own among them) reports what it runs.
        import psycopg  # noqa: PLC0415  (the postgres extra)

        class Counting(psycopg.Cursor[Any]):
            def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
                record(str(query))
                return super().execute(query, *args, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def count(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.cursor_factory = Counting

    store = SQLStore(engine, group_commit=None)
    yield store, statements
    store.close()
    engine.dispose()


def test_a_batch_told_its_issues_reads_them_in_one_query(
    counted: tuple[SQLStore, list[str]],
) -> None:
    store, statements = counted
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    ids = [engine.open("closed-loop", reporter=RESIDENT, issue_id=f"b-{n}").id for n in range(5)]
    statements.clear()
    with batch(engine, issues=[*ids, "no-such-issue"]) as moving:
        assert statements.count("SELECT") == 1
        for issue_id in ids:
            moving.fire(issue_id, "file", actor=OPERATOR)
        assert statements.count("SELECT") == 1  # the moves read nothing more
        with pytest.raises(UnknownIssueError):
            moving.fire("no-such-issue", "file", actor=OPERATOR)
    assert [engine.get(issue_id).version for issue_id in ids] == [1] * 5
    assert all(engine.verify(issue_id) == 2 for issue_id in ids)


def test_a_move_reads_the_issue_once_and_writes_it_in_one_statement_on_postgres(
    counted: tuple[SQLStore, list[str]], sql_backend: SQLBackend
) -> None:
    store, statements = counted
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    issue = engine.open("closed-loop", reporter=RESIDENT, issue_id="a-1")
    statements.clear()
    engine.fire(issue.id, "file", actor=OPERATOR)
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
    if sql_backend.name == "postgres":
        # SELECT the issue (with its last event's hash), then UPDATE + INSERT the event +
        # INSERT its store-wide log entry as one WITH statement, in autocommit.
        assert statements == ["SELECT", "WITH"] * 2
    else:
        # No read of the log either: the previous hash comes with the issue. SQLite is in
        # process: a statement costs no round trip, and BEGIN IMMEDIATE takes the write lock.
        assert statements == ["SELECT", "BEGIN", "UPDATE", "INSERT", "INSERT", "COMMIT"] * 2
    assert engine.verify(issue.id) == 3
    assert [(entry.issue_id, entry.sequence) for entry in store.log()] == [
        ("a-1", 0),
        ("a-1", 1),
        ("a-1", 2),
    ]


def test_postgres_connections_go_back_to_the_pool_out_of_autocommit(
    sql_backend: SQLBackend,
) -> None:
    # A move's read and its one statement run in autocommit on the driver's connection; the
    # pool must get it back as it gave it, or a later batch would not be one transaction.
    if sql_backend.name != "postgres":
        pytest.skip("autocommit is PostgreSQL's")
    engine = sa.create_engine(sql_backend.url, pool_size=1, max_overflow=0)
    with SQLStore(engine, group_commit=None) as store:
        govflow = Engine(store=store, clock=ManualClock(START), autoload=False)
        issue = govflow.open("closed-loop", reporter=RESIDENT)
        govflow.fire(issue.id, "file", actor=OPERATOR)
        pooled = engine.raw_connection()  # the pool's one connection, which the move used
        try:
            assert pooled.driver_connection.autocommit is False  # type: ignore[union-attr]
        finally:
            pooled.close()
        # And SQLAlchemy's transactions on it are transactions again: rolled back, nothing.
        conn = engine.connect()
        conn.execute(sa.text("CREATE TABLE rolled_back (n integer)"))
        conn.rollback()
        conn.close()
        assert not sa.inspect(engine).has_table("rolled_back")
    engine.dispose()


def test_a_postgres_connection_the_server_dropped_is_not_used_again(
    sql_backend: SQLBackend,
) -> None:
    if sql_backend.name != "postgres":
        pytest.skip("a server to drop the connection")
    tag = f"govflow-dropped-{os.getpid()}"
    url = sa.make_url(sql_backend.url).update_query_dict({"application_name": tag})
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    admin = sa.create_engine(sql_backend.url, poolclass=sa.pool.NullPool)
    with SQLStore(engine, group_commit=None) as store:
        govflow = Engine(store=store, clock=ManualClock(START), autoload=False)
        issue = govflow.open("closed-loop", reporter=RESIDENT)
        govflow.fire(issue.id, "file", actor=OPERATOR)
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :tag"
                ),
                {"tag": tag},
            )
        for _ in range(50):  # the server ends the backend asynchronously
            with admin.connect() as conn:
                left = conn.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :t"),
                    {"t": tag},
                ).scalar()
            if not left:
                break
            time.sleep(0.05)
        with pytest.raises(GovflowError):
            govflow.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
        # The broken connection was dropped from the pool: the next move gets a new one.
        govflow.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
        assert govflow.verify(issue.id) == 3
    admin.dispose()
    engine.dispose()


def test_issues_claimed_or_listed_by_reporter_come_with_their_last_hash(
    sql_backend: SQLBackend, tmp_path: Path
) -> None:
    # A worker moves the issues it claimed, erasure the issues a subject reported: read
    # with their last event's hash, those moves read nothing of the log.
    with SQLStore(sql_backend.url) as store:
        engine = Engine(store=store, clock=ManualClock(START), autoload=False)
        issue = engine.open("closed-loop", reporter=RESIDENT, issue_id="h-1")
        engine.fire(issue.id, "file", actor=OPERATOR)
        last = store.last_event(issue.id)
        assert last is not None
        (reported,) = store.reported_by(RESIDENT.id)
        assert reported.last_hash == last.hash
        claimed = store.claim_due(START + timedelta(days=400), owner="w", lease=timedelta(1))
        assert [(i.id, i.last_hash) for i in claimed] == [(issue.id, last.hash)]


def test_a_one_statement_move_still_checks_the_version_and_the_key(
    sql_backend: SQLBackend,
) -> None:
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    issue = engine.open("closed-loop", reporter=RESIDENT)
    engine.fire(issue.id, "file", actor=OPERATOR, idempotency_key="k-1")
    stale = engine.get(issue.id)
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
    current = engine.get(issue.id)
    dispatched = engine.history(issue.id)[2]
    # A move made from the issue as it was before the dispatch: the UPDATE matches no row.
    with pytest.raises(ConflictError, match="expected version 1 but the issue is at version 2"):
        store.commit(attrs.evolve(stale, version=2, state="cancelled"), dispatched)
    # A move over the current version with a key used already: the key's INSERT fails and
    # takes the UPDATE and the event's INSERT of the same statement with it.
    with pytest.raises(ConflictError, match="idempotency key 'k-1' was used already"):
        store.commit(
            attrs.evolve(current, version=3),
            attrs.evolve(dispatched, sequence=3),
            idempotency_key="k-1",
        )
    assert store.get(issue.id) == current
    assert engine.verify(issue.id) == 3


def test_postgres_plans_a_move_once_per_connection(sql_backend: SQLBackend) -> None:
    if sql_backend.name != "postgres":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    store = sql_backend.open()
    engine = Engine(store=store, clock=ManualClock(START), autoload=False)
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(12)]
    for issue_id in ids:
        engine.fire(issue_id, "file", actor=OPERATOR)
    with store._engine.connect() as conn:  # the pool hands back the connection the moves used
        prepared = conn.exec_driver_sql(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
        ).all()
    # The move's one statement (and the read before it) were built once and prepared on the
    # server by the driver: each later move reuses the plan instead of parsing it again.
    plans = {text.split(None, 1)[0]: n for text, n in prepared if "govflow_issues" in text}
    assert plans["WITH"] >= 1  # the UPDATE + INSERTs of a move, one statement
    assert plans["SELECT"] >= 1  # the issue with its last event's hash


# --- group commit -------------------------------------------------------------------------------


def test_group_commit_keeps_a_refused_move_out_of_the_accepted_ones(
    sql_backend: SQLBackend,
) -> None:
    # The first commit is held up behind another connection's lock, so every other thread's
    # commit queues up behind it and they go into one group together: two racers on one issue
    # (one must lose), a duplicate id (a constraint the database enforces) and plain moves.
    store = SQLStore(sql_backend.url, group_commit=0.5)
    clock = ManualClock(START)
    setup = Engine(store=store, clock=clock, autoload=False)
    ids = [setup.open("closed-loop", reporter=RESIDENT).id for _ in range(6)]
    blocker = sa.create_engine(sql_backend.url, isolation_level="AUTOCOMMIT")
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def attempt(name: str, work: Any) -> None:
        try:
            work()
        except ConflictError as refused:
            result = f"conflict: {refused}"
        except GovflowError as failed:  # pragma: no cover -- reported below if it happens
            result = f"error: {failed!r}"
        else:
            result = "ok"
        with lock:
            outcomes[name] = result

    def racer(issue_id: str, trigger: str) -> Any:
        engine = Engine(store=store, clock=clock, autoload=False)
        issue = engine.get(issue_id)
        payload = {"reason": "x"} if trigger == "cancel" else None

        def work() -> None:
            engine.fire(issue_id, trigger, actor=OPERATOR, payload=payload,
                        expected_version=issue.version)  # fmt: skip

        return work

    first = threading.Thread(target=attempt, args=("lead", racer(ids[0], "file")))
    works = {
        "race-file": racer(ids[1], "file"),
        "race-cancel": racer(ids[1], "cancel"),
        "duplicate": lambda: setup.open("closed-loop", reporter=RESIDENT, issue_id=ids[2]),
        **{f"plain-{n}": racer(ids[n], "file") for n in (3, 4, 5)},
    }
    with blocker.connect() as conn:
        if sql_backend.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql(f"SELECT 1 FROM govflow_issues WHERE id = '{ids[0]}' FOR UPDATE")
        first.start()
        time.sleep(0.3)  # the first commit is now waiting for the lock
        others = [threading.Thread(target=attempt, args=item) for item in works.items()]
        for thread in others:
            thread.start()
        time.sleep(0.5)  # ... and the others are queued behind it
        conn.exec_driver_sql("ROLLBACK")
    for thread in [first, *others]:
        thread.join(timeout=30)
    blocker.dispose()

    assert outcomes["lead"] == "ok"
    assert sorted(outcomes[name][:8] for name in ("race-file", "race-cancel")) == [
        "conflict",
        "ok",
    ], outcomes
    assert outcomes["duplicate"].startswith("conflict"), outcomes
    assert all(outcomes[f"plain-{n}"] == "ok" for n in (3, 4, 5)), outcomes
    assert max(store.group_sizes) >= 5  # they did share a commit
    reader = Engine(store=sql_backend.open(), clock=clock, autoload=False)
    assert reader.get(ids[1]).state in {"filed", "cancelled"}
    assert len(reader.history(ids[1])) == 2  # one winner, one event
    assert reader.get(ids[2]).version == 0  # the duplicate open changed nothing
    for issue_id in ids:
        reader.verify(issue_id)
    store.close()


def test_committers_that_arrive_together_share_one_write() -> None:
    release = threading.Event()
    groups: list[list[int]] = []

    def write(moves: Any) -> list[BaseException | None]:
        if not groups:
            release.wait(5)  # hold the first group so that the others queue up
        groups.append(list(moves))
        return [None if move % 2 else ValueError(f"move {move}") for move in moves]

    committer: GroupCommitter[int] = GroupCommitter(write, wait=0.0)
    results: dict[int, str] = {}

    def submit(move: int) -> None:
        try:
            committer.commit(move)
        except ValueError as refused:
            results[move] = str(refused)
        else:
            results[move] = "ok"

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(1, 7)]
    threads[0].start()
    time.sleep(0.1)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert groups[0] == [1]
    assert sorted(groups[1]) == [2, 3, 4, 5, 6]  # everyone who queued meanwhile, in one write
    # Each caller gets its own outcome, whatever the others' were.
    assert results == {1: "ok", 2: "move 2", 3: "ok", 4: "move 4", 5: "ok", 6: "move 6"}
    assert committer.group_sizes == [1, 5]


def test_a_lone_committer_never_waits_for_company() -> None:
    committer: GroupCommitter[int] = GroupCommitter(lambda moves: [None for _ in moves], wait=1.0)
    started = time.perf_counter()
    for move in range(20):
        committer.commit(move)
    assert time.perf_counter() - started < 0.5  # 20 commits, not 20 seconds of waiting
    assert committer.group_sizes == [1] * 20


def test_the_group_sizes_kept_are_the_last_thousand() -> None:
    committer: GroupCommitter[int] = GroupCommitter(lambda moves: [None for _ in moves], wait=0)
    for move in range(1005):
        committer.commit(move)
    assert committer.group_sizes == [1] * 1000


def test_the_wait_for_company_is_bounded() -> None:
    committer: GroupCommitter[int] = GroupCommitter(lambda moves: [None for _ in moves], wait=0.05)
    committer._last_size = 4  # as if the last group had four moves: the next leader waits
    started = time.perf_counter()
    committer.commit(1)  # nobody joins
    waited = time.perf_counter() - started
    assert 0.04 <= waited < 1.0
    assert committer.group_sizes == [1]


# --- paged deadlines ----------------------------------------------------------------------------


def test_tick_reads_due_issues_a_page_at_a_time(
    sql_backend: SQLBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "_PAGE", 3)
    clock = ManualClock(START)
    store = sql_backend.open()
    engine = Engine(store=store, clock=clock, autoload=False)
    ids = []
    for n in range(8):
        issue = engine.open("closed-loop", reporter=RESIDENT, issue_id=f"d{n}")
        engine.fire(issue.id, "file", actor=OPERATOR)
        engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
        ids.append(issue.id)
        clock.advance(minutes=1)
    pages: list[int] = []
    real_run = store._run

    def run(what: str, work: Any, **kwargs: Any) -> Any:
        answer = real_run(what, work, **kwargs)
        if what == "find due issues":
            pages.append(len(answer))
        return answer

    monkeypatch.setattr(store, "_run", run)
    clock.advance(days=30)
    fired = engine.tick()
    assert [event.issue_id for event in fired] == ids  # earliest due first, each once
    assert pages == [3, 3, 2]  # never more than a page of issues in memory
    assert all(engine.get(issue_id).state == "supervised" for issue_id in ids)


def test_tick_handles_a_joined_issue_once_though_a_party_move_leaves_it_due_further_on(
    sql_backend: SQLBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The police's escalation moves the issue's due time from the police's deadline to the
    # housing department's, still past: a page walk along the due index meets it again. The
    # housing escalation and the round's timeout are vetoed, so a second visit would ask (and
    # log a refusal) twice.
    monkeypatch.setattr(sql, "_PAGE", 1)
    asked: list[str] = []

    class HoldHousing:
        @hookimpl
        def govflow_before_transition(
            self, transition: Transition, payload: Mapping[str, Any]
        ) -> str | None:
            if transition.trigger not in {"party_overdue", "overdue"}:
                return None
            asked.append(payload.get("party", transition.trigger))
            return None if payload.get("party") == "dept-police" else "housing is on it"

    clock = ManualClock(joint.START)
    engine = Engine(org=joint.street_org(), store=sql_backend.open(), clock=clock,
                    autoload=False, workflows=[joint.WHISTLE], plugins=[HoldHousing()])  # fmt: skip
    issue = engine.open("whistle", reporter=joint.RESIDENT, location="community")
    parties = [{"id": "dept-police", "limit": "1d"}, "dept-housing", {"id": "dept-urban",
               "limit": "3d"}]  # fmt: skip
    engine.fire(issue.id, "whistle", actor=joint.STREET, payload={"parties": parties})
    clock.advance(days=2, hours=1)
    fired = engine.tick()
    assert [event.payload["party"] for event in fired] == ["dept-police"]
    assert asked == ["dept-police", "dept-housing", "overdue"]  # the issue was handled once
    assert engine.get(issue.id).alarm_at == joint.START + timedelta(days=2)  # still due


# --- a crash in the middle of a batch -----------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import os, sys, time
    from datetime import UTC, datetime
    import sqlalchemy as sa
    from govflow import Actor, Engine, ManualClock, Transition, hookimpl
    from govflow.store import SQLStore

    url, ids, when = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    engine = sa.create_engine(url)

    def pause(statement):
        if when == "inside" and statement.startswith("INSERT INTO govflow_log"):
            print("inside", flush=True)  # the batch's events are written, not committed
            time.sleep(60)

    if engine.dialect.name == "sqlite":  # its commits run on the driver: sqlite3 reports them
        @sa.event.listens_for(engine, "connect")
        def trace(dbapi_connection, record):
            dbapi_connection.set_trace_callback(pause)
    else:
        @sa.event.listens_for(engine, "after_cursor_execute")
        def sent(conn, cursor, statement, parameters, context, executemany):
            pause(statement)

    store = SQLStore(engine)
    gov = Engine(store=store, clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)),
                 autoload=False)
    operator = Actor("op-1", roles={"operator"})
    dispatcher = Actor("disp-1", roles={"dispatcher"})
    with gov.batch() as batch:
        for issue_id in ids:
            batch.fire(issue_id, "file", actor=operator)
            batch.fire(issue_id, "dispatch", actor=dispatcher, payload={"assignees": ["g"]})
    print("committed", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("when", ["inside", "after"])
def test_a_process_killed_during_a_batch_leaves_all_of_it_or_none(
    sql_backend: SQLBackend, when: str
) -> None:
    clock = ManualClock(START)
    engine = Engine(store=sql_backend.open(), clock=clock, autoload=False)
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(20)]
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, sql_backend.url, ",".join(ids), when],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "GOVFLOW_DISABLE_PLUGIN_AUTOLOAD": "1"},
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)  # also if the line was wrong: never leave it running
        child.wait(timeout=30)
    assert line == ("inside" if when == "inside" else "committed")
    reader = Engine(store=sql_backend.open(), clock=clock, autoload=False)
    versions = {reader.get(issue_id).version for issue_id in ids}
    assert versions == ({0} if when == "inside" else {2})
    for issue_id in ids:
        assert reader.verify(issue_id) == (1 if when == "inside" else 3)
