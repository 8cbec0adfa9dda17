"""Workflow coverage: which transitions and refusal paths a test suite exercised.

For every workflow version on which a test opened an issue, coverage counts two kinds of item:

* a *transition*: a ``(source, trigger)`` move, covered when an accepted move took it;
* a *refusal path*: a way that move can be refused, covered when a refused attempt took it --
  ``roles`` (the move names roles), ``relation:<name>`` for each relation it requires
  (reporter, assignee, not_handler), ``guard:<name>`` for each guard it names.

Accepted moves are seen through a ``govflow_after_transition`` listener (so deadline moves
fired by ``tick`` count); refused ones through :class:`RecordingEngine`, which is what the
``govflow_engine`` fixture builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from govflow.clock import Clock
from govflow.engine import Engine
from govflow.errors import (
    GuardFailedError,
    PermissionDeniedError,
    RefusalError,
    UnknownIssueError,
)
from govflow.hookspecs import hookimpl
from govflow.records import Actor, Event, Issue
from govflow.store import Store
from govflow.workflow.machine import Guard
from govflow.workflow.spec import Workflow

#: ``(workflow name, version)``.
Key = tuple[str, int]
#: ``(source, trigger)`` of a move.
Move = tuple[str, str]
#: ``(source, trigger, kind)`` of a way a move can be refused.
Refusal = tuple[str, str, str]


def transitions_of(workflow: Workflow) -> set[Move]:
    """Every ``(source, trigger)`` move of the workflow."""
    return {(source, t.trigger) for t in workflow.transitions for source in t.sources}


def refusals_of(workflow: Workflow) -> set[Refusal]:
    """Every way a move of the workflow can be refused (see the module docstring)."""
    out: set[Refusal] = set()
    for move in workflow.transitions:
        kinds = [f"relation:{r}" for r in move.relations] + [f"guard:{g}" for g in move.guards]
        if move.roles:
            kinds.append("roles")
        out.update((source, move.trigger, kind) for source in move.sources for kind in kinds)
    return out


def refusal_kind(error: RefusalError) -> str | None:
    """The refusal-path kind an error stands for, or None (wrong state, stale version...)."""
    if isinstance(error, PermissionDeniedError):
        if error.missing_relation is not None:
            return f"relation:{error.missing_relation}"
        return "roles"
    if isinstance(error, GuardFailedError):
        return f"guard:{error.guard}"
    return None


@attrs.define
class WorkflowCoverage:
    """What was covered of one workflow version."""

    workflow: Workflow
    fired: set[Move] = attrs.field(factory=set)
    refused: set[Refusal] = attrs.field(factory=set)

    @property
    def transitions(self) -> set[Move]:
        return transitions_of(self.workflow)

    @property
    def refusals(self) -> set[Refusal]:
        return refusals_of(self.workflow)

    @property
    def covered(self) -> int:
        return len(self.fired & self.transitions) + len(self.refused & self.refusals)

    @property
    def total(self) -> int:
        return len(self.transitions) + len(self.refusals)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0

    def format(self) -> list[str]:
        """Report lines: a headline, then what was never exercised."""
        wf = self.workflow
        moves, refusals = self.transitions, self.refusals
        headline = (
            f"{wf.name} v{wf.version}: {self.percent:.0f}% "
            f"(transitions {len(self.fired & moves)}/{len(moves)}, "
            f"refusals {len(self.refused & refusals)}/{len(refusals)})"
        )
        lines = [headline]
        for source, trigger in sorted(moves - self.fired):
            lines.append(f"  never fired:   {source} --{trigger}-->")
        for source, trigger, kind in sorted(refusals - self.refused):
            lines.append(f"  never refused: {source} --{trigger}--> by {kind}")
        return lines


class CoverageCollector:
    """Collects coverage from every engine attached to it, over a whole test session."""

    def __init__(self) -> None:
        self.workflows: dict[Key, WorkflowCoverage] = {}

    def _entry(self, workflow: Workflow) -> WorkflowCoverage:
        entry = self.workflows.get(workflow.key)
        if entry is None:
            entry = self.workflows[workflow.key] = WorkflowCoverage(workflow)
        return entry

    def fired(self, workflow: Workflow, source: str | None, trigger: str) -> None:
        """Count an accepted move (the ``open`` event only registers the workflow)."""
        entry = self._entry(workflow)
        if source is not None:
            entry.fired.add((source, trigger))

    def refused(self, workflow: Workflow, state: str, trigger: str, error: RefusalError) -> None:
        """Count a refused attempt, if it stands for one of the workflow's refusal paths."""
        kind = refusal_kind(error)
        if kind is not None:
            self._entry(workflow).refused.add((state, trigger, kind))

    def totals(self) -> tuple[int, int]:
        """Covered and total items over every workflow seen."""
        return (
            sum(e.covered for e in self.workflows.values()),
            sum(e.total for e in self.workflows.values()),
        )

    @property
    def percent(self) -> float:
        """Covered items as a percentage; 0 when nothing was measured, so that a suite whose
        workflows never ran under the kit cannot pass a coverage threshold."""
        covered, total = self.totals()
        return 100.0 * covered / total if total else 0.0

    def format(self) -> list[str]:
        """The whole report, workflow by workflow, then the total."""
        lines: list[str] = []
        for key in sorted(self.workflows):
            lines.extend(self.workflows[key].format())
        covered, total = self.totals()
        if total == 0:
            lines.append("TOTAL: nothing measured")
        else:
            lines.append(f"TOTAL: {self.percent:.0f}% ({covered}/{total} transitions and refusals)")
        return lines


class _Listener:
    """Feeds a collector with the accepted moves of the engine it is bound to."""

    govflow_name = "govflow.testing.coverage"

    def __init__(self, collector: CoverageCollector) -> None:
        self.collector = collector
        self.engine: Engine | None = None

    @hookimpl
    def govflow_after_transition(self, issue: Issue, event: Event) -> None:
        if self.engine is not None:
            workflow = self.engine.workflow(issue.workflow, issue.workflow_version)
            self.collector.fired(workflow, event.source, event.trigger)


class RecordingEngine(Engine):
    """An :class:`~govflow.Engine` that also tells a coverage collector what moved.

    Takes the engine's arguments plus ``coverage``; with ``coverage`` None it records nothing
    and behaves exactly like the engine it extends. Accepted moves (deadline moves included)
    reach the collector through a listener plugin registered after the others; refusals
    through :meth:`fire`.
    """

    def __init__(
        self,
        org: Any = None,
        plugins: Iterable[object] = (),
        store: Store | None = None,
        clock: Clock | None = None,
        *,
        autoload: bool | None = None,
        workflows: Iterable[Workflow] = (),
        guards: Mapping[str, Guard] | None = None,
        coverage: CoverageCollector | None = None,
    ) -> None:
        self.coverage = coverage
        listener = _Listener(coverage) if coverage is not None else None
        super().__init__(
            org,
            [*plugins, *([listener] if listener is not None else [])],
            store,
            clock,
            autoload=autoload,
            workflows=workflows,
            guards=guards,
        )
        if listener is not None:
            listener.engine = self

    def fire(
        self,
        issue_id: str,
        trigger: str,
        *,
        actor: Actor | str,
        payload: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Event:
        """:meth:`govflow.Engine.fire`, recording a refusal before re-raising it."""
        try:
            return super().fire(
                issue_id,
                trigger,
                actor=actor,
                payload=payload,
                expected_version=expected_version,
                idempotency_key=idempotency_key,
            )
        except RefusalError as error:
            if self.coverage is not None and not isinstance(error, UnknownIssueError):
                # A refusal changes nothing, so the issue's state is the one refused from.
                issue = self.store.get(issue_id)
                workflow = self.workflow(issue.workflow, issue.workflow_version)
                self.coverage.refused(workflow, issue.state, trigger, error)
            raise


__all__ = [
    "CoverageCollector",
    "RecordingEngine",
    "WorkflowCoverage",
    "refusal_kind",
    "refusals_of",
    "transitions_of",
]
