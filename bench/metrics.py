"""How fast the figures come: the in-memory fold, a plain Python loop, SQL on SQLite.

A district's log is made through a real Engine (the closed loop: open, file, dispatch,
finish, verify, evaluate, and for one issue in five a clock move that puts it under
supervision before it is finished), 1,000,000 events by default. Three ways to the same
figures (办结率, 按期办结率, 满意率, by location) are timed over it in the same run:

* **fold** -- :func:`govflow.metrics.compute` on the MemoryStore: every built-in metric;
* **plain loop** -- the obvious Python loop over the same store's events (``store.events``),
  computing just those three figures, as a caller without govflow.metrics would;
* **SQL** -- ``compute(..., source="sql")`` on a SQLite file holding the first 48,000 events'
  issues, the aggregation running in the database (beside the fold over the same issues).

Targets (issue 14): fold ≥ 1,000,000 events/s over 1M events; SQL ≥ 200,000 events/s over a
48k-event store. Ratios are printed because absolute numbers move with the machine's load.

    python bench/metrics.py                   # 1,000,000 events
    python bench/metrics.py --events 100000   # a quicker look
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, MemoryStore
from govflow.metrics import compute
from govflow.store import SQLStore
from govflow.store.sql import _event_values, _issue_values, metadata

CENTRE = Actor("centre", roles={"operator", "dispatcher"})
WORKER = Actor("grid-7", roles={"grid_worker"})
INSPECTOR = Actor("inspector", roles={"inspector"})
RESIDENT = Actor("resident")
LOCATIONS = [f"3403030010{n:02d}" for n in range(1, 35)]  # 34 communities, as in Jianhua
RATINGS = ["满意", "基本满意", "satisfied", "不满意"]
SQL_EVENTS = 48_000


def district(events: int, batch: int = 1000) -> Engine:
    """An engine whose MemoryStore holds about ``events`` events of closed-loop issues.

    Issues come in weekly batches: four in five are finished within the limit, the clock then
    runs on six days and supervises the rest, which are finished late.
    """
    clock = ManualClock(datetime(2022, 1, 3, 1, 0, tzinfo=UTC))  # a Monday, 9:00 in Shanghai
    engine = Engine(clock=clock, autoload=False, store=MemoryStore())
    made = number = 0
    while made < events:
        late = []
        for _ in range(batch):
            location = LOCATIONS[number % len(LOCATIONS)]
            issue = engine.open("closed-loop", reporter=RESIDENT, location=location)
            engine.fire(issue.id, "file", actor=CENTRE)
            engine.fire(issue.id, "dispatch", actor=CENTRE, payload={"assignees": [WORKER.id]})
            made += 3
            if number % 5 == 4:
                late.append((issue.id, number))
            else:
                made += finish(engine, issue.id, number)
            number += 1
        clock.advance(days=6)
        made += len(engine.tick())  # the late ones go under supervision
        for issue_id, which in late:
            made += finish(engine, issue_id, which)
        clock.advance(days=1)
    return engine


def finish(engine: Engine, issue_id: str, number: int) -> int:
    engine.fire(issue_id, "finish", actor=WORKER)
    engine.fire(issue_id, "verify", actor=INSPECTOR)
    rating = RATINGS[number % len(RATINGS)]
    engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": rating})
    return 3


def count_events(engine: Engine) -> int:
    return sum(issue.version + 1 for issue in engine.issues())


def plain_loop(engine: Engine) -> dict[str, tuple[int, int, int, int, int]]:
    """办结率, 按期办结率 and 满意率 counts by location, the obvious way."""
    out: dict[str, list[int]] = {}
    for issue in engine.issues():
        events = engine.store.events(issue.id)
        counts = out.setdefault(issue.location or "", [0, 0, 0, 0, 0])
        counts[0] += 1
        if issue.state == "closed":
            counts[1] += 1
            due = None
            late = False
            for event in events:
                if event.source in ("handling", "supervised") and (
                    event.actor == "system:clock" or (due is not None and event.at > due)
                ):
                    late = True
                due = event.due_at
            counts[2] += not late
        ratings = [e.payload["satisfaction"] for e in events if "satisfaction" in e.payload]
        if ratings:
            counts[3] += 1
            counts[4] += ratings[-1] in ("满意", "基本满意", "satisfied", "basically_satisfied")
    return {k: (v[0], v[1], v[2], v[3], v[4]) for k, v in out.items()}


def sqlite_copy(engine: Engine, events: int, path: Path) -> tuple[Engine, int]:
    """The first issues of ``engine`` up to ``events`` events, bulk-copied into a SQLite file."""
    store = SQLStore(f"sqlite:///{path}")
    issues, copied = [], 0
    for issue in engine.issues():
        if copied >= events:
            break
        issues.append(issue)
        copied += issue.version + 1
    rows = [_issue_values(issue) for issue in issues]
    event_rows = [_event_values(e) for issue in issues for e in engine.store.events(issue.id)]
    raw = sa.create_engine(f"sqlite:///{path}")
    with raw.begin() as conn:
        conn.execute(metadata.tables["govflow_issues"].insert(), rows)
        conn.execute(metadata.tables["govflow_events"].insert(), event_rows)
    raw.dispose()
    return Engine(clock=engine.clock, autoload=False, store=store), copied


def best(work: Callable[[], object], rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    engine = district(args.events)
    events = count_events(engine)
    print(f"built {events:,} events in {time.perf_counter() - started:.1f} s")

    fold_s, report = best(lambda: compute(engine), args.rounds)
    loop_s, plain = best(lambda: plain_loop(engine), max(1, args.rounds - 1))
    total = report.total  # type: ignore[attr-defined]
    assert sum(v[1] for v in plain.values()) == total["completion"].numerator  # type: ignore[attr-defined]
    assert sum(v[2] for v in plain.values()) == total["on_time"].numerator  # type: ignore[attr-defined]
    assert sum(v[4] for v in plain.values()) == total["satisfaction"].numerator  # type: ignore[attr-defined]

    with tempfile.TemporaryDirectory() as folder:
        sql_engine, sql_events = sqlite_copy(engine, SQL_EVENTS, Path(folder) / "figures.db")
        sql_s, sql_report = best(lambda: compute(sql_engine, source="sql"), args.rounds)
        small_fold_s, small = best(lambda: compute(sql_engine), 1)
        assert sql_report == small
        sql_engine.store.close()  # type: ignore[attr-defined]

    rows = [
        ("fold (MemoryStore)", events, fold_s, 1_000_000),
        ("plain Python loop", events, loop_s, None),
        ("SQL on SQLite", sql_events, sql_s, 200_000),
        ("fold over the SQLite store", sql_events, small_fold_s, None),
    ]
    print(f"{'path':<28}{'events':>11}{'seconds':>10}{'events/s':>13}  target")
    for name, count, seconds, target in rows:
        rate = count / seconds
        mark = "" if target is None else f"≥ {target:,}  {'met' if rate >= target else 'MISSED'}"
        print(f"{name:<28}{count:>11,}{seconds:>10.3f}{rate:>13,.0f}  {mark}")
    print(f"fold / plain loop: {loop_s / fold_s:.1f}× faster")
    print(f"SQL / fold over the same SQLite store: {small_fold_s / sql_s:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
