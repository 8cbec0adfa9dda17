"""The red alliance's part in ``govflow simulate``: played alone in a synthetic 蚌山区, the
story forms the alliances, registers in-service party members (双报到), and walks 盟事 through
a join of units and members to the residents' verdict."""

from __future__ import annotations

from collections import Counter

from govflow_dual_report import WORKFLOW, alliance_of, chair_on, govflow_simulation_methods
from govflow_dual_report.simulation import story

from govflow import Engine, ManualClock
from govflow.season import DEFAULT_START, district
from govflow.testing import play_story


def test_key_small_matters_are_taken_up_jointly_by_units_and_registered_members() -> None:
    org = district(seed=3)
    engine = Engine(org=org, clock=ManualClock(DEFAULT_START))
    areas = org.units(kind="residential_area")
    moves: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for seed in range(12):
        scene = play_story(
            story, engine, areas[seed * 7].id, category="潮汐停车", seed=seed, days=150
        )
        issue = scene.issue
        assert issue.state in ("closed", "declined")
        assert engine.verify(issue.id) == len(engine.history(issue.id))
        moves.update(e.trigger for e in engine.history(issue.id))
        kinds.update("person" if p.id in org.people else "unit" for p in engine.parties(issue.id))
    assert moves["table"] == 12
    assert moves["report_part"] > moves["contract"] > 0
    assert moves["evaluate"] > 0
    assert kinds["person"] > 0  # registered in-service members took parts (双报到)
    assert kinds["unit"] > 0
    for community in org.units(kind="community"):  # every community got its alliance
        alliance = alliance_of(org, community.id)
        assert alliance is not None
        assert chair_on(org, alliance.id, DEFAULT_START.date()) is not None
        assert [p for p in org.registered(community.id) if p.party_member]


def test_the_part_is_offered_to_the_season() -> None:
    assert [(m.workflow, m.places) for m in govflow_simulation_methods()] == [
        (WORKFLOW.name, "residential_area")
    ]
