"""The issue's joint-work record: plain JSON data in :attr:`govflow.Issue.joint`.

Every move that changes it puts the whole new record in its event's ``changes`` under
``joint``, so :func:`govflow.audit.replay` rebuilds it like any other field and the SQL store
keeps it as JSON. Its keys:

``round``
    the current (or last) round of parties of a join state: ``state``, ``number``, ``rule``,
    ``needed``, ``entered_at``, ``state_due`` and ``parties``, a list of tables with ``id``,
    ``due_at``, ``status`` (``pending``, ``overdue``, ``reported``), ``outcome``,
    ``reported_at``, ``report_sequence`` and ``escalated_to``.
``rounds``
    how many rounds the issue has started.
``loops``
    how often each bounded move (``trigger``) or bounded branch (``trigger->destination``)
    has been taken.
``links``
    the child issues it opened: ``name``, ``issue``, ``workflow``, ``location``,
    ``sequence`` (the parent's event that opened it) and, once awaited, ``outcome``.
``parent``
    for a child: ``issue``, ``link`` and ``sequence`` of the parent's opening event.

Only lists, tables, strings, numbers and None go in, so a JSON round trip (the SQL store)
gives back an equal record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from govflow.errors import InvalidRequestError

if TYPE_CHECKING:
    from govflow.org.graph import OrgGraph
    from govflow.records import Actor, Issue
    from govflow.workflow.joins import Branch
    from govflow.workflow.spec import Transition

PENDING = "pending"
OVERDUE = "overdue"
REPORTED = "reported"


def loop_key(move: Transition, branch: Branch | None) -> str:
    """The counter a bounded move or branch is counted under."""
    return move.trigger if branch is None else f"{move.trigger}->{branch.destination}"


def loops_used(issue: Issue, key: str) -> int:
    """How often the bounded move or branch ``key`` has been taken on the issue."""
    loops = issue.joint.get("loops")
    return int(loops.get(key, 0)) if isinstance(loops, Mapping) else 0


def current_round(issue: Issue) -> Mapping[str, Any] | None:
    """The issue's current (or last) round of parties, or None."""
    found = issue.joint.get("round")
    return found if isinstance(found, Mapping) else None


def acts_for(actor: Actor, party: str, org: OrgGraph | None = None) -> bool:
    """True if ``actor`` may report for ``party``: it is the party, a person whose home unit
    it is, or (with an org graph) a person holding a post in it: units act through their
    people."""
    if party in (actor.id, actor.home_unit):
        return True
    if org is None or actor.id not in org.people:
        return False
    return any(post.unit.id == party for post in org.posts_of(actor.id))


def pending_for(issue: Issue, actor: Actor, org: OrgGraph | None = None) -> list[str]:
    """The pending parties of the issue's current round that ``actor`` may report for."""
    found = current_round(issue)
    if found is None or found.get("state") != issue.state:
        return []
    return [
        p["id"]
        for p in found["parties"]
        if p["status"] != REPORTED and acts_for(actor, p["id"], org)
    ]


def reporting_party(
    issue: Issue, actor: Actor, payload: Mapping[str, Any], org: OrgGraph | None = None
) -> str:
    """Which party ``actor`` reports for: the payload's ``party``, else the only one it may.

    :raises InvalidRequestError: the payload names a party the actor may not report for, or
        the actor may report for several and the payload does not say which.
    """
    mine = pending_for(issue, actor, org)
    named = payload.get("party")
    if named is not None:
        if named not in mine:
            raise InvalidRequestError(
                f"issue {issue.id!r}: {actor.id!r} cannot report for party {named!r} "
                f"(pending parties it may report for: {mine})"
            )
        return str(named)
    if len(mine) != 1:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {actor.id!r} may report for {mine}; name one as 'party'"
        )
    return mine[0]


def reported_count(found: Mapping[str, Any]) -> int:
    """How many parties of a round have reported."""
    return sum(1 for p in found["parties"] if p["status"] == REPORTED)


def completes_join(
    issue: Issue, actor: Actor, payload: Mapping[str, Any], org: OrgGraph | None = None
) -> bool:
    """True if the report ``actor`` is making now makes the round meet its join rule (the
    rule the round was started with: its ``needed`` count)."""
    found = current_round(issue)
    if found is None or found.get("state") != issue.state:
        raise InvalidRequestError(f"issue {issue.id!r}: no round of parties is open here")
    reporting_party(issue, actor, payload, org)  # refuses a report for nobody
    return reported_count(found) + 1 >= int(found["needed"])


def iso(value: datetime | None) -> str | None:
    """A time as the record keeps it."""
    return None if value is None else value.isoformat()


def parse_time(value: Any) -> datetime | None:
    """A time the record kept, back as a datetime."""
    return None if value is None else datetime.fromisoformat(str(value))


def thaw(value: Any) -> Any:
    """A deep, mutable, JSON-shaped copy of part of a record (tables as dicts, lists)."""
    if isinstance(value, Mapping):
        return {str(k): thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value


def freeze(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record as an issue holds it (read-only at the top)."""
    return MappingProxyType(thaw(record))


__all__ = [
    "OVERDUE",
    "PENDING",
    "REPORTED",
    "acts_for",
    "completes_join",
    "current_round",
    "freeze",
    "iso",
    "loop_key",
    "loops_used",
    "parse_time",
    "pending_for",
    "reported_count",
    "reporting_party",
    "thaw",
]
