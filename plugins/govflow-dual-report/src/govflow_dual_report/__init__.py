"""双联系双报到 and the 红色联盟's 盟事: Huzhou's red-alliance method (湖州, seed 001).

Seed 001: in-service party members of agencies and state enterprises register with
communities ("开展到社区'双联系双报到'服务,5万余名机关和国有企事业单位党员参与") and take their
tasks; their units form red alliances around paired communities, "同签'盟约'、合商'盟规'、
齐领'盟事'、共谋'盟策',全面推行轮值主席、协商议事、契约共建等机制,精准对接解决'潮汐'停车、
课后托管等'关键小事'". The workflow
``alliance-matter`` carries one 盟事 (a key small matter):

1. 关键小事 -- a resident or the community raises it;
2. 合商 -- the alliance's chair of the day (轮值主席, :mod:`.alliance`) tables it for consultation
   (协商议事), or declines it with a reason;
3. 契约共建 -- the chair contracts the work to member units and to party members registered
   with the community (双报到), who take their parts (齐领盟事): a join of parallel parties, each
   with its own limit, a late one recorded and escalated to its own unit;
4. each reports its part; the last report sends the matter to the residents of the community,
   who evaluate it, or send it back to the same parties.

The community's standing duties are in :mod:`.standards`: 四方会谈 at least twice a month, the
8-minute service circle, and the three-level party net with its 楼道长.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from govflow import (
    Guard,
    Issue,
    Join,
    LedgerSpec,
    MoveContext,
    OrgGraph,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.authority import lives_in
from govflow.joint import PARTIES_KEY, parties
from govflow.obligations import CHINA_TIME
from govflow_dual_report.alliance import (
    TERM_MONTHS,
    alliance_of,
    chair_on,
    form_alliance,
    members_of,
)
from govflow_dual_report.standards import (
    CIRCLE_MINUTES,
    FOUR_PARTIES,
    FOUR_PARTY_LEDGER,
    FOUR_PARTY_MEETINGS,
    THREE_LEVEL_PARTY_NET,
    check_four_party,
    hold_four_party_meeting,
    party_net_gaps,
    service_circle_gaps,
)

#: The distribution's version, which is govflow's (written once, in govflow/_version.py).
__version__ = importlib.metadata.version("govflow-dual-report")
govflow_name = "dual-report"

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")

WORKFLOW = Workflow(
    "alliance-matter",
    label="红色联盟 盟事 a red alliance's key small matter",
    initial="raised",
    states=[
        State("raised", "关键小事 raised", StateKind.OPEN, time_limit="7d"),
        State("consulting", "合商盟规 协商议事", StateKind.DELIBERATION, time_limit="14d"),
        State(
            "working",
            "齐领盟事 taken up by the parties",
            StateKind.PROCESSING,
            timeout_exempt=True,  # the limits are the parties': each runs out on its own
            join=Join("all", party_limit="30d"),
        ),
        State("evaluating", "群众评议 residents evaluate", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
        State("declined", "不予议事 declined", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "table",
            "raised",
            "consulting",
            guards="dual-report:chair-on-duty",
            label="轮值主席提交协商",
        ),
        Transition("remind", "raised", "raised", on_timeout=True, label="逾期未提交, 提醒"),
        Transition(
            "contract",
            "consulting",
            "working",
            guards=("dual-report:chair-on-duty", "dual-report:parties"),
            label="契约共建: 分领盟事",
        ),
        Transition(
            "decline",
            "consulting",
            "declined",
            guards=("dual-report:chair-on-duty", "dual-report:reason"),
            label="协商不予办理 (说明理由)",
        ),
        Transition(
            "remind_consult",
            "consulting",
            "consulting",
            on_timeout=True,
            label="逾期未协商, 提醒",
        ),
        Transition(
            "report_part",
            "working",
            "evaluating",
            reports=True,  # a party's part; the last one sends the matter to the residents
            guards="dual-report:outcome",
            label="报告所领盟事 (各方均已完成: 交群众评议)",
        ),
        Transition(
            "evaluate",
            "evaluating",
            "closed",
            requires={"not_handler"},
            evaluation=True,
            guards=("dual-report:resident-of-community", "dual-report:satisfaction"),
            label="群众评议",
        ),
        Transition(
            "send_back",
            "evaluating",
            "working",
            requires={"not_handler"},
            evaluation=True,
            guards=("dual-report:resident-of-community", "dual-report:reason"),
            label="评议不满意, 退回原各方",
        ),
        Transition(
            "close_unrated", "evaluating", "closed", on_timeout=True, label="逾期未评, 结案"
        ),
    ],
)


def community_of(org: OrgGraph, place: str) -> str | None:
    """The community containing ``place`` (itself included)."""
    return next((u.id for u in org.chain(place) if u.kind == "community"), None)


def _alliance(issue: Issue, org: OrgGraph) -> str | None:
    named = issue.data.get("alliance")
    if isinstance(named, str) and named in org:
        return named
    community = None if issue.location is None else community_of(org, issue.location)
    found = None if community is None else alliance_of(org, community)
    return None if found is None else found.id


def _today(context: MoveContext) -> date:
    return context.now.astimezone(CHINA_TIME).date()


def chair_on_duty(context: MoveContext) -> bool:
    """The actor holds a post in the unit chairing the issue's alliance today: the unit acts
    through its people, and the post of chair passes on with the schedule."""
    org = context.org
    if org is None or context.actor.id not in org.people:
        return False
    alliance = _alliance(context.issue, org)
    if alliance is None:
        return False
    chair = chair_on(org, alliance, _today(context))
    return chair is not None and any(p.unit.id == chair for p in org.posts_of(context.actor.id))


def registered_members(org: OrgGraph, community: str) -> set[str]:
    """Party members registered with ``community`` (双报到)."""
    return {p.id for p in org.registered(community) if p.party_member}


def named_parties(context: MoveContext) -> list[str] | None:
    """The party ids the payload names (ids or ``{"id": ...}`` tables), None if it names none."""
    given = context.payload.get(PARTIES_KEY)
    if given is None:
        return None
    if isinstance(given, str) or not isinstance(given, Sequence):
        return []
    return [str(p.get("id")) if isinstance(p, Mapping) else str(p) for p in given]


def parties_valid(context: MoveContext) -> bool:
    """``parties`` names at least one party, each a member unit of the alliance or a party
    member registered with the community (双联系双报到)."""
    org, issue = context.org, context.issue
    named = named_parties(context)
    if org is None or issue.location is None or not named:
        return False
    alliance = _alliance(issue, org)
    community = community_of(org, issue.location)
    if alliance is None or community is None:
        return False
    allowed = set(members_of(org, alliance)) | registered_members(org, community)
    return set(named) <= allowed


def resident_of_community(context: MoveContext) -> bool:
    """The evaluator lives in the issue's community."""
    org, issue, actor = context.org, context.issue, context.actor
    if org is None or issue.location is None:
        return False
    community = community_of(org, issue.location)
    return community is not None and lives_in(org, actor, community)


def _text(context: MoveContext, key: str) -> bool:
    value = context.payload.get(key)
    return isinstance(value, str) and bool(value.strip())


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        "dual-report:chair-on-duty": chair_on_duty,
        "dual-report:parties": parties_valid,
        "dual-report:resident-of-community": resident_of_community,
        "dual-report:outcome": lambda context: _text(context, "outcome"),
        "dual-report:reason": lambda context: _text(context, "reason"),
        "dual-report:satisfaction": lambda context: (
            context.payload.get("satisfaction") in SATISFACTION
        ),
    }


@hookimpl
def govflow_parties(issue: Issue, state: State, transition: Transition) -> list[str] | None:
    """Sent back by the residents, a 盟事 goes to the same parties again."""
    if issue.workflow != WORKFLOW.name or state.name != "working":
        return None
    if transition.trigger != "send_back":
        return None
    return [party.id for party in parties(issue)] or None


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """The red alliance's part in ``govflow simulate`` (see :mod:`.simulation`)."""
    from govflow_dual_report.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


@hookimpl
def govflow_ledgers() -> list[LedgerSpec]:
    return [FOUR_PARTY_LEDGER]


def dual_report(org: OrgGraph, member: str, *, community: str) -> None:
    """双报到: party member ``member`` (of an agency or state enterprise) registers with the
    community where they live or that their unit is paired with, and may take its tasks."""
    person = org.person(member)
    if not person.party_member:
        raise ValueError(f"{member!r} is not a party member: 双报到 is for party members")
    if org.unit(community).kind != "community":
        raise ValueError(f"{community!r} is not a community")
    if member not in {p.id for p in org.registered(community)}:
        org.add_edge("registered_at", member, community)


__all__ = [
    "CIRCLE_MINUTES",
    "FOUR_PARTIES",
    "FOUR_PARTY_LEDGER",
    "FOUR_PARTY_MEETINGS",
    "SATISFACTION",
    "TERM_MONTHS",
    "THREE_LEVEL_PARTY_NET",
    "WORKFLOW",
    "alliance_of",
    "chair_on",
    "check_four_party",
    "community_of",
    "dual_report",
    "form_alliance",
    "govflow_guards",
    "govflow_ledgers",
    "govflow_parties",
    "govflow_simulation_methods",
    "govflow_workflows",
    "hold_four_party_meeting",
    "members_of",
    "named_parties",
    "party_net_gaps",
    "registered_members",
    "service_circle_gaps",
]
