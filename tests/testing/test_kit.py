"""The testing kit's pieces used directly: the hook recorder, Scenario, coverage, org literals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govflow import CLOSED_LOOP, Actor, Engine, ManualClock, hookspecs
from govflow.errors import (
    GuardFailedError,
    InvalidOrgGraphError,
    PermissionDeniedError,
    TransitionNotAllowedError,
    UnknownIssueError,
)
from govflow.testing import (
    CoverageCollector,
    HookRecorder,
    RecordingEngine,
    Scenario,
    build_org,
    parse_org,
)
from govflow.testing.coverage import refusal_kind, refusals_of, transitions_of

CAST = {
    "resident": Actor("r1"),
    "clerk": Actor("c1", roles={"operator"}),
    "dispatcher": Actor("d1", roles={"dispatcher"}),
    "worker": "w1",
}


def engine(*plugins: object, coverage: CoverageCollector | None = None) -> RecordingEngine:
    clock = ManualClock(datetime(2024, 1, 1, tzinfo=UTC))
    return RecordingEngine(plugins=plugins, clock=clock, autoload=False, coverage=coverage)


def test_the_recorder_implements_every_hook() -> None:
    specs = {name for name in dir(hookspecs) if name.startswith("govflow_")}
    mine = {name for name in dir(HookRecorder) if name.startswith("govflow_")} - {"govflow_name"}
    assert mine == specs


def test_the_recorder_sees_declarations_and_moves_in_order() -> None:
    recorder = HookRecorder()
    eng = engine(recorder)
    declared = recorder.hooks()
    # the engine's authority asks for conflict rules and body resolvers once, after workflows
    assert declared == [
        "govflow_ledgers",
        "govflow_guards",
        "govflow_workflows",
        "govflow_conflict_rules",
        "govflow_body_resolvers",
        "govflow_access_lists",
    ]
    recorder.clear()
    Scenario(eng, "closed-loop", actors=CAST).as_("resident").open().as_("clerk").fire("file")
    assert recorder.hooks() == [
        "govflow_classify",
        "govflow_deadline",
        "govflow_after_transition",
        "govflow_before_transition",
        "govflow_deadline",
        "govflow_after_transition",
    ]
    (after_file,) = recorder.calls("govflow_after_transition")[1:]
    assert after_file["event"].trigger == "file"
    assert after_file["previous"].state == "collected"
    assert len(recorder) == 6
    assert [c.hook for c in recorder] == recorder.hooks()


def test_the_recorder_never_answers() -> None:
    recorder = HookRecorder()
    eng = engine(recorder)
    issue = eng.open("closed-loop", reporter="r1")
    assert issue.due_at == datetime(2024, 1, 1, 2, tzinfo=UTC)  # the deadline plugin answered
    assert eng.get(issue.id).category is None


def test_scenario_can_take_an_opened_issue_and_bare_ids() -> None:
    eng = engine()
    issue = eng.open("closed-loop", reporter="r1")
    s = Scenario(eng, issue, actors=CAST)
    assert s.actors["worker"] == Actor("w1")
    s.as_("clerk").fire("file").assert_path(["collected", "filed"])
    s.as_("dispatcher").assert_available("dispatch").fire("dispatch", {"assignees": ["w1"]})
    # The engine lets anyone fire a timeout move by hand: the checker flags it for evaluations.
    s.as_("worker").assert_available("finish")  # supervise belongs to the deadline clock
    s.as_("clerk").assert_refused("finish", error=PermissionDeniedError, match="assignee")


def test_scenario_refusals_keep_the_error_and_check_nothing_changed() -> None:
    s = Scenario(engine(), "closed-loop", actors=CAST).as_("resident").open()
    s.assert_refused("file", error=PermissionDeniedError)
    assert isinstance(s.last_error, PermissionDeniedError)
    s.as_("clerk").assert_refused("cancel", error=GuardFailedError, match="reason_given")
    s.assert_refused("dispatch", error=TransitionNotAllowedError)
    s.fire("cancel", reason="duplicate").assert_state("cancelled")


def test_scenario_misuse_is_explained() -> None:
    s = Scenario(engine(), "closed-loop", actors=CAST)
    with pytest.raises(AssertionError, match="call open"):
        s.assert_state("collected")
    with pytest.raises(AssertionError, match=r"the cast is \['clerk'"):
        s.as_("mayor")
    with pytest.raises(AssertionError, match="call as_"):
        s.open()
    s.open(reporter="resident")
    with pytest.raises(AssertionError, match="open already"):
        s.open(reporter="resident")
    with pytest.raises(AssertionError, match=r"can fire \[\], expected \['file'\]"):
        s.as_("resident").assert_available("file")
    with pytest.raises(TypeError, match="must be an Actor"):
        Scenario(engine(), "closed-loop", actors={"x": 3})  # type: ignore[dict-item]


def test_advance_needs_a_manual_clock() -> None:
    s = Scenario(Engine(autoload=False), "closed-loop", actors=CAST)
    with pytest.raises(TypeError, match="ManualClock"):
        s.advance(hours=1)


def test_coverage_items_of_the_closed_loop() -> None:
    assert len(transitions_of(CLOSED_LOOP)) == 10
    refusals = refusals_of(CLOSED_LOOP)
    assert ("evaluating", "evaluate", "relation:not_handler") in refusals
    assert ("collected", "cancel", "guard:reason_given") in refusals
    assert not any(trigger == "close_unrated" for _, trigger, _ in refusals)
    assert len(refusals) == 14


def test_refusal_kinds() -> None:
    assert refusal_kind(PermissionDeniedError("i", "t", "a", missing_roles=["x"])) == "roles"
    denied = PermissionDeniedError("i", "t", "a", missing_relation="reporter")
    assert refusal_kind(denied) == "relation:reporter"
    assert refusal_kind(GuardFailedError("i", "t", "g")) == "guard:g"
    assert refusal_kind(TransitionNotAllowedError("i", "s", "t")) is None


def test_recording_engine_counts_refusals_but_not_unknown_issues() -> None:
    collector = CoverageCollector()
    eng = engine(coverage=collector)
    s = Scenario(eng, "closed-loop", actors=CAST).as_("resident").open()
    s.assert_refused("file", error=PermissionDeniedError)
    s.assert_refused("dispatch", error=TransitionNotAllowedError)
    with pytest.raises(UnknownIssueError):
        eng.fire("nope", "file", actor=CAST["clerk"])  # type: ignore[arg-type]
    (entry,) = collector.workflows.values()
    assert entry.refused == {("collected", "file", "roles")}
    assert entry.fired == set()
    assert collector.totals() == (1, 24)


def test_recording_engine_without_coverage_is_an_engine() -> None:
    eng = engine()
    assert eng.coverage is None
    assert "govflow.testing.coverage" not in eng.plugins.names()


def test_org_literals_parse_to_units_and_posts() -> None:
    units, posts = parse_org(
        {"street:s1 幸福街道": {"community:c1": {"grid:g1": {}, "grid:g2": {}}}},
        people={"wang": ("c1", "secretary"), "li": [("g1", "grid_worker"), ("c1", "member")]},
    )
    assert [(u.id, u.kind, u.name, u.parent) for u in units] == [
        ("s1", "street", "幸福街道", None),
        ("c1", "community", "c1", "s1"),
        ("g1", "grid", "g1", "c1"),
        ("g2", "grid", "g2", "c1"),
    ]
    assert posts == {"wang": [("c1", "secretary")], "li": [("g1", "grid_worker"), ("c1", "member")]}


@pytest.mark.parametrize(
    ("tree", "people", "message"),
    [
        ({"street": {}}, None, "is not 'kind:id'"),
        ({"street:s1": None}, None, "must map contained units"),
        ({"street:s1": {"community:s1": {}}}, None, r"unit ids \['s1'\] appear twice"),
        ({"street:s1": {}}, {"wang": ("c9", "secretary")}, "unknown unit 'c9'"),
        ({"street:s1": {}}, {"wang": ("s1",)}, "needs posts like"),
    ],
)
def test_bad_org_literals_are_refused(tree: dict, people: dict | None, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidOrgGraphError, match=message):
        parse_org(tree, people)


def test_org_factory_builds_an_org_graph() -> None:
    pytest.importorskip("govflow.org", reason="the org graph is merged from branch org-graph")
    graph = build_org(
        {"street:s1 幸福街道": {"community:c1 一号社区": {}}}, people={"wang": ("c1", "secretary")}
    )
    assert graph.parent("c1").id == "s1"
    assert graph.holder("c1", "secretary").person.id == "wang"


class LeakyEngine(RecordingEngine):
    """A broken engine: it commits a move, then reports it refused."""

    def fire(self, issue_id, trigger, **kwargs):  # type: ignore[no-untyped-def]
        super().fire(issue_id, trigger, **kwargs)
        raise PermissionDeniedError(issue_id, trigger, kwargs["actor"].id, missing_roles=["x"])


def test_assert_refused_catches_a_refusal_that_changed_something() -> None:
    s = Scenario(LeakyEngine(autoload=False), "closed-loop", actors=CAST)
    s.as_("resident").open().as_("clerk")
    with pytest.raises(AssertionError, match="the refused 'file' changed the issue") as failure:
        s.assert_refused("file", error=PermissionDeniedError)
    assert "#1 file: collected -> filed by c1" in str(failure.value)
