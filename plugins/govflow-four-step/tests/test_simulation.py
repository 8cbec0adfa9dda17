"""四步工作法's part in ``govflow simulate``: played alone in a synthetic 蚌山区, problems posed
by communities are answered by their paired departments or solved jointly (a join, each
department its own limit), and evaluated by residents."""

from __future__ import annotations

from collections import Counter

from govflow_four_step import WORKFLOW, four_lists, govflow_simulation_methods
from govflow_four_step.simulation import story

from govflow import Engine, ManualClock
from govflow.season import DEFAULT_START, district
from govflow.testing import play_story


def test_problems_are_answered_or_solved_jointly_and_evaluated() -> None:
    org = district(seed=3)
    engine = Engine(org=org, clock=ManualClock(DEFAULT_START))
    communities = org.units(kind="community")
    moves: Counter[str] = Counter()
    for seed in range(16):
        place = communities[seed % len(communities)].id
        scene = play_story(story, engine, place, category="环境整治", seed=seed, days=90)
        issue = scene.issue
        assert issue.state in ("closed", "withdrawn")
        assert engine.verify(issue.id) == len(engine.history(issue.id))
        moves.update(e.trigger for e in engine.history(issue.id))
        if any(e.trigger == "call_joint" for e in engine.history(issue.id)):
            assert len(engine.parties(issue.id)) >= 2
    assert moves["assign"] > 0
    assert moves["answer"] > 0  # one department answered
    assert moves["call_joint"] > 0  # several solved it jointly
    assert moves["report_part"] >= 2 * moves["call_joint"]
    assert moves["evaluate"] > 0
    lists = four_lists(engine)
    assert len(lists["问题清单"]) == 16
    assert 0 < len(lists["成效清单"]) <= len(lists["服务清单"]) <= len(lists["责任清单"])


def test_the_part_is_offered_to_the_season() -> None:
    assert [(m.workflow, m.places) for m in govflow_simulation_methods()] == [
        (WORKFLOW.name, "community")
    ]
