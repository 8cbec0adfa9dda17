"""群众点单、社区派单、党员领单、群众评单: Daye's order-dispatch-claim-rate method (大冶, seed 003).

Seed 003: "开发'115社区服务'手机APP ... 第一书记利用APP对下沉党员进行管理,下沉党员在线认领任务、
就近提供服务,形成群众点单、社区派单、党员领单、群众评单的工作模式。目前已开展线上服务4万人次,
人均服务时长9.5个小时。" In order:

1. 群众点单 -- a resident orders a service (the issue, its category the service, its location
   the place: a building, a residential area);
2. 社区派单 -- the community dispatches it (role ``community_dispatcher``): the order is offered
   to one sunk party member at a time, the nearest first (:mod:`.members`); the resident must
   qualify for the service (:mod:`.eligibility`: the free health check's dated age bands);
3. 党员领单 -- the member it is offered to claims it (only they may: one claimant at a time),
   or passes; an offer nobody claims in time, or a claimed order given up or left undone in
   time, returns to dispatch, and the next dispatch skips whoever let it go;
4. 群众评单 -- the resident who ordered rates the service (or asks for it to be done again);
   unrated after 7 days, it closes unrated.

The member's service hours go into the ``service-hours`` ledger as the service is reported done
(:data:`SERVICE_HOURS`). Beside the orders, the seed's standing duties are obligations checked
against the record (:mod:`.standards`): 驻点服务 at least 3 days a week per community worker, 一社区
一民警两辅警, and a first secretary (第一书记) per community.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from govflow import (
    Actor,
    Guard,
    Issue,
    LedgerSpec,
    MoveContext,
    OrgGraph,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.errors import UnknownUnitError
from govflow.ledgers import Posting
from govflow.obligations import CHINA_TIME
from govflow_order_dispatch.eligibility import FREE_HEALTH_CHECK, AgeBand, Eligibility
from govflow_order_dispatch.members import (
    DUTY_POSTS,
    SUNK_MEMBER,
    candidates,
    community_of,
    has_duty,
    is_sunk_to,
    sink,
)
from govflow_order_dispatch.standards import (
    FIRST_SECRETARY,
    OBLIGATIONS,
    ONE_POLICE_OFFICER,
    STATIONED,
    STATIONING,
    TWO_AUXILIARY_OFFICERS,
    check_standards,
    station,
)

#: The distribution's version, which is govflow's (written once, in govflow/_version.py).
__version__ = importlib.metadata.version("govflow-order-dispatch")
govflow_name = "order-dispatch"

#: The role that dispatches orders: the community (its first secretary, its workers).
DISPATCHER = "community_dispatcher"

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
#: The most hours one service may report (default: a day's work).
MAX_HOURS = 24


@attrs.frozen(slots=True)
class Service:
    """A service residents may order: the duty post (岗位) a member needs to take it, if any,
    and who may order it, if not everyone."""

    name: str
    duty: str | None = None
    eligibility: Eligibility | None = None


#: The services of the default catalogue: one per duty post the seed names (政策宣讲, 环境整治,
#: 调解纠纷, 法律援助, 治安巡逻), and 免费体检 -- booking and accompanying the free health check,
#: which only residents in its age bands may order (the name is this plugin's default).
SERVICES: Mapping[str, Service] = {
    **{duty: Service(duty, duty=duty) for duty in DUTY_POSTS},
    "免费体检": Service("免费体检", eligibility=FREE_HEALTH_CHECK),
}

#: 下沉党员服务时长: each service reported done records the member's hours.
SERVICE_HOURS = LedgerSpec(
    "service-hours",
    label="下沉党员服务时长 service hours of sunk party members",
    kinds={"served"},
    required={"hours"},
    numeric={"hours"},
    postings=[Posting("order-dispatch", "finish", "served", subject="actor", fields=("hours",))],
)

WORKFLOW = Workflow(
    "order-dispatch",
    label="群众点单、社区派单、党员领单、群众评单 order, dispatch, claim, rate",
    initial="ordered",
    states=[
        State("ordered", "群众点单 ordered, to dispatch", StateKind.OPEN, time_limit="1d"),
        State(
            "offered",
            "社区派单 offered to the nearest sunk party member",
            StateKind.PROCESSING,
            time_limit="2h",
        ),
        State("serving", "党员领单 claimed, being served", StateKind.PROCESSING, time_limit="3d"),
        State("rating", "群众评单 to be rated", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
        State("declined", "不予派单 declined", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "dispatch",
            "ordered",
            "offered",
            roles={DISPATCHER},
            assigns=True,
            guards=(
                "order-dispatch:known-service",
                "order-dispatch:resident-eligible",
                "order-dispatch:someone-to-offer",
            ),
            label="社区派单: 推送最近的下沉党员",
        ),
        Transition(
            "decline",
            "ordered",
            "declined",
            roles={DISPATCHER},
            guards="order-dispatch:reason",
            label="不予派单 (说明理由)",
        ),
        Transition("remind", "ordered", "ordered", on_timeout=True, label="逾期未派单, 提醒"),
        Transition(
            "claim",
            "offered",
            "serving",
            requires={"assignee"},
            guards="order-dispatch:still-sunk",
            label="党员领单",
        ),
        Transition(
            "pass",
            "offered",
            "ordered",
            requires={"assignee"},
            guards="order-dispatch:reason",
            label="不能领单, 退回派单",
        ),
        Transition("lapse", "offered", "ordered", on_timeout=True, label="逾期无人领单, 退回派单"),
        Transition(
            "finish",
            "serving",
            "rating",
            requires={"assignee"},
            guards="order-dispatch:hours",
            label="服务完成, 记服务时长",
        ),
        Transition(
            "give_up",
            "serving",
            "ordered",
            requires={"assignee"},
            guards="order-dispatch:reason",
            label="放弃, 退回派单",
        ),
        Transition("abandon", "serving", "ordered", on_timeout=True, label="逾期未服务, 退回派单"),
        Transition(
            "rate",
            "rating",
            "closed",
            requires={"reporter", "not_handler"},
            evaluation=True,
            guards="order-dispatch:satisfaction",
            label="群众评单",
        ),
        Transition(
            "redo",
            "rating",
            "serving",
            requires={"reporter", "not_handler"},
            evaluation=True,
            guards="order-dispatch:reason",
            label="评单不满意, 重新服务",
        ),
        Transition(
            "close_unrated",
            "rating",
            "closed",
            on_timeout=True,
            label="逾期未评, 结案",
        ),
    ],
)


def _service(issue: Issue) -> Service | None:
    return None if issue.category is None else SERVICES.get(issue.category)


def known_service(context: MoveContext) -> bool:
    """The order's category is a service of the catalogue (:data:`SERVICES`)."""
    return _service(context.issue) is not None


def resident_eligible(context: MoveContext) -> bool:
    """The resident who ordered qualifies for the service on today's date (China time); a
    service with no eligibility rule is for everyone."""
    service = _service(context.issue)
    if service is None or service.eligibility is None:
        return True
    org = context.org
    if org is None:
        return False
    try:
        resident = org.person(context.issue.reporter)
    except UnknownUnitError:
        return False
    return service.eligibility.admits(
        resident.attributes, context.now.astimezone(CHINA_TIME).date()
    )


def _skip(issue: Issue) -> set[str]:
    """Who a new offer passes over: whoever passed on or gave the order up (its handlers) and
    whoever it was last offered to (they let it lapse)."""
    return {*issue.handlers, *issue.assignees}


def offer_to(issue: Issue, payload: Mapping[str, Any], org: OrgGraph | None) -> str | None:
    """The member a dispatch offers the order to: the one the dispatcher names in
    ``assignees`` if they may take it, else the nearest who may; None if nobody may."""
    service = _service(issue)
    if org is None or issue.location is None or service is None:
        return None
    may = candidates(org, issue.location, duty=service.duty, skip=_skip(issue))
    named = payload.get("assignees")
    if named is None:
        return may[0] if may else None
    if isinstance(named, str):
        named = [named]
    if isinstance(named, list) and len(named) == 1 and named[0] in may:
        return str(named[0])
    return None


def someone_to_offer(context: MoveContext) -> bool:
    """Some sunk party member may take the order (the one named, if the dispatcher names one)."""
    return offer_to(context.issue, context.payload, context.org) is not None


def still_sunk(context: MoveContext) -> bool:
    """The member claiming is still a party member sunk to the place, holding the duty post."""
    org, issue = context.org, context.issue
    service = _service(issue)
    if org is None or issue.location is None or service is None:
        return False
    try:
        person = org.person(context.actor.id)
    except UnknownUnitError:
        return False
    return is_sunk_to(org, person, issue.location) and has_duty(person, service.duty)


def hours_given(context: MoveContext) -> bool:
    """The payload gives the ``hours`` served: a number above 0 and at most :data:`MAX_HOURS`."""
    hours = context.payload.get("hours")
    return isinstance(hours, int | float) and not isinstance(hours, bool) and 0 < hours <= MAX_HOURS


def reason_given(context: MoveContext) -> bool:
    """The payload gives a non-empty ``reason``."""
    reason = context.payload.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


def satisfaction_given(context: MoveContext) -> bool:
    """The payload gives a ``satisfaction`` of satisfied, basically_satisfied or dissatisfied."""
    return context.payload.get("satisfaction") in SATISFACTION


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """This method's part in a simulated season (``govflow simulate``)."""
    from govflow_order_dispatch.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        "order-dispatch:known-service": known_service,
        "order-dispatch:resident-eligible": resident_eligible,
        "order-dispatch:someone-to-offer": someone_to_offer,
        "order-dispatch:still-sunk": still_sunk,
        "order-dispatch:hours": hours_given,
        "order-dispatch:reason": reason_given,
        "order-dispatch:satisfaction": satisfaction_given,
    }


@hookimpl
def govflow_resolve_assignees(
    issue: Issue, transition: Transition, actor: Actor, payload: Mapping[str, Any], org: Any
) -> Sequence[str] | None:
    del actor
    if issue.workflow != WORKFLOW.name or transition.trigger != "dispatch":
        return None
    member = offer_to(issue, payload, org)
    return None if member is None else [member]


@hookimpl
def govflow_ledgers() -> list[LedgerSpec]:
    return [SERVICE_HOURS, STATIONED]


__all__ = [
    "DISPATCHER",
    "DUTY_POSTS",
    "FIRST_SECRETARY",
    "FREE_HEALTH_CHECK",
    "MAX_HOURS",
    "OBLIGATIONS",
    "ONE_POLICE_OFFICER",
    "SATISFACTION",
    "SERVICES",
    "SERVICE_HOURS",
    "STATIONED",
    "STATIONING",
    "SUNK_MEMBER",
    "TWO_AUXILIARY_OFFICERS",
    "WORKFLOW",
    "AgeBand",
    "Eligibility",
    "Service",
    "candidates",
    "check_standards",
    "community_of",
    "govflow_guards",
    "govflow_ledgers",
    "govflow_resolve_assignees",
    "govflow_workflows",
    "offer_to",
    "sink",
    "station",
]
