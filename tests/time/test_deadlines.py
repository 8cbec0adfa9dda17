"""Deadlines as data: limit tables, 办结时限, 预警, 挂起 and 延期, on real dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from govflow import (
    Actor,
    Engine,
    Event,
    Issue,
    ManualClock,
    State,
    StateKind,
    Transition,
    Workflow,
    check,
    hookimpl,
    replay,
    workflow_to_mermaid,
)
from govflow.calendar import ChinaHolidays, WorkingTime
from govflow.errors import (
    CalendarRangeError,
    DeadlineError,
    InvalidRequestError,
    InvalidWorkflowError,
    PermissionDeniedError,
    PluginError,
)
from govflow.store import SQLStore
from govflow.testing import fixed_calendar
from govflow.workflow.limits import Limit

SHANGHAI = ZoneInfo("Asia/Shanghai")
P = StateKind.PROCESSING
#: The last year the installed chinese-calendar has data for.
LAST_YEAR = ChinaHolidays().years[-1]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)  # type: ignore[misc]


HOTLINE = Workflow(
    name="hotline",
    label="12345 热线工单",
    initial="received",
    states=[
        State("received", "受理", StateKind.OPEN, time_limit="2h"),
        State(
            "handling",
            "承办",
            P,
            time_limit="3wd",
            limits=[
                Limit("8wh", urgency="urgent"),
                {"category": "安全防护", "limit": "1wd"},
                {"category": "安全防护", "urgency": "urgent", "limit": "2wh"},
            ],
        ),
        State("supervised", "督办", P, time_limit="1wd"),
        State("fed_back", "回访", StateKind.FEEDBACK, time_limit="3d"),
        State("closed", "办结", StateKind.CLOSED),
    ],
    transitions=[
        Transition("dispatch", "received", "handling", roles={"dispatcher"}, assigns=True),
        Transition("report", "handling", "handling", roles={"department"}, label="部门报到"),
        Transition(
            "reassign", "handling", "handling", roles={"dispatcher"}, restarts_deadline=True
        ),
        Transition("supervise", "handling", "supervised", on_timeout=True),
        Transition("finish", ("handling", "supervised"), "fed_back", roles={"department"}),
        Transition("evaluate", "fed_back", "closed", requires={"reporter"}, evaluation=True),
        Transition("close_unrated", "fed_back", "closed", on_timeout=True),
    ],
    deadlines={
        "overall": "10wd",
        "overall_limits": [{"urgency": "urgent", "limit": "2wd"}],
        "warn_at": 0.8,
        "pause_roles": ["supervisor"],
        "extension_roles": ["supervisor"],
        "max_extensions": 1,
        "max_extension": "5wd",
    },
)

RESIDENT = Actor("resident-zhao")
DISPATCHER = Actor("centre", roles={"dispatcher"})
DEPARTMENT = Actor("dept-housing", roles={"department"})
SUPERVISOR = Actor("supervisor-liu", roles={"supervisor"})


def hotline(start: datetime, *plugins: object, store: Any = None) -> tuple[Engine, ManualClock]:
    clock = ManualClock(start)
    engine = Engine(clock=clock, autoload=False, workflows=[HOTLINE], plugins=plugins, store=store)
    return engine, clock


def dispatched(engine: Engine, **open_args: Any) -> Issue:
    issue = engine.open("hotline", reporter=RESIDENT, **open_args)
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": [DEPARTMENT.id]})
    return engine.get(issue.id)


def intact(engine: Engine, issue_id: str) -> None:
    assert engine.verify(issue_id) == len(engine.history(issue_id))
    assert replay(engine.history(issue_id)) == engine.get(issue_id)


def test_three_working_days_across_national_day_fall_due_on_the_make_up_saturday() -> None:
    engine, clock = hotline(local(2026, 9, 30, 10, 0))
    issue = dispatched(engine)
    assert issue.due_at == local(2026, 10, 10, 17, 30)
    assert engine.history(issue.id)[-1].decisions["due_at"].startswith("govflow.deadlines")
    clock.set(local(2026, 10, 9, 17, 30))
    assert engine.tick() == []  # 20 of 27 office hours run: not yet 80 %
    clock.set(local(2026, 10, 10, 10, 36))  # 21.6 h: the make-up Saturday morning
    assert [e.trigger for e in engine.tick()] == ["warn"]
    clock.set(local(2026, 10, 10, 17, 31))
    assert [e.trigger for e in engine.tick()] == ["supervise"]
    intact(engine, issue.id)


def test_an_urgent_eight_hour_limit_runs_over_the_weekend() -> None:
    friday = local(2026, 10, 16, 16, 0)
    engine, _ = hotline(friday)
    issue = dispatched(engine, data={"urgency": "urgent"})
    assert issue.due_at == local(2026, 10, 19, 17, 0)  # Fri 1.5 h + Mon 6.5 h
    assert engine.due_time(issue, "8wh", friday) == issue.due_at
    # The 办结时限 of an urgent issue is 2 working days, counted from opening.
    assert issue.timing["overall_due"] == local(2026, 10, 20, 17, 30).isoformat()


def test_the_most_specific_row_of_the_table_applies() -> None:
    monday = local(2026, 6, 1, 9, 0)
    engine, _ = hotline(monday)
    assert dispatched(engine).due_at == local(2026, 6, 4, 17, 30)
    assert dispatched(engine, category="安全防护").due_at == local(2026, 6, 2, 17, 30)
    urgent_safety = dispatched(engine, category="安全防护", data={"urgency": "urgent"})
    assert urgent_safety.due_at == local(2026, 6, 1, 11, 0)
    # Urgency outranks category: 8 office hours, one more than a day holds.
    assert dispatched(engine, category="矛盾调解", data={"urgency": "urgent"}).due_at == local(
        2026, 6, 2, 10, 0
    )


def test_an_early_warning_is_an_event_a_listener_sees_and_the_log_verifies() -> None:
    seen: list[Event] = []

    class Listener:
        govflow_name = "listener"

        @hookimpl
        def govflow_after_transition(self, event: Event) -> None:
            seen.append(event)

    engine, clock = hotline(local(2026, 6, 1, 9, 0), Listener())
    issue = dispatched(engine)  # due Thursday 17:30: 28 office hours
    warn_at = datetime.fromisoformat(issue.timing["warn_at"])
    assert warn_at == local(2026, 6, 4, 10, 24)  # 22.4 office hours in
    clock.set(warn_at - timedelta(minutes=1))
    assert engine.tick() == []
    clock.set(warn_at)
    [warning] = engine.tick()
    assert (warning.trigger, warning.actor, warning.source) == ("warn", "system:clock", "handling")
    assert warning.payload == {"due_at": issue.due_at.isoformat()}  # type: ignore[union-attr]
    assert seen[-1] == warning
    assert engine.get(issue.id).due_at == issue.due_at  # a warning changes no deadline
    assert engine.tick() == []  # once
    intact(engine, issue.id)


def test_a_self_loop_keeps_the_running_deadline_unless_it_restarts_it() -> None:
    engine, clock = hotline(local(2026, 6, 1, 9, 0))
    issue = dispatched(engine)
    for _ in range(3):  # each department's report in joint work
        clock.advance(hours=5)
        engine.fire(issue.id, "report", actor=DEPARTMENT)
    assert engine.get(issue.id).due_at == issue.due_at
    engine.fire(issue.id, "reassign", actor=DISPATCHER)
    assert engine.get(issue.id).due_at == local(2026, 6, 5, 17, 30)  # 3wd from Tuesday
    intact(engine, issue.id)


def test_a_paused_issue_stops_the_clock_and_resumes_with_what_was_left() -> None:
    engine, clock = hotline(local(2026, 6, 1, 9, 0))
    issue = dispatched(engine)  # due Thursday 06-04 17:30
    clock.set(local(2026, 6, 2, 9, 0))  # 7 office hours used, 21 left
    with pytest.raises(PermissionDeniedError):
        engine.pause(issue.id, actor=DEPARTMENT, reason="等待司法鉴定")
    with pytest.raises(InvalidRequestError, match="reason"):
        engine.pause(issue.id, actor=SUPERVISOR, reason=" ")
    assert engine.get(issue.id).version == issue.version  # refusals change nothing
    paused = engine.pause(issue.id, actor=SUPERVISOR, reason="等待司法鉴定")
    assert (paused.trigger, paused.payload["reason"], paused.due_at) == (
        "pause",
        "等待司法鉴定",
        None,
    )
    clock.set(local(2026, 6, 8, 9, 0))
    assert engine.tick() == []  # the clock stopped: no supervision, no warning
    with pytest.raises(DeadlineError, match="paused"):
        engine.fire(issue.id, "finish", actor=DEPARTMENT)
    with pytest.raises(DeadlineError, match="is paused"):
        engine.pause(issue.id, actor=SUPERVISOR, reason="again")
    resumed = engine.resume(issue.id, actor=SUPERVISOR)
    assert resumed.due_at == local(2026, 6, 10, 17, 30)  # 21 office hours from Monday 9:00
    overall = datetime.fromisoformat(engine.get(issue.id).timing["overall_due"])
    # 10wd from 06-01 was 06-15; 70 office hours were left, and 06-19 is 端午节.
    assert overall == local(2026, 6, 22, 17, 30)
    with pytest.raises(DeadlineError, match="not paused"):
        engine.resume(issue.id, actor=SUPERVISOR)
    intact(engine, issue.id)


def test_an_approved_extension_moves_the_deadline_and_is_bounded() -> None:
    engine, _ = hotline(local(2026, 6, 1, 9, 0))
    issue = dispatched(engine)  # due Thursday 06-04 17:30
    with pytest.raises(PermissionDeniedError):
        engine.request_extension(issue.id, actor=RESIDENT, by="2wd", reason="需协调多部门")
    with pytest.raises(DeadlineError, match="exceeds"):
        engine.request_extension(issue.id, actor=DEPARTMENT, by="6wd", reason="需协调多部门")
    with pytest.raises(InvalidRequestError, match="count time like"):
        engine.request_extension(issue.id, actor=DEPARTMENT, by="2d", reason="需协调多部门")
    request = engine.request_extension(issue.id, actor=DEPARTMENT, by="2wd", reason="需协调多部门")
    assert request.due_at == issue.due_at  # asking extends nothing
    with pytest.raises(DeadlineError, match="pending"):
        engine.request_extension(issue.id, actor=DEPARTMENT, by="1wd", reason="再议")
    with pytest.raises(PermissionDeniedError):
        engine.approve_extension(issue.id, actor=DEPARTMENT)
    approved = engine.approve_extension(issue.id, actor=SUPERVISOR)
    assert (approved.trigger, approved.actor, approved.payload["by"]) == (
        "extend",
        SUPERVISOR.id,
        "2wd",
    )
    assert approved.due_at == local(2026, 6, 8, 17, 30)  # two working days after Thursday
    with pytest.raises(DeadlineError, match="1 extension"):
        engine.request_extension(issue.id, actor=DEPARTMENT, by="1wd", reason="还需时间")
    intact(engine, issue.id)


def test_a_refused_extension_leaves_the_deadline() -> None:
    engine, _ = hotline(local(2026, 6, 1, 9, 0))
    issue = dispatched(engine)
    engine.request_extension(issue.id, actor=DEPARTMENT, by="1wd", reason="材料未齐")
    refused = engine.refuse_extension(issue.id, actor=SUPERVISOR, reason="可按期办结")
    assert refused.due_at == issue.due_at
    assert "requested" not in engine.get(issue.id).timing
    with pytest.raises(DeadlineError, match="no extension request"):
        engine.approve_extension(issue.id, actor=SUPERVISOR)
    intact(engine, issue.id)


def test_a_due_time_beyond_the_calendars_years_is_refused_and_changes_nothing() -> None:
    plain = attrs.evolve(HOTLINE, name="hotline-plain", deadlines=None)  # no 办结时限
    clock = ManualClock(local(LAST_YEAR, 12, 31, 10, 0))
    engine = Engine(clock=clock, autoload=False, workflows=[plain])
    issue = engine.open("hotline-plain", reporter=RESIDENT)  # 2h: natural time, no data needed
    with pytest.raises(CalendarRangeError, match=f"{LAST_YEAR + 1}-01-01"):
        engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["d"]})
    assert engine.get(issue.id).version == 0
    assert len(engine.history(issue.id)) == 1


def test_opening_beyond_the_years_names_the_day() -> None:
    clock = ManualClock(local(LAST_YEAR + 3, 3, 1, 10, 0))
    engine = Engine(clock=clock, autoload=False, workflows=[HOTLINE])
    with pytest.raises(CalendarRangeError, match=str(LAST_YEAR + 3)):
        engine.open("hotline", reporter=RESIDENT)
    assert len(engine.store) == 0


def test_the_calendar_is_injectable() -> None:
    calendar = fixed_calendar(holidays=[date(2031, 5, 1), date(2031, 5, 2)])
    clock = ManualClock(local(2031, 4, 30, 10, 0))
    engine = Engine(clock=clock, autoload=False, workflows=[HOTLINE], calendar=calendar)
    issue = dispatched(engine)
    assert engine.calendar is calendar
    assert issue.due_at == local(2031, 5, 7, 17, 30)  # 05-05, 05-06, 05-07


class DisputesTakeLonger:
    govflow_name = "disputes-take-longer"

    @hookimpl
    def govflow_limit_tables(self, workflow: Workflow) -> Mapping[str, Any] | None:
        if workflow.name != "hotline":
            return None
        return {"handling": [{"category": "矛盾调解", "limit": "5wd"}]}


def test_a_plugins_table_and_the_calendar_compose() -> None:
    engine, _ = hotline(local(2026, 9, 30, 10, 0), DisputesTakeLonger())
    issue = dispatched(engine, category="矛盾调解")
    assert issue.due_at == local(2026, 10, 13, 17, 30)  # 5wd over 国庆: 8, 9, 10, 12, 13
    rows = engine.limit_tables("hotline")["handling"]
    assert rows[0] == Limit(WorkingTime(days=5), category="矛盾调解")
    assert len(rows) == 4


def test_a_plugin_table_for_a_state_without_a_default_is_an_error() -> None:
    class Broken:
        govflow_name = "broken"

        @hookimpl
        def govflow_limit_tables(self) -> Mapping[str, Any]:
            return {"closed": [{"urgency": "urgent", "limit": "1wd"}]}

    with pytest.raises(PluginError, match="broken"):
        Engine(autoload=False, workflows=[HOTLINE], plugins=[Broken()])


def test_limit_tables_are_data_in_the_spec() -> None:
    data = HOTLINE.to_dict()
    handling = next(s for s in data["states"] if s["name"] == "handling")  # type: ignore[attr-defined]
    assert handling["limits"][0] == {"limit": "8wh", "urgency": "urgent"}
    assert data["deadlines"]["overall"] == "10wd"  # type: ignore[index]
    assert Workflow.from_dict(data) == HOTLINE
    with pytest.raises(InvalidWorkflowError, match="no default time_limit"):
        Workflow.from_dict(
            {
                "name": "x",
                "initial": "a",
                "states": [
                    {"name": "a", "limits": [{"urgency": "urgent", "limit": "1wd"}]},
                    {"name": "b", "kind": "closed"},
                ],
                "transitions": [{"trigger": "go", "source": "a", "dest": "b"}],
            }
        )
    with pytest.raises(InvalidWorkflowError, match="deadline triggers"):
        Workflow(
            name="y",
            initial="a",
            states=[State("a", timeout_exempt=True), State("b", kind=StateKind.CLOSED)],
            transitions=[Transition("pause", "a", "b")],
        )


def test_deadline_bookkeeping_survives_the_sql_store(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 'time.db'}")
    engine, clock = hotline(local(2026, 6, 1, 9, 0), store=store)
    issue = dispatched(engine)
    clock.advance(hours=1)
    engine.pause(issue.id, actor=SUPERVISOR, reason="等待业主委员会表决")
    assert engine.get(issue.id).timing["paused"]["reason"] == "等待业主委员会表决"
    clock.advance(days=3)
    engine.resume(issue.id, actor=SUPERVISOR)
    intact(engine, issue.id)
    store.close()


def test_a_diagram_can_show_the_limit_tables() -> None:
    drawn = workflow_to_mermaid(HOTLINE, limits=True)
    assert 'state "承办 ⏱ 3wd, urgent 8wh, 安全防护 1wd, 安全防护 urgent 2wh" as handling' in drawn
    assert "note right of received: 办结时限 10wd" in drawn
    assert "⏱ 3wd" not in workflow_to_mermaid(HOTLINE)  # the default drawing is unchanged


def test_check_sees_the_deadline_policy_and_the_tables() -> None:
    known = {"dispatcher", "department", "supervisor"}
    assert check(HOTLINE, known).ok
    report = check(HOTLINE, {"dispatcher", "department"})
    messages = [problem.message for problem in report.by_rule("roles")]
    assert len(messages) == 2
    assert "deadlines.pause_roles names roles ['supervisor']" in messages[0]
    assert "deadlines.extension_roles" in messages[1]
    data = HOTLINE.to_dict()
    data["states"][1]["limits"].append({"urgency": "urgent", "limit": "soon"})  # type: ignore[index]
    assert check(data).by_rule("valid")
