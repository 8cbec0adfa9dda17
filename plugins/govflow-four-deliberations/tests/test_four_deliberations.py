"""四议两公开, step by step: a village decides to harden a road that links two natural villages.

Every test goes through the installed plugin (the ``govflow`` entry point), as a deployment
would, and drives the matter only through govflow's public API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from govflow_four_deliberations import (
    DECISION,
    RULES,
    VILLAGERS_MEETING,
    WORKFLOW,
    bodies,
    public_record,
)

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import GuardFailedError, PermissionDeniedError, TransitionNotAllowedError
from govflow.metrics import Ratio, compute

START = datetime(2026, 4, 1, 9, tzinfo=UTC)

# 书记、主任"一肩挑": the branch secretary also directs the villagers' committee.
# Without an org graph a claimed post counts (the org-based form: tests/test_composition_bengbu.py)
SECRETARY = Actor("secretary-wang", roles={"secretary", "director"})
BRANCH_COMMITTEE = ["secretary-wang", "deputy-li", "member-zhao"]
VILLAGE_COMMITTEE = ["secretary-wang", "director-deputy-sun", "accountant-qian"]
PARTY_MEMBERS = [*BRANCH_COMMITTEE, *(f"party-member-{i}" for i in range(1, 10))]  # 12
REPRESENTATIVES = [f"representative-{i}" for i in range(1, 16)]  # 15
VILLAGER = Actor("villager-chen")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock) -> Engine:
    # govflow.testing's engine (its moves count towards --govflow-coverage), with installed
    # plugins autoloaded: the plugin is found through its entry point.
    return govflow_engine(autoload=True, clock=clock)


def _matter(
    engine: Engine, *, one_person_chairs_both: bool = True, villagers: Sequence[str] = ()
) -> str:
    composition = bodies(
        branch_committee=BRANCH_COMMITTEE,
        village_committee=VILLAGE_COMMITTEE,
        party_members=PARTY_MEMBERS,
        representatives=REPRESENTATIVES,
        branch_secretary="secretary-wang",
        committee_director="secretary-wang" if one_person_chairs_both else "director-deputy-sun",
        villagers=villagers,
    )
    issue = engine.open(
        "four-deliberations",
        reporter=VILLAGER,
        data={"subject": "硬化连接两个自然村的道路", "bodies": composition},
    )
    engine.fire(issue.id, "put_on_agenda", actor=SECRETARY)
    return issue.id


def _propose(engine: Engine, issue_id: str) -> None:
    DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=BRANCH_COMMITTEE, votes_for=BRANCH_COMMITTEE
    )


def _consult(engine: Engine, issue_id: str) -> None:
    two = list(dict.fromkeys([*BRANCH_COMMITTEE, *VILLAGE_COMMITTEE]))
    DECISION.record_vote(engine, issue_id, actor=SECRETARY, attendees=two, votes_for=two)


def _review(engine: Engine, issue_id: str) -> None:
    DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=PARTY_MEMBERS[:9], votes_for=PARTY_MEMBERS[:7]
    )


def _resolve(engine: Engine, issue_id: str) -> None:
    DECISION.record_vote(
        engine,
        issue_id,
        actor=SECRETARY,
        attendees=REPRESENTATIVES[:12],
        votes_for=REPRESENTATIVES[:8],
        against=REPRESENTATIVES[8:10],
        abstain=REPRESENTATIVES[10:12],
    )


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("four-deliberations")
    assert "four-deliberations" in engine.workflows
    assert engine.plugins.ref("four-deliberations").version == "0.1.0"


def test_four_deliberations_then_two_disclosures_in_order(
    engine: Engine, clock: ManualClock
) -> None:
    """党支部会提议 → 两委会商议 → 党员大会审议 → 村民代表会议决议 → 决议公开 → 实施 → 结果公开."""
    issue_id = _matter(engine)
    _propose(engine, issue_id)
    assert engine.get(issue_id).state == "committees_consultation"
    _consult(engine, issue_id)
    assert engine.get(issue_id).state == "assembly_review"
    _review(engine, issue_id)
    assert engine.get(issue_id).state == "representatives_resolution"
    _resolve(engine, issue_id)
    assert engine.get(issue_id).state == "resolution_notice"
    clock.advance(days=5)
    engine.tick()
    assert engine.get(issue_id).state == "implementing"
    engine.fire(issue_id, "disclose_progress", actor=SECRETARY, payload={"progress": "路基完工"})
    engine.fire(issue_id, "report_result", actor=SECRETARY, payload={"spent": 182000})
    assert engine.get(issue_id).state == "result_notice"
    clock.advance(days=5)
    engine.tick()
    assert engine.get(issue_id).state == "closed"
    history = engine.history(issue_id)
    assert [e.trigger for e in history] == [
        "open",
        "put_on_agenda",
        "pass_branch_proposal",
        "pass_committees_consultation",
        "pass_assembly_review",
        "pass_representatives_resolution",
        "publicize_resolution_notice",
        "disclose_progress",
        "report_result",
        "publicize_result_notice",
    ]
    assert all(e.plugin is not None and e.plugin.name == "four-deliberations" for e in history)
    # attendance and ballots are in the record
    resolution = history[5]
    assert resolution.payload["attendees"] == sorted(REPRESENTATIVES[:12])
    assert len(resolution.payload["for"]) == 8
    assert engine.verify(issue_id) == len(history)


@pytest.mark.parametrize(
    "trigger",
    [
        "pass_committees_consultation",
        "pass_assembly_review",
        "pass_representatives_resolution",
        "publicize_resolution_notice",
        "report_result",
    ],
)
def test_no_step_can_be_skipped(engine: Engine, trigger: str) -> None:
    issue_id = _matter(engine)
    with pytest.raises(TransitionNotAllowedError):
        engine.fire(issue_id, trigger, actor=SECRETARY, payload={"outcome": "passed"})


def test_the_resolution_notice_cannot_be_cut_short(engine: Engine, clock: ManualClock) -> None:
    issue_id = _matter(engine)
    for step in (_propose, _consult, _review, _resolve):
        step(engine, issue_id)
    clock.advance(days=4, hours=23)
    assert engine.tick() == []
    with pytest.raises(TransitionNotAllowedError):
        engine.fire(issue_id, "report_result", actor=SECRETARY)


def test_consultation_merges_with_the_proposal_when_one_person_chairs_both(
    engine: Engine,
) -> None:
    issue_id = _matter(engine, one_person_chairs_both=True)
    two = list(dict.fromkeys([*BRANCH_COMMITTEE, *VILLAGE_COMMITTEE]))
    event = DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=two, votes_for=two, merged=True
    )
    assert (event.source, event.destination) == ("branch_proposal", "assembly_review")


def test_no_joint_meeting_when_two_people_chair_the_committees(engine: Engine) -> None:
    issue_id = _matter(engine, one_person_chairs_both=False)
    two = list(dict.fromkeys([*BRANCH_COMMITTEE, *VILLAGE_COMMITTEE]))
    with pytest.raises(GuardFailedError):
        DECISION.record_vote(
            engine, issue_id, actor=SECRETARY, attendees=two, votes_for=two, merged=True
        )
    assert engine.get(issue_id).state == "branch_proposal"


def test_a_failed_branch_proposal_stops_the_matter(engine: Engine) -> None:
    issue_id = _matter(engine)
    event = DECISION.record_vote(
        engine,
        issue_id,
        actor=SECRETARY,
        attendees=BRANCH_COMMITTEE,
        votes_for=["secretary-wang"],
        against=["deputy-li", "member-zhao"],
    )
    assert (event.trigger, event.destination) == ("fail_branch_proposal", "rejected")


def test_a_failed_consultation_returns_to_the_branch(engine: Engine) -> None:
    issue_id = _matter(engine)
    _propose(engine, issue_id)
    two = list(dict.fromkeys([*BRANCH_COMMITTEE, *VILLAGE_COMMITTEE]))
    event = DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=two, votes_for=two[:2], against=two[2:]
    )
    assert (event.trigger, event.destination) == ("fail_committees_consultation", "branch_proposal")


def test_party_assembly_needs_two_thirds_present(engine: Engine) -> None:
    """Quorum: 8 of 12 members attend (two thirds) -- 7 present is not enough."""
    issue_id = _matter(engine)
    _propose(engine, issue_id)
    _consult(engine, issue_id)
    event = DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=PARTY_MEMBERS[:7], votes_for=PARTY_MEMBERS[:7]
    )
    assert (event.trigger, event.destination) == ("adjourn_assembly_review", "assembly_review")


def test_party_assembly_passes_only_with_more_than_half_of_all_members(engine: Engine) -> None:
    """6 of 12 members for is half, not more than half -- even though 6 of 9 present is."""
    issue_id = _matter(engine)
    _propose(engine, issue_id)
    _consult(engine, issue_id)
    event = DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=PARTY_MEMBERS[:9], votes_for=PARTY_MEMBERS[:6]
    )
    assert (event.trigger, event.destination) == ("fail_assembly_review", "branch_proposal")


def test_a_failed_representatives_resolution_stops_the_matter(engine: Engine) -> None:
    issue_id = _matter(engine)
    for step in (_propose, _consult, _review):
        step(engine, issue_id)
    event = DECISION.record_vote(
        engine,
        issue_id,
        actor=SECRETARY,
        attendees=REPRESENTATIVES[:10],
        votes_for=REPRESENTATIVES[:5],
        against=REPRESENTATIVES[5:10],
    )
    assert (event.trigger, event.destination) == ("fail_representatives_resolution", "rejected")


def test_an_objection_to_the_resolution_returns_it_to_the_representatives(
    engine: Engine,
) -> None:
    issue_id = _matter(engine)
    for step in (_propose, _consult, _review, _resolve):
        step(engine, issue_id)
    with pytest.raises(GuardFailedError):  # an objection gives its reason
        engine.fire(issue_id, "object_resolution_notice", actor=VILLAGER, payload={"reason": ""})
    event = engine.fire(
        issue_id, "object_resolution_notice", actor=VILLAGER, payload={"reason": "预算未公开明细"}
    )
    assert event.destination == "representatives_resolution"


def test_an_objection_to_the_result_returns_it_to_implementation(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _matter(engine)
    for step in (_propose, _consult, _review, _resolve):
        step(engine, issue_id)
    clock.advance(days=5)
    engine.tick()
    engine.fire(issue_id, "disclose_progress", actor=SECRETARY, payload={"progress": "已开工"})
    engine.fire(issue_id, "report_result", actor=SECRETARY)
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "object_result_notice", actor=VILLAGER)
    event = engine.fire(
        issue_id, "object_result_notice", actor=VILLAGER, payload={"reason": "路面宽度不足"}
    )
    assert event.destination == "implementing"


def test_only_the_branch_records_the_branch_meetings(engine: Engine) -> None:
    issue_id = _matter(engine)
    with pytest.raises(PermissionDeniedError):
        DECISION.record_vote(
            engine,
            issue_id,
            actor=Actor("director-deputy-sun", roles={"director"}),
            attendees=BRANCH_COMMITTEE,
            votes_for=BRANCH_COMMITTEE,
        )


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "四议两公开" in readme


# --- every gate, every way a meeting can go wrong -------------------------------------------

GATES = {
    # gate: (the steps that lead to it, the members due at it)
    "branch_proposal": ((), BRANCH_COMMITTEE),
    "committees_consultation": (
        (_propose,),
        list(dict.fromkeys([*BRANCH_COMMITTEE, *VILLAGE_COMMITTEE])),
    ),
    "assembly_review": ((_propose, _consult), PARTY_MEMBERS),
    "representatives_resolution": ((_propose, _consult, _review), REPRESENTATIVES),
}


def _at_gate(engine: Engine, gate: str) -> tuple[str, list[str]]:
    issue_id = _matter(engine, one_person_chairs_both=False)
    steps, members = GATES[gate]
    for step in steps:
        step(engine, issue_id)
    assert engine.get(issue_id).state == gate
    return issue_id, members


def _meeting(gate: str, attendees: list[str], votes_for: list[str]) -> dict[str, object]:
    against = [m for m in attendees if m not in votes_for]
    return {
        "gate": gate,
        "attendees": sorted(attendees),
        "for": sorted(votes_for),
        "against": sorted(against),
        "abstain": [],
    }


@pytest.mark.parametrize("gate", sorted(GATES))
def test_a_meeting_without_quorum_adjourns_and_the_matter_waits(engine: Engine, gate: str) -> None:
    issue_id, members = _at_gate(engine, gate)
    event = DECISION.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=members[:1], votes_for=members[:1]
    )
    assert event.trigger == f"adjourn_{gate}"
    assert event.payload["attendees"] == members[:1]
    assert engine.get(issue_id).state == gate  # 不得跳过: it meets again, nothing moves on


@pytest.mark.parametrize("gate", sorted(GATES))
def test_a_wrong_outcome_claimed_for_a_meeting_is_refused(engine: Engine, gate: str) -> None:
    """The guards recount every ballot: claiming a pass for a failed vote, a failure for a
    passed one, or an adjournment for a quorate meeting changes nothing."""
    issue_id, members = _at_gate(engine, gate)
    before = (engine.get(issue_id), engine.history(issue_id))
    unanimous = _meeting(gate, members, members)
    rejected = _meeting(gate, members, [])
    for trigger, meeting in (
        (f"pass_{gate}", rejected),
        (f"fail_{gate}", unanimous),
        (f"adjourn_{gate}", unanimous),
    ):
        with pytest.raises(GuardFailedError):
            engine.fire(issue_id, trigger, actor=SECRETARY, payload=meeting)
    assert (engine.get(issue_id), engine.history(issue_id)) == before


@pytest.mark.parametrize("gate", sorted(GATES))
def test_only_the_convener_records_a_gate_meeting(engine: Engine, gate: str) -> None:
    issue_id, members = _at_gate(engine, gate)
    for trigger, votes_for, present in (
        (f"pass_{gate}", members, members),
        (f"fail_{gate}", [], members),
        (f"adjourn_{gate}", [], members[:1]),
    ):
        with pytest.raises(PermissionDeniedError):
            engine.fire(
                issue_id, trigger, actor=VILLAGER, payload=_meeting(gate, present, votes_for)
            )
    if gate == "branch_proposal":  # the joint meeting with the two committees (一肩挑)
        two = GATES["committees_consultation"][1]
        with pytest.raises(PermissionDeniedError):
            engine.fire(
                issue_id,
                "merge_committees_consultation",
                actor=VILLAGER,
                payload={**_meeting(gate, two, two), "gate": f"{gate}+committees_consultation"},
            )
    assert engine.get(issue_id).state == gate


def test_a_matter_run_on_time_is_100_percent_on_time(engine: Engine, clock: ManualClock) -> None:
    """The clock passes both notice periods; that is the method working, not lateness."""
    issue_id = _matter(engine)
    for step in (_propose, _consult, _review, _resolve):
        step(engine, issue_id)
    clock.advance(days=5)
    engine.tick()  # 决议公开 period passed by the clock
    engine.fire(issue_id, "disclose_progress", actor=SECRETARY, payload={"progress": "已开工"})
    engine.fire(issue_id, "report_result", actor=SECRETARY, payload={"spent": 182000})
    clock.advance(days=5)
    engine.tick()  # 结果公开 period passed by the clock
    assert engine.get(issue_id).state == "closed"
    report = compute(engine, ["completion", "on_time"])
    assert report.total["completion"] == Ratio(1, 1)
    assert report.total["on_time"] == Ratio(1, 1)
    assert report.total["on_time"].percent() == "100.00 %"


# --- 村民会议 instead of the representatives ------------------------------------------------

VILLAGERS = [f"villager-{i}" for i in range(1, 21)]  # 20 adult villagers


def _at_resolution(engine: Engine) -> str:
    issue_id = _matter(engine, villagers=VILLAGERS)
    for step in (_propose, _consult, _review):
        step(engine, issue_id)
    return issue_id


def test_the_villagers_meeting_may_resolve_instead_of_the_representatives(
    engine: Engine, clock: ManualClock
) -> None:
    """村民会议或者村民代表会议决议: the committee convenes the 村民会议 instead."""
    issue_id = _at_resolution(engine)
    engine.fire(issue_id, "convene_villagers_meeting", actor=SECRETARY)
    assert engine.get(issue_id).state == "villagers_meeting"
    event = VILLAGERS_MEETING.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=VILLAGERS[:11], votes_for=VILLAGERS[:6]
    )
    assert (event.trigger, event.destination) == ("pass_villagers_meeting", "resolution_notice")
    clock.advance(days=5)
    engine.tick()
    assert engine.get(issue_id).state == "implementing"


def test_a_villagers_meeting_needs_more_than_half_of_the_villagers(engine: Engine) -> None:
    """村民委员会组织法 第二十二条: 过半数 -- 10 of 20 present is not enough, 11 is."""
    issue_id = _at_resolution(engine)
    engine.fire(issue_id, "convene_villagers_meeting", actor=SECRETARY)
    event = VILLAGERS_MEETING.record_vote(
        engine, issue_id, actor=SECRETARY, attendees=VILLAGERS[:10], votes_for=VILLAGERS[:10]
    )
    assert (event.trigger, event.destination) == ("adjourn_villagers_meeting", "villagers_meeting")
    event = VILLAGERS_MEETING.record_vote(
        engine,
        issue_id,
        actor=SECRETARY,
        attendees=VILLAGERS[:11],
        votes_for=VILLAGERS[:5],
        against=VILLAGERS[5:11],
    )
    assert (event.trigger, event.destination) == ("fail_villagers_meeting", "rejected")


def test_only_the_villagers_committee_convenes_the_villagers_meeting(engine: Engine) -> None:
    issue_id = _at_resolution(engine)
    branch_only = Actor("deputy-li", roles={"secretary"})
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "convene_villagers_meeting", actor=branch_only)
    engine.fire(issue_id, "convene_villagers_meeting", actor=SECRETARY)
    for trigger, present, votes_for in (
        ("pass_villagers_meeting", VILLAGERS, VILLAGERS),
        ("fail_villagers_meeting", VILLAGERS, []),
        ("adjourn_villagers_meeting", VILLAGERS[:2], []),
    ):
        with pytest.raises(PermissionDeniedError):
            engine.fire(
                issue_id,
                trigger,
                actor=branch_only,
                payload=_meeting("villagers_meeting", present, votes_for),
            )
    for trigger, meeting in (
        ("pass_villagers_meeting", _meeting("villagers_meeting", VILLAGERS, [])),
        ("fail_villagers_meeting", _meeting("villagers_meeting", VILLAGERS, VILLAGERS)),
        ("adjourn_villagers_meeting", _meeting("villagers_meeting", VILLAGERS, VILLAGERS)),
    ):
        with pytest.raises(GuardFailedError):
            engine.fire(issue_id, trigger, actor=SECRETARY, payload=meeting)
    assert engine.get(issue_id).state == "villagers_meeting"


# --- the process is public, not only the result ---------------------------------------------


def test_the_result_waits_for_the_process_to_be_disclosed(
    engine: Engine, clock: ManualClock
) -> None:
    """实施过程公开: no result is published before the progress has been."""
    issue_id = _matter(engine)
    for step in (_propose, _consult, _review, _resolve):
        step(engine, issue_id)
    clock.advance(days=5)
    engine.tick()
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "report_result", actor=SECRETARY)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "report_result", actor=VILLAGER)
    with pytest.raises(GuardFailedError):  # a disclosure says what was done
        engine.fire(issue_id, "disclose_progress", actor=SECRETARY, payload={"progress": " "})
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "disclose_progress", actor=VILLAGER, payload={"progress": "完工"})
    engine.fire(issue_id, "disclose_progress", actor=SECRETARY, payload={"progress": "路基完工"})
    engine.fire(issue_id, "disclose_progress", actor=SECRETARY, payload={"progress": "路面完工"})
    engine.fire(issue_id, "report_result", actor=SECRETARY, payload={"spent": 182000})
    record = public_record(engine, issue_id)
    assert [p for _, p in record.progress] == ["路基完工", "路面完工"]
    assert record.result == {"spent": 182000}


def test_the_public_record_shows_every_meeting_with_its_counts(engine: Engine) -> None:
    issue_id = _matter(engine, one_person_chairs_both=False)
    DECISION.record_vote(  # inquorate: the branch meets again
        engine, issue_id, actor=SECRETARY, attendees=BRANCH_COMMITTEE[:1], votes_for=[]
    )
    for step in (_propose, _consult, _review, _resolve):
        step(engine, issue_id)
    engine.fire(
        issue_id, "object_resolution_notice", actor=VILLAGER, payload={"reason": "预算未公开明细"}
    )
    record = public_record(engine, issue_id)
    assert record.subject == "硬化连接两个自然村的道路"
    assert [(m.gate, m.outcome) for m in record.meetings] == [
        ("branch_proposal", "inquorate"),
        ("branch_proposal", "passed"),
        ("committees_consultation", "passed"),
        ("assembly_review", "passed"),
        ("representatives_resolution", "passed"),
    ]
    resolution = record.meetings[-1]
    assert (resolution.due, resolution.attended, resolution.votes_for) == (15, 12, 8)
    assert (resolution.against, resolution.abstain) == (2, 2)
    assert [reason for _, reason in record.objections] == ["预算未公开明细"]
    assert record.state == "representatives_resolution"


def test_the_readme_cites_or_marks_every_rule() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert rule in readme


# --- in a community, with the bodies from the org graph -------------------------------------

COMMUNITY = "340303001001"  # 喻义巷社区


def _community() -> OrgGraph:
    org = OrgGraph()
    org.add_unit("340303001000", "street", "天桥街道")
    org.add_unit(COMMUNITY, "community", "喻义巷社区", parent="340303001000")
    org.add_unit(f"{COMMUNITY}-A01", "residential_area", "喻义巷小区", parent=COMMUNITY)
    party = org.add_unit(f"{COMMUNITY}/party", "community_party_committee", "喻义巷社区党委")
    org.add_edge("leads", party.id, COMMUNITY)
    org.add_person("c-secretary", "书记", party_member=True)
    org.assign("c-secretary", party.id, "secretary")
    org.add_person("c-deputy", "副书记", party_member=True)
    org.assign("c-deputy", party.id, "deputy_secretary")
    org.add_person("c-director", "主任")
    org.assign("c-director", COMMUNITY, "director")
    for i in range(4):
        org.add_person(f"pm{i}", f"党员{i}", party_member=True, home_unit=f"{COMMUNITY}-A01")
    for i in range(6):
        org.add_person(f"rep{i}", f"居民代表{i}", home_unit=COMMUNITY)
        org.assign(f"rep{i}", COMMUNITY, "representative")
    for i in range(5):
        org.add_person(f"res{i}", f"居民{i}", home_unit=f"{COMMUNITY}-A01")
    return org


def test_a_community_decides_with_its_own_bodies_and_residents_meeting(
    govflow_engine: Callable[..., Engine], clock: ManualClock
) -> None:
    """社区 "报村(社区)党组织, 按照四议两公开制度集中解决": 社区党委 proposes, 社区两委 consult, its
    party members review, and the 居民会议 of everyone living there resolves."""
    org = _community()
    engine = govflow_engine(autoload=True, clock=clock, org=org)
    issue = engine.open(
        "four-deliberations",
        reporter="res0",
        location=f"{COMMUNITY}-A01",  # raised in a residential area: decided by the community
        data={"subject": "小区加装电梯资金分摊"},
    )
    with pytest.raises(PermissionDeniedError):  # a claimed post counts for nothing here
        engine.fire(issue.id, "put_on_agenda", actor=Actor("res1", roles={"secretary"}))
    engine.fire(issue.id, "put_on_agenda", actor="c-secretary")
    data = engine.get(issue.id).data["bodies"]
    assert set(data["branch_committee"]["members"]) == {"c-secretary", "c-deputy"}
    DECISION.record_vote(
        engine,
        issue.id,
        actor="c-secretary",
        attendees=["c-secretary", "c-deputy"],
        votes_for=["c-secretary", "c-deputy"],
    )
    two = engine.get(issue.id).data["bodies"]["two_committees"]
    assert set(two["members"]) == {"c-secretary", "c-deputy", "c-director"}
    assert two["chair"] == "c-director"
    DECISION.record_vote(
        engine, issue.id, actor="c-secretary", attendees=two["members"], votes_for=two["members"]
    )
    assembly = engine.get(issue.id).data["bodies"]["party_assembly"]["members"]
    assert set(assembly) == {"c-secretary", "c-deputy", *(f"pm{i}" for i in range(4))}
    DECISION.record_vote(
        engine, issue.id, actor="c-secretary", attendees=assembly, votes_for=assembly
    )
    assert len(engine.get(issue.id).data["bodies"]["representatives"]["members"]) == 6
    engine.fire(issue.id, "convene_villagers_meeting", actor="c-director")
    residents = engine.get(issue.id).data["bodies"]["villagers"]["members"]
    assert set(residents) == {
        *(f"pm{i}" for i in range(4)),
        *(f"rep{i}" for i in range(6)),
        *(f"res{i}" for i in range(5)),
    }
    event = VILLAGERS_MEETING.record_vote(
        engine, issue.id, actor="c-director", attendees=residents[:8], votes_for=residents[:5]
    )
    assert event.destination == "resolution_notice"
