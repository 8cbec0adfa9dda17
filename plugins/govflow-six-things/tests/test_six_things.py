"""六事工作法, step by step, as 喻义巷社区 runs it: residents ask for a charging shed for e-bikes.

百姓点事 → '两委'提事 → 居民议事 → 与会决事 → 多元办事 → 公众评事. Through the installed plugin
(entry point ``six-things``) and govflow's public API only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from govflow_six_things import CONSULTATION, WORKFLOW

from govflow import Actor, Engine, ManualClock, workflow_to_mermaid
from govflow.errors import GuardFailedError, PermissionDeniedError, TransitionNotAllowedError

START = datetime(2026, 5, 6, 9, tzinfo=UTC)
YUYIXIANG = "340303001001"  # 喻义巷社区, 天桥街道, 蚌山区

RESIDENT = Actor("resident-zhang", home_unit=YUYIXIANG)
NEIGHBOUR = Actor("resident-liu", home_unit=YUYIXIANG)
# Without an org graph a claimed post counts (the org-based form: tests/test_composition_bengbu.py)
COMMITTEES = Actor("yuyixiang-two-committees", roles={"director"}, home_unit=YUYIXIANG)
COUNCIL = [f"councillor-{i}" for i in range(1, 10)]  # 居民议事会, 9 members
MEETING = [*COUNCIL[:5], "property-company", "owners-committee", "street-office", "power-supply"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock) -> Engine:
    # govflow.testing's engine (its moves count towards --govflow-coverage), with installed
    # plugins autoloaded: the plugin is found through its entry point.
    return govflow_engine(autoload=True, clock=clock)


def _raise_matter(engine: Engine) -> str:
    """百姓点事: a resident raises the matter."""
    issue = engine.open(
        "six-things",
        reporter=RESIDENT,
        location=None,
        data={
            "subject": "小区电动车集中充电棚",
            "community": YUYIXIANG,
            "bodies": {"residents_council": COUNCIL, "meeting": MEETING},
        },
    )
    return issue.id


def _to_decision(engine: Engine, issue_id: str) -> None:
    engine.fire(issue_id, "table", actor=COMMITTEES)
    CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
    )
    CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=MEETING, votes_for=MEETING[:7]
    )


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("six-things")
    assert engine.workflow("six-things") == WORKFLOW


def test_six_things_from_raising_to_public_evaluation(engine: Engine) -> None:
    """百姓点事 → '两委'提事 → 居民议事 → 与会决事 → 多元办事 → 公众评事."""
    issue_id = _raise_matter(engine)  # 百姓点事
    assert engine.get(issue_id).state == "raised"
    engine.fire(issue_id, "table", actor=COMMITTEES)  # '两委'提事
    assert engine.get(issue_id).state == "residents_deliberation"
    event = CONSULTATION.record_vote(  # 居民议事
        engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
    )
    assert event.destination == "meeting_decision"
    event = CONSULTATION.record_vote(  # 与会决事
        engine, issue_id, actor=COMMITTEES, attendees=MEETING, votes_for=MEETING[:7]
    )
    assert event.destination == "decided"
    parties = ["property-company", "power-supply", "grid-worker-5"]
    event = engine.fire(  # 多元办事
        issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": parties}
    )
    assert engine.get(issue_id).assignees == tuple(parties)
    # every party carries out its part: one party's report does not move the matter on
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    assert engine.get(issue_id).state == "carrying_out"
    assert [p.id for p in engine.parties(issue_id, pending=True)] == [
        "property-company",
        "grid-worker-5",
    ]
    engine.fire(issue_id, "report_done", actor=Actor("property-company"))
    engine.fire(issue_id, "report_done", actor=Actor("grid-worker-5"))
    assert engine.get(issue_id).state == "evaluating"
    event = engine.fire(  # 公众评事
        issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"
    history = engine.history(issue_id)
    assert all(e.plugin is not None and e.plugin.name == "six-things" for e in history)
    assert engine.verify(issue_id) == len(history)


def test_deliberation_and_decision_cannot_be_skipped(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    for trigger in ("pass_meeting_decision", "dispatch"):
        with pytest.raises(TransitionNotAllowedError):
            engine.fire(
                issue_id,
                trigger,
                actor=COMMITTEES,
                payload={"outcome": "passed", "assignees": ["x"]},
            )


def test_the_two_committees_decline_only_with_a_reason(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "decline", actor=COMMITTEES)
    event = engine.fire(
        issue_id, "decline", actor=COMMITTEES, payload={"reason": "属物业合同范围, 转物业办理"}
    )
    assert event.destination == "declined"


def test_only_the_two_committees_table_a_matter(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "table", actor=RESIDENT)


def test_residents_not_agreeing_return_the_matter_to_the_two_committees(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    event = CONSULTATION.record_vote(
        engine,
        issue_id,
        actor=COMMITTEES,
        attendees=COUNCIL[:6],
        votes_for=COUNCIL[:3],
        against=COUNCIL[3:6],
    )
    assert (event.trigger, event.destination) == ("fail_residents_deliberation", "raised")


def test_a_meeting_that_does_not_decide_returns_to_deliberation(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
    )
    event = CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=MEETING, votes_for=MEETING[:4]
    )
    assert (event.trigger, event.destination) == ("fail_meeting_decision", "residents_deliberation")


def test_those_who_carried_it_out_do_not_evaluate_it(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    worker = Actor("property-company")
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": [worker.id]})
    engine.fire(issue_id, "report_done", actor=worker)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "evaluate", actor=worker, payload={"satisfaction": "satisfied"})


def test_the_public_may_send_the_work_back(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": ["power-supply"]})
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    event = engine.fire(issue_id, "send_back", actor=NEIGHBOUR, payload={"reason": "充电桩不足"})
    assert event.destination == "carrying_out"


def test_unrated_work_closes_after_seven_days(engine: Engine, clock: ManualClock) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": ["power-supply"]})
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    clock.advance(days=7)
    [event] = engine.tick()
    assert (event.trigger, event.destination) == ("close_unrated", "closed")


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "六事工作法" in readme


@pytest.mark.parametrize(
    ("gate", "members"), [("residents_deliberation", COUNCIL), ("meeting_decision", MEETING)]
)
def test_a_meeting_without_quorum_adjourns_and_meets_again(
    engine: Engine, gate: str, members: list[str]
) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    if gate == "meeting_decision":
        CONSULTATION.record_vote(
            engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
        )
    event = CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=members[:1], votes_for=members[:1]
    )
    assert event.trigger == f"adjourn_{gate}"
    assert engine.get(issue_id).state == gate


def test_a_matter_nobody_tables_is_brought_back_every_week(
    engine: Engine, clock: ManualClock
) -> None:
    """百姓点事 must not be left lying: after 7 days the clock reminds the two committees."""
    issue_id = _raise_matter(engine)
    clock.advance(days=7, minutes=1)
    (reminder,) = engine.tick()
    assert (reminder.trigger, reminder.actor) == ("remind", "system:clock")
    assert engine.get(issue_id).state == "raised"
    assert engine.tick() == []  # the next reminder is a week away
    clock.advance(days=7)
    assert [e.trigger for e in engine.tick()] == ["remind"]


def test_a_decision_nobody_dispatches_is_brought_back(engine: Engine, clock: ManualClock) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    assert engine.get(issue_id).state == "decided"
    clock.advance(days=3, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["overdue_dispatch"]
    assert engine.get(issue_id).state == "decided"
