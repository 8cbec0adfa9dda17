"""The six-things method (六事工作法) of 喻义巷社区, 天桥街道, 蚌山区, Bengbu (seed 002).

Seed 002: "蚌山区天桥街道喻义巷社区推进以百姓点事、'两委'提事、居民议事、与会决事、多元办事、
公众评事为主要工作做法的社区协商'六事'工作机制". In order:

1. 百姓点事 -- residents raise a matter (the issue is opened by a resident);
2. '两委'提事 -- the two committees (community party organization and residents' committee)
   table it for consultation, or decline it with a reason;
3. 居民议事 -- residents deliberate: a gate of the residents' council (居民议事会); if it does
   not agree, the matter returns to the two committees;
4. 与会决事 -- the meeting decides: a gate of everyone at the consultation meeting (the council
   with the parties concerned: property company, owners' committee, units); if it does not
   decide, the matter returns to the residents' deliberation;
5. 多元办事 -- many parties carry it out: the decision is dispatched to several assignees at once,
   each a party of a join (:class:`govflow.Join`): each reports its own part, and the matter
   goes to the public's evaluation only once every party has reported;
6. 公众评事 -- the public evaluates: a resident of the community (:func:`public_of`), who
   neither carried the work out nor sits on the two committees that tabled and dispatched it,
   rates the result or sends it back with a reason; unrated after seven days, it closes
   unrated.

Authority comes from the org graph (:mod:`govflow.authority`): the two committees are the
people holding :data:`TWO_COMMITTEES` posts in the community (residents' committee) or its party
organization, which this plugin names for the issue's location (``Scope.NAMED``). With an org
graph the bodies are resolved where the matter lies when each gate opens, and frozen into the
log: the residents' council is the council the community's party organization convenes
(``council``), the meeting is that council with the two committees and the people of the units
paired with the community (``six-things:meeting``). A body supplied in the issue's data is
refused then; without an org graph it is what the gates count.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping
from typing import Any

from govflow import (
    MAJORITY_OF_ATTENDEES,
    Body,
    Gate,
    GateSequence,
    Guard,
    Issue,
    Join,
    MoveContext,
    OrgGraph,
    Scope,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.authority import lives_in, unit_composition
from govflow.gates import Composition

#: The distribution\'s version, which is govflow\'s (written once, in govflow/_version.py).
__version__ = importlib.metadata.version("govflow-six-things")
govflow_name = "six-things"

#: Posts of the two committees ('两委': the community party organization and the residents'
#: committee): they table matters, record the meetings and dispatch the work.
TWO_COMMITTEES = frozenset(
    {"secretary", "deputy_secretary", "director", "deputy_director", "committee_member"}
)
#: Units whose posts make up the two committees: a community or an administrative village.
COMMUNITY_KINDS = ("community", "administrative_village")
#: The resolver of the consultation meeting's body (与会决事).
MEETING_SOURCE = "six-things:meeting"

#: Body keys in ``data["bodies"]``: each a list of member ids or an org unit id.
RESIDENTS_COUNCIL = "residents_council"
MEETING = "meeting"

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")

CONSULTATION = GateSequence(
    "six-things",
    [
        Gate(
            "residents_deliberation",
            "居民议事",
            body=RESIDENTS_COUNCIL,
            source="council",
            pass_rule=MAJORITY_OF_ATTENDEES,
            on_fail="raised",
            roles=TWO_COMMITTEES,
            scope=Scope.NAMED,
        ),
        Gate(
            "meeting_decision",
            "与会决事",
            body=MEETING,
            source=MEETING_SOURCE,
            pass_rule=MAJORITY_OF_ATTENDEES,
            on_fail="residents_deliberation",
            roles=TWO_COMMITTEES,
            scope=Scope.NAMED,
        ),
    ],
    then="decided",
    stop="declined",
)

WORKFLOW = Workflow(
    "six-things",
    label="六事工作法 six-things method",
    initial="raised",
    states=[
        State("raised", "百姓点事 raised by residents", StateKind.OPEN, time_limit="7d"),
        *CONSULTATION.states,
        State("decided", "决事待办 decided, to dispatch", StateKind.OPEN, time_limit="3d"),
        State(
            "carrying_out",
            "多元办事 carried out by many parties",
            StateKind.PROCESSING,
            time_limit="30d",
            join=Join("all", party_limit="30d"),  # every party reports, each within the limit
        ),
        State("evaluating", "公众评事 public evaluation", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
        State("declined", "不予提事 declined", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "table",
            "raised",
            CONSULTATION.entry,
            roles=TWO_COMMITTEES,
            scope=Scope.NAMED,
            label="'两委'提事",
        ),
        Transition(
            "decline",
            "raised",
            "declined",
            roles=TWO_COMMITTEES,
            scope=Scope.NAMED,
            guards="six-things:reason",
            label="不予提事",
        ),
        Transition(
            "remind",
            "raised",
            "raised",
            on_timeout=True,
            label="逾期未提事, 提醒",
        ),
        *CONSULTATION.transitions,
        Transition(
            "dispatch",
            "decided",
            "carrying_out",
            roles=TWO_COMMITTEES,
            scope=Scope.NAMED,
            assigns=True,
            label="多元办事: 分派各方",
        ),
        Transition(
            "overdue_dispatch",
            "decided",
            "decided",
            on_timeout=True,
            label="逾期未分派, 提醒",
        ),
        Transition(
            "report_done",
            "carrying_out",
            "evaluating",
            reports=True,  # a party's report; the last one sends the matter on
            label="办结, 交公众评事",
        ),
        Transition(
            "evaluate",
            "evaluating",
            "closed",
            evaluation=True,
            guards=("six-things:public", "six-things:satisfaction"),
            label="公众评事",
        ),
        Transition(
            "send_back",
            "evaluating",
            "carrying_out",
            evaluation=True,
            guards=("six-things:public", "six-things:reason"),
            label="评议不满意, 退回重办",
        ),
        Transition(
            "close_unrated",
            "evaluating",
            "closed",
            on_timeout=True,
            label="逾期未评, 结案",
        ),
    ],
)


def community_of(org: OrgGraph, unit_id: str) -> str | None:
    """The community (or administrative village) ``unit_id`` lies in, itself if it is one."""
    return next((u.id for u in org.chain(unit_id) if u.kind in COMMUNITY_KINDS), None)


def two_committees(org: OrgGraph, unit_id: str) -> list[str]:
    """The units of the two committees answering for ``unit_id``: its community and the party
    units leading that community."""
    community = community_of(org, unit_id)
    if community is None:
        return []
    return [community, *(leader.id for leader in org.leaders(community))]


def meeting(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:
    """与会决事: the residents' council with the two committees and the people of the units
    paired with the community (property company, owners' committee, departments)."""
    if issue.location is None:
        return None
    community = community_of(org, issue.location)
    council = org.council_for(issue.location)
    if community is None or council is None:
        return None
    units = [council.id, *two_committees(org, issue.location)]
    units += [partner.id for partner in org.paired(community, inherit=False)]
    members: dict[str, None] = {}
    for unit in units:
        members.update(dict.fromkeys(unit_composition(org, unit, body.member_role).members))
    return Composition(tuple(members), unit_composition(org, council.id, None, "head").chair)


def _community_of_issue(issue: Issue, org: OrgGraph | None) -> str | None:
    if org is not None and issue.location is not None and issue.location in org:
        return community_of(org, issue.location)
    given = issue.data.get("community", issue.location)
    return given if isinstance(given, str) else None


def public_of(context: MoveContext) -> bool:
    """公众评事 is the public's: the evaluator lives in the community of the matter and holds no
    post of its two committees (who tabled, recorded and dispatched the work).

    With an org graph, where the evaluator lives is the graph's (or the home unit given, see
    :func:`govflow.authority.lives_in`) and the posts are the graph's; without one, the home
    unit the actor gives must be the community (``location`` or ``data["community"]``) and a
    claimed two-committees role refuses.
    """
    issue, org, actor = context.issue, context.org, context.actor
    community = _community_of_issue(issue, org)
    if community is None:
        return False
    if org is None:
        return actor.home_unit == community and not actor.roles & TWO_COMMITTEES
    if not lives_in(org, actor, community):
        return False
    committees = set(two_committees(org, community))
    held = org.posts_of(actor.id) if actor.id in org.people else ()
    return not any(p.unit.id in committees and p.role in TWO_COMMITTEES for p in held)


def reason_given(context: MoveContext) -> bool:
    """The payload gives a non-empty ``reason``."""
    reason = context.payload.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


def satisfaction_given(context: MoveContext) -> bool:
    """The payload gives a ``satisfaction`` of satisfied, basically_satisfied or dissatisfied."""
    return context.payload.get("satisfaction") in SATISFACTION


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """This method\'s part in a simulated season (``govflow simulate``)."""
    from govflow_six_things.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def govflow_parties(issue: Issue, state: State, payload: Mapping[str, Any]) -> list[str] | None:
    """多元办事's parties are the assignees: those the dispatch names, or, for a matter sent
    back to be redone, those who carried it out."""
    if issue.workflow != WORKFLOW.name or state.name != "carrying_out":
        return None
    given = payload.get("assignees")
    if isinstance(given, str):
        return [given]
    if isinstance(given, list | tuple) and given:
        return [str(a) for a in given]
    return list(issue.assignees) or None


@hookimpl
def govflow_body_resolvers() -> Mapping[str, Any]:
    return {MEETING_SOURCE: meeting}


@hookimpl
def govflow_authority_units(issue: Issue, org: Any) -> Iterable[str]:
    """The two committees' moves count in the community of the issue's place."""
    location = issue.location
    if issue.workflow != WORKFLOW.name or org is None or location is None or location not in org:
        return []
    return two_committees(org, location)


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        **CONSULTATION.guards(),
        "six-things:public": public_of,
        "six-things:reason": reason_given,
        "six-things:satisfaction": satisfaction_given,
    }


__all__ = [
    "COMMUNITY_KINDS",
    "CONSULTATION",
    "MEETING",
    "MEETING_SOURCE",
    "RESIDENTS_COUNCIL",
    "TWO_COMMITTEES",
    "WORKFLOW",
    "community_of",
    "govflow_guards",
    "govflow_workflows",
    "meeting",
    "public_of",
    "two_committees",
]
