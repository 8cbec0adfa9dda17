"""A plugin that records every hook call an engine makes, for assertions in tests.

The engine calls hooks through pluggy, so ``engine.plugins.manager.add_hookcall_monitoring``
sees every call it makes; but it skips the per-move hooks no plugin implements, and a monitor
attached after the engine is built misses the declaration hooks. The recorder is therefore
itself a plugin implementing every hook, marked ``tryfirst`` so it is asked before any
firstresult answer stops the call; it answers nothing (None never vetoes or decides). Pass it to
the engine when building it: ``govflow_engine(recorder)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from govflow.hookspecs import hookimpl
from govflow.org.graph import OrgGraph
from govflow.records import Actor, Event, Issue
from govflow.workflow.durations import Duration
from govflow.workflow.spec import State, Transition, Workflow

_first = hookimpl(tryfirst=True)


@attrs.frozen(slots=True)
class HookCall:
    """One call of ``hook`` with the keyword arguments the engine passed."""

    hook: str
    kwargs: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.kwargs[name]


class HookRecorder:
    """Records hook calls in order. ``calls(hook)`` filters, ``hooks()`` lists names."""

    govflow_name = "govflow.testing.recorder"

    def __init__(self) -> None:
        self._calls: list[HookCall] = []

    def _record(self, hook: str, **kwargs: Any) -> None:
        self._calls.append(HookCall(hook, MappingProxyType(kwargs)))

    def calls(self, hook: str | None = None) -> list[HookCall]:
        """Every recorded call, or those of ``hook``, oldest first."""
        return [c for c in self._calls if hook is None or c.hook == hook]

    def hooks(self) -> list[str]:
        """The names of the hooks called, in order (repeats included)."""
        return [c.hook for c in self._calls]

    def clear(self) -> None:
        """Forget what was recorded (say, the calls made while building the engine)."""
        self._calls.clear()

    def __iter__(self) -> Iterator[HookCall]:
        return iter(list(self._calls))

    def __len__(self) -> int:
        return len(self._calls)

    # One implementation per hook in govflow.hookspecs, with the spec's parameter names.

    @_first
    def govflow_workflows(self) -> None:
        self._record("govflow_workflows")

    @_first
    def govflow_guards(self) -> None:
        self._record("govflow_guards")

    @_first
    def govflow_org_schemas(self) -> None:
        self._record("govflow_org_schemas")

    @_first
    def govflow_ledgers(self) -> None:
        self._record("govflow_ledgers")

    @_first
    def govflow_metrics(self) -> None:
        self._record("govflow_metrics")

    @_first
    def govflow_access_lists(self) -> None:
        self._record("govflow_access_lists")

    @_first
    def govflow_checks(self) -> None:
        self._record("govflow_checks")

    @_first
    def govflow_open311_services(self) -> None:
        self._record("govflow_open311_services")

    @_first
    def govflow_conflict_rules(self) -> None:
        self._record("govflow_conflict_rules")

    @_first
    def govflow_body_resolvers(self) -> None:
        self._record("govflow_body_resolvers")

    @_first
    def govflow_authority_units(
        self, issue: Issue, transition: Transition, org: OrgGraph | None
    ) -> None:
        self._record("govflow_authority_units", issue=issue, transition=transition, org=org)

    @_first
    def govflow_cli_commands(self) -> None:
        self._record("govflow_cli_commands")

    @_first
    def govflow_simulation_methods(self) -> None:
        self._record("govflow_simulation_methods")

    @_first
    def govflow_classify(
        self,
        workflow: Workflow,
        data: Mapping[str, Any],
        location: str | None,
        reporter: Actor,
        org: Any,
    ) -> None:
        self._record(
            "govflow_classify",
            workflow=workflow,
            data=data,
            location=location,
            reporter=reporter,
            org=org,
        )

    @_first
    def govflow_resolve_assignees(
        self,
        issue: Issue,
        transition: Transition,
        actor: Actor,
        payload: Mapping[str, Any],
        org: Any,
    ) -> None:
        self._record(
            "govflow_resolve_assignees",
            issue=issue,
            transition=transition,
            actor=actor,
            payload=payload,
            org=org,
        )

    @_first
    def govflow_deadline(
        self,
        issue: Issue,
        state: State,
        entered_at: datetime,
        limit: Duration | None,
        due_time: Callable[[Duration, datetime], datetime],
    ) -> None:
        self._record(
            "govflow_deadline",
            issue=issue,
            state=state,
            entered_at=entered_at,
            limit=limit,
            due_time=due_time,
        )

    @_first
    def govflow_limit_tables(self, workflow: Workflow) -> None:
        self._record("govflow_limit_tables", workflow=workflow)

    @_first
    def govflow_parties(  # noqa: PLR0917  (every argument of the hookspec)
        self,
        issue: Issue,
        state: State,
        transition: Transition,
        actor: Actor,
        payload: Mapping[str, Any],
        org: Any,
    ) -> None:
        self._record(
            "govflow_parties",
            issue=issue,
            state=state,
            transition=transition,
            actor=actor,
            payload=payload,
            org=org,
        )

    @_first
    def govflow_escalation_targets(self, issue: Issue, actor: Actor, org: Any) -> None:
        self._record("govflow_escalation_targets", issue=issue, actor=actor, org=org)

    @_first
    def govflow_before_transition(
        self,
        issue: Issue,
        transition: Transition,
        actor: Actor,
        payload: Mapping[str, Any],
        org: Any,
    ) -> None:
        self._record(
            "govflow_before_transition",
            issue=issue,
            transition=transition,
            actor=actor,
            payload=payload,
            org=org,
        )

    @_first
    def govflow_after_transition(self, issue: Issue, previous: Issue | None, event: Event) -> None:
        self._record("govflow_after_transition", issue=issue, previous=previous, event=event)


__all__ = ["HookCall", "HookRecorder"]
