"""Export and import round-trip exactly, whatever the data, and keep checkpoints valid."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from govflow import Actor, Engine, ManualClock, MemoryStore
from govflow.audit.export import export_store, import_store
from govflow.audit.verify import verify_store
from govflow.testing.hostile import json_data
from govflow.testing.pytest_plugin import CheckpointMaker

OPERATOR = Actor("op-1", roles={"operator"})


def _export(store: MemoryStore) -> str:
    out = io.StringIO()
    export_store(store, out)
    return out.getvalue()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_data(), payload=json_data())
def test_any_data_round_trips_and_the_checkpoint_still_verifies(
    tmp_path: Path, data: dict[str, Any], payload: dict[str, Any]
) -> None:
    clock = ManualClock()
    source = MemoryStore()
    engine = Engine(store=source, clock=clock, autoload=False)
    for _ in range(2):
        issue = engine.open("closed-loop", reporter="r", data=data)
        engine.fire(issue.id, "file", actor=OPERATOR, payload=payload)
    checkpoint = CheckpointMaker(tmp_path, clock)(source)
    text = _export(source)
    path = tmp_path / "export.jsonl"
    path.write_text(text, encoding="utf-8")
    target = MemoryStore()
    summary = import_store(path, target)
    assert summary.events == 4
    assert _export(target) == text
    assert [target.get(i.id) for i in source.issues()] == list(source.issues())
    assert verify_store(target, checkpoint).ok
