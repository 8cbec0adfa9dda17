"""Compile a :class:`~govflow.workflow.spec.Workflow` onto one shared ``transitions.Machine``.

One machine per workflow version drives every issue of that version: the machine is built with
``model=None`` and each move runs ``machine.events[trigger].trigger(cursor)`` on a throw-away
cursor that carries only the state. Never a machine per issue (40 KB and a millisecond each),
never ``add_model`` (it slows down as models pile up). Working on a cursor, not on the stored
issue, is also what makes a refused move change nothing.

``transitions`` stays behind this module: nothing else in govflow imports it, and its
``MachineError`` never reaches a caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs
from transitions import Machine, MachineError

from govflow.errors import GuardFailedError, InvalidWorkflowError, TransitionNotAllowedError
from govflow.org.graph import OrgGraph
from govflow.records import Actor, Issue, PluginRef
from govflow.workflow.spec import StateKind, Transition, Workflow


@attrs.frozen(slots=True)
class MoveContext:
    """What a guard sees when it decides whether a move may happen."""

    issue: Issue
    transition: Transition
    actor: Actor
    payload: Mapping[str, Any]
    now: datetime
    org: OrgGraph | None = None


#: A guard answers whether a move may happen; it must not change anything.
Guard = Callable[[MoveContext], bool]


class _Cursor:
    """The object the shared machine moves: a state and the context its guards read."""

    __slots__ = ("context", "failed_guard", "state")

    def __init__(self, state: str, context: MoveContext | None) -> None:
        self.state = state
        self.context = context
        self.failed_guard: str | None = None


def _condition(name: str, guard: Guard) -> Callable[[Any], bool]:
    def check(event_data: Any) -> bool:
        cursor: _Cursor = event_data.model
        assert cursor.context is not None  # built for every move whose transition has guards
        if guard(cursor.context):
            return True
        cursor.failed_guard = name
        return False

    check.__name__ = f"guard_{name}"
    return check


class CompiledWorkflow:
    """A workflow version bound to an engine's guards, with its one shared machine."""

    __slots__ = ("_events", "_machine", "plugin", "processing", "workflow")

    def __init__(
        self, workflow: Workflow, guards: Mapping[str, Guard], plugin: PluginRef | None = None
    ) -> None:
        for name in sorted(workflow.guard_names):
            if name not in guards:
                raise InvalidWorkflowError(
                    workflow.name,
                    f"guard {name!r}",
                    f"is not registered (registered guards: {sorted(guards)})",
                )
        self.workflow = workflow
        self.plugin = plugin
        #: States whose movers count as having handled the issue.
        self.processing = frozenset(
            s.name for s in workflow.states if s.kind is StateKind.PROCESSING
        )
        self._machine = Machine(
            model=None,
            states=[state.name for state in workflow.states],
            initial=workflow.initial,
            transitions=[
                {
                    "trigger": move.trigger,
                    "source": list(move.sources),
                    "dest": move.destination,
                    "conditions": [_condition(g, guards[g]) for g in move.guards],
                }
                for move in workflow.transitions
            ],
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        self._events = self._machine.events

    def move(self, issue: Issue, trigger: str, context: MoveContext | None) -> str:
        """Fire ``trigger`` from the issue's state; return the state it lands in.

        ``context`` is what the transition's guards read; it may be None only for a transition
        without guards (most have none, and building it costs a record per move).

        Raises :class:`GuardFailedError` naming the first guard that said no, and
        :class:`TransitionNotAllowedError` if the machine refuses the trigger.
        """
        cursor = _Cursor(issue.state, context)
        try:
            moved = self._events[trigger].trigger(cursor)
        except (MachineError, KeyError):
            raise TransitionNotAllowedError(issue.id, issue.state, trigger) from None
        if not moved:
            raise GuardFailedError(issue.id, trigger, cursor.failed_guard or "?")
        return cursor.state
