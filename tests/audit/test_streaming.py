"""verify_store streams: its memory does not grow with the store (issue 14: constant memory at
a million issues). Measured with tracemalloc on SQLite stores of two sizes."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, MemoryStore
from govflow.audit.verify import verify_store
from govflow.store import SQLStore
from govflow.store import sql as sql_store

OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})


def sqlite_district(path: Path, issues: int) -> SQLStore:
    """``issues`` genuine issues made in memory, copied into SQLite in one transaction."""
    source = MemoryStore()
    engine = Engine(store=source, clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)))
    for number in range(issues):
        issue = engine.open("closed-loop", reporter="resident", data={"楼": number})
        engine.fire(issue.id, "file", actor=OPERATOR)
        engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
    target = SQLStore(f"sqlite:///{path}")
    with target._engine.begin() as conn:
        conn.execute(
            sa.insert(sql_store._issues), [sql_store._issue_values(i) for i in source.issues()]
        )
        conn.execute(
            sa.insert(sql_store._events),
            [sql_store._event_values(e) for i in source.issues() for e in source.events(i.id)],
        )
        conn.execute(
            sa.insert(sql_store._log),
            [{"issue_id": i, "sequence": s, "hash": h} for i, s, h in source._log],
        )
    return target


def peak_while_verifying(store: SQLStore) -> int:
    tracemalloc.start()
    try:
        report = verify_store(store)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.ok
    return peak


def test_verify_memory_does_not_grow_with_the_store(tmp_path: Path) -> None:
    small = sqlite_district(tmp_path / "small.db", 800)  # 2,400 events: past one batch
    large = sqlite_district(tmp_path / "large.db", 3200)  # four times as many
    try:
        small_peak, large_peak = peak_while_verifying(small), peak_while_verifying(large)
    finally:
        small.close()
        large.close()
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
