"""What a coordinated move does besides changing state: the one place the engine calls.

:meth:`govflow.Engine.fire` hands a move here when its transition declares joint work (a
report, branches, updates, a loop bound, links, a relocation), when it enters or stays in a
join state, or when it assigns and access lists are declared. :func:`coordinate` checks and
computes everything before anything is written -- so a refusal changes nothing -- and returns
a :class:`Plan`: the issue's new location, category, data and joint record, the changes the
event records, and the child issues to open once the event is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from govflow import links
from govflow.access import check_push
from govflow.errors import InvalidRequestError, RefusalError
from govflow.joint import rounds
from govflow.joint.record import (
    current_round,
    freeze,
    iso,
    loop_key,
    parse_time,
    reporting_party,
    thaw,
)
from govflow.records import SYSTEM_CLOCK
from govflow.workflow.joins import DOWN, UP

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.records import Actor, Event, Issue, PluginRef
    from govflow.workflow.joins import Branch, Update
    from govflow.workflow.machine import CompiledWorkflow
    from govflow.workflow.spec import Transition

log = logging.getLogger(__name__)

#: The payload key a move down names its destination unit with.
LOCATION_KEY = "location"


@attrs.define(slots=True)
class Plan:
    """A coordinated move, computed and checked, not yet committed."""

    issue: Issue  #: the issue with its new location, category, data and joint record
    changes: dict[str, Any]
    destination: str
    stays: bool  #: the move stays in its join state (a report short of the rule, an overdue)
    children: list[links.ChildToOpen] = attrs.Factory(list)

    def finish(
        self,
        engine: Engine,
        move: Transition,
        assignees: tuple[str, ...],
        state_due: datetime | None,
    ) -> tuple[datetime | None, Issue, tuple[str, ...]]:
        """Check the assignees the router picked against access lists and settle the due
        time: the earliest of the state's and the pending parties'. Returns the due time, the
        issue as the plan leaves it, and its assignees."""
        if move.assigns:
            check_push(engine.access_lists, self.issue, move.trigger, assignees, engine.org)
        else:
            assignees = self.issue.assignees  # a move across levels leaves the old ones behind
        found = current_round(self.issue)
        if found is None or found.get("state") != self.destination:
            return state_due, self.issue, assignees
        record = thaw(self.issue.joint)
        if self.stays:
            state_due = parse_time(found.get("state_due"))  # a report restarts nothing
        else:
            record["round"]["state_due"] = iso(state_due)
        self._set_record(record)
        return rounds.next_due(record["round"]), self.issue, assignees

    def merge_changes(self, changes: dict[str, Any], data: Mapping[str, Any]) -> None:
        """Add the plan's changes to the move's. ``data`` is the issue's final data (the plan's
        updates, and any bodies frozen on entering a gate)."""
        changes.update(self.changes)
        if "data" in changes:
            changes["data"] = data

    def _set_record(self, record: Mapping[str, Any]) -> None:
        frozen = freeze(record)
        self.issue = attrs.evolve(self.issue, joint=frozen)
        self.changes["joint"] = frozen

    def after_commit(self, engine: Engine, moved: Issue, actor: Actor) -> None:
        """Open the child issues the move planned (the parent's event names them already)."""
        for child in self.children:
            links.open_child(engine, moved, child, actor)


def _value(update: Update, payload: Mapping[str, Any], issue: Issue, trigger: str) -> Any:
    if update.from_payload is None:
        return update.value
    if update.from_payload not in payload:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {trigger!r} sets {update.describe()}, but the payload has no "
            f"{update.from_payload!r}"
        )
    return payload[update.from_payload]


def _relocate(engine: Engine, issue: Issue, move: Transition, payload: Mapping[str, Any]) -> str:
    org = engine.org
    if org is None or issue.location is None:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {move.trigger!r} moves the issue across levels, which needs "
            "an org graph and a located issue"
        )
    if move.relocate == UP:
        named = payload.get(LOCATION_KEY)
        if named is None:
            up = org.parent(issue.location)
            if up is None:
                raise InvalidRequestError(
                    f"issue {issue.id!r}: {issue.location!r} is at the top; {move.trigger!r} "
                    "cannot move the issue up"
                )
            return up.id
        # A level up need not be the parent: a matter at a residential area whose grid sits
        # between it and the community goes up to the community's council.
        if not isinstance(named, str) or not named:
            raise InvalidRequestError(
                f"issue {issue.id!r}: {move.trigger!r}: the payload's {LOCATION_KEY!r} must "
                f"name a unit, got {named!r}"
            )
        org.unit(named)  # UnknownUnitError
        if named not in {u.id for u in org.chain(issue.location)[1:]}:
            raise InvalidRequestError(
                f"issue {issue.id!r}: {named!r} is not above {issue.location!r}; "
                f"{move.trigger!r} moves an issue up its own chain only"
            )
        return named
    assert move.relocate == DOWN
    target = payload.get(LOCATION_KEY)
    if not isinstance(target, str) or not target:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {move.trigger!r} moves the issue down to the payload's "
            f"{LOCATION_KEY!r}, which is missing"
        )
    org.unit(target)  # UnknownUnitError
    if target == issue.location or issue.location not in {u.id for u in org.chain(target)}:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {target!r} is not below {issue.location!r}; "
            f"{move.trigger!r} moves an issue down its own chain only"
        )
    return target


def _count_loops(record: dict[str, Any], move: Transition, branch: Branch | None) -> None:
    # The machine refused a spent bound already; count this use.
    bounded = [(move.max_times, loop_key(move, None))]
    if branch is not None:
        bounded.append((branch.max_times, loop_key(move, branch)))
    for limit, key in bounded:
        if limit is not None:
            loops = record.setdefault("loops", {})
            loops[key] = int(loops.get(key, 0)) + 1


def _updated(
    issue: Issue, move: Transition, branch: Branch | None, payload: Mapping[str, Any]
) -> tuple[str | None, Mapping[str, Any]]:
    category, data = issue.category, issue.data
    for update in (*move.updates, *(branch.updates if branch is not None else ())):
        value = _value(update, payload, issue, move.trigger)
        if update.field == "category":
            if not isinstance(value, str) or not value:
                raise InvalidRequestError(
                    f"issue {issue.id!r}: {move.trigger!r}: a category must be a name, "
                    f"got {value!r}"
                )
            category = value
        else:
            assert update.key is not None
            data = {**data, update.key: thaw(value)}
    return category, data


def coordinate(  # noqa: PLR0917  (the move's facts, as the engine holds them)
    engine: Engine,
    compiled: CompiledWorkflow,
    issue: Issue,
    move: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    destination: str,
    branch: Branch | None,
    when: datetime,
    decisions: list[tuple[str, PluginRef]],
) -> Plan:
    """Check and compute a coordinated move (see the module docstring)."""
    record = thaw(issue.joint)
    changes: dict[str, Any] = {}
    _count_loops(record, move, branch)
    category, data = _updated(issue, move, branch, payload)
    if category != issue.category:
        changes["category"] = category
    if data is not issue.data:
        changes["data"] = freeze(data)
    location = issue.location
    if move.relocate is not None:
        location = _relocate(engine, issue, move, payload)
        if move.relocate == DOWN:
            check_push(
                engine.access_lists, issue, move.trigger, [location], engine.org, item=category
            )
        changes["location"] = location
        if not move.assigns:
            # The old level's assignees no longer hold the matter; the new level assigns it.
            changes["assignees"] = ()
    moved = attrs.evolve(
        issue,
        location=location,
        category=category,
        data=data,
        assignees=() if "assignees" in changes else issue.assignees,
    )
    if move.awaits is not None:
        links.await_children(engine, issue, move, payload, record)
    children = [
        links.plan_child(
            engine, issue, move=move, link=link, payload=payload, location=location, record=record
        )
        for link in move.opens
    ]
    for child in children:
        if child.location is not None:
            check_push(engine.access_lists, moved, move.trigger, [child.location], engine.org)
    stays = _parties(
        engine, compiled, issue, moved, move, actor, payload, destination, when, decisions, record
    )
    plan = Plan(moved, changes, destination, stays, children)
    if record != thaw(issue.joint):
        plan._set_record(record)
    return plan


def _parties(  # noqa: PLR0917
    engine: Engine,
    compiled: CompiledWorkflow,
    issue: Issue,
    moved: Issue,
    move: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    destination: str,
    when: datetime,
    decisions: list[tuple[str, PluginRef]],
    record: dict[str, Any],
) -> bool:
    """Record a report or an overdue party, or start a new round; True if the move stays in
    its join state."""
    stays = False
    if move is compiled.overdue.get(issue.state):
        rounds.mark_overdue(engine, record, str(payload["party"]))
        stays = True
    elif move.reports:
        party = reporting_party(issue, actor, payload, engine.org)
        rounds.record_report(record, party, payload, when, issue.version + 1)
        stays = destination == issue.state
    if destination in compiled.joins and not stays:
        state = compiled.workflow.state(destination)
        summoned = rounds.start_round(
            engine,
            moved,
            state=state,
            move=move,
            actor=actor,
            payload=payload,
            when=when,
            decisions=decisions,
            record=record,
        )
        check_push(engine.access_lists, moved, move.trigger, summoned, engine.org)
    return stays


def fire_overdue_parties(
    engine: Engine, compiled: CompiledWorkflow, issue: Issue, when: datetime
) -> tuple[list[Event], Issue]:
    """Escalate, one event each, the parties of the issue's round overdue at ``when``; return
    the events and the issue as they leave it. A move a plugin's veto refuses is left for a
    later tick."""
    fired: list[Event] = []
    move = compiled.overdue[issue.state]
    for party, due in rounds.overdue_parties(issue, when):
        payload = {"overdue_since": due.isoformat(), "party": party}
        try:
            event = engine._apply(
                compiled,
                issue,
                move,
                actor=SYSTEM_CLOCK,
                payload=MappingProxyType(payload),
                now=when,
            )
        except RefusalError as refusal:
            log.info("overdue party %s on issue %s not escalated: %s", party, issue.id, refusal)
            break
        fired.append(event)
        issue = engine.store.get(issue.id)  # the stored issue: reads redact personal data
    return fired, issue


__all__ = ["LOCATION_KEY", "Plan", "coordinate", "fire_overdue_parties"]
