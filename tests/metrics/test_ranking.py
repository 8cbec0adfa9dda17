"""Ranking communities (the Jianhua "大排名"): a weighted composite of figures and qualitative
scores, a minimum sample, ties and missing data stated, units rolled up the org graph."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govflow import Actor, Engine, ManualClock, hookimpl
from govflow.errors import DefinitionError, GuardFailedError, PluginError
from govflow.metrics import (
    COMPOSITE,
    QUALITATIVE,
    Composite,
    Metric,
    Ratio,
    Rollup,
    assessment,
    compute,
)
from govflow.metrics.assessment import qualitative_scores
from govflow.metrics.fold import MOVE_KEYS, fold, shape_of
from govflow.metrics.report import declared_metrics, tallies
from govflow.testing import build_org

START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)
RESIDENT = Actor("resident")
CENTRE = Actor("centre", roles={"operator", "dispatcher"})
WORKER = Actor("grid-1", roles={"grid_worker"})
INSPECTOR = Actor("inspector", roles={"inspector"})
ASSESSOR = Actor("district-office", roles={"assessor"})

ORG = build_org(
    {
        "street:s1 建设街道": {
            "community:c1 欣豪社区": {"grid:g1": {}, "grid:g2": {}},
            "community:c2 育英社区": {"grid:g3": {}},
            "community:c3 文宾社区": {"grid:g4": {}},
        }
    }
)


def handled(engine: Engine, location: str, rating: str | None = "满意") -> str:
    issue = engine.open("closed-loop", reporter=RESIDENT, location=location)
    engine.fire(issue.id, "file", actor=CENTRE)
    engine.fire(issue.id, "dispatch", actor=CENTRE, payload={"assignees": [WORKER.id]})
    engine.fire(issue.id, "finish", actor=WORKER)
    engine.fire(issue.id, "verify", actor=INSPECTOR)
    if rating is not None:
        engine.fire(issue.id, "evaluate", actor=RESIDENT, payload={"satisfaction": rating})
    return issue.id


@pytest.fixture
def engine() -> Engine:
    return Engine(clock=ManualClock(START), autoload=False, plugins=[assessment])


def test_a_one_issue_community_does_not_top_the_list(engine: Engine) -> None:
    for _ in range(9):
        handled(engine, "g1")
    handled(engine, "g1", "不满意")
    handled(engine, "g3")  # one issue, 100 % everything
    by = Rollup(ORG, kinds={"community"}, names=True)
    report = compute(engine, by=by)
    ranking = report.rank(min_sample=5)
    assert ranking.order() == ["欣豪社区"]
    assert [s.group for s in ranking.too_small] == ["育英社区"]
    assert ranking.too_small[0].sample == 1
    top = ranking.ranked[0]
    assert top.rank == 1
    assert top.parts == {"response": 1.0, "completion": 1.0, "satisfaction": 0.9}
    assert top.score == pytest.approx(0.10 * 1 + 0.45 * 1 + 0.45 * 0.9)


def test_ties_share_a_rank_and_missing_data_is_listed(engine: Engine) -> None:
    handled(engine, "g1")
    handled(engine, "g3")
    engine.open("closed-loop", reporter=RESIDENT, location="g4")  # nothing dispatched or rated
    report = compute(engine, by=Rollup(ORG, kinds={"community"}))
    ranking = report.rank()
    assert [(s.group, s.rank, s.tied) for s in ranking.ranked] == [
        ("c1", 1, True),
        ("c2", 1, True),
    ]
    [missing] = ranking.missing_data
    assert (missing.group, missing.missing) == ("c3", ("response", "satisfaction"))


def test_figures_roll_up_the_org_graph(engine: Engine) -> None:
    handled(engine, "g1")
    handled(engine, "g2", "不满意")
    handled(engine, "g3")
    report = compute(engine, ["satisfaction"], by=Rollup(ORG))
    assert report.groups["c1"]["satisfaction"] == Ratio(1, 2)
    assert report.groups["s1"]["satisfaction"] == Ratio(2, 3)  # the street holds them all
    assert report.samples["g2"] == 1


def test_qualitative_scores_are_events_in_the_log(engine: Engine) -> None:
    for location in ("g1", "g3"):
        for _ in range(3):
            handled(engine, location)
    for unit, score in (("c1", 70), ("c2", 95)):
        issue = engine.open("unit-assessment", reporter=ASSESSOR, location=unit)
        engine.fire(issue.id, "score", actor=ASSESSOR, payload={"score": score})
        assert engine.verify(issue.id) == 2
    bad = engine.open("unit-assessment", reporter=ASSESSOR, location="c3")
    with pytest.raises(GuardFailedError):
        engine.fire(bad.id, "score", actor=ASSESSOR, payload={"score": 120})
    by = Rollup(ORG, kinds={"community"})
    scores = qualitative_scores(engine, by=by)
    assert scores == {"c1": 70.0, "c2": 95.0}
    jianhua = Composite("定量+定性", {"completion": 35, "satisfaction": 35, QUALITATIVE: 30})
    report = compute(engine, by=by)
    assert report.samples == {"c1": 3, "c2": 3}  # assessments are not residents' matters
    ranking = report.rank(jianhua, qualitative=scores)
    assert ranking.order() == ["c2", "c1"]
    assert ranking.ranked[1].score == pytest.approx((35 + 35 + 30 * 0.70) / 100)


class Escalations:
    """A plugin declaring a metric: the share of dispatched issues put under supervision."""

    def __init__(self, name: str = "escalations") -> None:
        self.govflow_name = name

    @hookimpl
    def govflow_metrics(self) -> dict[str, object]:
        return {"supervised": Metric("supervised", "fired:supervise", "dispatched")}


def test_plugins_declare_metrics_in_the_same_form() -> None:
    extended = Engine(clock=ManualClock(START), autoload=False, plugins=[Escalations()])
    handled(extended, "g1")
    report = compute(extended)
    assert report.total["supervised"] == Ratio(0, 1)
    assert "supervised" in declared_metrics(extended)[0]
    with pytest.raises(DefinitionError, match="unknown fact"):
        Metric("x", "finished")
    with pytest.raises(DefinitionError, match="no metric"):
        compute(extended, ["nonsense"])
    with pytest.raises(DefinitionError, match="unknown metric"):
        report.rank(Composite("c", {"speed": 1}))
    twice = Engine(autoload=False, plugins=[Escalations(), Escalations("again")])
    with pytest.raises(PluginError, match="declared already"):
        compute(twice)


def test_the_composite_weights_are_configurable(engine: Engine) -> None:
    handled(engine, "g1", "不满意")
    report = compute(engine)
    assert COMPOSITE.parts == {"response": 10, "completion": 45, "satisfaction": 45}
    equal = Composite("equal", {"completion": 1, "satisfaction": 1})
    assert report.rank(equal).ranked[0].score == pytest.approx(0.5)
    with pytest.raises(DefinitionError):
        Composite("bad", {"completion": 0})


def test_the_store_fold_agrees_with_the_reference_and_sees_new_moves(engine: Engine) -> None:
    first = handled(engine, "g1", None)
    handled(engine, "g3", "基本满意")
    reference, _ = fold(
        engine.issues(),
        lambda issue_id: engine.store.moves(issue_id, MOVE_KEYS),  # type: ignore[attr-defined]
        lambda issue: shape_of(engine.workflow(issue.workflow, issue.workflow_version)),
    )
    assert compute(engine).total["satisfaction"] == Ratio(1, 1)
    assert tallies(engine, [])[0] == reference
    engine.fire(first, "evaluate", actor=RESIDENT, payload={"satisfaction": "不满意"})
    assert compute(engine).total["satisfaction"] == Ratio(1, 2)  # the new move is folded


def test_the_composite_weights_decide_the_order(engine: Engine) -> None:
    for _ in range(2):
        handled(engine, "g1", "满意")  # g1: everything completed, everyone satisfied
    issue = engine.open("closed-loop", reporter=RESIDENT, location="g1")
    engine.fire(issue.id, "file", actor=CENTRE)  # ... but one issue still open
    for rating in ("满意", "不满意"):
        handled(engine, "g2", rating)  # g2: all completed, half satisfied
    report = compute(engine)
    completion_first = Composite("completion-first", {"completion": 9, "satisfaction": 1})
    satisfaction_first = Composite("satisfaction-first", {"completion": 1, "satisfaction": 9})
    assert report.rank(completion_first).order() == ["g2", "g1"]
    assert report.rank(satisfaction_first).order() == ["g1", "g2"]
    [best] = report.rank(satisfaction_first).ranked[:1]
    assert best.score == pytest.approx((1 * 2 / 3 + 9 * 1.0) / 10)
    assert not hasattr(Metric("m", "completed", "due"), "weight")  # weights are composites'
