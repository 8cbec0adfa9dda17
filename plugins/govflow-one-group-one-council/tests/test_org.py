"""一组一会 over the real 蚌山区 (340303): groups and councils in every natural village and
residential area, routing by the org graph, feedback only by the council of the place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from govflow_one_group_one_council import org as ogoc_org

from govflow import Actor, Engine, ManualClock, escalate, hookimpl
from govflow.errors import PermissionDeniedError, PluginError
from govflow.org import DEFAULT_SCHEMA, OrgGraph, OrgSchema, coverage, load_divisions
from govflow.plugins import PluginHost

BENGSHAN = "340303000000"
SUNJIAWEIZI = "340303200201"  # 孙家圩子村, an administrative village of 蚌山区
YUYIXIANG = "340303001001"  # 喻义巷社区, 天桥街道
START = datetime(2026, 6, 1, 8, tzinfo=UTC)


def _schema() -> OrgSchema:
    """The org schema with every installed plugin's contribution (govflow_org_schemas)."""
    return PluginHost().org_schema(DEFAULT_SCHEMA)  # type: ignore[no-any-return]


@pytest.fixture
def bengshan() -> OrgGraph:
    """蚌山区 from the official table, the party organizations of 孙家圩子村 and 喻义巷社区, two
    natural villages and a residential area -- before 一组一会 is set up."""
    graph = load_divisions(prefix="340303", graph=OrgGraph(_schema()))
    for village in (SUNJIAWEIZI, YUYIXIANG):
        party = graph.add_unit(f"{village}/party", "community_party_committee", "党组织")
        graph.add_edge("leads", party.id, village)
        graph.add_person(f"{village}/secretary", "书记", party_member=True)
        graph.assign(f"{village}/secretary", party.id, "secretary")
    graph.add_unit(f"{SUNJIAWEIZI}-N01", "natural_village", "孙家圩子", parent=SUNJIAWEIZI)
    graph.add_unit(f"{SUNJIAWEIZI}-N02", "natural_village", "后庄", parent=SUNJIAWEIZI)
    graph.add_unit(f"{YUYIXIANG}-A01", "residential_area", "喻义巷小区", parent=YUYIXIANG)
    return graph


def test_the_plugin_extends_the_org_schema() -> None:
    schema = _schema()
    assert schema.layer_of("social_organization") == "administrative"
    assert schema.allows("pairs_with", "law_enforcement", "administrative_village")


def test_a_clashing_schema_names_the_plugin() -> None:
    class Clash:
        govflow_name = "clash"

        @hookimpl
        def govflow_org_schemas(self) -> list[OrgSchema]:
            return [OrgSchema("clash", {"natural_village": "party"})]

    with pytest.raises(PluginError, match="'clash'"):
        PluginHost([Clash()], autoload=False).org_schema(DEFAULT_SCHEMA)


def test_set_up_gives_every_natural_village_and_residential_area_a_group_and_a_council(
    bengshan: OrgGraph,
) -> None:
    """在农村以自然村庄为单位设置党小组, 在城市以住宅小区为单位设置党支部, 配套理事会/议事会."""
    before = coverage(bengshan, ogoc_org.COVERAGE)
    assert not before.ok
    assert before.checked == 3
    created = ogoc_org.set_up(
        bengshan,
        under=BENGSHAN,
        councillors={f"{SUNJIAWEIZI}-N01": [("elder-sun", "孙老"), ("veteran-li", "李退伍")]},
    )
    assert len(created) == 3
    assert coverage(bengshan, ogoc_org.COVERAGE).ok
    group, council = created[0]
    assert group.kind == "group"
    assert council.kind == "villagers_council"
    assert bengshan.parent(group.id) == bengshan.unit(f"{SUNJIAWEIZI}/party")
    # 理事会长一般由党组织负责人兼任
    [head] = bengshan.members(council.id, "head")
    [leader] = bengshan.members(group.id, "secretary")
    assert head.person == leader.person
    assert {p.person.id for p in bengshan.members(council.id, "councillor")} == {
        "elder-sun",
        "veteran-li",
    }
    area_council = bengshan.council_for(f"{YUYIXIANG}-A01")
    assert area_council is not None
    assert area_council.kind == "residents_council"
    assert ogoc_org.set_up(bengshan, under=BENGSHAN) == []  # idempotent


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], bengshan: OrgGraph) -> Engine:
    ogoc_org.set_up(bengshan, under=BENGSHAN)
    bengshan.add_unit("340303/police", "law_enforcement", "燕山派出所", parent=BENGSHAN)
    bengshan.add_edge("pairs_with", "340303/police", SUNJIAWEIZI)
    bengshan.add_unit("340303/care", "social_organization", "夕阳红养老服务社", parent=BENGSHAN)
    bengshan.add_edge("pairs_with", "340303/care", SUNJIAWEIZI)
    return govflow_engine(autoload=True, org=bengshan, clock=ManualClock(START))


#: The leader of 孙家圩子's party group: a post in the group leading the natural village.
GROUP = f"{SUNJIAWEIZI}-N01/group/leader"
RESIDENT = Actor("villager-sun")


@pytest.mark.parametrize(
    ("description", "handler"),
    [
        ("两户邻里因宅基地边界发生纠纷", f"{SUNJIAWEIZI}-N01/council"),
        ("村民反映集体访苗头", SUNJIAWEIZI),
        ("村口电线老化有火灾隐患", "340303/police"),
        ("独居老人冬季取暖无人照看", "340303/care"),
    ],
)
def test_the_org_graph_routes_each_category(engine: Engine, description: str, handler: str) -> None:
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        location=f"{SUNJIAWEIZI}-N01",
        data={"description": description},
    )
    engine.fire(issue.id, "assign", actor=GROUP)
    assert engine.get(issue.id).assignees == (handler,)


def test_feedback_comes_from_the_council_of_the_place_only(engine: Engine) -> None:
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        location=f"{SUNJIAWEIZI}-N01",
        data={"description": "两户邻里因宅基地边界发生纠纷"},
    )
    engine.fire(issue.id, "assign", actor=GROUP)
    council = f"{SUNJIAWEIZI}-N01/council"
    # the council was assigned: its head acts for it (a unit acts through its people)
    handled = engine.fire(issue.id, "report_handled", actor=f"{SUNJIAWEIZI}-N01/group/leader")
    assert handled.acting_for == council
    other_head = f"{SUNJIAWEIZI}-N02/group/leader"  # heads the council of 后庄, not this one
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "feed_back", actor=other_head)
    assert (refused.value.scope, refused.value.units) == ("named", (council,))
    own_head = f"{SUNJIAWEIZI}-N01/group/leader"
    assert engine.fire(issue.id, "feed_back", actor=own_head).destination == "evaluating"


def test_a_group_leader_of_another_natural_village_may_not_assign(engine: Engine) -> None:
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        location=f"{SUNJIAWEIZI}-N01",
        data={"description": "两户邻里因宅基地边界发生纠纷"},
    )
    other = f"{SUNJIAWEIZI}-N02/group/leader"
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "assign", actor=Actor(other, roles={"secretary"}))  # claims count not
    assert refused.value.missing_roles == ("secretary",)
    assert refused.value.scope == "location"
    assert f"{SUNJIAWEIZI}-N01/group" in refused.value.units
    assert engine.get(issue.id).state == "collected"
    assert len(engine.history(issue.id)) == 1


def test_a_cross_village_matter_goes_to_the_village_party_organization(engine: Engine) -> None:
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        location=f"{SUNJIAWEIZI}-N01",
        data={"description": "两个自然村共用水塘清淤"},
    )
    event = escalate(
        engine,
        issue.id,
        "refer_up",
        actor=GROUP,
        payload={"areas": [f"{SUNJIAWEIZI}-N01", f"{SUNJIAWEIZI}-N02"]},
    )
    assert event.payload["escalated_to"] == [f"{SUNJIAWEIZI}/party"]


def test_a_patrol_records_a_problem_for_the_villager_it_met(engine: Engine) -> None:
    """收集: 每日巡、经常访、及时记 -- the patrol opens the issue; the villager reports it."""
    org = engine.org
    assert org is not None
    hamlet = f"{SUNJIAWEIZI}-N01"
    org.add_person("patrol-7", "巡访队员")
    org.assign("patrol-7", hamlet, "patrol")  # patrols the natural village
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        opened_by="patrol-7",
        channel="patrol",
        location=hamlet,
        data={"description": "独居老人冬季取暖无人照看"},
    )
    [opened] = engine.history(issue.id)
    assert (opened.actor, issue.reporter) == ("patrol-7", RESIDENT.id)
    assert opened.payload["channel"] == "patrol"
    with pytest.raises(PermissionDeniedError):  # not the patrol of the next natural village
        engine.open(
            "one-group-one-council",
            reporter=RESIDENT,
            opened_by="patrol-7",
            channel="patrol",
            location=f"{SUNJIAWEIZI}-N02",
        )
