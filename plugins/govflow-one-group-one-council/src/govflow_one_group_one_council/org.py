"""The organization of 一组一会: a party unit (组) paired with an elected council (会) in every
natural village, and in every residential area or grid of a city.

Seed 002: "在农村以自然村庄为单位设置党支部或党小组, 在城市以社区网格或住宅小区为单位设置党支部,
分别配套由村(居)民民主推选产生的村民理事会或居民议事会 … 分别形成以'行政村党组织—自然村庄党支部
(党小组)—党员联系户'和'社区党组织—住宅小区(社区网格)党支部—楼栋党小组'为主干的组织体系";
"理事会长(议事会长)一般由自然村庄和社区网格(住宅小区)党组织负责人兼任"; the natural village's
party unit belongs to the village party organization, the residential area's (grid's) is led by
the community party organization ("隶属于所在行政村党组织 … 接受社区党组织领导").

So in the country the tiers are 行政村党组织 → 自然村党支部 or 党小组 → 党员联系户; in the city
社区党组织 → 小区 (网格) 党支部 → 楼栋党小组.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from govflow.errors import InvalidOrgGraphError
from govflow.org import CoverageRule, EdgeRule, OrgGraph, OrgSchema, Unit
from govflow.org.schema import (
    ADMINISTRATIVE,
    CONTAINS,
    CONVENES,
    LEADS,
    PAIRS_WITH,
    PARTY,
)

#: Units that may get a group and a council of their own: natural villages in the country,
#: residential areas or grids in cities.
AREA_KINDS = ("natural_village", "residential_area", "grid")
#: Units a matter belongs to one level up (行政村 / 社区).
VILLAGE_KINDS = ("administrative_village", "community")
#: The city unit a 一组一会 is set per: "以社区网格或住宅小区为单位". The seed allows either;
#: :func:`set_up` takes the residential area unless told ``urban="grid"``.
URBAN_UNITS = ("residential_area", "grid")
#: A natural village's party unit is a 党支部 once this many party members live there, else a
#: 党小组 of the village's organization. The seed says "党支部或党小组" without a rule; this
#: default follows the Party Constitution's threshold for a basic organization (正式党员三人以上).
BRANCH_THRESHOLD = 3
#: How many households a 党员联系户 links: the seed's "一人联十户".
HOUSEHOLDS_PER_MEMBER = 10

#: What the plugin adds to the org schema: social organizations and law-enforcement
#: departments (two of the five kinds of handler), the grid patrol teams (网格巡访队伍) that
#: collect issues, and the 党员联系户 tier of the rural party net.
SCHEMA = OrgSchema(
    "one-group-one-council",
    {
        "social_organization": ADMINISTRATIVE,
        "law_enforcement": ADMINISTRATIVE,
        "patrol_team": ADMINISTRATIVE,
        "contact_household": PARTY,
    },
    [
        *(
            EdgeRule(CONTAINS, parent, kind)
            for parent in ("district", "county", "street", "township")
            for kind in ("social_organization", "law_enforcement")
        ),
        *(
            EdgeRule(PAIRS_WITH, kind, target)
            for kind in ("social_organization", "law_enforcement")
            for target in VILLAGE_KINDS
        ),
        *(EdgeRule(CONTAINS, area, "patrol_team") for area in AREA_KINDS),
        *(EdgeRule(CONTAINS, party, "contact_household") for party in ("branch", "group")),
        EdgeRule(LEADS, "contact_household", "household"),
    ],
    {
        "social_organization": "社会组织",
        "law_enforcement": "执法部门",
        "patrol_team": "网格巡访队伍",
        "contact_household": "党员联系户",
    },
)

#: Full coverage (seed: "全部民主推选建立村民理事会(居民议事会)"): every natural village and
#: residential area has a party unit leading it, a council of its own convened by that party
#: unit, and someone holding the post of secretary there. :func:`problems` checks the rest of
#: the seed's shape (the kind of party unit, the grids, the 楼栋党小组).
COVERAGE = CoverageRule(
    "一组一会全覆盖",
    ("natural_village", "residential_area"),
    ("party_unit", "council"),
    holders=("secretary",),
)


def village_of(org: OrgGraph, unit_id: str) -> Unit | None:
    """The administrative village or community ``unit_id`` lies in (itself if it is one)."""
    return next((u for u in org.chain(unit_id) if u.kind in VILLAGE_KINDS), None)


def _check_urban(urban: str) -> None:
    if urban not in URBAN_UNITS:
        raise InvalidOrgGraphError(f"urban must be one of {list(URBAN_UNITS)}, not {urban!r}")


def areas(
    org: OrgGraph, *, under: str | None = None, urban: str = "residential_area"
) -> list[Unit]:
    """The units that get a 一组一会 of their own below ``under``: every natural village; in
    cities every residential area and every grid with no residential area in it (so every
    place has one), or with ``urban="grid"`` every grid and every residential area outside
    any grid."""
    _check_urban(urban)
    other = "grid" if urban == "residential_area" else "residential_area"
    found = [*org.units(kind="natural_village", under=under), *org.units(kind=urban, under=under)]
    for unit in org.units(kind=other, under=under):
        above = any(u.kind == urban for u in org.chain(unit.id)[1:])
        if not above and not org.units(kind=urban, under=unit.id):
            found.append(unit)  # a place no unit of the chosen kind covers gets its own
    return found


def _own_council(org: OrgGraph, area: Unit) -> Unit | None:
    council = org.council_for(area.id)
    convener = None if council is None else org.convener(council.id)
    return council if convener is not None and area in org.leads(convener.id) else None


def _party_members_by_place(org: OrgGraph) -> Counter[str]:
    """How many party members live in each unit (or below it)."""
    counts: Counter[str] = Counter()
    for person in org.people.values():
        if person.party_member and person.home_unit is not None and person.home_unit in org:
            counts.update(u.id for u in org.chain(person.home_unit))
    return counts


def _below(org: OrgGraph, unit_id: str, kind: str) -> list[Unit]:
    """The units of ``kind`` below ``unit_id``, by the children index (no index rebuild while
    the graph is being changed)."""
    found, stack = [], list(org.children(unit_id))
    while stack:
        unit = stack.pop()
        if unit.kind == kind:
            found.append(unit)
        stack.extend(org.children(unit.id))
    return sorted(found, key=lambda u: u.id)


def _building_groups(org: OrgGraph, area: Unit, branch: Unit) -> None:
    """楼栋党小组: a party group of the area's branch leading each building that has none."""
    for building in _below(org, area.id, "building"):
        if any(u.kind == "group" for u in org.leaders(building.id)):
            continue
        group = org.add_unit(
            f"{building.id}/party", "group", f"{building.name}党小组", parent=branch.id
        )
        org.add_edge(LEADS, group.id, building.id)
        leader = f"{group.id}/leader"
        org.add_person(leader, f"{building.name}党小组组长", party_member=True)
        org.assign(leader, group.id, "leader")


def set_up(
    org: OrgGraph,
    *,
    under: str | None = None,
    councillors: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    urban: str = "residential_area",
) -> list[tuple[Unit, Unit]]:
    """Give every unit of :func:`areas` below ``under`` that lacks one a party unit leading it
    and a council it convenes, the party unit's leader heading the council; and, in cities,
    a 楼栋党小组 to every building under a 党支部 that has none.

    The party unit is a 党支部 (``branch``) in cities; in a natural village a 党支部 once
    :data:`BRANCH_THRESHOLD` party members live there, else a 党小组 (``group``). It sits under
    the party organization of its village or community. ``councillors`` maps a unit id to
    the elected council members (``(person id, name)``); the leader's post is created as
    ``<party unit id>/leader``. Units that already have a council of their own keep it.
    Returns the ``(party unit, council)`` pairs created.
    """
    created: list[tuple[Unit, Unit]] = []
    elected = dict(councillors or {})
    todo = areas(org, under=under, urban=urban)
    party_members = _party_members_by_place(org)
    with org.bulk():
        for area in todo:
            own = _own_council(org, area)
            if own is not None:
                convener = org.convener(own.id)
                city = area.kind != "natural_village"
                if city and convener is not None and convener.kind == "branch":
                    _building_groups(org, area, convener)
                continue
            village = village_of(org, area.id)
            above = None if village is None else org.party_unit_for(village.id)
            rural = area.kind == "natural_village"
            # 在城市 … 设置党支部; in the country 党支部或党小组 (BRANCH_THRESHOLD, a default)
            kind = "branch" if not rural or party_members[area.id] >= BRANCH_THRESHOLD else "group"
            label = "党支部" if kind == "branch" else "党小组"
            party = org.add_unit(
                f"{area.id}/party",
                kind,
                f"{area.name}{label}",
                parent=None if above is None else above.id,
            )
            org.add_edge(LEADS, party.id, area.id)
            council = org.add_unit(
                f"{area.id}/council",
                "villagers_council" if rural else "residents_council",
                f"{area.name}{'村民理事会' if rural else '居民议事会'}",
            )
            org.add_edge(CONVENES, party.id, council.id)
            leader = f"{party.id}/leader"
            org.add_person(leader, f"{area.name}{label}书记", party_member=True)
            org.assign(leader, party.id, "secretary")
            org.assign(leader, council.id, "head")
            for person_id, name in elected.get(area.id, ()):
                org.add_person(person_id, name, home_unit=area.id)
                org.assign(person_id, council.id, "councillor")
            if not rural:
                _building_groups(org, area, party)
            created.append((party, council))
    return created


def link_households(
    org: OrgGraph, member: str, households: Sequence[str], *, name: str | None = None
) -> Unit:
    """党员联系户: party member ``member`` links ``households`` of one natural village
    ("一人联十户、一户带N户"), as a tier under the natural village's party unit.

    :raises InvalidOrgGraphError: the member is not a party member, a household is not a
        household of a natural village led by a party unit, the households lie in several
        natural villages, or there are more than :data:`HOUSEHOLDS_PER_MEMBER`. Nothing is
        added then.
    """
    person = org.person(member)
    if not person.party_member:
        raise InvalidOrgGraphError(f"{member!r} is not a party member: no 党员联系户")
    if not households or len(households) > HOUSEHOLDS_PER_MEMBER:
        raise InvalidOrgGraphError(
            f"a 党员联系户 links 1 to {HOUSEHOLDS_PER_MEMBER} households (一人联十户), "
            f"got {len(households)}"
        )
    hamlets = set()
    for household in households:
        unit = org.unit(household)
        hamlet = next((u for u in org.chain(unit.id) if u.kind == "natural_village"), None)
        if unit.kind != "household" or hamlet is None:
            raise InvalidOrgGraphError(f"{household!r} is not a household of a natural village")
        hamlets.add(hamlet.id)
    if len(hamlets) != 1:
        raise InvalidOrgGraphError(
            f"the households lie in several natural villages: {sorted(hamlets)}"
        )
    party = org.party_unit_for(hamlets.pop())
    if party is None or party.kind not in ("branch", "group"):
        raise InvalidOrgGraphError("the natural village has no 党支部 or 党小组 to link under")
    with org.bulk():
        contact = org.add_unit(
            f"{member}/contact",
            "contact_household",
            name or f"{person.name}党员联系户",
            parent=party.id,
        )
        org.assign(member, contact.id, "member")
        for household in households:
            org.add_edge(LEADS, contact.id, household)
    return contact


def problems(
    org: OrgGraph, *, under: str | None = None, urban: str = "residential_area"
) -> list[str]:
    """Where the org below ``under`` departs from seed 002's shape, one line per gap: a unit of
    :func:`areas` without a party unit leading it or without a council of its own; a city
    unit led by something other than a 党支部; a building under a city 党支部 with no
    楼栋党小组."""
    found: list[str] = []
    for area in areas(org, under=under, urban=urban):
        leaders = org.leaders(area.id)
        if not leaders:
            found.append(f"{area.id} {area.name}: no party unit leads it")
            continue
        if _own_council(org, area) is None:
            found.append(f"{area.id} {area.name}: no council of its own")
        if area.kind == "natural_village":
            continue
        if leaders[0].kind != "branch":
            found.append(f"{area.id} {area.name}: led by a {leaders[0].kind}, not a 党支部")
            continue
        found.extend(
            f"{building.id} {building.name}: no 楼栋党小组"
            for building in _below(org, area.id, "building")
            if not any(u.kind == "group" for u in org.leaders(building.id))
        )
    return found


__all__ = [
    "AREA_KINDS",
    "BRANCH_THRESHOLD",
    "COVERAGE",
    "HOUSEHOLDS_PER_MEMBER",
    "SCHEMA",
    "URBAN_UNITS",
    "VILLAGE_KINDS",
    "areas",
    "link_households",
    "problems",
    "set_up",
    "village_of",
]
