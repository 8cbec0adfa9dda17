"""The Engine, driven through the public API: every move checked, every refusal harmless."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from govflow import (
    SYSTEM_CLOCK,
    Actor,
    Engine,
    Event,
    Issue,
    ManualClock,
    MoveContext,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.errors import (
    ConflictError,
    GuardFailedError,
    InvalidRequestError,
    PermissionDeniedError,
    PluginError,
    RefusalError,
    TransitionNotAllowedError,
    UnknownIssueError,
    UnknownWorkflowError,
)
from govflow.records import InitialFields
from govflow.testing import past

from .conftest import Cast


def open_and_dispatch(engine: Engine, cast: type[Cast]) -> Issue:
    issue = engine.open("closed-loop", reporter=cast.resident, category="safety")
    engine.fire(issue.id, "file", actor=cast.operator)
    engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    return engine.get(issue.id)


def snapshot(engine: Engine, issue_id: str) -> tuple[Issue, tuple[Event, ...]]:
    return engine.get(issue_id), engine.history(issue_id)


# --- opening ---------------------------------------------------------------------------------


def test_open_puts_the_issue_in_the_initial_state_with_its_deadline(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    issue = engine.open(
        "closed-loop",
        reporter=cast.resident,
        location="340303001001",
        category="safety",
        data={"text": "楼道堆放杂物, 消防通道堵塞"},
    )
    assert issue.state == "collected"
    assert issue.version == 0
    assert issue.reporter == "resident-wang"
    assert issue.workflow == "closed-loop"
    assert issue.workflow_version == 1
    assert issue.opened_at == clock.now()
    assert issue.due_at == clock.now() + timedelta(hours=2)
    assert issue.data["text"].startswith("楼道")
    (event,) = engine.history(issue.id)
    assert event.trigger == "open"
    assert event.source is None
    assert event.destination == "collected"
    assert event.actor == "resident-wang"
    assert str(event.plugin) == "govflow.closed_loop 0.1.0"
    assert event.decisions == {"due_at": "govflow.deadlines 0.1.0"}


def test_an_opened_issue_is_kept_once(engine: Engine, cast: type[Cast]) -> None:
    # The open event carries the initial fields by reading the issue: the issue it reads is the
    # one stored, not the copy hashed before the event's hash was known (one Issue a live issue).
    issue = engine.open("closed-loop", reporter=cast.resident, category="safety")
    stored = engine.store.get(issue.id)
    (opened,) = engine.store.events(issue.id)
    (read,) = [r for r in gc.get_referents(opened.changes) if isinstance(r, Issue)]
    assert read is stored


def test_initial_fields_read_only_the_issue_they_were_made_from() -> None:
    at = datetime(2024, 3, 1, tzinfo=UTC)
    issue = Issue("1", "closed-loop", 1, "collected", None, None, "r", at, at)
    fields = InitialFields(issue)
    fields.rebind(attrs.evolve(issue, last_hash="f" * 64))
    with pytest.raises(ValueError, match="opened otherwise"):
        fields.rebind(attrs.evolve(issue, reporter="someone else"))
    assert dict(fields)["reporter"] == "r"


def test_open_accepts_a_plain_reporter_id_and_an_issue_id(engine: Engine) -> None:
    issue = engine.open("closed-loop", reporter="12345-hotline", issue_id="HL-2024-0001")
    assert issue.id == "HL-2024-0001"
    assert engine.get("HL-2024-0001").reporter == "12345-hotline"


def test_issue_ids_are_fresh(engine: Engine, cast: type[Cast]) -> None:
    ids = {engine.open("closed-loop", reporter=cast.resident).id for _ in range(20)}
    assert len(ids) == 20


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"workflow": "no-such"}, UnknownWorkflowError, "no-such"),
        ({"version": 9}, UnknownWorkflowError, "closed-loop v9"),
        ({"data": {"when": datetime(2024, 1, 1)}}, InvalidRequestError, "JSON data"),
        ({"data": {"x": float("nan")}}, InvalidRequestError, "JSON data"),
        ({"data": ["not", "a", "mapping"]}, InvalidRequestError, "must be a mapping"),
        ({"reporter": ""}, InvalidRequestError, "reporter needs an id"),
    ],
)
def test_bad_opens_are_refused_and_store_nothing(
    engine: Engine, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"workflow": "closed-loop", "reporter": "r"}
    arguments.update(kwargs)
    workflow = arguments.pop("workflow")
    with pytest.raises(error, match=message):
        engine.open(workflow, **arguments)
    assert list(engine.issues()) == []


def test_an_issue_id_cannot_be_opened_twice(engine: Engine) -> None:
    engine.open("closed-loop", reporter="r", issue_id="A")
    with pytest.raises(ConflictError, match="exists already"):
        engine.open("closed-loop", reporter="someone else", issue_id="A")
    assert engine.get("A").reporter == "r"
    assert len(engine.history("A")) == 1


# --- moving ----------------------------------------------------------------------------------


def test_fire_moves_the_issue_and_appends_one_chained_event(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    clock.advance(minutes=10)
    event = engine.fire(issue.id, "file", actor=cast.operator)
    assert (event.sequence, event.trigger, event.source, event.destination) == (
        1,
        "file",
        "collected",
        "filed",
    )
    assert event.actor == "op-1"
    assert event.at == clock.now()
    moved = engine.get(issue.id)
    assert moved.state == "filed"
    assert moved.version == 1
    assert moved.updated_at == clock.now()
    first, second = engine.history(issue.id)
    assert second.previous_hash == first.hash
    assert second == event


def test_dispatch_assigns_from_the_payload_and_records_who_decided(
    engine: Engine, cast: type[Cast]
) -> None:
    issue = open_and_dispatch(engine, cast)
    assert issue.assignees == ("grid-7",)
    assert issue.state == "handling"
    dispatch = engine.history(issue.id)[-1]
    assert dispatch.changes["assignees"] == ("grid-7",)
    assert dispatch.decisions["assignees"] == "govflow.routing 0.1.0"


def test_an_assigning_move_without_assignees_is_refused(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator)
    before = snapshot(engine, issue.id)
    with pytest.raises(InvalidRequestError, match="no assignees"):
        engine.fire(issue.id, "dispatch", actor=cast.dispatcher)
    with pytest.raises(InvalidRequestError, match="list of actor ids"):
        engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": [3]})
    assert snapshot(engine, issue.id) == before


def test_the_whole_closed_loop(engine: Engine, cast: type[Cast]) -> None:
    issue = open_and_dispatch(engine, cast)
    engine.fire(issue.id, "finish", actor=cast.worker, payload={"note": "已清理"})
    engine.fire(issue.id, "verify", actor=cast.inspector)
    engine.fire(issue.id, "evaluate", actor=cast.resident, payload={"satisfaction": "satisfied"})
    done = engine.get(issue.id)
    assert done.state == "closed"
    assert done.due_at is None
    assert done.handlers == ("grid-7",)
    assert [e.destination for e in engine.history(issue.id)] == [
        "collected",
        "filed",
        "handling",
        "fed_back",
        "evaluating",
        "closed",
    ]


def test_rework_sends_the_issue_back_to_its_handlers(engine: Engine, cast: type[Cast]) -> None:
    issue = open_and_dispatch(engine, cast)
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "rework", actor=cast.inspector, payload={"reason": "照片不清楚"})
    assert engine.get(issue.id).state == "handling"
    assert engine.available_triggers(issue.id, cast.worker) == ["finish"]


def test_available_triggers_follow_roles_and_relations(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    assert engine.available_triggers(issue.id, cast.operator) == ["file", "cancel"]
    assert engine.available_triggers(issue.id, cast.resident) == []
    issue = open_and_dispatch(engine, cast)
    assert engine.available_triggers(issue.id, cast.worker) == ["finish"]
    assert engine.available_triggers(issue.id, cast.dispatcher) == []


# --- refusals: each typed, each harmless ------------------------------------------------------


def test_unknown_issue(engine: Engine, cast: type[Cast]) -> None:
    with pytest.raises(UnknownIssueError) as caught:
        engine.fire("nope", "file", actor=cast.operator)
    assert isinstance(caught.value, LookupError)
    for read in (engine.get, engine.history, engine.verify):
        with pytest.raises(UnknownIssueError):
            read("nope")


def test_a_trigger_that_does_not_leave_the_state(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    before = snapshot(engine, issue.id)
    with pytest.raises(TransitionNotAllowedError) as caught:
        engine.fire(issue.id, "verify", actor=cast.inspector)
    err = caught.value
    assert (err.issue_id, err.state, err.trigger) == (issue.id, "collected", "verify")
    assert err.available == ("file", "cancel")
    with pytest.raises(TransitionNotAllowedError, match="'teleport'"):
        engine.fire(issue.id, "teleport", actor=cast.operator)
    assert snapshot(engine, issue.id) == before


def test_a_missing_role(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    before = snapshot(engine, issue.id)
    with pytest.raises(PermissionDeniedError) as caught:
        engine.fire(issue.id, "file", actor=cast.resident)
    assert caught.value.missing_roles == ("operator",)
    assert "needs one of the roles ['operator']" in str(caught.value)
    assert snapshot(engine, issue.id) == before


def test_a_missing_relation(engine: Engine, cast: type[Cast]) -> None:
    issue = open_and_dispatch(engine, cast)
    before = snapshot(engine, issue.id)
    stranger = Actor("grid-9", roles={"grid_worker"})
    with pytest.raises(PermissionDeniedError) as caught:
        engine.fire(issue.id, "finish", actor=stranger)
    assert caught.value.missing_relation == "assignee"
    assert snapshot(engine, issue.id) == before


def test_only_the_reporter_evaluates(engine: Engine, cast: type[Cast]) -> None:
    issue = open_and_dispatch(engine, cast)
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "verify", actor=cast.inspector)
    before = snapshot(engine, issue.id)
    with pytest.raises(PermissionDeniedError) as caught:
        engine.fire(
            issue.id, "evaluate", actor=cast.neighbour, payload={"satisfaction": "satisfied"}
        )
    assert caught.value.missing_relation == "reporter"
    assert snapshot(engine, issue.id) == before


def test_nobody_evaluates_their_own_work(engine: Engine, cast: type[Cast]) -> None:
    """Separation of duties: a grid worker who reported and then handled the issue may not
    rate it, and a handler who is also an inspector may not verify it."""
    worker_inspector = Actor("grid-7", roles={"grid_worker", "inspector"})
    issue = engine.open("closed-loop", reporter=worker_inspector)
    engine.fire(issue.id, "file", actor=cast.operator)
    engine.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
    engine.fire(issue.id, "finish", actor=worker_inspector)
    before = snapshot(engine, issue.id)
    with pytest.raises(PermissionDeniedError) as caught:
        engine.fire(issue.id, "verify", actor=worker_inspector)
    assert caught.value.missing_relation == "not_handler"
    assert "did not handle" in str(caught.value)
    assert snapshot(engine, issue.id) == before
    engine.fire(issue.id, "verify", actor=cast.inspector)
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(
            issue.id, "evaluate", actor=worker_inspector, payload={"satisfaction": "satisfied"}
        )
    assert engine.get(issue.id).state == "evaluating"


def test_deadline_moves_belong_to_the_clock(engine: Engine, cast: type[Cast]) -> None:
    issue = open_and_dispatch(engine, cast)
    before = snapshot(engine, issue.id)
    with pytest.raises(PermissionDeniedError, match="deadline clock only"):
        engine.fire(issue.id, "supervise", actor=cast.dispatcher)
    assert snapshot(engine, issue.id) == before


def test_a_failed_guard(engine: Engine, cast: type[Cast]) -> None:
    issue = open_and_dispatch(engine, cast)
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "verify", actor=cast.inspector)
    before = snapshot(engine, issue.id)
    with pytest.raises(GuardFailedError) as caught:
        engine.fire(issue.id, "evaluate", actor=cast.resident, payload={"satisfaction": "meh"})
    assert caught.value.guard == "satisfaction_given"
    assert snapshot(engine, issue.id) == before


def test_a_payload_that_is_not_json_is_refused(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    before = snapshot(engine, issue.id)
    with pytest.raises(InvalidRequestError, match="payload must be JSON data"):
        engine.fire(issue.id, "file", actor=cast.operator, payload={"obj": object()})
    assert snapshot(engine, issue.id) == before


@pytest.mark.parametrize(
    "payload",
    [
        {"reason": "照片不清楚", "count": 3, "ok": True, "score": 4.5, "none": None},
        {"assignees": ("grid-7", "grid-8")},  # JSON has lists: a tuple comes back as one
        {"assignees": ["grid-7", "grid-8"]},
        {"nested": {"a": [1, {"b": 2}]}},  # not flat: the JSON round trip
    ],
)
def test_the_event_keeps_a_private_json_copy_of_the_payload(
    engine: Engine, cast: type[Cast], payload: dict[str, Any]
) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    event = engine.fire(issue.id, "file", actor=cast.operator, payload=payload)
    assert dict(event.payload) == json.loads(json.dumps(payload))
    for value in payload.values():  # the caller changing its objects changes nothing logged
        if isinstance(value, dict | list):
            value.clear()
    assert engine.history(issue.id)[-1].payload == event.payload
    assert engine.verify(issue.id) == 2


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"score": float("nan")}, "payload must be JSON data"),
        ({"score": float("inf")}, "payload must be JSON data"),
        ({"ids": ["a", float("nan")]}, "payload must be JSON data"),
        ({1: "int key"}, "payload keys must be strings"),
        ({"ids": ["a", object()]}, "payload must be JSON data"),
    ],
)
def test_a_flat_payload_is_checked_like_any_other(
    engine: Engine, cast: type[Cast], payload: dict[Any, Any], message: str
) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    before = snapshot(engine, issue.id)
    with pytest.raises(InvalidRequestError, match=message):
        engine.fire(issue.id, "file", actor=cast.operator, payload=payload)
    assert snapshot(engine, issue.id) == before


def test_a_stale_expected_version_is_a_conflict(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator, expected_version=0)
    before = snapshot(engine, issue.id)
    with pytest.raises(ConflictError, match="expected version 0 but the issue is at version 1"):
        engine.fire(
            issue.id,
            "dispatch",
            actor=cast.dispatcher,
            payload={"assignees": ["grid-7"]},
            expected_version=0,
        )
    assert snapshot(engine, issue.id) == before


def test_every_refusal_is_a_govflow_refusal() -> None:
    for error in (
        UnknownIssueError,
        TransitionNotAllowedError,
        PermissionDeniedError,
        GuardFailedError,
        ConflictError,
        InvalidRequestError,
        UnknownWorkflowError,
    ):
        assert issubclass(error, RefusalError)


# --- idempotency -----------------------------------------------------------------------------


def test_firing_again_with_the_same_key_returns_the_first_event(
    engine: Engine, cast: type[Cast]
) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    first = engine.fire(issue.id, "file", actor=cast.operator, idempotency_key="req-1")
    again = engine.fire(issue.id, "file", actor=cast.operator, idempotency_key="req-1")
    assert again == first
    assert engine.get(issue.id).version == 1
    assert len(engine.history(issue.id)) == 2


def test_a_key_reused_for_another_request_is_a_conflict(engine: Engine, cast: type[Cast]) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator, idempotency_key="req-1")
    before = snapshot(engine, issue.id)
    with pytest.raises(ConflictError, match="'req-1' was used for a different request"):
        engine.fire(
            issue.id,
            "dispatch",
            actor=cast.dispatcher,
            payload={"assignees": ["grid-7"]},
            idempotency_key="req-1",
        )
    assert snapshot(engine, issue.id) == before


# --- deadlines -------------------------------------------------------------------------------


def test_tick_fires_the_timeout_move_of_overdue_issues_only(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    late = open_and_dispatch(engine, cast)  # Friday evening in Shanghai: due Wednesday 17:30
    clock.advance(days=4)
    on_time = open_and_dispatch(engine, cast)  # Tuesday: due Friday
    assert engine.tick() == []
    past(late.due_at, clock)  # type: ignore[arg-type]
    (event,) = engine.tick()
    assert (event.issue_id, event.trigger, event.actor) == (late.id, "supervise", SYSTEM_CLOCK.id)
    assert event.payload == {"overdue_since": late.due_at.isoformat()}  # type: ignore[union-attr]
    assert engine.get(late.id).state == "supervised"
    assert engine.get(on_time.id).state == "handling"
    assert engine.tick() == []
    # Supervised work still finishes the normal way.
    engine.fire(late.id, "finish", actor=cast.worker)
    assert engine.get(late.id).state == "fed_back"


def test_tick_closes_issues_residents_never_rated(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    issue = open_and_dispatch(engine, cast)
    engine.fire(issue.id, "finish", actor=cast.worker)
    engine.fire(issue.id, "verify", actor=cast.inspector)
    fired = engine.tick(clock.now() + timedelta(days=3))
    assert [e.trigger for e in fired] == ["close_unrated"]
    assert engine.get(issue.id).state == "closed"


def test_states_without_a_timeout_move_are_left_alone(
    engine: Engine, clock: ManualClock, cast: type[Cast]
) -> None:
    issue = engine.open("closed-loop", reporter=cast.resident)
    assert engine.tick(clock.now() + timedelta(days=30)) == []
    assert engine.get(issue.id).state == "collected"


def test_a_timeout_move_refused_by_a_guard_waits_for_a_later_tick(
    clock: ManualClock,
) -> None:
    wf = Workflow(
        name="escalating",
        initial="waiting",
        states=[
            State("waiting", kind=StateKind.OPEN, time_limit="1h"),
            State("escalated", kind=StateKind.CLOSED),
        ],
        transitions=[
            Transition("escalate", "waiting", "escalated", on_timeout=True, guards="open_hours")
        ],
    )
    engine = Engine(
        clock=clock,
        autoload=False,
        workflows=[wf],
        guards={"open_hours": lambda ctx: 8 <= ctx.now.hour < 18},
    )
    issue = engine.open("escalating", reporter="r")
    night = clock.now().replace(hour=23)
    assert engine.tick(night) == []
    assert engine.get(issue.id).state == "waiting"
    morning = night + timedelta(hours=10)
    assert [e.trigger for e in engine.tick(morning)] == ["escalate"]


# --- versions, plugins, hooks -------------------------------------------------------------------


def versioned(version: int, *, extra_state: bool) -> Workflow:
    states = [State("new", kind=StateKind.OPEN), State("done", kind=StateKind.CLOSED)]
    transitions = [Transition("close", "new", "done")]
    if extra_state:
        states.insert(1, State("checked"))
        transitions = [
            Transition("check", "new", "checked"),
            Transition("close", "checked", "done"),
        ]
    return Workflow("repair", states, transitions, initial="new", version=version)


def test_an_issue_stays_on_the_version_it_was_opened_on(clock: ManualClock) -> None:
    old_engine = Engine(clock=clock, autoload=False, workflows=[versioned(1, extra_state=False)])
    both = Engine(
        clock=clock,
        autoload=False,
        store=old_engine.store,
        workflows=[versioned(1, extra_state=False), versioned(2, extra_state=True)],
    )
    old = old_engine.open("repair", reporter="r")
    new = both.open("repair", reporter="r")
    assert (old.workflow_version, new.workflow_version) == (1, 2)
    assert both.workflow("repair").version == 2
    assert both.workflow("repair", 1).version == 1
    both.fire(old.id, "close", actor=Actor("a"))
    with pytest.raises(TransitionNotAllowedError):
        both.fire(new.id, "close", actor=Actor("a"))
    both.fire(new.id, "check", actor=Actor("a"))
    assert both.get(new.id).state == "checked"
    assert set(both.workflows) == {"closed-loop", "repair"}


class Veto:
    """A plugin that refuses any move carrying an 'urgent' flag after 22:00."""

    govflow_name = "night-rule"

    @hookimpl
    def govflow_before_transition(self, payload: Mapping[str, Any]) -> str | None:
        return "no urgent moves at night" if payload.get("urgent") else None


def test_a_plugin_veto_is_a_guard_failure_naming_the_plugin(
    clock: ManualClock, cast: type[Cast]
) -> None:
    engine = Engine(clock=clock, autoload=False, plugins=[Veto()])
    issue = engine.open("closed-loop", reporter=cast.resident)
    before = snapshot(engine, issue.id)
    with pytest.raises(GuardFailedError) as caught:
        engine.fire(issue.id, "file", actor=cast.operator, payload={"urgent": True})
    assert caught.value.guard == "plugin night-rule"
    assert caught.value.reason == "no urgent moves at night"
    assert snapshot(engine, issue.id) == before
    engine.fire(issue.id, "file", actor=cast.operator)


class Recorder:
    govflow_name = "recorder"

    def __init__(self) -> None:
        self.seen: list[tuple[str | None, str]] = []

    @hookimpl
    def govflow_after_transition(self, previous: Issue | None, event: Event) -> None:
        self.seen.append((None if previous is None else previous.state, event.destination))


class Broken:
    govflow_name = "broken-notifier"

    @hookimpl
    def govflow_after_transition(self) -> None:
        raise RuntimeError("SMS gateway down")


def test_after_transition_hooks_hear_every_committed_move(
    clock: ManualClock, cast: type[Cast]
) -> None:
    recorder = Recorder()
    engine = Engine(clock=clock, autoload=False, plugins=[recorder])
    issue = engine.open("closed-loop", reporter=cast.resident)
    engine.fire(issue.id, "file", actor=cast.operator)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "dispatch", actor=cast.resident)
    assert recorder.seen == [(None, "collected"), ("collected", "filed")]


def test_a_failing_notification_never_undoes_the_move(
    clock: ManualClock, cast: type[Cast], caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine(clock=clock, autoload=False, plugins=[Broken()])
    issue = engine.open("closed-loop", reporter=cast.resident)
    with caplog.at_level(logging.ERROR, logger="govflow"):
        engine.fire(issue.id, "file", actor=cast.operator)
    assert engine.get(issue.id).state == "filed"
    assert "broken-notifier" in caplog.text
    assert "SMS gateway down" in caplog.text


class Classifier:
    govflow_name = "keyword-classifier"
    __version__ = "2.0"

    @hookimpl
    def govflow_classify(self, data: Mapping[str, Any]) -> str | None:
        return "safety" if "消防" in str(data.get("text", "")) else None


def test_a_classifier_plugin_chooses_the_category_and_is_credited(
    clock: ManualClock, cast: type[Cast]
) -> None:
    engine = Engine(clock=clock, autoload=False, plugins=[Classifier()])
    issue = engine.open("closed-loop", reporter=cast.resident, data={"text": "消防通道堵塞"})
    assert issue.category == "safety"
    assert engine.history(issue.id)[0].decisions["category"] == "keyword-classifier 2.0"
    other = engine.open("closed-loop", reporter=cast.resident, data={"text": "路灯不亮"})
    assert other.category is None
    given = engine.open(
        "closed-loop", reporter=cast.resident, category="lighting", data={"text": "消防"}
    )
    assert given.category == "lighting"


def test_guards_are_resolved_by_name_when_the_engine_compiles(clock: ManualClock) -> None:
    wf = Workflow(
        name="guarded",
        initial="a",
        states=[State("a", kind=StateKind.OPEN), State("b", kind=StateKind.CLOSED)],
        transitions=[Transition("go", "a", "b", guards=("has_photo",))],
    )
    with pytest.raises(PluginError, match=r"guard 'has_photo'.*is not registered"):
        Engine(clock=clock, autoload=False, workflows=[wf])

    def has_photo(context: MoveContext) -> bool:
        return bool(context.payload.get("photo"))

    engine = Engine(clock=clock, autoload=False, workflows=[wf], guards={"has_photo": has_photo})
    issue = engine.open("guarded", reporter="r")
    with pytest.raises(GuardFailedError, match="has_photo"):
        engine.fire(issue.id, "go", actor=Actor("x"))
    engine.fire(issue.id, "go", actor=Actor("x"), payload={"photo": "p.jpg"})
    assert engine.get(issue.id).state == "b"


class DeliverTwice:
    """Delivers a request through another engine while this one is mid-move: a retry racing
    the original, as a flaky network produces."""

    govflow_name = "deliver-twice"

    def __init__(self, other: Engine, key: str) -> None:
        self.other: Engine | None = other
        self.key = key

    @hookimpl
    def govflow_before_transition(self, issue: Issue) -> None:
        other, self.other = self.other, None
        if other is not None:
            other.fire(issue.id, "file", actor=Cast.operator, idempotency_key=self.key)


def racing(clock: ManualClock, key: str) -> tuple[Engine, Engine, Issue]:
    first = Engine(clock=clock, autoload=False)
    second = Engine(
        clock=clock, autoload=False, store=first.store, plugins=[DeliverTwice(first, key)]
    )
    return first, second, first.open("closed-loop", reporter=Cast.resident)


def test_a_request_that_loses_a_race_with_its_own_retry_gets_the_winners_event(
    clock: ManualClock, cast: type[Cast]
) -> None:
    first, second, issue = racing(clock, "req-7")
    event = second.fire(issue.id, "file", actor=cast.operator, idempotency_key="req-7")
    assert event == first.history(issue.id)[1]
    assert first.get(issue.id).version == 1
    assert len(first.history(issue.id)) == 2


def test_a_request_that_loses_a_race_with_another_is_a_conflict(
    clock: ManualClock, cast: type[Cast]
) -> None:
    first, second, issue = racing(clock, "req-7")
    with pytest.raises(ConflictError, match="changed since it was read"):
        second.fire(issue.id, "file", actor=cast.operator, idempotency_key="req-8")
    assert [e.trigger for e in first.history(issue.id)] == ["open", "file"]
