"""One district engine for the real 蚌山区 (340303), with the built-ins and the three Bengbu
plugins installed at once: 一组一会 routes a dispute to its council and sends a major matter up
to 四议两公开, while 喻义巷社区 runs a 六事 matter -- no hook conflict, every event attributed.

Authority comes from the org graph: every actor is a person id, and what they may do follows
from the posts they hold where the matter lies; the bodies that vote are the graph's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from govflow_four_deliberations import DECISION
from govflow_one_group_one_council.org import COVERAGE, problems, set_up
from govflow_six_things import CONSULTATION

from govflow import Actor, Engine, ManualClock, escalate
from govflow.errors import PermissionDeniedError
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
    # Bengbu's cities: a 党支部 in every residential area, a 楼栋党小组 in every building
    synthesize(org, under=BENGSHAN, seed=2026, area_party="branch")
    set_up(org, under=BENGSHAN)
    # the village's bodies for 四议两公开: branch committee members, party members living in
    # the village, villagers' representatives
    for i in range(1, 3):
        org.add_person(f"{VILLAGE}/party/member{i}", f"委员{i}", party_member=True)
        org.assign(f"{VILLAGE}/party/member{i}", f"{VILLAGE}/party", "committee_member")
    for i in range(9):
        org.add_person(f"{VILLAGE}/pm{i}", f"党员{i}", party_member=True, home_unit=HAMLET)
    for i in range(15):
        org.add_person(f"{VILLAGE}/rep{i}", f"村民代表{i}", home_unit=VILLAGE)
        org.assign(f"{VILLAGE}/rep{i}", VILLAGE, "representative")
    # the street's 12345 hotline: an operator who also dispatches
    org.add_person("tq-operator", "受理员", home_unit=TIANQIAO)
    org.assign("tq-operator", TIANQIAO, "operator", "dispatcher")
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
    assert problems(bengshan, under=BENGSHAN) == []  # seed 002's shape, city and country
    area = f"{YUYIXIANG}-G01-A01"
    assert [u.kind for u in bengshan.chain(f"{area}-B02/party")] == [
        "group",  # 楼栋党小组
        "branch",  # 住宅小区党支部
        "branch",  # the grid's 党支部 (synthesized; Bengbu sets none, the seed is silent)
        "community_party_committee",  # 社区党组织
    ]


def test_all_plugins_on_one_engine_without_conflict(engine: Engine) -> None:
    assert set(engine.plugins.names()) >= PLUGINS
    assert set(OWNER) <= set(engine.workflows)


def _members(engine: Engine, issue_id: str, body: str) -> list[str]:
    """Who was due at ``body``, as the log froze it when the gate opened."""
    members: list[str] = engine.get(issue_id).data["bodies"][body]["members"]
    return members


def test_a_dispute_goes_to_its_council_which_feeds_back(engine: Engine) -> None:
    org = engine.org
    assert org is not None
    resident = Actor("villager-sun", home_unit=HAMLET)
    issue = engine.open(
        "one-group-one-council",
        reporter=resident,
        location=HAMLET,
        data={"description": "两户邻里因宅基地边界发生纠纷"},
    )
    assert issue.category == "dispute_mediation"
    leader = f"{HAMLET}/party/secretary"  # secretary of the hamlet's party group, heads its council
    engine.fire(issue.id, "assign", actor=leader)
    council = org.council_for(HAMLET)
    assert council is not None
    assert engine.get(issue.id).assignees == (council.id,)
    handled = engine.fire(issue.id, "report_handled", actor=leader, payload={"result": "调解成功"})
    assert (handled.actor, handled.acting_for) == (leader, council.id)
    engine.fire(issue.id, "feed_back", actor=leader, payload={"result": "调解成功"})
    engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": "satisfied"})
    assert engine.get(issue.id).state == "closed"
    _attributed(engine, issue.id)


def test_a_major_matter_goes_up_into_four_deliberations(engine: Engine) -> None:
    org = engine.org
    assert org is not None
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    resident = Actor("villager-qian", home_unit=HAMLET)
    matter = engine.open(
        "one-group-one-council",
        reporter=resident,
        location=HAMLET,
        data={"description": "修建连通三个自然村的道路, 需大额资金"},
    )
    referral = escalate(
        engine,
        matter.id,
        "refer_up",
        actor=f"{HAMLET}/party/secretary",
        payload={"major": "large_funds"},
    )
    [village_party] = referral.payload["escalated_to"]
    party = org.party_unit_for(VILLAGE)
    assert party is not None
    assert village_party == party.id

    secretary = org.members(village_party, "secretary")[0].person.id
    director = org.members(VILLAGE, "director")[0].person.id
    # the referral opened the village's 四议两公开 matter, linked to the group's
    (link,) = engine.children(matter.id)
    upstream = engine.get(link.issue)
    assert (upstream.workflow, upstream.location) == ("four-deliberations", VILLAGE)
    engine.fire(upstream.id, "put_on_agenda", actor=secretary)
    branch = _members(engine, upstream.id, "branch_committee")
    assert branch == [p.person.id for p in org.members(village_party)]
    two = _members(engine, upstream.id, "two_committees")
    assert set(two) == {*branch, director}
    DECISION.record_vote(engine, upstream.id, actor=secretary, attendees=branch, votes_for=branch)
    DECISION.record_vote(engine, upstream.id, actor=secretary, attendees=two, votes_for=two)
    assembly = _members(engine, upstream.id, "party_assembly")
    assert {f"{VILLAGE}/pm{i}" for i in range(9)} <= set(assembly)
    present = assembly[: -(len(assembly) // 4)]
    DECISION.record_vote(engine, upstream.id, actor=secretary, attendees=present, votes_for=present)
    representatives = _members(engine, upstream.id, "representatives")
    assert len(representatives) == 15
    DECISION.record_vote(
        engine,
        upstream.id,
        actor=director,
        attendees=representatives[:11],
        votes_for=representatives[:9],
    )
    clock.advance(days=5)
    engine.tick()
    engine.fire(upstream.id, "disclose_progress", actor=director, payload={"progress": "路基完工"})
    engine.fire(upstream.id, "report_result", actor=director)
    clock.advance(days=5)
    engine.tick()
    assert engine.get(upstream.id).state == "closed"

    engine.fire(matter.id, "upstream_concluded", actor=secretary)
    assert engine.children(matter.id)[0].outcome == {
        "state": "closed",
        "kind": "closed",
        "at": engine.get(upstream.id).updated_at.isoformat(),
    }
    council = org.council_for(HAMLET)
    assert council is not None
    [head] = org.members(council.id, "head")
    engine.fire(
        matter.id,
        "feed_back",
        actor=head.person.id,
        payload={"result": "道路已修通", "referral_outcome": "closed"},
    )
    assert engine.get(matter.id).state == "evaluating"
    _attributed(engine, matter.id)
    _attributed(engine, upstream.id)


def test_a_six_things_matter_in_yuyixiang(engine: Engine) -> None:
    org = engine.org
    assert org is not None
    resident = Actor("resident-zhang", home_unit=YUYIXIANG)
    committees = org.members(YUYIXIANG, "director")[0].person.id  # 居委会主任
    issue = engine.open(
        "six-things",
        reporter=resident,
        location=YUYIXIANG,
        data={"subject": "小区电动车集中充电棚"},
    )
    engine.fire(issue.id, "table", actor=committees)  # '两委'提事
    council = [p.person.id for p in org.members(f"{YUYIXIANG}/council")]
    assert _members(engine, issue.id, "residents_council") == council
    assert len(council) == 7
    CONSULTATION.record_vote(  # 居民议事
        engine, issue.id, actor=committees, attendees=council[:5], votes_for=council[:4]
    )
    meeting = _members(engine, issue.id, "meeting")
    assert set(council) | {committees} <= set(meeting)
    CONSULTATION.record_vote(  # 与会决事
        engine, issue.id, actor=committees, attendees=meeting, votes_for=meeting
    )
    engine.fire(  # 多元办事
        issue.id,
        "dispatch",
        actor=committees,
        payload={"assignees": ["property-company", "power-supply"]},
    )
    engine.fire(issue.id, "report_done", actor="power-supply")
    assert engine.get(issue.id).state == "carrying_out"  # 多元办事: every party reports
    engine.fire(issue.id, "report_done", actor="property-company")
    engine.fire(  # 公众评事
        issue.id,
        "evaluate",
        actor=Actor("resident-liu", home_unit=YUYIXIANG),
        payload={"satisfaction": "satisfied"},
    )
    assert engine.get(issue.id).state == "closed"
    [dispatch] = [e for e in engine.history(issue.id) if e.trigger == "dispatch"]
    assert dispatch.decisions["assignees"].startswith("govflow.routing")
    _attributed(engine, issue.id)


def test_a_reporter_cannot_stack_the_bodies_that_decide(engine: Engine) -> None:
    """The 六事 reporter who named himself the whole council and the whole meeting."""
    with pytest.raises(PermissionDeniedError, match="may not supply the body") as refused:
        engine.open(
            "six-things",
            reporter="resident-zhang",
            location=YUYIXIANG,
            data={
                "bodies": {"residents_council": ["resident-zhang"], "meeting": ["resident-zhang"]}
            },
        )
    assert refused.value.trigger == "open"
    assert list(engine.issues()) == []


def test_a_grid_secretary_is_not_the_two_committees(engine: Engine) -> None:
    org = engine.org
    assert org is not None
    issue = engine.open("six-things", reporter="resident-zhang", location=YUYIXIANG)
    branch_secretary = f"{YUYIXIANG}-G01/party/secretary"
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "table", actor=branch_secretary)
    assert refused.value.scope == "named"
    assert set(refused.value.units) == {YUYIXIANG, f"{YUYIXIANG}/party"}
    assert engine.get(issue.id).version == 0


def test_the_built_in_closed_loop_runs_alongside(engine: Engine) -> None:
    # each plugin answers only for its own workflow: 一组一会 does not classify this one
    issue = engine.open(
        "closed-loop",
        reporter="resident-wu",
        opened_by="tq-operator",  # the street's hotline takes the call
        channel="hotline",
        location=YUYIXIANG,
        data={"description": "邻里纠纷"},
    )
    assert issue.category is None
    assert issue.reporter == "resident-wu"
    engine.fire(issue.id, "file", actor="tq-operator")
    event = engine.fire(
        issue.id, "dispatch", actor="tq-operator", payload={"assignees": ["grid-worker"]}
    )
    assert event.decisions["assignees"].startswith("govflow.routing")
    _attributed(engine, issue.id)
