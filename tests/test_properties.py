"""Properties of the engine over random workflows and random moves by random actors.

Whatever happens, an issue is always in a state its workflow declares; a refused move changes
nothing and appends nothing; the audit log verifies and replays to the stored issue.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import Engine, ManualClock, check, replay
from govflow.errors import RefusalError
from govflow.testing.strategies import (
    REPORTER,
    UNKNOWN_TRIGGER,
    cast_for,
    event_sequences,
    workflows,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.data())
def test_random_moves_keep_every_invariant(data: st.DataObject) -> None:
    workflow = data.draw(workflows(), label="workflow")
    cast = cast_for(workflow)
    steps = data.draw(event_sequences(workflow, cast), label="steps")
    clock = ManualClock(datetime(2024, 1, 1, tzinfo=UTC))
    engine = Engine(workflows=[workflow], clock=clock, autoload=False)
    issue_id = engine.open(workflow.name, reporter=cast[REPORTER]).id
    for trigger, alias, payload in steps:
        before, history = engine.get(issue_id), engine.history(issue_id)
        try:
            event = engine.fire(issue_id, trigger, actor=cast[alias], payload=payload)
        except RefusalError:
            assert engine.get(issue_id) == before
            assert engine.history(issue_id) == history
        else:
            assert trigger != UNKNOWN_TRIGGER
            assert event.source == before.state
            assert engine.get(issue_id).version == before.version + 1
        assert workflow.has_state(engine.get(issue_id).state)
        clock.advance(hours=5)
        engine.tick()
        assert workflow.has_state(engine.get(issue_id).state)
    events = engine.history(issue_id)
    assert replay(events) == engine.get(issue_id)
    assert engine.verify(issue_id) == len(events)


@FAST
@given(workflows())
def test_generated_workflows_round_trip_and_check_alike(workflow) -> None:  # type: ignore[no-untyped-def]
    report = check(workflow)
    # The constructor already guarantees these; the checker must agree with it.
    assert not report.by_rule("reachable")
    assert not report.by_rule("dead-end")
    assert check(workflow.to_dict()).problems == report.problems
    for problem in report.problems:
        assert problem.path, problem
        assert problem.path[0].state == workflow.initial
        for step, after in zip(problem.path, problem.path[1:], strict=False):
            assert step.trigger is not None
            move = workflow.transition(step.state, step.trigger)
            assert move is not None, problem
            assert move.destination == after.state, problem
