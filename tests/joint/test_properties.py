"""Invariants of joins: random reports in random order never leave a join early or late, and
replaying the log rebuilds every party's state."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, ManualClock, State, StateKind, Transition, Workflow
from govflow.audit import replay
from govflow.errors import RefusalError
from govflow.testing.joint import DrawnRound, expected_departure, party_rounds, summon_payload

from .conftest import START


def _workflow(drawn: DrawnRound) -> Workflow:
    return Workflow(
        "round",
        initial="asked",
        states=[
            State("asked", time_limit="1d"),
            State("joint", time_limit="9d", join=drawn.join),
            State("done", kind=StateKind.CLOSED),
        ],
        transitions=[
            Transition("summon", "asked", "joint"),
            Transition("report", "joint", "done", reports=True),
            Transition("give_up", "joint", "done", on_timeout=True),
        ],
    )


@settings(max_examples=60, deadline=None)
@given(drawn=party_rounds(), hours=st.lists(st.integers(0, 30), max_size=12))
def test_random_reports_never_leave_a_join_early_or_late(
    drawn: DrawnRound, hours: list[int]
) -> None:
    clock = ManualClock(START)
    engine = Engine(clock=clock, autoload=False, workflows=[_workflow(drawn)])
    issue = engine.open("round", reporter="r")
    engine.fire(issue.id, "summon", actor=Actor("street"), payload=summon_payload(drawn))
    leaves_at = expected_departure(drawn)
    for index, who in enumerate(drawn.attempts):
        if index < len(hours):
            clock.advance(hours=hours[index])
            engine.tick()  # parties fall overdue, one by one; they still owe their reports
        if engine.get(issue.id).state != "joint":
            # only the state's own 9-day limit may end the round before the model says so
            assert engine.history(issue.id)[-1].trigger == "give_up"
            break
        try:
            engine.fire(issue.id, "report", actor=Actor(who))
        except RefusalError:
            assert who not in drawn.parties or who in {
                p.id for p in engine.parties(issue.id) if not p.pending
            }
            continue
        left = engine.get(issue.id).state == "done"
        assert left == (index == leaves_at), (index, leaves_at)
        if left:
            break
    else:
        assert leaves_at is None
    events = engine.history(issue.id)
    rebuilt = replay(events)
    assert rebuilt == engine.get(issue.id)
    assert rebuilt.joint == engine.get(issue.id).joint
    assert engine.verify(issue.id) == len(events)
