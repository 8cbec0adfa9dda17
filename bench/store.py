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
  its issues read ahead (``engine.batch(issues=ids)``);
- 4 threads of one process sharing one store, on SQLite FULL (govflow's group commit puts
  the threads' moves into shared transactions; raw Core commits each move on its own);
- PostgreSQL with 1, 2 and 4 processes, each moving its own issues, and 1 process with 4
  threads (the server shares one WAL flush between concurrent commits; govflow leaves group
  commit off there, where it was measured slower).

Rounds are interleaved and each contender's best round is kept, so a burst of load from another
process hurts everyone alike. Ratios, not absolute numbers, are the result: the machine is
shared.

PostgreSQL's process rows are followed by what this machine allows: for each of 1, 2 and 4
processes, the CPU a committed move costs (the client process's, read with
``time.process_time``; its server backends' and the server's WAL writer, checkpointer and
background writer's, read from ``/proc/<pid>/stat``), one process's wall time a move, and the
speed-up ceiling they set, ``min(N, cores ÷ (CPU per move × 1 process's moves/s))``, printed
beside the measured speed-up; also the cores the machine's other work took meanwhile (from
``/proc/stat``), and the ceiling on the cores it left.

    python bench/store.py                # default sizes (a few minutes), then bench/audit.py
    python bench/store.py --quick        # a smoke run
    python bench/store.py --audit-issues 0   # without the verify/export bench
    python bench/store.py --postgres-scaling # only PostgreSQL's 1, 2, 4 processes and the ceiling

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
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from govflow import Actor, Engine, Event, Issue, ManualClock, MemoryStore
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
    moving = engine.batch(issues=ids if read_ahead else ())
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


# --- where a PostgreSQL move's CPU goes -----------------------------------------------------------

#: What ``/proc/<pid>/stat`` counts CPU time in.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: The server's own processes that work for every committer: the WAL writer, the checkpointer,
#: the background writer, and the postmaster (which forks each new backend).
SERVER_PROCESSES = ("walwriter", "checkpointer", "background writer", "autovacuum launcher")


def process_cpu(pid: int) -> float | None:
    """Seconds of CPU (user + system) process ``pid`` has used, from ``/proc/<pid>/stat``; None
    where it cannot be read (another machine's server, no /proc, the process gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # After the command's closing parenthesis: field 3 (state) onwards; utime and stime are
    # fields 14 and 15.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_of(pids: Sequence[int]) -> dict[int, float]:
    """CPU seconds of each readable process of ``pids``."""
    return {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}


def server_processes() -> list[int]:
    """The local PostgreSQL server's shared processes (see :data:`SERVER_PROCESSES`) and its
    postmaster, found by their titles in /proc; empty where there is no such server here."""
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(f": {name}" in title for name in SERVER_PROCESSES) or (
            "postgres" in title and " -D " in title
        ):
            found.append(int(entry.name))
    return found


def machine_busy() -> float | None:
    """Seconds of CPU the whole machine has spent busy (all cores, everything but idle and
    I/O wait), from /proc/stat; None without it."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def backend_pids(admin: sa.Engine, tag: str) -> list[int]:
    """The server backends of the connections opened with ``application_name`` ``tag``."""
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :tag"),
            {"tag": tag},
        )
        return [int(pid) for (pid,) in rows]


def tagged(url: str, tag: str) -> str:
    """``url`` with ``application_name`` ``tag``, by which the worker's backends are found."""
    return (
        sa.make_url(url)
        .update_query_dict({"application_name": tag})
        .render_as_string(hide_password=False)
    )


@dataclass(frozen=True)
class ProcessesRun:
    """One round of N PostgreSQL client processes, each moving its own issues: the span from
    the first start to the last finish, and the CPU spent in it by the clients, their server
    backends, the server's shared processes, and the machine as a whole (None: not readable)."""

    processes: int
    moves: int
    wall: float
    client_cpu: float
    backend_cpu: float | None
    server_cpu: float | None
    machine_cpu: float | None

    @property
    def rate(self) -> float:
        return self.moves / self.wall

    @property
    def wall_per_move(self) -> float:
        """Seconds one process waits for one of its moves, all told."""
        return self.processes * self.wall / self.moves

    @property
    def cpu_per_move(self) -> float:
        """Seconds of CPU a committed move costs: the client's, its backend's, and its share of
        the server's shared processes."""
        return (self.client_cpu + (self.backend_cpu or 0.0) + (self.server_cpu or 0.0)) / self.moves

    @property
    def cores_used(self) -> float:
        """How many cores the run kept busy: CPU per move × moves per second."""
        return self.cpu_per_move * self.rate

    @property
    def others_cores(self) -> float | None:
        """The cores the machine's other work took during the run."""
        if self.machine_cpu is None:
            return None
        return max(0.0, self.machine_cpu / self.wall - self.cores_used)


def scaling_ceiling(
    processes: int, cores: float, cpu_per_move: float, one_process_rate: float
) -> float:
    """The most ``processes`` processes can speed up committed moves over one process, on
    ``cores`` cores: each move costs ``cpu_per_move`` seconds of CPU wherever it runs (client,
    server backend, WAL writer), so no number of processes commits more than
    ``cores / cpu_per_move`` moves a second, and N processes that each wait as long for a move
    as one alone make at most N times one's rate, ``one_process_rate``."""
    if cpu_per_move <= 0 or one_process_rate <= 0:
        return float(processes)
    return min(float(processes), cores / (cpu_per_move * one_process_rate))


def _pg_worker(
    job: tuple[str, str, str, int], ready: Any, go: Any, results: Any, done: Any
) -> None:
    """One process of a PostgreSQL run: prepare untimed, wait for the start, report the span
    and the CPU this process spent in it, and keep its connections (so their server backends)
    until the parent has read the backends' CPU (``done``)."""
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
    cpu = time.process_time()
    started = time.perf_counter()
    work()
    finished = time.perf_counter()
    results.put((started, finished, issues * MOVES_PER_ISSUE, time.process_time() - cpu))
    done.wait()


def postgres_processes(kind: str, url: str, processes: int, issues: int) -> ProcessesRun:
    """``processes`` processes, each moving its own ``issues`` issues, with the CPU they cost."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    go, done = context.Event(), context.Event()
    round_id = uuid.uuid4().hex[:6]
    tag = f"govflow-bench-{round_id}"
    jobs = [(kind, tagged(url, tag), f"{kind[0]}{round_id}p{n}", issues) for n in range(processes)]
    workers = [
        context.Process(target=_pg_worker, args=(job, ready, go, results, done)) for job in jobs
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=120)
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        backends = backend_pids(admin, tag)
        shared = server_processes()
        before = cpu_of([*backends, *shared])
        machine_before = machine_busy()
        go.set()
        spans = [results.get(timeout=600) for _ in workers]
        machine_after = machine_busy()
        # Backends opened during the run (a pool growing) count from their start. A worker
        # that finished keeps its connections until this is read: a backend that ended
        # would take its CPU with it.
        backends = sorted({*backends, *backend_pids(admin, tag)})
        after = cpu_of([*backends, *shared])
    finally:
        done.set()
        admin.dispose()
    for worker in workers:
        worker.join()
    if len(backends) < processes:
        # Each worker holds at least one connection: fewer backends means some went unread.
        print(f"({kind}, {processes} processes: only {len(backends)} server backends found)")

    def spent(pids: Sequence[int]) -> float | None:
        readable = [pid for pid in pids if pid in after]
        if not readable:
            return None
        return sum(after[pid] - before.get(pid, 0.0) for pid in readable)

    return ProcessesRun(
        processes=processes,
        moves=sum(span[2] for span in spans),
        wall=max(span[1] for span in spans) - min(span[0] for span in spans),
        client_cpu=sum(span[3] for span in spans),
        backend_cpu=spent(backends),
        server_cpu=spent(shared),
        machine_cpu=(
            None
            if machine_before is None or machine_after is None
            else machine_after - machine_before
        ),
    )


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
PG_PROCESSES = (1, 2, 4)
KINDS = ("govflow", "raw Core")
#: The batched modes' second peer: raw Core writing every move's own rows (see raw_batch_by_move).
BY_MOVE = "raw Core, move by move"
#: govflow's batch with its issues read ahead (``engine.batch(issues=ids)``).
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
                f"  {mode}, govflow with its issues read ahead (engine.batch(issues=ids)): "
                f"{ahead:,.0f}/s, ÷ raw Core {ahead / rates['raw Core']:.2f}, "
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


def _ms(seconds: float | None, moves: int) -> str:
    return "--" if seconds is None else f"{seconds / moves * 1000:.2f}"


#: The scaling table's columns: heading and width.
_SCALING_COLUMNS = (
    ("", 9),
    ("N", 2),
    ("moves/s", 9),
    ("wall", 7),
    ("client", 8),
    ("backend", 9),
    ("server", 8),
    ("CPU", 7),
    ("cores used", 12),
    ("others", 8),
    ("÷ 1 proc", 10),
    ("ceiling", 9),
    ("÷ ceiling", 11),
    ("left", 6),
    ("ceiling", 9),
    ("÷ it", 7),
)


def _scaling_row(kind: str, run: ProcessesRun, one: ProcessesRun, cores: int) -> list[str]:
    measured = run.rate / one.rate
    ceiling = scaling_ceiling(run.processes, cores, run.cpu_per_move, one.rate)
    others = run.others_cores
    if others is None:
        left = ["--", "--", "--"]
    else:
        free = max(0.0, cores - others)
        ceiling_left = scaling_ceiling(run.processes, free, run.cpu_per_move, one.rate)
        left = [
            f"{free:.2f}",
            f"{ceiling_left:.2f}×",
            f"{measured / ceiling_left:.2f}" if ceiling_left else "--",
        ]
    return [
        kind,
        str(run.processes),
        f"{run.rate:,.0f}",
        _ms(run.wall_per_move * run.moves, run.moves),
        _ms(run.client_cpu, run.moves),
        _ms(run.backend_cpu, run.moves),
        _ms(run.server_cpu, run.moves),
        _ms(run.cpu_per_move * run.moves, run.moves),
        f"{run.cores_used:.2f}",
        "--" if others is None else f"{others:.2f}",
        f"{measured:.2f}×",
        f"{ceiling:.2f}×",
        f"{measured / ceiling:.2f}",
        *left,
    ]


def report_scaling(runs: dict[tuple[str, int], ProcessesRun], cores: int) -> None:
    """What this machine allows: each PostgreSQL process count's measured speed-up over one
    process beside the ceiling its CPU per move sets (:func:`scaling_ceiling`)."""
    loads = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    print(
        f"\nPostgreSQL processes: what this machine allows ({cores} cores, load average {loads})"
        "\nper move, in ms: wall = one process's wait for one of its moves; CPU = client +"
        " its server backend + the server's shared processes (WAL writer, checkpointer, ...)"
        "\nceiling = min(N, cores ÷ (CPU per move × 1 process's moves/s)); 'left': the cores"
        " the machine's other work left free during the run, and the ceiling on those"
    )
    widths = [width for _, width in _SCALING_COLUMNS]

    def line(cells: Sequence[str]) -> str:
        return cells[0].ljust(widths[0]) + "".join(
            cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)
        )

    print(line([heading for heading, _ in _SCALING_COLUMNS]))
    for kind in KINDS:
        one = runs.get((kind, 1))
        for processes in PG_PROCESSES:
            run = runs.get((kind, processes))
            if one is not None and run is not None:
                print(line(_scaling_row(kind, run, one, cores)))
    if any(run.backend_cpu is None for run in runs.values()):
        print("(--: the server's processes cannot be read from here: the CPU is the clients' only)")


class Results:
    """Each contender's best round: rates by mode and kind, PostgreSQL's process runs whole."""

    def __init__(self) -> None:
        self.best: dict[str, dict[str, float]] = {}
        self.pg_runs: dict[tuple[str, int], ProcessesRun] = {}
        self.engine_alone = 0.0

    def keep(self, mode: str, kind: str, rate: float) -> None:
        slot = self.best.setdefault(mode, {})
        slot[kind] = max(slot.get(kind, 0.0), rate)

    def keep_run(self, kind: str, run: ProcessesRun) -> None:
        noun = "process" if run.processes == 1 else "processes"
        self.keep(f"PostgreSQL, {run.processes} {noun}", kind, run.rate)
        kept = self.pg_runs.get((kind, run.processes))
        if kept is None or run.rate > kept.rate:
            self.pg_runs[kind, run.processes] = run


def sqlite_round(results: Results, directory: Path, size: Callable[[int], int]) -> None:
    """One round of the SQLite modes and the engine alone."""
    # Interleaved: each mode runs govflow then raw Core back to back, so that a burst of load
    # from the machine's other work falls on both alike.
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
            results.keep(f"SQLite WAL {synchronous}, {how}", kind, rate)
    results.engine_alone = max(results.engine_alone, in_memory(size(1000)))
    for kind in KINDS:
        url = f"sqlite:///{directory / f'threads-{uuid.uuid4().hex[:6]}.db'}"
        rate = threaded(kind, url, 4, size(10), "FULL")
        results.keep("SQLite WAL FULL, 1 process × 4 threads (group commit)", kind, rate)


def postgres_round(
    results: Results, url: str, size: Callable[[int], int], pg_issues: int, *, all_modes: bool
) -> None:
    """One round of PostgreSQL: 1, 2 and 4 processes, then (``all_modes``) threads and a batch."""
    for processes in PG_PROCESSES:
        for kind in KINDS:
            results.keep_run(kind, postgres_processes(kind, url, processes, size(pg_issues)))
    if not all_modes:
        return
    for kind in KINDS:
        results.keep(
            "PostgreSQL, 1 process × 4 threads", kind, threaded(kind, url, 4, size(30), None)
        )
    for kind in (*KINDS, BY_MOVE, AHEAD):
        results.keep("PostgreSQL, batched", kind, postgres_batch(kind, url, size(300)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres-scaling",
        action="store_true",
        help="only PostgreSQL with 1, 2 and 4 processes, and what this machine allows",
    )
    parser.add_argument(
        "--pg-issues", type=int, default=60, help="issues each PostgreSQL process moves (×7)"
    )
    parser.add_argument(
        "--audit-issues", type=int, default=100_000, help="verify/export bench size (0: skip)"
    )
    args = parser.parse_args(argv)
    scale = 0.2 if args.quick else 1.0
    rounds = 1 if args.quick else args.rounds

    def size(n: int) -> int:
        return max(2, int(n * scale))

    results = Results()
    with tempfile.TemporaryDirectory() as tmp, postgres_schema() as pg_url:
        if pg_url is not None and not args.no_postgres:
            with SQLStore(pg_url):  # create the tables once, before processes race to
                pass
        for _ in range(rounds):
            if not args.postgres_scaling:
                sqlite_round(results, Path(tmp), size)
            if pg_url is not None and not args.no_postgres:
                all_modes = not args.postgres_scaling
                postgres_round(results, pg_url, size, args.pg_issues, all_modes=all_modes)

    if not args.postgres_scaling:
        report(results.best, results.engine_alone)
    if results.pg_runs:
        report_scaling(results.pg_runs, os.cpu_count() or 1)
    print(
        f"\n(best of {rounds} rounds; a govflow move = engine checks + 1 read + its share of a "
        "commit; load average at the end: "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
        + f", on {os.cpu_count()} cores)"
    )
    if args.audit_issues and not args.postgres_scaling:
        import audit  # noqa: PLC0415  (bench/audit.py, beside this script)

        print()
        audit.main(["--issues", str(args.audit_issues), "--rounds", str(rounds)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
