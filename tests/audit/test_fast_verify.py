"""The SQL store's scan recomputes each event's hash from the row it read (a shortcut); a
verifier recomputes exactly every event where the shortcut does not match. Whatever the data,
the two give the same verdict."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from govflow import Actor, Engine, ManualClock
from govflow.audit import recompute_hash
from govflow.audit.verify import verify_store
from govflow.store import SQLStore
from govflow.testing.hostile import json_data

OPERATOR = Actor("op-1", roles={"operator"})


def _store(tmp_path: Path) -> SQLStore:
    return SQLStore(f"sqlite:///{tmp_path / 'fast.db'}")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_data(), payload=json_data())
def test_any_data_verifies_through_the_shortcut_or_the_exact_path(
    tmp_path: Path, data: dict[str, object], payload: dict[str, object]
) -> None:
    with _store(tmp_path) as store:
        engine = Engine(store=store, clock=ManualClock(), autoload=False)
        issue = engine.open("closed-loop", reporter="r", data=data)
        engine.fire(issue.id, "file", actor=OPERATOR, payload=payload)
        report = verify_store(store)
        assert report.ok, report.findings
        [scan] = [s for s in store.scan() if s.issue_id == issue.id]
        assert len(scan.hashes) == len(scan.events) == 2
        for event, rehashed in zip(scan.events, scan.hashes, strict=True):
            # the shortcut never vouches for a hash the exact path would not give
            if rehashed == event.hash:
                assert recompute_hash(event) == event.hash


def test_plain_events_are_checked_by_the_shortcut(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        engine = Engine(store=store, clock=ManualClock(), autoload=False)
        issue = engine.open("closed-loop", reporter="r", data={"楼": 3, "说明": "漏水"})
        engine.fire(issue.id, "file", actor=OPERATOR, payload={"note": "x"})
        [scan] = list(store.scan())
        assert scan.hashes == tuple(event.hash for event in scan.events)


def test_corners_and_reformatted_rows_fall_to_the_exact_path(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        engine = Engine(store=store, clock=ManualClock(), autoload=False)
        # JCS writes 1.0 as 1 and 1e21 as 1e+21, and puts a key of U+1F600 (a surrogate pair in
        # UTF-16) before one of U+E000; a C encoder does neither.
        data = {"ratio": 1.0, "big": 1e21, "\ue000": 1, "\U0001f600": 2}
        issue = engine.open("closed-loop", reporter="r", data=data)
        engine.fire(issue.id, "file", actor=OPERATOR, payload={"n": 2})
        with sqlite3.connect(tmp_path / "fast.db") as db:  # the same values, spelled otherwise
            db.execute("UPDATE govflow_events SET payload = ' { \"n\" : 2 } ' WHERE sequence = 1")
        [scan] = list(store.scan())
        assert scan.hashes[0] != scan.events[0].hash  # the corners: recomputed the exact way
        # The same values, spelled otherwise: read back equal, so either path vouches for them.
        assert scan.hashes[1] in {None, recompute_hash(scan.events[1])}
        assert verify_store(store).ok
        with sqlite3.connect(tmp_path / "fast.db") as db:  # now a different value
            db.execute("UPDATE govflow_events SET payload = '{\"n\":3}' WHERE sequence = 1")
        [finding] = verify_store(store).findings
        assert (finding.sequence, finding.problem) == (1, "was edited: its hash does not match")
