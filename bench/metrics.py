"""How fast the figures come: the in-memory fold, a plain Python loop, SQL on SQLite.

A district's log is made through a real Engine (the closed loop: open, file, dispatch,
finish, verify, evaluate, and for one issue in five a clock move that puts it under
supervision before it is finished), 1,000,000 events by default. The same figures (办结率,
按期办结率, 满意率, by location) are computed in the same run by:

* **fold, cold** -- :func:`govflow.metrics.compute` on the MemoryStore, every built-in metric,
  with nothing remembered from an earlier report (what a first report costs);
* **fold, warm** -- the same report asked for again, nothing having moved (a dashboard
  refreshing: each issue's mask is remembered by the hash of its latest event);
* **plain loop** -- the obvious Python loop over the same store's events (``store.events``),
  computing just those three figures, as a caller without govflow.metrics would;
* **SQL** -- ``compute(..., source="sql")`` on a SQLite file holding the whole district
  (``--sql-events`` to copy fewer), the aggregation running in the database;
* **fold over SQLite** -- the generic fold reading a 48,000-event SQLite store's events back
  into Python, beside SQL over that same store.

Targets (issues 10 and 14): fold ≥ 1,000,000 events/s over 1M events; SQL ≥ 200,000 events/s
over a big store. Rates are printed by wall time and by this process's CPU time: on a machine
shared with other work the wall rate moves with the load (``uptime`` is printed), the CPU rate
and the ratios much less.

    python bench/metrics.py                   # 1,000,000 events
    python bench/metrics.py --events 100000   # a quicker look
    python bench/metrics.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, MemoryStore
from govflow.metrics import _memory, compute
from govflow.store import SQLStore

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
    """The first issues of ``engine`` up to ``events`` events, copied into a SQLite file."""
    store = SQLStore(f"sqlite:///{path}")
    records, copied = [], 0
    for issue in engine.issues():
        if copied >= events:
            break
        records.append((issue, engine.store.events(issue.id)))
        copied += issue.version + 1
    store.add_records(records)
    return Engine(clock=engine.clock, autoload=False, store=store), copied


def best(
    work: Callable[[], object], rounds: int, before: Callable[[], None] | None = None
) -> tuple[float, float, object]:
    """The best wall and CPU seconds of ``rounds`` runs of ``work`` (``before`` each, untimed)."""
    walls, cpus, result = [], [], None
    for _ in range(rounds):
        if before is not None:
            before()
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - started)
    return min(walls), min(cpus), result


def forget() -> None:
    """Drop the masks remembered from earlier reports: the next fold starts cold."""
    _memory._REMEMBERED.clear()


def on_postgres(
    engine: Engine, events: int, report: object, url: str, rounds: int
) -> tuple[float, int]:
    """Wall seconds of the SQL aggregation of the whole district, copied into a scratch
    schema on PostgreSQL."""
    schema = f"govflow_bench_{os.getpid()}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    store = SQLStore(scoped.render_as_string(hide_password=False))
    try:
        store.add_records((issue, engine.store.events(issue.id)) for issue in engine.issues())
        durable = Engine(clock=engine.clock, autoload=False, store=store)
        wall, _, counted = best(lambda: compute(durable, source="sql"), rounds)
        assert counted == report
    finally:
        store.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
    return wall, events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sql-events", type=int, default=None, help="default: all of them")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also aggregate on PostgreSQL (a scratch schema there, dropped after)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    engine = district(args.events)
    events = count_events(engine)
    print(f"built {events:,} events in {time.perf_counter() - started:.1f} s")

    cold_s, cold_cpu, report = best(lambda: compute(engine), args.rounds, forget)
    warm_s, warm_cpu, warm = best(lambda: compute(engine), args.rounds)
    assert warm == report
    loop_s, loop_cpu, plain = best(lambda: plain_loop(engine), max(1, args.rounds - 1))
    total = report.total  # type: ignore[attr-defined]
    assert sum(v[1] for v in plain.values()) == total["completion"].numerator  # type: ignore[attr-defined]
    assert sum(v[2] for v in plain.values()) == total["on_time"].numerator  # type: ignore[attr-defined]
    assert sum(v[4] for v in plain.values()) == total["satisfaction"].numerator  # type: ignore[attr-defined]

    with tempfile.TemporaryDirectory() as folder:
        wanted = args.sql_events or events
        big, sql_events = sqlite_copy(engine, wanted, Path(folder) / "district.db")
        sql_s, sql_cpu, sql_report = best(lambda: compute(big, source="sql"), args.rounds)
        if sql_events == events:
            assert sql_report == report  # the database counts what the fold counts
        big.store.close()  # type: ignore[attr-defined]
        small, small_events = sqlite_copy(engine, SQL_EVENTS, Path(folder) / "sample.db")
        small_sql_s, small_sql_cpu, small_sql = best(
            lambda: compute(small, source="sql"), args.rounds
        )
        generic_s, generic_cpu, generic = best(lambda: compute(small), 1)
        assert small_sql == generic
        small.store.close()  # type: ignore[attr-defined]

    postgres: list[tuple[str, int, float, float | None, int | None]] = []
    if args.postgres:  # the work is the server's: this process's CPU time says nothing
        pg_s, pg_events = on_postgres(engine, events, report, args.postgres, args.rounds)
        postgres.append(("SQL on PostgreSQL", pg_events, pg_s, None, 200_000))
    rows = [
        ("fold, cold (MemoryStore)", events, cold_s, cold_cpu, 1_000_000),
        ("fold, warm (remembered)", events, warm_s, warm_cpu, None),
        ("plain Python loop", events, loop_s, loop_cpu, None),
        ("SQL on SQLite", sql_events, sql_s, sql_cpu, 200_000),
        ("SQL on SQLite, sample", small_events, small_sql_s, small_sql_cpu, None),
        ("fold over the SQLite sample", small_events, generic_s, generic_cpu, None),
        *postgres,
    ]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    header = f"{'path':<30}{'events':>11}{'wall s':>9}{'events/s':>12}{'CPU s':>8}{'/CPU s':>12}"
    print(header + "  target (wall / CPU)")
    for name, count, seconds, cpu, target in rows:
        rate = count / seconds
        cpu_rate = None if cpu is None else count / cpu
        mark = ""
        if target is not None:
            verdicts = ["met" if r >= target else "MISSED" for r in (rate, cpu_rate) if r]
            mark = f"  ≥ {target:,}: {' / '.join(verdicts)}"
        cpu_text = f"{'(server)':>20}" if cpu_rate is None else f"{cpu:>8.3f}{cpu_rate:>12,.0f}"
        print(f"{name:<30}{count:>11,}{seconds:>9.3f}{rate:>12,.0f}{cpu_text}{mark}")
    print(f"cold fold / plain loop: {loop_s / cold_s:.1f}× faster (CPU {loop_cpu / cold_cpu:.1f}×)")
    print(f"cold fold / SQL on SQLite, per event: {(sql_s / sql_events) / (cold_s / events):.1f}×")
    print(f"SQL / fold over the same SQLite sample: {generic_s / small_sql_s:.1f}× faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
