"""The hypothesis strategies generate what they promise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import CLOSED_LOOP, Workflow
from govflow.testing import parse_org
from govflow.testing.strategies import (
    NOBODY,
    ORG_ROLES,
    REPORTER,
    ROLES,
    UNKNOWN_TRIGGER,
    OrgLiteral,
    cast_for,
    event_sequences,
    org_graphs,
    org_literals,
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


@FEW
@given(org_literals(max_communities=2, max_grids=2, max_people=3))
def test_org_literals_parse(literal: OrgLiteral) -> None:
    tree, people = literal
    units, posts = parse_org(tree, people)
    assert units[0].kind == "street"
    assert {u.kind for u in units} <= {"street", "community", "grid", "building"}
    assert len(posts) <= 3
    assert all(role in ORG_ROLES for person in posts.values() for _, role in person)


def test_org_graphs_build() -> None:
    pytest.importorskip("govflow.org", reason="the org graph is merged from branch org-graph")

    @settings(max_examples=10, deadline=None)
    @given(org_graphs(max_communities=2))
    def build(graph: object) -> None:
        assert graph.unit("s1").kind == "street"  # type: ignore[attr-defined]

    build()
