"""The in-memory fold, the SQL aggregation and a brute-force recount give the same figures.

Random closed-loop histories (ratings in both languages and unknown ones, rework, exclusions,
pauses, the clock supervising and closing unrated issues) are played through the engine on
each backend; the fact counts by location must agree exactly, and so must every metric.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import CLOSED_LOOP, Actor, Engine, ManualClock
from govflow.errors import RefusalError
from govflow.metrics import BUILTIN, Metric, Period, accountability, compute
from govflow.metrics.report import tallies
from govflow.store import SQLStore

from ..metrics.recount import tally as recount
from .conftest import Backend

#: The closed loop with pausing allowed, early warnings and a 办结时限 shorter than the
#: handling state's limit (so that only it makes many issues late): deadline events in the logs.
TIMED = attrs.evolve(
    CLOSED_LOOP,
    name="timed-loop",
    deadlines={"warn_at": 0.5, "pause_roles": ["supervisor"], "overall": "1d"},
)
PEOPLE = {
    "resident": Actor("resident"),
    "centre": Actor("centre", roles={"operator", "dispatcher"}),
    "worker": Actor("grid-1", roles={"grid_worker"}),
    "inspector": Actor("inspector", roles={"inspector"}),
    "supervisor": Actor("supervisor", roles={"supervisor"}),
}
MOVES = {
    "file": ("centre", {}),
    "cancel": ("centre", {"reason": "不属于受理范围"}),
    "exclude": ("centre", {"reason": "重复", "exclusion": "duplicate"}),
    "dispatch": ("centre", {"assignees": ["grid-1"]}),
    "finish": ("worker", {}),
    "verify": ("inspector", {}),
    "rework": ("inspector", {"reason": "整改不到位"}),
}
RATINGS = ["满意", "基本满意", "不满意", "satisfied", "dissatisfied", "非常满意"]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.sampled_from(["网格1", "网格2", None]), st.booleans()),
        st.tuples(st.sampled_from(sorted(MOVES)), st.integers(0, 5), st.none()),
        st.tuples(st.just("evaluate"), st.integers(0, 5), st.sampled_from(RATINGS)),
        st.tuples(st.sampled_from(["pause", "resume"]), st.integers(0, 5), st.none()),
        st.tuples(st.just("wait"), st.integers(1, 60), st.none()),
    ),
    max_size=40,
)


def play(engine: Engine, clock: ManualClock, script: list[tuple[object, object, object]]) -> None:
    opened: list[str] = []
    for step, arg, extra in script:
        try:
            if step == "open":
                workflow = "timed-loop" if extra else "closed-loop"
                opened.append(
                    engine.open(workflow, reporter=PEOPLE["resident"], location=arg).id  # type: ignore[arg-type]
                )
            elif step == "wait":
                clock.advance(hours=float(arg))  # type: ignore[arg-type]
                engine.tick()
            elif not opened:
                continue
            else:
                issue_id = opened[int(arg) % len(opened)]  # type: ignore[call-overload]
                if step == "evaluate":
                    engine.fire(
                        issue_id,
                        "evaluate",
                        actor=PEOPLE["resident"],
                        payload={"satisfaction": extra},
                    )
                elif step == "pause":
                    engine.pause(issue_id, actor=PEOPLE["supervisor"], reason="等待")
                elif step == "resume":
                    engine.resume(issue_id, actor=PEOPLE["supervisor"])
                else:
                    who, payload = MOVES[str(step)]
                    trigger = "cancel" if step == "exclude" else str(step)
                    engine.fire(issue_id, trigger, actor=PEOPLE[who], payload=payload)
        except RefusalError:
            continue


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=steps)
def test_fold_sql_and_recount_agree(
    backend: Backend, script: list[tuple[object, object, object]]
) -> None:
    store = backend.shared()
    clock = ManualClock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    engine = Engine(clock=clock, autoload=False, store=store, workflows=[TIMED])
    play(engine, clock, script)
    expected = recount(engine)
    folded, _, _ = tallies(engine, BUILTIN.values())
    assert {k: +v for k, v in folded.items()} == expected
    if isinstance(store, SQLStore):
        summed, _, _ = tallies(engine, BUILTIN.values(), source="sql")
        assert {k: +v for k, v in summed.items()} == expected
        assert compute(engine, source="sql") == compute(engine)
        assert accountability(engine, source="sql") == accountability(engine)


def test_event_metrics_and_periods_agree(backend: Backend) -> None:
    store = backend.open()
    clock = ManualClock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    engine = Engine(clock=clock, autoload=False, store=store)
    script: list[tuple[object, object, object]] = [
        ("open", "网格1", None),
        ("file", 0, None),
        ("dispatch", 0, None),
        ("finish", 0, None),
        ("rework", 0, None),
        ("finish", 0, None),
        ("wait", 30, None),
        ("open", "网格2", None),
        ("file", 1, None),
        ("dispatch", 1, None),
        ("wait", 100, None),
    ]
    play(engine, clock, script)
    reworks = Metric("reworks_per_finish", "fired:rework", "fired:finish", over="events")
    reworked = Metric("reworked_issues", "fired:rework", "received")
    chosen = [reworks, reworked, BUILTIN["completion"]]
    memory = compute(engine, chosen)
    assert memory.total["reworks_per_finish"].numerator == 1
    assert memory.total["reworks_per_finish"].denominator == 2
    assert memory.groups["网格1"]["reworked_issues"].value == 1.0
    late = Period(start=datetime(2025, 6, 3, tzinfo=UTC))
    assert compute(engine, chosen, period=late).samples == {"网格2": 1}
    if isinstance(store, SQLStore):
        assert compute(engine, chosen, source="sql") == memory
        assert compute(engine, chosen, source="sql", period=late) == compute(
            engine, chosen, period=late
        )
    assert late.holds(datetime(2025, 6, 3, tzinfo=UTC) + timedelta(days=1))


def test_an_issue_closed_after_its_overall_limit_is_late_on_every_backend(
    backend: Backend,
) -> None:
    """Three timed issues, each finished within the handling limit: one closed within the
    办结时限 (1 day), one whose 办结时限 the clock saw pass, one closed after it before any
    tick. Only the first is on time, by the fold, SQL and the recount alike."""
    store = backend.open()
    clock = ManualClock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))  # a Monday, 9:00 in Shanghai
    engine = Engine(clock=clock, autoload=False, store=store, workflows=[TIMED])
    script: list[tuple[object, object, object]] = [
        ("open", "网格1", True),
        ("open", "网格1", True),
        ("open", "网格2", True),
    ]
    for n in range(3):
        script += [("file", n, None), ("dispatch", n, None), ("finish", n, None)]
    script += [("verify", 0, None), ("evaluate", 0, "满意")]
    play(engine, clock, script)
    clock.advance(hours=25)  # past the 办结时限, within handling's 3 working days
    ticked = engine.tick(issues=[engine.get("2")])
    assert [e.trigger for e in ticked] == ["overall_overdue"]
    for issue_id in ("2", "3"):
        engine.fire(issue_id, "verify", actor=PEOPLE["inspector"])
        engine.fire(
            issue_id, "evaluate", actor=PEOPLE["resident"], payload={"satisfaction": "满意"}
        )
    assert [i.state for i in engine.issues()] == ["closed"] * 3
    assert (
        engine.get("3").timing["overdue"] == engine.history("3")[0].changes["timing"]["overall_due"]
    )
    expected = recount(engine)
    folded, _, _ = tallies(engine, BUILTIN.values())
    assert {k: +v for k, v in folded.items()} == expected
    report = compute(engine)
    assert (report.total["on_time"].numerator, report.total["completion"].numerator) == (1, 3)
    if isinstance(store, SQLStore):
        assert compute(engine, source="sql") == report
