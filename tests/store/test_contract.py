"""The store contract: every backend behaves exactly like the in-memory reference.

Everything goes through a real :class:`govflow.Engine` on the built-in closed-loop workflow,
except the conflict cases, which call :meth:`Store.commit` directly to make the races that two
processes would make.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import (
    Actor,
    Engine,
    Event,
    Issue,
    ManualClock,
    MemoryStore,
    Store,
    hookimpl,
    replay,
    verify_events,
)
from govflow.errors import ConflictError, IntegrityError, InvalidRequestError, UnknownIssueError
from govflow.testing import past
from govflow.testing.hostile import json_data, log_text
from tests.store.conftest import Backend

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))

RESIDENT = Actor("resident-王", name="王阿姨")
OPERATOR = Actor("op-1", roles={"operator"}, name="受理员")
DISPATCHER = Actor("disp-1", roles={"dispatcher"}, name="派遣员")
WORKER = Actor("grid-7", roles={"grid_worker"}, name="网格员")
INSPECTOR = Actor("insp-1", roles={"inspector"}, name="核查员")

DATA = {"描述": "3号楼路灯不亮，晚上很黑 🌙", "楼层": 3, "照片": ["a.jpg", "b.jpg"], "紧急": True}


def make_engine(store: Store, clock: ManualClock, plugins: tuple[object, ...] = ()) -> Engine:
    return Engine(store=store, clock=clock, autoload=False, plugins=plugins)


def full_loop(engine: Engine, clock: ManualClock) -> str:
    """One issue through every kind of move: rework, a deadline, evaluation. Returns its id."""
    issue = engine.open(
        "closed-loop",
        reporter=RESIDENT,
        location="蚌山区/宝兴社区/第7网格",
        category="市政设施",
        data=DATA,
    )
    clock.advance(minutes=30)
    engine.fire(issue.id, "file", actor=OPERATOR)
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": [WORKER.id]})
    past(engine.get(issue.id).due_at, clock)  # 3 working days: the calendar counts them
    engine.tick()  # handling → supervised by the clock
    engine.fire(issue.id, "finish", actor=WORKER, payload={"说明": "已更换灯泡"})
    engine.fire(issue.id, "rework", actor=INSPECTOR, payload={"reason": "灯罩未装好"})
    clock.advance(hours=5)
    engine.fire(issue.id, "finish", actor=WORKER)
    engine.fire(issue.id, "verify", actor=INSPECTOR)
    engine.fire(issue.id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    return issue.id


def reference(scenario: Any) -> Engine:
    """The same scenario on a fresh MemoryStore: what every backend must reproduce."""
    clock = ManualClock(START)
    engine = make_engine(MemoryStore(), clock)
    scenario(engine, clock)
    return engine


def test_full_loop_equals_the_reference(backend: Backend) -> None:
    clock = ManualClock(START)
    engine = make_engine(backend.open(), clock)
    issue_id = full_loop(engine, clock)
    expected = reference(full_loop)

    assert engine.get(issue_id).state == "closed"
    assert engine.history(issue_id) == expected.history(issue_id)
    assert engine.get(issue_id) == expected.get(issue_id)
    assert engine.verify(issue_id) == 9
    events = engine.store.events(issue_id)
    assert verify_events(events, engine.store.get(issue_id)) == 9
    assert replay(events) == engine.get(issue_id)
    assert engine.store.last_event(issue_id) == events[-1]
    assert len(engine.store) == 1


def test_chinese_text_and_offsets_round_trip(backend: Backend) -> None:
    clock = ManualClock(datetime(2024, 3, 1, 17, 0, 0, 123456, tzinfo=BEIJING))
    engine = make_engine(backend.open(), clock)
    issue = engine.open("closed-loop", reporter=RESIDENT, location="淮上区", data=DATA)
    engine.fire(issue.id, "cancel", actor=OPERATOR, payload={"reason": "重复上报：同“12345”工单"})

    again = backend.open()
    stored = again.get(issue.id)
    assert stored.data == DATA
    assert list(stored.data) == list(issue.data)  # key order kept too
    assert stored.location == "淮上区"
    assert stored.reporter == "resident-王"
    assert stored.opened_at.isoformat() == "2024-03-01T17:00:00.123456+08:00"
    cancel = again.events(issue.id)[1]
    assert cancel.payload == {"reason": "重复上报：同“12345”工单"}
    assert cancel.at.utcoffset() == timedelta(hours=8)
    assert verify_events(again.events(issue.id), stored) == 2


def test_unknown_issue(backend: Backend) -> None:
    store = backend.open()
    with pytest.raises(UnknownIssueError, match="'nope'"):
        store.get("nope")
    assert tuple(store.events("nope")) == ()
    assert store.last_event("nope") is None
    assert store.find_idempotent("nope", "k") is None
    assert len(store) == 0
    assert list(store.issues()) == []


def test_idempotency_survives_reopening(backend: Backend) -> None:
    clock = ManualClock(START)
    first = make_engine(backend.open(), clock)
    issue = first.open("closed-loop", reporter=RESIDENT)
    filed = first.fire(issue.id, "file", actor=OPERATOR, idempotency_key="req-1")

    later = make_engine(backend.open(), clock)
    again = later.fire(issue.id, "file", actor=OPERATOR, idempotency_key="req-1")
    assert again == filed
    assert later.store.find_idempotent(issue.id, "req-1") == filed
    assert len(later.history(issue.id)) == 2
    with pytest.raises(ConflictError, match="req-1"):
        later.fire(issue.id, "dispatch", actor=DISPATCHER, idempotency_key="req-1")
    assert later.get(issue.id).version == 1


class Interloper:
    """Makes another engine commit a move right after this engine read the issue."""

    govflow_name = "interloper"

    def __init__(self, other: Engine) -> None:
        self.other = other
        self.done: list[Event] = []

    @hookimpl
    def govflow_before_transition(self, issue: Issue) -> str | None:
        if not self.done:
            self.done.append(self.other.fire(issue.id, "file", actor=OPERATOR))
        return None


def test_stale_writer_gets_a_conflict_and_stores_nothing(backend: Backend) -> None:
    clock = ManualClock(START)
    fast = make_engine(backend.open(), clock)
    interloper = Interloper(fast)
    slow = make_engine(backend.open(), clock, plugins=(interloper,))
    issue = fast.open("closed-loop", reporter=RESIDENT)

    # slow reads version 0, fast files the issue meanwhile, slow's cancel is then stale.
    with pytest.raises(ConflictError, match="expected version 0 but the issue is at version 1"):
        slow.fire(issue.id, "cancel", actor=OPERATOR, payload={"reason": "重复"})

    [filed] = interloper.done
    for engine in (fast, slow):
        assert engine.get(issue.id).state == "filed"
        assert engine.history(issue.id)[-1] == filed
        assert engine.verify(issue.id) == 2


def test_duplicate_issue_id_is_a_conflict(backend: Backend) -> None:
    clock = ManualClock(START)
    engine = make_engine(backend.open(), clock)
    engine.open("closed-loop", reporter=RESIDENT, issue_id="2024-001", data={"n": 1})
    with pytest.raises(ConflictError, match="exists already"):
        engine.open("closed-loop", reporter="someone-else", issue_id="2024-001")
    assert engine.get("2024-001").reporter == RESIDENT.id
    assert engine.get("2024-001").data == {"n": 1}
    assert engine.verify("2024-001") == 1
    assert len(engine.store) == 1


def _next_move(store: Store, issue_id: str, *, state: str = "filed") -> tuple[Issue, Event]:
    """A well-formed next move of the issue, built by hand as a second engine would."""
    current = store.get(issue_id)
    last = store.last_event(issue_id)
    assert last is not None
    moved = attrs.evolve(current, state=state, version=current.version + 1)
    event = Event(
        issue_id,
        moved.version,
        "file",
        current.state,
        state,
        "op-2",
        current.updated_at,
        previous_hash=last.hash,
    )
    return moved, event


def test_direct_commit_conflicts(backend: Backend) -> None:
    store = backend.open()
    engine = make_engine(store, ManualClock(START))
    issue = engine.open("closed-loop", reporter=RESIDENT)
    moved, event = _next_move(store, issue.id)
    store.commit(moved, event)

    with pytest.raises(ConflictError, match="expected version 0 but the issue is at version 1"):
        store.commit(moved, event)
    with pytest.raises(ConflictError, match="does not belong"):
        store.commit(moved, attrs.evolve(event, sequence=5))
    ghost = attrs.evolve(moved, id="ghost")
    with pytest.raises(ConflictError, match="does not exist"):
        store.commit(ghost, attrs.evolve(event, issue_id="ghost"))
    assert store.get(issue.id) == moved
    assert tuple(store.events(issue.id))[-1] == event
    assert len(store) == 1


def test_a_refused_commit_leaves_no_trace(backend: Backend) -> None:
    # The issue update and the event insert succeed; the idempotency key is a duplicate. The
    # whole move must be rolled back: no half-applied state, no orphan event.
    store = backend.open()
    engine = make_engine(store, ManualClock(START))
    issue = engine.open("closed-loop", reporter=RESIDENT)
    engine.fire(issue.id, "file", actor=OPERATOR, idempotency_key="k")
    before_issue, before_events = store.get(issue.id), tuple(store.events(issue.id))

    moved, event = _next_move(store, issue.id, state="handling")
    with pytest.raises(ConflictError, match="idempotency key 'k' was used already"):
        store.commit(moved, event, idempotency_key="k")

    again = backend.open()
    assert again.get(issue.id) == before_issue
    assert tuple(again.events(issue.id)) == before_events
    assert engine.verify(issue.id) == 2


def test_tick_finds_due_issues(backend: Backend) -> None:
    def scenario(engine: Engine, clock: ManualClock) -> None:
        early = engine.open("closed-loop", reporter=RESIDENT)  # collected: 2h limit
        clock.advance(minutes=10)
        late = engine.open("closed-loop", reporter=RESIDENT)
        engine.fire(late.id, "file", actor=OPERATOR)  # filed: 1h limit
        clock.advance(minutes=10)
        handled = engine.open("closed-loop", reporter=RESIDENT)
        engine.fire(handled.id, "file", actor=OPERATOR)
        engine.fire(handled.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["g"]})
        assert engine.tick() == []
        assert list(engine.store.due(clock.now())) == []
        # An hour and 20 minutes later, only late's 1h limit has passed; the others follow.
        clock.advance(hours=1, minutes=1)
        assert [issue.id for issue in engine.store.due(clock.now())] == [late.id]
        clock.advance(days=7)  # past handling's 3 working days, whatever the weekday
        due = [issue.id for issue in engine.store.due(clock.now())]
        assert due == [late.id, early.id, handled.id]  # earliest due first
        fired = engine.tick()  # only handling has a timeout move
        assert [(e.issue_id, e.trigger) for e in fired] == [(handled.id, "supervise")]

    clock = ManualClock(START)
    engine = make_engine(backend.open(), clock)
    scenario(engine, clock)
    expected = reference(scenario)
    assert list(engine.issues()) == list(expected.issues())


def test_due_orders_by_instant_whatever_the_offset(backend: Backend) -> None:
    store = backend.open()
    engine = make_engine(store, ManualClock(START))
    utc_issue = engine.open("closed-loop", reporter=RESIDENT)  # due 11:00 UTC
    # Opened later on the wall clock of Beijing, but due earlier in real time (10:30 UTC).
    beijing = make_engine(store, ManualClock(datetime(2024, 3, 1, 16, 30, tzinfo=BEIJING)))
    bj_issue = beijing.open("closed-loop", reporter=RESIDENT)
    when = datetime(2024, 3, 1, 19, 0, tzinfo=BEIJING)  # 11:00 UTC
    assert [issue.id for issue in store.due(when)] == [bj_issue.id, utc_issue.id]
    assert [issue.id for issue in store.due(when - timedelta(seconds=1))] == [bj_issue.id]


def test_data_survives_closing_and_reopening(backend: Backend) -> None:
    clock = ManualClock(START)
    store = backend.open()
    engine = make_engine(store, clock)
    ids = [full_loop(engine, clock) for _ in range(2)]
    ids.append(engine.open("closed-loop", reporter=RESIDENT, issue_id="X-9").id)
    history = {issue_id: engine.history(issue_id) for issue_id in ids}
    issues = list(engine.issues())
    backend.close()

    reopened = make_engine(backend.open(), clock)
    assert list(reopened.issues()) == issues
    assert [issue.id for issue in issues] == ids
    for issue_id in ids:
        assert reopened.history(issue_id) == history[issue_id]
        assert reopened.verify(issue_id) == len(history[issue_id])
    assert len(reopened.store) == 3
    fresh = reopened.store.new_issue_id()
    assert fresh not in ids


def test_new_issue_ids_are_unique_across_handles(backend: Backend) -> None:
    one, two = backend.open(), backend.open()
    engine = make_engine(one, ManualClock(START))
    engine.open("closed-loop", reporter=RESIDENT, issue_id="3")  # a number taken by hand
    seen = [store.new_issue_id() for _ in range(10) for store in (one, two)]
    assert len(set(seen)) == len(seen)
    assert "3" not in seen


def test_tampered_event_is_caught(backend: Backend) -> None:
    clock = ManualClock(START)
    engine = make_engine(backend.open(), clock)
    issue_id = full_loop(engine, clock)
    backend.tamper_actor(issue_id, 3, "someone-else")

    reopened = make_engine(backend.open(), clock)
    with pytest.raises(IntegrityError, match=r"event 3: was edited") as caught:
        reopened.verify(issue_id)
    assert caught.value.issue_id == issue_id


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=json_data(),
    opened_at=st.builds(
        lambda minutes, microsecond: datetime(
            2024, 3, 1, 9, 0, 0, microsecond, tzinfo=timezone(timedelta(minutes=minutes))
        ),
        st.integers(-14 * 60, 14 * 60),
        st.integers(0, 999_999),
    ),
    location=log_text(),
    reason=log_text().filter(str.strip),
)
def test_any_json_data_and_any_offset_round_trip(
    backend: Backend, data: dict[str, Any], opened_at: datetime, location: str, reason: str
) -> None:
    store = backend.shared()
    engine = make_engine(store, ManualClock(opened_at))
    issue = engine.open("closed-loop", reporter=RESIDENT, location=location, data=data)
    cancel = engine.fire(issue.id, "cancel", actor=OPERATOR, payload={"reason": reason, "x": data})

    stored = store.get(issue.id)
    assert stored.data == data
    assert stored.location == location
    assert stored.opened_at.isoformat() == opened_at.isoformat()
    assert store.last_event(issue.id) == cancel
    assert verify_events(store.events(issue.id), stored) == 2


# --- every store refuses and keeps alike ------------------------------------------------------


HOSTILE_TEXT = st.sampled_from(["a\x00b", "lone \ud800", "x" * 257, ""]) | st.integers()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=HOSTILE_TEXT, where=st.sampled_from(["location", "category", "issue_id", "key"]))
def test_every_store_refuses_the_same_text_with_the_same_error(
    backend: Backend, text: Any, where: str
) -> None:
    store = backend.shared()
    engine = make_engine(store, ManualClock(START))
    before = (len(store), store.log_size())
    arguments: dict[str, Any] = {"idempotency_key": text} if where == "key" else {where: text}
    with pytest.raises(InvalidRequestError) as caught:
        engine.open("closed-loop", reporter=RESIDENT, **arguments)
    reference = make_engine(MemoryStore(), ManualClock(START))
    with pytest.raises(InvalidRequestError) as expected:
        reference.open("closed-loop", reporter=RESIDENT, **arguments)
    assert str(caught.value) == str(expected.value)
    assert (len(store), store.log_size()) == before


def test_every_store_refuses_a_naive_time_alike(backend: Backend) -> None:
    with pytest.raises(InvalidRequestError, match="now must carry a UTC offset"):
        list(backend.open().due(datetime(2024, 3, 1, 9)))


def test_every_store_keeps_nul_inside_json_and_the_longest_key(backend: Backend) -> None:
    store = backend.open()
    engine = make_engine(store, ManualClock(START))
    longest = "键" * 256
    issue = engine.open(
        "closed-loop", reporter=RESIDENT, data={"note": "a\x00b"}, idempotency_key=longest
    )
    assert store.get(issue.id).data == {"note": "a\x00b"}
    assert engine.open(
        "closed-loop", reporter=RESIDENT, data={"note": "a\x00b"}, idempotency_key=longest
    ) == store.get(issue.id)
    assert len(store) == 1
    assert engine.verify(issue.id) == 1
