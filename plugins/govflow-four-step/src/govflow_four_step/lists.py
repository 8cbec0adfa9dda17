"""两个清单: the needs list (居民需求清单) and the resources list (社区资源清单), matched.

Seed 000: "'两个清单'是指居民需求、社区资源两个清单。为了摸清居民需求,街道及社区围绕党的建设、社区
治理、环境整治、法律援助、民生保障、日常服务等方面内容,通过网格员入户走访、调查问卷,以及召开党群
议事会、党员代表会议、居民代表会议等形式,全面了解辖区居民的微心愿和民生需求,制定'需求清单'。为了
理清'资源清单',……街道、驻区单位、联系对接社区的区直部门根据职能特点和工作人员个人特长,梳理职责资源
和部门人员资源,……建立了细之又细的'资源清单'。" (1,800+ needs, 1,100+ resources in 瑶海.)

Both lists are ledgers: append-only, hash-chained, queryable. A need is matched by a resource of
the same category whose place covers the need's (the resource's unit is the need's place or
contains it, up to the street: a district-wide offer does not cover every community by itself),
or offered by a department paired with the need's community; a need no resource matches is
reported. These matching rules are this plugin's defaults: the seed only says the lists are
matched ("主动对接"). A matched need is taken up as a four-step issue (问题清单), the providers of
its resources the departments that answer it.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from govflow import Actor, Engine, Entry, Issue, LedgerSpec
from govflow.errors import InvalidRequestError
from govflow_four_step.council import helpers

#: The areas the seed gathers needs about (the category of a need and of a resource).
CATEGORIES = ("党的建设", "社区治理", "环境整治", "法律援助", "民生保障", "日常服务")
#: How needs are gathered.
NEED_SOURCES = ("网格员入户走访", "调查问卷", "党群议事会", "党员代表会议", "居民代表会议")
#: What a resource is: a service, a person's skill, a room, funds (default kinds).
RESOURCE_KINDS = ("service", "skill", "room", "funds")

NEEDS = LedgerSpec(
    "needs",
    label="居民需求清单 residents' needs",
    kinds={"need", "taken_up"},
    required={"category"},
)
RESOURCES = LedgerSpec(
    "resources",
    label="社区资源清单 community resources",
    kinds=RESOURCE_KINDS,
    required={"category", "provider"},
    numeric={"amount"},
)


def _category(category: str) -> None:
    if category not in CATEGORIES:
        raise InvalidRequestError(f"category {category!r} is not one of {list(CATEGORIES)}")


def add_need(
    engine: Engine,
    need_id: str,
    *,
    category: str,
    place: str,
    text: str,
    source: str,
    actor: Actor | str,
) -> Entry:
    """Put a need on the needs list, gathered at ``place`` by ``source``."""
    _category(category)
    if source not in NEED_SOURCES:
        raise InvalidRequestError(f"need source {source!r} is not one of {list(NEED_SOURCES)}")
    if engine.org is not None:
        engine.org.unit(place)
    if engine.ledgers.entries("needs", subject=need_id):
        raise InvalidRequestError(f"need {need_id!r} is on the list already")
    return engine.ledgers.record(
        "needs",
        "need",
        actor=actor,
        unit=place,
        subject=need_id,
        data={"category": category, "text": text, "source": source},
    )


def add_resource(
    engine: Engine,
    resource_id: str,
    *,
    kind: str,
    category: str,
    provider: str,
    place: str,
    text: str,
    actor: Actor | str,
    amount: float | None = None,
) -> Entry:
    """Put a resource on the resources list: what ``provider`` (a department, a resident unit,
    a person) offers the area ``place`` (a community, or a street for all its communities)."""
    _category(category)
    if engine.org is not None:
        engine.org.unit(place)
    if engine.ledgers.entries("resources", subject=resource_id):
        raise InvalidRequestError(f"resource {resource_id!r} is on the list already")
    data: dict[str, object] = {"category": category, "provider": provider, "text": text}
    if amount is not None:
        data["amount"] = amount
    return engine.ledgers.record(
        "resources", kind, actor=actor, unit=place, subject=resource_id, data=data
    )


@attrs.frozen(slots=True)
class Match:
    """A need and the resources that match it."""

    need: Entry
    resources: tuple[Entry, ...]

    @property
    def providers(self) -> list[str]:
        """The providers of the matching resources, each once, in list order."""
        return list(dict.fromkeys(str(r.data["provider"]) for r in self.resources))


@attrs.frozen(slots=True)
class Matching:
    """The needs not yet taken up, matched and unmatched."""

    matched: tuple[Match, ...]
    unmatched: tuple[Entry, ...]


#: Places too wide to cover a need by containing it: a district's departments reach a community
#: through their pairing with it (结对), not by offering to the whole district.
_TOO_WIDE = frozenset({"province", "city", "district", "county"})


def _covers(engine: Engine, resource: Entry, need: Entry) -> bool:
    if resource.data["category"] != need.data["category"]:
        return False
    place = need.unit
    if place is None or resource.unit is None:
        return False
    if engine.org is None:
        return resource.unit == place
    covering = {u.id for u in engine.org.chain(place) if u.kind not in _TOO_WIDE}
    if resource.unit in covering:
        return True
    return resource.data["provider"] in helpers(engine.org, place)


def match_needs(engine: Engine) -> Matching:
    """Match every need not yet taken up against the resources list."""
    taken = {e.subject for e in engine.ledgers.entries("needs", kind="taken_up")}
    resources = engine.ledgers.entries("resources")
    matched: list[Match] = []
    unmatched: list[Entry] = []
    for need in engine.ledgers.entries("needs", kind="need"):
        if need.subject in taken:
            continue
        found = tuple(r for r in resources if _covers(engine, r, need))
        if found:
            matched.append(Match(need, found))
        else:
            unmatched.append(need)
    return Matching(tuple(matched), tuple(unmatched))


def take_up(engine: Engine, match: Match, *, actor: Actor | str) -> Issue:
    """Turn a matched need into a four-step issue (基层出题), and mark the need taken up."""
    need = match.need
    if engine.ledgers.entries("needs", kind="taken_up", subject=need.subject):
        raise InvalidRequestError(f"need {need.subject!r} is taken up already")
    issue = engine.open(
        "four-step",
        reporter=actor,
        location=need.unit,
        category=str(need.data["category"]),
        data={
            "need": need.subject,
            "text": need.data.get("text", ""),
            "resources": [r.subject for r in match.resources],
            "providers": match.providers,
        },
    )
    engine.ledgers.record(
        "needs",
        "taken_up",
        actor=actor,
        unit=need.unit,
        subject=need.subject,
        data={"category": need.data["category"], "issue": issue.id},
    )
    return issue


def unmatched_report(matching: Matching) -> Sequence[str]:
    """One line per unmatched need: its id, place, category and text."""
    return [
        f"{n.subject} @ {n.unit}: {n.data['category']} — {n.data.get('text', '')}"
        for n in matching.unmatched
    ]


__all__ = [
    "CATEGORIES",
    "NEEDS",
    "NEED_SOURCES",
    "RESOURCES",
    "RESOURCE_KINDS",
    "Match",
    "Matching",
    "add_need",
    "add_resource",
    "match_needs",
    "take_up",
    "unmatched_report",
]
