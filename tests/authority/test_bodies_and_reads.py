"""Deliberating bodies come from the graph; reads are scoped and personal data is protected
(issue 9, items 5 and 7)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from govflow import (
    Engine,
    Gate,
    GateSequence,
    Guard,
    ManualClock,
    OrgGraph,
    Privacy,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.cli import main
from govflow.errors import InvalidRequestError, PermissionDeniedError
from govflow.store import SQLStore
from govflow.testing.authority import staff

from ..conftest import START

COUNCIL = GateSequence(
    "consult",
    [Gate("deliberation", "居民议事", body="council", source="council", roles={"secretary"})],
    then="decided",
    stop="dropped",
)
CONSULT = Workflow(
    "consult",
    [
        State("raised", kind=StateKind.OPEN),
        *COUNCIL.states,
        State("decided", kind=StateKind.CLOSED),
        State("dropped", kind=StateKind.CANCELLED),
    ],
    [Transition("table", "raised", COUNCIL.entry, roles={"secretary"}), *COUNCIL.transitions],
    initial="raised",
)


class _Consult:
    govflow_name = "consult"

    @hookimpl
    def govflow_workflows(self) -> list[Workflow]:
        return [CONSULT]

    @hookimpl
    def govflow_guards(self) -> Mapping[str, Guard]:
        return COUNCIL.guards()


@pytest.fixture
def consulting(org: OrgGraph) -> Engine:
    council = org.add_unit("c1/council", "residents_council", "喻义巷社区居民议事会")
    org.add_edge("convenes", "c1/party", council.id)
    for i in range(1, 6):
        staff(org, f"councillor-{i}", (council.id, "councillor"))
    return Engine(org=org, clock=ManualClock(START), autoload=False, plugins=[_Consult()])


COUNCILLORS = [f"councillor-{i}" for i in range(1, 6)]


def test_the_body_is_resolved_at_the_location_when_the_gate_opens_and_frozen(
    consulting: Engine,
) -> None:
    issue = consulting.open("consult", reporter="resident-wang", location="g2")
    tabled = consulting.fire(issue.id, "table", actor="zhao")
    frozen = {"members": COUNCILLORS, "source": "council"}
    assert tabled.changes["data"]["bodies"]["council"] == frozen
    # a councillor joining later does not change who was due at a meeting already called
    assert consulting.org is not None
    staff(consulting.org, "late-comer", ("c1/council", "councillor"))
    with pytest.raises(InvalidRequestError, match="not members due"):
        COUNCIL.record_vote(
            consulting, issue.id, actor="zhao", attendees=["late-comer", *COUNCILLORS[:3]]
        )
    voted = COUNCIL.record_vote(
        consulting, issue.id, actor="zhao", attendees=COUNCILLORS[:4], votes_for=COUNCILLORS[:3]
    )
    assert voted.destination == "decided"
    assert consulting.verify(issue.id) == 3


def test_an_opener_may_not_stack_a_body_the_graph_resolves(consulting: Engine) -> None:
    with pytest.raises(PermissionDeniedError, match="may not supply the body 'council'"):
        consulting.open(
            "consult",
            reporter="resident-wang",
            location="g2",
            data={"bodies": {"council": ["resident-wang"]}},
        )
    assert list(consulting.issues()) == []


def test_a_place_without_such_a_body_cannot_open_the_gate(consulting: Engine) -> None:
    assert consulting.org is not None
    staff(consulting.org, "c2-secretary", ("c2", "secretary"))  # 向阳社区 has no council
    issue = consulting.open("consult", reporter="resident-wang", location="g3")
    with pytest.raises(InvalidRequestError, match="no 'council' body"):
        consulting.fire(issue.id, "table", actor="c2-secretary")
    assert consulting.get(issue.id).state == "raised"


def test_a_method_may_allow_a_supplied_body_where_it_says_so(org: OrgGraph) -> None:
    adhoc = GateSequence(
        "adhoc",
        [Gate("g", body="parties", source="council", supplied=True, roles={"secretary"})],
        then="decided",
        stop="dropped",
    )
    flow = Workflow(
        "adhoc",
        [
            State("raised", kind=StateKind.OPEN),
            *adhoc.states,
            State("decided", kind=StateKind.CLOSED),
            State("dropped", kind=StateKind.CANCELLED),
        ],
        [Transition("table", "raised", adhoc.entry, roles={"secretary"}), *adhoc.transitions],
        initial="raised",
    )
    engine = Engine(
        org=org, clock=ManualClock(START), autoload=False, workflows=[flow], guards=adhoc.guards()
    )
    parties = ["property-company", "owners-committee", "zhao"]
    issue = engine.open("adhoc", reporter="r", location="g1", data={"bodies": {"parties": parties}})
    engine.fire(issue.id, "table", actor="zhao")
    event = adhoc.record_vote(engine, issue.id, actor="zhao", attendees=parties, votes_for=parties)
    assert event.destination == "decided"


# --- reads -----------------------------------------------------------------------------------

PERSONAL = {"reporter_name": "王阿姨", "phone": "13800000000", "address": "喻义巷3号"}


def _reported(district: Engine) -> tuple[str, str]:
    mine = district.open(
        "closed-loop",
        reporter="resident-wang",
        location="g1",
        data={"description": "楼道灯坏了", "personal": PERSONAL},
    )
    theirs = district.open("closed-loop", reporter="resident-li", location="g3")
    return mine.id, theirs.id


def test_personal_fields_are_absent_from_default_reads_and_exports(district: Engine) -> None:
    mine, _ = _reported(district)
    assert dict(district.get(mine).data) == {"description": "楼道灯坏了"}
    [opened] = district.history(mine)
    assert "personal" not in opened.changes["data"]
    assert all("personal" not in issue.data for issue in district.issues())
    assert district.verify(mine) == 1  # the store keeps everything; reads leave it out


def test_the_reporter_and_holders_of_the_permission_read_personal_fields(
    district: Engine,
) -> None:
    mine, _ = _reported(district)
    assert district.get(mine, reader="resident-wang").data["personal"] == PERSONAL
    assert "personal" not in district.get(mine, reader="op").data  # an operator, no permission
    assert district.org is not None
    district.org.assign("op", "s1", Privacy().permission)
    assert district.get(mine, reader="op").data["personal"] == PERSONAL
    assert district.history(mine, reader="op")[0].changes["data"]["personal"] == PERSONAL


def test_a_resident_sees_their_own_issues_only(district: Engine) -> None:
    mine, theirs = _reported(district)
    assert [i.id for i in district.issues(visible_to="resident-wang")] == [mine]
    assert [i.id for i in district.issues(visible_to="resident-li")] == [theirs]
    assert [i.id for i in district.issues(visible_to="resident-zhou")] == []


def test_an_official_sees_the_issues_in_their_jurisdiction(district: Engine) -> None:
    mine, theirs = _reported(district)
    assert [i.id for i in district.issues(visible_to="w1")] == [mine]  # 一网格 only
    assert [i.id for i in district.issues(visible_to="w3")] == [theirs]
    assert {i.id for i in district.issues(visible_to="op")} == {mine, theirs}  # the street
    assert [i.id for i in district.issues(visible_to="zhao")] == [mine]  # 喻义巷's 党委
    # what an official sees still leaves the personal fields out
    assert all("personal" not in i.data for i in district.issues(visible_to="op"))


def test_an_assigned_unit_sees_its_issue(district: Engine) -> None:
    _, theirs = _reported(district)
    district.fire(theirs, "file", actor="op")
    district.fire(theirs, "dispatch", actor="op", payload={"assignees": ["police"]})
    assert [i.id for i in district.issues(visible_to="officer-sun")] == [theirs]


def test_govflow_history_exports_no_personal_fields(tmp_path: Path) -> None:
    """The command line reads through the engine: an export leaves the reporter's contact out."""
    path = tmp_path / "record.db"
    with SQLStore(f"sqlite:///{path}") as store:
        engine = Engine(store=store, clock=ManualClock(START), autoload=False)
        issue = engine.open(
            "closed-loop", reporter="resident-wang", data={"text": "漏水", "personal": PERSONAL}
        )
    out, err = io.StringIO(), io.StringIO()
    status = main(["history", issue.id, "--database", str(path), "--json"], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    exported = json.loads(out.getvalue())
    assert exported["verified"] is True
    assert exported["issue"]["data"] == {"text": "漏水"}
    assert "13800000000" not in out.getvalue()


def test_a_record_of_a_workflow_not_installed_here_is_still_read_redacted(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    with SQLStore(url) as store:
        writer = Engine(store=store, clock=ManualClock(START), autoload=False, plugins=[_Consult()])
        issue = writer.open("consult", reporter="resident-wang", data={"personal": PERSONAL})
    with SQLStore(url, create=False) as store:
        reader = Engine(store=store, clock=ManualClock(START), autoload=False)  # no "consult"
        assert dict(reader.get(issue.id).data) == {}
        assert [e.trigger for e in reader.history(issue.id)] == ["open"]
        assert reader.get(issue.id, reader="resident-wang").data["personal"] == PERSONAL
