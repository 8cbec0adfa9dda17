"""Rounds of parallel parties in a join state: who was summoned, who has reported, who is late.

A round starts on every move *into* a join state other than a party's report, so a second
whistle after 督办 starts clean: the first round's reports do not count for it. Each party
gets its own due time from the engine's deadline machinery (the ``govflow_deadline`` hook,
asked with the state's spec carrying the party's limit), so a working-day calendar applies to
parties as it does to states.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from govflow.errors import InvalidRequestError, PluginError
from govflow.joint.record import (
    OVERDUE,
    PENDING,
    REPORTED,
    current_round,
    iso,
    parse_time,
)
from govflow.workflow.durations import parse_duration

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.records import Actor, Issue, PluginRef
    from govflow.workflow.joins import Join
    from govflow.workflow.spec import State, Transition

#: The payload key naming the parties of a new round.
PARTIES_KEY = "parties"


@attrs.frozen(slots=True)
class Party:
    """One party's task in a round of a join state."""

    id: str
    status: str  #: ``pending``, ``overdue`` (escalated, still owes its report) or ``reported``
    due_at: datetime | None
    outcome: str | None = None
    reported_at: datetime | None = None
    report_sequence: int | None = None  #: the event that carries its report
    escalated_to: tuple[str, ...] = ()
    round: int = 0
    state: str = ""

    @property
    def pending(self) -> bool:
        """True until the party has reported."""
        return self.status != REPORTED


def parties(issue: Issue) -> tuple[Party, ...]:
    """Every party of the issue's current (or last) round, in the order they were summoned."""
    found = current_round(issue)
    if found is None:
        return ()
    return tuple(
        Party(
            id=str(p["id"]),
            status=str(p["status"]),
            due_at=parse_time(p.get("due_at")),
            outcome=p.get("outcome"),
            reported_at=parse_time(p.get("reported_at")),
            report_sequence=p.get("report_sequence"),
            escalated_to=tuple(p.get("escalated_to") or ()),
            round=int(found["number"]),
            state=str(found["state"]),
        )
        for p in found["parties"]
    )


def _requested(value: Any, where: str) -> list[tuple[str, timedelta | None]]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidRequestError(f"{where} must be a list of party ids or tables, got {value!r}")
    out: list[tuple[str, timedelta | None]] = []
    for item in value:
        if isinstance(item, str) and item:
            out.append((item, None))
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"]:
            limit = item.get("limit")
            try:
                out.append((item["id"], None if limit is None else parse_duration(limit)))
            except (ValueError, TypeError, Exception) as err:  # InvalidWorkflowError on bad text
                raise InvalidRequestError(f"{where}: party {item['id']!r} limit: {err}") from None
        else:
            raise InvalidRequestError(f"{where}: {item!r} is not a party id or table with an id")
    ids = [i for i, _ in out]
    if len(set(ids)) != len(ids):
        raise InvalidRequestError(f"{where} names a party twice: {ids}")
    return out


def choose_parties(
    engine: Engine,
    issue: Issue,
    *,
    state: State,
    move: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    decisions: list[tuple[str, PluginRef]],
) -> list[tuple[str, timedelta | None]]:
    """The parties of a new round: the payload's, else the ``govflow_parties`` hook's."""
    if PARTIES_KEY in payload:
        return _requested(payload[PARTIES_KEY], f"payload {PARTIES_KEY!r}")
    answer = engine.plugins.first(
        "govflow_parties",
        issue=issue,
        state=state,
        transition=move,
        actor=actor,
        payload=payload,
        org=engine.org,
    )
    if answer is None:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {move.trigger!r} enters join state {state.name!r}, but no "
            f"parties were given in the payload's {PARTIES_KEY!r} and no plugin chose any"
        )
    try:
        chosen = _requested(answer[1], f"plugin {answer[0].name!r}'s parties")
    except InvalidRequestError as err:
        raise PluginError(answer[0].name, str(err)) from None
    decisions.append(("parties", answer[0]))
    return chosen


def start_round(
    engine: Engine,
    issue: Issue,
    *,
    state: State,
    move: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    when: datetime,
    decisions: list[tuple[str, PluginRef]],
    record: MutableMapping[str, Any],
) -> list[str]:
    """Start a clean round of ``state``'s join in ``record``; return the parties' ids."""
    join = state.join
    assert join is not None
    chosen = choose_parties(
        engine,
        issue,
        state=state,
        move=move,
        actor=actor,
        payload=payload,
        decisions=decisions,
    )
    needed = join.needed(len(chosen))
    if len(chosen) < max(join.min_parties, needed, 1):
        raise InvalidRequestError(
            f"issue {issue.id!r}: join state {state.name!r} ({join.describe()}) needs at least "
            f"{max(join.min_parties, needed, 1)} parties, got {len(chosen)}"
        )
    members: list[dict[str, Any]] = []
    for party, limit in chosen:
        given = limit if limit is not None else join.party_limit
        due = (
            None if given is None else engine._limit_deadline(issue, state, given, when, decisions)
        )
        members.append(
            {
                "id": party,
                "due_at": iso(due),
                "status": PENDING,
                "outcome": None,
                "reported_at": None,
                "report_sequence": None,
                "escalated_to": [],
            }
        )
    number = int(record.get("rounds", 0)) + 1
    record["rounds"] = number
    record["round"] = {
        "state": state.name,
        "number": number,
        "rule": join.rule,
        "needed": needed,
        "entered_at": iso(when),
        "state_due": None,
        "parties": members,
    }
    return [party for party, _ in chosen]


def record_report(
    record: MutableMapping[str, Any],
    party: str,
    payload: Mapping[str, Any],
    when: datetime,
    sequence: int,
) -> None:
    """Mark ``party``'s report (its outcome from the payload) in the current round."""
    for entry in record["round"]["parties"]:
        if entry["id"] == party:
            outcome = payload.get("outcome")
            entry["status"] = REPORTED
            entry["outcome"] = None if outcome is None else str(outcome)
            entry["reported_at"] = iso(when)
            entry["report_sequence"] = sequence
            return
    raise InvalidRequestError(f"{party!r} is not a party of the current round")


def escalation_of(engine: Engine, party: str) -> list[str]:
    """Where an overdue party is escalated: a unit's parent unit; a person's post units."""
    org = engine.org
    if org is None or party not in org:
        return []
    if party in org.people:
        return sorted({post.unit.id for post in org.posts_of(party)})
    up = org.parent(party)
    return [] if up is None else [up.id]


def mark_overdue(engine: Engine, record: MutableMapping[str, Any], party: str) -> list[str]:
    """Mark ``party`` overdue and escalated; return where it was escalated to."""
    for entry in record["round"]["parties"]:
        if entry["id"] == party and entry["status"] == PENDING:
            targets = escalation_of(engine, party)
            entry["status"] = OVERDUE
            entry["due_at"] = None  # escalated once; the state's own limit still runs
            entry["escalated_to"] = targets
            return targets
    raise InvalidRequestError(f"{party!r} is not a pending party of the current round")


def overdue_parties(issue: Issue, when: datetime) -> list[tuple[str, datetime]]:
    """The pending parties of the issue's round whose due time has passed at ``when``."""
    found = current_round(issue)
    if found is None or found.get("state") != issue.state:
        return []
    late = []
    for entry in found["parties"]:
        due = parse_time(entry.get("due_at"))
        if entry["status"] == PENDING and due is not None and due <= when:
            late.append((str(entry["id"]), due))
    return sorted(late, key=lambda item: item[1])  # stable: summoning order among equals


def next_due(found: Mapping[str, Any]) -> datetime | None:
    """When the round next needs the clock: its state's due time or a pending party's."""
    times = [parse_time(found.get("state_due"))]
    times.extend(parse_time(p.get("due_at")) for p in found["parties"] if p["status"] == PENDING)
    known = [t for t in times if t is not None]
    return min(known) if known else None


def join_of(state: State) -> Join:
    """The state's join (the caller knows it has one)."""
    assert state.join is not None
    return state.join


__all__ = [
    "PARTIES_KEY",
    "Party",
    "choose_parties",
    "escalation_of",
    "mark_overdue",
    "next_due",
    "overdue_parties",
    "parties",
    "record_report",
    "start_round",
]
