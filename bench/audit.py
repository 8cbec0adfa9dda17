"""How fast the audit log is checked and carried: verify, export, and the log's cost per move.

A store of ``--issues`` issues (100,000 by default: about 330,000 events) is made with the
engine on a MemoryStore -- every event genuine, hashed as a move hashes it -- then copied into a
SQLite file in one transaction. On that file it times

* ``verify_store``: every chain recomputed and replayed, the store-wide log rooted and matched
  to the events, the unlogged events looked for (the issue's target: 10 s for 100,000 issues),
  beside a floor measured in the same run: the least any verifier in Python does -- read every
  event row through ``sqlite3``, decode its JSON columns, write its sorted JSON and hash it --
  so that the ratio says how much of verify is govflow's own work, whatever the machine's load;
* ``export_store``: the whole store as JSON Lines;
* the store-wide log's cost per move: committed moves with and without its INSERT, best of
  ``--rounds``, on a second SQLite file, and in memory.

    python bench/audit.py                  # 100,000 issues
    python bench/audit.py --issues 10000   # a quick run
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from govflow import Actor, Engine, ManualClock, MemoryStore, Store
from govflow.audit.export import export_store
from govflow.audit.verify import verify_store
from govflow.store import SQLStore
from govflow.store import sql as sql_store

OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
WORKER = Actor("grid-7", roles={"grid_worker"})
INSPECTOR = Actor("insp-1", roles={"inspector"})
RESIDENT = Actor("resident-1")
VERIFY_TARGET_S = 10.0  # for 100,000 issues / 330,000 events on SQLite (issue 14)


def district(issues: int, seed: int = 7) -> MemoryStore:
    """``issues`` issues at the points of the closed loop a district's record holds: most
    closed, some still moving (about 3.3 events an issue)."""
    rng = random.Random(seed)
    store = MemoryStore()
    clock = ManualClock(datetime(2024, 3, 1, tzinfo=UTC))
    engine = Engine(store=store, clock=clock, autoload=False)
    fire = engine.fire
    for number in range(issues):
        issue = engine.open("closed-loop", reporter=RESIDENT, data={"楼": number % 40})
        steps = rng.choice((1, 2, 2, 3, 3, 3, 4))
        fire(issue.id, "file", actor=OPERATOR)
        if steps > 1:
            fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": [WORKER.id]})
        if steps > 2:
            fire(issue.id, "finish", actor=WORKER, payload={"说明": "已处理"})
        if steps > 3:
            fire(issue.id, "verify", actor=INSPECTOR)
        clock.advance(seconds=30)
    return store


def copy_to_sqlite(source: MemoryStore, url: str) -> SQLStore:
    """``source`` into a new SQLite store, in one transaction (a bench shortcut: commits one
    move at a time would take the better part of an hour)."""
    target = SQLStore(url)
    issues = [sql_store._issue_values(issue) for issue in source.issues()]
    events = [sql_store._event_values(e) for i in source.issues() for e in source.events(i.id)]
    log = [{"issue_id": i, "sequence": s, "hash": h} for i, s, h in source._log]
    with target._engine.begin() as conn:
        conn.execute(sa.insert(sql_store._issues), issues)
        conn.execute(sa.insert(sql_store._events), events)
        conn.execute(sa.insert(sql_store._log), log)
    return target


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Wall and CPU seconds (CPU time says more on a machine shared with other work). Memory
    is not traced here: tracemalloc slows Python severalfold; tests/audit/test_streaming.py
    measures verify's peak instead."""
    result: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - started
        result["cpu"] = time.process_time() - cpu


def floor(path: Path, *, fast: bool = False) -> None:
    """The least work of a verifier in Python: every event row read, its JSON columns decoded,
    the row written as sorted JSON and hashed. No chain, no replay, no log. ``fast``: decoded
    and written by orjson (as govflow's verify does), else by the standard library."""
    with sqlite3.connect(path) as db:
        cursor = db.execute("SELECT * FROM govflow_events ORDER BY issue_id, sequence")
        names = [column[0] for column in cursor.description]
        if fast:
            decode: Callable[[str], Any] = orjson.loads
            encode: Callable[[Any], bytes] = partial(orjson.dumps, option=orjson.OPT_SORT_KEYS)
        else:
            decode = json.loads
            text = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            encode = partial(_utf8, text.encode)
        while batch := cursor.fetchmany(2000):
            for values in batch:
                row = dict(zip(names, values, strict=True))
                for column in ("payload", "changes", "decisions"):
                    row[column] = decode(row[column])
                hashlib.sha256(encode(row)).hexdigest()


def _utf8(encode: Callable[[Any], str], value: Any) -> bytes:
    return encode(value).encode("utf-8")


def moves(store: Store, issues: int) -> tuple[int, float]:
    """Commit ``issues`` × 3 moves; return (moves, seconds)."""
    engine = Engine(
        store=store, clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)), autoload=False
    )
    started = time.perf_counter()
    for _ in range(issues):
        issue_id = engine.open("closed-loop", reporter=RESIDENT).id
        engine.fire(issue_id, "file", actor=OPERATOR)
        engine.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": [WORKER.id]})
    return issues * 3, time.perf_counter() - started


def anchoring_cost(directory: Path, issues: int, rounds: int) -> dict[str, float]:
    """µs the store-wide log adds to a committed move (SQLite) and to an in-memory move."""
    real_write = sql_store.SQLStore._write_one

    class _NoLog:
        """A connection that drops the store-wide log's INSERT and passes everything else."""

        def __init__(self, conn: Any) -> None:
            self._conn = conn

        def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(statement, "table", None) is sql_store._log:
                return None
            return self._conn.execute(statement, *args, **kwargs)

    best = {"with": float("inf"), "without": float("inf")}
    for round_number in range(rounds):
        for mode in ("with", "without"):
            store = SQLStore(f"sqlite:///{directory / f'moves-{mode}-{round_number}.db'}")
            if mode == "without":

                def without_log(conn: Any, move: Any, store: SQLStore = store) -> bool:
                    return real_write(store, _NoLog(conn), move)

                store._write_one = without_log  # type: ignore[method-assign]
            count, seconds = moves(store, issues)
            best[mode] = min(best[mode], seconds / count * 1e6)
            store.close()
    memory = {"with": float("inf"), "without": float("inf")}
    for _ in range(rounds):
        store = MemoryStore()
        count, seconds = moves(store, issues * 20)
        memory["with"] = min(memory["with"], seconds / count * 1e6)
        plain = MemoryStore()
        plain._log = _Discard()  # type: ignore[assignment]
        count, seconds = moves(plain, issues * 20)
        memory["without"] = min(memory["without"], seconds / count * 1e6)
    return {
        "sqlite_with_us": best["with"],
        "sqlite_without_us": best["without"],
        "memory_with_us": memory["with"],
        "memory_without_us": memory["without"],
    }


class _Discard(list[Any]):
    def append(self, item: Any) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--move-issues", type=int, default=100, help="issues per anchoring round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        built = time.perf_counter()
        source = district(args.issues)
        store = copy_to_sqlite(source, f"sqlite:///{directory / 'district.db'}")
        events = store.log_size()
        del source
        print(f"## Audit over {args.issues:,} issues, {events:,} events (SQLite file)")
        print(f"(built in {time.perf_counter() - built:.0f} s)\n")
        with timed() as verify:
            report = verify_store(store)
        assert report.ok, report.findings[:5]
        with timed() as least:
            floor(directory / "district.db", fast=True)
        with timed() as stdlib:
            floor(directory / "district.db")
        with timed() as export:
            out = io.StringIO()
            export_store(store, out)
        size = len(out.getvalue().encode("utf-8"))
        del out
        store.close()
        print("| job | wall s | CPU s | µs CPU per event | target |")
        print("|---|---:|---:|---:|---|")
        target = VERIFY_TARGET_S * args.issues / 100_000
        verdict = "met" if verify["seconds"] <= target else "not met"
        ratio = verify["cpu"] / least["cpu"]
        for name, run, goal in (
            ("verify_store", verify, f"≤ {target:.2f} s: {verdict}"),
            ("floor: read, decode, hash each row (orjson)", least, f"verify: {ratio:.2f}× it"),
            ("the same floor with the standard library's json", stdlib, ""),
            (f"export_store ({size / 2**20:.0f} MiB)", export, ""),
        ):
            print(
                f"| {name} | {run['seconds']:.1f} | {run['cpu']:.1f} | "
                f"{run['cpu'] / events * 1e6:.1f} | {goal} |"
            )
        cost = anchoring_cost(directory, args.move_issues, args.rounds)
    print("\n## The store-wide log's cost per move\n")
    print("| store | µs/move with the log | without | the log's share |")
    print("|---|---:|---:|---:|")
    for name, key in (("SQLite file, one commit a move", "sqlite"), ("MemoryStore", "memory")):
        with_log, without = cost[f"{key}_with_us"], cost[f"{key}_without_us"]
        print(f"| {name} | {with_log:,.1f} | {without:,.1f} | {with_log - without:+,.1f} µs |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
