"""四方会谈, the 8-minute service circle, and Huzhou's four levels and three-level party net.

Seed 001:

* "实行社区党组织、业主委员会、物业公司和入驻社会组织'四方联动'机制,每月至少开展两次'四方会谈'"
  -- every community holds a four-party meeting at least twice a month, all four parties at the
  table (:func:`hold_four_party_meeting` refuses a meeting without one of them; the obligation
  :data:`FOUR_PARTY_MEETINGS` names every community that held fewer);
* "全力打造了遍布全市的'8分钟党群连心服务圈'" -- every residential area within 8 minutes of a
  党群服务中心 or 网格党群服务站 (:func:`service_circle_gaps`, on the graph's ``serves`` minutes);
* "理顺夯实'街道—社区—小区—楼道'四级城市基层组织架构,构建'社区党委(总支)—'网格'党支部—党小组'
  三级组织网络" and "吸纳15名……党员担任楼道长" -- coverage rules: every grid led by a party
  branch, every residential area by a party unit, every building with a 楼道长 (post
  ``corridor_head``, this plugin's default name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from govflow import Actor, Engine, Entry, LedgerSpec, Obligation, OrgGraph, Unit, check_obligations
from govflow.errors import InvalidRequestError
from govflow.obligations import LedgerCount, ObligationReport, Period, units
from govflow.org import CoverageReport, CoverageRule, coverage

#: The four parties of 四方联动, by the key a meeting names each under.
FOUR_PARTIES = {
    "community_party": "社区党组织",
    "owners_committee": "业主委员会",
    "property_company": "物业公司",
    "social_organization": "入驻社会组织",
}

#: 四方会谈台账: one entry per meeting, its unit the community.
FOUR_PARTY_LEDGER = LedgerSpec(
    "four-party-meetings",
    label="四方会谈台账",
    kinds={"meeting"},
    required={"parties", "topic"},
)

FOUR_PARTY_MEETINGS = Obligation(
    "four-party-meeting",
    units("community"),
    LedgerCount("four-party-meetings", "meeting"),
    at_least=2,
    period=Period.MONTH,
    label="四方会谈 每月至少两次",
    source="每月至少开展两次'四方会谈'",
)

#: The 8-minute party-masses service circle (8分钟党群连心服务圈).
CIRCLE_MINUTES = 8

THREE_LEVEL_PARTY_NET = (
    CoverageRule("网格党支部", ("grid",), ("party_unit",)),
    CoverageRule("小区党组织", ("residential_area",), ("party_unit",)),
    CoverageRule("楼道长", ("building",), holders=("corridor_head",)),
)


def hold_four_party_meeting(
    engine: Engine,
    community: str,
    *,
    parties: Mapping[str, str],
    topic: str,
    actor: Actor | str,
    at: datetime | None = None,
) -> Entry:
    """Record a 四方会谈 of ``community``: ``parties`` names who came for each of the four
    (:data:`FOUR_PARTIES`); a meeting without all four is refused."""
    missing = [label for key, label in FOUR_PARTIES.items() if not parties.get(key)]
    if missing:
        raise InvalidRequestError(f"a 四方会谈 needs all four parties; missing {missing}")
    unknown = sorted(set(parties) - set(FOUR_PARTIES))
    if unknown:
        raise InvalidRequestError(f"a 四方会谈 has four parties, not {unknown}")
    if not topic.strip():
        raise InvalidRequestError("a 四方会谈 needs a topic")
    if engine.org is not None and engine.org.unit(community).kind != "community":
        raise InvalidRequestError(f"{community!r} is not a community")
    return engine.ledgers.record(
        "four-party-meetings",
        "meeting",
        actor=actor,
        unit=community,
        data={"parties": dict(parties), "topic": topic},
        at=at,
    )


def check_four_party(
    engine: Engine, start: date, end: date, *, under: str | None = None
) -> ObligationReport:
    """Every community (under ``under``) that held fewer than two 四方会谈 in a month of
    ``[start, end)``, month by month."""
    obligation = FOUR_PARTY_MEETINGS
    if under is not None:
        obligation = Obligation(
            obligation.name,
            units("community", under=under),
            obligation.count,
            at_least=obligation.at_least,
            period=obligation.period,
            label=obligation.label,
            source=obligation.source,
        )
    return check_obligations([obligation], start=start, end=end, engine=engine)


def service_circle_gaps(org: OrgGraph, minutes: float = CIRCLE_MINUTES) -> list[Unit]:
    """The residential areas farther than ``minutes`` from every 党群服务中心 and 网格党群服务站."""
    return org.beyond(
        minutes, kind="residential_area", centers=("service_center", "service_station")
    )


def party_net_gaps(org: OrgGraph, *, under: str | None = None) -> list[CoverageReport]:
    """The three-level party net and the 楼道长, checked under ``under``: one report a rule."""
    return [
        coverage(
            org, CoverageRule(rule.name, rule.kinds, rule.needs, holders=rule.holders, under=under)
        )
        for rule in THREE_LEVEL_PARTY_NET
    ]


__all__ = [
    "CIRCLE_MINUTES",
    "FOUR_PARTIES",
    "FOUR_PARTY_LEDGER",
    "FOUR_PARTY_MEETINGS",
    "THREE_LEVEL_PARTY_NET",
    "check_four_party",
    "hold_four_party_meeting",
    "party_net_gaps",
    "service_circle_gaps",
]
