"""Accountability figures (办结率, on-time rate, 满意率) come from the record, reproducibly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest

from govflow import Engine, Event, Issue, ManualClock, hookimpl
from govflow.errors import InvalidRequestError
from govflow.metrics import accountability
from govflow.simulation import simulate

from .conftest import Cast


def run_to_rating(engine: Engine, cast: type[Cast], location: str, rating: str | None) -> Issue:
    issue = engine.open("closed-loop", reporter=cast.resident, location=location)
    engine.fire(issue.id, "file", actor=cast.operator)
    engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "verify", actor=cast.inspector)
    if rating is not None:
        engine.fire(issue.id, "evaluate", actor=cast.resident, payload={"satisfaction": rating})
    return issue


def test_figures_follow_the_definitions(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    run_to_rating(engine, cast, "喻义巷社区", "satisfied")
    run_to_rating(engine, cast, "喻义巷社区", "dissatisfied")
    late = engine.open("closed-loop", reporter=cast.resident, location="东柿社区")
    engine.fire(late.id, "file", actor=cast.operator)
    engine.fire(late.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    clock.advance(days=6)  # past 3 working days from a Friday evening
    engine.tick()  # under supervision: late
    engine.fire(late.id, "finish", actor=cast.worker)
    engine.fire(late.id, "verify", actor=cast.inspector)
    engine.fire(
        late.id, "evaluate", actor=cast.resident, payload={"satisfaction": "basically_satisfied"}
    )
    turned_away = engine.open("closed-loop", reporter=cast.resident, location="东柿社区")
    engine.fire(turned_away.id, "cancel", actor=cast.operator, payload={"reason": "重复上报"})
    engine.open("closed-loop", reporter=cast.resident, location="东柿社区")  # still open

    report = accountability(engine)
    total = report.total
    assert (total.received, total.cancelled, total.completed) == (5, 1, 3)
    assert total.completion_rate == 3 / 4
    assert total.on_time_rate == 2 / 4  # 按期办结率: on time ÷ due to complete, as published
    assert total.satisfaction_rate == 2 / 3
    by_group = {figures.group: figures for figures in report.groups}
    assert by_group["喻义巷社区"].completion_rate == 1.0
    assert by_group["东柿社区"].completion_rate == 1 / 2
    assert [figures.group for figures in report.ranking()] == ["喻义巷社区", "东柿社区"]


def test_an_issue_closed_unrated_by_the_clock_is_on_time_and_unrated(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    run_to_rating(engine, cast, "网格1", None)
    clock.advance(days=3, minutes=1)
    engine.tick()
    total = accountability(engine).total
    assert total.completed == 1
    assert total.on_time_rate == 1.0  # the clock closing an unrated issue is no lateness
    assert total.ratings == 0
    assert total.satisfaction_rate is None


def test_empty_groups_have_no_rates(engine: Engine) -> None:
    total = accountability(engine).total
    assert total.received == 0
    assert (total.completion_rate, total.on_time_rate, total.satisfaction_rate) == (
        None,
        None,
        None,
    )


class ReworkCount:
    govflow_name = "rework-count"

    @hookimpl
    def govflow_metrics(self) -> Mapping[str, object]:
        def reworks(issues: Sequence[Issue], events: Mapping[str, Sequence[Event]]) -> int:
            return sum(e.trigger == "rework" for i in issues for e in events[i.id])

        return {"reworks": reworks}


def test_plugins_add_their_own_metrics(clock: ManualClock, cast: type[Cast]) -> None:
    engine = Engine(clock=clock, autoload=False, plugins=[ReworkCount()])
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator)
    engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "rework", actor=cast.inspector, payload={"reason": "未整改"})
    assert accountability(engine).plugin_metrics == {"reworks": 1}


def simulated(seed: int) -> Engine:
    engine = Engine(clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)), autoload=False)
    simulate(engine, ["340303001001", "340303001002"], issues=60, days=5, seed=seed)
    return engine


def test_a_simulation_is_reproducible_and_its_log_verifies() -> None:
    first, second = simulated(7), simulated(7)
    hashes = [[e.hash for e in first.history(i.id)] for i in first.issues()]
    assert hashes == [[e.hash for e in second.history(i.id)] for i in second.issues()]
    assert all(first.verify(issue.id) for issue in first.issues())
    assert accountability(first) == accountability(second)
    assert hashes != [[e.hash for e in simulated(8).history(i.id)] for i in simulated(8).issues()]


def test_a_simulation_needs_locations_and_a_manual_clock() -> None:
    with pytest.raises(InvalidRequestError, match="at least one location"):
        simulate(Engine(autoload=False, clock=ManualClock()), [])
    with pytest.raises(InvalidRequestError, match="ManualClock"):
        simulate(Engine(autoload=False), ["x"])
