"""The seeds' two promises, tried by hypothesis against every workflow govflow ships.

* Nobody evaluates their own work: no evaluation move is ever accepted from an actor who
  handled the issue, however the roles are combined.
* Every accepted issue that is closed was fed back to the resident first (收集-交办-处理-反馈).

The cast is built to break them: the grid worker also holds every office's role, and the
resident can be dispatched the work on their own complaint. On the closed loop the random
walks do reach evaluations and closures (the last test checks that they are not vacuous); on
the method plugins' workflows they rarely get past a deliberation gate, which needs a ballot
of the right body, so there the deeper paths are the plugins' own step-by-step tests' job.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, Event, ManualClock, StateKind, Workflow
from govflow.errors import RefusalError

Choose = Callable[[Sequence[Any]], Any]

RESIDENT = Actor("resident-1", roles={"grid_worker"})
OFFICES = {"operator", "dispatcher", "inspector", "grid_worker", "two_committees", "council"}
CAST = {
    "resident": RESIDENT,
    "worker": Actor("grid-7", roles={"grid_worker"}),
    "insider": Actor("grid-7", roles=OFFICES),  # the same person as the worker, every office
    "office": Actor("office-1", roles=OFFICES),
    "stranger": Actor("stranger"),
}
PAYLOADS = (
    {},
    {"assignees": ["grid-7"]},
    {"assignees": ["resident-1"]},
    {"reason": "整改不到位"},
    {"satisfaction": "satisfied"},
    {"satisfaction": "dissatisfied"},
)

SHIPPED = Engine(autoload=True).workflows
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def walk(name: str, choose: Choose) -> tuple[Engine, str, list[tuple[Event, tuple[str, ...]]]]:
    """Random moves on one issue of workflow ``name``: each step usually a trigger that leaves
    the current state (uniform triggers would almost never get an issue anywhere), fired by a
    random member of the cast with a random payload; now and then the clock jumps a week.
    Returns the engine, the issue id, and each accepted event with the issue's handlers just
    before it."""
    workflow = SHIPPED[name]
    clock = ManualClock(datetime(2024, 1, 1, tzinfo=UTC))
    engine = Engine(autoload=True, clock=clock)
    issue_id = engine.open(name, reporter=RESIDENT).id
    moves: list[tuple[Event, tuple[str, ...]]] = []
    for _ in range(choose(range(41))):
        issue = engine.get(issue_id)
        leaving = sorted(m.trigger for m in workflow.outgoing(issue.state))
        if not leaving:
            break
        pool = leaving if choose((True, True, True, False)) else sorted(workflow.triggers)
        trigger = choose(pool)
        actor = CAST[choose(sorted(CAST))]
        try:
            event = engine.fire(issue_id, trigger, actor=actor, payload=choose(PAYLOADS))
        except RefusalError:
            pass
        else:
            moves.append((event, issue.handlers))
        if choose(range(10)) == 0:
            clock.advance(days=8)
            engine.tick()
    return engine, issue_id, moves


def drawn(data: st.DataObject) -> Choose:
    return lambda options: data.draw(st.sampled_from(list(options)))


def accepted(workflow: Workflow, events: Sequence[Event]) -> bool:
    """Taken up: the issue left the open states for anything but a cancellation."""
    return any(
        workflow.state(e.destination).kind not in (StateKind.OPEN, StateKind.CANCELLED)
        for e in events[1:]
    )


def closed_after_acceptance(workflow: Workflow, engine: Engine, issue_id: str) -> bool:
    issue = engine.get(issue_id)
    return workflow.state(issue.state).kind is StateKind.CLOSED and accepted(
        workflow, engine.history(issue_id)
    )


@pytest.mark.parametrize("name", sorted(SHIPPED))
@PROPERTY
@given(data=st.data())
def test_nobody_judges_their_own_work(name: str, data: st.DataObject) -> None:
    workflow = SHIPPED[name]
    engine, issue_id, moves = walk(name, drawn(data))
    for event, handlers_before in moves:
        move = workflow.transition(event.source or "", event.trigger)
        assert move is not None
        if move.evaluation:
            assert event.actor not in handlers_before, engine.history(issue_id)


@pytest.mark.parametrize("name", sorted(SHIPPED))
@PROPERTY
@given(data=st.data())
def test_every_accepted_issue_that_closes_was_fed_back(name: str, data: st.DataObject) -> None:
    workflow = SHIPPED[name]
    engine, issue_id, _ = walk(name, drawn(data))
    if closed_after_acceptance(workflow, engine, issue_id):
        kinds = [workflow.state(e.destination).kind for e in engine.history(issue_id)]
        assert StateKind.FEEDBACK in kinds, [e.destination for e in engine.history(issue_id)]


def test_the_walks_do_reach_evaluations_and_closures() -> None:
    """The properties above are not vacuous: walks like theirs, on the closed loop, get issues
    accepted and closed, and get evaluations accepted."""
    workflow = SHIPPED["closed-loop"]
    closed = evaluations = 0
    for seed in range(60):
        rng = random.Random(seed)
        engine, issue_id, moves = walk("closed-loop", lambda options, rng=rng: rng.choice(options))
        closed += closed_after_acceptance(workflow, engine, issue_id)
        for event, _ in moves:
            move = workflow.transition(event.source or "", event.trigger)
            evaluations += move is not None and move.evaluation
    assert closed >= 3
    assert evaluations >= 3
