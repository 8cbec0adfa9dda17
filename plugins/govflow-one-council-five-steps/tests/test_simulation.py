"""The plugin's part in ``govflow simulate``: each story, played alone in a synthetic 蚌山区,
walks the seed's procedure to its end on the clock -- 汇定议示评 with matters moving up, and the
street's whistle with departments reporting, late ones escalated and summoned again."""

from __future__ import annotations

from collections import Counter

import pytest
from govflow_one_council_five_steps import LEVELS, WHISTLE, WORKFLOW, govflow_simulation_methods
from govflow_one_council_five_steps.simulation import council_story, whistle_story

from govflow import Engine, ManualClock
from govflow.joint import location_path
from govflow.season import DEFAULT_START, Story, district
from govflow.testing import play_story

SEEDS = range(12)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(org=district(seed=3), clock=ManualClock(DEFAULT_START))


def _play(engine: Engine, story: Story, kind: str, category: str) -> Counter[str]:
    assert engine.org is not None
    places = engine.org.units(kind=kind)
    moves: Counter[str] = Counter()
    for seed in SEEDS:
        scene = play_story(
            story, engine, places[seed % len(places)].id, category=category, seed=seed, days=120
        )
        issue = scene.issue
        assert engine.workflow(issue.workflow).state(issue.state).terminal, issue.state
        assert engine.verify(issue.id) == len(engine.history(issue.id))
        moves.update(e.trigger for e in engine.history(issue.id))
        levels = [engine.org.unit(p).kind for p in location_path(engine.history(issue.id)) if p]
        assert levels == sorted(levels, key=LEVELS.index)  # only ever up
    return moves


def test_the_councils_story_moves_matters_up_and_through_the_five_steps(engine: Engine) -> None:
    moves = _play(engine, council_story, "residential_area", "充电桩安装")
    assert moves["open"] == len(SEEDS)
    for trigger in ("set_agenda", "pass_deliberating", "publicize", "publicity_over", "evaluate"):
        assert moves[trigger] > 0, trigger
    assert moves["move_up"] > 0


def test_the_whistle_story_summons_departments_that_report_in_their_own_time(
    engine: Engine,
) -> None:
    moves = _play(engine, whistle_story, "street", "违建拆除")
    assert moves["whistle"] == moves["feed_back"] == len(SEEDS)
    assert moves["report_in"] >= 2 * moves["whistle"]  # two or three departments each
    assert moves["party_overdue"] > 0  # a late one, recorded and escalated by the clock
    assert moves["supervise"] > 0  # the district center summoned the late ones again


def test_both_parts_are_offered_to_the_season() -> None:
    offered = {(m.workflow, m.places) for m in govflow_simulation_methods()}
    assert offered == {(WORKFLOW.name, "residential_area"), (WHISTLE.name, "street")}
