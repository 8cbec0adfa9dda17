"""Linked issues: 一组一会 refers a 三重一大 matter into 四议两公开 as a child issue, waits for
it, and feeds back the outcome the child came to; both logs hold the link."""

from __future__ import annotations

import attrs
import pytest

from govflow import Actor, Engine, ManualClock, OrgGraph, State, StateKind, Transition, Workflow
from govflow.errors import (
    GuardFailedError,
    IntegrityError,
    InvalidRequestError,
    InvalidWorkflowError,
    UnknownWorkflowError,
)
from govflow.links import children, parent, verify_links
from govflow.testing import Scenario
from govflow.workflow import workflow_from_dict, workflow_to_dict
from govflow.workflow.joins import Link

GROUP = Actor("group-leader", roles={"group"})
VILLAGE = Actor("village-secretary", roles={"village_party"})
RESIDENT = Actor("villager-sun")

PARENT = Workflow(
    "group-council",
    label="一组一会",
    initial="collected",
    states=[
        State("collected", "收集", StateKind.OPEN, time_limit="7d"),
        State("referred", "报村党组织, 四议两公开", StateKind.DELIBERATION, timeout_exempt=True),
        State("awaiting_feedback", "待反馈", StateKind.FEEDBACK, time_limit="3d"),
        State("closed", "办结", StateKind.CLOSED),
    ],
    transitions=[
        Transition(
            "refer_up",
            "collected",
            "referred",
            roles={"group"},
            opens=[Link("referral", "deliberation", location="up", label="四议两公开")],
        ),
        Transition(
            "upstream_concluded",
            "referred",
            "awaiting_feedback",
            roles={"village_party"},
            awaits="referral",
        ),
        Transition("feed_back", "awaiting_feedback", "closed", roles={"group"}),
    ],
)

CHILD = Workflow(
    "deliberation",
    label="四议两公开 (abridged)",
    initial="proposed",
    states=[
        State("proposed", "党支部提议", StateKind.DELIBERATION, timeout_exempt=True),
        State("announced", "实施结果公开", StateKind.FEEDBACK, time_limit="5d"),
        State("passed", "办结", StateKind.CLOSED),
        State("stopped", "未通过", StateKind.CANCELLED),
    ],
    transitions=[
        Transition("resolve", "proposed", "announced", roles={"village_party"}),
        Transition("conclude", "announced", "passed", roles={"village_party"}),
        Transition("reject", "proposed", "stopped", roles={"village_party"}),
    ],
)


def _org() -> OrgGraph:
    org = OrgGraph()
    org.add_unit("township", "township", "沫河口镇")
    org.add_unit("liulou", "administrative_village", "刘楼村", parent="township")
    org.add_unit("hamlet-3", "natural_village", "三组", parent="liulou")
    org.add_person("group-leader", "组长")
    org.assign("group-leader", "township", "group")
    org.add_person("village-secretary", "村党组织书记")
    org.assign("village-secretary", "township", "village_party")
    return org


@pytest.fixture
def linked(clock: ManualClock) -> Engine:
    return Engine(org=_org(), clock=clock, autoload=False, workflows=[PARENT, CHILD])


def _referred(engine: Engine) -> Scenario:
    scenario = Scenario(engine, "group-council", actors={"r": RESIDENT, "g": GROUP, "v": VILLAGE})
    scenario.as_("r").open(location="hamlet-3", category="large_funds")
    return scenario.as_("g").fire("refer_up", child_data={"matter": "修建连通三个自然村的道路"})


def test_the_parent_feeds_back_what_its_child_came_to(linked: Engine) -> None:
    scenario = _referred(linked)
    (link,) = linked.children(scenario.issue.id)
    child = linked.get(link.issue)
    assert (link.name, link.workflow, child.location) == ("referral", "deliberation", "liulou")
    assert child.data["matter"] == "修建连通三个自然村的道路"
    assert child.category == "large_funds"
    assert parent(child) == {"issue": scenario.issue.id, "link": "referral", "sequence": 1}
    # the parent cannot conclude on a child that has not concluded
    scenario.as_("v").assert_refused(
        "upstream_concluded", error=GuardFailedError, match="not concluded"
    )
    child_scenario = scenario.child("referral").as_("v").fire("resolve")
    scenario.as_("v").assert_refused(
        "upstream_concluded", error=GuardFailedError, match="announced"
    )
    child_scenario.fire("conclude").assert_state("passed")
    scenario.fire("upstream_concluded").assert_state("awaiting_feedback")
    (link,) = linked.children(scenario.issue.id)
    assert link.outcome is not None
    assert (link.outcome["state"], link.outcome["kind"]) == ("passed", "closed")
    assert verify_links(linked, scenario.issue.id) == 1
    assert verify_links(linked, child.id) == 1
    assert (linked.verify(scenario.issue.id), linked.verify(child.id)) == (3, 3)


def test_a_child_named_in_the_payload_must_be_a_child(linked: Engine) -> None:
    scenario = _referred(linked)
    scenario.child().as_("v").fire("reject")
    scenario.as_("v").assert_refused(
        "upstream_concluded", error=InvalidRequestError, child="four-deliberations-17"
    )
    scenario.fire("upstream_concluded", child=linked.children(scenario.issue.id)[0].issue)
    assert linked.children(scenario.issue.id)[0].outcome["kind"] == "cancelled"  # type: ignore[index]


def test_a_missing_child_workflow_is_refused_before_anything_is_written(clock: ManualClock) -> None:
    engine = Engine(org=_org(), clock=clock, autoload=False, workflows=[PARENT])
    scenario = Scenario(engine, "group-council", actors={"r": RESIDENT, "g": GROUP})
    scenario.as_("r").open(location="hamlet-3")
    before = len(list(engine.issues()))
    scenario.as_("g").assert_refused("refer_up", error=UnknownWorkflowError)
    assert len(list(engine.issues())) == before


def test_a_forged_parent_link_fails_verification(linked: Engine) -> None:
    scenario = _referred(linked)
    forged = linked.open(
        "deliberation",
        reporter=RESIDENT,
        joint={"parent": {"issue": scenario.issue.id, "link": "referral", "sequence": 1}},
    )
    with pytest.raises(IntegrityError, match="does not list"):
        verify_links(linked, forged.id)
    assert children(linked.get(forged.id)) == ()


def test_awaiting_names_a_link_some_move_opens() -> None:
    with pytest.raises(InvalidWorkflowError, match="awaits link 'referral'"):
        Workflow(
            "w",
            states=[State("a"), State("b", kind="closed")],
            transitions=[Transition("go", "a", "b", awaits="referral")],
            initial="a",
        )


def test_a_child_up_to_a_kind_skips_the_levels_between(clock: ManualClock) -> None:
    """A residential area's 三重一大 matter goes to its community, not to the grid between."""
    org = _org()
    org.add_unit("yuyixiang", "community", "喻义巷社区", parent="township")
    org.add_unit("grid-1", "grid", "第1网格", parent="yuyixiang")
    org.add_unit("area-1", "residential_area", "喻义巷小区", parent="grid-1")
    link = Link(
        "referral", "deliberation", location="up", up_to=("community", "administrative_village")
    )
    [refer] = [
        attrs.evolve(t, opens=(link,)) for t in PARENT.transitions if t.trigger == "refer_up"
    ]
    workflow = attrs.evolve(
        PARENT, transitions=[refer, *(t for t in PARENT.transitions if t.trigger != "refer_up")]
    )
    engine = Engine(org=org, clock=clock, autoload=False, workflows=[workflow, CHILD])
    for place, expected in (("area-1", "yuyixiang"), ("hamlet-3", "liulou")):
        issue = engine.open("group-council", reporter=RESIDENT, location=place)
        engine.fire(issue.id, "refer_up", actor=GROUP)
        (child,) = engine.children(issue.id)
        assert engine.get(child.issue).location == expected
    lone = engine.open("group-council", reporter=RESIDENT, location="liulou")
    with pytest.raises(InvalidRequestError, match="no parent unit of kind community"):
        engine.fire(lone.id, "refer_up", actor=GROUP)
    assert engine.get(lone.id).state == "collected"
    assert workflow_from_dict(workflow_to_dict(workflow)) == workflow
    with pytest.raises(InvalidWorkflowError, match="up_to"):
        Link("referral", "deliberation", up_to=("community",))
