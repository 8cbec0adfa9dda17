"""The Worker: rounds of tick, claims on a SQL store, a JSON line per fired deadline, and the
`govflow worker` command stopping on SIGTERM."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from govflow import Engine, ManualClock, MemoryStore
from govflow.cli import main
from govflow.errors import InvalidRequestError
from govflow.store import SQLStore
from govflow.worker import Worker

OPENED = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "govflow.worker"]


@pytest.mark.parametrize("where", ["memory", "sqlite"])
def test_a_round_fires_what_is_due_and_logs_one_line_each(
    where: str, tmp_path: Path, plugin_module: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore() if where == "memory" else SQLStore(f"sqlite:///{tmp_path / 'w.db'}")
    clock = ManualClock(OPENED)
    engine = Engine(plugins=[plugin_module], store=store, clock=clock, autoload=False)
    ids = [engine.open("waiting", reporter="r").id for _ in range(3)]
    worker = Worker(engine, name="w1", batch=2)
    caplog.set_level(logging.INFO, "govflow.worker")
    assert worker.round() == []
    clock.advance(hours=2)
    fired = worker.round()
    assert sorted(e.issue_id for e in fired) == ids
    assert {engine.get(i).state for i in ids} == {"expired"}
    lines = _lines(caplog)
    assert [line["issue_id"] for line in lines] == [e.issue_id for e in fired]
    assert lines[0]["event"] == "deadline_fired"
    assert lines[0]["worker"] == "w1"
    assert lines[0]["trigger"] == "expire"
    assert lines[0]["overdue_since"] == (OPENED + timedelta(hours=1)).isoformat()
    assert worker.round() == []
    assert worker.fired == 3
    if isinstance(store, SQLStore):
        assert store.claim_due(clock.now(), owner="other", lease=timedelta(minutes=1)) == []
        store.close()


def test_run_stops_after_its_rounds_or_when_told(plugin_module: ModuleType) -> None:
    engine = Engine(plugins=[plugin_module], clock=ManualClock(OPENED), autoload=False)
    worker = Worker(engine, interval=0)
    assert worker.run(rounds=3) == 0
    worker.stop()
    assert worker.run() == 0  # stopped already: returns at once


def test_a_worker_needs_sensible_settings() -> None:
    engine = Engine(autoload=False)
    with pytest.raises(InvalidRequestError):
        Worker(engine, batch=0)
    with pytest.raises(InvalidRequestError):
        Worker(engine, lease=timedelta(0))


def test_the_worker_command_fires_deadlines_and_stops_on_sigterm(
    tmp_path: Path, plugin_module: ModuleType
) -> None:
    url = f"sqlite:///{tmp_path / 'cmd.db'}"
    with SQLStore(url) as store:
        engine = Engine(
            plugins=[plugin_module], store=store, clock=ManualClock(OPENED), autoload=False
        )
        issue = engine.open("waiting", reporter="r")  # an hour overdue since 2024
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    err = io.StringIO()
    status = main(
        [
            "worker",
            "--database",
            url,
            "--interval",
            "0.1",
            "--plugin",
            plugin_module.__name__,
            "--no-autoload",
            "--name",
            "cmd",
        ],
        stdout=io.StringIO(),
        stderr=err,
    )
    timer.join()
    assert status == 0, err.getvalue()
    lines = [json.loads(line) for line in err.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["started", "deadline_fired", "stopping", "stopped"]
    assert lines[1]["issue_id"] == issue.id
    assert lines[3]["fired"] == 1
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler was put back


def test_the_worker_command_refuses_a_bad_plugin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    SQLStore(url).close()
    err = io.StringIO()
    status = main(
        ["worker", "--database", url, "--plugin", "no.such.module"],
        stdout=io.StringIO(),
        stderr=err,
    )
    assert status == 2
    assert "cannot import plugin module 'no.such.module'" in err.getvalue()
