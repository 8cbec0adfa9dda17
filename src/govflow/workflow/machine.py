"""Compile a :class:`~govflow.workflow.spec.Workflow` onto one shared ``transitions.Machine``.

One machine per workflow version drives every issue of that version: the machine is built with
``model=None`` and each move runs ``machine.events[trigger].trigger(cursor)`` on a throw-away
cursor that carries only the state. Never a machine per issue (40 KB and a millisecond each),
never ``add_model`` (it slows down as models pile up). Working on a cursor, not on the stored
issue, is also what makes a refused move change nothing.

``transitions`` stays behind this module: nothing else in govflow imports it, and its
``MachineError`` never reaches a caller.

Guarded destinations (:class:`~govflow.workflow.joins.Branch`) are the machine's own idiom:
several transitions share a trigger and a source, and the machine takes the first whose
conditions hold. A party's report in a join state compiles the same way: to the report's
destination when the join rule holds after this report, else back into the join state.

Why the parties of a join are not ``transitions``' parallel states: ``HierarchicalMachine``
declares its parallel regions when the machine is built, one region per party, while the
parties of a whistle round are chosen per issue, when the street blows the whistle (and differ
from round to round). Declaring them would need a machine per issue (or per set of parties),
which is exactly what one shared machine per workflow version rules out. So the machine holds
the join state as one state, and the parties' tasks live in the issue's ``joint`` record, set by
events' changes and rebuilt by replay (see :mod:`govflow.joint`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs
from transitions import Machine, MachineError

from govflow.errors import GuardFailedError, InvalidWorkflowError, TransitionNotAllowedError
from govflow.joint.record import completes_join, loop_key, loops_used
from govflow.org.graph import OrgGraph
from govflow.records import Actor, Issue, PluginRef
from govflow.workflow.joins import Branch, Join, condition_holds
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

    __slots__ = ("branch", "context", "failed_guard", "state")

    def __init__(self, state: str, context: MoveContext | None) -> None:
        self.state = state
        self.context = context
        self.failed_guard: str | None = None
        self.branch: Branch | None = None


def _context(event_data: Any) -> tuple[_Cursor, MoveContext]:
    cursor: _Cursor = event_data.model
    assert cursor.context is not None  # built for every guarded or coordinated move
    return cursor, cursor.context


def _branch_condition(move: Transition, branch: Branch) -> Callable[[Any], bool]:
    key = loop_key(move, branch)

    def check(event_data: Any) -> bool:
        _, context = _context(event_data)
        if not condition_holds(branch.when, context.payload):
            return False
        return branch.max_times is None or loops_used(context.issue, key) < branch.max_times

    return check


def _take(branch: Branch | None) -> Callable[[Any], None]:
    def before(event_data: Any) -> None:
        event_data.model.branch = branch

    return before


def _bound(move: Transition) -> Callable[[Any], bool]:
    key = loop_key(move, None)
    limit = move.max_times

    def check(event_data: Any) -> bool:
        cursor, context = _context(event_data)
        if limit is None or loops_used(context.issue, key) < limit:
            return True
        cursor.failed_guard = f"max_times={limit}"
        return False

    return check


def _joined(event_data: Any) -> bool:
    _, context = _context(event_data)
    return completes_join(context.issue, context.actor, context.payload, context.org)


def _machine_transitions(workflow: Workflow, guards: Mapping[str, Guard]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for move in workflow.transitions:
        conditions: list[Callable[[Any], bool]] = [_condition(g, guards[g]) for g in move.guards]
        if move.max_times is not None:
            conditions.append(_bound(move))
        if move.reports:
            for source in move.sources:
                common: dict[str, Any] = {"trigger": move.trigger, "source": source}
                out.extend(
                    (
                        {**common, "dest": move.destination, "conditions": [*conditions, _joined]},
                        {**common, "dest": source, "conditions": conditions},
                    )
                )
            continue
        common = {"trigger": move.trigger, "source": list(move.sources)}
        out.extend(
            {
                **common,
                "dest": branch.destination,
                "conditions": [*conditions, _branch_condition(move, branch)],
                "before": [_take(branch)],
            }
            for branch in move.branches
        )
        out.append({**common, "dest": move.destination, "conditions": conditions})
    # The clock's event for an overdue party: a self-loop of the join state, not declared
    # in the spec, so no caller can fire it (Engine.fire finds no such transition).
    joins = [(s.name, s.join) for s in workflow.states if s.join is not None]
    out.extend({"trigger": j.overdue_trigger, "source": name, "dest": name} for name, j in joins)
    return out


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

    __slots__ = ("_events", "_machine", "joins", "overdue", "plugin", "processing", "workflow")

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
        #: Join states, by name: moves into them start a round of parties.
        self.joins: Mapping[str, Join] = {
            s.name: s.join for s in workflow.states if s.join is not None
        }
        #: The clock's overdue-party move of each join state (not part of the spec).
        self.overdue: Mapping[str, Transition] = {
            name: Transition(join.overdue_trigger, name, name, label="超期督办")
            for name, join in self.joins.items()
        }
        self._machine = Machine(
            model=None,
            states=[state.name for state in workflow.states],
            initial=workflow.initial,
            transitions=_machine_transitions(workflow, guards),
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
        return self.route(issue, trigger, context)[0]

    def route(
        self, issue: Issue, trigger: str, context: MoveContext | None
    ) -> tuple[str, Branch | None]:
        """Like :meth:`move`, and also the :class:`Branch` taken (None: the default
        destination, or a transition without branches)."""
        cursor = _Cursor(issue.state, context)
        try:
            moved = self._events[trigger].trigger(cursor)
        except (MachineError, KeyError):
            raise TransitionNotAllowedError(issue.id, issue.state, trigger) from None
        if not moved:
            raise GuardFailedError(issue.id, trigger, cursor.failed_guard or "?")
        return cursor.state, cursor.branch
