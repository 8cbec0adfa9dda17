"""The pytest plugin, tested with pytest's own pytester: sample suites pass and fail where they
should, and workflow coverage reports what they exercised."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CAST = """
from govflow import Actor
from govflow.errors import GuardFailedError, PermissionDeniedError
from govflow.testing import Scenario

CAST = {
    "resident": Actor("r1"),
    "clerk": Actor("c1", roles={"operator"}),
    "dispatcher": Actor("d1", roles={"dispatcher"}),
    "worker": Actor("w1"),
    "inspector": Actor("i1", roles={"inspector"}),
}


def loop(engine):
    return (
        Scenario(engine, "closed-loop", actors=CAST)
        .as_("resident").open()
        .as_("clerk").fire("file")
        .as_("dispatcher").fire("dispatch", assignees=["w1"])
    )
"""

SAMPLE = (
    CAST
    + """

def test_the_whole_loop(govflow_engine):
    s = loop(govflow_engine())
    s.as_("worker").fire("finish").as_("inspector").fire("verify")
    s.as_("resident").fire("evaluate", satisfaction="satisfied")
    s.assert_state("closed").assert_path(
        ["collected", "filed", "handling", "fed_back", "evaluating", "closed"]
    )


def test_a_resident_may_not_file(govflow_engine):
    s = Scenario(govflow_engine(), "closed-loop", actors=CAST).as_("resident").open()
    s.assert_refused("file", error=PermissionDeniedError, match="operator")
    s.assert_state("collected")


def test_the_handler_may_not_verify(govflow_engine):
    engine = govflow_engine()
    s = loop(engine).as_("worker").fire("finish")
    s.actors["worker"] = Actor("w1", roles={"inspector"})
    s.as_("worker").assert_refused("verify", error=PermissionDeniedError, match="handle")


def test_overdue_handling_goes_under_supervision(govflow_engine, fake_clock):
    s = loop(govflow_engine())
    fake_clock.advance(hours=71)
    s.tick().assert_state("handling")
    s.advance(hours=2).assert_state("supervised")
    assert s.history[-1].actor == "system:clock"


def test_hooks_are_recorded(govflow_engine, hook_recorder):
    loop(govflow_engine(hook_recorder))
    moves = [c["transition"].trigger for c in hook_recorder.calls("govflow_before_transition")]
    assert moves == ["file", "dispatch"]
    assert hook_recorder.calls("govflow_resolve_assignees")[0]["payload"]["assignees"] == ["w1"]


def test_FAILS_wrong_state(govflow_engine):
    loop(govflow_engine()).assert_state("fed_back")


def test_FAILS_wrong_path(govflow_engine):
    loop(govflow_engine()).assert_path(["collected", "handling"])


def test_FAILS_refusal_that_is_accepted(govflow_engine):
    loop(govflow_engine()).as_("worker").assert_refused("finish")


def test_FAILS_refused_with_another_error(govflow_engine):
    loop(govflow_engine()).as_("resident").assert_refused("finish", error=GuardFailedError)
"""
)


def test_sample_suite_passes_and_fails_exactly_where_it_should(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_sample=SAMPLE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=5, failed=4)
    failed = sorted(r.nodeid.split("::")[1] for r in result.reprec.getfailures())  # type: ignore[attr-defined]
    assert all("FAILS" in name for name in failed)
    out = result.stdout.str()
    for line in [
        "AssertionError: expected state 'fed_back', found 'handling'",
        "issue '1' on 'closed-loop' is in 'handling'; history:",
        "#0 open: ∅ -> collected by r1",
        "#2 dispatch: filed -> handling by d1 {'assignees': ['w1']}",
        "expected path ['collected', 'handling'], found ['collected', 'filed', 'handling']",
        "expected 'finish' by 'w1' to be refused with RefusalError, but it was accepted",
        (
            "'finish' was refused with PermissionDeniedError (issue '1': 'r1' may not fire "
            "'finish': must be an assignee of the issue), expected GuardFailedError"
        ),
    ]:
        assert line in out, line
    # The helpers hide their own frames: each failure points at the test's line.
    assert "def assert_state" not in out


def test_fixtures_are_not_autouse(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_nothing_requested(request):
            assert "govflow_engine" not in request.fixturenames
            assert "fake_clock" not in request.fixturenames
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_engines_are_hermetic_and_accept_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import datetime, UTC
        from govflow import ManualClock, MemoryStore, State, StateKind, Transition, Workflow

        TINY = Workflow(
            name="tiny",
            initial="a",
            states=[State("a", kind=StateKind.OPEN), State("z", kind=StateKind.CANCELLED)],
            transitions=[Transition("drop", "a", "z", guards="always")],
        )

        def test_options(govflow_engine, fake_clock):
            store = MemoryStore()
            engine = govflow_engine(workflows=[TINY], guards={"always": lambda c: True},
                                    store=store)
            assert engine.store is store
            assert engine.clock is fake_clock
            assert fake_clock.now() == datetime(2024, 1, 1, 9, tzinfo=UTC)
            assert set(engine.workflows) == {"closed-loop", "tiny"}
            assert engine.plugins.names() == [
                "govflow.closed_loop", "govflow.deadlines", "govflow.routing"
            ]

        def test_own_clock(govflow_engine):
            clock = ManualClock(datetime(2030, 1, 1, tzinfo=UTC))
            assert govflow_engine(clock=clock).clock is clock
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


COVERAGE_SAMPLE = (
    CAST
    + """

def test_loop(govflow_engine):
    s = loop(govflow_engine())
    s.as_("worker").fire("finish").as_("inspector").fire("verify")
    s.as_("resident").fire("evaluate", satisfaction="satisfied")


def test_refusal(govflow_engine):
    Scenario(govflow_engine(), "closed-loop", actors=CAST).as_("resident").open()\\
        .assert_refused("file", error=PermissionDeniedError)


def test_engines_built_directly_are_not_counted():
    from govflow import Engine
    engine = Engine(autoload=False)
    Scenario(engine, "closed-loop", actors=CAST).as_("resident").open()\\
        .as_("clerk").fire("cancel", reason="duplicate")
"""
)


def test_coverage_reports_fired_and_refused_moves(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cov=COVERAGE_SAMPLE)
    result = pytester.runpytest("--govflow-coverage")
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*govflow workflow coverage*",
            "closed-loop v1: 25% (transitions 5/10, refusals 1/14)",
            "  never fired:   collected --cancel-->",
            "  never fired:   handling --supervise-->",
            "  never refused: collected --cancel--> by guard:reason_given",
            "  never refused: evaluating --evaluate--> by relation:not_handler",
            "TOTAL: 25% (6/24 transitions and refusals)",
        ]
    )
    result.stdout.no_fnmatch_line("*never fired:   collected --file-->*")
    result.stdout.no_fnmatch_line("*never refused: collected --file--> by roles*")


def test_coverage_counts_deadline_moves(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_tick=CAST
        + """

def test_overdue(govflow_engine):
    loop(govflow_engine()).advance(days=4).assert_state("supervised")
"""
    )
    result = pytester.runpytest("--govflow-coverage")
    result.stdout.fnmatch_lines(["closed-loop v1: 12% (transitions 3/10, refusals 0/14)"])
    result.stdout.no_fnmatch_line("*never fired:   handling --supervise-->*")


def test_coverage_below_the_threshold_fails_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cov=COVERAGE_SAMPLE)
    result = pytester.runpytest("--govflow-coverage-fail-under=30")
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAIL: workflow coverage 25.0% is below 30.0%"])


def test_coverage_above_the_threshold_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cov=COVERAGE_SAMPLE)
    result = pytester.runpytest("--govflow-coverage-fail-under=25")
    assert result.ret == 0
    result.stdout.no_fnmatch_line("FAIL: *")


def test_no_coverage_report_unless_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cov=COVERAGE_SAMPLE)
    result = pytester.runpytest()
    assert result.ret == 0
    result.stdout.no_fnmatch_line("*govflow workflow coverage*")


def test_coverage_without_any_issue_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--govflow-coverage")
    result.stdout.fnmatch_lines(
        ["no issue was opened through govflow_engine", "TOTAL: nothing measured"]
    )
    assert result.ret == 0


def test_nothing_measured_fails_any_threshold(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--govflow-coverage-fail-under=1")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAIL: workflow coverage 0.0% is below 1*"])
