"""Four `govflow worker` processes on one PostgreSQL database fire 1,000 deadlines, each once,
also when one of them is killed (SIGKILL) halfway through its batch.

The issues were opened in 2020 on a fake clock, so to the workers (on the system clock) every
one of them is long overdue; the workers start together and compete for them. The victim takes
50 ms over each move (GF_SLOW), so that it dies holding claims on issues it has not fired.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from govflow import Engine, ManualClock
from govflow.store import SQLStore

ISSUES = 1000
WORKERS = 4
LEASE_SECONDS = 2.0


class WorkerProcess:
    """One `govflow worker` child and the JSON lines it logged."""

    def __init__(self, index: int, url: str, plugin: str, path: Path, *, slow: bool) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": f"{path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
            "GF_SLOW": "1" if slow else "0",
        }
        self.name = f"w{index}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "govflow",
                "worker",
                "--database",
                url,
                "--plugin",
                plugin,
                "--no-autoload",
                "--name",
                self.name,
                "--interval",
                "0.1",
                "--batch",
                "25",
                "--lease",
                str(LEASE_SECONDS),
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: list[dict[str, object]] = []
        self.other: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            try:
                self.lines.append(json.loads(line))
            except ValueError:
                self.other.append(line)

    def events(self, kind: str) -> list[dict[str, object]]:
        return [line for line in list(self.lines) if line.get("event") == kind]

    def finish(self, timeout: float = 30) -> int:
        code = self.process.wait(timeout)
        self._reader.join(timeout)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


def _wait(condition: object, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _live_claims(url: str, owner: str) -> set[str]:
    """Issues ``owner`` holds a claim on at their current version and has not fired."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT c.issue_id FROM govflow_claims c JOIN govflow_issues i "
                    "ON i.id = c.issue_id AND i.version = c.version "
                    "WHERE c.owner = :owner AND i.state = 'waiting'"
                ),
                {"owner": owner},
            ).all()
    finally:
        engine.dispose()
    return {row[0] for row in rows}


def _expired_per_issue(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT issue_id, count(*) FROM govflow_events WHERE trigger = 'expire' "
                    "GROUP BY issue_id"
                )
            ).all()
    finally:
        engine.dispose()
    return {str(issue_id): int(count) for issue_id, count in rows}


@pytest.mark.parametrize("kill_one", [False, True], ids=["all-live", "one-killed"])
def test_workers_fire_every_due_deadline_exactly_once(
    postgres_url: str, plugin_module: ModuleType, tmp_path: Path, kill_one: bool
) -> None:
    store = SQLStore(postgres_url)
    engine = Engine(
        plugins=[plugin_module],
        store=store,
        clock=ManualClock(datetime(2020, 1, 1, tzinfo=UTC)),
        autoload=False,
    )
    for n in range(ISSUES):
        engine.open("waiting", reporter="resident", issue_id=f"i{n:04d}")
    workers = [
        WorkerProcess(i, postgres_url, plugin_module.__name__, tmp_path, slow=kill_one and i == 0)
        for i in range(WORKERS)
    ]
    try:
        victim = workers[0]
        if kill_one:
            _wait(lambda: victim.events("deadline_fired"), "the victim to fire a deadline")
            victim.process.send_signal(signal.SIGKILL)  # mid-batch: it holds claims
            victim.process.wait(10)
            left_behind = _live_claims(postgres_url, victim.name)
            assert left_behind, "the victim died holding claims on unfired issues"
        _wait(lambda: len(_expired_per_issue(postgres_url)) == ISSUES, "every deadline")
        time.sleep(2 * LEASE_SECONDS)  # long enough for any late second firing to show
        counts = _expired_per_issue(postgres_url)
        assert len(counts) == ISSUES
        assert set(counts.values()) == {1}
        survivors = workers[1:] if kill_one else workers
        for worker in survivors:
            worker.process.send_signal(signal.SIGTERM)
        for worker in survivors:
            assert worker.finish() == 0, worker.other
            assert worker.events("stopped"), "a SIGTERMed worker stops gracefully"
        logged = [line["issue_id"] for w in workers for line in w.events("deadline_fired")]
        assert len(logged) == len(set(logged)), "no deadline was logged twice"
        if kill_one:
            assert victim.finish() == -signal.SIGKILL
            assert 0 < len(victim.events("deadline_fired")) < ISSUES
            # what it held was fired by the others once its claims expired
            by_survivors = {
                line["issue_id"] for w in survivors for line in w.events("deadline_fired")
            }
            assert left_behind <= by_survivors
        else:
            assert len(logged) == ISSUES
            assert all(
                line["trigger"] == "expire" for w in workers for line in w.events("deadline_fired")
            )
        for issue_id in ("i0000", "i0499", "i0999"):
            assert engine.verify(issue_id) == 2
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.finish()
        store.close()
