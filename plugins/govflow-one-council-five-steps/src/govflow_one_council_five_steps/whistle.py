"""吹哨报到: the street blows the whistle, departments report (seed 004, beside 一会五步).

Seed 004 names 吹哨报到 as the complement of the councils ("与'吹哨报到'、司法调解互为
补充") and the three-level coordination centers that run the loop ("全覆盖建立区、街道、社区(村)
三级网格协调指挥中心(服务站),明确三级指挥中心(服务站)职能,实行定人、定岗、定责").
The workflow ``whistle-report``:

1. a matter the street cannot settle alone is ``reported`` to it;
2. the street (post ``street_secretary``) whistles: the departments it needs are summoned;
3. each department reports in (报到) with what it did; once all have, the street feeds back;
4. departments that have not reported when the limit runs out are recorded as overdue
   (:func:`overdue_parties`), and the district coordination center (post ``district_center``)
   escalates: it summons them again, naming them;
5. the resident who reported it evaluates.

Post names and time limits are this plugin's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

from govflow import Engine, Guard, MoveContext, State, StateKind, Transition, Workflow

STREET = "street_secretary"
DISTRICT_CENTER = "district_center"

WHISTLE = Workflow(
    "whistle-report",
    label="吹哨报到 the street whistles, departments report",
    initial="reported",
    states=[
        State("reported", "街道受理 reported to the street", StateKind.OPEN, time_limit="1d"),
        State("summoned", "部门报到 departments summoned", StateKind.PROCESSING, time_limit="2d"),
        State(
            "escalated",
            "逾期未报到, 区指挥中心督办 overdue, escalated",
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
            assigns=True,
            guards="whistle-report:departments",
            label="街道吹哨",
        ),
        Transition("remind", "reported", "reported", on_timeout=True, label="逾期未吹哨, 提醒"),
        Transition(
            "report_in",
            ("summoned", "escalated"),
            "summoned",
            requires={"assignee"},
            guards="whistle-report:result",
            label="部门报到处置",
        ),
        Transition(
            "overdue", "summoned", "escalated", on_timeout=True, label="报到逾期, 记录并上报"
        ),
        Transition(
            "escalate",
            "escalated",
            "summoned",
            roles={DISTRICT_CENTER},
            guards="whistle-report:names-overdue",
            label="区指挥中心督办, 再次吹哨",
        ),
        Transition(
            "still_overdue",
            "escalated",
            "escalated",
            on_timeout=True,
            label="督办逾期, 再次记录",
        ),
        Transition(
            "feed_back",
            ("summoned", "escalated"),
            "fed_back",
            roles={STREET},
            guards="whistle-report:all-reported",
            label="各部门均已报到, 反馈群众",
        ),
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


def _unreported(assignees: tuple[str, ...], handlers: tuple[str, ...]) -> list[str]:
    return [a for a in assignees if a not in handlers]


def overdue_parties(engine: Engine, issue_id: str) -> list[str]:
    """The departments summoned that have not reported in (until govflow's joins land, a report
    is the department's move, which makes it one of the issue's handlers)."""
    issue = engine.get(issue_id)
    return _unreported(issue.assignees, issue.handlers)


def _departments(context: MoveContext) -> bool:
    """The whistle names departments of the org graph in ``assignees``."""
    named = context.payload.get("assignees")
    org = context.org
    if not isinstance(named, list) or not named or org is None:
        return False
    return all(isinstance(n, str) and n in org and org.unit(n).kind == "department" for n in named)


def _names_overdue(context: MoveContext) -> bool:
    """The escalation names exactly the departments that have not reported."""
    named = context.payload.get("overdue")
    issue = context.issue
    wanted = _unreported(issue.assignees, issue.handlers)
    return isinstance(named, list) and bool(wanted) and sorted(named) == sorted(wanted)


def _all_reported(context: MoveContext) -> bool:
    issue = context.issue
    return bool(issue.assignees) and not _unreported(issue.assignees, issue.handlers)


def _result(context: MoveContext) -> bool:
    value = context.payload.get("result")
    return isinstance(value, str) and bool(value.strip())


GUARDS: Mapping[str, Guard] = {
    "whistle-report:departments": _departments,
    "whistle-report:names-overdue": _names_overdue,
    "whistle-report:all-reported": _all_reported,
    "whistle-report:result": _result,
    "whistle-report:satisfaction": lambda context: (
        context.payload.get("satisfaction") in ("satisfied", "basically_satisfied", "dissatisfied")
    ),
}

__all__ = ["DISTRICT_CENTER", "GUARDS", "STREET", "WHISTLE", "overdue_parties"]
