"""The red alliance's 盟事 in a simulated season (``govflow simulate``).

A resident raises a key small matter (关键小事: tidal parking, after-school care); the alliance's
chair of the day tables it, consults, and contracts it to member units and in-service party
members registered with the community (双联系双报到), each taking its part with its own limit;
they report side by side (a late one recorded overdue and escalated to its own unit by the
clock); the residents evaluate it, sending a few back to the same parties.

The synthetic district has no alliances: the first time a community's residents raise a
matter, the story forms one around it (the department paired with the community leads, two
resident units join, the chair rotating quarterly from that month) and registers three of the
lead department's party members with the community -- for every community at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from govflow.obligations import CHINA_TIME
from govflow.season import Method, Scene
from govflow_dual_report import (
    SATISFACTION,
    WORKFLOW,
    alliance_of,
    chair_on,
    dual_report,
    form_alliance,
    members_of,
)

#: The key small matters of seed 001 ("'潮汐'停车、课后托管等'关键小事'"), and the 红色楼道.
WEIGHTS = {"潮汐停车": 3.0, "课后托管": 2.0, "楼道整治": 1.5, "为老服务": 1.0}
_MEMBERS = 3


def _form(scene: Scene, community: str, lead: str, today: date) -> None:
    """Form the red alliance around ``community`` and register three of the lead's members."""
    org = scene.org
    units = []
    for number, name in ((1, "驻区银行"), (2, "驻区学校")):
        unit = f"{community}/resident-unit-{number}"
        org.add_unit(unit, "work_unit", name)
        scene.staff(f"{unit}/party-secretary", unit, "party_secretary")
        units.append(unit)
    for number in range(1, _MEMBERS + 1):
        member = f"{lead}/{community}/in-service-member-{number}"
        org.add_person(member, member, party_member=True)
        org.assign(member, lead, "staff")
        dual_report(org, member, community=community)
    form_alliance(
        org,
        f"{community}/red-alliance",
        name=f"{org.unit(community).name}红色联盟",
        community=community,
        lead=lead,
        members=units,
        rotation_start=today.replace(day=1),
    )


def _alliance(scene: Scene, community: str, today: date) -> str | None:
    """The community's red alliance. The first time, one is formed around every community of
    the district at once: a graph that grows a unit at a time re-indexes on every search."""
    org = scene.org
    alliance_id = f"{community}/red-alliance"
    if alliance_id in org:
        return alliance_id
    district = scene.unit("district")
    if district is None:
        return None
    departments = [u.id for u in org.children(district) if u.kind == "department"]
    formed = {u.attributes.get("community") for u in org.units(kind="alliance")}
    for unit in org.units(kind="community", under=district):
        leads = [u.id for u in org.paired(unit.id) if u.kind == "department"] or departments
        if unit.id not in formed and leads:
            _form(scene, unit.id, leads[0], today)
    if alliance_id in org:
        return alliance_id
    found = alliance_of(org, community)  # one formed before the season, under another id
    return None if found is None else found.id


def story(scene: Scene) -> Iterator[float]:
    """关键小事 → 合商 → 契约共建 · 齐领盟事 → 群众评议."""
    engine, rng = scene.engine, scene.rng
    community = scene.unit("community")
    if community is None:
        return
    today = engine.clock.now().astimezone(CHINA_TIME).date()
    alliance = _alliance(scene, community, today)
    if alliance is None:
        return
    resident = scene.resident()
    issue = engine.open(
        WORKFLOW.name,
        reporter=resident,
        location=scene.location,
        category=scene.category,
        data={"subject": scene.category or "关键小事", "alliance": alliance},
    )
    scene.issue_id = issue.id

    def chair() -> str:
        """Whoever acts for the unit chairing the alliance today (the post rotates)."""
        unit = chair_on(scene.org, alliance, engine.clock.now().astimezone(CHINA_TIME).date())
        assert unit is not None  # the rotation started on the 1st of the month it was formed
        return scene.member_of(unit).id

    yield rng.uniform(6, 72)
    engine.fire(issue.id, "table", actor=chair())  # 合商盟规, 协商议事
    yield rng.uniform(24, 200)
    if rng.random() < 0.06:
        engine.fire(issue.id, "decline", actor=chair(), payload={"reason": "属物业职责"})
        return
    units = rng.sample(members_of(scene.org, alliance), rng.choice((1, 2)))
    members = [p.id for p in scene.org.registered(community) if p.party_member]
    chosen = [*units, *rng.sample(members, min(len(members), rng.choice((1, 2))))]
    engine.fire(issue.id, "contract", actor=chair(), payload={"parties": chosen})
    for attempt in range(2):
        # 齐领盟事: the parties work side by side; most within their 30 days, a few late
        done_in = {
            p: min(scene.hours(150), 700.0) if rng.random() < 0.9 else rng.uniform(730, 900)
            for p in chosen
        }
        for wait, party in scene.side_by_side(done_in):
            yield wait
            # a registered member reports himself; a unit through someone holding a post in it
            actor = party if party in scene.org.people else scene.member_of(party).id
            engine.fire(  # naming the party: a member of the lead unit may act for both
                issue.id,
                "report_part",
                actor=actor,
                payload={"party": party, "outcome": "已完成所领盟事"},
            )
        if rng.random() < 0.1:
            return  # never rated: the clock closes it unrated
        yield rng.uniform(6, 120)  # 群众评议
        if attempt == 0 and rng.random() < 0.1:
            engine.fire(
                issue.id, "send_back", actor=scene.resident(), payload={"reason": "效果不明显"}
            )
            continue
        rating = rng.choices(SATISFACTION, weights=(82, 13, 5))[0]
        engine.fire(issue.id, "evaluate", actor=scene.resident(), payload={"satisfaction": rating})
        return


#: Key small matters raised in residential areas (小区).
METHODS = (Method(WORKFLOW.name, 0.04, "residential_area", story, categories=WEIGHTS),)

__all__ = ["METHODS", "WEIGHTS", "story"]
