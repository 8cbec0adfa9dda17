"""The plugin system: discovery, explicit registration, switches, loud failures, attribution."""

from __future__ import annotations

import importlib.metadata
import logging
import sysconfig
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import govflow_four_deliberations
import govflow_six_things
import pytest

from govflow import (
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
    __version__,
    hookimpl,
)
from govflow.errors import GuardFailedError, InvalidWorkflowError, PluginError
from govflow.plugins import AUTOLOAD_ENV, DISABLED_ENV, PluginHost

BUILTINS = ["govflow.closed_loop", "govflow.deadlines", "govflow.routing"]
INSTALLED = ["one-group-one-council", "six-things", "four-deliberations"]
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AUTOLOAD_ENV, raising=False)
    monkeypatch.delenv(DISABLED_ENV, raising=False)


def _tiny(name: str, *, guard: str | None = None) -> Workflow:
    return Workflow(
        name,
        states=[State("new", kind=StateKind.OPEN), State("done", kind=StateKind.CLOSED)],
        transitions=[Transition("finish", "new", "done", guards=() if guard is None else guard)],
        initial="new",
    )


class Contributes:
    """A plugin object contributing one workflow."""

    def __init__(self, name: str, workflow: Workflow, version: str = "1.2.3") -> None:
        self.govflow_name = name
        self.__version__ = version
        self._workflow = workflow

    @hookimpl
    def govflow_workflows(self) -> list[Workflow]:
        return [self._workflow]


# --- discovery -----------------------------------------------------------------------------


def test_installed_plugins_are_found_through_the_entry_point_group() -> None:
    engine = Engine()
    for name in INSTALLED:
        assert engine.plugins.has(name)
        assert engine.plugins.ref(name).version == "0.1.0"
    assert {"one-group-one-council", "six-things", "four-deliberations"} <= set(engine.workflows)


def test_builtins_are_plugins_too() -> None:
    engine = Engine(autoload=False)
    assert engine.plugins.names() == BUILTINS
    assert engine.workflows["closed-loop"].name == "closed-loop"
    assert engine.plugins.ref("govflow.closed_loop").version == __version__


def test_plugins_passed_explicitly_without_autoload() -> None:
    engine = Engine(autoload=False, plugins=[govflow_six_things])
    assert engine.plugins.names() == [*BUILTINS, "six-things"]
    assert "four-deliberations" not in engine.workflows


def test_installed_and_passed_explicitly_is_one_plugin() -> None:
    engine = Engine(plugins=[govflow_six_things, govflow_four_deliberations])
    assert engine.plugins.names().count("six-things") == 1
    assert engine.workflows["six-things"] is govflow_six_things.WORKFLOW


def test_a_local_plugin_alongside_the_installed_ones() -> None:
    local = Contributes("local-method", _tiny("local"))
    engine = Engine(plugins=[local])
    assert engine.plugins.names()[-1] == "local-method"
    assert engine.plugins.ref("local-method").version == "1.2.3"
    assert set(INSTALLED) <= set(engine.plugins.names())


def test_autoload_can_be_switched_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTOLOAD_ENV, "1")
    assert Engine().plugins.names() == BUILTINS
    # an explicit argument wins over the environment
    assert Engine(autoload=True).plugins.has("six-things")


def test_plugins_can_be_disabled_by_name_builtins_included(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DISABLED_ENV, "six-things, govflow.routing")
    engine = Engine()
    assert not engine.plugins.has("six-things")
    assert not engine.plugins.has("govflow.routing")
    assert engine.plugins.has("four-deliberations")
    assert "six-things" not in engine.workflows
    # a disabled plugin stays off even when passed explicitly
    assert not Engine(plugins=[govflow_six_things]).plugins.has("six-things")


class _FakeDist:
    """A distribution installed in this environment's site-packages."""

    def __init__(self, name: str, value: str) -> None:
        self.version = "9.9"
        self.metadata = {"Name": name}
        self.entry_points = [importlib.metadata.EntryPoint(name, value, "govflow")]

    def locate_file(self, path: str) -> str:
        return sysconfig.get_paths()["purelib"]


def test_an_entry_point_that_fails_to_load_names_the_plugin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.metadata.distributions

    def distributions() -> Iterator[Any]:
        yield from real()
        yield _FakeDist("broken-method", "govflow_no_such_module")

    monkeypatch.setattr(importlib.metadata, "distributions", distributions)
    with pytest.raises(PluginError, match="'broken-method': failed to load"):
        Engine()


def test_an_entry_point_found_in_a_distribution_records_its_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def distributions() -> Iterator[Any]:
        yield _FakeDist("tiny", "tests_tiny_plugin_module")

    module = SimpleNamespace(
        govflow_workflows=hookimpl(lambda: [_tiny("tiny-flow")]),
    )
    monkeypatch.setitem(__import__("sys").modules, "tests_tiny_plugin_module", module)
    monkeypatch.setattr(importlib.metadata, "distributions", distributions)
    engine = Engine()
    assert engine.plugins.ref("tiny").version == "9.9"
    issue = engine.open("tiny-flow", reporter="r")
    assert engine.history(issue.id)[0].plugin == engine.plugins.ref("tiny")


# --- loud failures at construction ---------------------------------------------------------


def test_a_misspelt_hook_fails_loudly_naming_the_plugin() -> None:
    class Misspelt:
        govflow_name = "typo-method"

        @hookimpl
        def govflow_workflow(self) -> list[Workflow]:  # missing "s"
            return []

    with pytest.raises(PluginError, match=r"'typo-method'.*govflow_workflow"):
        Engine(autoload=False, plugins=[Misspelt()])


def test_an_unknown_hook_without_the_prefix_fails_in_check_pending() -> None:
    class Unknown:
        govflow_name = "unknown-hook"

        @hookimpl
        def workflows(self) -> list[Workflow]:
            return []

    with pytest.raises(PluginError, match=r"plugin 'unknown-hook': unknown hook 'workflows'"):
        Engine(autoload=False, plugins=[Unknown()])


def test_a_hook_with_a_wrong_parameter_fails_naming_the_plugin() -> None:
    class WrongArgs:
        govflow_name = "wrong-args"

        @hookimpl
        def govflow_classify(self, description: str) -> str | None:
            return None

    with pytest.raises(PluginError, match=r"(?s)'wrong-args'.*description"):
        Engine(autoload=False, plugins=[WrongArgs()])


def test_two_plugins_registering_the_same_workflow_name_both_named() -> None:
    first = Contributes("first-method", _tiny("shared"))
    second = Contributes("second-method", _tiny("shared"))
    with pytest.raises(PluginError) as caught:
        Engine(autoload=False, plugins=[first, second])
    message = str(caught.value)
    assert "first-method" in message
    assert "second-method" in message
    assert "'shared'" in message


def test_a_plugin_clashing_with_an_installed_workflow_is_named() -> None:
    clash = Contributes("my-six-things", _tiny("six-things"))
    with pytest.raises(PluginError, match="registered already") as caught:
        Engine(plugins=[clash])
    assert "my-six-things" in str(caught.value)
    assert "'six-things'" in str(caught.value)


def test_two_plugins_registering_the_same_guard_both_named() -> None:
    class Guards:
        def __init__(self, name: str) -> None:
            self.govflow_name = name

        @hookimpl
        def govflow_guards(self) -> Mapping[str, Any]:
            return {"same": lambda context: True}

    with pytest.raises(PluginError, match="guard 'same' is registered already") as caught:
        Engine(autoload=False, plugins=[Guards("g1"), Guards("g2")])
    assert "g1" in str(caught.value)
    assert "g2" in str(caught.value)


def test_a_workflow_that_fails_validation_names_the_plugin() -> None:
    broken = Contributes("broken-method", _tiny("needs-guard", guard="nobody_registered_this"))
    with pytest.raises(PluginError, match=r"'broken-method'.*nobody_registered_this"):
        Engine(autoload=False, plugins=[broken])


def test_a_workflow_built_badly_inside_the_hook_names_the_plugin() -> None:
    class BuildsBadly:
        govflow_name = "builds-badly"

        @hookimpl
        def govflow_workflows(self) -> list[Workflow]:
            return [Workflow("w", states=[State("a")], transitions=[], initial="a")]

    with pytest.raises(PluginError, match=r"'builds-badly'.*no state is terminal") as caught:
        Engine(autoload=False, plugins=[BuildsBadly()])
    assert isinstance(caught.value.__cause__, InvalidWorkflowError)


def test_a_contribution_that_is_not_a_workflow_names_the_plugin() -> None:
    class NotAWorkflow:
        govflow_name = "not-a-workflow"

        @hookimpl
        def govflow_workflows(self) -> list[object]:
            return [{"name": "x"}]

    with pytest.raises(PluginError, match="'not-a-workflow'"):
        Engine(autoload=False, plugins=[NotAWorkflow()])


# --- pluggy's own calling: wrappers and monitoring --------------------------------------------


class Deadlines:
    """Answers every deadline with a fixed time: a plugin for wrappers to wrap."""

    govflow_name = "fixed-deadlines"

    @hookimpl
    def govflow_deadline(self, entered_at: datetime) -> datetime:
        return entered_at + timedelta(hours=1)


def _moved(*plugins: object) -> tuple[Engine, Event]:
    engine = Engine(autoload=False, plugins=plugins, clock=ManualClock(START))
    issue = engine.open("closed-loop", reporter="resident")
    return engine, engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}))


def test_a_hook_wrapper_sees_and_may_change_an_answer_and_is_credited_with_it() -> None:
    seen: list[datetime] = []

    class Weekends:
        """A wrapper as a calendar plugin might write one: it postpones whatever was decided."""

        govflow_name = "weekends"

        @hookimpl(wrapper=True)
        def govflow_deadline(self) -> Iterator[None]:
            due = yield
            seen.append(due)
            return due + timedelta(days=2)  # type: ignore[no-any-return]

    _, event = _moved(Deadlines(), Weekends())
    # The plugin's answer went through the wrapper, at the open and at the move.
    assert seen == [START + timedelta(hours=1)] * 2
    assert event.due_at == START + timedelta(days=2, hours=1)
    assert event.decisions["due_at"] == "weekends"  # the wrapper decided the due time


def test_a_wrapper_that_passes_the_answer_on_leaves_the_credit_where_it_was() -> None:
    class Watching:
        govflow_name = "watching"

        @hookimpl(hookwrapper=True)  # pluggy's old-style wrapper, which sees an outcome
        def govflow_deadline(self) -> Iterator[None]:
            outcome = yield
            assert outcome.get_result() is not None

    _, event = _moved(Deadlines(), Watching())
    assert event.due_at == START + timedelta(hours=1)
    assert event.decisions["due_at"] == "fixed-deadlines"


def test_pluggy_call_monitoring_sees_every_hook_call_of_a_move() -> None:
    engine = Engine(autoload=False, plugins=[Deadlines()], clock=ManualClock(START))
    issue = engine.open("closed-loop", reporter="resident")
    calls: list[tuple[str, list[str]]] = []
    results: list[object] = []

    def before(hook_name: str, hook_impls: list[Any], kwargs: Mapping[str, Any]) -> None:
        calls.append((hook_name, sorted(kwargs)))

    def after(outcome: Any, hook_name: str, hook_impls: list[Any], kwargs: Any) -> None:
        results.append(outcome.get_result())

    undo = engine.plugins.manager.add_hookcall_monitoring(before, after)
    engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}))
    undo()
    engine.fire(
        issue.id, "dispatch", actor=Actor("d", roles={"dispatcher"}), payload={"assignees": ["w"]}
    )
    assert calls == [("govflow_deadline", ["due_time", "entered_at", "issue", "limit", "state"])]
    assert results == [START + timedelta(hours=1)]


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[str] = []

    class Broken:
        govflow_name = "broken"

        @hookimpl
        def govflow_after_transition(self, event: Event) -> None:
            raise RuntimeError("listener down")

    class Listening:
        govflow_name = "listening"

        @hookimpl(trylast=True)  # called after the broken one
        def govflow_after_transition(self, event: Event) -> None:
            heard.append(event.trigger)

    _moved(Listening(), Broken())
    assert heard == ["open", "file"]
    assert "plugin broken failed in govflow_after_transition" in caplog.text


# --- attribution ---------------------------------------------------------------------------


class Policy:
    """A local policy plugin: classifies, vetoes, listens."""

    govflow_name = "policy"
    __version__ = "2.0"

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def govflow_classify(self, data: Mapping[str, Any]) -> str | None:
        return "noise" if "噪音" in str(data.get("description", "")) else None

    @hookimpl
    def govflow_before_transition(self, transition: Transition, actor: Actor) -> str | None:
        if transition.trigger == "dispatch" and actor.id == "intern":
            return "interns may not dispatch"
        return None

    @hookimpl
    def govflow_after_transition(self, event: Any) -> None:
        self.seen.append(event.trigger)
        if event.trigger == "file":
            raise RuntimeError("a listener failing must not undo the move")


def test_every_event_and_decision_names_its_plugin_and_version(
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = Policy()
    clock = ManualClock(START)
    engine = Engine(plugins=[policy], clock=clock)
    operator = Actor("op", roles={"operator", "dispatcher"})
    issue = engine.open("closed-loop", reporter="resident", data={"description": "夜间施工噪音"})
    assert issue.category == "noise"
    with caplog.at_level(logging.ERROR):
        engine.fire(issue.id, "file", actor=operator)
    assert "a listener failing" in caplog.text
    engine.fire(issue.id, "dispatch", actor=operator, payload={"assignees": ["worker"]})
    history = engine.history(issue.id)
    builtin = f"govflow.closed_loop {__version__}"
    assert all(str(e.plugin) == builtin for e in history)
    assert history[0].decisions == {
        "category": "policy 2.0",
        "due_at": f"govflow.deadlines {__version__}",
    }
    assert history[2].decisions["assignees"] == f"govflow.routing {__version__}"
    assert policy.seen == ["open", "file", "dispatch"]
    # workflows from installed plugins are attributed to them, with their distribution version
    six = engine.open("six-things", reporter="resident")
    assert str(engine.history(six.id)[0].plugin) == "six-things 0.1.0"


def test_a_veto_names_the_plugin_and_changes_nothing() -> None:
    engine = Engine(autoload=False, plugins=[Policy()], clock=ManualClock(START))
    issue = engine.open("closed-loop", reporter="resident")
    engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}))
    before = engine.history(issue.id)
    with pytest.raises(GuardFailedError, match=r"plugin policy.*interns may not dispatch"):
        engine.fire(
            issue.id,
            "dispatch",
            actor=Actor("intern", roles={"dispatcher"}),
            payload={"assignees": ["w"]},
        )
    assert engine.history(issue.id) == before


def test_a_later_plugin_answers_a_firstresult_hook_first() -> None:
    class Router:
        def __init__(self, name: str, who: str) -> None:
            self.govflow_name = name
            self.who = who

        @hookimpl
        def govflow_resolve_assignees(self, issue: Issue) -> list[str]:
            return [self.who]

    engine = Engine(
        autoload=False,
        plugins=[Router("router-a", "a"), Router("router-b", "b")],
        clock=ManualClock(START),
    )
    issue = engine.open("closed-loop", reporter="resident")
    engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}))
    event = engine.fire(issue.id, "dispatch", actor=Actor("d", roles={"dispatcher"}))
    assert engine.get(issue.id).assignees == ("b",)
    assert event.decisions["assignees"] == "router-b"


def test_an_implementation_gets_its_arguments_by_name_in_any_order() -> None:
    """Implementations take any subset of a hook's arguments, declared in any order."""
    seen: list[tuple[str, str, str]] = []

    class Calendar:
        govflow_name = "calendar"

        @hookimpl
        def govflow_deadline(
            self, entered_at: datetime, state: State, issue: Issue
        ) -> datetime | None:  # the spec's order is issue, state, entered_at
            seen.append((type(entered_at).__name__, type(state).__name__, type(issue).__name__))
            return None  # the built-in deadline answers instead

    class Router:
        govflow_name = "router"

        @hookimpl
        def govflow_resolve_assignees(self, org: object, payload: Mapping[str, Any]) -> list[str]:
            return [f"{payload['team']}-{org is None}"]

    engine = Engine(autoload=False, plugins=[Calendar(), Router()], clock=ManualClock(START))
    issue = engine.open("closed-loop", reporter="resident")
    engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}))
    engine.fire(issue.id, "dispatch", actor=Actor("d", roles={"dispatcher"}), payload={"team": "t"})
    assert engine.get(issue.id).assignees == ("t-True",)
    assert set(seen) == {("datetime", "State", "Issue")}
    assert engine.history(issue.id)[-1].decisions["due_at"].startswith("govflow.deadlines")


def test_guards_contributed_by_a_plugin_are_used_by_its_workflow() -> None:
    class Guarded:
        govflow_name = "guarded"

        @hookimpl
        def govflow_workflows(self) -> list[Workflow]:
            return [_tiny("guarded-flow", guard="has_photo")]

        @hookimpl
        def govflow_guards(self) -> Mapping[str, Any]:
            def has_photo(context: MoveContext) -> bool:
                return bool(context.payload.get("photo"))

            return {"has_photo": has_photo}

    engine = Engine(autoload=False, plugins=[Guarded()])
    issue = engine.open("guarded-flow", reporter="r")
    with pytest.raises(GuardFailedError, match="has_photo"):
        engine.fire(issue.id, "finish", actor=Actor("x"))
    assert engine.fire(issue.id, "finish", actor=Actor("x"), payload={"photo": "p.jpg"})


def test_metrics_and_checks_hooks_are_collected_with_attribution() -> None:
    class Reports:
        govflow_name = "reports"

        @hookimpl
        def govflow_metrics(self) -> Mapping[str, Any]:
            return {"opened": lambda issues, events: len(list(issues))}

        @hookimpl
        def govflow_checks(self) -> list[Any]:
            return [lambda workflow: []]

    host = PluginHost([Reports()], autoload=False)
    [(ref, metrics)] = host.collect("govflow_metrics")
    assert ref.name == "reports"
    assert metrics["opened"]([1, 2], []) == 2
    [(ref, checks)] = host.collect("govflow_checks")
    assert ref.name == "reports"
    assert checks[0](None) == []


def test_a_hook_called_without_one_of_its_arguments_says_which() -> None:
    host = PluginHost(autoload=False)
    with pytest.raises(
        TypeError, match=r"govflow_deadline was called without \['entered_at', 'due_time'\]"
    ):
        host.first("govflow_deadline", issue=None, state=None, limit=None)


def test_a_dist_info_planted_in_the_working_directory_is_not_autoloaded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    info = tmp_path / "planted-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: planted\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[govflow]\nplanted = planted_plugin\n")
    (tmp_path / "planted_plugin.py").write_text("raise SystemExit('planted code ran')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # what python -m / -c put first: the cwd
    assert "planted" in {d.metadata["Name"] for d in importlib.metadata.distributions()}
    with caplog.at_level(logging.WARNING, logger="govflow.plugins"):
        engine = Engine(autoload=True)
    assert not engine.plugins.has("planted")
    assert "not loading plugins of 'planted'" in caplog.text


def test_switching_a_built_in_off_through_the_environment_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("GOVFLOW_DISABLED_PLUGINS", "govflow.routing")
    with caplog.at_level(logging.WARNING, logger="govflow.plugins"):
        engine = Engine(autoload=False)
    assert not engine.plugins.has("govflow.routing")
    assert "built-in plugins switched off by GOVFLOW_DISABLED_PLUGINS: govflow.routing" in (
        caplog.text
    )
