"""吹哨报到: the street blows the whistle, departments report (seed 004, beside 一会五步).

Seed 004 names 吹哨报到 as the complement of the councils ("与'吹哨报到'、司法调解互为
补充") and the three-level coordination centers that run the loop ("全覆盖建立区、街道、社区(村)
三级网格协调指挥中心(服务站),明确三级指挥中心(服务站)职能,实行定人、定岗、定责").
The workflow ``whistle-report``, on govflow's joint work (a join of parallel parties):

1. a matter the street cannot settle alone is ``reported`` to it;
2. the street (post ``street_secretary``) whistles: the departments it names are summoned,
   each a party with its own time to report (the join's 2 days, or one the street gives it);
3. each department reports in (报到) with what it did; the last report sends the matter to the
   street, which feeds back to the resident;
4. a department whose own limit runs out is recorded overdue by the clock and escalated to
   the unit above it (the district, where its coordination center sits); if the summons as a
   whole runs out (3 days) with departments still owing their reports, the matter goes to the
   district coordination center (post ``district_center``), which summons exactly those
   departments again -- a new round, in which the reports already made are kept on the record
   of the first;
5. the resident who reported it evaluates.

Post names and time limits are this plugin's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from govflow import (
    Guard,
    Issue,
    Join,
    MoveContext,
    State,
    StateKind,
    Transition,
    Workflow,
)
from govflow.joint import PARTIES_KEY, parties

STREET = "street_secretary"
DISTRICT_CENTER = "district_center"
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")

WHISTLE = Workflow(
    "whistle-report",
    label="吹哨报到 the street whistles, departments report",
    initial="reported",
    states=[
        State("reported", "街道受理 reported to the street", StateKind.OPEN, time_limit="1d"),
        State(
            "summoned",
            "部门报到 departments summoned",
            StateKind.PROCESSING,
            time_limit="3d",
            join=Join("all", party_limit="2d"),  # each department its own limit
        ),
        State(
            "escalated",
            "逾期未报到, 区指挥中心督办 overdue, escalated",
            StateKind.PROCESSING,
            time_limit="1d",
        ),
        State(
            "handled",
            "街道汇总 every department has reported",
            StateKind.PROCESSING,
            time_limit="1d",
        ),
        State("fed_back", "反馈群众 fed back", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
    ],
    transitions=[
        Transition(
            "whistle",
            "reported",
            "summoned",
            roles={STREET},
            guards="whistle-report:departments",
            label="街道吹哨",
        ),
        Transition("remind", "reported", "reported", on_timeout=True, label="逾期未吹哨, 提醒"),
        Transition(
            "report_in",
            "summoned",
            "handled",
            reports=True,  # a department's report; the last one sends the matter on
            guards="whistle-report:outcome",
            label="部门报到处置 (均已报到: 街道汇总)",
        ),
        Transition(
            "overdue",
            "summoned",
            "escalated",
            on_timeout=True,
            label="报到逾期, 交区指挥中心督办",
        ),
        Transition(
            "supervise",
            "escalated",
            "summoned",
            roles={DISTRICT_CENTER},
            guards="whistle-report:overdue-only",
            label="区指挥中心督办, 再次吹哨未报到部门",
        ),
        Transition(
            "still_overdue",
            "escalated",
            "escalated",
            on_timeout=True,
            label="督办逾期, 再次记录",
        ),
        Transition("feed_back", "handled", "fed_back", roles={STREET}, label="街道反馈群众"),
        Transition("urge", "handled", "handled", on_timeout=True, label="逾期未反馈, 提醒"),
        Transition(
            "evaluate",
            "fed_back",
            "closed",
            requires={"reporter", "not_handler"},
            evaluation=True,
            guards="whistle-report:satisfaction",
            label="群众评价",
        ),
        Transition("close_unrated", "fed_back", "closed", on_timeout=True, label="逾期未评"),
    ],
)


def _named(payload: Mapping[str, Any]) -> list[str] | None:
    """The party ids the payload names (ids or ``{"id": ...}`` tables), None if it names none."""
    given = payload.get(PARTIES_KEY)
    if given is None:
        return None
    if isinstance(given, str) or not isinstance(given, Sequence):
        return []
    return [str(p.get("id")) if isinstance(p, Mapping) else str(p) for p in given]


def still_owing(issue: Issue) -> list[str]:
    """The departments of the last summons that have not reported (the overdue ones first
    recorded by the clock), in the order they were summoned."""
    return [party.id for party in parties(issue) if party.pending]


def _departments(context: MoveContext) -> bool:
    """The whistle names departments of the org graph as its parties."""
    named, org = _named(context.payload), context.org
    if not named or org is None:
        return False
    return all(n in org and org.unit(n).kind == "department" for n in named)


def _overdue_only(context: MoveContext) -> bool:
    """The district center summons again exactly the departments that still owe their report
    (named, or left to :func:`parties_again`): none is let off, none that reported is
    summoned twice."""
    named = _named(context.payload)
    owing = still_owing(context.issue)
    return bool(owing) and (named is None or sorted(named) == sorted(owing))


def _outcome(context: MoveContext) -> bool:
    value = context.payload.get("outcome")
    return isinstance(value, str) and bool(value.strip())


GUARDS: Mapping[str, Guard] = {
    "whistle-report:departments": _departments,
    "whistle-report:overdue-only": _overdue_only,
    "whistle-report:outcome": _outcome,
    "whistle-report:satisfaction": lambda context: (
        context.payload.get("satisfaction") in SATISFACTION
    ),
}


def parties_again(issue: Issue, state: State, transition: Transition) -> list[str] | None:
    """The district center's 督办 summons the departments that still owe their report."""
    if issue.workflow != WHISTLE.name or state.name != "summoned":
        return None
    if transition.trigger != "supervise":
        return None
    return still_owing(issue) or None


__all__ = [
    "DISTRICT_CENTER",
    "GUARDS",
    "SATISFACTION",
    "STREET",
    "WHISTLE",
    "parties_again",
    "still_owing",
]
