"""群众点单 → 社区派单 → 党员领单 → 群众评单, as 向阳社区 (东风路街道, 大冶市) runs it on the "115"
app: residents order services, the community offers each to the nearest sunk party member, one
at a time, the member claims and serves it, the resident rates it.

Through the installed plugin (entry point ``order-dispatch``) and govflow's public API only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from govflow_order_dispatch import (
    SERVICE_HOURS,
    WORKFLOW,
    candidates,
    check_standards,
    sink,
    station,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import (
    GuardFailedError,
    PermissionDeniedError,
    TransitionNotAllowedError,
)
from govflow.org import load_divisions

START = datetime(2026, 5, 4, 1, tzinfo=UTC)  # Monday 09:00 in Daye
XIANGYANG = "420281002007"  # 向阳社区居民委员会, 东风路街道, 大冶市
CHAOYANG = "420281002006"  # 朝阳社区, the next community
AREA_1, AREA_2 = f"{XIANGYANG}-A01", f"{XIANGYANG}-A02"
B1, B2, B3 = f"{AREA_1}-B1", f"{AREA_1}-B2", f"{AREA_2}-B3"

#: 第一书记 of 向阳社区: the dispatcher's post in the community (authority comes from the graph).
DISPATCHER = "first-secretary-yang"
RESIDENT = Actor("resident-wu", home_unit=B1)
NEIGHBOUR = Actor("resident-he", home_unit=B1)


def _xiangyang() -> OrgGraph:
    """东风路街道 from the official table; below 向阳社区 two residential areas and three
    buildings (synthetic), residents, and party members sunk to buildings."""
    org = load_divisions(prefix="420281002")
    org.add_unit(AREA_1, "residential_area", "向阳一区", parent=XIANGYANG)
    org.add_unit(AREA_2, "residential_area", "向阳二区", parent=XIANGYANG)
    for building, area in ((B1, AREA_1), (B2, AREA_1), (B3, AREA_2)):
        org.add_unit(building, "building", building[-2:], parent=area)
    org.add_unit(f"{CHAOYANG}-A01", "residential_area", "朝阳小区", parent=CHAOYANG)
    residents = {
        "resident-wu": ("male", "1964-03-01"),  # 62 in 2026
        "resident-he": ("female", "1970-09-15"),  # 55 in 2026
        "resident-qian": ("male", "1968-01-01"),  # 58 in 2026
        "resident-sun": ("female", "1960-01-01"),  # 66 in 2026
    }
    for person, (sex, born) in residents.items():
        org.add_person(person, person, home_unit=B1, attributes={"sex": sex, "birth_date": born})
    members = {
        # id: (sunk to, duties, party member)
        "member-chen": (B1, ["调解纠纷", "政策宣讲"], True),
        "member-liu": (B2, ["调解纠纷"], True),
        "member-zhou": (B3, ["调解纠纷", "环境整治"], True),
        "member-xu": (B1, ["环境整治"], True),
        "volunteer-ma": (B1, ["调解纠纷"], False),  # a volunteer, not a party member
    }
    for person, (unit, duties, party) in members.items():
        org.add_person(person, person, party_member=party, attributes={"duties": duties})
        sink(org, person, unit)
    # Sunk to 朝阳社区, not to 向阳社区.
    org.add_person(
        "member-gao", "member-gao", party_member=True, attributes={"duties": ["调解纠纷"]}
    )
    sink(org, "member-gao", f"{CHAOYANG}-A01")
    org.add_person(DISPATCHER, "杨书记", party_member=True, home_unit=XIANGYANG)
    org.assign(DISPATCHER, XIANGYANG, "community_dispatcher")
    return org


@pytest.fixture
def org() -> OrgGraph:
    return _xiangyang()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock, org: OrgGraph) -> Engine:
    return govflow_engine(autoload=True, clock=clock, org=org)


def _order(engine: Engine, service: str = "调解纠纷", *, by: Actor = RESIDENT, at: str = B1) -> str:
    """群众点单."""
    issue = engine.open(
        "order-dispatch",
        reporter=by,
        location=at,
        category=service,
        data={"subject": "楼上漏水, 邻里纠纷"},
    )
    return issue.id


def _offered_to(engine: Engine, issue_id: str) -> str:
    [member] = engine.get(issue_id).assignees
    return member


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("order-dispatch")
    assert engine.workflow("order-dispatch") == WORKFLOW
    assert "service-hours" in engine.ledgers.specs


def test_order_dispatch_claim_and_rate(engine: Engine, clock: ManualClock) -> None:
    """群众点单 → 社区派单 → 党员领单 → 群众评单, and the member's hours in the ledger."""
    issue_id = _order(engine)  # 群众点单
    assert engine.get(issue_id).state == "ordered"
    event = engine.fire(issue_id, "dispatch", actor=DISPATCHER)  # 社区派单
    assert event.destination == "offered"
    assert _offered_to(engine, issue_id) == "member-chen"  # in the resident's own building
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))  # 党员领单
    clock.advance(hours=3)
    engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload={"hours": 1.5})
    event = engine.fire(  # 群众评单
        issue_id, "rate", actor=RESIDENT, payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"
    [served] = engine.ledgers.entries("service-hours", subject="member-chen")
    assert (served.unit, served.data["hours"], served.data["issue"]) == (B1, 1.5, issue_id)
    assert engine.ledgers.verify("service-hours") == 1
    assert engine.verify(issue_id) == len(engine.history(issue_id))


def test_offers_go_to_sunk_party_members_nearest_first(org: OrgGraph) -> None:
    # chen: same building; liu: the next building of the same area; zhou: the other area.
    # xu lacks the duty post, ma is no party member, gao is sunk to another community.
    assert candidates(org, B1, duty="调解纠纷") == ["member-chen", "member-liu", "member-zhou"]
    assert candidates(org, B3, duty="调解纠纷") == ["member-zhou", "member-chen", "member-liu"]
    assert candidates(org, B1, duty="环境整治") == ["member-xu", "member-zhou"]
    assert candidates(org, B1) == ["member-chen", "member-xu", "member-liu", "member-zhou"]
    assert candidates(org, f"{CHAOYANG}-A01", duty="调解纠纷") == ["member-gao"]
    assert candidates(org, "420281002000") == []  # the street itself is in no community


def test_only_the_member_it_is_offered_to_may_claim(engine: Engine) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    for other in ("member-liu", "member-gao", "resident-he"):
        with pytest.raises(PermissionDeniedError, match="assignee"):
            engine.fire(issue_id, "claim", actor=Actor(other))
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    with pytest.raises(TransitionNotAllowedError):  # claimed: nobody else can claim it now
        engine.fire(issue_id, "claim", actor=Actor("member-liu"))


def test_a_member_who_passes_is_not_offered_the_order_again(engine: Engine) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "pass", actor=Actor("member-chen"))
    engine.fire(issue_id, "pass", actor=Actor("member-chen"), payload={"reason": "出差在外"})
    assert engine.get(issue_id).state == "ordered"
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    assert _offered_to(engine, issue_id) == "member-liu"
    engine.fire(issue_id, "pass", actor=Actor("member-liu"), payload={"reason": "不在小区"})
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    assert _offered_to(engine, issue_id) == "member-zhou"
    engine.fire(issue_id, "pass", actor=Actor("member-zhou"), payload={"reason": "生病"})
    with pytest.raises(GuardFailedError, match="someone-to-offer"):
        engine.fire(issue_id, "dispatch", actor=DISPATCHER)  # nobody left to offer it to
    assert engine.get(issue_id).state == "ordered"


def test_an_unclaimed_offer_returns_to_dispatch_after_two_hours(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    clock.advance(hours=2, minutes=1)
    [lapsed] = engine.tick()
    assert (lapsed.trigger, lapsed.destination) == ("lapse", "ordered")
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    assert _offered_to(engine, issue_id) == "member-liu"  # chen let it lapse: skipped


def test_an_abandoned_order_returns_to_dispatch(engine: Engine, clock: ManualClock) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    clock.advance(days=3, minutes=1)
    [abandoned] = engine.tick()
    assert (abandoned.trigger, abandoned.destination) == ("abandon", "ordered")
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    member = _offered_to(engine, issue_id)
    assert member == "member-liu"
    engine.fire(issue_id, "claim", actor=Actor(member))
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "give_up", actor=Actor(member))
    event = engine.fire(issue_id, "give_up", actor=Actor(member), payload={"reason": "需专业律师"})
    assert event.destination == "ordered"
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    assert _offered_to(engine, issue_id) == "member-zhou"


def test_the_dispatcher_may_name_a_member_who_may_take_it(engine: Engine) -> None:
    issue_id = _order(engine)
    for unfit in (
        "member-xu",
        "volunteer-ma",
        "member-gao",
        "nobody",
        ["member-liu", "member-zhou"],
    ):
        with pytest.raises(GuardFailedError, match="someone-to-offer"):
            engine.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": unfit})
    engine.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["member-zhou"]})
    assert _offered_to(engine, issue_id) == "member-zhou"


def test_only_the_community_dispatches_or_declines(engine: Engine) -> None:
    issue_id = _order(engine)
    for move in ("dispatch", "decline"):
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, move, actor=Actor("member-chen"), payload={"reason": "x"})
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "decline", actor=DISPATCHER)
    event = engine.fire(
        issue_id, "decline", actor=DISPATCHER, payload={"reason": "属物业服务范围, 已转物业"}
    )
    assert event.destination == "declined"


def test_an_order_for_a_service_not_in_the_catalogue_is_not_dispatched(engine: Engine) -> None:
    issue_id = _order(engine, "代购年货")
    with pytest.raises(GuardFailedError, match="known-service"):
        engine.fire(issue_id, "dispatch", actor=DISPATCHER)


def test_an_order_nobody_dispatches_is_brought_back_every_day(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _order(engine)
    clock.advance(days=1, minutes=1)
    [reminder] = engine.tick()
    assert (reminder.trigger, reminder.destination) == ("remind", "ordered")
    assert engine.get(issue_id).state == "ordered"


def test_a_member_no_longer_sunk_there_cannot_claim(engine: Engine, org: OrgGraph) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    org.remove_edge("registered_at", "member-chen", XIANGYANG)  # transferred away meanwhile
    with pytest.raises(GuardFailedError, match="still-sunk"):
        engine.fire(issue_id, "claim", actor=Actor("member-chen"))


@pytest.mark.parametrize("hours", [None, 0, -1, 25, "two", True])
def test_a_service_is_finished_with_its_hours(engine: Engine, hours: object) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    payload = {} if hours is None else {"hours": hours}
    with pytest.raises(GuardFailedError, match="hours"):
        engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload=payload)
    assert engine.ledgers.entries("service-hours") == []
    assert engine.get(issue_id).state == "serving"


def test_only_the_resident_who_ordered_rates_it(engine: Engine) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload={"hours": 2})
    for other in (Actor("member-chen"), NEIGHBOUR, DISPATCHER):
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, "rate", actor=other, payload={"satisfaction": "satisfied"})
    with pytest.raises(GuardFailedError, match="satisfaction"):
        engine.fire(issue_id, "rate", actor=RESIDENT, payload={"satisfaction": "5 stars"})


def test_a_resident_not_satisfied_has_it_done_again_and_the_hours_add_up(engine: Engine) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload={"hours": 1})
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "redo", actor=RESIDENT)
    event = engine.fire(issue_id, "redo", actor=RESIDENT, payload={"reason": "还在漏水"})
    assert (event.destination, _offered_to(engine, issue_id)) == ("serving", "member-chen")
    engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload={"hours": 2.5})
    engine.fire(issue_id, "rate", actor=RESIDENT, payload={"satisfaction": "basically_satisfied"})
    assert engine.ledgers.total("service-hours", "hours", subject="member-chen") == 3.5


def test_an_unrated_service_closes_after_seven_days(engine: Engine, clock: ManualClock) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload={"hours": 1})
    clock.advance(days=7, minutes=1)
    [closed] = engine.tick()
    assert (closed.trigger, closed.destination) == ("close_unrated", "closed")


@pytest.mark.parametrize(
    ("resident", "eligible"),
    [
        ("resident-wu", True),  # a man of 62
        ("resident-he", True),  # a woman of 55
        ("resident-qian", False),  # a man of 58
        ("resident-sun", False),  # a woman of 66
    ],
)
def test_the_free_health_check_is_for_men_60_to_64_and_women_55_to_64(
    engine: Engine, resident: str, eligible: bool
) -> None:
    issue_id = _order(engine, "免费体检", by=Actor(resident))
    if eligible:
        event = engine.fire(issue_id, "dispatch", actor=DISPATCHER)
        assert event.destination == "offered"
    else:
        with pytest.raises(GuardFailedError, match="resident-eligible"):
            engine.fire(issue_id, "dispatch", actor=DISPATCHER)


def test_a_resident_unknown_to_the_org_graph_cannot_order_the_health_check(
    engine: Engine,
) -> None:
    issue_id = _order(engine, "免费体检", by=Actor("walk-in"))
    with pytest.raises(GuardFailedError, match="resident-eligible"):
        engine.fire(issue_id, "dispatch", actor=DISPATCHER)


def test_an_order_is_judged_by_the_age_bands_of_its_day(
    govflow_engine: Callable[..., Engine], org: OrgGraph
) -> None:
    """Before 2020 there was no free health check: the bands are dated."""
    engine = govflow_engine(
        autoload=True, clock=ManualClock(datetime(2019, 6, 3, tzinfo=UTC)), org=org
    )
    issue_id = _order(engine, "免费体检", by=Actor("resident-wu"))
    with pytest.raises(GuardFailedError, match="resident-eligible"):
        engine.fire(issue_id, "dispatch", actor=DISPATCHER)


def test_the_standing_duties_name_every_worker_and_community_that_missed(
    engine: Engine, org: OrgGraph
) -> None:
    for person, roles in {
        "worker-a": ("community_worker",),
        "worker-b": ("community_worker",),
        "officer-yan": ("community_police",),
        "aux-1": ("auxiliary_police",),
        "aux-2": ("auxiliary_police",),
        DISPATCHER: ("first_secretary",),  # already in the graph: the post is added
    }.items():
        if person not in org.people:
            org.add_person(person, person, party_member=True)
        org.assign(person, XIANGYANG, *roles)
    monday = date(2026, 5, 4)
    for day in range(3):  # worker-a: Monday to Wednesday; worker-b: Monday only, twice
        when = START + timedelta(days=day)
        station(engine, "worker-a", AREA_1, at=when, activities=["政策咨询", "纠纷调处"])
    station(engine, Actor("worker-b"), AREA_2, at=START)
    station(engine, "worker-b", AREA_2, at=START + timedelta(hours=4))
    report = check_standards(engine, monday, monday + timedelta(days=7))
    missed = {(s.obligation, s.who, s.found) for s in report.shortfalls}
    assert ("stationing", "worker-b", 1) in missed
    assert not any(s.who == "worker-a" for s in report.shortfalls)
    assert not any(s.who == XIANGYANG for s in report.shortfalls)  # 一民警两辅警 and 第一书记
    # Every other community of 东风路街道 has neither police nor a first secretary yet.
    assert ("one-police-officer", CHAOYANG, 0) in missed
    assert ("two-auxiliary-officers", CHAOYANG, 0) in missed
    assert ("first-secretary", CHAOYANG, 0) in missed
    entries = engine.ledgers.entries("stationed", subject="worker-a")
    assert entries[0].data["activities"] == ["政策咨询", "纠纷调处"]


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "群众点单、社区派单、党员领单、群众评单" in readme
    assert SERVICE_HOURS.name in readme


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["pass", "lapse"]), max_size=5))
def test_every_offer_goes_to_the_nearest_member_not_passed_over(
    govflow_engine: Callable[..., Engine], moves: list[str]
) -> None:
    """Who passed is skipped for good; who let the offer lapse is skipped at the next offer."""
    clock = ManualClock(START)
    engine = govflow_engine(autoload=True, clock=clock, org=_xiangyang())
    issue_id = _order(engine)
    nearest = ["member-chen", "member-liu", "member-zhou"]
    passed: set[str] = set()
    last: str | None = None
    for move in moves:
        expected = [m for m in nearest if m not in passed and m != last]
        if not expected:
            with pytest.raises(GuardFailedError, match="someone-to-offer"):
                engine.fire(issue_id, "dispatch", actor=DISPATCHER)
            return
        engine.fire(issue_id, "dispatch", actor=DISPATCHER)
        last = _offered_to(engine, issue_id)
        assert last == expected[0]
        if move == "pass":
            engine.fire(issue_id, "pass", actor=Actor(last), payload={"reason": "忙"})
            passed.add(last)
        else:
            clock.advance(hours=3)
            assert [e.trigger for e in engine.tick()] == ["lapse"]


@pytest.mark.parametrize(
    ("state_moves", "trigger", "payload"),
    [
        ([], "pass", {"reason": "忙"}),
        (["claim"], "finish", {"hours": 1}),
        (["claim"], "give_up", {"reason": "忙"}),
    ],
)
def test_only_the_member_it_is_offered_to_passes_finishes_or_gives_up(
    engine: Engine, state_moves: list[str], trigger: str, payload: dict[str, object]
) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    for move in state_moves:
        engine.fire(issue_id, move, actor=Actor("member-chen"))
    with pytest.raises(PermissionDeniedError, match="assignee"):
        engine.fire(issue_id, trigger, actor=Actor("member-liu"), payload=payload)


def test_only_the_resident_who_ordered_asks_for_it_again(engine: Engine) -> None:
    issue_id = _order(engine)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER)
    engine.fire(issue_id, "claim", actor=Actor("member-chen"))
    engine.fire(issue_id, "finish", actor=Actor("member-chen"), payload={"hours": 1})
    with pytest.raises(PermissionDeniedError, match="reporter"):
        engine.fire(issue_id, "redo", actor=NEIGHBOUR, payload={"reason": "还在漏水"})


@pytest.mark.parametrize(
    ("trigger", "payload"),
    [
        ("rate", {"satisfaction": "satisfied"}),
        ("redo", {"reason": "再来一次"}),
    ],
)
def test_a_member_who_served_their_own_order_does_not_rate_or_close_it(
    engine: Engine, trigger: str, payload: dict[str, object]
) -> None:
    """Nobody evaluates their own work, even a party member who ordered a service himself."""
    member = Actor("member-liu")
    issue_id = _order(engine, by=member, at=B2)
    engine.fire(issue_id, "dispatch", actor=DISPATCHER, payload={"assignees": ["member-liu"]})
    engine.fire(issue_id, "claim", actor=member)
    engine.fire(issue_id, "finish", actor=member, payload={"hours": 1})
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(issue_id, trigger, actor=member, payload=payload)
    with pytest.raises(PermissionDeniedError, match="deadline clock only"):
        engine.fire(issue_id, "close_unrated", actor=member)
