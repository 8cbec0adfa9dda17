"""Obligations: a period and a count, checked against ledgers, the log and the org graph, with
every one who fell short reported."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import (
    CLOSED_LOOP,
    Actor,
    Engine,
    Ledgers,
    LedgerSpec,
    Obligation,
    OrgGraph,
    check_obligations,
)
from govflow.errors import DefinitionError, InvalidRequestError
from govflow.obligations import (
    CHINA_TIME,
    EventCount,
    LedgerCount,
    Period,
    PostCount,
    Scope,
    Sources,
    holders,
    named,
    units,
    windows,
)
from govflow.testing import build_org, record_on_days

MONDAY = date(2024, 3, 4)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]
STATIONED = LedgerSpec("stationed", label="驻点服务", kinds={"stationed"})
MEETINGS = LedgerSpec("four-party", label="四方会谈", kinds={"meeting"})

#: 大冶: "社区工作者每周不少于3天驻点小区".
STATIONING = Obligation(
    "stationing",
    holders("community_worker", role_in="community"),
    LedgerCount("stationed", "stationed", by="subject", distinct_days=True),
    at_least=3,
    period=Period.WEEK,
    source="社区工作者每周不少于3天驻点小区",
)
#: 湖州: "每月至少开展两次'四方会谈'".
FOUR_PARTY = Obligation(
    "four-party-meeting",
    units("community"),
    LedgerCount("four-party", "meeting"),
    at_least=2,
    period=Period.MONTH,
)
#: 大冶: "一社区一民警两辅警".
ONE_POLICE = Obligation("police", units("community"), PostCount("community_police"), at_least=1)
TWO_AUXILIARIES = Obligation(
    "auxiliaries", units("community"), PostCount("auxiliary_police"), at_least=2
)


@pytest.fixture
def org() -> OrgGraph:
    return build_org(
        {
            "street:dongyue 东岳街道": {
                "community:xiangyang 向阳社区": {"grid:g1": {}},
                "community:bigui 碧桂园社区": {},
            }
        },
        people={
            "wang": ("xiangyang", "community_worker"),
            "li": ("xiangyang", "community_worker"),
            "zhao": ("bigui", "community_worker"),
            "yan": ("xiangyang", "community_police"),
            "aux-1": ("xiangyang", "auxiliary_police"),
            "aux-2": ("xiangyang", "auxiliary_police"),
            "aux-3": ("bigui", "auxiliary_police"),
        },
    )


def test_periods_are_whole_weeks_and_months() -> None:
    assert windows(Period.WEEK, date(2024, 3, 1), date(2024, 3, 25)) == [
        (date(2024, 3, 4), date(2024, 3, 11)),
        (date(2024, 3, 11), date(2024, 3, 18)),
        (date(2024, 3, 18), date(2024, 3, 25)),
    ]
    assert windows(Period.MONTH, date(2024, 11, 1), date(2025, 2, 1)) == [
        (date(2024, 11, 1), date(2024, 12, 1)),
        (date(2024, 12, 1), date(2025, 1, 1)),
        (date(2025, 1, 1), date(2025, 2, 1)),
    ]
    assert windows(Period.MONTH, date(2024, 3, 2), date(2024, 4, 15)) == []
    assert len(windows(Period.DAY, MONDAY, WEEK[-1])) == 6


def test_three_days_stationed_a_week_counts_days_not_entries(org: OrgGraph) -> None:
    ledgers = Ledgers([STATIONED])
    record_on_days(ledgers, "stationed", "stationed", WEEK[:3], actor="wang", subject="wang")
    # li is stationed three times, all on Monday: one day.
    record_on_days(ledgers, "stationed", "stationed", [MONDAY] * 3, actor="li", subject="li")
    record_on_days(ledgers, "stationed", "stationed", WEEK[1:5], actor="zhao", subject="zhao")
    report = check_obligations(
        [STATIONING], start=MONDAY, end=MONDAY + timedelta(days=7), ledgers=ledgers, org=org
    )
    assert not report.ok
    assert report.missed() == ["li"]
    [shortfall] = report.shortfalls
    assert (shortfall.required, shortfall.found) == (3, 1)
    assert (shortfall.start, shortfall.end) == (MONDAY, MONDAY + timedelta(days=7))
    assert str(shortfall) == "li: stationing in 2024-03-04..2024-03-11: 1 of 3"
    assert report.checked == 3


def test_a_day_is_a_day_in_china_whatever_the_utc_time(org: OrgGraph) -> None:
    ledgers = Ledgers([STATIONED])
    # 23:30 UTC on Sunday is 07:30 on Monday in Daye: Monday's stationing, not Sunday's.
    late = datetime.combine(MONDAY - timedelta(days=1), datetime.min.time(), UTC).replace(hour=23)
    for moment in (late, late + timedelta(days=1), late + timedelta(days=2)):
        ledgers.record("stationed", "stationed", actor="wang", subject="wang", at=moment)
    report = check_obligations(
        [STATIONING], start=MONDAY, end=MONDAY + timedelta(days=7), ledgers=ledgers, org=org
    )
    assert "wang" not in report.missed()


def test_every_community_that_held_fewer_than_two_four_party_meetings_is_reported(
    org: OrgGraph,
) -> None:
    ledgers = Ledgers([MEETINGS])
    march = [date(2024, 3, 5), date(2024, 3, 19)]
    record_on_days(ledgers, "four-party", "meeting", march, actor="sec", unit="xiangyang")
    record_on_days(ledgers, "four-party", "meeting", march[:1], actor="sec", unit="bigui")
    record_on_days(
        ledgers, "four-party", "meeting", [date(2024, 4, 2)] * 2, actor="sec", unit="xiangyang"
    )
    report = check_obligations(
        [FOUR_PARTY], start=date(2024, 3, 1), end=date(2024, 5, 1), ledgers=ledgers, org=org
    )
    assert [(s.who, s.start, s.found) for s in report.shortfalls] == [
        ("bigui", date(2024, 3, 1), 1),
        ("bigui", date(2024, 4, 1), 0),  # no entry at all is a shortfall too
    ]
    assert report.missed("four-party-meeting") == ["bigui"]


def test_one_police_officer_and_two_auxiliaries_per_community(org: OrgGraph) -> None:
    report = check_obligations([ONE_POLICE, TWO_AUXILIARIES], org=org)
    assert [(s.obligation, s.who, s.found) for s in report.shortfalls] == [
        ("police", "bigui", 0),
        ("auxiliaries", "bigui", 1),
    ]
    assert report.checked == 4


def test_moves_in_the_log_are_counted_by_location() -> None:
    engine = Engine(workflows=[], autoload=False)
    operator = Actor("op", roles={"operator"})
    for location in ("c1", "c1", "c2"):
        issue = engine.open("closed-loop", reporter="r", location=location)
        engine.fire(issue.id, "file", actor=operator)
    today = engine.clock.now().astimezone(CHINA_TIME).date()
    filed = Obligation(
        "filed-daily",
        named("c1", "c2", "c3"),
        EventCount("file", workflow=CLOSED_LOOP.name),
        at_least=2,
        period=Period.DAY,
    )
    report = check_obligations([filed], start=today, end=today + timedelta(days=1), engine=engine)
    assert [(s.who, s.found) for s in report.shortfalls] == [("c2", 1), ("c3", 0)]
    by_actor = Obligation(
        "operator-files", named("op"), EventCount("file", by="actor"), at_least=3, period=Period.DAY
    )
    assert check_obligations(
        [by_actor], start=today, end=today + timedelta(days=1), engine=engine
    ).ok


def test_a_check_needs_its_span_and_its_sources(org: OrgGraph) -> None:
    with pytest.raises(InvalidRequestError, match="start before an end"):
        check_obligations([FOUR_PARTY], ledgers=Ledgers([MEETINGS]), org=org)
    with pytest.raises(InvalidRequestError, match="start before an end"):
        check_obligations([FOUR_PARTY], start=MONDAY, end=MONDAY, org=org)
    with pytest.raises(InvalidRequestError, match="needs the ledgers"):
        check_obligations([FOUR_PARTY], start=MONDAY, end=date(2024, 5, 1), org=org)
    with pytest.raises(InvalidRequestError, match="org graph"):
        check_obligations([FOUR_PARTY], start=MONDAY, end=date(2024, 5, 1))
    with pytest.raises(InvalidRequestError, match="org graph"):
        check_obligations([Obligation("p", named("c1"), PostCount("x"), at_least=1)])
    with pytest.raises(InvalidRequestError, match="log"):
        check_obligations(
            [Obligation("e", named("c1"), EventCount("file"), at_least=1, period=Period.DAY)],
            start=MONDAY,
            end=WEEK[1],
        )


def test_an_obligation_is_well_formed() -> None:
    with pytest.raises(DefinitionError, match="at_least"):
        Obligation("x", named("c1"), PostCount("p"), at_least=0)
    with pytest.raises(DefinitionError, match="staffing rule has no period"):
        Obligation("x", named("c1"), PostCount("p"), at_least=1, period=Period.WEEK)
    with pytest.raises(DefinitionError, match="exactly one"):
        Scope(kind="community", role="worker")
    with pytest.raises(DefinitionError, match="exactly one"):
        Scope()
    with pytest.raises(ValueError, match="by"):
        LedgerCount("l", by="street")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sets(st.integers(0, 6), max_size=7), min_size=1, max_size=4))
def test_someone_falls_short_exactly_when_stationed_fewer_than_three_days(
    weeks: list[set[int]],
) -> None:
    ledgers = Ledgers([STATIONED])
    for number, days in enumerate(weeks):
        start = MONDAY + timedelta(days=7 * number)
        record_on_days(
            ledgers,
            "stationed",
            "stationed",
            [start + timedelta(days=d) for d in sorted(days)],
            actor="wang",
            subject="wang",
        )
    obligation = Obligation(
        "stationing",
        named("wang"),
        LedgerCount("stationed", by="subject", distinct_days=True),
        at_least=3,
        period=Period.WEEK,
    )
    report = check_obligations(
        [obligation],
        start=MONDAY,
        end=MONDAY + timedelta(days=7 * len(weeks)),
        sources=Sources(ledgers=ledgers),
    )
    assert [s.found for s in report.shortfalls] == [len(d) for d in weeks if len(d) < 3]
    assert report.checked == len(weeks)
