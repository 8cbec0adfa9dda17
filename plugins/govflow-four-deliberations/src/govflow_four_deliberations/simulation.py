"""四议两公开's part in a simulated season (``govflow simulate``).

An administrative village puts a matter on the agenda; the branch proposes it (jointly with
the two committees when the secretary also directs the committee, 一肩挑); the two committees
consult, the party members review, the villagers' representatives resolve; the resolution is
publicized, carried out with its progress disclosed, and the result publicized. Notice
periods run on the clock.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow.authority import who_may
from govflow.errors import InvalidRequestError
from govflow.season import Method, Scene
from govflow_four_deliberations import (
    BRANCH_COMMITTEE,
    DECISION,
    PARTY_ASSEMBLY,
    REPRESENTATIVES,
    TWO_COMMITTEES,
    WORKFLOW,
)

_SUBJECTS = ("硬化连接两个自然村的道路", "村集体资产出租", "修建村民文化广场", "土地流转方案")
_GATES = (
    "branch_proposal",
    "committees_consultation",
    "assembly_review",
    "representatives_resolution",
)
#: The body (``data["bodies"]`` key) that meets at each gate.
_BODY_OF = dict(
    zip(_GATES, (BRANCH_COMMITTEE, TWO_COMMITTEES, PARTY_ASSEMBLY, REPRESENTATIVES), strict=True)
)


def _first(people: list[str]) -> str | None:
    return people[0] if people else None


def story(scene: Scene) -> Iterator[float]:
    """议题 → 提议 → 商议 → 审议 → 决议 → 决议公开 → 实施 → 结果公开.

    The branch's secretary and the committee's director are the people of the org graph the
    engine accepts (``who_may``); each meeting's members are the body it froze into the log.
    """
    engine, rng, village = scene.engine, scene.rng, scene.location
    issue = engine.open(
        WORKFLOW.name,
        reporter=scene.resident(),
        location=village,
        data={"subject": rng.choice(_SUBJECTS)},
    )
    scene.issue_id = issue.id
    secretary = _first(who_may(engine, issue.id, "put_on_agenda"))
    if secretary is None:
        return
    yield rng.uniform(24, 120)
    try:
        engine.fire(issue.id, "put_on_agenda", actor=secretary)
    except InvalidRequestError:
        return  # the village lacks a body to deliberate
    for _ in range(8):
        state = scene.issue.state
        if state not in _GATES:
            break
        yield rng.uniform(48, 168)  # the next meeting
        recorder = _first(who_may(engine, issue.id, f"pass_{state}"))
        bodies = scene.issue.data.get("bodies", {})
        entry = bodies.get(_BODY_OF[state], {}) if isinstance(bodies, dict) else {}
        seats = list(entry.get("members", [])) if isinstance(entry, dict) else []
        if recorder is None or not seats:
            return
        attendees = [m for m in seats if rng.random() < 0.9]
        votes_for = [m for m in attendees if rng.random() < 0.85]
        try:
            DECISION.record_vote(
                engine,
                issue.id,
                actor=recorder,
                attendees=attendees,
                votes_for=votes_for,
                against=[m for m in attendees if m not in votes_for],
            )
        except InvalidRequestError:
            return  # the next gate's body cannot be resolved here
    while scene.issue.state in ("resolution_notice", "implementing"):
        yield 24.0  # the notice period runs on the clock; implementing takes weeks
        if scene.issue.state == "implementing":
            yield scene.hours(24 * 7)
            reporter = _first(who_may(engine, issue.id, "disclose_progress"))
            if reporter is None:
                return
            # 实施过程公开: the committee posts how far the work has got, then the result
            engine.fire(issue.id, "disclose_progress", actor=reporter, payload={"progress": "过半"})
            yield scene.hours(24 * 7)
            engine.fire(issue.id, "report_result", actor=reporter)
            return


#: Village decisions, in administrative villages (行政村).
METHODS = (Method(WORKFLOW.name, 0.04, "administrative_village", story),)

__all__ = ["METHODS", "story"]
