"""Every shipped method plugin and the built-ins in one engine over the real 蚌山区 (340303).

The district comes from the official division table, filled below the committees by
``synthesize`` (grids, residential areas, buildings, the party net, paired departments), with
the people and posts each method needs added on top. One issue runs through each of the seven
methods -- 一组一会, 四议两公开, 六事, 大冶's 群众点单, 瑶海's 四步工作法, 湖州's 盟事,
建华's 一会五步 -- and the accountability figures are read off the one log. No plugin changes
another's behaviour: every event is attributed to the plugin of its workflow, and every
decision a hook made was made by that plugin or a built-in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from govflow_dual_report import form_alliance
from govflow_four_deliberations import DECISION
from govflow_one_council_five_steps import DELIBERATION
from govflow_order_dispatch import sink
from govflow_six_things import CONSULTATION

from govflow import Actor, Engine, ManualClock, OrgGraph
from govflow.metrics import accountability
from tests.test_composition_bengbu import (
    HAMLET,
    VILLAGE,
    YUYIXIANG,
    bengshan,  # noqa: F401  (its district fixture)
)

START = datetime(2026, 9, 7, 1, tzinfo=UTC)  # a Monday morning in China
HONGQI = "340303001004"  # the other community of 天桥街道
AREA = f"{YUYIXIANG}-G01-A01"
BUILDING = f"{AREA}-B01"
#: The method plugins shipped in plugins/, by the workflow each contributes.
METHODS = {
    "one-group-one-council": "one-group-one-council",
    "four-deliberations": "four-deliberations",
    "six-things": "six-things",
    "order-dispatch": "order-dispatch",
    "four-step": "four-step",
    "alliance-matter": "dual-report",
    "one-council-five-steps": "one-council-five-steps",
}
BUILT_INS = {"govflow.closed_loop", "govflow.deadlines", "govflow.routing"}


@pytest.fixture(scope="module")
def district(bengshan: OrgGraph) -> OrgGraph:  # noqa: F811  (the fixture imported above)
    """蚌山区 with what 大冶, 瑶海 and 湖州 need in 天桥街道 besides what Bengbu needs."""
    org = bengshan
    # 大冶: a dispatcher, two sunk party members, a resident of 62 in the building.
    org.add_person("yyx-first-secretary", "第一书记", party_member=True)
    org.assign("yyx-first-secretary", YUYIXIANG, "community_dispatcher", "community_secretary")
    for member, unit in (("sunk-near", BUILDING), ("sunk-far", f"{YUYIXIANG}-G02")):
        org.add_person(member, member, party_member=True, attributes={"duties": ["调解纠纷"]})
        sink(org, member, unit)
    org.add_person(
        "resident-wu",
        "吴",
        home_unit=BUILDING,
        attributes={"sex": "male", "birth_date": "1964-03-01"},
    )
    org.add_person("resident-he", "何", home_unit=AREA)
    # 瑶海: the officers of 喻义巷's paired department.
    [department] = org.paired(YUYIXIANG)
    org.add_person("dept-officer", "科员", party_member=True)
    org.assign("dept-officer", department.id, "officer")
    # 湖州: a red alliance around 红旗 community, chaired this quarter by the bank.
    for unit in ("unit-bank", "unit-school"):
        org.add_unit(unit, "work_unit", unit)
        org.add_person(f"{unit}-secretary", f"{unit}书记", party_member=True)
        org.assign(f"{unit}-secretary", unit, "party_secretary")
    [lead] = org.paired(HONGQI)
    form_alliance(
        org,
        "hongqi-alliance",
        name="红旗社区红色联盟",
        community=HONGQI,
        lead=lead.id,
        members=["unit-bank", "unit-school"],
        rotation_start=date(2026, 4, 1),  # lead Apr-Jun, bank Jul-Sep, school Oct-Dec
    )
    [hongqi_area, *_] = org.units(kind="residential_area", under=HONGQI)
    org.add_person("resident-hq", "红旗居民", home_unit=hongqi_area.id)
    return org


@pytest.fixture
def engine(district: OrgGraph) -> Engine:
    return Engine(org=district, clock=ManualClock(START))


def _members(engine: Engine, issue_id: str, body: str) -> list[str]:
    members: list[str] = engine.get(issue_id).data["bodies"][body]["members"]
    return members


def _one_group_one_council(engine: Engine) -> str:
    resident = Actor("villager-sun", home_unit=HAMLET)
    issue = engine.open(
        "one-group-one-council",
        reporter=resident,
        location=HAMLET,
        data={"description": "两户邻里因宅基地边界发生纠纷"},
    )
    leader = f"{HAMLET}/party/secretary"
    engine.fire(issue.id, "assign", actor=leader)
    engine.fire(issue.id, "report_handled", actor=leader, payload={"result": "调解成功"})
    engine.fire(issue.id, "feed_back", actor=leader, payload={"result": "调解成功"})
    engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": "satisfied"})
    return issue.id


def _four_deliberations(engine: Engine) -> str:
    org = engine.org
    assert org is not None
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    party = org.party_unit_for(VILLAGE)
    assert party is not None
    secretary = org.members(party.id, "secretary")[0].person.id
    director = org.members(VILLAGE, "director")[0].person.id
    issue = engine.open("four-deliberations", reporter=secretary, location=VILLAGE)
    engine.fire(issue.id, "put_on_agenda", actor=secretary)
    branch = _members(engine, issue.id, "branch_committee")
    DECISION.record_vote(engine, issue.id, actor=secretary, attendees=branch, votes_for=branch)
    two = _members(engine, issue.id, "two_committees")
    DECISION.record_vote(engine, issue.id, actor=secretary, attendees=two, votes_for=two)
    assembly = _members(engine, issue.id, "party_assembly")
    DECISION.record_vote(engine, issue.id, actor=secretary, attendees=assembly, votes_for=assembly)
    representatives = _members(engine, issue.id, "representatives")
    DECISION.record_vote(
        engine,
        issue.id,
        actor=director,
        attendees=representatives[:11],
        votes_for=representatives[:9],
    )
    clock.advance(days=5)
    engine.tick()
    engine.fire(issue.id, "disclose_progress", actor=director, payload={"progress": "路基完工"})
    engine.fire(issue.id, "report_result", actor=director)
    clock.advance(days=5)
    engine.tick()
    return issue.id


def _six_things(engine: Engine) -> str:
    org = engine.org
    assert org is not None
    committees = org.members(YUYIXIANG, "director")[0].person.id
    issue = engine.open(
        "six-things",
        reporter=Actor("resident-zhang", home_unit=YUYIXIANG),
        location=YUYIXIANG,
        data={"subject": "小区电动车集中充电棚"},
    )
    engine.fire(issue.id, "table", actor=committees)
    council = _members(engine, issue.id, "residents_council")
    CONSULTATION.record_vote(
        engine, issue.id, actor=committees, attendees=council, votes_for=council
    )
    meeting = _members(engine, issue.id, "meeting")
    CONSULTATION.record_vote(
        engine, issue.id, actor=committees, attendees=meeting, votes_for=meeting
    )
    engine.fire(issue.id, "dispatch", actor=committees, payload={"assignees": ["power-supply"]})
    engine.fire(issue.id, "report_done", actor="power-supply")
    engine.fire(
        issue.id,
        "evaluate",
        actor=Actor("resident-liu", home_unit=YUYIXIANG),
        payload={"satisfaction": "satisfied"},
    )
    return issue.id


def _order_dispatch(engine: Engine) -> str:
    issue = engine.open(
        "order-dispatch", reporter="resident-wu", location=BUILDING, category="免费体检"
    )
    engine.fire(issue.id, "dispatch", actor="yyx-first-secretary")
    assert engine.get(issue.id).assignees == ("sunk-near",)
    engine.fire(issue.id, "claim", actor="sunk-near")
    engine.fire(issue.id, "finish", actor="sunk-near", payload={"hours": 2})
    engine.fire(issue.id, "rate", actor="resident-wu", payload={"satisfaction": "satisfied"})
    return issue.id


def _four_step(engine: Engine) -> str:
    issue = engine.open(
        "four-step", reporter="yyx-first-secretary", location=AREA, category="环境整治"
    )
    engine.fire(issue.id, "assign", actor="yyx-first-secretary")  # to the paired department
    engine.fire(issue.id, "answer", actor="dept-officer", payload={"answer": "清理楼道堆物"})
    engine.fire(issue.id, "evaluate", actor="resident-he", payload={"satisfaction": "satisfied"})
    return issue.id


def _alliance_matter(engine: Engine) -> str:
    org = engine.org
    assert org is not None
    [hongqi_area, *_] = org.units(kind="residential_area", under=HONGQI)
    issue = engine.open(
        "alliance-matter", reporter="resident-hq", location=hongqi_area.id, category="课后托管"
    )
    chair = "unit-bank-secretary"  # September: the bank's turn
    engine.fire(issue.id, "table", actor=chair)
    engine.fire(issue.id, "contract", actor=chair, payload={"parties": ["unit-school"]})
    engine.fire(
        issue.id, "report_part", actor="unit-school-secretary", payload={"outcome": "开放教室"}
    )
    engine.fire(issue.id, "evaluate", actor="resident-hq", payload={"satisfaction": "satisfied"})
    return issue.id


def _one_council_five_steps(engine: Engine) -> str:
    """汇 → 定 → 议 → 示 → 评 in the council of 喻义巷社区 (its residents' council)."""
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    secretary = f"{YUYIXIANG}/party/secretary"
    issue = engine.open(
        "one-council-five-steps", reporter="resident-he", location=YUYIXIANG, category="停车"
    )
    engine.fire(issue.id, "set_agenda", actor=secretary)
    council = _members(engine, issue.id, "council")
    DELIBERATION.record_vote(
        engine, issue.id, actor=secretary, attendees=council, votes_for=council
    )
    engine.fire(issue.id, "publicize", actor=secretary, payload={"result": "划定停车位"})
    clock.advance(days=5, minutes=1)
    engine.tick()
    engine.fire(issue.id, "evaluate", actor="resident-he", payload={"satisfaction": "satisfied"})
    return issue.id


def test_every_method_plugin_and_the_built_ins_load_into_one_engine(engine: Engine) -> None:
    assert set(engine.plugins.names()) >= {*METHODS.values(), *BUILT_INS}
    assert set(METHODS) <= set(engine.workflows)
    assert {"service-hours", "needs", "micro-wishes", "four-party-meetings"} <= set(
        engine.ledgers.specs
    )


def test_one_issue_through_each_method_on_one_log(engine: Engine) -> None:
    runs = [
        _one_group_one_council(engine),
        _four_deliberations(engine),
        _six_things(engine),
        _order_dispatch(engine),
        _four_step(engine),
        _alliance_matter(engine),
        _one_council_five_steps(engine),
    ]
    refs = {str(engine.plugins.ref(name)) for name in engine.plugins.names()}
    for issue_id in runs:
        issue = engine.get(issue_id)
        assert issue.state == "closed", issue.workflow
        owner = engine.plugins.ref(METHODS[issue.workflow])
        allowed = {str(owner), *(str(engine.plugins.ref(b)) for b in BUILT_INS)}
        for event in engine.history(issue_id):
            assert event.plugin == owner  # no plugin's workflow is moved by another's
            assert set(event.decisions.values()) <= allowed & refs
        assert engine.verify(issue_id) == issue.version + 1
    figures = accountability(engine)
    assert (figures.total.received, figures.total.completed) == (7, 7)
    assert figures.total.completion_rate == 1.0
    assert (figures.total.ratings, figures.total.satisfied) == (6, 6)  # 四议两公开 is not rated
    assert figures.plugin_metrics["four-step.lists"]["成效清单"] == 1
    assert engine.ledgers.total("service-hours", "hours", subject="sunk-near") == 2
    assert engine.ledgers.verify_all()["service-hours"] == 1


def test_a_plugin_answers_only_for_its_own_workflow(engine: Engine) -> None:
    """order-dispatch and four-step resolve assignees only for their own moves: a 六事
    dispatch is routed by the built-in, from its payload, as without them."""
    issue_id = _six_things(engine)
    [dispatch] = [e for e in engine.history(issue_id) if e.trigger == "dispatch"]
    assert dispatch.decisions["assignees"].startswith("govflow.routing")
