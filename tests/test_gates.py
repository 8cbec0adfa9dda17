"""Deliberation gates: tally rules, compiled workflow parts, votes as events, failure paths."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import (
    MAJORITY_OF_MEMBERS,
    STOP,
    Actor,
    Engine,
    Gate,
    GateSequence,
    ManualClock,
    MergeRule,
    PassRule,
    Publication,
    State,
    StateKind,
    Transition,
    Workflow,
)
from govflow.errors import (
    GuardFailedError,
    InvalidRequestError,
    InvalidWorkflowError,
    PermissionDeniedError,
    TransitionNotAllowedError,
)
from govflow.gates import Base, Outcome, tally

CLERK = Actor("clerk", roles={"clerk"})
RESIDENT = Actor("resident-1")
START = datetime(2026, 3, 2, 9, tzinfo=UTC)

# --- tally rules -------------------------------------------------------------------------------


def test_majority_of_attendees_needs_more_than_half_present() -> None:
    members = [f"m{i}" for i in range(9)]
    present = members[:6]
    assert tally(members, present, present[:4]).passed
    assert not tally(members, present, present[:3]).passed  # 3 of 6 is not more than half


def test_majority_of_members_counts_the_absent() -> None:
    members = [f"m{i}" for i in range(9)]
    present = members[:6]
    assert not tally(members, present, present[:4], rule=MAJORITY_OF_MEMBERS).passed
    assert tally(members, present, present[:5], rule=MAJORITY_OF_MEMBERS).passed


def test_inquorate_meeting_neither_passes_nor_fails() -> None:
    members = [f"m{i}" for i in range(9)]
    counted = tally(members, members[:5], members[:5], quorum="2/3")
    assert counted.outcome is Outcome.INQUORATE
    assert tally(members, members[:6], members[:6], quorum="2/3").outcome is Outcome.PASSED


def test_a_strict_quorum_needs_more_than_the_fraction() -> None:
    """过半数 attendance (the 村民会议): half of ten members present is not enough."""
    members = [f"m{i}" for i in range(10)]
    assert tally(members, members[:5], members[:5], quorum="1/2").quorum_met
    strict = tally(members, members[:5], members[:5], quorum="1/2", strict_quorum=True)
    assert strict.outcome is Outcome.INQUORATE
    assert tally(members, members[:6], members[:6], quorum="1/2", strict_quorum=True).passed


@pytest.mark.parametrize(
    ("attendees", "votes_for", "against", "problem"),
    [
        (["stranger"], [], [], "not members due"),
        (["m0"], ["m1"], [], "without attending"),
        (["m0"], ["m0"], ["m0"], "twice"),
        (["m0", "m0"], [], [], "twice"),
        ("m0", [], [], "list of member ids"),
    ],
)
def test_malformed_ballots_are_refused(
    attendees: list[str], votes_for: list[str], against: list[str], problem: str
) -> None:
    with pytest.raises(InvalidRequestError, match=problem):
        tally(["m0", "m1"], attendees, votes_for, against)


def test_a_body_without_members_cannot_vote() -> None:
    with pytest.raises(InvalidRequestError, match="no members"):
        tally([], [], [])


@st.composite
def meetings(draw: st.DrawFn) -> tuple[list[str], list[str], list[str], list[str]]:
    size = draw(st.integers(1, 30))
    members = [f"m{i}" for i in range(size)]
    present = [m for m in members if draw(st.booleans())]
    ballots = [draw(st.sampled_from(["for", "against", "abstain", "none"])) for _ in present]
    votes_for = [m for m, b in zip(present, ballots, strict=True) if b == "for"]
    against = [m for m, b in zip(present, ballots, strict=True) if b == "against"]
    return members, present, votes_for, against


@settings(max_examples=150, deadline=None)
@given(
    meeting=meetings(),
    quorum=st.fractions(0, 1),
    fraction=st.fractions(0, 1),
    base=st.sampled_from(list(Base)),
    strict=st.booleans(),
)
def test_tally_matches_the_rule_as_written(
    meeting: tuple[list[str], list[str], list[str], list[str]],
    quorum: Fraction,
    fraction: Fraction,
    base: Base,
    strict: bool,
) -> None:
    members, present, votes_for, against = meeting
    rule = PassRule(base, fraction, strict=strict)
    counted = tally(members, present, votes_for, against, quorum=quorum, rule=rule)
    # quorum: attendees / members >= quorum, compared exactly in rationals
    assert counted.quorum_met == (Fraction(len(present), len(members)) >= quorum)
    denominator = len(present) if base is Base.ATTENDEES else len(members)
    share = Fraction(len(votes_for), denominator) if denominator else None
    reaches = share is not None and (share > fraction if strict else share >= fraction)
    if denominator == 0:  # nobody present: 0 votes against a base of 0
        reaches = not strict
    assert counted.passed == (counted.quorum_met and reaches)
    # more votes for never turns a pass into a failure (monotone)
    if counted.passed:
        absent_for = [m for m in present if m not in votes_for and m not in against]
        more = tally(members, present, votes_for + absent_for, against, quorum=quorum, rule=rule)
        assert more.passed


# --- a sequence compiled into a workflow -------------------------------------------------------

COUNCIL = [f"c{i}" for i in range(6)]
PARTY = [f"p{i}" for i in range(9)]

SEQUENCE = GateSequence(
    "test-gates",
    [
        Gate("proposal", "提议", body="branch", roles={"clerk"}),
        Gate(
            "consultation",
            "商议",
            body="committees",
            merge=MergeRule.SAME_CHAIR,
            on_fail="proposal",
            roles={"clerk"},
        ),
        Gate(
            "review",
            "审议",
            body="assembly",
            quorum="2/3",
            pass_rule=MAJORITY_OF_MEMBERS,
            on_fail="consultation",
            roles={"clerk"},
        ),
        Publication("notice", "决议公开", period="5d", on_objection="review"),
    ],
    then="carrying_out",
    stop="rejected",
)

WORKFLOW = Workflow(
    "gated",
    states=[
        State("raised", "提出", StateKind.OPEN),
        *SEQUENCE.states,
        State("carrying_out", "实施", StateKind.PROCESSING),
        State("done", "办结", StateKind.CLOSED),
        State("rejected", "否决", StateKind.CANCELLED),
    ],
    transitions=[
        Transition("submit", "raised", SEQUENCE.entry, roles={"clerk"}),
        *SEQUENCE.transitions,
        Transition("finish", "carrying_out", "done"),
    ],
    initial="raised",
)


def _engine() -> tuple[Engine, ManualClock]:
    clock = ManualClock(START)
    engine = Engine(autoload=False, clock=clock, workflows=[WORKFLOW], guards=SEQUENCE.guards())
    return engine, clock


def _open(engine: Engine, *, same_chair: bool = True) -> str:
    bodies = {
        "branch": {"members": PARTY[:3], "chair": "p0"},
        "committees": {
            "members": [*PARTY[:3], *COUNCIL[:2]],
            "chair": "p0" if same_chair else "c0",
        },
        "assembly": PARTY,
    }
    issue = engine.open("gated", reporter=RESIDENT, data={"bodies": bodies})
    engine.fire(issue.id, "submit", actor=CLERK)
    return issue.id


def test_sequence_compiles_to_deliberation_states_and_ordinary_moves() -> None:
    assert [s.kind for s in SEQUENCE.states] == [StateKind.DELIBERATION] * 4
    triggers = {t.trigger for t in SEQUENCE.transitions}
    assert {"pass_proposal", "fail_proposal", "adjourn_proposal", "merge_consultation"} <= triggers
    assert {"publicize_notice", "object_notice"} <= triggers
    assert WORKFLOW.state("notice").time_limit is not None
    assert WORKFLOW.state("proposal").timeout_exempt


def test_votes_pass_each_gate_in_order_and_the_notice_passes_with_time() -> None:
    engine, clock = _engine()
    issue_id = _open(engine)
    event = SEQUENCE.record_vote(
        engine, issue_id, actor=CLERK, attendees=PARTY[:3], votes_for=PARTY[:2], against=["p2"]
    )
    assert (event.trigger, event.destination) == ("pass_proposal", "consultation")
    assert event.payload["attendees"] == PARTY[:3]
    assert event.payload["for"] == PARTY[:2]
    assert event.payload["outcome"] == "passed"
    members = [*PARTY[:3], *COUNCIL[:2]]
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=members, votes_for=members)
    event = SEQUENCE.record_vote(
        engine, issue_id, actor=CLERK, attendees=PARTY[:6], votes_for=PARTY[:5]
    )
    assert event.destination == "notice"
    # the public notice cannot be cut short: no move passes it but the clock
    with pytest.raises(TransitionNotAllowedError):
        engine.fire(issue_id, "finish", actor=CLERK)
    clock.advance(days=4)
    assert engine.tick() == []
    clock.advance(days=1)
    [passed] = engine.tick()
    assert (passed.trigger, passed.destination) == ("publicize_notice", "carrying_out")
    assert engine.verify(issue_id) == 6


def test_no_gate_can_be_skipped() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    for trigger in ("pass_review", "pass_consultation", "publicize_notice"):
        with pytest.raises(TransitionNotAllowedError):
            engine.fire(issue_id, trigger, actor=CLERK, payload={"outcome": "passed"})


def test_a_wrong_outcome_claimed_by_the_caller_is_refused() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    before = engine.history(issue_id)
    payload = {"outcome": "passed", "attendees": PARTY[:3], "for": ["p0"], "against": ["p1"]}
    with pytest.raises(GuardFailedError):  # 1 of 3 is not a majority
        engine.fire(issue_id, "pass_proposal", actor=CLERK, payload=payload)
    assert engine.history(issue_id) == before


def test_only_the_clerk_records_a_vote() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    with pytest.raises(PermissionDeniedError):
        SEQUENCE.record_vote(
            engine, issue_id, actor=RESIDENT, attendees=PARTY[:3], votes_for=PARTY[:3]
        )


def test_failed_first_gate_stops_the_matter() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    event = SEQUENCE.record_vote(
        engine, issue_id, actor=CLERK, attendees=PARTY[:3], votes_for=["p0"], against=PARTY[1:3]
    )
    assert (event.trigger, event.destination) == ("fail_proposal", "rejected")
    assert event.payload["outcome"] == "failed"


def test_failed_review_goes_back_to_consultation() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=PARTY[:3], votes_for=PARTY[:3])
    members = [*PARTY[:3], *COUNCIL[:2]]
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=members, votes_for=members)
    # 8 of 9 attend, 4 for: more than half of those present? no (4/8); of members? no
    event = SEQUENCE.record_vote(
        engine, issue_id, actor=CLERK, attendees=PARTY[:8], votes_for=PARTY[:4]
    )
    assert (event.trigger, event.destination) == ("fail_review", "consultation")


def test_inquorate_meeting_is_recorded_and_the_gate_waits() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=PARTY[:3], votes_for=PARTY[:3])
    members = [*PARTY[:3], *COUNCIL[:2]]
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=members, votes_for=members)
    event = SEQUENCE.record_vote(
        engine, issue_id, actor=CLERK, attendees=PARTY[:5], votes_for=PARTY[:5]
    )
    assert (event.trigger, event.destination) == ("adjourn_review", "review")
    assert event.payload["attendees"] == PARTY[:5]


def test_joint_meeting_when_one_person_chairs_both() -> None:
    engine, _ = _engine()
    issue_id = _open(engine, same_chair=True)
    members = [*PARTY[:3], *COUNCIL[:2]]
    event = SEQUENCE.record_vote(
        engine, issue_id, actor=CLERK, attendees=members, votes_for=members, merged=True
    )
    assert (event.trigger, event.source, event.destination) == (
        "merge_consultation",
        "proposal",
        "review",
    )
    assert event.payload["gate"] == "proposal+consultation"


def test_joint_meeting_is_refused_when_the_chairs_differ() -> None:
    engine, _ = _engine()
    issue_id = _open(engine, same_chair=False)
    members = [*PARTY[:3], *COUNCIL[:2]]
    with pytest.raises(GuardFailedError, match="merged"):
        SEQUENCE.record_vote(
            engine, issue_id, actor=CLERK, attendees=members, votes_for=members, merged=True
        )


def test_objection_during_the_notice_sends_the_matter_back_with_a_reason() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=PARTY[:3], votes_for=PARTY[:3])
    members = [*PARTY[:3], *COUNCIL[:2]]
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=members, votes_for=members)
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=PARTY, votes_for=PARTY)
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "object_notice", actor=RESIDENT)
    event = engine.fire(
        issue_id, "object_notice", actor=RESIDENT, payload={"reason": "公示金额与决议不符"}
    )
    assert event.destination == "review"


def test_record_vote_needs_the_members_due() -> None:
    engine, _ = _engine()
    issue = engine.open("gated", reporter=RESIDENT)
    engine.fire(issue.id, "submit", actor=CLERK)
    with pytest.raises(InvalidRequestError, match="members of body 'branch' are unknown"):
        SEQUENCE.record_vote(engine, issue.id, actor=CLERK, attendees=["p0"], votes_for=["p0"])


def test_record_vote_outside_a_gate_is_refused() -> None:
    engine, _ = _engine()
    issue = engine.open("gated", reporter=RESIDENT)
    with pytest.raises(InvalidRequestError, match="not at a gate"):
        SEQUENCE.record_vote(engine, issue.id, actor=CLERK, attendees=[], votes_for=[])


@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        ([], "needs a step"),
        ([Gate("a"), Gate("a")], "declared twice"),
        ([Gate("a", on_fail="b"), Gate("b")], "earlier step"),
        ([Gate("a", merge="same_members")], "merge only with a gate"),
        ([Publication("p"), Gate("a", merge="same_members")], "merge only with a gate"),
        (
            [Gate("a"), Gate("b", merge="same_chair"), Gate("c", merge="same_chair")],
            "chain of merges",
        ),
    ],
)
def test_malformed_sequences_are_refused(steps: list[Gate | Publication], problem: str) -> None:
    with pytest.raises(InvalidWorkflowError, match=problem):
        GateSequence("bad", steps, then="x", stop=STOP)


def test_quorum_must_be_a_fraction_between_zero_and_one() -> None:
    with pytest.raises(InvalidWorkflowError, match="between 0 and 1"):
        Gate("a", quorum="3/2")
    with pytest.raises(InvalidWorkflowError, match="not a fraction"):
        Gate("a", quorum="most")


def test_joint_meeting_carrying_only_the_first_gate_passes_it_alone() -> None:
    """The branch members vote for, the village committee members against: the proposal passes
    (counted among its own members), the consultation must meet on its own."""
    engine, _ = _engine()
    issue_id = _open(engine, same_chair=True)
    members = [*PARTY[:3], *COUNCIL[:2]]
    event = SEQUENCE.record_vote(
        engine,
        issue_id,
        actor=CLERK,
        attendees=members,
        votes_for=PARTY[:2],
        against=["p2", *COUNCIL[:2]],
        merged=True,
    )
    assert (event.trigger, event.destination) == ("pass_proposal", "consultation")
    assert event.payload["gate"] == "proposal"
    assert event.payload["attendees"] == PARTY[:3]  # only the proposal body's members count
    assert event.payload["against"] == ["p2"]


def test_joint_meeting_failing_the_first_gate_fails_it() -> None:
    engine, _ = _engine()
    issue_id = _open(engine, same_chair=True)
    members = [*PARTY[:3], *COUNCIL[:2]]
    event = SEQUENCE.record_vote(
        engine,
        issue_id,
        actor=CLERK,
        attendees=members,
        votes_for=["p0", *COUNCIL[:2]],
        against=PARTY[1:3],
        merged=True,
    )
    assert (event.trigger, event.destination) == ("fail_proposal", "rejected")


def test_a_body_listed_with_repeats_counts_each_member_once() -> None:
    engine, _ = _engine()
    bodies = {"branch": ["p0", "p1", "p0", "p2"], "committees": PARTY[:3], "assembly": PARTY}
    issue = engine.open("gated", reporter=RESIDENT, data={"bodies": bodies})
    engine.fire(issue.id, "submit", actor=CLERK)
    event = SEQUENCE.record_vote(
        engine, issue.id, actor=CLERK, attendees=PARTY[:2], votes_for=PARTY[:2]
    )
    assert event.trigger == "pass_proposal"


def test_record_vote_merging_where_no_merge_is_allowed_is_refused() -> None:
    engine, _ = _engine()
    issue_id = _open(engine)
    SEQUENCE.record_vote(engine, issue_id, actor=CLERK, attendees=PARTY[:3], votes_for=PARTY[:3])
    with pytest.raises(InvalidRequestError, match="cannot merge"):
        SEQUENCE.record_vote(
            engine, issue_id, actor=CLERK, attendees=PARTY, votes_for=PARTY, merged=True
        )
