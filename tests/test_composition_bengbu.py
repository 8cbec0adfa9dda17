"""One district engine for the real 蚌山区 (340303), with the built-ins and the three Bengbu
plugins installed at once: 一组一会 routes a dispute to its council and sends a major matter up
to 四议两公开, while 喻义巷社区 runs a 六事 matter -- no hook conflict, every event attributed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from govflow_four_deliberations import DECISION
from govflow_one_group_one_council.org import COVERAGE
from govflow_six_things import CONSULTATION

from govflow import Actor, Engine, ManualClock, escalate
from govflow.org import DEFAULT_SCHEMA, OrgGraph, coverage, load_divisions, synthesize
from govflow.plugins import PluginHost

BENGSHAN = "340303000000"  # 蚌山区
TIANQIAO = "340303001000"  # 天桥街道
YUYIXIANG = "340303001001"  # 喻义巷社区
VILLAGE = "340303200201"  # 孙家圩子村 (燕山乡)
HAMLET = f"{VILLAGE}-N01"  # its first natural village (generated: no public table below)
START = datetime(2026, 9, 7, 8, tzinfo=UTC)

PLUGINS = {
    "govflow.closed_loop",
    "govflow.deadlines",
    "govflow.routing",
    "one-group-one-council",
    "six-things",
    "four-deliberations",
}
OWNER = {
    "closed-loop": "govflow.closed_loop",
    "one-group-one-council": "one-group-one-council",
    "four-deliberations": "four-deliberations",
    "six-things": "six-things",
}


@pytest.fixture(scope="module")
def bengshan() -> OrgGraph:
    """蚌山区 from the official division table, filled below the committees (grids, residential
    areas, natural villages, the party net, one group and one council each)."""
    schema = PluginHost().org_schema(DEFAULT_SCHEMA)
    org = load_divisions(prefix="340303", graph=OrgGraph(schema))
    synthesize(org, under=BENGSHAN, seed=2026)
    # the village's bodies for 四议两公开: branch committee members, party members
    for i in range(1, 3):
        org.add_person(f"{VILLAGE}/party/member{i}", f"委员{i}", party_member=True)
        org.assign(f"{VILLAGE}/party/member{i}", f"{VILLAGE}/party", "committee_member")
    # 喻义巷's residents' council, convened by the community party committee
    for i in range(1, 8):
        org.add_person(f"{YUYIXIANG}/councillor{i}", f"议事会成员{i}", home_unit=YUYIXIANG)
        org.assign(f"{YUYIXIANG}/councillor{i}", f"{YUYIXIANG}/council", "councillor")
    return org


@pytest.fixture
def engine(bengshan: OrgGraph) -> Engine:
    return Engine(org=bengshan, clock=ManualClock(START))


def _attributed(engine: Engine, issue_id: str) -> None:
    """Every event names the plugin of its workflow, with its version; every decision names a
    registered plugin with its version."""
    issue = engine.get(issue_id)
    owner = engine.plugins.ref(OWNER[issue.workflow])
    refs = {str(engine.plugins.ref(name)) for name in engine.plugins.names()}
    for event in engine.history(issue_id):
        assert event.plugin == owner
        assert event.plugin.version is not None
        assert set(event.decisions.values()) <= refs
    assert engine.verify(issue_id) == issue.version + 1


def test_the_district_and_its_one_group_one_council_structure(bengshan: OrgGraph) -> None:
    assert bengshan.unit(BENGSHAN).name == "蚌山区"
    assert bengshan.unit(TIANQIAO).name == "天桥街道"
    assert bengshan.parent(YUYIXIANG) == bengshan.unit(TIANQIAO)
    report = coverage(bengshan, COVERAGE)
    assert report.ok
    assert report.checked > 300


def test_all_plugins_on_one_engine_without_conflict(engine: Engine) -> None:
    assert set(engine.plugins.names()) >= PLUGINS
    assert set(OWNER) <= set(engine.workflows)


def test_a_dispute_goes_to_its_council_which_feeds_back(engine: Engine) -> None:
    org = engine.org
    resident = Actor("villager-sun", home_unit=HAMLET)
    issue = engine.open(
        "one-group-one-council",
        reporter=resident,
        location=HAMLET,
        data={"description": "两户邻里因宅基地边界发生纠纷"},
    )
    assert issue.category == "dispute_mediation"
    group = Actor(f"{HAMLET}/party/secretary", roles={"group", "council"}, home_unit=HAMLET)
    engine.fire(issue.id, "assign", actor=group)
    council = org.council_for(HAMLET)
    assert engine.get(issue.id).assignees == (council.id,)
    engine.fire(issue.id, "report_handled", actor=Actor(council.id), payload={"result": "调解成功"})
    [head] = org.members(council.id, "head")
    engine.fire(issue.id, "feed_back", actor=Actor(head.person.id, roles={"council"}))
    engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": "satisfied"})
    assert engine.get(issue.id).state == "closed"
    _attributed(engine, issue.id)


def test_a_major_matter_goes_up_into_four_deliberations(engine: Engine) -> None:
    org = engine.org
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    resident = Actor("villager-qian", home_unit=HAMLET)
    matter = engine.open(
        "one-group-one-council",
        reporter=resident,
        location=HAMLET,
        data={"description": "修建连通三个自然村的道路, 需大额资金"},
    )
    group = Actor(f"{HAMLET}/party/secretary", roles={"group"}, home_unit=HAMLET)
    referral = escalate(
        engine, matter.id, "refer_up", actor=group, payload={"major": "large_funds"}
    )
    [village_party] = referral.payload["escalated_to"]
    assert village_party == org.party_unit_for(VILLAGE).id

    secretary_id = org.members(village_party, "secretary")[0].person.id
    director_id = org.members(VILLAGE, "director")[0].person.id
    secretary = Actor(secretary_id, roles={"party_branch"})
    committee = Actor(director_id, roles={"village_committee"})
    branch = [p.person.id for p in org.members(village_party)]
    two = [*branch, director_id]
    party_members = [*branch, *(f"{VILLAGE}/pm{i}" for i in range(9))]
    representatives = [f"{VILLAGE}/rep{i}" for i in range(15)]
    upstream = engine.open(
        "four-deliberations",
        reporter=secretary,
        location=VILLAGE,
        data={
            "referred_from": matter.id,
            "bodies": {
                "branch_committee": {"unit": village_party, "chair": secretary_id},
                "two_committees": {"members": two, "chair": director_id},
                "party_assembly": party_members,
                "representatives": representatives,
            },
        },
    )
    engine.fire(upstream.id, "put_on_agenda", actor=secretary)
    DECISION.record_vote(engine, upstream.id, actor=secretary, attendees=branch, votes_for=branch)
    DECISION.record_vote(engine, upstream.id, actor=secretary, attendees=two, votes_for=two)
    DECISION.record_vote(
        engine,
        upstream.id,
        actor=secretary,
        attendees=party_members[:10],
        votes_for=party_members[:8],
    )
    DECISION.record_vote(
        engine,
        upstream.id,
        actor=committee,
        attendees=representatives[:11],
        votes_for=representatives[:9],
    )
    clock.advance(days=5)
    engine.tick()
    engine.fire(upstream.id, "report_result", actor=committee)
    clock.advance(days=5)
    engine.tick()
    assert engine.get(upstream.id).state == "closed"

    engine.fire(
        matter.id,
        "upstream_concluded",
        actor=Actor(secretary_id, roles={"village_party"}),
        payload={"upstream_issue": upstream.id, "outcome": "closed"},
    )
    [head] = org.members(org.council_for(HAMLET).id, "head")
    engine.fire(matter.id, "feed_back", actor=Actor(head.person.id, roles={"council"}))
    assert engine.get(matter.id).state == "evaluating"
    _attributed(engine, matter.id)
    _attributed(engine, upstream.id)


def test_a_six_things_matter_in_yuyixiang(engine: Engine) -> None:
    org = engine.org
    resident = Actor("resident-zhang", home_unit=YUYIXIANG)
    committees = Actor("yuyixiang-two-committees", roles={"two_committees"})
    issue = engine.open(
        "six-things",
        reporter=resident,
        location=YUYIXIANG,
        data={
            "subject": "小区电动车集中充电棚",
            "bodies": {
                "residents_council": f"{YUYIXIANG}/council",  # an org unit: members from the graph
                "meeting": ["property-company", "owners-committee", "power-supply", "councillor"],
            },
        },
    )
    engine.fire(issue.id, "table", actor=committees)  # '两委'提事
    council = [p.person.id for p in org.members(f"{YUYIXIANG}/council")]
    assert len(council) == 7
    CONSULTATION.record_vote(  # 居民议事
        engine, issue.id, actor=committees, attendees=council[:5], votes_for=council[:4]
    )
    meeting = ["property-company", "owners-committee", "power-supply", "councillor"]
    CONSULTATION.record_vote(  # 与会决事
        engine, issue.id, actor=committees, attendees=meeting, votes_for=meeting[:3]
    )
    engine.fire(  # 多元办事
        issue.id,
        "dispatch",
        actor=committees,
        payload={"assignees": ["property-company", "power-supply"]},
    )
    engine.fire(issue.id, "report_done", actor=Actor("power-supply"))
    engine.fire(  # 公众评事
        issue.id, "evaluate", actor=Actor("resident-liu"), payload={"satisfaction": "satisfied"}
    )
    assert engine.get(issue.id).state == "closed"
    [dispatch] = [e for e in engine.history(issue.id) if e.trigger == "dispatch"]
    assert dispatch.decisions["assignees"].startswith("govflow.routing")
    _attributed(engine, issue.id)


def test_the_built_in_closed_loop_runs_alongside(engine: Engine) -> None:
    # each plugin answers only for its own workflow: 一组一会 does not classify this one
    issue = engine.open(
        "closed-loop",
        reporter="resident-wu",
        location=YUYIXIANG,
        data={"description": "邻里纠纷"},
    )
    assert issue.category is None
    operator = Actor("operator", roles={"operator", "dispatcher"})
    engine.fire(issue.id, "file", actor=operator)
    event = engine.fire(
        issue.id, "dispatch", actor=operator, payload={"assignees": ["grid-worker"]}
    )
    assert event.decisions["assignees"].startswith("govflow.routing")
    _attributed(engine, issue.id)
