"""Weekly and monthly reviews: "一周一碰头、一月一盘点, 进行梳理汇总、分析研判".

A review is computed from the audit log only, so it can be recomputed at any time and gives the
same answer: what was collected in the period, by category, and how far the loop got
(assigned, handled, fed back by the council, referred up, fixed on the spot by the patrol
(随手做), reclassified, closed), with the residents' satisfaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

import attrs

from govflow import Engine, Event, Issue

WORKFLOW_NAME = "one-group-one-council"
_FINAL = frozenset({"closed", "dropped"})


@attrs.frozen(slots=True)
class Review:
    """The summary of one period of 一组一会 work."""

    start: datetime | None
    end: datetime | None
    collected: int
    by_category: Mapping[str, int]
    assigned: int
    handled: int
    fed_back: int
    referred_up: int
    fixed_on_spot: int
    reclassified: int
    closed: int
    satisfaction: Mapping[str, int]
    open_now: int


def review(
    issues: Iterable[Issue],
    events: Iterable[Event],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    under: Iterable[str] | None = None,
) -> Review:
    """Summarize the 一组一会 issues and their events between ``start`` and ``end``.

    :param under: if given, only issues located in one of these unit ids count.
    """
    places = None if under is None else frozenset(under)
    mine = {
        i.id: i
        for i in issues
        if i.workflow == WORKFLOW_NAME and (places is None or i.location in places)
    }

    def within(at: datetime) -> bool:
        return (start is None or at >= start) and (end is None or at < end)

    moves: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    satisfaction: Counter[str] = Counter()
    for event in events:
        if event.issue_id not in mine or not within(event.at):
            continue
        moves[event.trigger] += 1
        if event.trigger == "open":
            categories[mine[event.issue_id].category or "unclassified"] += 1
        if event.trigger == "evaluate":
            satisfaction[str(event.payload.get("satisfaction"))] += 1
    return Review(
        start=start,
        end=end,
        collected=moves["open"],
        by_category=dict(sorted(categories.items())),
        assigned=moves["assign"],
        handled=moves["report_handled"] + moves["upstream_concluded"] + moves["fix_on_spot"],
        fed_back=moves["feed_back"],
        referred_up=moves["refer_up"],
        fixed_on_spot=moves["fix_on_spot"],
        reclassified=moves["reclassify"],
        closed=moves["evaluate"] + moves["close_unrated"],
        satisfaction=dict(sorted(satisfaction.items())),
        open_now=sum(1 for i in mine.values() if i.state not in _FINAL),
    )


def _all_events(engine: Engine) -> list[Event]:
    return [e for issue in engine.issues() for e in engine.history(issue.id)]


def weekly_review(
    engine: Engine, week_start: datetime, *, under: Iterable[str] | None = None
) -> Review:
    """一周一碰头: the seven days from ``week_start``."""
    return review(
        list(engine.issues()),
        _all_events(engine),
        start=week_start,
        end=week_start + timedelta(days=7),
        under=under,
    )


def monthly_review(
    engine: Engine, year: int, month: int, *, under: Iterable[str] | None = None
) -> Review:
    """一月一盘点: the calendar month, in the engine clock's time zone."""
    tz = engine.clock.now().tzinfo
    start = datetime.combine(date(year, month, 1), time(), tzinfo=tz)
    following = date(year + month // 12, month % 12 + 1, 1)
    end = datetime.combine(following, time(), tzinfo=tz)
    return review(list(engine.issues()), _all_events(engine), start=start, end=end, under=under)


__all__ = ["Review", "monthly_review", "review", "weekly_review"]
