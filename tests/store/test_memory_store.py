"""The in-memory store keeps a long log cheaply, and gives back exactly what was committed."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, Event, ManualClock, MemoryStore

RESIDENT = Actor("resident-王", name="王阿姨")
OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
WORKER = Actor("grid-7")
INSPECTOR = Actor("insp-1", roles={"inspector"})


def _engine(store: MemoryStore) -> Engine:
    return Engine(store=store, clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)), autoload=False)


def _loop(engine: Engine, issue_id: str, reworks: int) -> list[Event]:
    """The closed loop with ``reworks`` rounds of rework; the events ``fire`` returned."""
    fired = [
        engine.fire(issue_id, "file", actor=OPERATOR, payload={"note": "已受理", "urgent": True}),
        engine.fire(
            issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["grid-7"], "n": 1}
        ),
        engine.fire(issue_id, "finish", actor=WORKER, payload={"photos": [], "nested": {"a": [1]}}),
    ]
    for round_ in range(reworks):
        fired.append(
            engine.fire(issue_id, "rework", actor=INSPECTOR, payload={"reason": f"第{round_}次"})
        )
        fired.append(engine.fire(issue_id, "finish", actor=WORKER))
    fired.append(engine.fire(issue_id, "verify", actor=INSPECTOR))
    fired.append(
        engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    )
    return fired


def test_the_log_gives_back_every_event_as_it_was_committed() -> None:
    store = MemoryStore()
    engine = _engine(store)
    issue = engine.open("closed-loop", reporter=RESIDENT, data={"text": "路灯不亮", "n": [1, 2]})
    fired = [engine.history(issue.id)[0], *_loop(engine, issue.id, reworks=3)]

    history = engine.history(issue.id)
    assert history == tuple(fired)
    for kept, committed in zip(history, fired, strict=True):
        # the same types too: a payload's lists stay lists, the changes' tuples stay tuples
        assert {k: type(v) for k, v in kept.payload.items()} == {
            k: type(v) for k, v in committed.payload.items()
        }
        assert {k: type(v) for k, v in kept.changes.items()} == {
            k: type(v) for k, v in committed.changes.items()
        }
    assert history[2].changes["assignees"] == ("grid-7",)
    assert history[2].payload["assignees"] == ["grid-7"]
    assert engine.verify(issue.id) == len(fired)


def test_an_idempotent_retry_gets_the_first_event_back_after_later_moves() -> None:
    engine = _engine(MemoryStore())
    issue = engine.open("closed-loop", reporter=RESIDENT)
    first = engine.fire(
        issue.id, "file", actor=OPERATOR, payload={"via": ["12345"]}, idempotency_key="k-1"
    )
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["grid-7"]})
    engine.fire(issue.id, "finish", actor=WORKER)
    assert engine.fire(issue.id, "file", actor=OPERATOR, idempotency_key="k-1") == first


def test_a_long_log_does_not_grow_what_the_garbage_collector_tracks() -> None:
    """The collector's full passes cost time in proportion to what it tracks: an issue's log
    may grow with its moves, the collector's work must not."""
    store = MemoryStore()
    engine = _engine(store)
    ids = [engine.open("closed-loop", reporter=RESIDENT).id for _ in range(50)]

    def tracked() -> int:
        gc.collect()
        return len(gc.get_objects())

    before = tracked()
    for issue_id in ids[:25]:
        _loop(engine, issue_id, reworks=1)
    short = tracked() - before
    for issue_id in ids[25:]:
        _loop(engine, issue_id, reworks=20)  # 45 moves an issue instead of 7
    long = tracked() - before - short
    assert long <= short + 25  # leeway: an object or so per issue, whatever its log's length
    assert len(store.events(ids[-1])) == 1 + 3 + 2 * 20 + 2


_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60)
@given(payload=st.dictionaries(st.text(max_size=6), _JSON, max_size=4))
def test_any_json_payload_comes_back_from_the_packed_log(payload: dict[str, object]) -> None:
    engine = _engine(MemoryStore())
    issue = engine.open("closed-loop", reporter=RESIDENT)
    filed = engine.fire(issue.id, "file", actor=OPERATOR, payload=payload)
    engine.fire(issue.id, "dispatch", actor=DISPATCHER, payload={"assignees": ["grid-7"]})
    engine.fire(issue.id, "finish", actor=WORKER)  # the two before it are packed now
    kept = engine.store.events(issue.id)[1]  # the store itself: reads redact personal keys
    assert kept == filed
    assert json.dumps(dict(kept.payload), sort_keys=True) == json.dumps(
        dict(filed.payload), sort_keys=True
    )
    assert engine.verify(issue.id) == 4
