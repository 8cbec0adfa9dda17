"""How fast each store takes moves: MemoryStore vs a SQLite file vs PostgreSQL.

Every store runs the same closed-loop 7-move sequence (file, dispatch, finish, rework, finish,
verify, evaluate) on fresh issues through a real Engine, so each move is the engine's reads
(issue, last event) plus one ``commit`` transaction. The SQL stores commit durably: SQLite in
WAL mode with its default synchronous setting, PostgreSQL with its server defaults.

Rounds are interleaved and each store's best round is reported, so a burst of load from another
process hurts everyone alike. Ratios, not absolute numbers, are the result.

    python bench/store.py                 # default sizes
    python bench/store.py --issues 20     # fewer issues per round for the SQL stores

PostgreSQL is taken from GOVFLOW_BENCH_POSTGRES_URL (default: the local ``test`` database),
in a schema of its own that is dropped afterwards; it is left out, with a note, if unreachable.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, MemoryStore, Store
from govflow.store import SQLStore

OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
WORKER = Actor("grid-7")
INSPECTOR = Actor("insp-1", roles={"inspector"})
RESIDENT = Actor("resident-1")
MOVES_PER_ISSUE = 7
POSTGRES_URL = os.environ.get(
    "GOVFLOW_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def loop(store: Store, issues: int) -> float:
    """Seconds to open ``issues`` issues and move each through the 7-move loop."""
    engine = Engine(
        store=store, clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)), autoload=False
    )
    fire = engine.fire
    started = time.perf_counter()
    for _ in range(issues):
        issue_id = engine.open("closed-loop", reporter=RESIDENT).id
        fire(issue_id, "file", actor=OPERATOR)
        fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": [WORKER.id]})
        fire(issue_id, "finish", actor=WORKER)
        fire(issue_id, "rework", actor=INSPECTOR, payload={"reason": "灯罩未装好"})
        fire(issue_id, "finish", actor=WORKER)
        fire(issue_id, "verify", actor=INSPECTOR)
        fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    return time.perf_counter() - started


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=50, help="issues per round, SQL stores")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--audit-issues", type=int, default=100_000, help="verify/export bench size (0: skip)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, postgres_schema() as pg_url:
        sqlite_store = SQLStore(f"sqlite:///{Path(tmp) / 'bench.db'}")
        contenders: list[tuple[str, Callable[[], Store], int]] = [
            ("MemoryStore", MemoryStore, args.issues * 20),
            ("SQLStore, SQLite file", lambda: sqlite_store, args.issues),
        ]
        pg_store = None if pg_url is None else SQLStore(pg_url)
        if pg_store is not None:
            contenders.append(("SQLStore, PostgreSQL", lambda: pg_store, args.issues))
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, make, issues in contenders:
                seconds = loop(make(), issues)
                rate = issues * MOVES_PER_ISSUE / seconds
                best[name] = max(best.get(name, 0.0), rate)
        sqlite_store.close()
        if pg_store is not None:
            pg_store.close()

    reference = best["MemoryStore"]
    print(f"\n{'store':<24}{'moves/s':>12}{'ms/move':>10}{'vs memory':>12}")
    for name, rate in best.items():
        print(f"{name:<24}{rate:>12,.0f}{1000 / rate:>10.2f}{rate / reference:>12.3f}")
    print(f"\n(best of {args.rounds} rounds; a move = engine checks + 2 reads + 1 commit)")
    if args.audit_issues:
        import audit  # noqa: PLC0415  (bench/audit.py, beside this script)

        print()
        audit.main(["--issues", str(args.audit_issues), "--rounds", str(args.rounds)])


if __name__ == "__main__":
    main()
