"""My method, as a specification: what happens to a resident's matter, move by move."""

from __future__ import annotations

from datetime import UTC, datetime

import govflow_my_method as plugin
import pytest

from govflow import Actor, Engine, ManualClock, check
from govflow.errors import GuardFailedError, PermissionDeniedError

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
RESIDENT = Actor("resident-zhao", name="赵大爷")
COMMITTEES = Actor("committee-1", roles={plugin.COMMITTEES})
HANDLER = Actor("handler-li", roles={plugin.HANDLER})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(clock: ManualClock) -> Engine:
    return Engine(plugins=[plugin], autoload=False, clock=clock)


def taken_up(engine: Engine) -> str:
    issue = engine.open("my-method", reporter=RESIDENT, data={"text": "楼道灯坏了"})
    engine.fire(issue.id, "take_up", actor=COMMITTEES, payload={"assignees": [HANDLER.id]})
    return issue.id


def test_a_matter_raised_handled_reported_and_judged_closes(engine: Engine) -> None:
    issue_id = taken_up(engine)
    engine.fire(issue_id, "report", actor=HANDLER, payload={"note": "已修好"})
    engine.fire(issue_id, "judge", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    assert engine.get(issue_id).state == "closed"
    assert [e.trigger for e in engine.history(issue_id)] == ["open", "take_up", "report", "judge"]
    assert engine.verify(issue_id) == 4


def test_only_the_resident_judges_and_with_a_rating(engine: Engine) -> None:
    issue_id = taken_up(engine)
    engine.fire(issue_id, "report", actor=HANDLER)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "judge", actor=HANDLER, payload={"satisfaction": "satisfied"})
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "judge", actor=RESIDENT, payload={"satisfaction": "great"})
    assert engine.get(issue_id).state == "reported"


def test_a_matter_left_in_handling_goes_under_supervision(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = taken_up(engine)
    clock.advance(days=3, minutes=1)
    (event,) = engine.tick()
    assert (event.issue_id, event.trigger) == (issue_id, "overdue")
    engine.fire(issue_id, "report_late", actor=HANDLER)
    assert engine.get(issue_id).state == "reported"


def test_the_workflow_passes_every_check() -> None:
    report = check(plugin.MY_METHOD)
    assert report.ok, report.format()
