"""Actors resolved from the graph, and the scope of every permission (issue 9, items 1 and 2).

With an org graph, a caller passes a person id; what that person may do is derived from the
posts they hold, and a post counts only where its scope says: at the issue's location or in a
unit whose jurisdiction covers it, in an assigned unit, in a unit a plugin names, anywhere.
"""

from __future__ import annotations

import pytest

from govflow import (
    Actor,
    Engine,
    ManualClock,
    OrgGraph,
    Scope,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.authority import who_may
from govflow.errors import InvalidRequestError, PermissionDeniedError

from ..conftest import START


def _snapshot(engine: Engine, issue_id: str) -> tuple[object, int]:
    return engine.get(issue_id), len(engine.history(issue_id))


def test_a_person_id_is_enough_and_claimed_roles_are_not_evidence(district: Engine) -> None:
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    before = _snapshot(district, issue.id)
    # someone the graph does not know claims the operator's role: refused, nothing changes
    with pytest.raises(PermissionDeniedError) as refused:
        district.fire(issue.id, "file", actor=Actor("impostor", roles={"operator"}))
    assert refused.value.missing_roles == ("operator",)
    assert _snapshot(district, issue.id) == before
    # the operator of the street is found by id alone
    event = district.fire(issue.id, "file", actor="op")
    assert event.actor == "op"


def test_an_actor_is_re_derived_from_the_graph(district: Engine) -> None:
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    # an Actor's id counts, its roles are replaced by the posts the graph gives the person
    event = district.fire(issue.id, "file", actor=Actor("op", roles={"nothing"}))
    assert event.actor == "op"
    assert district.available_triggers(issue.id, "op") == ["dispatch"]
    assert district.available_triggers(issue.id, Actor("w1", roles={"dispatcher"})) == []


def test_a_post_held_in_the_wrong_unit_is_refused_naming_role_scope_and_units(
    district: Engine,
) -> None:
    """向阳社区's operator may not file an issue of 喻义巷社区's grid."""
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    before = _snapshot(district, issue.id)
    with pytest.raises(PermissionDeniedError) as refused:
        district.fire(issue.id, "file", actor="clerk-c2")
    error = refused.value
    assert (error.actor, error.trigger, error.missing_roles) == ("clerk-c2", "file", ("operator",))
    assert error.scope == "location"
    assert error.units == ("g1", "c1", "c1/party", "s1", "d1")
    assert "held at 'g1'" in str(error)
    assert _snapshot(district, issue.id) == before
    assert district.fire(issue.id, "file", actor="op").destination == "filed"


def test_a_party_unit_leading_the_place_covers_it(district: Engine) -> None:
    """The community's 党委 leads the community: its secretary's post counts in its grids."""
    moves = [Transition("review", "open", "done", roles={"secretary"})]
    flow = Workflow(
        "review",
        [State("open", kind=StateKind.OPEN), State("done", kind=StateKind.CLOSED)],
        moves,
        initial="open",
    )
    engine = Engine(org=district.org, clock=ManualClock(START), autoload=False, workflows=[flow])
    inside = engine.open("review", reporter="r", location="g2")
    outside = engine.open("review", reporter="r", location="g3")
    assert engine.fire(inside.id, "review", actor="zhao").destination == "done"
    with pytest.raises(PermissionDeniedError, match="held at 'g3'"):
        engine.fire(outside.id, "review", actor="zhao")


def test_a_unit_is_not_an_actor(district: Engine) -> None:
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    with pytest.raises(InvalidRequestError, match="acts through the people holding its posts"):
        district.fire(issue.id, "file", actor="s1")


def _scoped(scope: Scope) -> Workflow:
    return Workflow(
        f"scoped-{scope}",
        [
            State("new", kind=StateKind.OPEN),
            State("working", kind=StateKind.PROCESSING),
            State("done", kind=StateKind.CLOSED),
        ],
        [
            Transition("assign", "new", "working", roles={"dispatcher"}, assigns=True),
            Transition("close", "working", "done", roles={"officer"}, scope=scope),
        ],
        initial="new",
    )


def test_assigned_scope_counts_posts_in_the_unit_the_issue_is_assigned_to(org: OrgGraph) -> None:
    flow = _scoped(Scope.ASSIGNED)
    engine = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[flow])
    issue = engine.open(flow.name, reporter="r", location="g1")
    engine.fire(issue.id, "assign", actor="op", payload={"assignees": ["c2"]})
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "close", actor="officer-li")
    assert (refused.value.scope, refused.value.units) == ("assigned", ("c2",))
    other = engine.open(flow.name, reporter="r", location="g1")
    engine.fire(other.id, "assign", actor="op", payload={"assignees": ["police"]})
    event = engine.fire(other.id, "close", actor="officer-li")
    assert (event.actor, event.acting_for) == ("officer-li", "police")


def test_anywhere_scope_is_declared_on_purpose(org: OrgGraph) -> None:
    flow = _scoped(Scope.ANYWHERE)
    engine = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[flow])
    issue = engine.open(flow.name, reporter="r", location="g3")
    engine.fire(issue.id, "assign", actor="op", payload={"assignees": ["w3"]})
    with pytest.raises(PermissionDeniedError, match="held in any unit"):
        engine.fire(issue.id, "close", actor="w3")
    assert engine.fire(issue.id, "close", actor="officer-sun").acting_for is None


class _NamesThePolice:
    govflow_name = "names-the-police"

    @hookimpl
    def govflow_authority_units(self, transition: Transition) -> list[str]:
        return ["police"] if transition.trigger == "close" else []


def test_named_scope_counts_posts_in_the_units_a_plugin_names(org: OrgGraph) -> None:
    flow = _scoped(Scope.NAMED)
    engine = Engine(
        org=org,
        clock=ManualClock(START),
        autoload=False,
        workflows=[flow],
        plugins=[_NamesThePolice()],
    )
    issue = engine.open(flow.name, reporter="r", location="g1")
    engine.fire(issue.id, "assign", actor="op", payload={"assignees": ["w1"]})
    assert engine.fire(issue.id, "close", actor="officer-sun").destination == "done"
    nobody_named = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[flow])
    issue = nobody_named.open(flow.name, reporter="r", location="g1")
    nobody_named.fire(issue.id, "assign", actor="op", payload={"assignees": ["w1"]})
    with pytest.raises(PermissionDeniedError, match="no plugin names a unit"):
        nobody_named.fire(issue.id, "close", actor="officer-sun")


def test_without_an_org_graph_explicit_actors_keep_working() -> None:
    engine = Engine(clock=ManualClock(START), autoload=False)
    issue = engine.open("closed-loop", reporter="resident-wang")
    assert engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"})).actor == "op"
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "dispatch", actor="op")  # a bare id claims nothing


def test_scopes_and_conflicts_round_trip_through_plain_data() -> None:
    flow = _scoped(Scope.ASSIGNED)
    data = flow.to_dict()
    close = next(t for t in data["transitions"] if t["trigger"] == "close")  # type: ignore[attr-defined, union-attr]
    assert close["scope"] == "assigned"
    assert Workflow.from_dict(data) == flow
    toml = """
name = "t"
initial = "a"
[opening]
roles = ["operator"]
channels = ["hotline"]
[[states]]
name = "a"
kind = "open"
[[states]]
name = "b"
kind = "closed"
[[transitions]]
trigger = "go"
source = "a"
dest = "b"
roles = ["inspector"]
scope = "anywhere"
conflicts = ["reporter"]
"""
    loaded = Workflow.from_toml(toml)
    [move] = loaded.transitions
    assert (move.scope, move.conflicts) == (Scope.ANYWHERE, frozenset({"reporter"}))
    assert loaded.opening.roles == frozenset({"operator"})
    assert Workflow.from_dict(loaded.to_dict()) == loaded


def test_who_may_lists_the_people_the_engine_would_accept(district: Engine) -> None:
    """For simulations and assistants: ask the graph who may move an issue, not a made-up cast."""
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    assert who_may(district, issue.id, "file") == ["op"]
    district.fire(issue.id, "file", actor="op")
    district.fire(issue.id, "dispatch", actor="op", payload={"assignees": ["police"]})
    assert who_may(district, issue.id, "finish") == ["officer-li", "officer-sun"]
    assert who_may(district, issue.id, "verify") == []  # not yet fed back
    assert who_may(Engine(autoload=False), "x", "file") == []  # no org graph, nobody to ask
