"""六事工作法's part in a simulated season (``govflow simulate``).

A resident raises a community matter; the two committees decline a few (with a reason) and
table the rest; the residents' council deliberates (sometimes without a quorum, sometimes
voting it down, back to the committees); the joint meeting decides; several parties carry it
out; the public evaluates it, sending some back for more work.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow import Actor
from govflow.authority import who_may
from govflow.errors import InvalidRequestError
from govflow.season import Method, Scene
from govflow_six_things import CONSULTATION, MEETING, RESIDENTS_COUNCIL, SATISFACTION, WORKFLOW

_SUBJECTS = ("小区电动车集中充电棚", "老旧小区加装电梯", "背街小巷改造", "口袋公园建设")


def _vote(scene: Scene, committees: Actor, members: list[str], *, support: float) -> str:
    """A meeting of ``members``: most attend, and each votes for with ``support``."""
    rng = scene.rng
    attendees = [m for m in members if rng.random() < 0.85]
    votes_for = [m for m in attendees if rng.random() < support]
    against = [m for m in attendees if m not in votes_for]
    event = CONSULTATION.record_vote(
        scene.engine,
        scene.issue_id,
        actor=committees,
        attendees=attendees,
        votes_for=votes_for,
        against=against,
    )
    return event.destination


def _members(scene: Scene, body: str) -> list[str]:
    """Who the log froze as due at ``body`` when its gate opened."""
    entry = scene.issue.data.get("bodies", {}).get(body, {})
    return list(entry.get("members", [])) if isinstance(entry, dict) else []


def story(scene: Scene) -> Iterator[float]:
    """百姓点事 → '两委'提事 → 居民议事 → 与会决事 → 多元办事 → 公众评事.

    The two committees are a person holding one of their posts in the community (``who_may``);
    the residents' council and the meeting are the bodies the engine resolved from the graph.
    """
    engine, rng = scene.engine, scene.rng
    community = scene.location
    issue = engine.open(
        WORKFLOW.name,
        reporter=scene.resident(),
        location=community,
        data={"subject": rng.choice(_SUBJECTS)},
    )
    scene.issue_id = issue.id
    tablers = who_may(engine, issue.id, "table")
    if not tablers:
        return  # no two committees in this community: the clock reminds them
    committees = tablers[0]
    yield rng.uniform(12, 72)
    if rng.random() < 0.08:
        engine.fire(issue.id, "decline", actor=committees, payload={"reason": "属物业合同范围"})
        return
    try:
        engine.fire(issue.id, "table", actor=committees)
    except InvalidRequestError:
        return  # the community has no residents' council to deliberate
    support = rng.uniform(0.45, 0.95)
    while scene.issue.state in ("residents_deliberation", "meeting_decision", "raised"):
        yield rng.uniform(24, 96)  # the next meeting convenes
        if scene.issue.state == "raised":
            engine.fire(issue.id, "table", actor=committees)
            support = min(support + 0.2, 0.95)  # reworked after residents' objections
            continue
        body = RESIDENTS_COUNCIL if scene.issue.state == "residents_deliberation" else MEETING
        _vote(scene, Actor(committees), _members(scene, body), support=support)
    yield rng.uniform(2, 24)
    parties = ["property-company", f"{community}/grid-worker", "street-office"]
    engine.fire(issue.id, "dispatch", actor=committees, payload={"assignees": parties})
    for _ in range(3):
        for party in rng.sample(parties, len(parties)):  # 多元办事: every party reports
            yield scene.hours(40)
            engine.fire(issue.id, "report_done", actor=party)
        yield rng.uniform(24, 96)
        if rng.random() < 0.1:
            engine.fire(issue.id, "send_back", actor=scene.resident(), payload={"reason": "未完工"})
            continue
        rating = rng.choices(SATISFACTION, weights=(78, 16, 6))[0]
        engine.fire(issue.id, "evaluate", actor=scene.resident(), payload={"satisfaction": rating})
        return


#: Community matters, in communities (社区).
METHODS = (Method(WORKFLOW.name, 0.06, "community", story),)

__all__ = ["METHODS", "story"]
