"""The hypothesis strategies generate what they promise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import CLOSED_LOOP, Workflow
from govflow.testing.strategies import (
    NOBODY,
    REPORTER,
    ROLES,
    UNKNOWN_TRIGGER,
    cast_for,
    event_sequences,
    workflows,
)

FEW = settings(max_examples=40, deadline=None)


@FEW
@given(workflows(max_states=4, name="tiny"))
def test_workflows_respect_their_bounds(workflow: Workflow) -> None:
    assert workflow.name == "tiny"
    assert 2 <= len(workflow.states) <= 4
    assert workflow.roles <= set(ROLES)
    assert not workflow.guard_names
    assert any(s.terminal for s in workflow.states)


def test_the_cast_covers_every_role() -> None:
    cast = cast_for(CLOSED_LOOP)
    assert set(cast) == {REPORTER, NOBODY, "dispatcher", "inspector", "operator"}
    assert cast["inspector"].roles == {"inspector"}
    assert not cast[NOBODY].roles


@FEW
@given(st.data())
def test_event_sequences_use_the_cast_and_the_workflow(data: st.DataObject) -> None:
    cast = cast_for(CLOSED_LOOP)
    steps = data.draw(event_sequences(CLOSED_LOOP, cast, max_size=8))
    assert len(steps) <= 8
    for trigger, alias, payload in steps:
        assert trigger in CLOSED_LOOP.triggers | {UNKNOWN_TRIGGER}
        assert alias in cast
        assert set(payload) <= {"assignees"}
        assert set(payload.get("assignees", [])) <= {a.id for a in cast.values()}


def test_event_sequences_walk_the_graph() -> None:
    # Sequences mostly follow the workflow: some must start with a move out of the initial state.
    seen: set[str] = set()

    @settings(max_examples=30, deadline=None)
    @given(event_sequences(CLOSED_LOOP, max_size=3))
    def collect(steps: list[tuple[str, str, dict[str, object]]]) -> None:
        if steps:
            seen.add(steps[0][0])

    collect()
    assert seen & {"file", "cancel"}
