"""一组一会 over the real 蚌山区 (340303): groups and councils in every natural village and
residential area, routing by the org graph, feedback only by the council of the place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from govflow_one_group_one_council import org as ogoc_org

from govflow import Actor, Engine, ManualClock, escalate, hookimpl
from govflow.errors import (
    GuardFailedError,
    InvalidOrgGraphError,
    PermissionDeniedError,
    PluginError,
)
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
GROUP = f"{SUNJIAWEIZI}-N01/party/leader"
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
    handled = engine.fire(issue.id, "report_handled", actor=f"{SUNJIAWEIZI}-N01/party/leader")
    assert handled.acting_for == council
    other_head = f"{SUNJIAWEIZI}-N02/party/leader"  # heads the council of 后庄, not this one
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "feed_back", actor=other_head)
    assert (refused.value.scope, refused.value.units) == ("named", (council,))
    own_head = f"{SUNJIAWEIZI}-N01/party/leader"
    fed = engine.fire(issue.id, "feed_back", actor=own_head, payload={"result": "调解成功"})
    assert fed.destination == "evaluating"


def test_a_group_leader_of_another_natural_village_may_not_assign(engine: Engine) -> None:
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        location=f"{SUNJIAWEIZI}-N01",
        data={"description": "两户邻里因宅基地边界发生纠纷"},
    )
    other = f"{SUNJIAWEIZI}-N02/party/leader"
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "assign", actor=Actor(other, roles={"secretary"}))  # claims count not
    assert refused.value.missing_roles == ("secretary",)
    assert refused.value.scope == "location"
    assert f"{SUNJIAWEIZI}-N01/party" in refused.value.units
    assert engine.get(issue.id).state == "collected"
    assert len(engine.history(issue.id)) == 1


def test_a_cross_village_matter_goes_to_the_village_party_organization(engine: Engine) -> None:
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        location=f"{SUNJIAWEIZI}-N01",
        data={"description": "两个自然村共用水塘清淤"},
    )
    for areas in (
        [f"{SUNJIAWEIZI}-N01", f"{YUYIXIANG}-A01"],  # not both of this village
        [f"{SUNJIAWEIZI}-N01", "no-such-hamlet"],
        [f"{SUNJIAWEIZI}-N01", SUNJIAWEIZI],  # the village itself is no natural village
    ):
        with pytest.raises(GuardFailedError):
            escalate(engine, issue.id, "refer_up", actor=GROUP, payload={"areas": areas})
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


# --- seed 002's shape: 党支部 in cities, grids, 楼栋党小组, 党员联系户 -------------------------


def _city(bengshan: OrgGraph) -> OrgGraph:
    """喻义巷 with a grid of two residential areas (two buildings each) and a grid of shops and
    streets with no residential area, besides the area set up in the fixture."""
    for g in (1, 2):
        bengshan.add_unit(f"{YUYIXIANG}-G{g:02d}", "grid", f"第{g}网格", parent=YUYIXIANG)
    for a in (1, 2):
        area = bengshan.add_unit(
            f"{YUYIXIANG}-G01-A{a:02d}", "residential_area", f"{a}号小区", parent=f"{YUYIXIANG}-G01"
        )
        for b in (1, 2):
            bengshan.add_unit(f"{area.id}-B{b:02d}", "building", f"{b}号楼", parent=area.id)
    return bengshan


def test_in_cities_a_branch_leads_each_residential_area_and_a_group_each_building(
    bengshan: OrgGraph,
) -> None:
    """ "社区党组织—住宅小区(社区网格)党支部—楼栋党小组"; a grid no residential area covers gets a
    一组一会 of its own, so every place has one."""
    org = _city(bengshan)
    ogoc_org.set_up(org, under=BENGSHAN)
    assert ogoc_org.problems(org, under=BENGSHAN) == []
    area = f"{YUYIXIANG}-G01-A01"
    party = org.party_unit_for(area)
    assert party is not None
    assert (party.kind, party.name) == ("branch", "1号小区党支部")
    assert org.parent(party.id) == org.unit(f"{YUYIXIANG}/party")  # 接受社区党组织领导
    council = org.council_for(area)
    assert council is not None
    assert (council.kind, org.convener(council.id)) == ("residents_council", party)
    building = org.party_unit_for(f"{area}-B02")
    assert building is not None
    assert (building.kind, org.parent(building.id)) == ("group", party)
    assert org.members(building.id, "leader")
    shops = org.party_unit_for(f"{YUYIXIANG}-G02")  # the grid without residential areas
    assert shops is not None
    assert (shops.kind, org.council_for(f"{YUYIXIANG}-G02")) == (
        "branch",
        org.unit(f"{YUYIXIANG}-G02/council"),
    )
    assert org.party_unit_for(f"{YUYIXIANG}-G01") == org.unit(f"{YUYIXIANG}/party")  # no own
    assert ogoc_org.set_up(org, under=BENGSHAN) == []  # idempotent


def test_a_community_may_set_its_groups_and_councils_per_grid(bengshan: OrgGraph) -> None:
    """ "以社区网格或住宅小区为单位": per grid, the areas inside it share the grid's."""
    org = _city(bengshan)
    created = ogoc_org.set_up(org, under=YUYIXIANG, urban="grid")
    assert sorted(party.id for party, _ in created) == [
        f"{YUYIXIANG}-A01/party",  # the area directly under the community: no grid covers it
        f"{YUYIXIANG}-G01/party",
        f"{YUYIXIANG}-G02/party",
    ]
    assert org.council_for(f"{YUYIXIANG}-G01-A02") == org.unit(f"{YUYIXIANG}-G01/council")
    assert ogoc_org.problems(org, under=YUYIXIANG, urban="grid") == []
    with pytest.raises(InvalidOrgGraphError, match="urban"):
        ogoc_org.set_up(org, under=YUYIXIANG, urban="building")


def test_a_natural_village_with_three_party_members_gets_a_branch(bengshan: OrgGraph) -> None:
    """ "自然村庄党支部(党小组)": a 党支部 where three party members live (a default), else a
    党小组."""
    hamlet = f"{SUNJIAWEIZI}-N02"
    for i in range(3):
        bengshan.add_person(f"houzhuang-pm{i}", f"党员{i}", party_member=True, home_unit=hamlet)
    ogoc_org.set_up(bengshan, under=BENGSHAN)
    kinds = {
        h: bengshan.party_unit_for(h).kind  # type: ignore[union-attr]
        for h in (f"{SUNJIAWEIZI}-N01", hamlet)
    }
    assert kinds == {f"{SUNJIAWEIZI}-N01": "group", hamlet: "branch"}


def test_the_shape_check_names_a_city_area_led_by_a_group(bengshan: OrgGraph) -> None:
    area = f"{YUYIXIANG}-A01"
    group = bengshan.add_unit(f"{area}/party", "group", "小区党小组", parent=f"{YUYIXIANG}/party")
    bengshan.add_edge("leads", group.id, area)
    found = ogoc_org.problems(bengshan, under=YUYIXIANG)
    assert found == [
        f"{area} 喻义巷小区: no council of its own",
        f"{area} 喻义巷小区: led by a group, not a 党支部",
    ]
    assert ogoc_org.problems(bengshan, under=SUNJIAWEIZI) == [
        f"{SUNJIAWEIZI}-N01 孙家圩子: no party unit leads it",
        f"{SUNJIAWEIZI}-N02 后庄: no party unit leads it",
    ]


def test_a_party_member_links_up_to_ten_households(bengshan: OrgGraph) -> None:
    """ "行政村党组织—自然村庄党支部(党小组)—党员联系户", "一人联十户"."""
    ogoc_org.set_up(bengshan, under=BENGSHAN)
    hamlet = f"{SUNJIAWEIZI}-N01"
    for h in range(12):
        bengshan.add_unit(f"{hamlet}-H{h:02d}", "household", f"{h}户", parent=hamlet)
    bengshan.add_unit(f"{SUNJIAWEIZI}-N02-H00", "household", "后庄0户", parent=f"{SUNJIAWEIZI}-N02")
    bengshan.add_person("pm-sun", "孙党员", party_member=True, home_unit=hamlet)
    bengshan.add_person("villager-li", "李村民", home_unit=hamlet)
    households = [f"{hamlet}-H{h:02d}" for h in range(10)]
    refused = [
        ("villager-li", households, "not a party member"),
        ("pm-sun", [f"{hamlet}-H{h:02d}" for h in range(11)], "1 to 10 households"),
        ("pm-sun", [households[0], f"{SUNJIAWEIZI}-N02-H00"], "several natural villages"),
        ("pm-sun", [hamlet], "not a household"),
    ]
    for member, linked, why in refused:
        size = len(bengshan)
        with pytest.raises(InvalidOrgGraphError, match=why):
            ogoc_org.link_households(bengshan, member, linked)
        assert len(bengshan) == size  # nothing added
    contact = ogoc_org.link_households(bengshan, "pm-sun", households)
    assert contact.kind == "contact_household"
    assert bengshan.parent(contact.id) == bengshan.party_unit_for(hamlet)
    assert [u.id for u in bengshan.leads(contact.id)] == households
    assert bengshan.party_unit_for(households[3]) == contact


def test_an_urban_major_matter_goes_to_the_community_past_the_grid(
    govflow_engine: Callable[..., Engine], bengshan: OrgGraph
) -> None:
    """ "报村(社区)党组织": the referral opens 四议两公开 at the community, not the grid."""
    org = _city(bengshan)
    ogoc_org.set_up(org, under=BENGSHAN)
    engine = govflow_engine(autoload=True, org=org, clock=ManualClock(START))
    area = f"{YUYIXIANG}-G01-A01"
    issue = engine.open(
        "one-group-one-council",
        reporter=Actor("resident-zhao", home_unit=area),
        location=area,
        data={"description": "小区加装电梯需使用大额维修资金"},
    )
    event = escalate(
        engine, issue.id, "refer_up", actor=f"{area}/party/leader", payload={"major": "large_funds"}
    )
    assert event.payload["escalated_to"] == [f"{YUYIXIANG}/party"]
    (child,) = engine.children(issue.id)
    assert engine.get(child.issue).location == YUYIXIANG
