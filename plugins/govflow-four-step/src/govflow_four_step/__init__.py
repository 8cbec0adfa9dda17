"""四步工作法: 基层出题、部门答题、联动解题、群众评议, Yaohai's four-step method (瑶海, seed 000).

Seed 000: "适合瑶海区情、具有瑶海特色的基层治理'四步工作法',即'基层出题、部门答题、联动解题、
群众评议'四步工作法" with "'两个清单、五微服务'工作模式,作为'四步工作法'的内容支撑". In order:

1. 基层出题 -- the grassroots poses the problem: a community (its party secretary, or the
   总召集人 of its 党群议事会) opens it, or a matched need of the needs list is taken up
   (:func:`.lists.take_up`);
2. 部门答题 -- departments answer: ``assign`` hands it to the departments the community names, or
   to the providers of the resources its need matched, or to the departments paired with the
   community (结对帮扶, "让社区多个帮手"); one of them answers;
3. 联动解题 -- joint solving: when one department cannot answer alone, the community calls several
   to work it jointly; each reports its part, and it moves on once all have;
4. 群众评议 -- residents of the place evaluate the result, or send it back to the departments.

The lists and ledgers the method runs on are :mod:`.lists` (需求清单, 资源清单), :mod:`.micro`
(五微台账) and the organization :mod:`.council` (党群议事会, 结对). :func:`four_lists` reads the
four lists the seed names ("问题清单" → "责任清单" → "服务清单" → "成效清单") off the log.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govflow import (
    Engine,
    Event,
    Guard,
    Issue,
    Join,
    LedgerSpec,
    MoveContext,
    OrgGraph,
    OrgSchema,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.authority import lives_in
from govflow_four_step.council import (
    CHIEF_CONVENER,
    COUNCIL_KIND,
    SCHEMA,
    STANDING_MEMBER,
    council_of,
    helpers,
    set_up_council,
)
from govflow_four_step.lists import (
    CATEGORIES,
    NEED_SOURCES,
    NEEDS,
    RESOURCES,
    Match,
    Matching,
    add_need,
    add_resource,
    match_needs,
    take_up,
    unmatched_report,
)
from govflow_four_step.micro import FIVE_MICRO, five_micro_count, fulfil_wish, open_wishes

#: The distribution's version, which is govflow's (written once, in govflow/_version.py).
__version__ = importlib.metadata.version("govflow-four-step")
govflow_name = "four-step"

#: Who poses problems and calls joint solving: the community party secretary, or the 总召集人.
COMMUNITY_SECRETARY = "community_secretary"
POSERS = frozenset({COMMUNITY_SECRETARY, CHIEF_CONVENER})

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
#: Satisfied ratings: the issue goes on the 成效清单.
SATISFIED = frozenset({"satisfied", "basically_satisfied"})

WORKFLOW = Workflow(
    "four-step",
    label="四步工作法 four-step method",
    initial="posed",
    states=[
        State("posed", "基层出题 posed by the grassroots", StateKind.OPEN, time_limit="3d"),
        State("answering", "部门答题 departments answer", StateKind.PROCESSING, time_limit="5d"),
        State(
            "joint",
            "联动解题 solved jointly",
            StateKind.PROCESSING,
            timeout_exempt=True,  # the limits are the parties': each runs out on its own
            join=Join("all", party_limit="5d", min_parties=2),  # each department its own limit
        ),
        State("evaluating", "群众评议 residents evaluate", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
        State("withdrawn", "撤回 withdrawn", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "assign",
            "posed",
            "answering",
            roles=POSERS,
            assigns=True,
            guards="four-step:departments",
            label="交部门答题",
        ),
        Transition(
            "withdraw",
            "posed",
            "withdrawn",
            roles=POSERS,
            guards="four-step:reason",
            label="撤回 (说明理由)",
        ),
        Transition("remind", "posed", "posed", on_timeout=True, label="逾期未交办, 提醒"),
        Transition(
            "answer",
            "answering",
            "evaluating",
            requires={"assignee"},
            guards="four-step:answer",
            label="部门答题",
        ),
        Transition(
            "call_joint",
            "answering",
            "joint",
            roles=POSERS,
            label="联动解题: 多部门联动",
        ),
        Transition("urge", "answering", "answering", on_timeout=True, label="逾期未答题, 督办"),
        Transition(
            "report_part",
            "joint",
            "evaluating",
            reports=True,  # a department's part; the last one sends it to the residents
            guards="four-step:answer",
            label="报告本部门解题情况 (各方均已报告: 交群众评议)",
        ),
        Transition(
            "evaluate",
            "evaluating",
            "closed",
            requires={"not_handler"},
            evaluation=True,
            guards=("four-step:resident-of-place", "four-step:satisfaction"),
            label="群众评议",
        ),
        Transition(
            "send_back",
            "evaluating",
            "answering",
            requires={"not_handler"},
            evaluation=True,
            guards=("four-step:resident-of-place", "four-step:reason"),
            label="评议不满意, 退回部门",
        ),
        Transition(
            "close_unrated", "evaluating", "closed", on_timeout=True, label="逾期未评, 结案"
        ),
    ],
)


def departments_for(issue: Issue, payload: Mapping[str, Any], org: OrgGraph | None) -> list[str]:
    """Who ``assign`` hands the problem to: the departments named in the payload's
    ``assignees``, else the providers its need matched, else the community's paired ones."""
    named = payload.get("assignees")
    if isinstance(named, str):
        return [named]
    if isinstance(named, list | tuple):
        return [str(n) for n in named if isinstance(n, str) and n]
    providers = issue.data.get("providers")
    if isinstance(providers, list | tuple) and providers:
        return [str(p) for p in providers]
    if org is None or issue.location is None:
        return []
    return helpers(org, issue.location)


def _text(context: MoveContext, key: str) -> bool:
    value = context.payload.get(key)
    return isinstance(value, str) and bool(value.strip())


def departments_found(context: MoveContext) -> bool:
    """Someone answers: departments named, matched or paired with the community."""
    return bool(departments_for(context.issue, context.payload, context.org))


def resident_of_place(context: MoveContext) -> bool:
    """The evaluator lives in the community the problem is in (群众评议: the residents)."""
    org, issue, actor = context.org, context.issue, context.actor
    if org is None or issue.location is None:
        return False
    community = next((u.id for u in org.chain(issue.location) if u.kind == "community"), None)
    return community is not None and lives_in(org, actor, community)


def satisfaction_given(context: MoveContext) -> bool:
    """The payload gives a ``satisfaction`` of satisfied, basically_satisfied or dissatisfied."""
    return context.payload.get("satisfaction") in SATISFACTION


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        "four-step:departments": departments_found,
        "four-step:answer": lambda context: _text(context, "answer"),
        "four-step:reason": lambda context: _text(context, "reason"),
        "four-step:resident-of-place": resident_of_place,
        "four-step:satisfaction": satisfaction_given,
    }


@hookimpl
def govflow_resolve_assignees(
    issue: Issue, transition: Transition, payload: Mapping[str, Any], org: Any
) -> Sequence[str] | None:
    if issue.workflow != WORKFLOW.name or transition.trigger != "assign":
        return None
    return departments_for(issue, payload, org) or None


@hookimpl
def govflow_ledgers() -> list[LedgerSpec]:
    return [NEEDS, RESOURCES, *FIVE_MICRO]


@hookimpl
def govflow_org_schemas() -> list[OrgSchema]:
    return [SCHEMA]


def _lists(issues: Iterable[Issue], events: Mapping[str, Sequence[Event]]) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {"问题清单": [], "责任清单": [], "服务清单": [], "成效清单": []}
    for issue in issues:
        if issue.workflow != WORKFLOW.name:
            continue
        log = events[issue.id]
        lists["问题清单"].append(issue.id)
        if any(e.trigger == "assign" for e in log):
            lists["责任清单"].append(issue.id)
        if any(e.destination == "evaluating" for e in log):
            lists["服务清单"].append(issue.id)
        if any(e.trigger == "evaluate" and e.payload.get("satisfaction") in SATISFIED for e in log):
            lists["成效清单"].append(issue.id)
    return lists


def four_lists(engine: Engine) -> dict[str, list[str]]:
    """The four lists read off the log: problems posed (问题清单), given to departments
    (责任清单), answered or solved (服务清单), and rated satisfied by residents (成效清单)."""
    issues = list(engine.issues())
    return _lists(issues, {i.id: engine.history(i.id) for i in issues})


def lists_metric(issues: Iterable[Issue], events: Mapping[str, Sequence[Event]]) -> dict[str, int]:
    """Metric ``four-step.lists``: how many issues are on each of the four lists."""
    return {name: len(ids) for name, ids in _lists(issues, events).items()}


@hookimpl
def govflow_metrics() -> Mapping[str, Any]:
    return {"four-step.lists": lists_metric}


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """The method's part in ``govflow simulate`` (see :mod:`.simulation`)."""
    from govflow_four_step.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


__all__ = [
    "CATEGORIES",
    "CHIEF_CONVENER",
    "COMMUNITY_SECRETARY",
    "COUNCIL_KIND",
    "FIVE_MICRO",
    "NEEDS",
    "NEED_SOURCES",
    "POSERS",
    "RESOURCES",
    "SATISFACTION",
    "SCHEMA",
    "STANDING_MEMBER",
    "WORKFLOW",
    "Match",
    "Matching",
    "add_need",
    "add_resource",
    "council_of",
    "departments_for",
    "five_micro_count",
    "four_lists",
    "fulfil_wish",
    "govflow_guards",
    "govflow_ledgers",
    "govflow_metrics",
    "govflow_org_schemas",
    "govflow_resolve_assignees",
    "govflow_simulation_methods",
    "govflow_workflows",
    "helpers",
    "lists_metric",
    "match_needs",
    "open_wishes",
    "set_up_council",
    "take_up",
    "unmatched_report",
]
