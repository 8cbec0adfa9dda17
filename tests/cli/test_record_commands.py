"""``history``, ``metrics`` and ``tick`` over a record in a database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from govflow import Engine
from govflow.metrics import accountability
from govflow.store import SQLStore
from tests.cli.conftest import Record, Runner


def test_history_shows_every_move_and_verifies(govflow: Runner, record: Record) -> None:
    run = govflow("history", record.closed, "--database", str(record.path))
    assert run.status == 0
    for trigger in ("open", "file", "dispatch", "finish", "verify", "evaluate"):
        assert trigger in run.out
    assert "6 events, hash chain intact" in run.out
    assert "幸福社区" in run.out


def test_history_as_json(govflow: Runner, record: Record) -> None:
    data = govflow("history", record.closed, "--database", record.url, "--json").json()
    assert data["verified"] is True
    assert data["issue"]["state"] == "closed"
    assert [e["trigger"] for e in data["events"]] == [
        "open",
        "file",
        "dispatch",
        "finish",
        "verify",
        "evaluate",
    ]
    assert data["events"][-1]["payload"] == {"satisfaction": "satisfied"}
    assert data["events"][0]["at"] == "2024-03-01T09:00:00+00:00"


def test_history_of_an_edited_log_fails_verification(govflow: Runner, record: Record) -> None:
    with sqlite3.connect(record.path) as db:
        db.execute(
            "UPDATE govflow_events SET actor = 'someone-else' WHERE issue_id = ? AND sequence = 3",
            (record.closed,),
        )
    run = govflow("history", record.closed, "--database", str(record.path))
    assert run.status == 1
    assert "the log does not verify" in run.out


def test_history_of_an_unknown_issue_is_one_line(govflow: Runner, record: Record) -> None:
    run = govflow("history", "no-such-issue", "--database", str(record.path))
    assert run.status == 2
    assert run.err.count("\n") == 1
    assert run.err.startswith("govflow history: ")
    assert "no-such-issue" in run.err


@pytest.mark.parametrize("command", ["history", "metrics", "tick"])
def test_a_missing_database_is_refused_and_not_created(
    govflow: Runner, tmp_path: Path, command: str
) -> None:
    missing = tmp_path / "missing.db"
    argv = [command, "x"] if command == "history" else [command]
    for database in (str(missing), f"sqlite:///{missing}"):
        run = govflow(*argv, "--database", database)
        assert run.status == 2
        assert run.err == (
            f"govflow {command}: no database at {missing} "
            "(name one with --database or GOVFLOW_DATABASE)\n"
        )
    assert not missing.exists()


def test_a_database_without_govflow_tables_is_refused(govflow: Runner, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    run = govflow("metrics", "--database", str(other))
    assert run.status == 2
    assert "has no govflow tables" in run.err


def test_the_database_can_come_from_the_environment(
    govflow: Runner, record: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVFLOW_DATABASE", str(record.path))
    assert govflow("metrics", "--json").json()["total"]["received"] == 3


def test_metrics_match_the_library(govflow: Runner, record: Record) -> None:
    data = govflow("metrics", "--database", str(record.path), "--json").json()
    with SQLStore(record.url) as store:
        report = accountability(Engine(store=store))
    assert data["total"]["received"] == report.total.received == 3
    assert data["total"]["completion_rate"] == report.total.completion_rate == pytest.approx(1 / 3)
    assert [g["group"] for g in data["ranking"]] == [f.group for f in report.ranking()]
    assert data["ranking"][0]["group"] == "幸福社区"


def test_metrics_by_category_as_a_table(govflow: Runner, record: Record) -> None:
    run = govflow("metrics", "--database", str(record.path), "--by", "category")
    assert run.status == 0
    assert "矛盾调解" in run.out
    assert "(none)" in run.out  # the issue opened without a category
    assert "办结率" in run.out
    assert govflow("metrics", "--database", str(record.path), "--by", "colour").status == 2


def test_tick_fires_the_deadline_moves_that_are_due(govflow: Runner, record: Record) -> None:
    early = govflow("tick", "--database", str(record.path), "--now", "2024-03-01T10:00", "--json")
    assert early.json() == []
    late = govflow("tick", "--database", str(record.path), "--now", "2024-04-01T09:00Z", "--json")
    fired = late.json()
    assert [e["issue_id"] for e in fired] == [record.handling]  # handling has a time limit
    assert all(e["actor"] == "system:clock" for e in fired)
    again = govflow("tick", "--database", str(record.path), "--now", "2024-04-01T09:00Z")
    assert again.status == 0
    assert "deadline move" in again.out


def test_tick_refuses_a_time_it_cannot_read(govflow: Runner, record: Record) -> None:
    run = govflow("tick", "--database", str(record.path), "--now", "next tuesday")
    assert run.status == 2
    assert "is not an ISO 8601 time" in run.err
