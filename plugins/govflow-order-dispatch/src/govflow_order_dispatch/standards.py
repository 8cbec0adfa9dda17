"""Daye's standing duties, as obligations checked against the record (seed 003).

* 驻点服务: "在小区设置社区服务点,社区工作者每周不少于3天驻点小区,亮明身份开展政策咨询、服务代办、
  信息摸排、纠纷调处等'驻点服务'" -- every community worker (role ``community_worker`` in a
  community) stationed in a residential area on at least 3 distinct days of every week, counted
  from the ``stationed`` ledger (:func:`station` records a day);
* "按照'一社区一民警两辅警'的标准,配备警务力量" -- every community has at least one community
  police officer (role ``community_police``) and two auxiliary officers (``auxiliary_police``);
* "选派39名优秀年轻干部担任39个城市社区第一书记" -- every community has a first secretary
  (``first_secretary``).

The role names are this plugin's defaults. "党员民警兼任社区副书记" (the officer is also the
community's deputy secretary) is not checked: a post count cannot say that two posts are held by
one person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from govflow import Actor, Engine, Entry, LedgerSpec, Obligation, check_obligations
from govflow.obligations import LedgerCount, ObligationReport, Period, PostCount, holders, units

#: The 驻点服务 activities the seed names (an entry's ``activities``, free otherwise).
ACTIVITIES = ("政策咨询", "服务代办", "信息摸排", "纠纷调处")

#: 驻点服务台账: one entry per stationing of a community worker in a residential area.
STATIONED = LedgerSpec(
    "stationed", label="驻点服务台账 stationing in residential areas", kinds={"stationed"}
)

STATIONING = Obligation(
    "stationing",
    holders("community_worker", role_in="community"),
    LedgerCount("stationed", "stationed", by="subject", distinct_days=True),
    at_least=3,
    period=Period.WEEK,
    label="驻点服务 每周不少于3天",
    source="社区工作者每周不少于3天驻点小区",
)
ONE_POLICE_OFFICER = Obligation(
    "one-police-officer",
    units("community"),
    PostCount("community_police"),
    at_least=1,
    label="一社区一民警",
    source="按照'一社区一民警两辅警'的标准,配备警务力量",
)
TWO_AUXILIARY_OFFICERS = Obligation(
    "two-auxiliary-officers",
    units("community"),
    PostCount("auxiliary_police"),
    at_least=2,
    label="一社区两辅警",
    source="按照'一社区一民警两辅警'的标准,配备警务力量",
)
FIRST_SECRETARY = Obligation(
    "first-secretary",
    units("community"),
    PostCount("first_secretary"),
    at_least=1,
    label="第一书记专职化",
    source="选派39名优秀年轻干部担任39个城市社区第一书记,专职工作在社区",
)

OBLIGATIONS = (STATIONING, ONE_POLICE_OFFICER, TWO_AUXILIARY_OFFICERS, FIRST_SECRETARY)


def station(
    engine: Engine,
    worker: Actor | str,
    residential_area: str,
    *,
    at: datetime | None = None,
    activities: Iterable[str] = (),
) -> Entry:
    """Record that ``worker`` was stationed in ``residential_area`` (now, or ``at``)."""
    who = worker.id if isinstance(worker, Actor) else worker
    data = {"activities": list(activities)} if activities else None
    return engine.ledgers.record(
        "stationed", "stationed", actor=who, unit=residential_area, subject=who, data=data, at=at
    )


def check_standards(engine: Engine, start: date, end: date) -> ObligationReport:
    """Check :data:`OBLIGATIONS` over the whole weeks in ``[start, end)`` against the engine's
    ledgers and org graph; the report names every worker and community that fell short."""
    return check_obligations(OBLIGATIONS, start=start, end=end, engine=engine)


__all__ = [
    "ACTIVITIES",
    "FIRST_SECRETARY",
    "OBLIGATIONS",
    "ONE_POLICE_OFFICER",
    "STATIONED",
    "STATIONING",
    "TWO_AUXILIARY_OFFICERS",
    "check_standards",
    "station",
]
