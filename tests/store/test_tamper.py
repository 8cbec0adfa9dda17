"""The tamper matrix: every edit an intruder with the database can make, on every backend,
is found by verify against a checkpoint kept elsewhere, and named (issue and event).

The intruder is thorough (govflow.testing.intruder): after editing an event it re-hashes the
rest of the chain and rewrites the store-wide log to match, so each issue's chain verifies on
its own -- only the checkpoint can tell.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from govflow import Actor, Engine, ManualClock, Store
from govflow.audit.verify import Finding, verify_store
from govflow.errors import CorruptRecordError
from govflow.testing.intruder import (
    delete_issue,
    forge_append,
    rewrite_event,
    roll_back,
    sql_execute,
)
from govflow.testing.pytest_plugin import CheckpointMaker
from tests.store.conftest import Backend

RESIDENT = Actor("resident-1")
OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
WORKER = Actor("grid-7", roles={"grid_worker"})


def populate(store: Store, clock: ManualClock) -> list[str]:
    """Three issues at different points of the closed loop."""
    engine = Engine(store=store, clock=clock, autoload=False)
    ids = []
    for number in range(3):
        issue = engine.open("closed-loop", reporter=RESIDENT, data={"楼": number})
        clock.advance(minutes=5)
        engine.fire(issue.id, "file", actor=OPERATOR)
        engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": [WORKER.id]})
        if number:
            engine.fire(issue.id, "finish", actor=WORKER, payload={"说明": "已处理"})
        ids.append(issue.id)
    return ids


def named(findings: list[Finding], issue_id: str, sequence: int | None = None) -> list[str]:
    return [
        f.problem
        for f in findings
        if f.issue_id == issue_id and (sequence is None or f.sequence == sequence)
    ]


@pytest.fixture
def anchored(
    backend: Backend, fake_clock: ManualClock, audit_checkpoint: CheckpointMaker
) -> tuple[Store, list[str], Any]:
    store = backend.open()
    ids = populate(store, fake_clock)
    checkpoint = audit_checkpoint(store)
    assert verify_store(store, checkpoint, public_key=audit_checkpoint.public_key).ok
    fake_clock.advance(hours=1)
    return store, ids, checkpoint


def test_an_untouched_store_verifies_against_its_checkpoint(
    anchored: tuple[Store, list[str], Any],
) -> None:
    store, _, checkpoint = anchored
    report = verify_store(store, checkpoint)
    assert report.ok
    assert report.issues == 3
    assert report.events == report.log_entries == checkpoint.checkpoint.tree_size == 11
    assert report.root == checkpoint.checkpoint.root


def test_a_rehashed_rewrite_is_named(anchored: tuple[Store, list[str], Any]) -> None:
    store, ids, checkpoint = anchored
    rewrite_event(store, ids[1], 2, actor="someone-else")
    assert verify_store(store).ok  # the chain and the log were made to agree
    findings = verify_store(store, checkpoint).findings
    assert named(findings, ids[1], 2) == [
        "differs from the checkpoint (entry 5): rewritten after it was anchored"
    ]


def test_a_rollback_of_the_last_move_is_named(anchored: tuple[Store, list[str], Any]) -> None:
    store, ids, checkpoint = anchored
    roll_back(store, ids[2])  # the store's very last event: a truncation of the log
    assert verify_store(store).ok
    findings = verify_store(store, checkpoint).findings
    assert len(findings) == 1
    assert findings[0].issue_id == ids[2]
    assert findings[0].sequence == 3
    assert "truncated or rolled back" in findings[0].problem


def test_a_rollback_in_the_middle_of_the_log_is_named(
    anchored: tuple[Store, list[str], Any],
) -> None:
    store, ids, checkpoint = anchored
    roll_back(store, ids[1])
    findings = verify_store(store, checkpoint).findings
    assert "entries were removed, inserted or reordered" in named(findings, ids[1], 3)[0]


def test_a_forged_append_logged_like_a_commit_is_named(
    anchored: tuple[Store, list[str], Any], fake_clock: ManualClock
) -> None:
    store, ids, checkpoint = anchored
    backdated = fake_clock.now() - timedelta(days=1)
    forged = forge_append(
        store, ids[0], trigger="finish", destination="fed_back", actor=WORKER.id, at=backdated
    )
    assert verify_store(store).ok
    problems = named(verify_store(store, checkpoint).findings, ids[0], forged.sequence)
    assert problems == [
        (
            f"dated {backdated.isoformat()}, before the checkpoint of "
            f"{checkpoint.checkpoint.issued_at}, but not anchored by it: forged or backdated"
        )
    ]


def test_a_forged_append_left_out_of_the_log_is_named(
    anchored: tuple[Store, list[str], Any], fake_clock: ManualClock
) -> None:
    store, ids, _ = anchored
    forged = forge_append(
        store,
        ids[0],
        trigger="finish",
        destination="fed_back",
        actor=WORKER.id,
        at=fake_clock.now(),
        logged=False,
    )
    assert named(verify_store(store).findings, ids[0], forged.sequence) == [
        "the event is not in the store-wide log: it was appended behind govflow's back"
    ]


def test_a_deleted_issue_is_named(anchored: tuple[Store, list[str], Any]) -> None:
    store, ids, checkpoint = anchored
    delete_issue(store, ids[1])
    assert verify_store(store).ok
    problems = named(verify_store(store, checkpoint).findings, ids[1], 0)
    assert problems == ["the issue was deleted (the checkpoint anchors it at 3)"]


def test_a_rewritten_log_table_no_longer_gives_the_checkpoint_root(
    anchored: tuple[Store, list[str], Any], tmp_path: Any
) -> None:
    """Without its entries, a checkpoint still catches the edit: by its root."""
    store, ids, checkpoint = anchored
    head_only = tmp_path / "head.jsonl"
    head_only.write_text(checkpoint.path.read_text().splitlines()[0] + "\n")
    from govflow.audit.checkpoint import read_checkpoint  # noqa: PLC0415

    rewrite_event(store, ids[0], 1, actor="someone-else")
    findings = verify_store(store, read_checkpoint(head_only)).findings
    assert [str(f) for f in findings] == [
        "the store: the first 11 log entries no longer give the checkpoint's root"
    ]


def test_an_edit_without_rehashing_is_named_even_without_a_checkpoint(
    backend: Backend, fake_clock: ManualClock
) -> None:
    store = backend.open()
    ids = populate(store, fake_clock)
    backend.tamper_actor(ids[0], 1, "someone-else")
    assert named(verify_store(store).findings, ids[0], 1) == ["was edited: its hash does not match"]


def test_a_forged_checkpoint_signature_is_named(
    anchored: tuple[Store, list[str], Any], audit_checkpoint: CheckpointMaker
) -> None:
    store, _, checkpoint = anchored
    other = CheckpointMaker(checkpoint.path.parent / "elsewhere", ManualClock())
    assert other.public_key != audit_checkpoint.public_key
    findings = verify_store(store, checkpoint, public_key=other.public_key).findings
    assert [f.problem for f in findings] == [
        f"{checkpoint.path}: the checkpoint was signed by another key"
    ]


# --- columns only a database has ---------------------------------------------------------------


@pytest.mark.parametrize("due_key", [None, 0])
def test_an_edited_deadline_index_is_named_and_fires_nothing_early(
    sql_backend: Backend, fake_clock: ManualClock, due_key: int | None
) -> None:
    store = sql_backend.open()
    ids = populate(store, fake_clock)
    sql_execute(store, "UPDATE govflow_issues SET due_key = :k WHERE id = :i", k=due_key, i=ids[0])
    problems = named(verify_store(store).findings, ids[0], None)
    assert len(problems) == 1
    assert problems[0].startswith(f"its due_key is {due_key!r} but its due_at gives ")
    engine = Engine(store=store, clock=fake_clock, autoload=False)
    report = engine.tick()  # days before the real deadline: a key of 0 must not fire it
    assert list(report) == []
    expected = [(ids[0], "the store's due index disagrees with the issue's due_at")]
    assert report.skipped == (expected if due_key == 0 else [])
    assert store.get(ids[0]).state == "handling"


@pytest.mark.parametrize(
    ("table", "column", "raw", "sequence"),
    [
        ("govflow_events", "payload", "{not json", 2),
        ("govflow_events", "at", "yesterday", 2),
        ("govflow_events", "changes", "[1, 2]", 2),
        ("govflow_issues", "data", "{oops", None),
        ("govflow_issues", "opened_at", "not a time", None),
        ("govflow_issues", "assignees", "7", None),
    ],
)
def test_an_unreadable_row_is_named_and_the_rest_still_verifies(  # noqa: PLR0917
    sql_backend: Backend,
    fake_clock: ManualClock,
    table: str,
    column: str,
    raw: str,
    sequence: int | None,
) -> None:
    store = sql_backend.open()
    ids = populate(store, fake_clock)
    where = "issue_id = :i AND sequence = 2" if table == "govflow_events" else "id = :i"
    sql_execute(store, f"UPDATE {table} SET {column} = :raw WHERE {where}", raw=raw, i=ids[1])
    findings = verify_store(store).findings
    assert {f.issue_id for f in findings} == {ids[1]}
    assert any(f.sequence == sequence for f in findings)
    # Reading the row itself names it: a typed error, never JSONDecodeError or ValueError.
    with pytest.raises(CorruptRecordError, match=f"issue '{ids[1]}'"):
        store.get(ids[1]) if sequence is None else store.events(ids[1])
    # Listings go on past the bad row: metrics and tick see every other issue.
    engine = Engine(store=store, clock=fake_clock, autoload=False)
    listed = [issue.id for issue in engine.issues()]
    assert set(listed) >= {ids[0], ids[2]}
