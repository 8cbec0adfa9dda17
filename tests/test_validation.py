"""Bad input never gets in: every public engine call checks its arguments and refuses, with a
typed error naming the argument, before anything is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from govflow import Actor, Engine, ManualClock, MemoryStore
from govflow.errors import ConflictError, InvalidRequestError
from govflow.testing.hostile import BAD_TEXT, hostile_json, hostile_values

from .conftest import Cast


def snapshot(engine: Engine) -> tuple[Any, ...]:
    store = engine.store
    return (
        len(store),
        store.log_size(),
        tuple((issue, tuple(store.events(issue.id))) for issue in store.issues()),
    )


@pytest.fixture
def opened(engine: Engine, cast: type[Cast]) -> str:
    return engine.open("closed-loop", reporter=cast.resident).id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"location": 123}, "location must be text or None, got int"),
        ({"category": 123}, "category must be text or None, got int"),
        ({"issue_id": 123}, "issue_id must be text or None, got int"),
        ({"issue_id": ""}, "issue_id must not be empty"),
        ({"reporter": None}, "reporter must be an Actor or an actor id, got NoneType"),
        ({"reporter": 7}, "reporter must be an Actor or an actor id, got int"),
        ({"workflow": 123}, "workflow must be text, got int"),
        ({"version": "1"}, "version must be an integer, got str"),
        ({"version": True}, "version must be an integer, got bool"),
        ({"version": 0}, "version must be between 1 and"),
        ({"data": 0}, "data must be a mapping, got int"),
        ({"data": False}, "data must be a mapping, got bool"),
        ({"data": []}, "data must be a mapping, got list"),
        ({"data": {"n": 2**53}}, r"data\['n'\] is 9007199254740992, beyond"),
        ({"data": {"x": [1, {"y": float("nan")}]}}, r"data\['x'\]\[1\]\['y'\] is nan"),
        ({"location": "a\x00b"}, "location holds a NUL character"),
        ({"location": "\ud800"}, "location holds a lone surrogate"),
        ({"location": "x" * 257}, "location is 257 characters long; the limit is 256"),
        ({"idempotency_key": 5}, "idempotency_key must be text or None, got int"),
    ],
)
def test_a_bad_open_is_refused_naming_the_argument(
    engine: Engine, kwargs: dict[str, Any], message: str
) -> None:
    before = snapshot(engine)
    arguments: dict[str, Any] = {"workflow": "closed-loop", "reporter": Actor("r"), **kwargs}
    with pytest.raises(InvalidRequestError, match=message):
        engine.open(**arguments)
    assert snapshot(engine) == before


def test_data_nested_past_the_declared_depth_is_refused(engine: Engine) -> None:
    deep: Any = 1
    for _ in range(engine.json_limits.max_depth):
        deep = [deep]
    with pytest.raises(InvalidRequestError, match="nests deeper than 32 levels"):
        engine.open("closed-loop", reporter="r", data={"deep": deep})
    thousand: Any = 1
    for _ in range(1000):
        thousand = {"a": thousand}
    with pytest.raises(InvalidRequestError, match="nests deeper than 32 levels"):
        engine.open("closed-loop", reporter="r", data=thousand)
    assert len(engine.store) == 0


def test_data_larger_than_the_declared_size_is_refused(engine: Engine) -> None:
    big = {"note": "字" * engine.json_limits.max_bytes}
    with pytest.raises(InvalidRequestError, match="larger than 262144 bytes"):
        engine.open("closed-loop", reporter="r", data=big)


@pytest.mark.parametrize("bad", [123, "", None, "a\x00b"])
def test_an_actor_needs_a_real_id(bad: Any) -> None:
    with pytest.raises(InvalidRequestError, match="Actor id must be non-empty text"):
        Actor(bad)


def test_an_actor_needs_real_roles() -> None:
    with pytest.raises(InvalidRequestError, match="Actor roles must be non-empty text"):
        Actor("a", roles={1})
    with pytest.raises(InvalidRequestError, match="Actor roles must be role names"):
        Actor("a", roles=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"issue_id": 123}, "issue_id must be text, got int"),
        ({"trigger": 7}, "trigger must be text, got int"),
        ({"trigger": ""}, "trigger must not be empty"),
        ({"actor": 7}, "actor must be an Actor or an actor id, got int"),
        ({"actor": ""}, "actor must not be empty"),
        ({"payload": 0}, "payload must be a mapping, got int"),
        ({"payload": False}, "payload must be a mapping, got bool"),
        ({"payload": []}, "payload must be a mapping, got list"),
        ({"expected_version": "0"}, "expected_version must be an integer, got str"),
        ({"expected_version": -1}, "expected_version must be between 0 and"),
        ({"idempotency_key": ""}, "idempotency_key must not be empty"),
        ({"idempotency_key": "k" * 300}, "idempotency_key is 300 characters long"),
    ],
)
def test_a_bad_fire_is_refused_naming_the_argument(
    engine: Engine, cast: type[Cast], opened: str, kwargs: dict[str, Any], message: str
) -> None:
    before = snapshot(engine)
    arguments: dict[str, Any] = {
        "issue_id": opened,
        "trigger": "file",
        "actor": cast.operator,
        **kwargs,
    }
    with pytest.raises(InvalidRequestError, match=message):
        engine.fire(**arguments)
    assert snapshot(engine) == before


@pytest.mark.parametrize("now", [datetime(2024, 3, 9), "tomorrow", 1709280000])
def test_tick_refuses_a_time_that_is_not_an_instant(engine: Engine, now: Any) -> None:
    with pytest.raises(InvalidRequestError, match="now must"):
        engine.tick(now)


def test_the_stores_refuse_a_naive_time_alike() -> None:
    with pytest.raises(InvalidRequestError, match="now must carry a UTC offset"):
        list(MemoryStore().due(datetime(2024, 1, 1)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile_values())
def test_no_hostile_value_gets_in_as_text(engine: Engine, opened: str, value: Any) -> None:
    before = snapshot(engine)
    # None is a fine location, category or issue id: "none", "the classifier's", "a new one".
    optional = [] if value is None else [{"location": value}, {"category": value}]
    optional += [] if value is None else [{"issue_id": value}]
    for arguments in [*optional, {"workflow": value}]:
        with pytest.raises(InvalidRequestError):
            engine.open(**{"workflow": "closed-loop", "reporter": "r", **arguments})
    with pytest.raises(InvalidRequestError):
        engine.fire(opened, value, actor=Cast.operator)
    assert snapshot(engine) == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=hostile_json())
def test_no_hostile_payload_gets_in(engine: Engine, opened: str, payload: Any) -> None:
    before = snapshot(engine)
    with pytest.raises(InvalidRequestError):
        engine.fire(opened, "file", actor=Cast.operator, payload=payload)
    with pytest.raises(InvalidRequestError):
        engine.open("closed-loop", reporter="r", data=payload)
    assert snapshot(engine) == before


def test_bad_text_is_refused_everywhere_text_is_taken(engine: Engine, opened: str) -> None:
    for bad in BAD_TEXT:
        with pytest.raises(InvalidRequestError):
            engine.fire(opened, "file", actor=Cast.operator, idempotency_key=bad)


# --- idempotency compares the whole request ----------------------------------------------------


def test_a_key_reused_with_another_payload_is_a_conflict(
    engine: Engine, cast: type[Cast], opened: str
) -> None:
    engine.fire(opened, "file", actor=cast.operator, payload={"via": "phone"}, idempotency_key="k")
    with pytest.raises(ConflictError, match="'k' was used for a different request"):
        engine.fire(
            opened, "file", actor=cast.operator, payload={"via": "app"}, idempotency_key="k"
        )


def test_a_retried_open_with_its_key_opens_nothing_new(engine: Engine, cast: type[Cast]) -> None:
    first = engine.open(
        "closed-loop", reporter=cast.resident, data={"call": 12345}, idempotency_key="call-12345"
    )
    again = engine.open(
        "closed-loop", reporter=cast.resident, data={"call": 12345}, idempotency_key="call-12345"
    )
    assert again == first
    assert len(engine.store) == 1
    with pytest.raises(ConflictError, match="the data differs"):
        engine.open(
            "closed-loop", reporter=cast.resident, data={"call": 1}, idempotency_key="call-12345"
        )
    with pytest.raises(ConflictError, match="the reporter differs"):
        engine.open("closed-loop", reporter=cast.neighbour, idempotency_key="call-12345")
    assert len(engine.store) == 1


def test_a_retried_open_still_gets_its_issue_after_the_issue_moved(
    engine: Engine, cast: type[Cast]
) -> None:
    first = engine.open("closed-loop", reporter=cast.resident, idempotency_key="call-1")
    engine.fire(first.id, "file", actor=cast.operator)
    again = engine.open("closed-loop", reporter=cast.resident, idempotency_key="call-1")
    assert again.id == first.id
    assert again.state == "filed"


# --- tick isolates a poison issue -----------------------------------------------------------


def test_tick_skips_an_issue_of_a_workflow_the_engine_no_longer_has(cast: type[Cast]) -> None:
    clock = ManualClock()
    store = MemoryStore()
    before = Engine(store=store, clock=clock, autoload=False)
    retired = attrs.evolve(before.workflow("closed-loop"), name="retired-loop")
    old = Engine(store=store, clock=clock, autoload=False, workflows=[retired])
    ids = []
    for workflow in ("retired-loop", "closed-loop"):
        issue = old.open(workflow, reporter=cast.resident)
        old.fire(issue.id, "file", actor=cast.operator)
        old.fire(issue.id, "dispatch", actor=cast.dispatcher, payload={"assignees": ["grid-7"]})
        ids.append(issue.id)
    clock.advance(days=4)
    now_engine = Engine(store=store, clock=clock, autoload=False)  # retired-loop is gone
    report = now_engine.tick()
    assert [event.issue_id for event in report] == [ids[1]]
    assert report.skipped == [(ids[0], "no workflow 'retired-loop v1' is registered")]
    assert store.get(ids[1]).state == "supervised"


@pytest.mark.parametrize("read", ["get", "history", "verify", "parties", "children"])
@pytest.mark.parametrize("bad", [123, None, "", "a\x00b"])
def test_reads_refuse_an_issue_id_that_is_not_one(engine: Engine, read: str, bad: Any) -> None:
    with pytest.raises(InvalidRequestError, match="issue_id"):
        getattr(engine, read)(bad)


def test_available_triggers_refuses_a_bad_issue_id(engine: Engine, cast: type[Cast]) -> None:
    with pytest.raises(InvalidRequestError, match="issue_id must be text, got int"):
        engine.available_triggers(123, cast.operator)  # type: ignore[arg-type]
