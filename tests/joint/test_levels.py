"""一会五步 across levels (Jianhua's 三级联动): a matter the residential-area council cannot
settle goes up to the community council, then to the street council; the location moves with
it, the council of each level votes on it, and the log holds the whole path."""

from __future__ import annotations

import pytest

from govflow import (
    Actor,
    Engine,
    GateSequence,
    ManualClock,
    OrgGraph,
    State,
    StateKind,
    Transition,
    Workflow,
)
from govflow.errors import InvalidRequestError
from govflow.gates import AT_LOCATION, Gate, Publication
from govflow.joint import location_path
from govflow.testing import Scenario

COUNCILLORS = {
    "xq-1": ("xq-a", "xq-b", "xq-c"),
    "community": ("sq-a", "sq-b", "sq-c"),
    "street": ("jd-a", "jd-b", "jd-c", "jd-d", "jd-e"),
}

DELIBERATION = GateSequence(
    "five-steps",
    steps=(
        Gate("deliberating", "议: 议事会协商", body=AT_LOCATION, member_role="councillor"),
        Publication("publicised", "示: 结果公示", period="3d", kind=StateKind.FEEDBACK),
    ),
    then="evaluating",
    stop="rejected",
)

FIVE_STEPS = Workflow(
    "five-steps",
    label="三级联动·一会五步",
    initial="collected",
    states=[
        State("collected", "汇: 汇集民意", StateKind.OPEN, time_limit="3d"),
        State("topic", "定: 确定议题", StateKind.OPEN, time_limit="3d"),
        *DELIBERATION.states,
        State("evaluating", "评: 群众评议", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结", StateKind.CLOSED),
        State("rejected", "未通过", StateKind.CANCELLED),
    ],
    transitions=[
        Transition("set_topic", "collected", "topic", roles={"convener"}),
        Transition("convene", "topic", "deliberating", roles={"convener"}),
        *DELIBERATION.transitions,
        Transition(
            "refer_up",
            "deliberating",
            "deliberating",
            roles={"convener"},
            relocate="up",
            label="本级协商不成, 提交上级议事会",
        ),
        Transition(
            "refer_down",
            "deliberating",
            "deliberating",
            roles={"convener"},
            relocate="down",
            label="交由下级议事会",
        ),
        Transition("evaluate", "evaluating", "closed", requires={"reporter"}, evaluation=True),
    ],
)


def _org() -> OrgGraph:
    org = OrgGraph()
    org.add_unit("district", "district", "建华区")
    org.add_unit("street", "street", "文化街道", parent="district")
    org.add_unit("community", "community", "文宾社区", parent="street")
    org.add_unit("xq-1", "residential_area", "卫士楼小区", parent="community")
    org.add_unit("xq-2", "residential_area", "育英小区", parent="community")
    org.add_person("convener", "议事会召集人")
    org.assign("convener", "district", "convener")
    for unit, people in COUNCILLORS.items():
        for person in people:
            org.add_person(person, person)
            org.assign(person, unit, "councillor")
    return org


CONVENER = Actor("convener", roles={"convener"})


@pytest.fixture
def levels(clock: ManualClock) -> Engine:
    return Engine(
        org=_org(),
        clock=clock,
        autoload=False,
        workflows=[FIVE_STEPS],
        guards=DELIBERATION.guards(),
    )


def test_a_matter_climbs_from_the_residential_council_to_the_street(levels: Engine) -> None:
    scenario = Scenario(levels, "five-steps", actors={"resident": "resident-liu", "c": CONVENER})
    scenario.as_("resident").open(location="xq-1", category="加装电梯")
    scenario.as_("c").fire("set_topic").fire("convene").assert_state("deliberating")
    issue_id = scenario.issue.id
    # the residential council meets, cannot settle a matter that spans the community
    with pytest.raises(InvalidRequestError, match="not members due"):
        DELIBERATION.record_vote(
            levels, issue_id, actor=CONVENER, attendees=COUNCILLORS["street"], votes_for=()
        )
    scenario.fire("refer_up").assert_location("community").assert_state("deliberating")
    # now the community council is the body: the residential councillors are not due
    with pytest.raises(InvalidRequestError, match="not members due"):
        DELIBERATION.record_vote(
            levels, issue_id, actor=CONVENER, attendees=COUNCILLORS["xq-1"], votes_for=()
        )
    scenario.fire("refer_up").assert_location("street")
    event = DELIBERATION.record_vote(
        levels,
        issue_id,
        actor=CONVENER,
        attendees=COUNCILLORS["street"][:4],
        votes_for=COUNCILLORS["street"][:3],
    )
    assert event.trigger == "pass_deliberating"
    scenario.assert_state("publicised").assert_location("street")
    assert location_path(scenario.history) == ["xq-1", "community", "street"]
    assert [e.changes.get("location") for e in scenario.history if e.trigger == "refer_up"] == [
        "community",
        "street",
    ]
    assert levels.verify(issue_id) == 6


def test_a_matter_goes_down_only_below_where_it_is(levels: Engine) -> None:
    scenario = Scenario(levels, "five-steps", actors={"resident": "resident-liu", "c": CONVENER})
    scenario.as_("resident").open(location="community")
    scenario.as_("c").fire("set_topic").fire("convene")
    scenario.assert_refused("refer_down", error=InvalidRequestError, match="location")
    scenario.assert_refused(
        "refer_down", error=InvalidRequestError, location="street", match="not below"
    )
    scenario.assert_refused("refer_down", error=InvalidRequestError, location="nowhere")
    scenario.fire("refer_down", location="xq-2").assert_location("xq-2")
    # xq-2 has no councillors posted: no body can vote there
    with pytest.raises(InvalidRequestError, match="no members are due"):
        DELIBERATION.record_vote(
            levels, scenario.issue.id, actor=CONVENER, attendees=COUNCILLORS["community"]
        )


def test_the_top_cannot_go_higher(levels: Engine) -> None:
    scenario = Scenario(levels, "five-steps", actors={"resident": "resident-liu", "c": CONVENER})
    scenario.as_("resident").open(location="district")
    scenario.as_("c").fire("set_topic").fire("convene")
    scenario.assert_refused("refer_up", error=InvalidRequestError, match="top")


def test_an_unlocated_matter_cannot_move_levels(levels: Engine) -> None:
    scenario = Scenario(levels, "five-steps", actors={"resident": "resident-liu", "c": CONVENER})
    scenario.as_("resident").open()
    scenario.as_("c").fire("set_topic").fire("convene")
    scenario.assert_refused("refer_up", error=InvalidRequestError, match="located")


def test_a_matter_goes_up_to_a_named_unit_above_it_and_nowhere_else(levels: Engine) -> None:
    """A level up need not be the parent unit: the payload may name any unit above."""
    scenario = Scenario(levels, "five-steps", actors={"resident": "resident-liu", "c": CONVENER})
    scenario.as_("resident").open(location="xq-1")
    scenario.as_("c").fire("set_topic").fire("convene")
    for elsewhere, why in (("xq-2", "not above"), ("xq-1", "not above"), ("nowhere", "nowhere")):
        scenario.assert_refused(
            "refer_up", error=InvalidRequestError, location=elsewhere, match=why
        )
    scenario.assert_refused("refer_up", error=InvalidRequestError, location="", match="name a unit")
    assert scenario.issue.location == "xq-1"  # nothing changed
    scenario.fire("refer_up", location="street").assert_location("street")
    assert location_path(scenario.history) == ["xq-1", "street"]
