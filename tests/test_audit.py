"""The audit log: append-only, hash-chained, verifiable, and enough to rebuild every issue."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from govflow import Engine, Event, Issue, replay, verify_events
from govflow.audit import GENESIS, recompute_hash
from govflow.errors import IntegrityError

from .conftest import Cast


@pytest.fixture
def closed(engine: Engine, cast: type[Cast]) -> tuple[Issue, list[Event]]:
    issue = engine.open("closed-loop", reporter=cast.resident, category="安全防护", data={"楼": 3})
    engine.fire(issue.id, "file", actor=cast.operator)
    engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "verify", actor=cast.inspector)
    engine.fire(issue.id, "evaluate", actor=cast.resident, payload={"satisfaction": "satisfied"})
    return engine.get(issue.id), list(engine.history(issue.id))


def test_an_untouched_log_verifies_and_replays_exactly(
    engine: Engine, closed: tuple[Issue, list[Event]]
) -> None:
    issue, events = closed
    assert engine.verify(issue.id) == 6
    assert verify_events(events, issue) == 6
    assert replay(events) == issue
    assert events[0].previous_hash == GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(events))


def test_replay_of_a_prefix_gives_the_issue_as_it_was(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator)
    filed = engine.get(issue.id)
    engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    events = engine.history(issue.id)
    assert replay(events[:2]) == filed
    assert replay(events[:1]) == issue


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor", "someone-else"),
        ("destination", "closed"),
        ("payload", {"satisfaction": "dissatisfied"}),
        ("changes", {"assignees": ("grid-9",)}),
        ("trigger", "verify"),
        ("due_at", None),  # a deadline quietly lifted
        ("due_at", datetime(2099, 1, 1, tzinfo=UTC)),
    ],
)
def test_an_edited_event_is_found(
    closed: tuple[Issue, list[Event]], field: str, value: object
) -> None:
    issue, events = closed
    events[3] = attrs.evolve(events[3], **{field: value})
    with pytest.raises(IntegrityError) as caught:
        verify_events(events, issue)
    assert (caught.value.issue_id, caught.value.sequence) == (issue.id, 3)
    assert "edited" in caught.value.problem


def test_every_event_carries_the_due_time_of_the_state_it_entered(
    engine: Engine, cast: type[Cast]
) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    opened = engine.clock.now()
    engine.fire(issue.id, "file", actor=cast.operator)
    events = engine.history(issue.id)
    # 信息收集 allows 2 hours, 案卷建立 1 hour (the closed loop's time limits)
    assert [e.due_at for e in events] == [opened + timedelta(hours=2), opened + timedelta(hours=1)]
    assert "due_at" not in events[1].changes  # a field of its own, not a change
    assert replay(events).due_at == engine.get(issue.id).due_at == events[-1].due_at


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(
    closed: tuple[Issue, list[Event]],
) -> None:
    issue, events = closed
    forged = attrs.evolve(events[2], actor="someone-else")
    events[2] = attrs.evolve(forged, hash=recompute_hash(forged))
    with pytest.raises(IntegrityError) as caught:
        verify_events(events, issue)
    assert caught.value.sequence == 3
    assert "previous_hash" in caught.value.problem


def test_a_deleted_event_is_found(closed: tuple[Issue, list[Event]]) -> None:
    issue, events = closed
    del events[2]
    with pytest.raises(IntegrityError) as caught:
        verify_events(events, issue)
    assert caught.value.sequence == 2
    assert "inserted or deleted" in caught.value.problem


def test_a_deleted_last_event_is_found_against_the_issue(
    closed: tuple[Issue, list[Event]],
) -> None:
    issue, events = closed
    with pytest.raises(IntegrityError, match="events are missing"):
        verify_events(events[:-1], issue)
    assert verify_events(events[:-1]) == 5  # the chain itself is intact


def test_an_inserted_event_is_found(closed: tuple[Issue, list[Event]]) -> None:
    issue, events = closed
    events.insert(3, events[3])
    with pytest.raises(IntegrityError) as caught:
        verify_events(events, issue)
    assert caught.value.sequence == 4


def test_events_of_another_issue_are_found(
    engine: Engine, cast: type[Cast], closed: tuple[Issue, list[Event]]
) -> None:
    _, events = closed
    other = engine.open("closed-loop", reporter=cast.resident)
    events.append(engine.history(other.id)[0])
    with pytest.raises(IntegrityError, match="belongs to issue"):
        verify_events(events)


def test_a_log_that_does_not_replay_to_the_issue_is_found(
    closed: tuple[Issue, list[Event]],
) -> None:
    issue, events = closed
    with pytest.raises(IntegrityError, match="replaying the log does not give the issue"):
        verify_events(events, attrs.evolve(issue, category="something else"))


def test_replay_needs_an_open_event(closed: tuple[Issue, list[Event]]) -> None:
    _, events = closed
    with pytest.raises(IntegrityError, match="empty"):
        replay([])
    with pytest.raises(IntegrityError, match="does not start with open"):
        replay(events[1:])
    with pytest.raises(IntegrityError, match="unknown changes"):
        replay([events[0], attrs.evolve(events[1], changes={"state": "closed"})])


def test_an_empty_log_for_an_issue_is_an_integrity_error(closed: tuple[Issue, list[Event]]) -> None:
    issue, _ = closed
    assert verify_events([]) == 0
    with pytest.raises(IntegrityError, match="no events"):
        verify_events([], issue)
