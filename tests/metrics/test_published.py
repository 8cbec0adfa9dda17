"""The figures the seeds and the issue publish, reproduced from logs generated with their counts.

Each log is made through the engine, issue by issue, so the numbers come from the audit log
the way a district's would: 办结率 911/972 = 93.72 %, 按期办结率 737/972 = 75.82 %, Bengbu's 588
platform issues all completed, 满意率 754/764 = 98.69 %.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govflow import Actor, Engine, ManualClock, State, StateKind, Transition, Workflow
from govflow.metrics import Ratio, accountability, compute

START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # a Monday, 9:00 in Shanghai
RESIDENT = Actor("resident")
CENTRE = Actor("centre", roles={"operator", "dispatcher"})
WORKER = Actor("grid-1", roles={"grid_worker"})
INSPECTOR = Actor("inspector", roles={"inspector"})


def dispatched(engine: Engine, count: int, location: str = "蚌山区") -> list[str]:
    ids = []
    for _ in range(count):
        issue = engine.open("closed-loop", reporter=RESIDENT, location=location)
        engine.fire(issue.id, "file", actor=CENTRE)
        engine.fire(issue.id, "dispatch", actor=CENTRE, payload={"assignees": [WORKER.id]})
        ids.append(issue.id)
    return ids


def finished(engine: Engine, issue_id: str, rating: str = "满意") -> None:
    engine.fire(issue_id, "finish", actor=WORKER)
    engine.fire(issue_id, "verify", actor=INSPECTOR)
    engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": rating})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(clock: ManualClock) -> Engine:
    return Engine(clock=clock, autoload=False)


def test_a_closing_rate_of_93_72_and_an_on_time_rate_of_75_82(
    engine: Engine, clock: ManualClock
) -> None:
    ids = dispatched(engine, 972)
    for issue_id in ids[:737]:
        finished(engine, issue_id)  # within the handling limit
    clock.advance(days=10)
    supervised = engine.tick()  # the rest run out of time: 督办
    assert len(supervised) == 972 - 737
    for issue_id in ids[737:911]:
        finished(engine, issue_id)  # completed, late
    report = compute(engine, ["completion", "on_time"])
    assert report.total["completion"] == Ratio(911, 972)
    assert report.total["completion"].percent() == "93.72 %"
    assert report.total["on_time"] == Ratio(737, 972)
    assert report.total["on_time"].percent() == "75.82 %"
    total = accountability(engine).total
    assert (total.completion_rate, total.on_time_rate) == (911 / 972, 737 / 972)


def test_bengbus_588_platform_issues_all_completed(engine: Engine) -> None:
    for issue_id in dispatched(engine, 588):
        finished(engine, issue_id)
    report = compute(engine, ["completion"])
    assert report.total["completion"] == Ratio(588, 588)
    assert report.total["completion"].percent(0) == "100 %"


def test_a_satisfaction_rate_of_98_69_over_valid_follow_ups(engine: Engine) -> None:
    ids = dispatched(engine, 770)
    labels = ["满意", "基本满意", "satisfied", "basically_satisfied"]
    for number, issue_id in enumerate(ids[:754]):
        finished(engine, issue_id, labels[number % 4])  # Chinese and English labels alike
    for issue_id in ids[754:764]:
        finished(engine, issue_id, "不满意")
    # Six issues never rated are no follow-up: they are not in the denominator.
    report = compute(engine, ["satisfaction"])
    assert report.total["satisfaction"] == Ratio(754, 764)
    assert report.total["satisfaction"].percent() == "98.69 %"


REVIEWED = Workflow(
    name="reviewed",
    initial="handling",
    states=[
        State("handling", kind=StateKind.PROCESSING, time_limit="3wd"),
        State("fed_back", kind=StateKind.FEEDBACK, time_limit="3d"),
        State("closed", kind=StateKind.CLOSED),
    ],
    transitions=[
        Transition("report", "handling", "fed_back", roles={"grid_worker"}),
        Transition("accept", "fed_back", "closed", requires={"reporter"}, evaluation=True),
        Transition("reject", "fed_back", "handling", requires={"reporter"}, evaluation=True),
        Transition("lapse", "fed_back", "closed", on_timeout=True),
    ],
)


def test_a_reworked_issue_counts_once_by_its_last_rating(clock: ManualClock) -> None:
    engine = Engine(clock=clock, autoload=False, workflows=[REVIEWED])
    issue = engine.open("reviewed", reporter=RESIDENT)
    engine.fire(issue.id, "report", actor=WORKER)
    engine.fire(issue.id, "reject", actor=RESIDENT, payload={"satisfaction": "不满意"})
    engine.fire(issue.id, "report", actor=WORKER)
    engine.fire(issue.id, "accept", actor=RESIDENT, payload={"satisfaction": "基本满意"})
    report = compute(engine, ["satisfaction", "rework"])
    assert report.total["satisfaction"] == Ratio(1, 1)
    assert report.total["rework"] == Ratio(1, 1)


def test_excluded_requests_leave_the_figures(engine: Engine) -> None:
    ids = dispatched(engine, 4)
    finished(engine, ids[0])
    finished(engine, ids[1], "不满意")
    duplicate = engine.open("closed-loop", reporter=RESIDENT, location="蚌山区")
    engine.fire(
        duplicate.id,
        "cancel",
        actor=CENTRE,
        payload={"reason": "重复投诉", "exclusion": "duplicate"},
    )
    report = compute(engine, ["accepted", "completion", "satisfaction"])
    assert report.total["accepted"] == Ratio(4, 5)
    assert report.total["completion"] == Ratio(2, 4)
    assert report.total["satisfaction"] == Ratio(1, 2)
