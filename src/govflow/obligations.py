"""Obligations: recurring duties with a period and a count, checked against the record.

The seeds set standards that are not moves of an issue but duties that recur:
"社区工作者每周不少于3天驻点小区" (大冶), "每月至少开展两次'四方会谈'" (湖州),
"一社区一民警两辅警" (大冶). An :class:`Obligation` states one: who must meet it
(:class:`Scope`: the units of a kind in the org graph, the holders of a role, or named ids),
what is counted (:class:`LedgerCount`, :class:`EventCount`, :class:`PostCount`), at least how
many, and in which period (a day, a week from Monday, a month; none for a standing rule such as
a staffing level). :func:`check_obligations` checks a span of time and reports every one who
fell short, in every period, with what was required and found.

Periods are calendar periods in China's time (UTC+8, no daylight saving) by default: a 驻点 day
is a local date, a month a local month, whatever the UTC timestamps of the entries.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

import attrs

from govflow.errors import DefinitionError, InvalidRequestError
from govflow.ledgers import Entry, Ledgers
from govflow.org import OrgGraph
from govflow.records import Event, Issue

#: China Standard Time: the seeds' days, weeks and months are counted in it.
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")


class Period(enum.StrEnum):
    """The calendar period an obligation's count is taken over."""

    DAY = "day"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"


def _next_start(period: Period, start: date) -> date:
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _period_start(period: Period, day: date) -> date:
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def windows(period: Period, start: date, end: date) -> list[tuple[date, date]]:
    """The whole periods within ``[start, end)``, each as ``(first day, day after the last)``.

    A period only partly inside the span is left out: a week is checked only once it is whole.
    """
    first = _period_start(period, start)
    if first < start:
        first = _next_start(period, first)
    found = []
    while (after := _next_start(period, first)) <= end:
        found.append((first, after))
        first = after
    return found


# --- who must meet an obligation -------------------------------------------------------------


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Scope:
    """Who must meet an obligation.

    Exactly one of: ``kind`` (every unit of that kind in the org graph, under ``under`` if
    given), ``role`` (every person holding that role in a unit of kind ``role_in``, or in any
    unit, under ``under`` if given), or ``ids`` (unit or person ids named; no org graph needed).
    Build them with :func:`units`, :func:`holders` and :func:`named`.
    """

    kind: str | None = None
    role: str | None = None
    role_in: str | None = None
    under: str | None = None
    ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)

    def __attrs_post_init__(self) -> None:
        given = [self.kind is not None, self.role is not None, bool(self.ids)]
        if sum(given) != 1:
            raise DefinitionError("a Scope names exactly one of kind, role or ids")

    def members(self, org: OrgGraph | None) -> list[str]:
        """The ids of those in scope, in a stable order."""
        if self.ids:
            return list(self.ids)
        if org is None:
            raise InvalidRequestError(
                "this obligation's scope is drawn from the org graph: give one"
            )
        if self.kind is not None:
            return [unit.id for unit in org.units(kind=self.kind, under=self.under)]
        people: dict[str, None] = {}
        for unit in org.units(kind=self.role_in, under=self.under):
            for post in org.members(unit.id, self.role):
                people.setdefault(post.person.id, None)
        return list(people)


def units(kind: str, *, under: str | None = None) -> Scope:
    """Every unit of ``kind`` in the org graph (under unit ``under`` if given)."""
    return Scope(kind=kind, under=under)


def holders(role: str, *, role_in: str | None = None, under: str | None = None) -> Scope:
    """Every person holding ``role`` in the org graph (in units of kind ``role_in``, under
    ``under``, if given)."""
    return Scope(role=role, role_in=role_in, under=under)


def named(*ids: str) -> Scope:
    """The units or people named."""
    return Scope(ids=ids)


# --- what is counted -------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Sources:
    """What obligations are checked against: ledgers, the engine's issues and events, the org."""

    ledgers: Ledgers | None = None
    org: OrgGraph | None = None
    events: Callable[[], Iterable[tuple[Issue, Sequence[Event]]]] | None = None
    tz: tzinfo = CHINA_TIME


def _local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


@attrs.frozen(slots=True)
class LedgerCount:
    """Count entries of ``kind`` in ``ledger`` belonging to each one in scope.

    :param by: ``"unit"`` (the entry's unit) or ``"subject"`` (whom the entry is about).
    :param distinct_days: count the distinct local days with an entry, not the entries: "3 days a
        week" is met by three days, not by three entries on one day.
    """

    ledger: str
    kind: str | None = None
    by: str = attrs.field(default="unit", validator=attrs.validators.in_(("unit", "subject")))
    distinct_days: bool = False

    def counts(
        self,
        sources: Sources,
        start: datetime | None,
        end: datetime | None,
        members: Sequence[str] = (),
    ) -> Mapping[str, int]:
        del members  # counted for everyone, read for those in scope
        if sources.ledgers is None:
            raise InvalidRequestError(f"counting ledger {self.ledger!r} needs the ledgers")
        found: dict[str, set[date] | int] = {}
        entries: list[Entry] = sources.ledgers.entries(
            self.ledger, kind=self.kind, since=start, until=end
        )
        for entry in entries:
            who = entry.unit if self.by == "unit" else entry.subject
            if who is None:
                continue
            if self.distinct_days:
                days = found.setdefault(who, set())
                assert isinstance(days, set)
                days.add(_local_day(entry.at, sources.tz))
            else:
                count = found.get(who, 0)
                assert isinstance(count, int)
                found[who] = count + 1
        return {who: len(v) if isinstance(v, set) else v for who, v in found.items()}


@attrs.frozen(slots=True)
class EventCount:
    """Count the moves with ``trigger`` (of ``workflow``, if given) made in each period, by the
    issue's ``location`` (``by="location"``) or by the actor (``by="actor"``)."""

    trigger: str
    workflow: str | None = None
    by: str = attrs.field(default="location", validator=attrs.validators.in_(("location", "actor")))

    def counts(
        self,
        sources: Sources,
        start: datetime | None,
        end: datetime | None,
        members: Sequence[str] = (),
    ) -> Mapping[str, int]:
        del members  # counted for everyone, read for those in scope
        if sources.events is None:
            raise InvalidRequestError(f"counting {self.trigger!r} moves needs the engine's log")
        found: Counter[str] = Counter()
        for issue, events in sources.events():
            if self.workflow is not None and issue.workflow != self.workflow:
                continue
            for event in events:
                if event.trigger != self.trigger:
                    continue
                if (start is not None and event.at < start) or (
                    end is not None and event.at >= end
                ):
                    continue
                who = issue.location if self.by == "location" else event.actor
                if who is not None:
                    found[who] += 1
        return found


@attrs.frozen(slots=True)
class PostCount:
    """Count the people holding ``role`` in each unit in scope (a staffing rule, no period)."""

    role: str

    def counts(
        self,
        sources: Sources,
        start: datetime | None,
        end: datetime | None,
        members: Sequence[str] = (),
    ) -> Mapping[str, int]:
        del start, end  # a staffing level is read as the graph stands
        if sources.org is None:
            raise InvalidRequestError(f"counting {self.role!r} posts needs the org graph")
        return {
            unit: len({post.person.id for post in sources.org.members(unit, self.role)})
            for unit in members
        }


Count = LedgerCount | EventCount | PostCount


# --- the obligation and its check ------------------------------------------------------------


@attrs.frozen(slots=True)
class Obligation:
    """``scope`` must reach ``at_least`` of ``count`` in every ``period`` (None: at all times).

    :param source: where the standard comes from (the seed's words), shown in reports.
    """

    name: str
    scope: Scope
    count: Count
    at_least: int
    period: Period | None = None
    label: str = ""
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if self.at_least < 1:
            raise DefinitionError(f"obligation {self.name!r}: at_least must be 1 or more")
        if isinstance(self.count, PostCount) and self.period is not None:
            raise DefinitionError(
                f"obligation {self.name!r}: a staffing rule has no period (it is read as the "
                "org graph stands)"
            )


@attrs.frozen(slots=True)
class Shortfall:
    """``who`` fell short of ``obligation`` in ``[start, end)`` (None: a standing rule)."""

    obligation: str
    who: str
    required: int
    found: int
    start: date | None = None
    end: date | None = None

    def __str__(self) -> str:
        when = "" if self.start is None else f" in {self.start}..{self.end}"
        return f"{self.who}: {self.obligation}{when}: {self.found} of {self.required}"


@attrs.frozen(slots=True)
class ObligationReport:
    """The result of a check: every shortfall, and how many (one, period) pairs were checked."""

    shortfalls: tuple[Shortfall, ...]
    checked: int

    @property
    def ok(self) -> bool:
        """True when nobody fell short."""
        return not self.shortfalls

    def missed(self, obligation: str | None = None) -> list[str]:
        """Who fell short (of ``obligation``, if given) at least once, in scope order."""
        seen: dict[str, None] = {}
        for shortfall in self.shortfalls:
            if obligation is None or shortfall.obligation == obligation:
                seen.setdefault(shortfall.who, None)
        return list(seen)


def _bound(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(UTC)


def check_obligations(
    obligations: Iterable[Obligation],
    *,
    start: date | None = None,
    end: date | None = None,
    sources: Sources | None = None,
    ledgers: Ledgers | None = None,
    org: OrgGraph | None = None,
    engine: Any = None,
) -> ObligationReport:
    """Check ``obligations`` over the whole periods in ``[start, end)`` (local dates).

    Give the record as ``sources``, or as ``engine`` (its ledgers, org graph and log) and/or
    ``ledgers`` and ``org`` directly. A standing rule (no period) is checked once, whatever the
    span. Every one in scope is checked, so a unit with no entry at all is reported with 0.

    :raises InvalidRequestError: if a periodic obligation is checked without a span, the span
        is empty, or a source an obligation counts is missing.
    """
    if sources is None:
        sources = Sources(
            ledgers=ledgers if ledgers is not None else getattr(engine, "ledgers", None),
            org=org if org is not None else getattr(engine, "org", None),
            events=None if engine is None else (lambda: _log_of(engine)),
        )
    shortfalls: list[Shortfall] = []
    checked = 0
    for obligation in obligations:
        members = obligation.scope.members(sources.org)
        if obligation.period is None:
            spans: list[tuple[date | None, date | None]] = [(None, None)]
        else:
            if start is None or end is None or start >= end:
                raise InvalidRequestError(
                    f"obligation {obligation.name!r} is checked per {obligation.period}: give a "
                    "start before an end"
                )
            spans = list(windows(obligation.period, start, end))
        for first, after in spans:
            counts = obligation.count.counts(
                sources,
                None if first is None else _bound(first, sources.tz),
                None if after is None else _bound(after, sources.tz),
                members,
            )
            for who in members:
                checked += 1
                found = counts.get(who, 0)
                if found < obligation.at_least:
                    shortfalls.append(
                        Shortfall(obligation.name, who, obligation.at_least, found, first, after)
                    )
    return ObligationReport(tuple(shortfalls), checked)


def _log_of(engine: Any) -> Iterator[tuple[Issue, Sequence[Event]]]:
    for issue in engine.issues():
        yield issue, engine.history(issue.id)


__all__ = [
    "CHINA_TIME",
    "Count",
    "EventCount",
    "LedgerCount",
    "Obligation",
    "ObligationReport",
    "Period",
    "PostCount",
    "Scope",
    "Shortfall",
    "Sources",
    "check_obligations",
    "holders",
    "named",
    "units",
    "windows",
]
