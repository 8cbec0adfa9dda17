"""四议两公开's part in a simulated season (``govflow simulate``).

An administrative village puts a matter on the agenda; the branch proposes it (jointly with
the two committees when the secretary also directs the committee, 一肩挑); the two committees
consult, the party members review, the villagers' representatives resolve; the resolution is
publicized, carried out, and the result publicized. Notice periods run on the clock.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow import Actor
from govflow.season import Method, Scene
from govflow_four_deliberations import DECISION, WORKFLOW, bodies

_SUBJECTS = ("硬化连接两个自然村的道路", "村集体资产出租", "修建村民文化广场", "土地流转方案")
_GATES = (
    "branch_proposal",
    "committees_consultation",
    "assembly_review",
    "representatives_resolution",
)


def story(scene: Scene) -> Iterator[float]:
    """议题 → 提议 → 商议 → 审议 → 决议 → 决议公开 → 实施 → 结果公开."""
    engine, rng, village = scene.engine, scene.rng, scene.location
    branch = [f"{village}/secretary", f"{village}/deputy", f"{village}/member"]
    committee = [f"{village}/secretary", f"{village}/director-deputy", f"{village}/accountant"]
    members = [*branch, *(f"{village}/party-member-{i}" for i in range(1, 10))]
    representatives = [f"{village}/representative-{i}" for i in range(1, 16)]
    composition = bodies(
        branch_committee=branch,
        village_committee=committee,
        party_members=members,
        representatives=representatives,
        branch_secretary=branch[0],
        committee_director=branch[0],
    )
    secretary = Actor(branch[0], roles={"party_branch", "village_committee"})
    issue = engine.open(
        WORKFLOW.name,
        reporter=scene.resident(),
        location=village,
        data={"subject": rng.choice(_SUBJECTS), "bodies": composition},
    )
    scene.issue_id = issue.id
    yield rng.uniform(24, 120)
    engine.fire(issue.id, "put_on_agenda", actor=secretary)
    seats = {
        "branch_proposal": branch,
        "committees_consultation": list(dict.fromkeys([*branch, *committee])),
        "assembly_review": members,
        "representatives_resolution": representatives,
    }
    for _ in range(8):
        state = scene.issue.state
        if state not in _GATES:
            break
        yield rng.uniform(48, 168)  # the next meeting
        attendees = [m for m in seats[state] if rng.random() < 0.9]
        votes_for = [m for m in attendees if rng.random() < 0.85]
        DECISION.record_vote(
            engine,
            issue.id,
            actor=secretary,
            attendees=attendees,
            votes_for=votes_for,
            against=[m for m in attendees if m not in votes_for],
        )
    while scene.issue.state in ("resolution_notice", "implementing"):
        yield 24.0  # the notice period runs on the clock; implementing takes weeks
        if scene.issue.state == "implementing":
            yield scene.hours(24 * 14)
            engine.fire(issue.id, "report_result", actor=secretary)
            return


#: Village decisions, in administrative villages (行政村).
METHODS = (Method(WORKFLOW.name, 0.04, "administrative_village", story),)

__all__ = ["METHODS", "story"]
