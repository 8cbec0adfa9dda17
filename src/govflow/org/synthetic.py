"""Generate what the official table lacks, deterministically for a seed.

Below the committee level there is no public table: residential areas, grids, buildings, the
party net, councils, pairings and service centers are generated here, under real units (loaded
with :func:`~govflow.org.divisions.load_divisions`) or under a generated city
(:func:`synthetic_city`). The shape follows the seed articles:

* urban community (Jianhua, Huzhou): 社区 → coded grid (15-digit Beijing layout) → 小区 → 楼栋;
  社区党委 leads the community, a 网格党支部 leads each grid, a 党小组 leads each residential
  area and convenes its 居民议事会, a 党员中心户 in the group links the area's first building;
  in-service party members register (双报到). Bengbu's cities set a 党支部, not a 党小组, in
  each residential area (seed 002: "在城市以社区网格或住宅小区为单位设置党支部"):
  ``area_party="branch"``;
* administrative village (Bengbu): 行政村 → 自然村; the village party committee leads the
  village, a 党小组 leads each natural village and convenes its 村民理事会;
* each district has departments, each paired with communities (结对); each community or village
  has a 党群服务中心 serving its areas with travel minutes (Huzhou's 8-minute circle).

People hold posts: ``secretary`` in every party unit, ``director`` in every community or village,
``grid_worker`` in every grid, ``head`` of every council (the convening group's secretary).
"""

from __future__ import annotations

import random

from govflow.errors import InvalidOrgGraphError
from govflow.org.codes import BEIJING_GRID_15, DIVISION_12, derive
from govflow.org.graph import OrgGraph
from govflow.org.records import Unit
from govflow.org.schema import CONVENES, LEADS, PAIRS_WITH, REGISTERED_AT, SERVES

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅"

_COMMUNITY_KINDS = ("community", "administrative_village")


class _People:
    """Generates named people and gives them posts."""

    def __init__(self, graph: OrgGraph, rng: random.Random) -> None:
        self.graph = graph
        self.rng = rng

    def person(self, pid: str, *, party_member: bool, home_unit: str | None = None) -> str:
        name = self.rng.choice(_SURNAMES) + "".join(self.rng.choices(_GIVEN, k=2))
        self.graph.add_person(pid, name, party_member=party_member, home_unit=home_unit)
        return pid

    def post(self, unit: str, role: str, *, party_member: bool = True) -> str:
        pid = self.person(f"{unit}/{role}", party_member=party_member)
        self.graph.assign(pid, unit, role)
        return pid


def _short(name: str) -> str:
    """喻义巷社区居民委员会 → 喻义巷社区, 向阳村村民委员会 → 向阳村 (for derived names)."""
    for suffix in ("居民委员会", "居委会", "村民委员会", "村委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def _community(
    graph: OrgGraph,
    people: _People,
    rng: random.Random,
    community: Unit,
    *,
    grids: int,
    areas: int,
    buildings: int,
    registered: int,
    area_party: str = "group",
) -> None:
    cid = community.id
    name = _short(community.name)
    street = graph.parent(cid)
    above = None if street is None else graph.party_unit_for(street.id)
    committee = graph.add_unit(
        f"{cid}/party",
        "community_party_committee",
        f"{name}党委",
        parent=above.id if above is not None and above.kind == "party_working_committee" else None,
    )
    graph.add_edge(LEADS, committee.id, cid)
    people.post(committee.id, "secretary")
    people.post(cid, "director", party_member=False)
    council = graph.add_unit(f"{cid}/council", "residents_council", f"{name}居民议事会")
    graph.add_edge(CONVENES, committee.id, council.id)
    center = graph.add_unit(f"{cid}/center", "service_center", f"{name}党群服务中心", parent=cid)
    for r in range(1, registered + 1):
        # 双报到: in-service party members of agencies register where they live.
        pid = people.person(f"{cid}/registered{r:02d}", party_member=True)
        graph.add_edge(REGISTERED_AT, pid, cid)
    for g in range(1, grids + 1):
        gid = f"{cid}-G{g:02d}"
        code = None
        if community.code is not None and len(community.code) == DIVISION_12.length:
            code = derive(community.code, DIVISION_12, BEIJING_GRID_15, "grid", g)
        graph.add_unit(gid, "grid", f"第{g}网格", parent=cid, code=code)
        people.post(gid, "grid_worker", party_member=False)
        branch = graph.add_unit(f"{gid}/party", "branch", f"第{g}网格党支部", parent=committee.id)
        graph.add_edge(LEADS, branch.id, gid)
        people.post(branch.id, "secretary")
        for a in range(1, areas + 1):
            aid = f"{gid}-A{a:02d}"
            graph.add_unit(aid, "residential_area", f"第{g}网格{a}号小区", parent=gid)
            label = "小区党支部" if area_party == "branch" else "小区党小组"
            group = graph.add_unit(f"{aid}/party", area_party, f"{g}-{a}{label}", parent=branch.id)
            graph.add_edge(LEADS, group.id, aid)
            leader = people.post(group.id, "secretary")
            area_council = graph.add_unit(
                f"{aid}/council", "residents_council", f"{g}-{a}小区议事会"
            )
            graph.add_edge(CONVENES, group.id, area_council.id)
            graph.assign(leader, area_council.id, "head")
            graph.add_edge(SERVES, center.id, aid, minutes=rng.randint(1, 12))
            for b in range(1, buildings + 1):
                graph.add_unit(f"{aid}-B{b:02d}", "building", f"{b}号楼", parent=aid)
            if buildings:
                # 党员中心户: a party member's household in the group, linking the first building.
                household = graph.add_unit(
                    f"{aid}/household",
                    "party_member_household",
                    f"{g}-{a}党员中心户",
                    parent=group.id,
                )
                graph.add_edge(LEADS, household.id, f"{aid}-B01")
                people.post(household.id, "member")


def _village(
    graph: OrgGraph, people: _People, rng: random.Random, village: Unit, *, hamlets: int
) -> None:
    vid = village.id
    name = _short(village.name)
    committee = graph.add_unit(f"{vid}/party", "community_party_committee", f"{name}党组织")
    graph.add_edge(LEADS, committee.id, vid)
    people.post(committee.id, "secretary")
    people.post(vid, "director", party_member=False)
    center = graph.add_unit(f"{vid}/center", "service_center", f"{name}党群服务中心", parent=vid)
    for n in range(1, hamlets + 1):
        nid = f"{vid}-N{n:02d}"
        graph.add_unit(nid, "natural_village", f"第{n}自然村", parent=vid)
        group = graph.add_unit(f"{nid}/party", "group", f"第{n}自然村党小组", parent=committee.id)
        graph.add_edge(LEADS, group.id, nid)
        leader = people.post(group.id, "secretary")
        council = graph.add_unit(f"{nid}/council", "villagers_council", f"第{n}自然村村民理事会")
        graph.add_edge(CONVENES, group.id, council.id)
        graph.assign(leader, council.id, "head")
        graph.add_edge(SERVES, center.id, nid, minutes=rng.randint(2, 20))


def synthesize(
    graph: OrgGraph,
    *,
    seed: int = 0,
    under: str | None = None,
    grids: int = 3,
    areas: int = 2,
    buildings: int = 4,
    hamlets: int = 3,
    departments: int = 6,
    pairings: int = 1,
    registered: int = 2,
    area_party: str = "group",
) -> OrgGraph:
    """Fill every community and administrative village below ``under`` (all if ``None``).

    Per community: ``grids`` grids, ``areas`` residential areas per grid, ``buildings``
    buildings per area (and a 党员中心户 per area linked to its first building), ``registered``
    in-service party members registered with it (双报到); per village: ``hamlets`` natural
    villages. Per district or county
    below ``under`` (or containing it): ``departments`` departments, each community paired with
    ``pairings`` of them. The same ``seed`` on the same graph gives the same result.
    ``area_party`` is the kind of party unit leading each residential area: ``"group"``
    (党小组, under the grid's branch) or ``"branch"`` (党支部, as in Bengbu).
    """
    if area_party not in ("group", "branch"):
        raise InvalidOrgGraphError(f"area_party must be 'group' or 'branch', not {area_party!r}")
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    people = _People(graph, rng)
    targets = [u for u in graph.units(under=under) if u.kind in _COMMUNITY_KINDS]
    if under is not None and graph.unit(under).kind in _COMMUNITY_KINDS:
        targets.insert(0, graph.unit(under))
    with graph.bulk():
        for unit in targets:
            if unit.kind == "community":
                _community(
                    graph,
                    people,
                    rng,
                    unit,
                    grids=grids,
                    areas=areas,
                    buildings=buildings,
                    registered=registered,
                    area_party=area_party,
                )
            else:
                _village(graph, people, rng, unit, hamlets=hamlets)
        if departments and pairings:
            _pair(graph, rng, targets, departments=departments, pairings=pairings)
    return graph


def _pair(
    graph: OrgGraph, rng: random.Random, targets: list[Unit], *, departments: int, pairings: int
) -> None:
    by_district: dict[str, list[Unit]] = {}
    for unit in targets:
        district = next(
            (u for u in graph.chain(unit.id) if u.kind in ("district", "county", "city")), None
        )
        if district is not None:
            by_district.setdefault(district.id, []).append(unit)
    for district_id, members in by_district.items():
        district = graph.unit(district_id)
        depts = []
        for d in range(1, departments + 1):
            did = f"{district_id}/dept{d:02d}"
            if did not in graph:
                graph.add_unit(did, "department", f"{district.name}第{d}部门", parent=district_id)
            depts.append(did)
        for unit in members:
            for dept in rng.sample(depts, min(pairings, len(depts))):
                graph.add_edge(PAIRS_WITH, dept, unit.id)


def synthetic_city(
    *,
    seed: int = 0,
    districts: int = 10,
    streets: int = 10,
    communities: int = 10,
    grids: int = 10,
    areas: int = 1,
    buildings: int = 10,
    departments: int = 50,
    pairings: int = 10,
    registered: int = 2,
) -> OrgGraph:
    """A generated city (code 8101…, not a real division) filled by :func:`synthesize`.

    The defaults make the benchmark city: 10 districts, 100 streets, 1,000 communities, 10,000
    grids, 10,000 residential areas, 100,000 buildings, the party net over them (down to 10,000
    党员中心户), 2,000 registered in-service party members, and 10,000 pairings with 500
    departments. Streets and communities get 12-digit codes, grids 15-digit.
    """
    graph = OrgGraph()
    with graph.bulk():
        graph.add_unit("810000000000", "province", "示范省", code="810000000000")
        graph.add_unit("810100000000", "city", "示范市", parent="810000000000", code="810100000000")
        for d in range(1, districts + 1):
            code = DIVISION_12.encode(county=f"8101{d:02d}")
            graph.add_unit(code, "district", f"第{d}区", parent="810100000000", code=code)
            for s in range(1, streets + 1):
                street = graph.add_unit(
                    f"{code}-S{s:03d}", "street", f"第{d}区{s}街道", parent=code
                )
                wc = graph.add_unit(
                    f"{street.id}/party", "party_working_committee", f"{street.name}党工委"
                )
                graph.add_edge(LEADS, wc.id, street.id)
                for c in range(1, communities + 1):
                    graph.add_unit(
                        f"{street.id}-C{c:03d}",
                        "community",
                        f"{street.name}{c}社区",
                        parent=street.id,
                    )
        synthesize(
            graph,
            seed=seed,
            grids=grids,
            areas=areas,
            buildings=buildings,
            departments=departments,
            pairings=pairings,
            registered=registered,
        )
    return graph


__all__ = ["synthesize", "synthetic_city"]
