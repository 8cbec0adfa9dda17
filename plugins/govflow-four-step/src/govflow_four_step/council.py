"""党群议事会 and 结对: the organization the four-step method works through (seed 000).

Seed 000: "'党群议事会'制度日臻完善,26名区领导和90名区管领导分别担任街道社区两级的总召集人,
500余名区直部门、驻区单位、非公企业、社会组织党组织负责人作为常任议事委员;'让社区多个帮手'活动
也通过制度进一步固化,54个区直部门结对帮扶90个社区。"

* A 党群议事会 (kind ``party_masses_council``) sits at two levels, the street and the community,
  convened by the party unit leading it (街道党工委, 社区党委). Its 总召集人 holds the post
  ``chief_convener`` (a district leader at street level, a district-managed leader at community
  level); its 常任议事委员 hold ``standing_member`` (heads of the party organizations of district
  departments, resident units, non-public enterprises and social organizations).
* A district department is paired with communities (``pairs_with``, 结对帮扶): the community's
  helper, which answers its problems first.

The kind and post names are this plugin's defaults.
"""

from __future__ import annotations

from collections.abc import Iterable

from govflow import OrgGraph, OrgSchema, Unit
from govflow.org.schema import CONVENES, COUNCIL, EdgeRule

COUNCIL_KIND = "party_masses_council"
CHIEF_CONVENER = "chief_convener"
STANDING_MEMBER = "standing_member"
#: The two levels the seed names: 街道社区两级.
LEVELS = ("street", "community")

#: What the plugin adds to the org schema: the 党群议事会, convened by a street's or a
#: community's party unit.
SCHEMA = OrgSchema(
    "four-step",
    {COUNCIL_KIND: COUNCIL},
    [
        EdgeRule(CONVENES, party, COUNCIL_KIND)
        for party in ("party_working_committee", "community_party_committee")
    ],
    {COUNCIL_KIND: "党群议事会"},
)


def set_up_council(
    org: OrgGraph, area: str, *, convener: str, standing_members: Iterable[str] = ()
) -> Unit:
    """Give the street or community ``area`` its 党群议事会: convened by the party unit leading
    ``area``, with ``convener`` as 总召集人 and ``standing_members`` as 常任议事委员 (people already
    in the graph). Returns the council."""
    unit = org.unit(area)
    if unit.kind not in LEVELS:
        raise ValueError(f"a 党群议事会 sits at a street or a community, not a {unit.kind}")
    leaders = org.leaders(area)
    if not leaders:
        raise ValueError(f"{area!r} has no party unit leading it to convene its 党群议事会")
    party = leaders[0]
    council = org.add_unit(f"{area}/party-masses-council", COUNCIL_KIND, f"{unit.name}党群议事会")
    org.add_edge(CONVENES, party.id, council.id)
    org.assign(convener, council.id, CHIEF_CONVENER)
    for member in standing_members:
        org.assign(member, council.id, STANDING_MEMBER)
    return council


def council_of(org: OrgGraph, area: str) -> Unit | None:
    """The 党群议事会 of ``area`` (a street or community), if it has one."""
    unit_id = f"{area}/party-masses-council"
    return org.unit(unit_id) if unit_id in org else None


def helpers(org: OrgGraph, place: str) -> list[str]:
    """The departments paired with the community containing ``place`` (its 帮手)."""
    for unit in org.chain(place):
        if unit.kind == "community":
            return [d.id for d in org.paired(unit.id, inherit=False) if d.kind == "department"]
    return []


__all__ = [
    "CHIEF_CONVENER",
    "COUNCIL_KIND",
    "LEVELS",
    "SCHEMA",
    "STANDING_MEMBER",
    "council_of",
    "helpers",
    "set_up_council",
]
