"""四议两公开's part in a simulated season (``govflow simulate``).

An administrative village puts a matter on the agenda; the branch proposes it, the two
committees consult, the party members review, the villagers' representatives resolve (each
body the org graph's, frozen at its gate); the resolution is publicized, carried out, and the
result publicized. Notice periods run on the clock. The synthetic district has no
representatives: the story elects fifteen in the village the first time it needs them.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow.season import Method, Scene
from govflow_four_deliberations import (
    BRANCH_COMMITTEE,
    DECISION,
    PARTY_ASSEMBLY,
    REPRESENTATIVE,
    REPRESENTATIVES,
    TWO_COMMITTEES,
    WORKFLOW,
)

_SUBJECTS = ("硬化连接两个自然村的道路", "村集体资产出租", "修建村民文化广场", "土地流转方案")
_BODY_AT = {
    "branch_proposal": BRANCH_COMMITTEE,
    "committees_consultation": TWO_COMMITTEES,
    "assembly_review": PARTY_ASSEMBLY,
    "representatives_resolution": REPRESENTATIVES,
}


def story(scene: Scene) -> Iterator[float]:
    """议题 → 提议 → 商议 → 审议 → 决议 → 决议公开 → 实施 → 结果公开."""
    engine, rng, village = scene.engine, scene.rng, scene.location
    for number in range(1, 16):
        scene.staff(f"{village}/representative-{number}", village, REPRESENTATIVE)
    secretary = scene.holder("secretary")  # the village party branch's secretary
    director = scene.holder("director")  # the villagers' committee's director
    issue = engine.open(
        WORKFLOW.name,
        reporter=scene.resident(),
        location=village,
        data={"subject": rng.choice(_SUBJECTS)},
    )
    scene.issue_id = issue.id
    yield rng.uniform(24, 120)
    engine.fire(issue.id, "put_on_agenda", actor=secretary)
    for _ in range(8):
        state = scene.issue.state
        if state not in _BODY_AT:
            break
        yield rng.uniform(48, 168)  # the next meeting
        members = scene.body(_BODY_AT[state])
        attendees = [m for m in members if rng.random() < 0.9] or members
        votes_for = [m for m in attendees if rng.random() < 0.85]
        DECISION.record_vote(
            engine,
            issue.id,
            actor=director if state == "representatives_resolution" else secretary,
            attendees=attendees,
            votes_for=votes_for,
            against=[m for m in attendees if m not in votes_for],
        )
    while scene.issue.state in ("resolution_notice", "implementing"):
        yield 24.0  # the notice period runs on the clock; implementing takes weeks
        if scene.issue.state == "implementing":
            yield scene.hours(24 * 14)
            engine.fire(issue.id, "report_result", actor=director)
            return


#: Village decisions, in administrative villages (行政村).
METHODS = (Method(WORKFLOW.name, 0.04, "administrative_village", story),)

__all__ = ["METHODS", "story"]
