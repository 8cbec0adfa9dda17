"""四步工作法's part in a simulated season (``govflow simulate``).

基层出题 → 部门答题 → 联动解题 → 群众评议, as 瑶海 runs it: the community's party secretary poses a
problem from its needs; the departments paired with the community (让社区多个帮手) answer it; a
problem one department cannot answer alone is worked jointly by two or three departments, each
reporting within its own limit (the slow ones recorded overdue and escalated by the clock);
residents evaluate the result, sending a few back.
"""

from __future__ import annotations

from collections.abc import Iterator

from govflow.season import Method, Scene
from govflow_four_step import COMMUNITY_SECRETARY, SATISFACTION, WORKFLOW, helpers

#: The six areas residents' needs are gathered in (seed 000), with how often problems arise.
WEIGHTS = {
    "环境整治": 3.0,
    "民生保障": 2.5,
    "社区治理": 2.0,
    "日常服务": 2.0,
    "法律援助": 1.0,
    "党的建设": 0.5,
}

_ANSWERS = {
    "环境整治": "清理楼道堆物, 增设垃圾分类点",
    "民生保障": "为困难老人申请临时救助",
    "社区治理": "协调物业修复门禁",
    "日常服务": "开设便民服务窗口",
    "法律援助": "律师进社区答疑",
    "党的建设": "在职党员报到认领服务",
}


def story(scene: Scene) -> Iterator[float]:
    """One problem through the four steps, joint or not, with rework."""
    engine, rng = scene.engine, scene.rng
    secretary = scene.holder(COMMUNITY_SECRETARY)
    category = scene.category or "社区治理"
    issue = engine.open(  # 基层出题
        WORKFLOW.name,
        reporter=secretary,
        location=scene.location,
        category=category,
        data={"subject": f"居民需求: {category}", "source": rng.choice(("入户走访", "党群议事会"))},
    )
    scene.issue_id = issue.id
    yield rng.uniform(4, 48)
    if rng.random() < 0.05:
        engine.fire(issue.id, "withdraw", actor=secretary, payload={"reason": "已由物业解决"})
        return
    district = scene.unit("district")
    if district is None:
        return
    # the district's departments (its children: org.units() re-indexes a growing graph)
    departments = [u.id for u in scene.org.children(district) if u.kind == "department"]
    paired = helpers(scene.org, scene.location)  # 让社区多个帮手: they answer first
    named = {} if paired else {"assignees": [rng.choice(departments)]}
    engine.fire(issue.id, "assign", actor=secretary, payload=named)  # 部门答题
    for attempt in range(2):
        answer = {"answer": _ANSWERS.get(category, "已答复"), "outcome": "已答题"}
        if rng.random() < 0.35 and len(departments) >= 2:  # 联动解题
            yield rng.uniform(12, 48)
            chosen = rng.sample(departments, rng.choice((2, 3)))
            engine.fire(
                issue.id,
                "call_joint",
                actor=secretary,
                payload={"parties": chosen},
            )
            # the departments work side by side: most within their 5 days, a slow one is
            # recorded overdue and escalated by the clock before it reports
            done_in = {
                d: min(scene.hours(40), 110.0) if rng.random() < 0.85 else rng.uniform(130, 170)
                for d in chosen
            }
            for wait, department in scene.side_by_side(done_in):
                yield wait
                engine.fire(
                    issue.id, "report_part", actor=scene.member_of(department), payload=answer
                )
        else:
            yield scene.hours(60)
            answerer = scene.member_of(scene.issue.assignees[0])
            engine.fire(issue.id, "answer", actor=answerer, payload=answer)
        if rng.random() < 0.1:
            return  # never rated: the clock closes it unrated
        yield rng.uniform(6, 96)  # 群众评议
        if attempt == 0 and rng.random() < 0.1:
            engine.fire(issue.id, "send_back", actor=scene.resident(), payload={"reason": "未根治"})
            continue
        rating = rng.choices(SATISFACTION, weights=(80, 14, 6))[0]
        engine.fire(issue.id, "evaluate", actor=scene.resident(), payload={"satisfaction": rating})
        return


#: Problems posed by communities (社区).
METHODS = (Method(WORKFLOW.name, 0.05, "community", story, categories=WEIGHTS),)

__all__ = ["METHODS", "WEIGHTS", "story"]
