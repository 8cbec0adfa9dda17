"""Committed moves per second on SQLite and PostgreSQL, beside raw SQLAlchemy Core.

Every govflow contender moves pre-opened issues through the closed loop's 7 moves (file,
dispatch, finish, rework, finish, verify, evaluate) through a real Engine on a SQLStore: each
move is the engine's checks, one read of the issue and one durable commit (or, batched, one
commit for the whole batch). Beside each runs **raw SQLAlchemy Core doing the same writes**:
the same version-checked UPDATE of the issue row, INSERT of the event row and INSERT of its
entry in the store-wide log (``govflow_log``), with the very values govflow wrote (encoded
beforehand, outside the timing), one transaction a move (or one for the batch), on the same
database with the same durability settings. govflow ÷ raw Core is the price of the engine:
checks, the read, hashing and encoding. Beside them, the engine alone on a MemoryStore: the
ceiling of a batch.

Modes:

- SQLite file in WAL mode, ``synchronous=NORMAL`` (govflow's default) and ``FULL``, one commit
  a move and batched (``Engine.batch()``, which writes each issue's row once, at its last
  state; raw Core writes the same rows in one transaction: the issues' UPDATEs, the events'
  and the log entries' INSERTs, one ``executemany`` each); printed beside the batched modes:
  raw Core writing every move's own rows one statement at a time, and govflow's batch with
  its issues read ahead (``govflow.batch.batch(engine, issues=ids)``);
- 4 threads of one process sharing one store, on SQLite FULL (govflow's group commit puts
  the threads' moves into shared transactions; raw Core commits each move on its own);
- PostgreSQL with 1, 2 and 4 processes, each moving its own issues, and 1 process with 4
  threads (the server shares one WAL flush between concurrent commits; govflow leaves group
  commit off there, where it was measured slower).

Rounds are interleaved and each contender's best round is kept, so a burst of load from another
process hurts everyone alike. Ratios, not absolute numbers, are the result: the machine is
shared.

    python bench/store.py                # default sizes (a few minutes), then bench/audit.py
    python bench/store.py --quick        # a smoke run
    python bench/store.py --audit-issues 0   # without the verify/export bench

PostgreSQL is taken from GOVFLOW_BENCH_POSTGRES_URL (default: the local ``test`` database),
in a schema of its own that is dropped afterwards; it is left out, with a note, if unreachable.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from govflow import Actor, Engine, Event, Issue, ManualClock, MemoryStore
from govflow.batch import batch
from govflow.store import SQLStore
from govflow.store import sql as govflow_sql

OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
WORKER = Actor("grid-7")
INSPECTOR = Actor("insp-1", roles={"inspector"})
RESIDENT = Actor("resident-1")
MOVES_PER_ISSUE = 7
START = datetime(2024, 3, 1, tzinfo=UTC)
POSTGRES_URL = os.environ.get(
    "GOVFLOW_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# --- the workload -------------------------------------------------------------------------------


def new_engine(store: Any) -> Engine:
    return Engine(store=store, clock=ManualClock(START), autoload=False)


def loop(engine: Engine, issue_ids: Sequence[str]) -> None:
    """The 7 moves of the closed loop on each issue."""
    fire = engine.fire
    for issue_id in issue_ids:
        fire(issue_id, "file", actor=OPERATOR)
        fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": [WORKER.id]})
        fire(issue_id, "finish", actor=WORKER)
        fire(issue_id, "rework", actor=INSPECTOR, payload={"reason": "灯罩未装好"})
        fire(issue_id, "finish", actor=WORKER)
        fire(issue_id, "verify", actor=INSPECTOR)
        fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})


def open_issues(engine: Engine, prefix: str, count: int) -> list[str]:
    """Open ``count`` issues (untimed), in one batch."""
    with engine.batch() as batch:
        return [
            batch.open("closed-loop", reporter=RESIDENT, issue_id=f"{prefix}-{n}").id
            for n in range(count)
        ]


#: One move as raw Core writes it: the UPDATE statement, its parameters, the event's row, the
#: log entry's row.
Row = tuple[sa.Update, dict[str, Any], dict[str, Any], dict[str, Any]]


class Recorded:
    """The rows govflow writes for ``count`` issues, encoded once: what raw Core replays."""

    def __init__(self, prefix: str, count: int) -> None:
        store = MemoryStore()
        engine = new_engine(store)
        ids = [
            engine.open("closed-loop", reporter=RESIDENT, issue_id=f"{prefix}-{n}").id
            for n in range(count)
        ]
        opened = [(store.get(issue_id), store.events(issue_id)[0]) for issue_id in ids]
        loop(engine, ids)
        self.opened = [
            (govflow_sql._issue_values(issue), govflow_sql._event_values(event))
            for issue, event in opened
        ]
        self.opened_log = [_log_row(event) for _, event in opened]
        self.moves: list[Row] = []
        #: What a batch writes: each issue's row once, at its last state, version-checked
        #: against the version the batch read (0: the issues are pre-opened), with every
        #: column (govflow's batch writes them all); then every event and log entry.
        self.batch_updates = [
            govflow_sql._ALL_COLUMNS.params(store.get(issue_id), 0) for issue_id in ids
        ]
        for issue_id in ids:
            events = store.events(issue_id)
            for event in events[1:]:
                statements = govflow_sql._statements_for(event)  # what govflow's UPDATE sets
                self.moves.append(
                    (
                        statements.update,
                        statements.params(_issue_at(events, event), event.sequence - 1),
                        govflow_sql._event_values(event),
                        _log_row(event),
                    )
                )


def _log_row(event: Event) -> dict[str, Any]:
    return {"issue_id": event.issue_id, "sequence": event.sequence, "hash": event.hash}


def _issue_at(events: Sequence[Event], event: Event) -> Issue:
    from govflow.audit import replay  # noqa: PLC0415

    return replay(events[: event.sequence + 1])


# --- raw SQLAlchemy Core ------------------------------------------------------------------------

INSERT_EVENT = govflow_sql._INSERT_EVENT
INSERT_LOG = govflow_sql._INSERT_LOG


def raw_engine(url: str, synchronous: str | None) -> sa.Engine:
    engine = sa.create_engine(url)
    if synchronous is not None:

        @sa.event.listens_for(engine, "connect")
        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
            cursor.close()

    return engine


def raw_prepare(engine: sa.Engine, recorded: Recorded, *, create: bool = True) -> None:
    if create:
        govflow_sql.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(govflow_sql._INSERT_ISSUE, [issue for issue, _ in recorded.opened])
        conn.execute(INSERT_EVENT, [event for _, event in recorded.opened])
        conn.execute(INSERT_LOG, recorded.opened_log)


def _raw_move(conn: sa.Connection, move: Row) -> None:
    update, params, event, logged = move
    if conn.execute(update, params).rowcount != 1:
        raise RuntimeError("raw Core lost a race it should not have run")
    conn.execute(INSERT_EVENT, event)
    conn.execute(INSERT_LOG, logged)


def raw_moves(engine: sa.Engine, moves: Sequence[Row]) -> None:
    for move in moves:
        with engine.begin() as conn:
            _raw_move(conn, move)


def raw_batch_by_move(engine: sa.Engine, moves: Sequence[Row]) -> None:
    """Every move's own UPDATE and INSERTs, one statement at a time, in one transaction: the
    batched peer before govflow's batch wrote each issue's row once (printed beside it)."""
    with engine.begin() as conn:
        for move in moves:
            _raw_move(conn, move)


def raw_batch(engine: sa.Engine, recorded: Recorded) -> None:
    """The rows govflow's batch writes, in one transaction, one ``executemany`` a statement
    (Core's way with many rows): each issue's UPDATE once, then the events and log entries."""
    updates = recorded.batch_updates
    with engine.begin() as conn:
        if conn.execute(govflow_sql._ALL_COLUMNS.update, updates).rowcount != len(updates):
            raise RuntimeError("raw Core lost a race it should not have run")
        conn.execute(INSERT_EVENT, [event for _, _, event, _ in recorded.moves])
        conn.execute(INSERT_LOG, [logged for _, _, _, logged in recorded.moves])


# --- one measurement each -----------------------------------------------------------------------


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def batched_loop(engine: Engine, ids: Sequence[str], *, read_ahead: bool = False) -> None:
    """The loop in one batch: ``Engine.batch()``, or with the issues read ahead."""
    moving = batch(engine, issues=ids) if read_ahead else engine.batch()
    with moving as view:
        loop(view, ids)


def sqlite_govflow(
    directory: Path, synchronous: str, issues: int, *, batched: bool, read_ahead: bool = False
) -> float:
    url = f"sqlite:///{directory / f'govflow-{uuid.uuid4().hex[:6]}.db'}"
    with SQLStore(url, synchronous=synchronous) as store:
        engine = new_engine(store)
        ids = open_issues(engine, "s", issues)
        if batched:
            work = partial(batched_loop, engine, ids, read_ahead=read_ahead)

            return issues * MOVES_PER_ISSUE / timed(work)
        return issues * MOVES_PER_ISSUE / timed(partial(loop, engine, ids))


def in_memory(issues: int) -> float:
    """Moves/s of the engine alone, on a MemoryStore: the most a batch could reach, since a
    batch adds its reads and writes to the engine's work on every move."""
    engine = new_engine(MemoryStore())
    ids = open_issues(engine, "m", issues)
    return issues * MOVES_PER_ISSUE / timed(partial(loop, engine, ids))


def sqlite_raw(
    directory: Path, synchronous: str, issues: int, *, batched: bool, by_move: bool = False
) -> float:
    recorded = Recorded("s", issues)
    engine = raw_engine(f"sqlite:///{directory / f'raw-{uuid.uuid4().hex[:6]}.db'}", synchronous)
    try:
        raw_prepare(engine, recorded)
        if not batched:
            work = partial(raw_moves, engine, recorded.moves)
        elif by_move:
            work = partial(raw_batch_by_move, engine, recorded.moves)
        else:
            work = partial(raw_batch, engine, recorded)
        return len(recorded.moves) / timed(work)
    finally:
        engine.dispose()


def _pg_worker(job: tuple[str, str, str, int], ready: Any, go: Any, results: Any) -> None:
    """One process of a PostgreSQL run: prepare untimed, wait for the start, report the span."""
    kind, url, prefix, issues = job
    if kind == "govflow":
        store = SQLStore(url)
        engine = new_engine(store)
        ids = open_issues(engine, prefix, issues)
        work: Callable[[], None] = partial(loop, engine, ids)
    else:
        recorded = Recorded(prefix, issues)
        raw = raw_engine(url, None)
        raw_prepare(raw, recorded, create=False)
        work = partial(raw_moves, raw, recorded.moves)
    ready.put(prefix)
    go.wait()
    started = time.perf_counter()
    work()
    results.put((started, time.perf_counter(), issues * MOVES_PER_ISSUE))


def postgres_processes(kind: str, url: str, processes: int, issues: int) -> float:
    """Moves/s of ``processes`` processes, each moving its own ``issues`` issues."""
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    round_id = uuid.uuid4().hex[:6]
    workers = [
        context.Process(
            target=_pg_worker,
            args=((kind, url, f"{kind[0]}{round_id}p{n}", issues), ready, go, results),
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=120)
    go.set()
    spans = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    moves = sum(span[2] for span in spans)
    return moves / (max(span[1] for span in spans) - min(span[0] for span in spans))


def threaded(kind: str, url: str, threads: int, issues: int, synchronous: str | None) -> float:
    """Moves/s of ``threads`` threads of one process, each moving its own issues: govflow's
    store as it comes (group commit on SQLite, each thread's own commits on PostgreSQL)."""
    prefix = f"{kind[0]}{uuid.uuid4().hex[:6]}t"
    works: list[Callable[[], None]] = []
    closers: list[Callable[[], None]] = []
    if kind == "govflow":
        store = SQLStore(url, synchronous=synchronous or "NORMAL")
        closers.append(store.close)
        engine = new_engine(store)
        works.extend(
            partial(loop, engine, open_issues(engine, f"{prefix}{n}", issues))
            for n in range(threads)
        )
    else:
        raw = raw_engine(url, synchronous)
        closers.append(raw.dispose)
        govflow_sql.metadata.create_all(raw)
        for n in range(threads):
            recorded = Recorded(f"{prefix}{n}", issues)
            raw_prepare(raw, recorded, create=False)
            works.append(partial(raw_moves, raw, recorded.moves))
    running = [threading.Thread(target=work) for work in works]
    started = time.perf_counter()
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    seconds = time.perf_counter() - started
    for close in closers:
        close()
    return threads * issues * MOVES_PER_ISSUE / seconds


def postgres_batch(kind: str, url: str, issues: int) -> float:
    prefix = f"{kind[0]}{uuid.uuid4().hex[:6]}b"
    if kind in ("govflow", AHEAD):
        with SQLStore(url) as store:
            engine = new_engine(store)
            ids = open_issues(engine, prefix, issues)
            work = partial(batched_loop, engine, ids, read_ahead=kind == AHEAD)
            return issues * MOVES_PER_ISSUE / timed(work)
    recorded = Recorded(prefix, issues)
    raw = raw_engine(url, None)
    try:
        raw_prepare(raw, recorded, create=False)
        if kind == BY_MOVE:
            return len(recorded.moves) / timed(partial(raw_batch_by_move, raw, recorded.moves))
        return len(recorded.moves) / timed(partial(raw_batch, raw, recorded))
    finally:
        raw.dispose()


@contextmanager
def postgres_schema() -> Iterator[str | None]:
    """A URL on a fresh PostgreSQL schema (dropped afterwards), or None if unreachable."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    schema = f"govflow_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as err:
        print(f"PostgreSQL left out: {POSTGRES_URL} unreachable ({err.orig})")
        admin.dispose()
        yield None
        return
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- the table ----------------------------------------------------------------------------------

#: SQLite's modes: synchronous, batched, issues a round (FULL costs a flush a commit).
SQLITE_MODES = (
    ("NORMAL", False, 200),
    ("FULL", False, 20),
    ("NORMAL", True, 1000),
    ("FULL", True, 1000),
)

#: mode -> (govflow's floor in moves/s or None, the least govflow ÷ raw Core)
TARGETS: dict[str, tuple[float | None, float]] = {
    "SQLite WAL NORMAL, one commit a move": (2_000, 0.7),
    "SQLite WAL FULL, one commit a move": (None, 0.7),
    "SQLite WAL NORMAL, batched": (20_000, 0.7),
    "SQLite WAL FULL, batched": (20_000, 0.7),
    "PostgreSQL, 1 process": (None, 0.7),
    "PostgreSQL, 2 processes": (None, 0.7),
    "PostgreSQL, 4 processes": (None, 0.7),
    "SQLite WAL FULL, 1 process × 4 threads (group commit)": (None, 0.7),
    "PostgreSQL, 1 process × 4 threads": (None, 0.7),
    "PostgreSQL, batched": (None, 0.7),
}
PG_SCALING_TARGET = 3.5  # 4 processes ÷ 1 process
KINDS = ("govflow", "raw Core")
#: The batched modes' second peer: raw Core writing every move's own rows (see raw_batch_by_move).
BY_MOVE = "raw Core, move by move"
#: govflow's batch with its issues read ahead (``govflow.batch.batch(engine, issues=ids)``).
AHEAD = "govflow, issues read ahead"


def report(best: dict[str, dict[str, float]], engine_alone: float) -> None:
    """The table: each mode's best rates, govflow ÷ raw Core, the targets, whether met."""
    print(f"\n{'mode':<52}{'govflow/s':>11}{'raw Core/s':>12}{'÷ raw':>8}  target  met")
    for mode, rates in best.items():
        floor, ratio_target = TARGETS[mode]
        ours, raw = rates["govflow"], rates["raw Core"]
        ratio = ours / raw
        met = ratio >= ratio_target and (floor is None or ours >= floor)
        target = f"≥ {ratio_target}× raw" + ("" if floor is None else f", ≥ {floor:,.0f}/s")
        verdict = "yes" if met else "NO"
        print(f"{mode:<52}{ours:>11,.0f}{raw:>12,.0f}{ratio:>8.2f}  {target}  {verdict}")
    for mode, rates in best.items():
        if BY_MOVE in rates:
            by_move = rates[BY_MOVE]
            ratio = rates["govflow"] / by_move
            print(
                f"  {mode}, beside raw Core writing every move's own UPDATE and INSERTs one "
                f"statement at a time: {by_move:,.0f}/s, govflow ÷ it {ratio:.2f}"
            )
        if AHEAD in rates:
            ahead = rates[AHEAD]
            print(
                f"  {mode}, govflow with its issues read ahead (govflow.batch.batch(engine, "
                f"issues=ids)): {ahead:,.0f}/s, ÷ raw Core {ahead / rates['raw Core']:.2f}, "
                f"÷ move by move {ahead / rates[BY_MOVE]:.2f}"
            )
    print(
        f"the engine alone, on a MemoryStore: {engine_alone:,.0f} moves/s "
        "(what a batch cannot exceed: it adds reads and writes to every move)"
    )
    if "PostgreSQL, 4 processes" in best:
        for kind in ("govflow", "raw Core"):
            scaling = best["PostgreSQL, 4 processes"][kind] / best["PostgreSQL, 1 process"][kind]
            verdict = "yes" if scaling >= PG_SCALING_TARGET else "NO"
            target = f"  (target ≥ {PG_SCALING_TARGET}×: {verdict})" if kind == "govflow" else ""
            print(f"PostgreSQL 4 processes ÷ 1 process, {kind}: {scaling:.2f}×{target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--audit-issues", type=int, default=100_000, help="verify/export bench size (0: skip)"
    )
    args = parser.parse_args(argv)
    scale = 0.2 if args.quick else 1.0
    rounds = 1 if args.quick else args.rounds

    def size(n: int) -> int:
        return max(2, int(n * scale))

    best: dict[str, dict[str, float]] = {}
    engine_alone = 0.0

    def keep(mode: str, kind: str, rate: float) -> None:
        slot = best.setdefault(mode, {})
        slot[kind] = max(slot.get(kind, 0.0), rate)

    with tempfile.TemporaryDirectory() as tmp, postgres_schema() as pg_url:
        directory = Path(tmp)
        if pg_url is not None and not args.no_postgres:
            with SQLStore(pg_url):  # create the tables once, before processes race to
                pass
        for _ in range(rounds):
            # Interleaved: each mode runs govflow then raw Core back to back, so that a burst
            # of load from the machine's other work falls on both alike.
            for synchronous, batched, issues in SQLITE_MODES:
                how = "batched" if batched else "one commit a move"
                contenders: list[tuple[str, Callable[..., float]]] = [
                    ("govflow", sqlite_govflow),
                    ("raw Core", sqlite_raw),
                ]
                if batched:
                    contenders.append((BY_MOVE, partial(sqlite_raw, by_move=True)))
                    contenders.append((AHEAD, partial(sqlite_govflow, read_ahead=True)))
                for kind, run in contenders:
                    rate = run(directory, synchronous, size(issues), batched=batched)
                    keep(f"SQLite WAL {synchronous}, {how}", kind, rate)
            engine_alone = max(engine_alone, in_memory(size(1000)))
            for kind in KINDS:
                url = f"sqlite:///{directory / f'threads-{uuid.uuid4().hex[:6]}.db'}"
                rate = threaded(kind, url, 4, size(10), "FULL")
                keep("SQLite WAL FULL, 1 process × 4 threads (group commit)", kind, rate)
            if pg_url is None or args.no_postgres:
                continue
            for processes in (1, 2, 4):
                noun = "process" if processes == 1 else "processes"
                for kind in KINDS:
                    rate = postgres_processes(kind, pg_url, processes, size(30))
                    keep(f"PostgreSQL, {processes} {noun}", kind, rate)
            for kind in KINDS:
                rate = threaded(kind, pg_url, 4, size(30), None)
                keep("PostgreSQL, 1 process × 4 threads", kind, rate)
            for kind in (*KINDS, BY_MOVE, AHEAD):
                keep("PostgreSQL, batched", kind, postgres_batch(kind, pg_url, size(300)))

    report(best, engine_alone)
    print(
        f"\n(best of {rounds} rounds; a govflow move = engine checks + 1 read + its share of a "
        "commit; load average at the end: "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
        + f", on {os.cpu_count()} cores)"
    )
    if args.audit_issues:
        import audit  # noqa: PLC0415  (bench/audit.py, beside this script)

        print()
        audit.main(["--issues", str(args.audit_issues), "--rounds", str(rounds)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
