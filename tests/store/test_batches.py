"""Batches (``Engine.batch``): many moves, one commit, every move of the batch or none.

Each move in a batch is checked as it is made; a refused move raises at once and is not part of
the batch; the batch is committed whole when the block ends, or not at all.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from govflow import Actor, Engine, Event, Issue, ManualClock, hookimpl
from govflow.audit.verify import verify_store
from govflow.errors import ConflictError, PermissionDeniedError
from govflow.store import SQLStore
from tests.store.conftest import Backend

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
RESIDENT = Actor("resident-1")
INSPECTOR = Actor("insp-1", roles={"inspector"})


def make_engine(backend: Backend, clock: ManualClock, *plugins: object) -> Engine:
    return Engine(store=backend.open(), clock=clock, autoload=False, plugins=plugins)


def test_a_batch_commits_its_moves_together_when_the_block_ends(backend: Backend) -> None:
    engine = make_engine(backend, ManualClock(START))
    with engine.batch() as batch:
        opened = [batch.open("closed-loop", reporter=RESIDENT).id for _ in range(3)]
        for issue_id in opened:
            batch.fire(issue_id, "file", actor=OPERATOR)
            batch.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
            # The batch reads its own moves; the engine outside it does not see them yet.
            assert batch.get(issue_id).state == "handling"
            assert [e.trigger for e in batch.history(issue_id)] == ["open", "file", "dispatch"]
        assert len(engine.store) == 0
    reopened = Engine(store=backend.open(), clock=ManualClock(START), autoload=False)
    for issue_id in opened:
        assert reopened.get(issue_id).state == "handling"
        assert reopened.verify(issue_id) == 3


def test_a_refused_move_in_a_batch_changes_nothing_of_the_others(backend: Backend) -> None:
    engine = make_engine(backend, ManualClock(START))
    first = engine.open("closed-loop", reporter=RESIDENT).id
    second = engine.open("closed-loop", reporter=RESIDENT).id
    with engine.batch() as batch:
        batch.fire(first, "file", actor=OPERATOR)
        with pytest.raises(PermissionDeniedError):
            batch.fire(second, "file", actor=RESIDENT)  # a resident may not file: refused now
        batch.fire(second, "file", actor=OPERATOR)
    assert engine.get(first).version == engine.get(second).version == 1
    assert [e.actor for e in engine.history(second)] == ["resident-1", "op-1"]


def test_a_block_that_raises_commits_nothing(backend: Backend) -> None:
    engine = make_engine(backend, ManualClock(START))
    issue_id = engine.open("closed-loop", reporter=RESIDENT).id

    def aborted_import() -> None:
        with engine.batch() as batch:
            batch.fire(issue_id, "file", actor=OPERATOR)
            batch.open("closed-loop", reporter=RESIDENT)
            raise RuntimeError("import aborted")

    with pytest.raises(RuntimeError, match="import aborted"):
        aborted_import()
    assert engine.get(issue_id).version == 0
    assert len(engine.store) == 1


def test_a_batch_overtaken_by_another_engine_is_refused_whole(backend: Backend) -> None:
    clock = ManualClock(START)
    engine = make_engine(backend, clock)
    other = make_engine(backend, clock)
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(3)]

    def overtaken() -> None:
        with engine.batch() as batch:
            for issue_id in ids:
                batch.fire(issue_id, "file", actor=OPERATOR)
            batch.fire(ids[0], "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
            other.fire(ids[2], "cancel", actor=OPERATOR, payload={"reason": "duplicate"})

    with pytest.raises(ConflictError, match="the batch was refused"):
        overtaken()
    assert [engine.get(issue_id).state for issue_id in ids] == [
        "collected",
        "collected",
        "cancelled",
    ]
    assert [len(engine.history(issue_id)) for issue_id in ids] == [1, 1, 2]


def test_an_idempotency_key_reused_inside_a_batch_answers_with_the_first_event(
    backend: Backend,
) -> None:
    engine = make_engine(backend, ManualClock(START))
    issue_id = engine.open("closed-loop", reporter=RESIDENT).id
    with engine.batch() as batch:
        first = batch.fire(issue_id, "file", actor=OPERATOR, idempotency_key="req-1")
        again = batch.fire(issue_id, "file", actor=OPERATOR, idempotency_key="req-1")
        assert again == first
    assert engine.fire(issue_id, "file", actor=OPERATOR, idempotency_key="req-1") == first
    assert engine.get(issue_id).version == 1


def test_listeners_hear_of_a_batch_only_once_it_is_committed(backend: Backend) -> None:
    heard: list[tuple[str, int]] = []

    class Listener:
        @hookimpl
        def govflow_after_transition(self, event: Event) -> None:
            heard.append((event.trigger, event.sequence))

    engine = make_engine(backend, ManualClock(START), Listener())
    issue_id = engine.open("closed-loop", reporter=RESIDENT).id
    heard.clear()
    with engine.batch() as batch:
        batch.fire(issue_id, "file", actor=OPERATOR)
        batch.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
        assert heard == []
    assert heard == [("file", 1), ("dispatch", 2)]
    heard.clear()
    issue_id = engine.open("closed-loop", reporter=RESIDENT).id
    heard.clear()

    def aborted() -> None:
        with engine.batch() as batch:
            batch.fire(issue_id, "file", actor=OPERATOR)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        aborted()
    assert heard == []  # a rolled-back move is never announced


def test_tick_inside_a_batch_sees_the_batchs_own_moves(backend: Backend) -> None:
    clock = ManualClock(START)
    engine = make_engine(backend, clock)
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(2)]
    with engine.batch() as batch:
        for issue_id in ids:
            batch.fire(issue_id, "file", actor=OPERATOR)
            batch.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
        clock.advance(days=30)
        fired = batch.tick()
        assert {event.issue_id for event in fired} == set(ids)
        assert all(batch.get(issue_id).version == 3 for issue_id in ids)
    assert [engine.get(issue_id).version for issue_id in ids] == [3, 3]
    assert all(engine.verify(issue_id) == 4 for issue_id in ids)


def test_commit_many_checks_every_move_before_writing_any(backend: Backend) -> None:
    engine = make_engine(backend, ManualClock(START))
    issue_id = engine.open("closed-loop", reporter=RESIDENT).id
    with engine.batch() as batch:
        batch.fire(issue_id, "file", actor=OPERATOR)
        moves = list(batch.store.moves)  # type: ignore[attr-defined]
        batch.store.flush()  # type: ignore[attr-defined]
    moved: Issue = moves[0][0]
    assert engine.get(issue_id) == moved
    with pytest.raises(ConflictError, match="the batch was refused"):
        engine.store.commit_many(moves)  # the same move again: its version is gone
    assert engine.get(issue_id) == moved


def test_the_store_wide_log_verifies_after_a_batch(backend: Backend) -> None:
    engine = make_engine(backend, ManualClock(START))
    alone = engine.open("closed-loop", reporter=RESIDENT).id
    engine.fire(alone, "file", actor=OPERATOR)
    with engine.batch() as batch:
        opened = [batch.open("closed-loop", reporter=RESIDENT).id for _ in range(3)]
        for issue_id in [alone, *opened]:
            batch.fire(issue_id, "dispatch" if issue_id == alone else "file",
                       actor=DISPATCHER if issue_id == alone else OPERATOR,
                       payload={"assignees": ["g-1"]} if issue_id == alone else None)  # fmt: skip
    report = verify_store(engine.store)
    assert report.ok, report.findings
    assert report.events == 2 + 3 + 1 + 3  # every event in the log, each once
    # The log holds the batch's events in the order they were made.
    assert [(entry.issue_id, entry.sequence) for entry in engine.store.log(2)] == [
        (opened[0], 0),
        (opened[1], 0),
        (opened[2], 0),
        (alone, 2),
        (opened[0], 1),
        (opened[1], 1),
        (opened[2], 1),
    ]


def test_a_batch_reads_back_its_own_events_exactly_as_they_were_made(backend: Backend) -> None:
    # On a database the batch holds each move as the rows it will write: what it reads back
    # (history, an idempotent retry, the moves it holds) is the very event the move made.
    engine = make_engine(backend, ManualClock(START))
    moved = engine.open("closed-loop", reporter=RESIDENT, data={"text": "路灯不亮"}).id
    with engine.batch() as batch:
        opened = batch.open("closed-loop", reporter=RESIDENT, idempotency_key="open-1")
        fired = [
            batch.fire(issue_id, "file", actor=OPERATOR, payload={"via": ["12345"], "n": 1.5})
            for issue_id in (moved, opened.id)
        ]
        fired.append(
            batch.fire(moved, "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]},
                       idempotency_key="req-1")
        )  # fmt: skip
        assert batch.history(moved)[1:] == (fired[0], fired[2])
        opening = batch.history(opened.id)[0]
        assert batch.history(opened.id) == (opening, fired[1])
        kept = batch.history(moved)[2]
        assert type(kept.payload["assignees"]) is list
        assert kept.changes["assignees"] == ("g-1",)
        again = batch.fire(moved, "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]},
                           idempotency_key="req-1")  # fmt: skip
        assert again == fired[2]
        retried = batch.open("closed-loop", reporter=RESIDENT, idempotency_key="open-1")
        assert (retried.id, retried.state) == (opened.id, "filed")
        held = batch.store.moves  # type: ignore[attr-defined]
        assert [event for _, event, _ in held] == [opening, *fired]
        assert [key for _, _, key in held] == ["open-1", None, None, "req-1"]
        states = {issue.id: issue for issue, _, _ in held}
    for issue_id, state in states.items():
        assert engine.get(issue_id) == state
    assert engine.verify(moved) == 3
    assert engine.verify(opened.id) == 2


def test_a_batch_on_a_database_holds_its_moves_without_growing_what_the_collector_tracks(
    sql_backend: Backend,
) -> None:
    """The collector's passes cost time in proportion to what it tracks: a batch of many moves
    an issue must not make them longer than a batch of few."""
    engine = make_engine(sql_backend, ManualClock(START))
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(40)]

    def tracked() -> int:
        gc.collect()
        return len(gc.get_objects())

    def rounds(batch: Engine, issue_id: str, reworks: int) -> None:
        batch.fire(issue_id, "file", actor=OPERATOR)
        batch.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
        batch.fire(issue_id, "finish", actor="g-1")
        for round_ in range(reworks):
            batch.fire(issue_id, "rework", actor=INSPECTOR, payload={"reason": f"第{round_}次"})
            batch.fire(issue_id, "finish", actor="g-1")

    with engine.batch() as batch:
        for issue_id in ids[:5]:  # the batch's own set-up is behind it
            rounds(batch, issue_id, 1)
        before = tracked()
        for issue_id in ids[5:20]:
            rounds(batch, issue_id, 1)  # 5 moves an issue
        few = tracked() - before
        for issue_id in ids[20:35]:
            rounds(batch, issue_id, 20)  # 43 moves an issue
        many = tracked() - before - few
    assert many <= few + 15  # leeway: an object an issue, whatever its moves
    assert engine.verify(ids[34]) == 1 + 3 + 2 * 20


def test_a_batch_gives_back_the_connection_its_reads_kept(tmp_path: Path) -> None:
    # On SQLite a batch reads on one connection of the store's pool; it is back in the pool
    # once the batch is committed, and when the block raises.
    database = sa.create_engine(f"sqlite:///{tmp_path / 'govflow.db'}")
    engine = Engine(store=SQLStore(database), clock=ManualClock(START), autoload=False)
    pool = database.pool
    assert isinstance(pool, sa.QueuePool)  # SQLAlchemy's pool for a SQLite file
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(3)]
    with engine.batch() as batch:
        for issue_id in ids:
            batch.fire(issue_id, "file", actor=OPERATOR)
        assert pool.checkedout() == 1
    assert pool.checkedout() == 0

    def aborted() -> None:
        with engine.batch() as batch:
            batch.fire(ids[0], "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
            raise RuntimeError("import aborted")

    with pytest.raises(RuntimeError):
        aborted()
    assert pool.checkedout() == 0
    assert [engine.get(issue_id).version for issue_id in ids] == [1, 1, 1]
    database.dispose()


def test_a_batch_told_its_issues_is_still_refused_whole_if_one_moves_meanwhile(
    sql_backend: Backend,
) -> None:
    # Issues read ahead (``engine.batch(issues=...)``, on the stores that read many at once)
    # are read like any other: a move made elsewhere after the read makes the batch's commit
    # fail, and nothing of it is stored.
    clock = ManualClock(START)
    engine = make_engine(sql_backend, clock)
    other = make_engine(sql_backend, clock)
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(3)]

    def overtaken() -> None:
        with engine.batch(issues=ids) as moving:
            other.fire(ids[1], "cancel", actor=OPERATOR, payload={"reason": "duplicate"})
            for issue_id in ids:
                moving.fire(issue_id, "file", actor=OPERATOR)

    with pytest.raises(ConflictError, match="the batch was refused"):
        overtaken()
    assert [engine.get(issue_id).state for issue_id in ids] == [
        "collected",
        "cancelled",
        "collected",
    ]


def test_get_many_reads_the_issues_that_exist_as_get_reads_them(sql_backend: Backend) -> None:
    engine = make_engine(sql_backend, ManualClock(START))
    with engine.batch() as opening:
        ids = [opening.open("closed-loop", reporter=RESIDENT).id for _ in range(1005)]
    engine.fire(ids[0], "file", actor=OPERATOR)
    store = engine.store
    assert isinstance(store, SQLStore)
    found = store.get_many([*reversed(ids), "no-such-issue", ids[0]])  # over a page of 1,000
    assert set(found) == set(ids)
    for issue_id in (ids[0], ids[500], ids[-1]):
        assert found[issue_id] == store.get(issue_id)
        assert found[issue_id].last_hash == store.get(issue_id).last_hash != ""
    assert store.get_many([]) == {}


def test_a_batch_inside_a_batch_joins_it(backend: Backend) -> None:
    engine = make_engine(backend, ManualClock(START))
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(2)]
    with engine.batch() as outer:
        outer.fire(ids[0], "file", actor=OPERATOR)
        with outer.batch() as inner:
            inner.fire(ids[1], "file", actor=OPERATOR)
            inner.fire(ids[0], "dispatch", actor=DISPATCHER, payload={"assignees": ["g-1"]})
        assert [e.trigger for e in outer.history(ids[0])] == ["open", "file", "dispatch"]
        assert engine.get(ids[0]).version == 0  # nothing stored before the outer batch ends
    assert [engine.get(issue_id).version for issue_id in ids] == [2, 1]
    assert [engine.verify(issue_id) for issue_id in ids] == [3, 2]
