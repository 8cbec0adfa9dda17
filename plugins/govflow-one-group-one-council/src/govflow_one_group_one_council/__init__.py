"""One group, one council (一组一会): Bengbu's grassroots method (seed 002).

Every natural village and residential area has a party group or branch (组) paired with a
democratically elected council (会): a villagers' council 村民理事会 or residents' council
居民议事会 (see :mod:`govflow_one_group_one_council.org`). Their issue loop, in the seed's
words "建立问题'收集-交办-处理-反馈'的闭环链条":

* 收集 collect -- grid patrol teams ("每日巡、经常访、及时记、随手做、实时报") record residents'
  problems; each falls into one of five categories (:data:`CATEGORIES`); what the patrol
  mends on the spot (随手做) it reports at once (``fix_on_spot``), straight to the council's
  feedback; a wrongly categorized matter is corrected (``reclassify`` by the group, or
  ``return_misrouted`` by the handler it reached), never dropped for it;
* 交办 assign -- the group and council review it ("交'一组一会'审核分析") and hand it, by
  category, to its handler (:data:`ROUTES`): the council, the village/community, a paired unit
  (共建单位), a law-enforcement department (执法部门) or a social organization (社会组织);
* 处理 handle -- the handler works it;
* 反馈 feed back -- "办理结果由村民理事会(居民议事会)统一反馈": the council of the place gives the
  feedback, nobody else, saying what was done (and, for a referred matter, what the 四议两公开
  came to);
* then the resident evaluates, as in every closed loop.

Authority comes from the org graph (:mod:`govflow.authority`): the group's work is done by
whoever holds ``secretary`` in the party group (组) leading the issue's natural village or
residential area (or a party unit above it); the feedback by the ``head`` or a ``councillor``
of the council serving the place (this plugin names it, ``Scope.NAMED``); the upstream outcome
by the ``secretary`` of the village (community) party organization, also named here; the
handling by the people of the unit the matter was assigned to. Patrols (``patrol``) and grid
workers open issues on behalf of the residents they met (``channel="patrol"``).

Matters that are "三重一大" or span several natural villages / residential areas are reported
to the village (community) party organization (``refer_up``, fired with
:func:`govflow.escalate`) and decided by 四议两公开 (plugin ``four-deliberations``): the
referral opens a ``four-deliberations`` issue linked to this one (link ``referral``, see
:mod:`govflow.links`), and ``upstream_concluded`` waits for it -- refused until that child
exists and has concluded, it records what the child came to -- before the council feeds back.
Weekly and monthly reviews ("一周一碰头、一月一盘点") are
:func:`~govflow_one_group_one_council.review.review` summaries.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govflow import (
    Event,
    Guard,
    Issue,
    Link,
    MoveContext,
    Opening,
    Relation,
    Scope,
    State,
    StateKind,
    Transition,
    Update,
    Workflow,
    hookimpl,
)
from govflow.links import children
from govflow_one_group_one_council import org as org_part
from govflow_one_group_one_council.review import Review, monthly_review, review, weekly_review

__version__ = importlib.metadata.version(
    "govflow-one-group-one-council"
)  # written once: govflow/_version.py
govflow_name = "one-group-one-council"

#: The five categories of the governance list (一组一会治理清单), with the words that mark them.
CATEGORIES: Mapping[str, str] = {
    "volunteer_service": "志愿服务",
    "petitions_stability": "信访维稳",
    "elderly_child_care": "养老护幼",
    "dispute_mediation": "矛盾调解",
    "safety": "安全防护",
}
KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "dispute_mediation": ("纠纷", "矛盾", "争吵", "吵架", "调解", "邻里"),
    "petitions_stability": ("信访", "上访", "维稳", "集体访"),
    "elderly_child_care": ("老人", "养老", "独居", "儿童", "留守", "护幼", "托管"),
    "safety": ("安全", "隐患", "消防", "火灾", "燃气", "电线", "溺水", "治安"),
    "volunteer_service": ("志愿", "义务", "帮扶", "清扫", "帮忙"),
}

#: The five kinds of handler named by the seed ("分别提交村民理事会(居民议事会)、村(社区)、
#: 共建单位、执法部门、社会组织等办理").
HANDLERS: Mapping[str, str] = {
    "council": "村民理事会(居民议事会)",
    "village": "村(社区)",
    "paired_unit": "共建单位",
    "law_enforcement": "执法部门",
    "social_organization": "社会组织",
}
#: Which handler takes which category. The seed lists categories and handlers but not the
#: pairing; this is the plugin's default: the council mediates disputes (its duty: "调解矛盾
#: 纠纷"), paired units' in-service party members do volunteer service ("到结对村(社区)…开展志愿
#: 服务"), the village or community handles petitions, law enforcement takes safety, social
#: organizations take elderly and child care.
ROUTES: Mapping[str, str] = {
    "dispute_mediation": "council",
    "volunteer_service": "paired_unit",
    "petitions_stability": "village",
    "safety": "law_enforcement",
    "elderly_child_care": "social_organization",
}

#: "三重一大": 重大决策, 重要干部任免, 重大项目安排, 大额资金使用.
MAJOR_MATTERS: Mapping[str, str] = {
    "major_decision": "重大决策",
    "important_appointment": "重要干部任免",
    "major_project": "重大项目安排",
    "large_funds": "大额资金使用",
}

#: Posts: patrol teams collect; the group's leader (``secretary`` of the party group leading
#: the place) reviews and assigns; the council's ``head`` or a ``councillor`` feeds back; the
#: ``secretary`` of the village/community party organization reports the upstream outcome.
PATROL, GROUP, COUNCIL, COUNCILLOR = "patrol", "secretary", "head", "councillor"
VILLAGE_PARTY = "secretary"

#: The link under which a referred matter's 四议两公开 issue is opened and awaited.
REFERRAL = "referral"

WORKFLOW = Workflow(
    "one-group-one-council",
    label="一组一会 one group, one council",
    initial="collected",
    # any resident raises a matter; a patrol or grid worker records it on their behalf
    opening=Opening(proxy_roles={PATROL, "grid_worker"}),
    states=[
        State("collected", "收集 collected", StateKind.OPEN, time_limit="7d"),
        State("handling", "处理 handling", StateKind.PROCESSING, time_limit="15d"),
        State(
            "referred",
            "报村(社区)党组织, 四议两公开 referred up",
            StateKind.DELIBERATION,
            timeout_exempt=True,
        ),
        State("awaiting_feedback", "待理事会(议事会)反馈", StateKind.FEEDBACK, time_limit="3d"),
        State("evaluating", "群众评价 evaluating", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
        State("dropped", "不予受理 dropped", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "assign",
            "collected",
            "handling",
            roles={GROUP},
            assigns=True,
            guards="one-group-one-council:categorized",
            label="审核分析, 按类交办",
        ),
        Transition(
            "fix_on_spot",
            "collected",
            "awaiting_feedback",
            roles={PATROL, "grid_worker"},
            guards="one-group-one-council:result",
            label="随手做, 实时报",
        ),
        Transition(
            "reclassify",
            ("collected", "handling"),
            "collected",
            roles={GROUP},
            guards=("one-group-one-council:new_category", "one-group-one-council:reason"),
            updates=[Update("category", from_payload="category")],
            label="类别有误, 重新分类",
        ),
        Transition(
            "return_misrouted",
            "handling",
            "collected",
            requires={Relation.ASSIGNEE},
            guards="one-group-one-council:reason",
            label="非本单位职责, 退回一组一会",
        ),
        Transition(
            "drop",
            "collected",
            "dropped",
            roles={GROUP},
            guards="one-group-one-council:reason",
            label="不予受理",
        ),
        Transition(
            "refer_up",
            "collected",
            "referred",
            roles={GROUP},
            guards="one-group-one-council:major_or_cross_village",
            # 四议两公开 is the village's (community's): one level above the group's place
            opens=[
                Link(
                    REFERRAL,
                    "four-deliberations",
                    location="up",
                    up_to=org_part.VILLAGE_KINDS,
                    label="四议两公开",
                )
            ],
            label="三重一大或跨自然村(小区), 报村(社区)党组织",
        ),
        Transition(
            "report_handled",
            "handling",
            "awaiting_feedback",
            requires={Relation.ASSIGNEE},
            label="处理完毕",
        ),
        Transition(
            "upstream_concluded",
            "referred",
            "awaiting_feedback",
            roles={VILLAGE_PARTY},
            scope=Scope.NAMED,  # the village (community) party organization, named below
            awaits=REFERRAL,  # the linked 四议两公开 issue must exist and have concluded
            label="四议两公开办结",
        ),
        Transition(
            "feed_back",
            "awaiting_feedback",
            "evaluating",
            roles={COUNCIL, COUNCILLOR},
            scope=Scope.NAMED,  # the council of the issue's place, named below
            guards="one-group-one-council:feedback",
            label="理事会(议事会)统一反馈",
        ),
        Transition(
            "evaluate",
            "evaluating",
            "closed",
            requires={Relation.REPORTER},
            evaluation=True,
            guards="one-group-one-council:satisfaction",
            label="群众评价",
        ),
        Transition(
            "close_unrated", "evaluating", "closed", on_timeout=True, label="逾期未评, 结案"
        ),
    ],
)

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")


def classify(text: str) -> str | None:
    """The category whose words appear first in :data:`KEYWORDS` order, or None."""
    for category, words in KEYWORDS.items():
        if any(word in text for word in words):
            return category
    return None


def _reason_given(context: MoveContext) -> bool:
    reason = context.payload.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


def _categorized(context: MoveContext) -> bool:
    return context.issue.category in CATEGORIES


def _new_category(context: MoveContext) -> bool:
    """Reclassifying names one of the five categories, other than the issue's."""
    wanted = context.payload.get("category")
    return wanted in CATEGORIES and wanted != context.issue.category


def _result_given(context: MoveContext) -> bool:
    result = context.payload.get("result")
    return isinstance(result, str) and bool(result.strip())


def referral_outcomes(issue: Issue) -> list[str]:
    """The final states of the 四议两公开 matters ``issue`` was referred into, once concluded."""
    return [
        str(child.outcome["state"])
        for child in children(issue)
        if child.name == REFERRAL and child.outcome is not None
    ]


def _feedback(context: MoveContext) -> bool:
    """The council says what was done (``result``); for a referred matter it also states what
    the 四议两公开 came to (``referral_outcome``: the child's final state, ``closed`` or
    ``rejected``), as the child's log has it."""
    if not _result_given(context):
        return False
    outcomes = referral_outcomes(context.issue)
    return not outcomes or context.payload.get("referral_outcome") in outcomes


def _spans_areas(context: MoveContext, areas: object) -> bool:
    """``areas`` names two or more places; with an org graph, natural villages (residential
    areas, grids) of the issue's own village or community."""
    if not isinstance(areas, list | tuple) or len(set(areas)) < 2:
        return False
    org, location = context.org, context.issue.location
    if org is None:
        return True
    if location is None or location not in org:
        return False
    home = org_part.village_of(org, location)
    return all(
        isinstance(area, str)
        and area in org
        and org.unit(area).kind in org_part.AREA_KINDS
        and org_part.village_of(org, area) == home
        for area in areas
    )


def _major_or_cross_village(context: MoveContext) -> bool:
    payload = context.payload
    cross = _spans_areas(context, payload.get("areas", ()))
    major = payload.get("major") in MAJOR_MATTERS
    return (cross or major) and bool(payload.get("escalated_to"))


def _satisfaction(context: MoveContext) -> bool:
    return context.payload.get("satisfaction") in SATISFACTION


def handler_for(issue: Issue, org: Any) -> str | None:
    """The unit that handles ``issue`` by its category (:data:`ROUTES`).

    The issue's ``data["handlers"]`` (handler kind → unit id) wins; else the org graph answers
    from the issue's location: its council, its village/community, the unit paired with it
    (a department or work unit), or the law-enforcement department / social organization
    paired with its village or community.
    """
    kind = ROUTES.get(issue.category or "")
    if kind is None:
        return None
    given = issue.data.get("handlers")
    if isinstance(given, Mapping) and isinstance(given.get(kind), str):
        return str(given[kind])
    if org is None or issue.location is None or issue.location not in org:
        return None
    village = org_part.village_of(org, issue.location)
    found: Any = None
    if kind == "council":
        found = org.council_for(issue.location)
    elif kind == "village":
        found = village
    elif village is not None:
        partners = org.paired(village.id)
        wanted = {"paired_unit": ("department", "work_unit")}.get(kind, (kind,))
        found = next((u for u in partners if u.kind in wanted), None)
    return None if found is None else str(found.id)


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """This method\'s part in a simulated season (``govflow simulate``)."""
    from govflow_one_group_one_council.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        "one-group-one-council:reason": _reason_given,
        "one-group-one-council:categorized": _categorized,
        "one-group-one-council:new_category": _new_category,
        "one-group-one-council:result": _result_given,
        "one-group-one-council:feedback": _feedback,
        "one-group-one-council:major_or_cross_village": _major_or_cross_village,
        "one-group-one-council:satisfaction": _satisfaction,
    }


@hookimpl
def govflow_org_schemas() -> Iterable[Any]:
    return [org_part.SCHEMA]


@hookimpl
def govflow_classify(workflow: Workflow, data: Mapping[str, Any]) -> str | None:
    if workflow.name != WORKFLOW.name:
        return None
    text = data.get("description")
    return classify(text) if isinstance(text, str) else None


@hookimpl
def govflow_resolve_assignees(
    issue: Issue, transition: Transition, payload: Mapping[str, Any], org: Any
) -> Sequence[str] | None:
    if issue.workflow != WORKFLOW.name or transition.trigger != "assign":
        return None
    if payload.get("assignees"):
        return None  # the group named the handler itself: default routing takes the payload
    handler = handler_for(issue, org)
    return None if handler is None else [handler]


@hookimpl
def govflow_escalation_targets(issue: Issue, org: Any) -> Iterable[str]:
    if issue.workflow != WORKFLOW.name:
        return []
    given = issue.data.get("village_party")
    if isinstance(given, str):
        return [given]
    if org is None or issue.location is None or issue.location not in org:
        return []
    village = org_part.village_of(org, issue.location)
    party = None if village is None else org.party_unit_for(village.id)
    return [] if party is None else [party.id]


@hookimpl
def govflow_authority_units(issue: Issue, transition: Transition, org: Any) -> Iterable[str]:
    """Where the named posts count: the council of the issue's place feeds back ("由村民理事会
    (居民议事会)统一反馈"), the village (community) party organization concludes upstream."""
    location = issue.location
    if issue.workflow != WORKFLOW.name or org is None or location is None or location not in org:
        return []
    if transition.trigger == "feed_back":
        council = org.council_for(location)
        return [] if council is None else [council.id]
    if transition.trigger == "upstream_concluded":
        village = org_part.village_of(org, location)
        party = None if village is None else org.party_unit_for(village.id)
        return [] if party is None else [party.id]
    return []


def issues_by_category(
    issues: Iterable[Issue], events: Mapping[str, Sequence[Event]]
) -> dict[str, int]:
    """Metric: 一组一会 issues collected, by category (``events``: issue id → its events)."""
    flat = [event for issue_events in events.values() for event in issue_events]
    return dict(review(issues, flat).by_category)


@hookimpl
def govflow_metrics() -> Mapping[str, Any]:
    return {"one-group-one-council.by_category": issues_by_category}


__all__ = [
    "CATEGORIES",
    "COUNCIL",
    "COUNCILLOR",
    "GROUP",
    "HANDLERS",
    "KEYWORDS",
    "MAJOR_MATTERS",
    "PATROL",
    "REFERRAL",
    "ROUTES",
    "VILLAGE_PARTY",
    "WORKFLOW",
    "Review",
    "classify",
    "handler_for",
    "issues_by_category",
    "monthly_review",
    "referral_outcomes",
    "review",
    "weekly_review",
]
