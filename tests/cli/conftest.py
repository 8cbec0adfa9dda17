"""Running ``govflow`` in-process, and a small record in a SQLite file to point it at."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from govflow import Actor, Engine, ManualClock
from govflow.cli import main
from govflow.store import SQLStore


@attrs.frozen
class Run:
    """What one run of the command line did."""

    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Run]


@pytest.fixture
def govflow() -> Runner:
    """``govflow("check", "--json")`` runs the command line and returns its :class:`Run`."""

    def run(*argv: str, plugins: tuple[object, ...] = ()) -> Run:
        out, err = io.StringIO(), io.StringIO()
        status = main(list(argv), stdout=out, stderr=err, plugins=plugins)
        return Run(status, out.getvalue(), err.getvalue())

    return run


START = datetime(2024, 3, 1, 9, tzinfo=UTC)
CENTRE = Actor("centre-1", roles={"operator", "dispatcher"})
WORKER = Actor("grid-7", roles={"grid_worker"})
INSPECTOR = Actor("insp-1", roles={"inspector"})


@attrs.frozen
class Record:
    """A SQLite file holding three closed-loop issues: one closed, one handling, one filed."""

    path: Path
    closed: str
    handling: str
    filed: str

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


@pytest.fixture
def record(tmp_path: Path) -> Record:
    path = tmp_path / "record.db"
    with SQLStore(f"sqlite:///{path}") as store:
        engine = Engine(store=store, clock=ManualClock(START), autoload=False)
        resident = Actor("resident-wang", name="王阿姨")
        ids = []
        places = (("幸福社区", "矛盾调解"), ("和平社区", "安全防护"), ("幸福社区", None))
        for location, category in places:
            issue = engine.open(
                "closed-loop",
                reporter=resident,
                location=location,
                category=category,
                data={"text": "楼道堆放杂物"},
            )
            ids.append(issue.id)
            engine.fire(issue.id, "file", actor=CENTRE)
        for issue_id in ids[:2]:
            engine.fire(issue_id, "dispatch", actor=CENTRE, payload={"assignees": ["grid-7"]})
        engine.fire(ids[0], "finish", actor=WORKER, payload={"note": "已清理"})
        engine.fire(ids[0], "verify", actor=INSPECTOR)
        engine.fire(ids[0], "evaluate", actor=resident, payload={"satisfaction": "satisfied"})
    return Record(path, *ids)
