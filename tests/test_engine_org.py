"""The engine routes through the organization graph: locations are units, assignees are found
up the chain, and an escalation with no local rule climbs one level."""

from __future__ import annotations

import pytest

from govflow import Actor, Engine, ManualClock, State, StateKind, Transition, Workflow
from govflow.errors import InvalidRequestError, UnknownUnitError
from govflow.escalation import TARGETS_KEY, escalate
from govflow.org import OrgGraph
from govflow.testing.org import build_org

from .conftest import Cast


@pytest.fixture
def org() -> OrgGraph:
    return build_org(
        {
            "street:tq 天桥街道": {
                "community:yyx 喻义巷社区": {"grid:g1 一网格": {}, "grid:g2 二网格": {}},
            }
        },
        people={
            "grid-1": ("g1", "grid_worker"),
            "zhang": ("yyx", "grid_worker"),
            "op-1": ("tq", "operator"),
            "disp-1": ("tq", "dispatcher"),
        },
    )


@pytest.fixture
def district(org: OrgGraph, clock: ManualClock) -> Engine:
    return Engine(org=org, clock=clock, autoload=False)


def test_an_issue_must_be_located_at_a_unit_of_the_graph(
    district: Engine, cast: type[Cast]
) -> None:
    with pytest.raises(UnknownUnitError, match="'g9'") as caught:
        district.open("closed-loop", reporter=cast.resident, location="g9")
    assert isinstance(caught.value, InvalidRequestError)
    assert list(district.issues()) == []
    assert district.open("closed-loop", reporter=cast.resident, location="g1").location == "g1"


def test_dispatch_finds_the_grid_worker_up_the_chain(district: Engine, cast: type[Cast]) -> None:
    in_g1 = district.open("closed-loop", reporter=cast.resident, location="g1")
    in_g2 = district.open("closed-loop", reporter=cast.resident, location="g2")
    for issue in (in_g1, in_g2):
        # with an org graph a person id is enough: the street's posts cover both grids
        district.fire(issue.id, "file", actor="op-1")
        district.fire(issue.id, "dispatch", actor="disp-1")
    # g1 has its own grid worker; g2 has none, so the community's answers for it.
    assert district.get(in_g1.id).assignees == ("grid-1",)
    assert district.get(in_g2.id).assignees == ("zhang",)
    assert district.history(in_g2.id)[-1].decisions["assignees"] == "govflow.routing 0.1.0"


def test_dispatch_without_an_org_needs_assignees(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator)
    with pytest.raises(InvalidRequestError, match="no assignees"):
        engine.fire(issue.id, "dispatch", actor=cast.dispatcher)


def test_escalation_climbs_one_level_when_no_method_says_otherwise(
    org: OrgGraph, clock: ManualClock, cast: type[Cast]
) -> None:
    report_up = Workflow(
        "report-up",
        [
            State("handling", kind=StateKind.PROCESSING),
            State("escalated", kind=StateKind.PROCESSING),
            State("done", kind=StateKind.CLOSED),
        ],
        [
            Transition("escalate", "handling", "escalated", roles={"grid_worker"}),
            Transition("finish", ("handling", "escalated"), "done"),
        ],
        initial="handling",
    )
    engine = Engine(org=org, clock=clock, autoload=False, workflows=[report_up])
    issue = engine.open("report-up", reporter=cast.resident, location="g1")
    event = escalate(engine, issue.id, "escalate", actor=Actor("grid-1", roles={"grid_worker"}))
    assert event.payload[TARGETS_KEY] == ["yyx"]
    top = engine.open("report-up", reporter=cast.resident, location="tq")
    with pytest.raises(InvalidRequestError, match="no plugin names a unit"):
        escalate(engine, top.id, "escalate", actor=Actor("grid-1", roles={"grid_worker"}))
