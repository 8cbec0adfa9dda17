"""The seeds' structures, as specifications over the real districts filled synthetically."""

from __future__ import annotations

import pytest

from govflow.errors import InvalidOrgGraphError
from govflow.org import (
    BEIJING_GRID_15,
    ONE_GROUP_ONE_COUNCIL,
    PAIRED_COMMUNITIES,
    PARTY_IN_EVERY_GRID,
    CoverageRule,
    OrgGraph,
    coverage,
    load_divisions,
    synthesize,
    synthetic_city,
    to_json,
)

YUYIXIANG = "340303001001"  # 喻义巷社区, 天桥街道, 蚌山区, Bengbu
DONGSHI = "330502013007"  # 东柿社区, 湖东街道, 吴兴区, Huzhou
YUYING = "230203002006"  # 育英社区, 中华街道, 建华区, Qiqihar


def test_bengbu_one_group_one_council(seeds: OrgGraph) -> None:
    """一组一会: every residential area and natural village of 蚌山区 has a party group and a
    council of its own, and the council's head is the group's leader."""
    rule = CoverageRule(
        "一组一会 in 蚌山区",
        ONE_GROUP_ONE_COUNCIL.kinds,
        ONE_GROUP_ONE_COUNCIL.needs,
        under="340303000000",
    )
    # The party net reaches down to the party-member household, which links a building.
    household = seeds.units(kind="party_member_household", under=f"{YUYING}/party")[0]
    assert [u.kind for u in seeds.chain(household.id)] == [
        "party_member_household",
        "group",
        "branch",
        "community_party_committee",
    ]
    building = seeds.leads(household.id)[0]
    assert building.kind == "building"
    assert seeds.party_unit_for(building.id) == household
    report = coverage(seeds, rule)
    assert report.ok, str(report)
    assert report.checked > 300
    for area in seeds.units(kind="natural_village", under="340303000000")[:20]:
        group = seeds.party_unit_for(area.id)
        council = seeds.council_for(area.id)
        assert group is not None
        assert council is not None
        assert (group.kind, council.kind) == ("group", "villagers_council")
        head = seeds.members(council.id, role="head")[0].person
        leader = seeds.members(group.id, role="secretary")[0].person
        assert head == leader


def test_huzhou_four_levels_and_three_level_party_net(seeds: OrgGraph) -> None:
    """街道—社区—小区—楼道 (with grids between 社区 and 小区) and 社区党委—网格党支部—党小组."""
    building = seeds.units(kind="building", under=DONGSHI)[1]  # not linked to a 党员中心户
    kinds = [u.kind for u in seeds.chain(building.id)]
    assert kinds[:5] == ["building", "residential_area", "grid", "community", "street"]
    assert seeds.chain(building.id)[3].name == "东柿社区居委会"
    group = seeds.party_unit_for(building.id)
    assert group is not None
    assert [u.kind for u in seeds.chain(group.id)] == [
        "group",
        "branch",
        "community_party_committee",
    ]
    path = seeds.escalation_path(building.id, "secretary")
    assert [s.holder.unit.kind for s in path if s.holder] == [
        "group",
        "branch",
        "community_party_committee",
    ]


def test_huzhou_eight_minute_service_circle(seeds: OrgGraph) -> None:
    far = seeds.beyond(8)
    areas = seeds.units(kind="residential_area")
    assert 0 < len(far) < len(areas)
    for area in far[:50]:
        assert all(minutes > 8 for _, minutes in seeds.served_by(area.id))
    inside = {u.id for u in areas} - {u.id for u in far}
    for area_id in list(inside)[:50]:
        assert min(m for _, m in seeds.served_by(area_id)) <= 8


def test_jianhua_coded_grids_and_four_level_party_net(seeds: OrgGraph) -> None:
    """社区党委—小区党组织—网格党支部—党员中心户 over grids with coded numbers (网格赋码编号)."""
    grids = seeds.units(kind="grid", under=YUYING)
    assert len(grids) == 3
    for n, grid in enumerate(grids, start=1):
        assert grid.code is not None
        assert BEIJING_GRID_15.decode(grid.code) == {
            "county": "230203",
            "street": "002",
            "committee": "006",
            "grid": f"{n:03d}",
        }
        assert seeds.by_code(grid.code) == grid
    report = coverage(
        seeds,
        CoverageRule(
            "grids of 建华区",
            ("grid",),
            ("party_unit",),
            holders=("grid_worker", "secretary"),
            under="230203000000",
        ),
    )
    assert report.ok, str(report)


def test_huzhou_dual_registration(seeds: OrgGraph) -> None:
    """双报到: in-service party members register with the community where they live."""
    registered = seeds.registered(DONGSHI)
    assert len(registered) == 2
    assert all(p.party_member for p in registered)


def test_every_seed_community_is_paired_and_every_grid_has_a_branch(seeds: OrgGraph) -> None:
    assert coverage(seeds, PAIRED_COMMUNITIES).ok
    assert coverage(seeds, PARTY_IN_EVERY_GRID).ok
    for community in seeds.units(kind="community")[:30]:
        assert all(d.kind == "department" for d in seeds.paired(community.id))


def test_coverage_lists_each_gap(seeds: OrgGraph) -> None:
    g = load_divisions(prefix="340303")
    synthesize(g, seed=3)
    area = g.units(kind="residential_area", under=YUYIXIANG)[0]
    group = g.leaders(area.id)[0]
    council = g.council_for(area.id)
    assert council is not None
    g.remove_edge("convenes", group.id, council.id)
    village = g.units(kind="natural_village")[0]
    g.remove_edge("leads", g.leaders(village.id)[0].id, village.id)
    report = coverage(g, ONE_GROUP_ONE_COUNCIL)
    assert not report.ok
    # Gaps come rule kind by rule kind (residential areas first), each in preorder.
    assert [(gap.unit.id, gap.missing) for gap in report.gaps] == [
        (area.id, ("council",)),
        (village.id, ("party_unit", "council")),
    ]
    assert report.ratio == 1 - 2 / report.checked
    text = str(report)
    assert text.startswith(f"一组一会: {report.checked - 2}/{report.checked} covered")
    assert f"{area.id} {area.name}: missing council" in text
    with pytest.raises(ValueError, match="unknown needs"):
        CoverageRule("bad", ("grid",), ("sunshine",))
    assert coverage(g, CoverageRule("none", ("household",), ("paired",))).ratio == 1.0


def test_synthesis_is_deterministic_for_a_seed() -> None:
    def make(seed: int) -> dict[str, object]:
        g = load_divisions(prefix="230203")
        synthesize(g, seed=seed)
        return to_json(g)

    assert make(5) == make(5)
    assert make(5) != make(6)


def test_synthesis_under_one_community_only() -> None:
    g = load_divisions(prefix="340303")
    synthesize(g, seed=1, under=YUYIXIANG, grids=2, areas=1, buildings=3)
    assert len(g.units(kind="grid")) == 2
    assert len(g.units(kind="building", under=YUYIXIANG)) == 6
    assert len(g.units(kind="department")) == 6
    g.validate()


def test_bengbu_cities_lead_each_residential_area_with_a_branch() -> None:
    """Seed 002: "在城市以社区网格或住宅小区为单位设置党支部" -- a 党支部, not a 党小组."""
    g = load_divisions(prefix="340303")
    synthesize(g, seed=1, under=YUYIXIANG, grids=1, areas=2, buildings=1, area_party="branch")
    for area in g.units(kind="residential_area", under=YUYIXIANG):
        party = g.party_unit_for(area.id)
        assert party is not None
        assert (party.kind, party.name[-5:]) == ("branch", "小区党支部")
        assert g.council_for(area.id) == g.unit(f"{area.id}/council")
    g.validate()
    with pytest.raises(InvalidOrgGraphError, match="area_party"):
        synthesize(g, under=YUYIXIANG, area_party="committee")


def test_a_small_synthetic_city() -> None:
    city = synthetic_city(
        districts=2, streets=2, communities=2, grids=2, buildings=2, departments=3, pairings=2
    )
    counts = {
        k: len(city.units(kind=k)) for k in ("district", "street", "community", "grid", "building")
    }
    assert counts == {"district": 2, "street": 4, "community": 8, "grid": 16, "building": 32}
    assert sum(len(city.paired(c.id)) for c in city.units(kind="community")) == 16
    community = city.units(kind="community")[0]
    assert community.code == "810101001001"
    party = city.party_unit_for(community.id)
    assert party is not None
    assert [u.kind for u in city.chain(party.id)] == [
        "community_party_committee",
        "party_working_committee",
    ]
    city.validate()
