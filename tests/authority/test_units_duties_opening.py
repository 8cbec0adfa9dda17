"""Units act through their people; separation of duties by person; conflicts of interest;
opening is authorized (issue 9, items 3, 4 and 6)."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from govflow import Engine, ManualClock, OrgGraph, Transition, Workflow
from govflow.audit import recompute_hash
from govflow.builtin.closed_loop import CLOSED_LOOP
from govflow.errors import InvalidRequestError, PermissionDeniedError, PluginError
from govflow.store.sql import SQLStore

from ..conftest import START


def _to_police(engine: Engine, location: str = "g1") -> str:
    issue = engine.open("closed-loop", reporter="resident-wang", location=location)
    engine.fire(issue.id, "file", actor="op")
    engine.fire(issue.id, "dispatch", actor="op", payload={"assignees": ["police"]})
    return issue.id


def test_a_units_staff_act_for_it_and_the_event_records_both(district: Engine) -> None:
    """派出所: anyone holding a post there may report the unit's work; the log says who and for
    which unit."""
    issue_id = _to_police(district)
    event = district.fire(issue_id, "finish", actor="officer-sun")
    assert (event.actor, event.acting_for) == ("officer-sun", "police")
    assert district.get(issue_id).handlers == ("officer-sun", "police")
    assert district.verify(issue_id) == 4


def test_someone_outside_the_assigned_unit_may_not_act_for_it(district: Engine) -> None:
    issue_id = _to_police(district)
    with pytest.raises(PermissionDeniedError) as refused:
        district.fire(issue_id, "finish", actor="w1")
    assert refused.value.missing_relation == "assignee"
    assert district.get(issue_id).state == "handling"


def test_assignments_to_persons_keep_working(district: Engine) -> None:
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    district.fire(issue.id, "file", actor="op")
    district.fire(issue.id, "dispatch", actor="op")  # routed to g1's grid worker
    event = district.fire(issue.id, "finish", actor="w1")
    assert (event.actor, event.acting_for) == ("w1", None)


def test_acting_for_is_covered_by_the_hash(district: Engine) -> None:
    issue_id = _to_police(district)
    event = district.fire(issue_id, "finish", actor="officer-sun")
    assert recompute_hash(event) == event.hash
    forged = attrs.evolve(event, acting_for="c1")
    assert recompute_hash(forged) != event.hash


def test_the_sql_store_keeps_the_unit_acted_for(org: OrgGraph, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'authority.sqlite3'}"
    with SQLStore(url) as store:
        engine = Engine(org=org, store=store, clock=ManualClock(START), autoload=False)
        issue_id = _to_police(engine)
        engine.fire(issue_id, "finish", actor="officer-sun")
    with SQLStore(url, create=False) as again:
        reread = Engine(org=org, store=again, clock=ManualClock(START), autoload=False)
        assert reread.history(issue_id)[-1].acting_for == "police"
        assert reread.verify(issue_id) == 4


def test_one_person_under_a_second_id_does_not_evaluate_their_own_work(district: Engine) -> None:
    """李警官 handled it; signing in with the app account ``li-app`` is still 李警官."""
    issue = district.open("closed-loop", reporter="resident-wang", location="g1")
    district.fire(issue.id, "file", actor="op")
    district.fire(issue.id, "dispatch", actor="op", payload={"assignees": ["officer-li"]})
    assert district.fire(issue.id, "finish", actor="li-app").actor == "officer-li"
    # the inspector's own post is needed to verify; give li one to show the person is refused
    assert district.org is not None
    district.org.assign("officer-li", "s1", "inspector")
    with pytest.raises(PermissionDeniedError, match="did not handle") as refused:
        district.fire(issue.id, "verify", actor="li-app")
    assert refused.value.actor == "officer-li"
    assert district.get(issue.id).state == "fed_back"
    assert district.fire(issue.id, "verify", actor="insp").destination == "evaluating"


def _verified_by_another_unit() -> Workflow:
    moves = [
        t
        if t.trigger != "verify"
        else Transition(
            "verify",
            "fed_back",
            "evaluating",
            roles={"inspector", "officer"},
            evaluation=True,
            conflicts={"handling_unit"},
        )
        for t in CLOSED_LOOP.transitions
    ]
    return Workflow("checked-loop", CLOSED_LOOP.states, moves, initial=CLOSED_LOOP.initial)


def test_a_verifier_may_not_belong_to_the_unit_that_handled_the_issue(org: OrgGraph) -> None:
    """A conflict-of-interest rule: the 派出所 does not verify its own work, not even through a
    colleague of the officer who did it."""
    flow = _verified_by_another_unit()
    engine = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[flow])
    org.assign("officer-sun", "s1", "inspector")  # a colleague who also inspects for the street
    issue = engine.open(flow.name, reporter="resident-wang", location="g1")
    engine.fire(issue.id, "file", actor="op")
    engine.fire(issue.id, "dispatch", actor="op", payload={"assignees": ["police"]})
    engine.fire(issue.id, "finish", actor="officer-li")
    with pytest.raises(PermissionDeniedError) as refused:
        engine.fire(issue.id, "verify", actor="officer-sun")
    assert refused.value.conflict == "handling_unit"
    assert "'police'" in str(refused.value)
    assert engine.get(issue.id).state == "fed_back"
    assert engine.fire(issue.id, "verify", actor="insp").destination == "evaluating"


def test_a_workflow_naming_an_unknown_conflict_rule_is_refused(org: OrgGraph) -> None:
    broken = Workflow(
        "broken",
        CLOSED_LOOP.states,
        [
            *CLOSED_LOOP.transitions[:1],
            Transition("cancel", "collected", "cancelled", conflicts={"no-such-rule"}),
            *CLOSED_LOOP.transitions[2:],
        ],
        initial=CLOSED_LOOP.initial,
    )
    with pytest.raises(PluginError, match="no-such-rule"):
        Engine(org=org, autoload=False, workflows=[broken])


# --- opening ---------------------------------------------------------------------------------


def test_any_resident_opens_a_complaint_and_stays_its_reporter(district: Engine) -> None:
    issue = district.open("closed-loop", reporter="resident-wang", location="g1", channel="app")
    [opened] = district.history(issue.id)
    assert (opened.actor, issue.reporter) == ("resident-wang", "resident-wang")
    assert dict(opened.payload) == {"channel": "app"}


def test_an_operator_opening_for_a_caller_is_recorded_as_such(district: Engine) -> None:
    """12345: the operator takes the call; the caller stays the reporter."""
    issue = district.open(
        "closed-loop",
        reporter="resident-wang",
        opened_by="op",
        channel="hotline",
        location="g1",
    )
    [opened] = district.history(issue.id)
    assert opened.actor == "op"
    assert issue.reporter == "resident-wang"
    assert dict(opened.payload) == {"channel": "hotline", "on_behalf_of": "resident-wang"}
    assert district.verify(issue.id) == 1


def test_opening_for_someone_else_needs_a_proxy_post_at_the_place(district: Engine) -> None:
    with pytest.raises(PermissionDeniedError, match="on behalf of someone else") as refused:
        district.open("closed-loop", reporter="resident-wang", opened_by="clerk-c2", location="g1")
    assert refused.value.trigger == "open"
    assert refused.value.scope == "location"
    with pytest.raises(PermissionDeniedError):
        district.open("closed-loop", reporter="resident-wang", opened_by="resident-li")
    assert list(district.issues()) == []
    # a grid worker on patrol records what a resident told them, in their own grid
    patrol = district.open(
        "closed-loop", reporter="resident-wang", opened_by="w1", channel="patrol", location="g1"
    )
    assert district.history(patrol.id)[0].actor == "w1"


def test_a_workflow_says_who_opens_it_and_through_which_channels(org: OrgGraph) -> None:
    """两委提事: only the two committees table a matter, in person."""
    data = CLOSED_LOOP.to_dict()
    data.update(
        name="tabled",
        opening={"roles": ["secretary"], "channels": ["in_person"]},
    )
    flow = Workflow.from_dict(data)
    engine = Engine(org=org, clock=ManualClock(START), autoload=False, workflows=[flow])
    with pytest.raises(PermissionDeniedError, match="needs one of the roles \\['secretary'\\]"):
        engine.open("tabled", reporter="resident-wang", location="g1", channel="in_person")
    with pytest.raises(PermissionDeniedError, match="accepts \\['in_person'\\]"):
        engine.open("tabled", reporter="zhao", location="g1", channel="app")
    with pytest.raises(InvalidRequestError, match="unknown channel"):
        engine.open("tabled", reporter="zhao", location="g1", channel="pigeon")
    assert list(engine.issues()) == []
    assert engine.open("tabled", reporter="zhao", location="g1", channel="in_person").version == 0
