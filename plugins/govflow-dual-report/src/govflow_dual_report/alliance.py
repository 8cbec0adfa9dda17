"""红色联盟 (the red alliance) and its rotating chair (轮值主席), in the org graph (seed 001).

Seed 001: "376家机关和国有企事业单位牵头,与结对社区组建'红色联盟',吸纳672家驻区单位党组织加入联盟,
同签'盟约'、合商'盟规'、齐领'盟事'、共谋'盟策',全面推行轮值主席、协商议事、契约共建等机制,精准对接
解决'潮汐'停车、课后托管等'关键小事'13000多件(次)。"

An alliance is a unit of kind ``alliance`` whose members are units (the lead agency, resident
units) joined to it by ``member_of`` edges; the community it forms around is its attribute
``community``. The chair rotates on a schedule kept as data on the alliance: ``rotation`` (the
member units in turn), ``term_months`` and ``rotation_start`` (an ISO date). On any date the
chair is the member whose turn it is, so the post changes hands without anyone moving it. The
schedule's shape (whole months, in a fixed order, from a start date) is this plugin's default:
the seed says only "轮值主席".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from govflow import OrgGraph, Unit
from govflow.org.schema import MEMBER_OF

#: The default term of a rotating chair, in months (the seed does not say).
TERM_MONTHS = 3


def form_alliance(
    org: OrgGraph,
    alliance_id: str,
    *,
    name: str,
    community: str,
    lead: str,
    members: Sequence[str],
    rotation_start: date,
    term_months: int = TERM_MONTHS,
) -> Unit:
    """Form the red alliance ``alliance_id`` around ``community``: ``lead`` (an agency or a state
    enterprise paired with the community) and the resident units ``members`` join it, and the
    chair rotates among them in that order from ``rotation_start``, ``term_months`` each."""
    if term_months < 1:
        raise ValueError("a chair's term is at least one month")
    if org.unit(community).kind != "community":
        raise ValueError(f"a red alliance forms around a community, not {community!r}")
    order = [lead, *members]
    if len(set(order)) != len(order):
        raise ValueError("a unit joins an alliance once")
    alliance = org.add_unit(
        alliance_id,
        "alliance",
        name,
        attributes={
            "community": community,
            "rotation": order,
            "term_months": term_months,
            "rotation_start": rotation_start.isoformat(),
        },
    )
    for unit in order:
        org.add_edge(MEMBER_OF, unit, alliance_id)
    if community not in {u.id for u in org.paired(lead, inherit=False)}:
        org.add_edge("pairs_with", lead, community)
    return alliance


def members_of(org: OrgGraph, alliance_id: str) -> list[str]:
    """The units that joined the alliance (member_of edges into it), in the order they joined."""
    org.unit(alliance_id)
    return [
        source
        for source, _, kind in org.nx.in_edges(alliance_id, keys=True)
        if kind == MEMBER_OF and source not in org.people
    ]


def chair_on(org: OrgGraph, alliance_id: str, day: date) -> str | None:
    """The member unit chairing the alliance on ``day`` (None before the rotation starts)."""
    attributes = org.unit(alliance_id).attributes
    rotation = attributes.get("rotation")
    start_text = attributes.get("rotation_start")
    term = attributes.get("term_months", TERM_MONTHS)
    if not isinstance(rotation, list) or not rotation or not isinstance(start_text, str):
        return None
    if not isinstance(term, int) or term < 1:
        return None
    start = date.fromisoformat(start_text)
    if day < start:
        return None
    months = (day.year - start.year) * 12 + day.month - start.month - (day.day < start.day)
    return str(rotation[(months // term) % len(rotation)])


def alliance_of(org: OrgGraph, community: str) -> Unit | None:
    """The red alliance formed around ``community``, if there is one."""
    return next(
        (u for u in org.units(kind="alliance") if u.attributes.get("community") == community),
        None,
    )


__all__ = ["TERM_MONTHS", "alliance_of", "chair_on", "form_alliance", "members_of"]
