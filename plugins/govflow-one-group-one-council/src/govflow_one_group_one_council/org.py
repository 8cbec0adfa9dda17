"""The organization of 一组一会: a party group (组) paired with an elected council (会) in every
natural village and residential area.

Seed 002: "在农村以自然村庄为单位设置党支部或党小组, 在城市以社区网格或住宅小区为单位设置党支部,
分别配套由村(居)民民主推选产生的村民理事会或居民议事会"; "理事会长(议事会长)一般由自然村庄和社区
网格(住宅小区)党组织负责人兼任"; the natural-village party unit belongs to the village party
organization, the residential-area one is led by the community party organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govflow.org import CoverageRule, EdgeRule, OrgGraph, OrgSchema, Unit
from govflow.org.schema import ADMINISTRATIVE, CONTAINS, CONVENES, LEADS, PAIRS_WITH

#: Units that get a group and a council of their own.
AREA_KINDS = ("natural_village", "residential_area")
#: Units a matter belongs to one level up (行政村 / 社区).
VILLAGE_KINDS = ("administrative_village", "community")

#: What the plugin adds to the org schema: social organizations and law-enforcement
#: departments (two of the five kinds of handler), and the grid patrol teams (网格巡访队伍)
#: that collect issues.
SCHEMA = OrgSchema(
    "one-group-one-council",
    {
        "social_organization": ADMINISTRATIVE,
        "law_enforcement": ADMINISTRATIVE,
        "patrol_team": ADMINISTRATIVE,
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
        *(EdgeRule(CONTAINS, area, "patrol_team") for area in (*AREA_KINDS, "grid")),
    ],
    {
        "social_organization": "社会组织",
        "law_enforcement": "执法部门",
        "patrol_team": "网格巡访队伍",
    },
)

#: Full coverage (seed: "全部民主推选建立村民理事会(居民议事会)"): every natural village and
#: residential area has a party unit leading it, a council of its own convened by that party
#: unit, and someone holding the post of secretary there.
COVERAGE = CoverageRule(
    "一组一会全覆盖", AREA_KINDS, ("party_unit", "council"), holders=("secretary",)
)


def village_of(org: OrgGraph, unit_id: str) -> Unit | None:
    """The administrative village or community ``unit_id`` lies in (itself if it is one)."""
    return next((u for u in org.chain(unit_id) if u.kind in VILLAGE_KINDS), None)


def set_up(
    org: OrgGraph,
    *,
    under: str | None = None,
    councillors: Mapping[str, Iterable[tuple[str, str]]] | None = None,
) -> list[tuple[Unit, Unit]]:
    """Give every natural village and residential area below ``under`` that lacks one a party
    group leading it and a council it convenes; the group's leader heads the council.

    The group sits under the party organization of its village or community. ``councillors``
    maps an area id to the elected council members (``(person id, name)``); the leader's post is
    created as ``<group id>/leader``. Areas that already have a council of their own are left
    alone. Returns the ``(group, council)`` pairs created.
    """
    created: list[tuple[Unit, Unit]] = []
    elected = dict(councillors or {})
    with org.bulk():
        for kind in AREA_KINDS:
            for area in org.units(kind=kind, under=under):
                own = org.council_for(area.id)
                convener = None if own is None else org.convener(own.id)
                if convener is not None and area in org.leads(convener.id):
                    continue
                village = village_of(org, area.id)
                above = None if village is None else org.party_unit_for(village.id)
                group = org.add_unit(
                    f"{area.id}/group",
                    "group",
                    f"{area.name}党小组",
                    parent=None if above is None else above.id,
                )
                org.add_edge(LEADS, group.id, area.id)
                council_kind = (
                    "villagers_council" if kind == "natural_village" else "residents_council"
                )
                label = "村民理事会" if kind == "natural_village" else "居民议事会"
                council = org.add_unit(f"{area.id}/council", council_kind, f"{area.name}{label}")
                org.add_edge(CONVENES, group.id, council.id)
                leader = f"{group.id}/leader"
                org.add_person(leader, f"{area.name}党小组组长", party_member=True)
                org.assign(leader, group.id, "secretary")
                org.assign(leader, council.id, "head")
                for person_id, name in elected.get(area.id, ()):
                    org.add_person(person_id, name, home_unit=area.id)
                    org.assign(person_id, council.id, "councillor")
                created.append((group, council))
    return created


__all__ = ["AREA_KINDS", "COVERAGE", "SCHEMA", "VILLAGE_KINDS", "set_up", "village_of"]
