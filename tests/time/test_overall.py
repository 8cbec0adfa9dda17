"""The 办结时限 (the whole issue's limit) on real dates: what the clock does when it passes,
how 挂起 and 延期 move it, and how 按期办结率 counts it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from govflow import (
    Engine,
    Event,
    ManualClock,
    State,
    StateKind,
    Transition,
    Workflow,
    check,
    hookimpl,
    workflow_to_mermaid,
)
from govflow.errors import InvalidWorkflowError
from govflow.metrics import Metric, Ratio, compute
from govflow.store import SQLStore
from govflow.testing import overall_due, past

from .test_deadlines import DEPARTMENT, DISPATCHER, RESIDENT, SUPERVISOR, intact, local

P = StateKind.PROCESSING
OVERALL: dict[str, Any] = {
    "overall": "10wd",
    "on_overdue": "supervise",
    "pause_roles": ["supervisor"],
    "extension_roles": ["supervisor"],
    "max_extension": "5wd",
}


def workflow(**deadlines: Any) -> Workflow:
    return Workflow(
        name="complaint",
        label="投诉件",
        initial="received",
        states=[
            State("received", "受理", StateKind.OPEN, timeout_exempt=True),
            State("handling", "承办", P, time_limit="15wd"),
            State("supervised", "督办", P, time_limit="1wd"),
            State("fed_back", "回访", StateKind.FEEDBACK, time_limit="20wd"),
            State("closed", "办结", StateKind.CLOSED),
        ],
        transitions=[
            Transition("dispatch", "received", "handling", roles={"dispatcher"}, assigns=True),
            Transition("supervise", "handling", "supervised", on_timeout=True, label="督办"),
            Transition("finish", ("handling", "supervised"), "fed_back", roles={"department"}),
            Transition("evaluate", "fed_back", "closed", requires={"reporter"}, evaluation=True),
            Transition("close_unrated", "fed_back", "closed", on_timeout=True),
        ],
        deadlines={**OVERALL, **deadlines},
    )


COMPLAINT = workflow()
#: Monday 2026-09-28, 10:00 in Shanghai: ten working days later, counting the make-up
#: Saturday 10-10 and skipping 国庆 (10-01..10-07), is Friday 10-16.
OPENED = local(2026, 9, 28, 10, 0)
OVERALL_DUE = local(2026, 10, 16, 17, 30)


class Listener:
    govflow_name = "listener"

    def __init__(self) -> None:
        self.seen: list[Event] = []

    @hookimpl
    def govflow_after_transition(self, event: Event) -> None:
        self.seen.append(event)


def engine_on(*plugins: object, store: Any = None) -> tuple[Engine, ManualClock]:
    clock = ManualClock(OPENED)
    engine = Engine(
        clock=clock, autoload=False, workflows=[COMPLAINT], plugins=plugins, store=store
    )
    return engine, clock


def dispatched(engine: Engine) -> str:
    issue = engine.open("complaint", reporter=RESIDENT)
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": [DEPARTMENT.id]})
    return issue.id


def closed(engine: Engine, issue_id: str) -> None:
    if engine.get(issue_id).state != "fed_back":
        engine.fire(issue_id, "finish", actor=DEPARTMENT)
    engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "满意"})


def test_the_overall_limit_passing_is_an_event_then_the_declared_trigger() -> None:
    listener = Listener()
    engine, clock = engine_on(listener)
    issue_id = dispatched(engine)
    issue = engine.get(issue_id)
    assert issue.timing["overall_due"] == OVERALL_DUE.isoformat()
    assert issue.due_at == local(2026, 10, 23, 17, 30)  # handling's own 15 working days
    assert issue.alarm_at == OVERALL_DUE  # the store indexes the earlier of the two
    clock.set(OVERALL_DUE - timedelta(minutes=1))
    assert engine.tick() == []
    clock.set(OVERALL_DUE)
    passed, supervised = engine.tick()
    assert (passed.trigger, passed.actor, passed.source, passed.destination) == (
        "overall_overdue",
        "system:clock",
        "handling",
        "handling",
    )
    assert passed.payload == {"overall_due": OVERALL_DUE.isoformat()}
    assert (supervised.trigger, supervised.actor, supervised.destination) == (
        "supervise",
        "system:clock",
        "supervised",
    )
    assert listener.seen[-2:] == [passed, supervised]
    assert engine.get(issue_id).timing["overdue"] == OVERALL_DUE.isoformat()
    clock.advance(hours=1)
    assert engine.tick() == []  # once: the record stays, the clock does not repeat it
    intact(engine, issue_id)
    closed(engine, issue_id)
    report = compute(engine, ["completion", "on_time"])
    assert (report.total["completion"].numerator, report.total["on_time"].numerator) == (1, 0)


def test_a_state_without_the_trigger_only_records_the_limit_passing() -> None:
    engine, clock = engine_on()
    issue_id = dispatched(engine)
    clock.set(local(2026, 10, 15, 10, 0))
    engine.fire(issue_id, "finish", actor=DEPARTMENT)  # on time for handling; now fed back
    clock.set(OVERALL_DUE + timedelta(hours=1))
    [passed] = engine.tick()
    assert (passed.trigger, passed.destination) == ("overall_overdue", "fed_back")
    assert engine.get(issue_id).state == "fed_back"
    closed(engine, issue_id)
    assert compute(engine, ["on_time"]).total["on_time"].numerator == 0


def test_an_issue_closed_in_time_leaves_nothing_pending_and_counts_on_time() -> None:
    engine, clock = engine_on()
    issue_id = dispatched(engine)
    clock.set(local(2026, 10, 16, 9, 0))
    closed(engine, issue_id)
    issue = engine.get(issue_id)
    assert overall_due(issue) is None
    assert "overall_due" not in issue.timing
    assert "overdue" not in issue.timing
    assert issue.alarm_at is None
    clock.set(OVERALL_DUE + timedelta(days=1))
    assert engine.tick() == []
    assert compute(engine, ["on_time"]).total["on_time"].value == 1.0
    intact(engine, issue_id)


def test_an_issue_closed_after_the_limit_before_any_tick_is_late() -> None:
    engine, clock = engine_on()
    issue_id = dispatched(engine)
    clock.set(OVERALL_DUE + timedelta(minutes=5))  # no tick ran: the closing move sees it
    closed(engine, issue_id)
    assert engine.get(issue_id).timing["overdue"] == OVERALL_DUE.isoformat()
    assert [e.trigger for e in engine.history(issue_id)][-2:] == ["finish", "evaluate"]
    assert compute(engine, ["on_time"]).total["on_time"].value == 0.0


def test_a_pause_stops_the_overall_clock() -> None:
    engine, clock = engine_on()
    issue_id = dispatched(engine)
    clock.set(local(2026, 10, 12, 10, 0))  # Monday: 34 office hours of the limit left
    engine.pause(issue_id, actor=SUPERVISOR, reason="等待司法鉴定结果")
    assert engine.get(issue_id).alarm_at is None  # paused: no clock runs
    clock.set(OVERALL_DUE + timedelta(hours=1))
    assert engine.tick() == []
    clock.set(local(2026, 10, 19, 10, 0))  # resumed a week later
    engine.resume(issue_id, actor=SUPERVISOR)
    moved = local(2026, 10, 23, 17, 30)  # Mon 6 h + Tue..Fri 28 h
    assert engine.get(issue_id).timing["overall_due"] == moved.isoformat()
    clock.set(moved - timedelta(minutes=1))
    assert engine.tick() == []
    clock.set(moved)
    assert [e.trigger for e in engine.tick()] == ["overall_overdue", "supervise"]
    intact(engine, issue_id)


def test_an_approved_extension_moves_the_overall_limit() -> None:
    engine, clock = engine_on()
    issue_id = dispatched(engine)
    clock.set(local(2026, 10, 14, 9, 0))
    engine.request_extension(issue_id, actor=DEPARTMENT, by="2wd", reason="需协调多个部门")
    engine.approve_extension(issue_id, actor=SUPERVISOR)
    extended = local(2026, 10, 20, 17, 30)  # two working days after 10-16: Mon, Tue
    assert engine.get(issue_id).timing["overall_due"] == extended.isoformat()
    clock.set(OVERALL_DUE + timedelta(minutes=1))
    assert engine.tick() == []
    clock.set(local(2026, 10, 20, 16, 0))
    closed(engine, issue_id)  # within the extended limit: on time (按期)
    assert compute(engine, ["on_time"]).total["on_time"].value == 1.0
    intact(engine, issue_id)


def test_the_sql_store_indexes_the_overall_limit(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 'overall.db'}")
    engine, clock = engine_on(store=store)
    issue_id = dispatched(engine)
    assert overall_due(engine.get(issue_id)) == OVERALL_DUE
    past(OVERALL_DUE, clock)
    assert [e.trigger for e in engine.tick()] == ["overall_overdue", "supervise"]
    intact(engine, issue_id)
    dispatched(engine)  # a second issue, within its limit
    past_limit = Metric("past_limit", "fired:overall_overdue", "received", label="超期率")
    report = compute(engine, [past_limit, "on_time"])
    assert report.total["past_limit"] == Ratio(1, 2)
    assert compute(engine, [past_limit, "on_time"], source="sql") == report
    store.close()


def test_the_overall_limit_is_data_check_and_diagrams_see() -> None:
    data = COMPLAINT.to_dict()
    assert data["deadlines"]["on_overdue"] == "supervise"  # type: ignore[index]
    assert Workflow.from_dict(data) == COMPLAINT
    assert "note right of received: 办结时限 10wd, then supervise" in workflow_to_mermaid(
        COMPLAINT, limits=True
    )
    assert check(COMPLAINT).ok
    with pytest.raises(InvalidWorkflowError, match="on_overdue names trigger 'escalate'"):
        workflow(on_overdue="escalate")
    with pytest.raises(InvalidWorkflowError, match="acts when 'overall' passes, and it is missing"):
        workflow(overall=None)
    wrong = {**data, "deadlines": {**OVERALL, "on_overdue": "escalate"}}
    [problem] = check(wrong).by_rule("valid")
    assert "on_overdue names trigger 'escalate', which no transition has" in problem.message
