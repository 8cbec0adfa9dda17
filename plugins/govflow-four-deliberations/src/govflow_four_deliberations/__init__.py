"""Four deliberations, two disclosures (四议两公开): how a village or community decides a major
matter.

Seed 002 (Bengbu): matters that are "三重一大" or span several natural villages (residential
areas) are reported by the 一组一会 to the village (community) party organization and "按照'四议
两公开'制度集中解决, 确保做到实施过程和处理结果公开透明". The seed names the procedure and asks that
the *process* as well as the result be public; it gives no quorum, pass rule or notice period.
Those below cite where they come from, or are marked as this plugin's defaults (:data:`RULES`):

1. 党支部会提议 -- the party branch committee (村/社区党组织) proposes;
2. 两委会商议 -- the two committees (party organization and villagers' or residents' committee)
   consult; held jointly with the first when one person chairs both (书记、主任"一肩挑");
3. 党员大会审议 -- the party-member assembly reviews;
4. 村(居)民代表会议决议 -- the representatives' meeting resolves; or, instead, the
   村(居)民会议 (every adult villager or resident) does (``convene_villagers_meeting``: "村民会议
   或者村民代表会议决议"; the 村民会议 is the body the law gives the decision to, and a village too
   small or scattered to have a 村民代表会议 decides there);
5. 决议公开 -- the resolution and the record of how it was reached (:func:`public_record`) are
   made public;
6. 实施结果公开 -- while carrying it out the committee publishes its progress
   (``disclose_progress``, 实施过程公开, at least once before the result), then the result is
   made public.

No step can be skipped: each gate is left only by its own vote, each notice only by the clock at
the end of its notice period. Every failure path is declared: a failed proposal or resolution
stops the matter, a failed consultation or review returns it to the branch, an objection during
a notice returns it to the body that decided.

Who may act comes from the org graph (:mod:`govflow.authority`): the branch's moves need the
``secretary`` post in a party unit whose jurisdiction covers the village (the village party
organization leads it), the committee's the ``director`` of the village. With an org graph each
body is resolved at the village (or community) when its meeting is called and frozen into the
log:

* 党支部会 -- the members of the party unit leading the village (``party_unit``), its
  secretary in the chair;
* 两委会 -- those and the people holding posts in the village (villagers' committee), its
  director in the chair (``four-deliberations:two_committees``);
* 党员大会 -- every party member of the village: the posts of its party organization and of the
  party units under it, and party members living in the village
  (``four-deliberations:party_members``);
* 村民代表会议 -- the holders of the ``representative`` post in the village
  (``four-deliberations:representatives``);
* 村民会议 -- everyone the graph records as living in the village or below it
  (``four-deliberations:villagers``).

A body supplied in the issue's data is then refused. Without an org graph the bodies are given
per matter in the issue's ``data["bodies"]`` (see :func:`bodies`).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govflow import (
    MAJORITY_OF_ATTENDEES,
    MAJORITY_OF_MEMBERS,
    STOP,
    Body,
    Gate,
    GateSequence,
    Guard,
    Issue,
    MergeRule,
    MoveContext,
    OrgGraph,
    Publication,
    State,
    StateKind,
    Transition,
    Update,
    Workflow,
    hookimpl,
)
from govflow.authority import unit_composition
from govflow.gates import Composition
from govflow_four_deliberations.record import PublicRecord, public_record

__version__ = importlib.metadata.version(
    "govflow-four-deliberations"
)  # written once: govflow/_version.py
#: The name this plugin registers under, whether found by entry point or passed explicitly.
govflow_name = "four-deliberations"

#: Posts: the branch's secretary convenes the first three meetings, the villagers' committee's
#: director the fourth and carries the resolution out (村民代表会议由村民委员会召集).
BRANCH = "secretary"
COMMITTEE = "director"
#: The post of a villagers' representative (村民代表), held in the village.
REPRESENTATIVE = "representative"
#: Units a matter of 四议两公开 is decided in: the administrative village (or community).
VILLAGE_KINDS = ("administrative_village", "community")

#: Body keys in ``data["bodies"]``.
BRANCH_COMMITTEE = "branch_committee"
TWO_COMMITTEES = "two_committees"
PARTY_ASSEMBLY = "party_assembly"
REPRESENTATIVES = "representatives"
VILLAGERS = "villagers"

#: Where every quorum, pass rule and period comes from. "Default" marks this plugin's choice
#: where seed 002 (which names the procedure only) and the law are silent. The README shows
#: this table; a test keeps the two in step.
RULES: Mapping[str, str] = {
    "branch_proposal": (
        "default: half the branch committee present, more than half of those present (少数服从多数)"
    ),
    "committees_consultation": (
        "default: as the branch meeting; held jointly with it when one person chairs both "
        '(书记、主任"一肩挑"), as county texts of 四议两公开 allow'
    ),
    "assembly_review": (
        "two thirds of the members present: default, from county texts of 四议两公开 "
        '("到会党员人数须占党员总数的三分之二以上"); more than half of all members due: the '
        "party's rule for a 党员大会 vote (中国共产党支部工作条例(试行): \"赞成人数超过应到会有"
        '表决权的党员的半数为通过")'
    ),
    "representatives_resolution": (
        '村民委员会组织法 第二十六条: "有三分之二以上的组成人员参加方可召开, 所作决定应当经到会'
        '人员的过半数同意"; in a community (居民代表会议) the same rule: default, by analogy'
    ),
    "villagers_meeting": (
        '村民委员会组织法 第二十二条: "应当有本村十八周岁以上村民的过半数 … 参加, 村民会议所作'
        '决定应当经到会人员的过半数通过"; 城市居民委员会组织法 第十条 for the 居民会议 ("全体'
        '十八周岁以上的居民过半数 … 出席 … 会议的决定, 由出席人的过半数通过"); attendance is '
        "counted by person (the household-representative form is not encoded)"
    ),
    "resolution_notice": "default: 5 days (the seed asks for 公开, not a period)",
    "result_notice": "default: 5 days",
    "disclose_progress": (
        'default: at least one 实施过程公开 before the result is reported (seed: "确保做到实施'
        '过程和处理结果公开透明")'
    ),
}

DECISION = GateSequence(
    "four-deliberations",
    [
        Gate(
            "branch_proposal",
            "党支部会提议",
            body=BRANCH_COMMITTEE,
            source="party_unit",
            pass_rule=MAJORITY_OF_ATTENDEES,
            on_fail=STOP,
            roles={BRANCH},
        ),
        Gate(
            "committees_consultation",
            "两委会商议",
            body=TWO_COMMITTEES,
            source="four-deliberations:two_committees",
            pass_rule=MAJORITY_OF_ATTENDEES,
            merge=MergeRule.SAME_CHAIR,
            on_fail="branch_proposal",
            roles={BRANCH},
        ),
        Gate(
            "assembly_review",
            "党员大会审议",
            body=PARTY_ASSEMBLY,
            source="four-deliberations:party_members",
            quorum="2/3",
            pass_rule=MAJORITY_OF_MEMBERS,
            on_fail="branch_proposal",
            roles={BRANCH},
        ),
        Gate(
            "representatives_resolution",
            "村(居)民代表会议决议",
            body=REPRESENTATIVES,
            source="four-deliberations:representatives",
            quorum="2/3",
            pass_rule=MAJORITY_OF_ATTENDEES,
            on_fail=STOP,
            roles={COMMITTEE},
        ),
        Publication(
            "resolution_notice",
            "决议公开",
            period="5d",
            on_objection="representatives_resolution",
        ),
    ],
    then="implementing",
    stop="rejected",
)

#: 村民会议决议, instead of the representatives: more than half of the adult villagers present
#: (村民委员会组织法 第二十二条), convened by the villagers' committee; it resolves into the same
#: 决议公开.
VILLAGERS_MEETING = GateSequence(
    "four-deliberations-villagers",
    [
        Gate(
            "villagers_meeting",
            "村(居)民会议决议",
            body=VILLAGERS,
            source="four-deliberations:villagers",
            quorum="1/2",
            quorum_strict=True,
            pass_rule=MAJORITY_OF_ATTENDEES,
            on_fail=STOP,
            roles={COMMITTEE},
        )
    ],
    then="resolution_notice",
    stop="rejected",
)

RESULT = GateSequence(
    "four-deliberations-result",
    [
        # publishing the result is the feedback to the villagers (the closed loop's 反馈)
        Publication(
            "result_notice",
            "实施结果公开",
            period="5d",
            on_objection="implementing",
            kind=StateKind.FEEDBACK,
        )
    ],
    then="closed",
    stop="rejected",
)

WORKFLOW = Workflow(
    "four-deliberations",
    label="四议两公开 four deliberations, two disclosures",
    initial="topic",
    states=[
        State("topic", "议题 topic raised", StateKind.OPEN, timeout_exempt=True),
        *DECISION.states,
        *VILLAGERS_MEETING.states,
        State("implementing", "组织实施 implementing", StateKind.PROCESSING, timeout_exempt=True),
        *RESULT.states,
        State("closed", "办结 closed", StateKind.CLOSED),
        State("rejected", "否决 rejected", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "put_on_agenda", "topic", DECISION.entry, roles={BRANCH}, label="列入党支部会议题"
        ),
        *DECISION.transitions,
        Transition(
            "convene_villagers_meeting",
            "representatives_resolution",
            VILLAGERS_MEETING.entry,
            roles={COMMITTEE},
            label="改由村(居)民会议决议",
        ),
        *VILLAGERS_MEETING.transitions,
        Transition(
            "disclose_progress",
            "implementing",
            "implementing",
            roles={COMMITTEE},
            guards="four-deliberations:progress",
            updates=[Update("data", key="progress_disclosed", from_payload="progress")],
            label="实施过程公开",
        ),
        Transition(
            "report_result",
            "implementing",
            RESULT.entry,
            roles={COMMITTEE},
            guards="four-deliberations:process_disclosed",
            label="实施完毕, 公开结果",
        ),
        *RESULT.transitions,
    ],
)


def bodies(
    *,
    branch_committee: Sequence[str],
    village_committee: Sequence[str],
    party_members: Sequence[str],
    representatives: Sequence[str],
    branch_secretary: str,
    committee_director: str,
    villagers: Sequence[str] = (),
) -> dict[str, object]:
    """The ``data["bodies"]`` of a matter: who sits on each of the four meetings.

    The two committees are the branch committee and the villagers' committee together; the
    consultation may merge with the proposal when ``branch_secretary`` is also
    ``committee_director`` (一肩挑). ``villagers`` are the adult villagers (residents) due at a
    村(居)民会议, if the matter may go there.
    """
    two = list(dict.fromkeys([*branch_committee, *village_committee]))
    found: dict[str, object] = {
        BRANCH_COMMITTEE: {"members": list(branch_committee), "chair": branch_secretary},
        TWO_COMMITTEES: {"members": two, "chair": committee_director},
        PARTY_ASSEMBLY: list(party_members),
        REPRESENTATIVES: list(representatives),
    }
    if villagers:
        found[VILLAGERS] = {"members": list(villagers), "chair": committee_director}
    return found


def village_of(org: OrgGraph, unit_id: str) -> str | None:
    """The administrative village (or community) ``unit_id`` lies in, itself if it is one."""
    return next((u.id for u in org.chain(unit_id) if u.kind in VILLAGE_KINDS), None)


def _party_of(issue: Issue, org: OrgGraph) -> tuple[str, str] | None:
    village = None if issue.location is None else village_of(org, issue.location)
    party = None if village is None else org.party_unit_for(village)
    return None if village is None or party is None else (village, party.id)


def two_committees_body(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:
    """两委会: the branch committee and the villagers' committee (the village's posts but its
    representatives'); the director chairs."""
    found = _party_of(issue, org)
    if found is None:
        return None
    village, party = found
    branch = unit_composition(org, party, body.member_role)
    committee = [p.person.id for p in org.members(village) if p.role != REPRESENTATIVE]
    members = tuple(dict.fromkeys([*branch.members, *committee]))
    return Composition(members, unit_composition(org, village, None, COMMITTEE).chair)


def party_members_body(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:
    """党员大会: the posts of the village's party organization and of the party units under it,
    and the party members living in the village."""
    found = _party_of(issue, org)
    if found is None:
        return None
    village, party = found
    members: dict[str, None] = {}
    for unit in [party, *(u.id for u in org.units(under=party))]:
        members.update(dict.fromkeys(unit_composition(org, unit, body.member_role).members))
    places = {village, *(u.id for u in org.units(under=village))}
    for person in org.people.values():
        if person.party_member and person.home_unit in places:
            members[person.id] = None
    chair = unit_composition(org, party, None, BRANCH).chair
    return Composition(tuple(members), chair)


def representatives_body(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:
    """村民代表会议: the holders of the representative post (or the body's ``member_role``) in
    the village."""
    found = _party_of(issue, org)
    if found is None:
        return None
    village, _ = found
    reps = unit_composition(org, village, body.member_role or REPRESENTATIVE)
    return Composition(reps.members, unit_composition(org, village, None, COMMITTEE).chair)


def villagers_body(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:  # noqa: ARG001
    """村(居)民会议: everyone the graph records as living in the village (community) or in a unit
    below it; the director chairs. The graph is taken to record adults (18+) only: ages are
    not checked (a default)."""
    found = _party_of(issue, org)
    if found is None:
        return None
    village, _ = found
    places = {village, *(u.id for u in org.units(under=village))}
    members = tuple(p.id for p in org.people.values() if p.home_unit in places)
    return Composition(members, unit_composition(org, village, None, COMMITTEE).chair)


def progress_given(context: MoveContext) -> bool:
    """实施过程公开 says what was done so far (a non-empty ``progress``)."""
    progress = context.payload.get("progress")
    return isinstance(progress, str) and bool(progress.strip())


def process_disclosed(context: MoveContext) -> bool:
    """The result may be reported only after the process was disclosed at least once."""
    return bool(context.issue.data.get("progress_disclosed"))


@hookimpl
def govflow_body_resolvers() -> Mapping[str, Any]:
    return {
        "four-deliberations:two_committees": two_committees_body,
        "four-deliberations:party_members": party_members_body,
        "four-deliberations:representatives": representatives_body,
        "four-deliberations:villagers": villagers_body,
    }


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """This method\'s part in a simulated season (``govflow simulate``)."""
    from govflow_four_deliberations.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        **DECISION.guards(),
        **VILLAGERS_MEETING.guards(),
        **RESULT.guards(),
        "four-deliberations:progress": progress_given,
        "four-deliberations:process_disclosed": process_disclosed,
    }


__all__ = [
    "BRANCH",
    "COMMITTEE",
    "DECISION",
    "REPRESENTATIVE",
    "RESULT",
    "RULES",
    "VILLAGERS",
    "VILLAGERS_MEETING",
    "VILLAGE_KINDS",
    "WORKFLOW",
    "PublicRecord",
    "bodies",
    "govflow_guards",
    "govflow_workflows",
    "party_members_body",
    "process_disclosed",
    "progress_given",
    "public_record",
    "representatives_body",
    "two_committees_body",
    "village_of",
    "villagers_body",
]
