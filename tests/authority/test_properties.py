"""Hypothesis: for random org graphs and random actors, a move is accepted exactly when its
actor holds one of its roles in a unit covering the issue's location -- checked against a
brute-force walk of the networkx graph (``govflow.testing.authority.holds_in_scope``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, ManualClock, Scope, State, StateKind, Transition, Workflow
from govflow.errors import PermissionDeniedError
from govflow.testing.authority import holds_in_scope
from govflow.testing.strategies import ORG_ROLES, staffed_orgs

from ..conftest import START


def _one_move(roles: frozenset[str]) -> Workflow:
    return Workflow(
        "one-move",
        [State("open", kind=StateKind.OPEN), State("done", kind=StateKind.CLOSED)],
        [Transition("act", "open", "done", roles=roles)],
        initial="open",
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_accepted_move_was_made_by_someone_holding_the_post_in_scope(
    data: st.DataObject,
) -> None:
    org = data.draw(staffed_orgs())
    roles = data.draw(st.frozensets(st.sampled_from(ORG_ROLES), min_size=1, max_size=2))
    engine = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[_one_move(roles)])
    places = [u.id for u in org.units() if u.layer == "administrative"]
    people = sorted(org.people)
    for _ in range(data.draw(st.integers(1, 6))):
        location = data.draw(st.sampled_from([*places, None]))
        who = data.draw(st.sampled_from([*people, "stranger"]))
        claimed = data.draw(st.frozensets(st.sampled_from(ORG_ROLES)))
        issue = engine.open("one-move", reporter="resident", location=location)
        actor = Actor(who, roles=claimed)  # claimed roles must make no difference
        if holds_in_scope(org, who, roles, location):
            assert engine.fire(issue.id, "act", actor=actor).actor == who
        else:
            with pytest.raises(PermissionDeniedError) as refused:
                engine.fire(issue.id, "act", actor=actor)
            assert refused.value.scope == "location"
            assert engine.get(issue.id).version == 0


def _posts(org: object, person: str) -> set[tuple[str, str]]:
    """Brute force: ``(unit, role)`` of every member_of edge leaving ``person``."""
    graph = org.nx  # type: ignore[attr-defined]
    if person not in graph:
        return set()
    return {
        (unit, role)
        for _, unit, kind, data in graph.out_edges(person, keys=True, data=True)
        if kind == "member_of"
        for role in data.get("roles", ())
    }


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_assigned_and_anywhere_scopes_against_the_graph(data: st.DataObject) -> None:
    org = data.draw(staffed_orgs())
    roles = data.draw(st.frozensets(st.sampled_from(ORG_ROLES), min_size=1, max_size=2))
    scope = data.draw(st.sampled_from([Scope.ASSIGNED, Scope.ANYWHERE]))
    flow = Workflow(
        "assigned-move",
        [
            State("open", kind=StateKind.OPEN),
            State("working", kind=StateKind.PROCESSING),
            State("done", kind=StateKind.CLOSED),
        ],
        [
            Transition("assign", "open", "working", assigns=True),
            Transition("act", "working", "done", roles=roles, scope=scope),
        ],
        initial="open",
    )
    engine = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[flow])
    units = [u.id for u in org.units()]
    people = sorted(org.people)
    issue = engine.open(flow.name, reporter="resident")
    assigned = data.draw(st.lists(st.sampled_from(units), min_size=1, max_size=2, unique=True))
    engine.fire(issue.id, "assign", actor="resident", payload={"assignees": assigned})
    who = data.draw(st.sampled_from([*people, "stranger"]))
    held = _posts(org, who)
    if scope is Scope.ANYWHERE:
        expected = any(role in roles for _, role in held)
    else:
        expected = any(unit in assigned and role in roles for unit, role in held)
    if expected:
        event = engine.fire(issue.id, "act", actor=who)
        assert event.actor == who
        assert (event.acting_for in assigned) if scope is Scope.ASSIGNED else True
    else:
        with pytest.raises(PermissionDeniedError) as refused:
            engine.fire(issue.id, "act", actor=who)
        assert refused.value.scope == str(scope)
        assert engine.get(issue.id).state == "working"
