"""六事工作法's part in a simulated season (``govflow simulate``).

A resident of a residential area raises a community matter; the two committees decline a few
(with a reason) and table the rest; the area's residents' council deliberates (sometimes
voting it down, back to the committees); the joint meeting decides; several parties carry it
out; the public evaluates it, sending some back for more work. The bodies are the org graph's,
frozen at each gate.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow import Actor
from govflow.season import Method, Scene
from govflow_six_things import (
    CONSULTATION,
    MEETING,
    RESIDENTS_COUNCIL,
    SATISFACTION,
    WORKFLOW,
)

_SUBJECTS = ("小区电动车集中充电棚", "老旧小区加装电梯", "背街小巷改造", "口袋公园建设")
_BODY_AT = {"residents_deliberation": RESIDENTS_COUNCIL, "meeting_decision": MEETING}


def _vote(scene: Scene, committees: Actor, *, support: float) -> None:
    """The meeting the issue's gate waits for: most members attend, each votes for with
    probability ``support``."""
    rng = scene.rng
    members = scene.body(_BODY_AT[scene.issue.state])
    attendees = [m for m in members if rng.random() < 0.85] or members[:1]
    votes_for = [m for m in attendees if rng.random() < support]
    CONSULTATION.record_vote(
        scene.engine,
        scene.issue_id,
        actor=committees,
        attendees=attendees,
        votes_for=votes_for,
        against=[m for m in attendees if m not in votes_for],
    )


def story(scene: Scene) -> Iterator[float]:
    """百姓点事 → '两委'提事 → 居民议事 → 与会决事 → 多元办事 → 公众评事."""
    engine, rng = scene.engine, scene.rng
    community = scene.unit("community") or scene.location
    committees = scene.holder("director")  # the community committee's director, for 两委
    resident = scene.resident()
    issue = engine.open(
        WORKFLOW.name,
        reporter=resident,
        location=scene.location,  # the residential area whose council deliberates
        data={"subject": rng.choice(_SUBJECTS), "community": community},
    )
    scene.issue_id = issue.id
    yield rng.uniform(12, 72)
    if rng.random() < 0.08:
        engine.fire(issue.id, "decline", actor=committees, payload={"reason": "属物业合同范围"})
        return
    engine.fire(issue.id, "table", actor=committees)
    support = rng.uniform(0.45, 0.95)
    for _ in range(12):
        if scene.issue.state not in ("residents_deliberation", "meeting_decision", "raised"):
            break
        yield rng.uniform(24, 96)  # the next meeting convenes
        if scene.issue.state == "raised":
            engine.fire(issue.id, "table", actor=committees)
            support = min(support + 0.2, 0.95)  # reworked after residents' objections
        else:
            _vote(scene, committees, support=support)
    if scene.issue.state != "decided":
        return
    yield rng.uniform(2, 24)
    doers = [scene.member_of(community), scene.member_of(f"{community}/party")]
    engine.fire(
        issue.id, "dispatch", actor=committees, payload={"assignees": [d.id for d in doers]}
    )
    for _ in range(3):
        yield scene.hours(120)
        engine.fire(issue.id, "report_done", actor=rng.choice(doers))
        yield rng.uniform(24, 96)
        if rng.random() < 0.1:
            engine.fire(issue.id, "send_back", actor=resident, payload={"reason": "未完工"})
            continue
        rating = rng.choices(SATISFACTION, weights=(78, 16, 6))[0]
        engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": rating})
        return


#: Community matters, raised in residential areas (小区), deliberated by their councils.
METHODS = (Method(WORKFLOW.name, 0.06, "residential_area", story),)

__all__ = ["METHODS", "story"]
