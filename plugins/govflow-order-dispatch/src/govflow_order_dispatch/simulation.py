"""群众点单、社区派单、党员领单、群众评单's part in a simulated season (``govflow simulate``).

Residents in their buildings order a service; the community's first secretary dispatches it to
the nearest sunk party member holding the duty; the member claims it (or passes, and it goes
to the next), serves, and reports the hours; the resident rates it. The synthetic district has
no sunk members: the story sinks four to a community the first time one of its residents
orders, each with two of the duty posts.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow import Actor
from govflow.errors import GuardFailedError
from govflow.season import Method, Scene
from govflow_order_dispatch import DISPATCHER, SATISFACTION, WORKFLOW
from govflow_order_dispatch.members import DUTY_POSTS, sink

#: The services residents order, with how often (the duty posts of the seed).
WEIGHTS = dict.fromkeys(DUTY_POSTS, 1.0)
_MEMBERS = 4


def _sunk_members(scene: Scene, community: str) -> None:
    duties = sorted(DUTY_POSTS)
    for number in range(_MEMBERS):
        person = f"{community}/sunk-member-{number + 1}"
        if person in scene.org.people:
            continue
        mine = [duties[number % len(duties)], duties[(number + 1) % len(duties)]]
        scene.org.add_person(person, person, party_member=True, attributes={"duties": mine})
        sink(scene.org, person, scene.location)


def story(scene: Scene) -> Iterator[float]:
    """One order: 点单 → 派单 → 领单 → 评单, with passes and redispatches."""
    engine, rng = scene.engine, scene.rng
    community = scene.unit("community")
    if community is None:
        return
    _sunk_members(scene, community)
    dispatcher = scene.staff(f"{community}/first-secretary", community, DISPATCHER)
    resident = scene.resident()
    issue = engine.open(
        WORKFLOW.name,
        reporter=resident,
        location=scene.location,
        category=scene.category,
        data={"subject": "居民点单"},
    )
    scene.issue_id = issue.id
    for _ in range(_MEMBERS):
        yield rng.uniform(0.5, 8)
        if scene.issue.state != "ordered":
            return
        try:
            engine.fire(issue.id, "dispatch", actor=dispatcher)
        except GuardFailedError:  # everyone who holds the duty has let it go
            engine.fire(issue.id, "decline", actor=dispatcher, payload={"reason": "无党员可领单"})
            return
        yield rng.uniform(0.1, 1.5)
        if scene.issue.state != "offered":
            continue  # nobody claimed it in time: back to dispatch
        member = Actor(scene.issue.assignees[0])
        if rng.random() < 0.15:
            engine.fire(issue.id, "pass", actor=member, payload={"reason": "不在社区"})
            continue
        engine.fire(issue.id, "claim", actor=member)
        hours = round(rng.uniform(0.5, 6), 1)
        yield scene.hours(30)
        if scene.issue.state != "serving":
            continue  # not served in time: the clock sent it back, the community dispatches again
        engine.fire(issue.id, "finish", actor=member, payload={"hours": hours})
        if rng.random() < 0.1:
            return  # never rated: the clock closes it unrated
        yield rng.uniform(2, 72)
        rating = rng.choices(SATISFACTION, weights=(85, 11, 4))[0]
        engine.fire(issue.id, "rate", actor=resident, payload={"satisfaction": rating})
        return


#: Orders from residents' buildings (楼栋).
METHODS = (Method(WORKFLOW.name, 0.1, "building", story, categories=WEIGHTS),)

__all__ = ["METHODS", "WEIGHTS", "story"]
