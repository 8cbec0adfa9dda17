"""三级联动·一会五步 and 吹哨报到's part in a simulated season (``govflow simulate``).

Residents of a residential area raise a matter (汇); the secretary of the party unit leading the
area sets it on the council's agenda (定), or, for a matter beyond the area, moves it up to the
community's council -- and now and then on to the street's; the council there votes (议), not
always for; the decision is carried out and made public (示), a resident objecting now and then;
the residents evaluate it (评).

In the streets, the street whistles for a matter it cannot settle alone: two or three
departments are summoned, each reporting in its own time; a slow one is recorded overdue and
escalated by the clock, and when the summons runs out the district's coordination center
summons the late ones again.

The synthetic district has no street councils nor whistle posts: the stories give a street its
party working committee and council, its secretary and the district center's duty officer
their posts, the first time they are needed.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow import Actor
from govflow.authority import who_may
from govflow.season import Method, Scene
from govflow_one_council_five_steps import (
    DELIBERATION,
    LEVELS,
    SATISFACTION,
    WHISTLE,
    WORKFLOW,
    move_up,
    upper_place,
)
from govflow_one_council_five_steps.whistle import DISTRICT_CENTER, STREET

#: What residents raise in the councils (the seed: "充电桩安装、小区路面维修等治理问题181个").
COUNCIL_WEIGHTS = {"小区路面维修": 3.0, "充电桩安装": 2.5, "小区停车": 2.0, "楼道堆物清理": 1.0}
#: What the street whistles for.
WHISTLE_WEIGHTS = {"违建拆除": 2.0, "占道经营": 2.0, "老旧小区改造": 1.5, "噪声扰民": 1.0}
_COUNCILLORS = 5


def _street_councils(scene: Scene, street: str) -> None:
    """Give every street of the district its 街道党工委, leading it, and the council it convenes
    (all at once, the first time one is needed: a graph that grows a unit at a time re-indexes
    on every search)."""
    org = scene.org
    if f"{street}/party" in org:
        return
    district = scene.unit("district")
    for unit in org.units(kind=LEVELS[-1], under=district):
        party = f"{unit.id}/party"
        if party in org:
            continue
        org.add_unit(party, "party_working_committee", f"{unit.name}党工委")
        org.add_edge("leads", party, unit.id)
        council = org.add_unit(f"{unit.id}/council", "residents_council", "街道议事会")
        org.add_edge("convenes", party, council.id)
        scene.staff(f"{party}/secretary", party, "secretary")
        for number in range(1, _COUNCILLORS + 1):
            scene.staff(f"{council.id}/councillor-{number}", council.id, "councillor")


def _secretary(scene: Scene, trigger: str) -> Actor:
    """The nearest secretary who may make the move where the matter lies now."""
    return Actor(who_may(scene.engine, scene.issue_id, trigger)[0])


def _vote(scene: Scene, support: float) -> str:
    rng = scene.rng
    members = scene.body("council")
    attendees = [m for m in members if rng.random() < 0.85]
    votes_for = [m for m in attendees if rng.random() < support]
    event = DELIBERATION.record_vote(
        scene.engine,
        scene.issue_id,
        actor=_secretary(scene, "pass_deliberating"),
        attendees=attendees,
        votes_for=votes_for,
        against=[m for m in attendees if m not in votes_for],
    )
    return event.destination


def council_story(scene: Scene) -> Iterator[float]:
    """汇 → 定 → 议 → 示 → 评, moving up when the area cannot settle it."""
    engine, rng = scene.engine, scene.rng
    resident = scene.resident()
    issue = engine.open(
        WORKFLOW.name,
        reporter=resident,
        location=scene.location,
        category=scene.category,
        data={"subject": scene.category or "小区事务"},
    )
    scene.issue_id = issue.id
    if not who_may(engine, issue.id, "set_agenda"):
        return  # no party unit leads this place: the clock reminds
    yield rng.uniform(12, 72)
    if rng.random() < 0.06:
        engine.fire(
            issue.id,
            "decline",
            actor=_secretary(scene, "decline"),
            payload={"reason": "属物业合同范围"},
        )
        return
    # A matter beyond the area goes to the community's council; a few beyond that to the street's.
    climbs = 0 if rng.random() < 0.7 else 1 if rng.random() < 0.8 else 2
    support = rng.uniform(0.45, 0.95)
    for _ in range(6):  # meetings until it is decided
        if scene.issue.state != "collected":
            break
        place = scene.issue.location
        upper = None if place is None else upper_place(scene.org, place)
        if climbs and upper is not None:
            if scene.org.unit(upper).kind == LEVELS[-1]:
                _street_councils(scene, upper)
            move_up(engine, issue.id, actor=_secretary(scene, "move_up"), reason="本级议不了")
            climbs -= 1
            yield rng.uniform(24, 96)
            continue
        engine.fire(issue.id, "set_agenda", actor=_secretary(scene, "set_agenda"))
        while scene.issue.state == "deliberating":
            yield rng.uniform(24, 120)  # the council convenes
            _vote(scene, support)
        support = min(support + 0.2, 0.95)  # reworked after the council's objections
    if scene.issue.state != "carrying_out":
        return
    yield scene.hours(150)
    secretary = _secretary(scene, "publicize")
    engine.fire(issue.id, "publicize", actor=secretary, payload={"result": "议定事项已办结"})
    if rng.random() < 0.06:  # an objection in the publicity period: back to the council
        yield rng.uniform(12, 96)
        engine.fire(issue.id, "object", actor=scene.resident(), payload={"reason": "方案有异议"})
        while scene.issue.state == "deliberating":
            yield rng.uniform(24, 96)
            _vote(scene, 0.9)
        if scene.issue.state != "carrying_out":
            return
        yield scene.hours(48)
        engine.fire(issue.id, "publicize", actor=secretary, payload={"result": "方案已调整"})
    if rng.random() < 0.12:
        return  # never rated: the clock closes it unrated
    yield 5 * 24 + rng.uniform(1, 72)  # the publicity period ends by the clock
    rating = rng.choices(SATISFACTION, weights=(80, 14, 6))[0]
    engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": rating})


def whistle_story(scene: Scene) -> Iterator[float]:
    """街道吹哨, 部门报到: a join of departments, the late ones escalated and summoned again."""
    engine, rng = scene.engine, scene.rng
    street = scene.location
    district = scene.unit("district")
    if district is None:
        return
    # the district's departments (its children: org.units() re-indexes a growing graph)
    departments = [u.id for u in scene.org.children(district) if u.kind == "department"]
    if len(departments) < 2:
        return
    secretary = scene.staff(f"{street}/street-secretary", street, STREET)
    center = scene.staff(f"{district}/grid-center-duty", district, DISTRICT_CENTER)
    resident = scene.resident()
    issue = engine.open(
        WHISTLE.name,
        reporter=resident,
        location=street,
        category=scene.category,
        data={"subject": scene.category or "街道事务"},
    )
    scene.issue_id = issue.id
    yield rng.uniform(1, 20)
    summoned = rng.sample(departments, min(len(departments), rng.choice((2, 2, 3))))
    engine.fire(issue.id, "whistle", actor=secretary, payload={"parties": summoned})
    # The departments work side by side: most report within their 2 days, a slow one later.
    done_in = {
        dept: min(scene.hours(20), 46.0) if rng.random() < 0.8 else rng.uniform(50, 110)
        for dept in summoned
    }
    for wait, department in scene.side_by_side(done_in):
        yield wait
        if scene.issue.state == "escalated":  # the summons ran out: the center summons again
            engine.fire(issue.id, "supervise", actor=center)
        engine.fire(
            issue.id,
            "report_in",
            actor=scene.member_of(department),
            payload={"outcome": f"{scene.category or '事项'}已处置"},
        )
    yield rng.uniform(2, 20)
    engine.fire(issue.id, "feed_back", actor=secretary)
    if rng.random() < 0.12:
        return  # never rated: the clock closes it unrated
    yield rng.uniform(2, 96)
    rating = rng.choices(SATISFACTION, weights=(78, 15, 7))[0]
    engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": rating})


METHODS = (
    Method(WORKFLOW.name, 0.05, "residential_area", council_story, categories=COUNCIL_WEIGHTS),
    Method(WHISTLE.name, 0.03, "street", whistle_story, categories=WHISTLE_WEIGHTS),
)

__all__ = ["COUNCIL_WEIGHTS", "METHODS", "WHISTLE_WEIGHTS", "council_story", "whistle_story"]
