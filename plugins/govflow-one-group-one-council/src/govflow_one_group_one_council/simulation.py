"""一组一会's part in a simulated season (``govflow simulate``): 收集 → 交办 → 处理 → 反馈 → 评价.

Patrol teams collect residents' problems in residential areas and natural villages and mend a
few on the spot (随手做); the group corrects a few wrongly categorized ones (重新分类), drops a
few (with a reason), assigns the rest to the handler its category routes to (the org graph's
answer, else the community); the handler works it; the council of the place feeds back; the
resident rates it, or the clock closes it unrated.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow import Actor
from govflow.authority import who_may
from govflow.season import Method, Scene
from govflow_one_group_one_council import CATEGORIES, SATISFACTION, WORKFLOW, handler_for

#: How often each category comes up (disputes and safety most, as in the seed's review).
WEIGHTS = {
    "dispute_mediation": 3.0,
    "safety": 2.0,
    "elderly_child_care": 2.0,
    "volunteer_service": 1.5,
    "petitions_stability": 0.5,
}
_DESCRIPTIONS = {
    "dispute_mediation": "两户邻里因排水沟发生纠纷",
    "safety": "村口电线老化有火灾隐患",
    "elderly_child_care": "独居老人冬季取暖无人照看",
    "volunteer_service": "需要志愿者帮忙清扫道路",
    "petitions_stability": "村民反映集体访苗头",
}


def _first(people: list[str]) -> str | None:
    return people[0] if people else None


def story(scene: Scene) -> Iterator[float]:
    """One problem, collected by a patrol team and worked through the group and council.

    Every actor is a person of the org graph the engine would accept (``who_may``): the group's
    leader, someone of the handling unit, the council's head.
    """
    engine, rng, category = scene.engine, scene.rng, scene.category or "dispute_mediation"
    resident = scene.resident()
    issue = engine.open(
        WORKFLOW.name,
        reporter=resident,
        location=scene.location,
        category=category,
        data={"description": _DESCRIPTIONS[category], "collected_by": "patrol"},
    )
    scene.issue_id = issue.id
    patrol = _first(who_may(engine, issue.id, "fix_on_spot"))
    if patrol is not None and rng.random() < 0.15:
        # 随手做、实时报: small things are mended at once and reported
        engine.fire(issue.id, "fix_on_spot", actor=patrol, payload={"result": "已现场处理"})
        yield from _feed_back_and_rate(scene, resident)
        return
    group = _first(who_may(engine, issue.id, "assign"))
    if group is None:
        return  # no group leads this place: the matter waits for the clock
    yield rng.uniform(2, 24)  # 一周一碰头: the group reviews what was collected
    if rng.random() < 0.03:
        engine.fire(issue.id, "drop", actor=group, payload={"reason": "已由物业处理"})
        return
    if rng.random() < 0.05:
        # filed under the wrong category: corrected, not dropped
        other = rng.choice(sorted(set(CATEGORIES) - {category}))
        engine.fire(
            issue.id, "reclassify", actor=group, payload={"category": other, "reason": "类别有误"}
        )
    handler = handler_for(scene.issue, scene.org) or scene.unit("community") or scene.location
    engine.fire(issue.id, "assign", actor=group, payload={"assignees": [handler]})
    yield scene.hours(36)
    worker = _first(who_may(engine, issue.id, "report_handled"))
    if worker is None:
        return  # nobody holds a post in the handling unit
    engine.fire(issue.id, "report_handled", actor=worker, payload={"result": "已办结"})
    yield from _feed_back_and_rate(scene, resident)


def _feed_back_and_rate(scene: Scene, resident: Actor) -> Iterator[float]:
    """The council of the place feeds the result back; the resident rates it, or not."""
    engine, rng = scene.engine, scene.rng
    yield rng.uniform(2, 30)
    feeder = _first(who_may(engine, scene.issue_id, "feed_back"))
    if feeder is None:
        return
    engine.fire(scene.issue_id, "feed_back", actor=feeder, payload={"result": "已办结"})
    if rng.random() < 0.1:
        return  # never rated: the clock closes it unrated
    yield rng.uniform(1, 48)
    rating = rng.choices(SATISFACTION, weights=(80, 14, 6))[0]
    engine.fire(scene.issue_id, "evaluate", actor=resident, payload={"satisfaction": rating})


#: In residential areas (居民议事会) and natural villages (村民理事会).
METHODS = (
    Method(WORKFLOW.name, 0.3, "residential_area", story, categories=WEIGHTS),
    Method(WORKFLOW.name, 0.05, "natural_village", story, categories=WEIGHTS),
)

assert set(WEIGHTS) == set(CATEGORIES)

__all__ = ["METHODS", "WEIGHTS", "story"]
